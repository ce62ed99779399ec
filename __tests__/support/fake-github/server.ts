/**
 * A loopback fake of GitHub's REST API, the Actions results service (Twirp) and the Azure blob
 * endpoint behind artifact uploads, for e2e tests that run the real `@actions/github` and
 * `@actions/artifact` clients (and the bundled action) against it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  azureCodeFor,
  azureError,
  badCredentials,
  notAccessibleByIntegration,
  notFound,
  primaryRateLimit,
  requiresAuthentication,
  secondaryRateLimit,
  serverErrorBody,
  twirpCodeFor,
  twirpError,
} from './bodies.js';
import { REST_ROUTES, commentJson, pullJson, pullRequestEventJson } from './rest.js';
import { BLOB_PREFIX, BLOB_ROUTE_KEYS, TWIRP_ROUTES, handleBlob } from './artifacts.js';
import { decodeRuntimeToken, makeRuntimeToken, RuntimeTokenError, type RuntimeTokenClaims } from './runner-env.js';
import type {
  Access,
  FakeArtifact,
  FakeComment,
  FakeGitHubOptions,
  FakeLabel,
  FakeRun,
  FakeState,
  FakeUser,
  Fault,
  RecordedRequest,
  SeedComment,
  SeedPull,
  SeedRunner,
  TokenSpec,
  UserType,
} from './types.js';

/** The user `GITHUB_TOKEN` acts as. */
export const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

/** A REST token after defaults are applied. */
export interface ResolvedToken {
  readonly access: Access;
  readonly user: FakeUser;
}

/** A parsed request handed to route handlers. */
export interface Ctx {
  readonly method: string;
  /** Path after `/repositories/{id}` was rewritten to `/repos/{owner}/{repo}`. */
  readonly path: string;
  /** Query parameters, percent-decoded without turning `+` into a space (Azure block ids contain `+`). */
  readonly query: ReadonlyMap<string, string>;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** Parsed JSON body, undefined when empty. */
  readonly json: unknown;
  readonly token: ResolvedToken | null;
  readonly runtime: RuntimeTokenClaims | null;
}

/** What a handler answers. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly body?: Buffer | string;
}

/** A route of the REST or Twirp table. */
export interface RouteDef {
  /** `METHOD /template`, e.g. `GET /repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  readonly key: string;
  readonly area: 'rest' | 'twirp';
  /** Access a REST token needs; reads need `read`. */
  readonly need?: Access;
  /** `documentation_url` GitHub puts in this route's error bodies. */
  readonly doc?: string;
  handle(ctx: Ctx, host: FakeHost): Reply | Promise<Reply>;
}

/** Internals handlers use. Not part of the test-facing API. */
export interface FakeHost {
  readonly state: FakeState;
  readonly origin: string;
  readonly owner: string;
  readonly repoName: string;
  readonly repoId: number;
  /** ISO timestamp (second resolution), strictly increasing across calls. */
  stamp(): string;
  nextId(kind: 'comment' | 'label' | 'artifact' | 'runner' | 'run' | 'pull'): number;
  /** Registers a run seen for the first time through a runtime token. */
  runForBackendId(backendId: string): FakeRun;
  /** A signed blob URL for reading (`r`) or writing (`cw`). */
  signBlobUrl(artifact: FakeArtifact, mode: 'r' | 'cw', lifetimeSeconds: number): string;
  /** Checks a blob request's SAS parameters. */
  checkSas(artifact: FakeArtifact, query: ReadonlyMap<string, string>, write: boolean): boolean;
}

/** Every route key the fake knows, for {@link FakeGitHub.injectFaults}. */
export const ROUTES: readonly string[] = [
  ...REST_ROUTES.map((r) => r.key),
  ...TWIRP_ROUTES.map((r) => r.key),
  ...BLOB_ROUTE_KEYS,
];

/** Thrown for a fault aimed at an unknown route, or a malformed fault. */
export class FaultSpecError extends Error {
  readonly route: string;
  constructor(route: string, message: string) {
    super(`${route}: ${message}`);
    this.name = 'FaultSpecError';
    this.route = route;
  }
}

/** Thrown by {@link FakeGitHub.assertNoLeaks} when a known token occurs in checked text. */
export class TokenLeakError extends Error {
  /** Where the leak was found, as the caller labelled it. */
  readonly where: string;
  /** Masked secrets found (first 4 characters and length only). */
  readonly leaks: readonly string[];
  constructor(where: string, leaks: readonly string[]) {
    super(`token leaked into ${where}: ${leaks.join(', ')}`);
    this.name = 'TokenLeakError';
    this.where = where;
    this.leaks = leaks;
  }
}

/** Ready-made faults with GitHub's real headers and bodies. */
export const faults = {
  /** A 5xx (default 502) with the area's usual body. */
  serverError: (status = 502): Fault => ({ status }),
  /** GitHub's secondary rate limit: 403 + `Retry-After`. */
  retryAfter: (seconds = 1): Fault => ({
    status: 403,
    headers: { 'retry-after': String(seconds) },
    body: secondaryRateLimit(),
  }),
  /** GitHub's primary rate limit: 403 + `x-ratelimit-remaining: 0` + `x-ratelimit-reset`. */
  rateLimited: (resetEpochSeconds = Math.floor(Date.now() / 1000) + 1): Fault => ({
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(resetEpochSeconds),
      'x-ratelimit-resource': 'core',
    },
    body: primaryRateLimit(),
  }),
  /** The connection drops without a response. */
  reset: (): Fault => ({ reset: true }),
  /** `n` copies of `fault`, e.g. `faults.times(3, faults.serverError(503))`. */
  times: (n: number, fault: Fault): Fault[] => Array.from({ length: n }, () => fault),
} as const;

/** The test-facing handle of a running fake. */
export interface FakeGitHub {
  /** REST base URL for `GITHUB_API_URL`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `ACTIONS_RESULTS_URL` (same server; the client uses only the origin). */
  readonly resultsUrl: string;
  readonly owner: string;
  readonly repoName: string;
  readonly repoId: number;
  /** Live mutable state. */
  readonly state: FakeState;
  /** Every request so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests that matched `route` (a key of {@link ROUTES}). */
  requestsTo(route: string): RecordedRequest[];
  /** Comments on one issue/PR, oldest first. */
  commentsOn(issue: number): FakeComment[];
  /** The API JSON GitHub would return for a comment. */
  commentJson(comment: FakeComment): Record<string, unknown>;
  /** The API JSON of a pull request (also what a `pull_request` event carries). */
  pullJson(number: number): Record<string, unknown>;
  /** A `pull_request` event payload for a seeded PR. */
  pullRequestEvent(number: number, action?: string): Record<string, unknown>;
  /** Adds a comment as if someone posted it. */
  addComment(issue: number, body: string, user?: { login: string; type?: UserType }): FakeComment;
  /** Replaces the labels of an issue/PR. */
  setLabels(issue: number, names: readonly string[]): void;
  /** Replaces the runner list. */
  setRunners(runners: readonly SeedRunner[]): void;
  /** Queues faults for the next requests to `route`, one fault per request, in order. */
  injectFaults(route: string, list: readonly Fault[]): void;
  /** Faults still queued for `route`. */
  pendingFaults(route: string): number;
  /** A new workflow run (REST id + backend id). */
  createRun(options?: { id?: number; headSha?: string; headBranch?: string }): FakeRun;
  /** A runtime token for a job of `run`, remembered as a secret for {@link FakeGitHub.findLeaks}. */
  runtimeToken(run: FakeRun, jobBackendId: string): string;
  /** Finalized artifact content (the uploaded zip or raw file), or null. */
  artifactContent(id: number): Buffer | null;
  /**
   * Names (masked) of known secrets — configured REST tokens, runtime tokens issued, and any
   * credential a request presented — that occur in `text`. `::add-mask::` command lines are
   * ignored, as the runner does not log them.
   * An empty list means no leak.
   */
  findLeaks(text: string): string[];
  /**
   * Throws {@link TokenLeakError} when any known secret occurs in `text` (e.g. the action's
   * stdout, the step summary, a posted comment). `where` names the text in the message.
   */
  assertNoLeaks(where: string, text: string): void;
  /** Stops the server, dropping open keep-alive connections. */
  close(): Promise<void>;
}

const mask = (s: string): string => `${s.slice(0, 4)}…(${s.length} chars)`;

function parseQuery(search: string): Map<string, string> {
  const out = new Map<string, string>();
  const raw = search.startsWith('?') ? search.slice(1) : search;
  if (!raw) return out;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      out.set(decodeURIComponent(k), decodeURIComponent(v));
    } catch {
      out.set(k, v);
    }
  }
  return out;
}

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i];
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!p[i]) return null;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(p[i]);
      } catch {
        return null;
      }
    } else if (seg !== p[i]) return null;
  }
  return params;
}

function resolveToken(spec: TokenSpec): ResolvedToken {
  if (typeof spec === 'string') return { access: spec, user: ACTIONS_BOT };
  const login = spec.login ?? ACTIONS_BOT.login;
  const type = spec.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User');
  return { access: spec.access, user: userFor(login, type) };
}

const ACCESS_RANK: Record<Access, number> = { read: 1, write: 2, admin: 3 };

function userFor(login: string, type?: UserType): FakeUser {
  if (login === ACTIONS_BOT.login) return ACTIONS_BOT;
  const id = 10_000 + [...login].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  return { login, id, type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
}

class FakeGitHubServer implements FakeGitHub, FakeHost {
  readonly state: FakeState = {
    comments: [],
    pulls: new Map(),
    issues: new Set(),
    labels: new Map(),
    runners: [],
    runs: new Map(),
    artifacts: [],
  };
  readonly requests: RecordedRequest[] = [];
  readonly owner: string;
  readonly repoName: string;
  readonly repoId: number;
  origin = '';
  private readonly server: http.Server;
  private readonly tokens = new Map<string, ResolvedToken>();
  private readonly seenSecrets = new Set<string>();
  private readonly faultQueues = new Map<string, Fault[]>();
  private readonly ids = new Map<string, number>();
  private readonly readSigs = new Map<number, Map<string, number>>();
  private clock = Math.floor(Date.now() / 1000) - 3600;
  private seq = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly options: FakeGitHubOptions) {
    const [owner, name, extra] = options.repo.split('/');
    if (!owner || !name || extra !== undefined) throw new TypeError(`repo must be "owner/name", got ${JSON.stringify(options.repo)}`);
    this.owner = owner;
    this.repoName = name;
    this.repoId = options.repoId ?? 700000001;
    this.log = options.log ?? (() => {});
    for (const [token, spec] of Object.entries(options.tokens)) {
      if (!token) throw new TypeError('tokens: empty token string');
      this.tokens.set(token, resolveToken(spec));
    }
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        // A handler bug must surface as a 500 the test can see, not a hung socket.
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ message: `fake-github internal error: ${String(error)}` }));
        } else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 1000;
  }

  get url(): string {
    return this.origin;
  }

  get resultsUrl(): string {
    return `${this.origin}/`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- seeding and helpers -------------------------------------------------------------------

  seed(): void {
    const o = this.options;
    for (const issue of o.issues ?? []) {
      this.state.issues.add(issue.number);
      if (issue.labels) this.setLabels(issue.number, issue.labels);
    }
    for (const pull of o.pulls ?? []) this.addPull(pull);
    for (const c of o.comments ?? []) this.seedComment(c);
    if (o.runners) this.setRunners(o.runners);
  }

  private addPull(p: SeedPull): void {
    if (this.state.pulls.has(p.number)) throw new TypeError(`pull #${p.number} seeded twice`);
    const ts = this.stamp();
    this.state.pulls.set(p.number, {
      number: p.number,
      id: this.nextId('pull'),
      title: p.title ?? `PR #${p.number}`,
      body: p.body ?? '',
      state: 'open',
      draft: p.draft ?? false,
      author: userFor(p.author ?? 'octocat'),
      headSha: p.headSha,
      headRef: p.headRef ?? `feature-${p.number}`,
      baseSha: p.baseSha,
      baseRef: p.baseRef ?? 'main',
      fork: p.fork ?? false,
      forkOwner: p.forkOwner ?? 'contributor',
      files: [...(p.files ?? [])],
      created_at: ts,
      updated_at: ts,
    });
    this.state.issues.add(p.number);
    if (p.labels) this.setLabels(p.number, p.labels);
  }

  private seedComment(c: SeedComment): FakeComment {
    const user = userFor(c.user?.login ?? 'someone-else', c.user?.type);
    const ts = c.createdAt ?? this.stamp();
    return this.insertComment(c.issue, c.body, user, ts);
  }

  insertComment(issue: number, body: string, user: FakeUser, ts: string = this.stamp()): FakeComment {
    const id = this.nextId('comment');
    const comment: FakeComment = {
      id,
      node_id: `IC_kwDOFake${id.toString(36)}`,
      issue_number: issue,
      body,
      user,
      created_at: ts,
      updated_at: ts,
    };
    this.state.issues.add(issue);
    this.state.comments.push(comment);
    return comment;
  }

  commentJson(comment: FakeComment): Record<string, unknown> {
    return commentJson(this, comment);
  }

  pullJson(number: number): Record<string, unknown> {
    const p = this.state.pulls.get(number);
    if (!p) throw new RangeError(`no pull #${number} is seeded`);
    return pullJson(this, p);
  }

  pullRequestEvent(number: number, action = 'synchronize'): Record<string, unknown> {
    const p = this.state.pulls.get(number);
    if (!p) throw new RangeError(`no pull #${number} is seeded`);
    return pullRequestEventJson(this, p, action);
  }

  addComment(issue: number, body: string, user?: { login: string; type?: UserType }): FakeComment {
    return this.insertComment(issue, body, userFor(user?.login ?? 'someone-else', user?.type));
  }

  commentsOn(issue: number): FakeComment[] {
    return this.state.comments.filter((c) => c.issue_number === issue);
  }

  setLabels(issue: number, names: readonly string[]): void {
    this.state.issues.add(issue);
    const labels: FakeLabel[] = names.map((name) => {
      const id = this.nextId('label');
      return { id, node_id: `LA_kwDOFake${id.toString(36)}`, name, color: 'ededed', description: null, default: false };
    });
    this.state.labels.set(issue, labels);
  }

  setRunners(runners: readonly SeedRunner[]): void {
    this.state.runners.splice(0, this.state.runners.length);
    for (const r of runners) {
      this.state.runners.push({
        id: this.nextId('runner'),
        name: r.name,
        os: r.os ?? 'Linux',
        status: r.status ?? 'online',
        busy: r.busy ?? false,
        labels: [...r.labels],
      });
    }
  }

  createRun(options: { id?: number; headSha?: string; headBranch?: string } = {}): FakeRun {
    const id = options.id ?? this.nextId('run');
    if (this.state.runs.has(id)) throw new TypeError(`run ${id} already exists`);
    const run: FakeRun = {
      id,
      backendId: randomUUID(),
      headSha: options.headSha ?? '0'.repeat(40),
      headBranch: options.headBranch ?? 'main',
    };
    this.state.runs.set(id, run);
    return run;
  }

  runForBackendId(backendId: string): FakeRun {
    for (const run of this.state.runs.values()) if (run.backendId === backendId) return run;
    const run: FakeRun = { id: this.nextId('run'), backendId, headSha: '0'.repeat(40), headBranch: 'main' };
    this.state.runs.set(run.id, run);
    return run;
  }

  runtimeToken(run: FakeRun, jobBackendId: string): string {
    const token = makeRuntimeToken(run.backendId, jobBackendId);
    this.seenSecrets.add(token);
    return token;
  }

  artifactContent(id: number): Buffer | null {
    const a = this.state.artifacts.find((x) => x.id === id && x.state === 'finalized');
    return a?.content ?? null;
  }

  findLeaks(text: string): string[] {
    // The runner consumes `::add-mask::<secret>` lines (core.setSecret) instead of logging them.
    text = text.replace(/^::add-mask::.*$/gm, '');
    const found: string[] = [];
    for (const secret of new Set([...this.tokens.keys(), ...this.seenSecrets])) {
      if (secret.length >= 4 && text.includes(secret)) found.push(mask(secret));
    }
    return found;
  }

  assertNoLeaks(where: string, text: string): void {
    const leaks = this.findLeaks(text);
    if (leaks.length > 0) throw new TokenLeakError(where, leaks);
  }

  requestsTo(route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  injectFaults(route: string, list: readonly Fault[]): void {
    if (!ROUTES.includes(route)) throw new FaultSpecError(route, `unknown route; known: ${ROUTES.join(', ')}`);
    for (const f of list) {
      if (!f.reset && (typeof f.status !== 'number' || f.status < 100 || f.status > 599)) {
        throw new FaultSpecError(route, `fault needs a status 100-599 or reset: true, got ${JSON.stringify(f)}`);
      }
    }
    const q = this.faultQueues.get(route) ?? [];
    q.push(...list);
    this.faultQueues.set(route, q);
  }

  pendingFaults(route: string): number {
    return this.faultQueues.get(route)?.length ?? 0;
  }

  stamp(): string {
    this.clock = Math.max(this.clock + 1, Math.floor(Date.now() / 1000));
    return new Date(this.clock * 1000).toISOString().replace('.000Z', 'Z');
  }

  nextId(kind: 'comment' | 'label' | 'artifact' | 'runner' | 'run' | 'pull'): number {
    const base: Record<typeof kind, number> = {
      comment: 2_000_000_000,
      label: 5_000_000_000,
      artifact: 3_000_000_000,
      runner: 40,
      run: 9_000_000_000,
      pull: 1_800_000_000,
    };
    const next = (this.ids.get(kind) ?? base[kind]) + 1;
    this.ids.set(kind, next);
    return next;
  }

  signBlobUrl(artifact: FakeArtifact, mode: 'r' | 'cw', lifetimeSeconds: number): string {
    const expiry = Math.floor(Date.now() / 1000) + lifetimeSeconds;
    const se = new Date(expiry * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    let sig: string;
    if (mode === 'cw') sig = artifact.uploadSig;
    else {
      // Hex signatures: Azure SDKs are known to strip base64 '=' padding from `sig`.
      sig = randomBytes(24).toString('hex');
      const sigs = this.readSigs.get(artifact.id) ?? new Map<string, number>();
      sigs.set(sig, expiry);
      this.readSigs.set(artifact.id, sigs);
    }
    const q = `sv=2021-12-02&se=${encodeURIComponent(se)}&sr=b&sp=${mode}&sig=${sig}`;
    return `${this.origin}${artifact.blobPath}?${q}`;
  }

  checkSas(artifact: FakeArtifact, query: ReadonlyMap<string, string>, write: boolean): boolean {
    const sig = query.get('sig');
    const sp = query.get('sp') ?? '';
    const se = Date.parse(query.get('se') ?? '');
    if (!sig || Number.isNaN(se) || se < Date.now()) return false;
    if (write) return sp.includes('w') && sig === artifact.uploadSig;
    const expiry = this.readSigs.get(artifact.id)?.get(sig);
    return sp.includes('r') && expiry !== undefined && expiry * 1000 >= Date.now();
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const qIndex = rawUrl.indexOf('?');
    const receivedPath = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    let path = receivedPath;
    const search = qIndex < 0 ? '' : rawUrl.slice(qIndex);
    const query = parseQuery(search);

    // GitHub's Link headers use /repositories/{id}/…; serve them as /repos/{owner}/{repo}/….
    const repoIdPrefix = `/repositories/${this.repoId}/`;
    if (path.startsWith(repoIdPrefix)) path = `/repos/${this.owner}/${this.repoName}/${path.slice(repoIdPrefix.length)}`;

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === 'authorization' || k === 'proxy-authorization' || k === 'cookie') continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const authHeader = req.headers.authorization ?? '';
    const space = authHeader.indexOf(' ');
    const authScheme = authHeader ? (space < 0 ? 'unknown' : authHeader.slice(0, space).toLowerCase()) : 'none';
    const credential = space < 0 ? '' : authHeader.slice(space + 1).trim();
    // Unknown tokens are secrets too: the code under test must not print whatever it was given.
    if (credential.length >= 8) this.seenSecrets.add(credential);

    let area: 'rest' | 'twirp' | 'blob' = 'rest';
    let route: RouteDef | null = null;
    let routeKey: string | null = null;
    let params: Record<string, string> = {};
    if (path.startsWith(BLOB_PREFIX)) {
      area = 'blob';
      const comp = query.get('comp');
      if (method === 'PUT' && comp === 'block') routeKey = 'PUT {blob}?comp=block';
      else if (method === 'PUT' && comp === 'blocklist') routeKey = 'PUT {blob}?comp=blocklist';
      else if (method === 'PUT' && comp === undefined) routeKey = 'PUT {blob}';
      else if (method === 'GET' && comp === undefined) routeKey = 'GET {blob}';
    } else {
      if (path.startsWith('/twirp/')) area = 'twirp';
      for (const r of area === 'twirp' ? TWIRP_ROUTES : REST_ROUTES) {
        const space2 = r.key.indexOf(' ');
        if (r.key.slice(0, space2) !== method) continue;
        const m = matchTemplate(r.key.slice(space2 + 1), path);
        if (m) {
          route = r;
          routeKey = r.key;
          params = m;
          break;
        }
      }
    }

    let json: unknown;
    const contentType = String(req.headers['content-type'] ?? '');
    let jsonError = false;
    if (area !== 'blob' && rawBody.length > 0) {
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        jsonError = true;
      }
    }

    let access: Access | 'runtime' | null = null;
    const restToken = area === 'rest' && credential ? this.tokens.get(credential) ?? null : null;
    if (restToken) access = restToken.access;
    let runtime: RuntimeTokenClaims | null = null;
    let runtimeProblem: string | null = null;
    if (area === 'twirp') {
      if (authScheme !== 'bearer' || !credential) runtimeProblem = 'missing bearer runtime token';
      else {
        try {
          runtime = decodeRuntimeToken(credential);
          if (runtime.exp !== undefined && runtime.exp * 1000 < Date.now()) {
            runtime = null;
            runtimeProblem = 'runtime token expired';
          } else access = 'runtime';
        } catch (error) {
          runtimeProblem = error instanceof RuntimeTokenError ? error.message : 'invalid runtime token';
        }
      }
    }

    const entry: RecordedRequest = {
      seq: ++this.seq,
      method,
      path: `${receivedPath}${search.replace(/([?&]sig=)[^&]*/g, '$1REDACTED')}`,
      route: routeKey,
      headers,
      authScheme,
      access,
      body: area === 'blob' ? undefined : jsonError ? rawBody.toString('utf8') : json,
      bodyBytes: rawBody.length,
      status: 0,
      fault: false,
    };
    this.requests.push(entry);

    const send = (reply: Reply): void => {
      entry.status = reply.status;
      const h: Record<string, string> = { ...this.baseHeaders(area, restToken !== null), ...(reply.headers ?? {}) };
      let payload: Buffer | string = '';
      if (reply.json !== undefined) {
        payload = JSON.stringify(reply.json);
        h['content-type'] ??= 'application/json; charset=utf-8';
      } else if (reply.body !== undefined) payload = reply.body;
      h['content-length'] = String(Buffer.byteLength(payload));
      res.writeHead(reply.status, h);
      res.end(method === 'HEAD' ? undefined : payload);
      this.log(`${method} ${entry.path} -> ${reply.status}${entry.fault ? ' (fault)' : ''}`);
    };

    // Faults come first: a load balancer fails before auth is checked.
    if (routeKey) {
      const fault = this.faultQueues.get(routeKey)?.shift();
      if (fault) {
        entry.fault = true;
        if (fault.reset) {
          this.log(`${method} ${entry.path} -> reset (fault)`);
          req.socket.destroy();
          return;
        }
        send(this.faultReply(area, fault));
        return;
      }
    }

    if (area === 'blob') {
      if (!routeKey) return send({ status: 400, headers: { 'content-type': 'application/xml', 'x-ms-error-code': 'UnsupportedHttpVerb' }, body: azureError('UnsupportedHttpVerb', 'The resource doesn\'t support specified Http Verb.') });
      return send(await handleBlob(routeKey, { method, path, query, params: {}, headers: req.headers, rawBody, json: undefined, token: null, runtime: null }, this));
    }
    if (area === 'twirp') {
      if (!route) return send({ status: 404, json: twirpError('bad_route', `no handler for path "${path}"`) });
      if (!contentType.startsWith('application/json')) {
        return send({ status: 404, json: twirpError('bad_route', `unexpected Content-Type: "${contentType}"`) });
      }
      if (jsonError) return send({ status: 400, json: twirpError('malformed', 'failed to parse request json') });
      if (!runtime) return send({ status: 401, json: twirpError('unauthenticated', runtimeProblem ?? 'unauthenticated') });
      return send(await route.handle({ method, path, query, params, headers: req.headers, rawBody, json, token: null, runtime }, this));
    }

    if (!route) return send({ status: 404, json: notFound() });
    if (!credential) return send({ status: 401, json: requiresAuthentication() });
    if (!restToken) return send({ status: 401, json: badCredentials() });
    if (params.owner?.toLowerCase() !== this.owner.toLowerCase() || params.repo?.toLowerCase() !== this.repoName.toLowerCase()) {
      return send({ status: 404, json: notFound(route.doc) });
    }
    if (ACCESS_RANK[restToken.access] < ACCESS_RANK[route.need ?? 'read']) {
      return send({ status: 403, json: notAccessibleByIntegration(route.doc ?? 'https://docs.github.com/rest') });
    }
    if (jsonError) return send({ status: 400, json: { message: 'Problems parsing JSON', documentation_url: route.doc, status: '400' } });
    send(await route.handle({ method, path, query, params, headers: req.headers, rawBody, json, token: restToken, runtime: null }, this));
  }

  private rateLimitUsed = 0;

  private baseHeaders(area: 'rest' | 'twirp' | 'blob', authed: boolean): Record<string, string> {
    const requestId = `FAKE:${randomBytes(4).toString('hex').toUpperCase()}:${this.seq}`;
    if (area === 'blob') return { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2021-12-02', server: 'Windows-Azure-Blob/1.0' };
    if (area === 'twirp') return { 'x-github-request-id': requestId };
    const h: Record<string, string> = {
      'x-github-request-id': requestId,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
    };
    if (authed) {
      this.rateLimitUsed++;
      Object.assign(h, {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(0, 5000 - this.rateLimitUsed)),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-used': String(this.rateLimitUsed),
        'x-ratelimit-resource': 'core',
      });
    }
    return h;
  }

  private faultReply(area: 'rest' | 'twirp' | 'blob', fault: Fault): Reply {
    const status = fault.status ?? 500;
    const headers = { ...(fault.headers ?? {}) };
    if (typeof fault.body === 'string') return { status, headers, body: fault.body };
    if (fault.body) return { status, headers, json: fault.body };
    if (area === 'twirp') return { status, headers, json: twirpError(twirpCodeFor(status), `injected fault ${status}`) };
    if (area === 'blob') {
      const code = azureCodeFor(status);
      return { status, headers: { 'content-type': 'application/xml', 'x-ms-error-code': code, ...headers }, body: azureError(code, `Injected fault ${status}.`) };
    }
    return { status, headers, json: status >= 500 ? serverErrorBody(status) : { message: `injected fault ${status}`, status: String(status) } };
  }
}

/**
 * Starts a fake GitHub on 127.0.0.1 at a free port. Always `await gh.close()` (e.g. in `after`).
 * @throws TypeError for a malformed `repo`, an empty token or a PR seeded twice.
 */
export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const gh = new FakeGitHubServer(options);
  await gh.listen();
  gh.seed();
  return gh;
}

/** `count` comments by other users on `issue`, for pagination scenarios (e.g. 70 pushes yours to page 3). */
export function otherComments(issue: number, count: number, login = 'someone-else'): SeedComment[] {
  return Array.from({ length: count }, (_, i) => ({ issue, body: `Unrelated comment ${i + 1}`, user: { login } }));
}
