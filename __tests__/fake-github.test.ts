/**
 * The fake GitHub driven by the REAL clients (`@actions/github` Octokit, `@actions/artifact`) in
 * child processes, since both read their environment at import time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildRunnerEnv,
  childEnv,
  decodeRuntimeToken,
  faults,
  FaultSpecError,
  FileCommandParseError,
  makeRuntimeToken,
  MAX_COMMENT_CHARS,
  otherComments,
  parseFileCommands,
  RuntimeTokenError,
  startFakeGitHub,
  TokenLeakError,
  type FakeGitHub,
} from './support/fake-github/index.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLIENTS = join(ROOT, '__tests__', 'support', 'fake-github', 'clients');
const CHILD_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT = { timeout: 180_000 };

const RW = 'ghs_fakeWriteToken0000000000000000000001';
const RO = 'ghs_fakeReadOnlyToken00000000000000000002';
const ADMIN = 'ghp_fakeAdminToken000000000000000000000003';
const REPO = 'octo/models';
const [OWNER, NAME] = REPO.split('/');

/** Runs a client script in a child (async: the fake lives in this process's event loop). */
function runClient(script: string, program: unknown, env: Record<string, string>): Promise<unknown[]> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(CLIENTS, script)],
      { cwd: ROOT, env, timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT@@ '));
        if (!line) {
          reject(new Error(`${script} printed no result (${error?.message ?? 'exit 0'})\nstdout:\n${stdout.slice(-4000)}\nstderr:\n${stderr.slice(-4000)}`));
          return;
        }
        resolvePromise(JSON.parse(line.slice('@@RESULT@@ '.length)) as unknown[]);
      },
    );
    child.stdin!.end(JSON.stringify(program));
  });
}

/** Environment for the Octokit client: only what getOctokit needs. */
const octokitEnv = (gh: FakeGitHub): Record<string, string> => childEnv({ GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: REPO });

type Res = { status?: number; headers?: Record<string, string>; data?: unknown; error?: { status?: number; message?: string; headers?: Record<string, string>; data?: unknown } };

const LIST = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';

describe('fake GitHub REST with the real Octokit', () => {
  let gh: FakeGitHub;
  const logLines: string[] = [];

  before(async () => {
    gh = await startFakeGitHub({
      repo: REPO,
      tokens: { [RW]: 'write', [RO]: 'read', [ADMIN]: { access: 'admin', login: 'octo-admin' } },
      pulls: [
        {
          number: 7,
          headSha: 'a'.repeat(40),
          baseSha: 'b'.repeat(40),
          labels: ['edgegate:accept-regression', 'models'],
          files: Array.from({ length: 3005 }, (_, i) => ({ filename: `models/m${i}.onnx`, status: 'modified' as const })),
        },
        { number: 8, headSha: 'c'.repeat(40), baseSha: 'b'.repeat(40), fork: true },
      ],
      comments: otherComments(7, 70),
      runners: [
        { name: 'rpi4-01', labels: ['self-hosted', 'linux', 'arm64', 'rpi4'] },
        { name: 'rpi5-01', status: 'offline', labels: ['self-hosted', 'linux', 'arm64', 'rpi5'] },
      ],
      log: (line) => logLines.push(line),
    });
  });
  after(async () => {
    await gh?.close();
  });

  test('70 other comments: Link headers, and octokit.paginate finds ours on page 3', TEST_TIMEOUT, async () => {
    const owner = OWNER;
    const repo = NAME;
    const [created, found, page1, page3, big, huge] = (await runClient(
      'octokit.ts',
      {
        token: RW,
        ops: [
          { op: 'rest', method: 'issues.createComment', params: { owner, repo, issue_number: 7, body: '<!-- edgegate:marker -->\nhello' } },
          { op: 'paginateFind', method: 'issues.listComments', params: { owner, repo, issue_number: 7 }, bodyIncludes: '<!-- edgegate:marker -->' },
          { op: 'rest', method: 'issues.listComments', params: { owner, repo, issue_number: 7 } },
          { op: 'rest', method: 'issues.listComments', params: { owner, repo, issue_number: 7, page: 3 } },
          { op: 'rest', method: 'issues.listComments', params: { owner, repo, issue_number: 7, per_page: 100 } },
          { op: 'rest', method: 'issues.listComments', params: { owner, repo, issue_number: 7, per_page: 500 } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    assert.equal(created.status, 201);
    const createdId = (created.data as { id: number }).id;
    const hit = found as unknown as { pages: number; found: { id: number } | null };
    assert.equal(hit.pages, 3, 'the marker comment is the 71st, on page 3');
    assert.equal(hit.found?.id, createdId);

    const p1 = page1.data as unknown[];
    assert.equal(p1.length, 30, 'default per_page is 30');
    const base = `${gh.url}/repositories/${gh.repoId}/issues/7/comments`;
    assert.equal(page1.headers!.link, `<${base}?page=2>; rel="next", <${base}?page=3>; rel="last"`);
    assert.equal((page3.data as unknown[]).length, 11);
    assert.equal(page3.headers!.link, `<${base}?page=2>; rel="prev", <${base}?page=1>; rel="first"`);
    assert.equal((big.data as unknown[]).length, 71);
    assert.equal(big.headers!.link, undefined, 'a single page has no Link header');
    assert.equal((huge.data as unknown[]).length, 71, 'per_page above 100 is clamped, still one page');

    // The iterator followed the Link URLs (/repositories/{id}/…), which the fake serves too.
    const listed = gh.requestsTo(LIST).map((r) => r.path);
    assert.ok(listed.includes(`/repositories/${gh.repoId}/issues/7/comments?page=3`), listed.join('\n'));
  });

  test('create then update a comment; GitHub-shaped objects', TEST_TIMEOUT, async () => {
    const [created] = (await runClient(
      'octokit.ts',
      { token: RW, ops: [{ op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 7, body: 'v1' } }] },
      octokitEnv(gh),
    )) as Res[];
    const c = created.data as Record<string, unknown> & { id: number; user: { login: string; type: string } };
    assert.equal(created.status, 201);
    assert.equal(c.body, 'v1');
    assert.deepEqual([c.user.login, c.user.type], ['github-actions[bot]', 'Bot']);
    assert.match(String(c.html_url), new RegExp(`^https://github\\.com/octo/models/pull/7#issuecomment-${c.id}$`));
    assert.match(String(c.node_id), /^IC_/);
    assert.match(String(c.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.headers!.location, c.url);

    const [updated, fetched] = (await runClient(
      'octokit.ts',
      {
        token: RW,
        ops: [
          { op: 'rest', method: 'issues.updateComment', params: { owner: OWNER, repo: NAME, comment_id: c.id, body: 'v2' } },
          { op: 'rest', method: 'issues.getComment', params: { owner: OWNER, repo: NAME, comment_id: c.id } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    assert.equal(updated.status, 200);
    const u = updated.data as { id: number; body: string; created_at: string; updated_at: string };
    assert.equal(u.body, 'v2');
    assert.equal(u.created_at, c.created_at);
    assert.ok(Date.parse(u.updated_at) > Date.parse(u.created_at));
    assert.equal((fetched.data as { body: string }).body, 'v2');
    const stored = gh.commentsOn(7).find((x) => x.id === c.id);
    assert.equal(stored?.body, 'v2');
    assert.equal(gh.commentsOn(7).filter((x) => x.body === 'v2').length, 1, 'update did not add a comment');
  });

  test('422 with GitHub\'s validation body above 65,536 characters', TEST_TIMEOUT, async () => {
    const before = gh.commentsOn(7).length;
    const tooLong = 'x'.repeat(MAX_COMMENT_CHARS + 1);
    const [rejected, atLimit, rejectedUpdate] = (await runClient(
      'octokit.ts',
      {
        token: RW,
        ops: [
          { op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 7, body: tooLong } },
          { op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 7, body: 'y'.repeat(MAX_COMMENT_CHARS) } },
          { op: 'rest', method: 'issues.updateComment', params: { owner: OWNER, repo: NAME, comment_id: gh.commentsOn(7)[0].id, body: tooLong } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    const expected = {
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    };
    assert.equal(rejected.error?.status, 422);
    assert.deepEqual(rejected.error?.data, expected);
    assert.equal(atLimit.status, 201, 'exactly 65,536 characters is accepted');
    assert.equal(rejectedUpdate.error?.status, 422);
    assert.equal(gh.commentsOn(7).length, before + 1);
    assert.equal(gh.commentsOn(7)[0].body, 'Unrelated comment 1', 'rejected update left the comment alone');
  });

  test('read-only token: reads work, writes get GitHub\'s 403; unknown/missing token 401', TEST_TIMEOUT, async () => {
    const before = gh.commentsOn(8).length;
    const [read, write] = (await runClient(
      'octokit.ts',
      {
        token: RO,
        ops: [
          { op: 'rest', method: 'issues.listComments', params: { owner: OWNER, repo: NAME, issue_number: 8 } },
          { op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 8, body: 'from a fork' } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    assert.equal(read.status, 200);
    assert.equal(write.error?.status, 403);
    assert.deepEqual(write.error?.data, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '403',
    });
    assert.equal(gh.commentsOn(8).length, before);

    const [unknown] = (await runClient(
      'octokit.ts',
      { token: 'ghs_notAKnownToken', ops: [{ op: 'rest', method: 'issues.listComments', params: { owner: OWNER, repo: NAME, issue_number: 7 } }] },
      octokitEnv(gh),
    )) as Res[];
    assert.equal(unknown.error?.status, 401);
    assert.equal((unknown.error?.data as { message: string }).message, 'Bad credentials');

    const missing = await fetch(`${gh.url}/repos/${REPO}/issues/7/comments`);
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { message: string }).message, 'Requires authentication');
  });

  test('injected 5xx, Retry-After and rate-limit faults reach the client, then the route recovers', TEST_TIMEOUT, async () => {
    const reset = Math.floor(Date.now() / 1000) + 7;
    gh.injectFaults(LIST, [faults.serverError(502), faults.serverError(503)]);
    gh.injectFaults(CREATE, [faults.retryAfter(1), faults.rateLimited(reset)]);
    assert.equal(gh.pendingFaults(LIST), 2);
    const list = { op: 'rest', method: 'issues.listComments', params: { owner: OWNER, repo: NAME, issue_number: 7 } };
    const create = { op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 7, body: 'after faults' } };
    const seqBefore = gh.requests.length;
    const [l1, l2, l3, c1, c2, c3] = (await runClient('octokit.ts', { token: RW, ops: [list, list, list, create, create, create] }, octokitEnv(gh))) as Res[];
    assert.deepEqual([l1.error?.status, l2.error?.status, l3.status], [502, 503, 200]);
    assert.equal(c1.error?.status, 403);
    assert.equal(c1.error?.headers?.['retry-after'], '1');
    assert.match(String((c1.error?.data as { message: string }).message), /secondary rate limit/);
    assert.equal(c2.error?.status, 403);
    assert.equal(c2.error?.headers?.['x-ratelimit-remaining'], '0');
    assert.equal(c2.error?.headers?.['x-ratelimit-reset'], String(reset));
    assert.equal(c3.status, 201);
    assert.equal(gh.pendingFaults(LIST), 0);
    const recorded = gh.requests.slice(seqBefore).map((r) => [r.route === LIST ? 'list' : 'create', r.status, r.fault]);
    assert.deepEqual(recorded, [
      ['list', 502, true], ['list', 503, true], ['list', 200, false],
      ['create', 403, true], ['create', 403, true], ['create', 201, false],
    ]);

    gh.injectFaults(LIST, [faults.reset()]);
    const [dropped] = (await runClient('octokit.ts', { token: RW, ops: [list] }, octokitEnv(gh))) as Res[];
    assert.ok(dropped.error, 'a reset connection is an error');
    assert.equal(dropped.error.status, 500, 'octokit reports network errors as status 500');

    assert.throws(() => gh.injectFaults('GET /nope', [faults.serverError()]), FaultSpecError);
    assert.throws(() => gh.injectFaults(LIST, [{ status: 42 }]), FaultSpecError);
  });

  test('pulls, files (3,000 cap), labels, commit→pulls and runners', TEST_TIMEOUT, async () => {
    const p = { owner: OWNER, repo: NAME };
    const [pull, files, labels, byCommit, fork] = (await runClient(
      'octokit.ts',
      {
        token: RW,
        ops: [
          { op: 'rest', method: 'pulls.get', params: { ...p, pull_number: 7 } },
          { op: 'paginate', method: 'pulls.listFiles', params: { ...p, pull_number: 7, per_page: 100 } },
          { op: 'rest', method: 'issues.listLabelsOnIssue', params: { ...p, issue_number: 7 } },
          { op: 'rest', method: 'repos.listPullRequestsAssociatedWithCommit', params: { ...p, commit_sha: 'c'.repeat(40) } },
          { op: 'rest', method: 'pulls.get', params: { ...p, pull_number: 8 } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    const pr = pull.data as { number: number; head: { sha: string }; base: { sha: string; ref: string }; changed_files: number; labels: { name: string }[] };
    assert.equal(pr.number, 7);
    assert.equal(pr.head.sha, 'a'.repeat(40));
    assert.deepEqual([pr.base.sha, pr.base.ref], ['b'.repeat(40), 'main']);
    assert.equal(pr.changed_files, 3005);
    const fileList = files.data as { filename: string; status: string }[];
    assert.equal(fileList.length, 3000, 'the files API stops at 3,000');
    assert.equal(fileList[2999].filename, 'models/m2999.onnx');
    assert.deepEqual((labels.data as { name: string }[]).map((l) => l.name), ['edgegate:accept-regression', 'models']);
    assert.deepEqual((byCommit.data as { number: number }[]).map((x) => x.number), [8]);
    const forkHead = (fork.data as { head: { repo: { fork: boolean; full_name: string } } }).head.repo;
    assert.deepEqual([forkHead.fork, forkHead.full_name], [true, 'contributor/models']);
    const sameRepoRun = gh.createRun({ headSha: 'a'.repeat(40) });
    const forkRun = gh.createRun({ headSha: 'c'.repeat(40) });
    const [runOfPr, runOfFork] = (await runClient(
      'octokit.ts',
      {
        token: RO,
        ops: [
          { op: 'rest', method: 'actions.getWorkflowRun', params: { ...p, run_id: sameRepoRun.id } },
          { op: 'rest', method: 'actions.getWorkflowRun', params: { ...p, run_id: forkRun.id } },
        ],
      },
      octokitEnv(gh),
    )) as Res[];
    assert.deepEqual((runOfPr.data as { pull_requests: { number: number }[] }).pull_requests.map((x) => x.number), [7]);
    assert.deepEqual((runOfFork.data as { pull_requests: unknown[]; head_sha: string }).pull_requests, [], 'like GitHub, empty for forks');
    const event = gh.pullRequestEvent(7) as { pull_request: { number: number }; action: string };
    assert.deepEqual([event.action, event.pull_request.number], ['synchronize', 7]);

    const runners = { op: 'request', route: 'GET /repos/{owner}/{repo}/actions/runners', params: p };
    const [denied] = (await runClient('octokit.ts', { token: RW, ops: [runners] }, octokitEnv(gh))) as Res[];
    assert.equal(denied.error?.status, 403, 'GITHUB_TOKEN cannot list runners');
    const [listed] = (await runClient('octokit.ts', { token: ADMIN, ops: [runners] }, octokitEnv(gh))) as Res[];
    const body = listed.data as { total_count: number; runners: { name: string; status: string; busy: boolean; labels: { name: string }[] }[] };
    assert.equal(body.total_count, 2);
    assert.deepEqual(
      body.runners.map((r) => [r.name, r.status, r.labels.map((l) => l.name).join(',')]),
      [['rpi4-01', 'online', 'self-hosted,linux,arm64,rpi4'], ['rpi5-01', 'offline', 'self-hosted,linux,arm64,rpi5']],
    );
  });

  test('tokens never reach the request log or the log lines; a leaked token is detected', TEST_TIMEOUT, async () => {
    assert.ok(gh.requests.some((r) => r.authScheme === 'token'), 'authenticated requests were recorded');
    const logged = JSON.stringify(gh.requests) + logLines.join('\n');
    for (const t of [RW, RO, ADMIN]) assert.equal(logged.includes(t), false);
    assert.deepEqual(gh.findLeaks(logged), []);
    assert.ok(gh.requests.every((r) => !('authorization' in r.headers)));

    // Negative control: a body carrying the token is a leak the check must flag.
    await runClient(
      'octokit.ts',
      { token: RW, ops: [{ op: 'rest', method: 'issues.createComment', params: { owner: OWNER, repo: NAME, issue_number: 7, body: `oops ${RO}` } }] },
      octokitEnv(gh),
    );
    assert.equal(gh.findLeaks(JSON.stringify(gh.requests)).length, 1);
    assert.equal(gh.findLeaks(JSON.stringify(gh.state.comments)).length, 1);
    assert.deepEqual(gh.findLeaks(`::add-mask::${RW}\nPR comment created\n`), [], 'add-mask commands are not logged by the runner');
    assert.equal(gh.findLeaks(`::debug::token=${RW}\n`).length, 1);
    assert.throws(() => gh.assertNoLeaks('comments', JSON.stringify(gh.state.comments)), (e: unknown) => {
      assert.ok(e instanceof TokenLeakError);
      assert.equal(e.message.includes(RO), false, 'the error message masks the token');
      return true;
    });
  });
});

/** Deterministic incompressible bytes (xorshift32), so the zip stays above 8 MiB. */
function pseudoRandom(bytes: number, seed: number): Buffer {
  const buf = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= bytes; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf.writeUInt32LE(x, i);
  }
  return buf;
}

describe('fake artifact service with the real @actions/artifact', () => {
  let gh: FakeGitHub;
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    gh = await startFakeGitHub({ repo: REPO, tokens: { [RW]: 'write', [RO]: 'read' } });
    dir = await mkdtemp(join(tmpdir(), 'fake-gh-artifacts-'));
  });
  after(async () => {
    await gh?.close();
    for (const c of cleanups) await c();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function job(run: ReturnType<FakeGitHub['createRun']>, name: string): Promise<{ env: Record<string, string>; workspace: string; jobBackendId: string }> {
    const workspace = join(dir, name);
    await mkdir(workspace, { recursive: true });
    const r = await buildRunnerEnv({ gh, workspace, run, job: name, event: {} });
    cleanups.push(r.cleanup);
    return { env: r.processEnv(), workspace, jobBackendId: r.jobBackendId };
  }

  test('upload > 8 MiB in blocks, download byte-identical from another job of the run, findBy from another run', TEST_TIMEOUT, async () => {
    const run1 = gh.createRun({ headSha: 'a'.repeat(40), headBranch: 'feature' });
    const check = await job(run1, 'check');
    const big = pseudoRandom(20 * 1024 * 1024 + 123, 42);
    const small = Buffer.from('{"schemaVersion":1}\n');
    await mkdir(join(check.workspace, 'ref', 'tensors'), { recursive: true });
    await writeFile(join(check.workspace, 'ref', 'tensors', 'big.bin'), big);
    await writeFile(join(check.workspace, 'ref', 'manifest.json'), small);
    const files = [join(check.workspace, 'ref', 'tensors', 'big.bin'), join(check.workspace, 'ref', 'manifest.json')];

    const [uploaded, duplicate] = (await runClient(
      'artifact.ts',
      {
        ops: [
          { op: 'upload', name: 'edgegate-ref-1a2b3c', files, root: join(check.workspace, 'ref'), options: { retentionDays: 1 } },
          { op: 'upload', name: 'edgegate-ref-1a2b3c', files, root: join(check.workspace, 'ref') },
        ],
      },
      check.env,
    )) as { id: number; size: number; digest: string; error?: { message: string } }[];
    assert.equal(uploaded.error, undefined, JSON.stringify(uploaded));
    assert.ok(uploaded.id > 0);
    assert.match(String(duplicate.error?.message), /409.*already exists/);

    const blocks = gh.requestsTo('PUT {blob}?comp=block');
    assert.ok(blocks.length >= 3, `expected several 8 MiB blocks, got ${blocks.length}`);
    assert.ok(blocks.every((b) => b.bodyBytes <= 8 * 1024 * 1024 && b.status === 201));
    assert.equal(gh.requestsTo('PUT {blob}?comp=blocklist').length, 1);
    const stored = gh.state.artifacts.find((a) => a.id === uploaded.id)!;
    assert.equal(stored.state, 'finalized');
    assert.equal(stored.size, uploaded.size);
    assert.equal(stored.digest, `sha256:${uploaded.digest}`);
    assert.equal(stored.runId, run1.id);
    assert.ok(Date.parse(stored.expiresAt) - Date.now() < 2 * 86400_000, 'retention-days 1 reached the service');

    // A later job of the same run (different job backend id) lists and downloads it.
    const parity = await job(run1, 'parity');
    assert.notEqual(parity.jobBackendId, check.jobBackendId);
    const out = join(parity.workspace, 'download');
    const [list, got, downloaded] = (await runClient(
      'artifact.ts',
      { ops: [{ op: 'list' }, { op: 'get', name: 'edgegate-ref-1a2b3c' }, { op: 'download', id: uploaded.id, options: { path: out } }] },
      parity.env,
    )) as { artifacts?: { id: number; name: string; size: number }[]; artifact?: { id: number }; error?: unknown }[];
    assert.deepEqual(list.artifacts?.map((a) => [a.id, a.name, a.size]), [[uploaded.id, 'edgegate-ref-1a2b3c', uploaded.size]]);
    assert.equal(got.artifact?.id, uploaded.id);
    assert.equal(downloaded.error, undefined, JSON.stringify(downloaded));
    assert.ok((await readFile(join(out, 'tensors', 'big.bin'))).equals(big), 'big file byte-identical');
    assert.ok((await readFile(join(out, 'manifest.json'))).equals(small));
    const blobGet = gh.requestsTo('GET {blob}').at(-1)!;
    assert.equal(blobGet.status, 200);
    assert.match(blobGet.path, /sig=REDACTED/);

    // Another run: its own list is empty; findBy reaches run 1 through the REST API (302 + Location).
    const run2 = gh.createRun();
    const report = await job(run2, 'report');
    const findBy = { token: RW, workflowRunId: run1.id, repositoryOwner: OWNER, repositoryName: NAME };
    const out2 = join(report.workspace, 'from-run-1');
    const [own, listed, fetched, viaFindBy] = (await runClient(
      'artifact.ts',
      {
        ops: [
          { op: 'list' },
          { op: 'list', options: { findBy } },
          { op: 'get', name: 'edgegate-ref-1a2b3c', options: { findBy } },
          { op: 'download', id: uploaded.id, options: { path: out2, findBy } },
        ],
      },
      report.env,
    )) as { artifacts?: { id: number; name: string; size: number; digest?: string }[]; artifact?: { id: number }; error?: unknown }[];
    assert.deepEqual(own.artifacts, []);
    assert.deepEqual(listed.artifacts?.map((a) => [a.id, a.name, a.size, a.digest]), [[uploaded.id, 'edgegate-ref-1a2b3c', uploaded.size, `sha256:${uploaded.digest}`]]);
    assert.equal(fetched.artifact?.id, uploaded.id);
    assert.equal(viaFindBy.error, undefined, JSON.stringify(viaFindBy));
    assert.ok((await readFile(join(out2, 'tensors', 'big.bin'))).equals(big));
    const zip = gh.requestsTo('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}');
    assert.deepEqual(zip.map((r) => r.status), [302]);

    assert.deepEqual(gh.findLeaks(JSON.stringify(gh.requests)), []);
  });

  test('skipArchive raw file keeps its name and bytes; delete removes it', TEST_TIMEOUT, async () => {
    const run = gh.createRun();
    const parity = await job(run, 'parity-rpi4');
    const result = Buffer.from(JSON.stringify({ schemaVersion: 1, verdict: 'pass' }));
    await writeFile(join(parity.workspace, 'result.json'), result);
    const report = await job(run, 'report');
    const [up] = (await runClient(
      'artifact.ts',
      { ops: [{ op: 'upload', name: 'ignored', files: [join(parity.workspace, 'result.json')], root: parity.workspace, options: { skipArchive: true } }] },
      parity.env,
    )) as { id: number; error?: unknown }[];
    assert.equal(up.error, undefined, JSON.stringify(up));
    const out = join(report.workspace, 'results');
    const [dl, del, after] = (await runClient(
      'artifact.ts',
      { ops: [{ op: 'download', id: up.id, options: { path: out } }, { op: 'delete', name: 'result.json' }, { op: 'list' }] },
      report.env,
    )) as { error?: unknown; id?: number; artifacts?: unknown[] }[];
    assert.equal(dl.error, undefined, JSON.stringify(dl));
    assert.ok((await readFile(join(out, 'result.json'))).equals(result));
    assert.equal(del.id, up.id);
    assert.deepEqual(after.artifacts, []);
  });

  test('blob content follows the committed block list, not arrival order; Put Blob works too', TEST_TIMEOUT, async () => {
    const run = gh.createRun();
    const auth = { authorization: `Bearer ${gh.runtimeToken(run, 'job-x')}`, 'content-type': 'application/json' };
    const ids = { workflow_run_backend_id: run.backendId, workflow_job_run_backend_id: 'job-x' };
    const twirp = async (method: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> => {
      const r = await fetch(`${gh.resultsUrl}twirp/github.actions.results.api.v1.ArtifactService/${method}`, { method: 'POST', headers: auth, body: JSON.stringify({ ...ids, ...body }) });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

    const created = await twirp('CreateArtifact', { name: 'blocks', version: 7, mime_type: 'application/zip' });
    assert.equal(created.status, 200);
    const upload = String(created.json.signed_upload_url);
    const put = (query: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${upload}&${query}`, { method: 'PUT', body, headers });
    const idA = encodeURIComponent(Buffer.from('block-A+/').toString('base64'));
    const idB = encodeURIComponent(Buffer.from('block-B+/').toString('base64'));
    const idC = encodeURIComponent(Buffer.from('block-C+/').toString('base64'));
    assert.equal((await put(`comp=block&blockid=${idB}`, 'BBB')).status, 201);
    assert.equal((await put(`comp=block&blockid=${idC}`, 'CCC')).status, 201);
    assert.equal((await put(`comp=block&blockid=${idA}`, 'AAA')).status, 201);
    const list = (names: string[]): string =>
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList>${names.map((n) => `<Latest>${Buffer.from(n).toString('base64')}</Latest>`).join('')}</BlockList>`;
    const missing = await put('comp=blocklist', list(['block-A+/', 'block-Z+/']));
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('x-ms-error-code'), 'InvalidBlockList');
    assert.equal((await put('comp=blocklist', list(['block-A+/', 'block-B+/']), { 'x-ms-blob-content-type': 'application/zip' })).status, 201);
    const expected = Buffer.from('AAABBB');
    const wrongSize = await twirp('FinalizeArtifact', { name: 'blocks', size: '9', hash: sha(expected) });
    assert.equal(wrongSize.status, 400);
    const fin = await twirp('FinalizeArtifact', { name: 'blocks', size: '6', hash: sha(expected) });
    assert.deepEqual(fin, { status: 200, json: { ok: true, artifact_id: fin.json.artifact_id } });
    assert.ok(gh.artifactContent(Number(fin.json.artifact_id))?.equals(expected), 'assembled A then B, C dropped');
    assert.equal((await put(`comp=block&blockid=${idA}`, 'late')).status, 409, 'finalized artifacts are immutable');

    const single = await twirp('CreateArtifact', { name: 'single', version: 7 });
    const putBlob = await fetch(String(single.json.signed_upload_url), { method: 'PUT', body: 'whole', headers: { 'x-ms-blob-type': 'BlockBlob' } });
    assert.equal(putBlob.status, 201);
    const fin2 = await twirp('FinalizeArtifact', { name: 'single', size: '5' });
    assert.equal(fin2.status, 200);
    assert.equal(gh.artifactContent(Number(fin2.json.artifact_id))?.toString(), 'whole');
    const notUploaded = await twirp('CreateArtifact', { name: 'empty', version: 7 });
    assert.equal(notUploaded.status, 200);
    assert.equal((await twirp('FinalizeArtifact', { name: 'empty', size: '0' })).status, 412);
  });

  test('Twirp checks the runtime token; blobs check the SAS signature', TEST_TIMEOUT, async () => {
    const runA = gh.createRun();
    const runB = gh.createRun();
    const url = `${gh.resultsUrl}twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`;
    const body = JSON.stringify({ workflow_run_backend_id: runA.backendId, workflow_job_run_backend_id: 'job-1' });
    const post = (auth?: string): Promise<Response> =>
      fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });

    const none = await post();
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'unauthenticated');
    const otherRun = await post(`Bearer ${gh.runtimeToken(runB, 'job-1')}`);
    assert.equal(otherRun.status, 403);
    assert.equal(((await otherRun.json()) as { code: string }).code, 'permission_denied');
    const okRes = await post(`Bearer ${gh.runtimeToken(runA, 'job-1')}`);
    assert.equal(okRes.status, 200);
    assert.deepEqual(await okRes.json(), { artifacts: [] });
    const garbage = await post('Bearer not-a-jwt');
    assert.equal(garbage.status, 401);

    const finalized = gh.state.artifacts.find((a) => a.state === 'finalized')!;
    const forged = await fetch(`${gh.url}${finalized.blobPath}?sv=2021-12-02&se=2099-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=deadbeef`);
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('x-ms-error-code'), 'AuthenticationFailed');
    assert.match(await forged.text(), /<Code>AuthenticationFailed<\/Code>/);
  });
});

describe('runner environment helpers', () => {
  test('runtime token round-trips through the toolkit\'s scope format', () => {
    const t = makeRuntimeToken('run-uuid', 'job-uuid');
    assert.deepEqual(
      (({ runBackendId, jobBackendId }) => ({ runBackendId, jobBackendId }))(decodeRuntimeToken(t)),
      { runBackendId: 'run-uuid', jobBackendId: 'job-uuid' },
    );
    const noScope = `${Buffer.from('{}').toString('base64url')}.${Buffer.from('{"scp":"Actions.Other"}').toString('base64url')}.`;
    assert.throws(() => decodeRuntimeToken(noScope), RuntimeTokenError);
    assert.throws(() => decodeRuntimeToken('abc'), RuntimeTokenError);
  });

  const cases: { name: string; text: string; want?: Record<string, string>; error?: boolean }[] = [
    { name: 'heredoc', text: 'report<<ghadelimiter_1\n/tmp/r.json\nghadelimiter_1\n', want: { report: '/tmp/r.json' } },
    { name: 'multi-line heredoc', text: 'summary<<EOF\nline 1\n\nline 3\nEOF\n', want: { summary: 'line 1\n\nline 3' } },
    { name: 'key=value with = in value', text: 'matrix={"a":"b=c"}\n', want: { matrix: '{"a":"b=c"}' } },
    { name: 'CRLF and later value wins', text: 'v=1\r\nv<<X\r\n2\r\nX\r\n', want: { v: '2' } },
    { name: 'empty heredoc value', text: 'x<<D\nD\n', want: { x: '' } },
    { name: 'unterminated heredoc', text: 'x<<D\nvalue\n', error: true },
    { name: 'line with neither form', text: 'garbage\n', error: true },
  ];
  for (const c of cases) {
    test(`parseFileCommands: ${c.name}`, () => {
      if (c.error) assert.throws(() => parseFileCommands(c.text, 'out.txt'), FileCommandParseError);
      else assert.deepEqual(parseFileCommands(c.text), c.want);
    });
  }

  test('buildRunnerEnv: files exist, inputs named like the runner, real @actions/core output parses back', TEST_TIMEOUT, async () => {
    const gh = await startFakeGitHub({ repo: REPO, tokens: { [RW]: 'write' } });
    const workspace = await mkdtemp(join(tmpdir(), 'fake-gh-ws-'));
    try {
      const r = await buildRunnerEnv({ gh, workspace, inputs: { 'github-token': RW, 'fail on': 'regression' }, event: { pull_request: { number: 7 } } });
      assert.equal(r.env['INPUT_GITHUB-TOKEN'], RW);
      assert.equal(r.env.INPUT_FAIL_ON, 'regression');
      assert.equal(r.env.GITHUB_SERVER_URL, 'https://github.com');
      assert.equal(r.env.GITHUB_API_URL, gh.url);
      assert.equal(r.env.GITHUB_REF, 'refs/pull/7/merge');
      assert.equal(decodeRuntimeToken(r.env.ACTIONS_RUNTIME_TOKEN).runBackendId, r.run.backendId);
      for (const f of [r.files.event, r.files.output, r.files.summary, r.files.state, r.files.env, r.files.path]) await readFile(f);
      const inherited = childEnv({}, { PATH: '/bin', GITHUB_TOKEN: 'host-secret', ACTIONS_RUNTIME_TOKEN: 'x', INPUT_MODE: 'y' });
      assert.deepEqual(inherited, { PATH: '/bin', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });

      const script =
        "import * as core from '@actions/core';" +
        "core.setOutput('verdict', 'pass'); core.setOutput('summary', 'a\\nb<<c\\n'); core.saveState('s', '1');" +
        "await core.summary.addHeading('EdgeGate').write();";
      await new Promise<void>((ok, fail) =>
        execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: r.processEnv(), timeout: 60_000 }, (e) => (e ? fail(e) : ok())),
      );
      assert.deepEqual(r.outputs(), { verdict: 'pass', summary: 'a\nb<<c\n' });
      assert.deepEqual(r.state(), { s: '1' });
      assert.match(r.summary(), /<h1>EdgeGate<\/h1>/);
      await r.cleanup();
    } finally {
      await gh.close();
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
