/**
 * REST routes of the fake: issue comments, pulls, labels, runners and the public artifact API.
 * Shapes follow GitHub's OpenAPI description (fields the action or the toolkit read are all there).
 */
import type { Ctx, FakeHost, Reply, RouteDef } from './server.js';
import { artifactGone, bodyNotSupplied, bodyTooLong, MAX_COMMENT_CHARS, MAX_PULL_FILES, notFound } from './bodies.js';
import type { FakeArtifact, FakeComment, FakeLabel, FakePull, FakeUser } from './types.js';

const DOC = {
  listComments: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  createComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  getComment: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
  updateComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  deleteComment: 'https://docs.github.com/rest/issues/comments#delete-an-issue-comment',
  listLabels: 'https://docs.github.com/rest/issues/labels#list-labels-for-an-issue',
  listPulls: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
  getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  listFiles: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests-files',
  commitPulls: 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
  runners: 'https://docs.github.com/rest/actions/self-hosted-runners#list-self-hosted-runners-for-a-repository',
  runArtifacts: 'https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts',
  getRun: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run',
  getArtifact: 'https://docs.github.com/rest/actions/artifacts#get-an-artifact',
  deleteArtifact: 'https://docs.github.com/rest/actions/artifacts#delete-an-artifact',
  downloadArtifact: 'https://docs.github.com/rest/actions/artifacts#download-an-artifact',
} as const;

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, json: body, headers });

/** Renders a user as GitHub's `simple-user`. */
export function userJson(u: FakeUser): Record<string, unknown> {
  return {
    login: u.login,
    id: u.id,
    node_id: `${u.type === 'Bot' ? 'BOT' : 'U'}_kgDOFake${u.id.toString(36)}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    url: `https://api.github.com/users/${encodeURIComponent(u.login)}`,
    html_url: u.type === 'Bot' ? `https://github.com/apps/${u.login.replace(/\[bot\]$/, '')}` : `https://github.com/${u.login}`,
    type: u.type,
    site_admin: false,
  };
}

/** Renders a stored comment as GitHub's issue-comment JSON. */
export function commentJson(host: FakeHost, c: FakeComment): Record<string, unknown> {
  const isPull = host.state.pulls.has(c.issue_number);
  const repoPath = `${host.owner}/${host.repoName}`;
  return {
    url: `${host.origin}/repos/${repoPath}/issues/comments/${c.id}`,
    html_url: `https://github.com/${repoPath}/${isPull ? 'pull' : 'issues'}/${c.issue_number}#issuecomment-${c.id}`,
    issue_url: `${host.origin}/repos/${repoPath}/issues/${c.issue_number}`,
    id: c.id,
    node_id: c.node_id,
    user: userJson(c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    body: c.body,
    reactions: {
      url: `${host.origin}/repos/${repoPath}/issues/comments/${c.id}/reactions`,
      total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0,
    },
    performed_via_github_app: null,
  };
}

function labelJson(host: FakeHost, l: FakeLabel): Record<string, unknown> {
  return {
    id: l.id,
    node_id: l.node_id,
    url: `${host.origin}/repos/${host.owner}/${host.repoName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  };
}

function repoJson(host: FakeHost, owner: string, fork: boolean): Record<string, unknown> {
  const full = `${owner}/${host.repoName}`;
  return {
    id: fork ? host.repoId + 1 : host.repoId,
    node_id: `R_kgDOFake${(fork ? host.repoId + 1 : host.repoId).toString(36)}`,
    name: host.repoName,
    full_name: full,
    private: false,
    owner: userJson({ login: owner, id: owner === host.owner ? 9_000_001 : 9_000_002, type: 'Organization' }),
    html_url: `https://github.com/${full}`,
    url: `${host.origin}/repos/${full}`,
    fork,
    default_branch: 'main',
  };
}

/** Renders a stored pull request as GitHub's pull-request JSON. */
export function pullJson(host: FakeHost, p: FakePull): Record<string, unknown> {
  const repoPath = `${host.owner}/${host.repoName}`;
  const headOwner = p.fork ? p.forkOwner : host.owner;
  const labels = (host.state.labels.get(p.number) ?? []).map((l) => labelJson(host, l));
  const additions = p.files.reduce((a, f) => a + (f.additions ?? 1), 0);
  const deletions = p.files.reduce((a, f) => a + (f.deletions ?? 0), 0);
  return {
    url: `${host.origin}/repos/${repoPath}/pulls/${p.number}`,
    id: p.id,
    node_id: `PR_kwDOFake${p.id.toString(36)}`,
    html_url: `https://github.com/${repoPath}/pull/${p.number}`,
    diff_url: `https://github.com/${repoPath}/pull/${p.number}.diff`,
    issue_url: `${host.origin}/repos/${repoPath}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userJson(p.author),
    body: p.body,
    labels,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: p.draft,
    head: {
      label: `${headOwner}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      user: userJson({ login: headOwner, id: p.fork ? 9_000_002 : 9_000_001, type: 'Organization' }),
      repo: repoJson(host, headOwner, p.fork),
    },
    base: {
      label: `${host.owner}:${p.baseRef}`,
      ref: p.baseRef,
      sha: p.baseSha,
      user: userJson({ login: host.owner, id: 9_000_001, type: 'Organization' }),
      repo: repoJson(host, host.owner, false),
    },
    author_association: 'CONTRIBUTOR',
    merged: false,
    mergeable: true,
    comments: host.state.comments.filter((c) => c.issue_number === p.number).length,
    commits: 1,
    additions,
    deletions,
    changed_files: p.files.length,
  };
}

/** A `pull_request` event payload for a stored PR, as the runner writes to GITHUB_EVENT_PATH. */
export function pullRequestEventJson(host: FakeHost, p: FakePull, action: string): Record<string, unknown> {
  return {
    action,
    number: p.number,
    pull_request: pullJson(host, p),
    repository: repoJson(host, host.owner, false),
    sender: userJson(p.author),
  };
}

function artifactJson(host: FakeHost, a: FakeArtifact): Record<string, unknown> {
  const repoPath = `${host.owner}/${host.repoName}`;
  const run = host.state.runs.get(a.runId);
  return {
    id: a.id,
    node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
    name: a.name,
    size_in_bytes: a.size,
    url: `${host.origin}/repos/${repoPath}/actions/artifacts/${a.id}`,
    archive_download_url: `${host.origin}/repos/${repoPath}/actions/artifacts/${a.id}/zip`,
    expired: Date.parse(a.expiresAt) < Date.now(),
    digest: a.digest,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    expires_at: a.expiresAt,
    workflow_run: {
      id: a.runId,
      repository_id: host.repoId,
      head_repository_id: host.repoId,
      head_branch: run?.headBranch ?? 'main',
      head_sha: run?.headSha ?? '0'.repeat(40),
    },
  };
}

function intParam(ctx: Ctx, name: string): number | null {
  const raw = ctx.params[name];
  return raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : null;
}

/**
 * Slices `items` by `per_page` (default 30, max 100) and `page` and writes GitHub's `Link` header
 * (rel prev/next/last/first, in GitHub's order) with `/repositories/{id}/…` URLs.
 */
function paginate<T>(ctx: Ctx, host: FakeHost, items: readonly T[]): { page: T[]; headers: Record<string, string> } {
  const perRaw = Number(ctx.query.get('per_page'));
  const perPage = Number.isInteger(perRaw) && perRaw >= 1 ? Math.min(perRaw, 100) : 30;
  const pageRaw = Number(ctx.query.get('page'));
  const page = Number.isInteger(pageRaw) && pageRaw >= 1 ? pageRaw : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const repoPrefix = `/repos/${host.owner}/${host.repoName}/`;
  const basePath = ctx.path.startsWith(repoPrefix) ? `/repositories/${host.repoId}/${ctx.path.slice(repoPrefix.length)}` : ctx.path;
  const link = (n: number): string => {
    const q = new URLSearchParams();
    for (const [k, v] of ctx.query) if (k !== 'page') q.set(k, v);
    q.set('page', String(n));
    return `<${host.origin}${basePath}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`);
  return { page: slice, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}

/** Character count as GitHub validates it (Unicode code points, not UTF-16 units). */
function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function validateBody(ctx: Ctx, doc: string): string | Reply {
  const body = (ctx.json as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string') return json(422, bodyNotSupplied(doc));
  if (charCount(body) > MAX_COMMENT_CHARS) return json(422, bodyTooLong(doc));
  return body;
}

function findComment(host: FakeHost, ctx: Ctx): FakeComment | undefined {
  const id = intParam(ctx, 'comment_id');
  return id === null ? undefined : host.state.comments.find((c) => c.id === id);
}

function findRunArtifacts(host: FakeHost, runId: number): FakeArtifact[] {
  return host.state.artifacts.filter((a) => a.runId === runId && a.state === 'finalized');
}

/** The REST route table. */
export const REST_ROUTES: readonly RouteDef[] = [
  {
    key: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    area: 'rest',
    doc: DOC.listComments,
    handle(ctx, host) {
      const n = intParam(ctx, 'issue_number');
      if (n === null || !host.state.issues.has(n)) return json(404, notFound(DOC.listComments));
      const since = Date.parse(ctx.query.get('since') ?? '');
      const all = host.state.comments
        .filter((c) => c.issue_number === n && (Number.isNaN(since) || Date.parse(c.updated_at) >= since))
        .sort((a, b) => a.id - b.id);
      const { page, headers } = paginate(ctx, host, all);
      return json(200, page.map((c) => commentJson(host, c)), headers);
    },
  },
  {
    key: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    area: 'rest',
    need: 'write',
    doc: DOC.createComment,
    handle(ctx, host) {
      const n = intParam(ctx, 'issue_number');
      if (n === null || !host.state.issues.has(n)) return json(404, notFound(DOC.createComment));
      const body = validateBody(ctx, DOC.createComment);
      if (typeof body !== 'string') return body;
      const c = host.state.comments;
      const user = ctx.token!.user;
      const id = host.nextId('comment');
      const ts = host.stamp();
      const comment: FakeComment = { id, node_id: `IC_kwDOFake${id.toString(36)}`, issue_number: n, body, user, created_at: ts, updated_at: ts };
      c.push(comment);
      const out = commentJson(host, comment);
      return json(201, out, { location: String(out.url) });
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/issues/comments/{comment_id}',
    area: 'rest',
    doc: DOC.getComment,
    handle(ctx, host) {
      const c = findComment(host, ctx);
      return c ? json(200, commentJson(host, c)) : json(404, notFound(DOC.getComment));
    },
  },
  {
    key: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
    area: 'rest',
    need: 'write',
    doc: DOC.updateComment,
    handle(ctx, host) {
      const c = findComment(host, ctx);
      if (!c) return json(404, notFound(DOC.updateComment));
      const body = validateBody(ctx, DOC.updateComment);
      if (typeof body !== 'string') return body;
      c.body = body;
      c.updated_at = host.stamp();
      return json(200, commentJson(host, c));
    },
  },
  {
    key: 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
    area: 'rest',
    need: 'write',
    doc: DOC.deleteComment,
    handle(ctx, host) {
      const c = findComment(host, ctx);
      if (!c) return json(404, notFound(DOC.deleteComment));
      host.state.comments.splice(host.state.comments.indexOf(c), 1);
      return { status: 204 };
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/issues/{issue_number}/labels',
    area: 'rest',
    doc: DOC.listLabels,
    handle(ctx, host) {
      const n = intParam(ctx, 'issue_number');
      if (n === null || !host.state.issues.has(n)) return json(404, notFound(DOC.listLabels));
      const { page, headers } = paginate(ctx, host, host.state.labels.get(n) ?? []);
      return json(200, page.map((l) => labelJson(host, l)), headers);
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/pulls',
    area: 'rest',
    doc: DOC.listPulls,
    handle(ctx, host) {
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const pulls = [...host.state.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || head === `${p.fork ? p.forkOwner : host.owner}:${p.headRef}`)
        .filter((p) => !base || base === p.baseRef)
        .sort((a, b) => b.number - a.number);
      const { page, headers } = paginate(ctx, host, pulls);
      return json(200, page.map((p) => pullJson(host, p)), headers);
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    area: 'rest',
    doc: DOC.getPull,
    handle(ctx, host) {
      const n = intParam(ctx, 'pull_number');
      const p = n === null ? undefined : host.state.pulls.get(n);
      return p ? json(200, pullJson(host, p)) : json(404, notFound(DOC.getPull));
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
    area: 'rest',
    doc: DOC.listFiles,
    handle(ctx, host) {
      const n = intParam(ctx, 'pull_number');
      const p = n === null ? undefined : host.state.pulls.get(n);
      if (!p) return json(404, notFound(DOC.listFiles));
      const repoPath = `${host.owner}/${host.repoName}`;
      const files = p.files.slice(0, MAX_PULL_FILES).map((f, i) => {
        const sha = (i + 1).toString(16).padStart(40, 'f');
        const additions = f.additions ?? 1;
        const deletions = f.deletions ?? 0;
        const out: Record<string, unknown> = {
          sha,
          filename: f.filename,
          status: f.status ?? 'modified',
          additions,
          deletions,
          changes: additions + deletions,
          blob_url: `https://github.com/${repoPath}/blob/${p.headSha}/${encodeURI(f.filename)}`,
          raw_url: `https://github.com/${repoPath}/raw/${p.headSha}/${encodeURI(f.filename)}`,
          contents_url: `${host.origin}/repos/${repoPath}/contents/${encodeURI(f.filename)}?ref=${p.headSha}`,
        };
        if (f.patch !== undefined) out.patch = f.patch;
        if (f.previousFilename !== undefined) out.previous_filename = f.previousFilename;
        return out;
      });
      const { page, headers } = paginate(ctx, host, files);
      return json(200, page, headers);
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    area: 'rest',
    doc: DOC.commitPulls,
    handle(ctx, host) {
      const sha = ctx.params.commit_sha;
      const pulls = [...host.state.pulls.values()].filter((p) => p.headSha === sha).sort((a, b) => b.number - a.number);
      const { page, headers } = paginate(ctx, host, pulls);
      return json(200, page.map((p) => pullJson(host, p)), headers);
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/actions/runners',
    area: 'rest',
    need: 'admin',
    doc: DOC.runners,
    handle(ctx, host) {
      const { page, headers } = paginate(ctx, host, host.state.runners);
      const defaults = new Set(['self-hosted', 'linux', 'windows', 'macos', 'x64', 'arm64', 'arm']);
      let labelId = 0;
      return json(
        200,
        {
          total_count: host.state.runners.length,
          runners: page.map((r) => ({
            id: r.id,
            name: r.name,
            os: r.os,
            status: r.status,
            busy: r.busy,
            ephemeral: false,
            labels: r.labels.map((name) => ({ id: ++labelId, name, type: defaults.has(name.toLowerCase()) ? 'read-only' : 'custom' })),
          })),
        },
        headers,
      );
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
    area: 'rest',
    doc: DOC.getRun,
    handle(ctx, host) {
      const runId = intParam(ctx, 'run_id');
      const run = runId === null ? undefined : host.state.runs.get(runId);
      if (!run) return json(404, notFound(DOC.getRun));
      const repoPath = `${host.owner}/${host.repoName}`;
      // workflow_run.pull_requests is empty for fork PRs on GitHub; resolve by head_sha instead.
      const pulls = [...host.state.pulls.values()].filter((p) => p.headSha === run.headSha && !p.fork);
      return json(200, {
        id: run.id,
        name: 'EdgeGate',
        head_branch: run.headBranch,
        head_sha: run.headSha,
        run_number: 1,
        run_attempt: 1,
        event: 'pull_request',
        status: 'completed',
        conclusion: 'success',
        url: `${host.origin}/repos/${repoPath}/actions/runs/${run.id}`,
        html_url: `https://github.com/${repoPath}/actions/runs/${run.id}`,
        artifacts_url: `${host.origin}/repos/${repoPath}/actions/runs/${run.id}/artifacts`,
        pull_requests: pulls.map((p) => ({
          id: p.id,
          number: p.number,
          url: `${host.origin}/repos/${repoPath}/pulls/${p.number}`,
          head: { ref: p.headRef, sha: p.headSha, repo: { id: host.repoId, name: host.repoName } },
          base: { ref: p.baseRef, sha: p.baseSha, repo: { id: host.repoId, name: host.repoName } },
        })),
      });
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
    area: 'rest',
    doc: DOC.runArtifacts,
    handle(ctx, host) {
      const runId = intParam(ctx, 'run_id');
      if (runId === null || !host.state.runs.has(runId)) return json(404, notFound(DOC.runArtifacts));
      const name = ctx.query.get('name');
      const all = findRunArtifacts(host, runId).filter((a) => name === undefined || a.name === name);
      const { page, headers } = paginate(ctx, host, all);
      return json(200, { total_count: all.length, artifacts: page.map((a) => artifactJson(host, a)) }, headers);
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
    area: 'rest',
    doc: DOC.getArtifact,
    handle(ctx, host) {
      const id = intParam(ctx, 'artifact_id');
      const a = host.state.artifacts.find((x) => x.id === id && x.state === 'finalized');
      return a ? json(200, artifactJson(host, a)) : json(404, notFound(DOC.getArtifact));
    },
  },
  {
    key: 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
    area: 'rest',
    need: 'write',
    doc: DOC.deleteArtifact,
    handle(ctx, host) {
      const id = intParam(ctx, 'artifact_id');
      const a = host.state.artifacts.find((x) => x.id === id && x.state === 'finalized');
      if (!a) return json(404, notFound(DOC.deleteArtifact));
      a.state = 'deleted';
      return { status: 204 };
    },
  },
  {
    key: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    area: 'rest',
    doc: DOC.downloadArtifact,
    handle(ctx, host) {
      const id = intParam(ctx, 'artifact_id');
      const a = host.state.artifacts.find((x) => x.id === id && x.state !== 'pending');
      if (!a || ctx.params.archive_format !== 'zip') return json(404, notFound(DOC.downloadArtifact));
      if (a.state === 'deleted' || Date.parse(a.expiresAt) < Date.now()) return json(410, artifactGone(DOC.downloadArtifact));
      // GitHub answers with a short-lived signed blob URL; the client must not follow it with the token.
      return { status: 302, headers: { location: host.signBlobUrl(a, 'r', 60) }, body: '' };
    },
  },
];
