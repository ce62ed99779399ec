/**
 * Types shared by the fake GitHub server: options, seed data, mutable state, faults and the request log.
 * Everything here is test support; nothing in src/ may import it.
 */

/** Access level a REST token grants on the fake repo. `admin` adds what runner listing needs. */
export type Access = 'read' | 'write' | 'admin';

/** Account kinds GitHub reports in `user.type`. */
export type UserType = 'User' | 'Bot' | 'Organization';

/** A user as the fake stores it; rendered to GitHub's `simple-user` shape on the wire. */
export interface FakeUser {
  readonly login: string;
  readonly id: number;
  readonly type: UserType;
}

/**
 * How a REST token behaves. A bare access level means the token acts as `github-actions[bot]`
 * (id 41898282, type Bot), which is what `GITHUB_TOKEN` posts as.
 */
export type TokenSpec = Access | { readonly access: Access; readonly login?: string; readonly type?: UserType };

/** A comment to seed before the server starts. */
export interface SeedComment {
  readonly issue: number;
  readonly body: string;
  /** Default: `someone-else` (type User). */
  readonly user?: { readonly login: string; readonly type?: UserType };
  /** ISO timestamp; default: the fake's clock at seeding time. */
  readonly createdAt?: string;
}

/** A file of a pull request, as `GET /pulls/{n}/files` lists it. */
export interface SeedPullFile {
  readonly filename: string;
  /** Default `modified`. */
  readonly status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  readonly previousFilename?: string;
  readonly additions?: number;
  readonly deletions?: number;
  readonly patch?: string;
}

/** A pull request to seed. Its number is also an issue number (labels, comments). */
export interface SeedPull {
  readonly number: number;
  readonly title?: string;
  readonly body?: string;
  readonly headSha: string;
  readonly headRef?: string;
  readonly baseSha: string;
  readonly baseRef?: string;
  /** When true the head repo is `<forkOwner>/<repo name>` with `fork: true`. */
  readonly fork?: boolean;
  /** Default `contributor`. */
  readonly forkOwner?: string;
  /** Author login; default `octocat`. */
  readonly author?: string;
  readonly draft?: boolean;
  readonly labels?: readonly string[];
  /** Changed files. The API lists at most the first 3,000; `changed_files` counts all of them. */
  readonly files?: readonly SeedPullFile[];
}

/** A plain issue to seed (for labels or comments on a non-PR issue). */
export interface SeedIssue {
  readonly number: number;
  readonly title?: string;
  readonly labels?: readonly string[];
}

/** A self-hosted runner as `GET /actions/runners` lists it. */
export interface SeedRunner {
  readonly name: string;
  /** Default `Linux`. */
  readonly os?: string;
  /** Default `online`. */
  readonly status?: 'online' | 'offline';
  readonly busy?: boolean;
  /** Label names, e.g. `['self-hosted', 'linux', 'arm64', 'rpi4']`. */
  readonly labels: readonly string[];
}

/** A workflow run: the REST id and the backend id that runtime tokens and Twirp requests carry. */
export interface FakeRun {
  readonly id: number;
  readonly backendId: string;
  readonly headSha: string;
  readonly headBranch: string;
}

/** Options of {@link startFakeGitHub}. */
export interface FakeGitHubOptions {
  /** `owner/name` of the only repository the fake serves. Other repos answer 404. */
  readonly repo: string;
  /** Numeric repository id used in `Link` headers (`/repositories/{id}/…`). Default 700000001. */
  readonly repoId?: number;
  /** REST tokens the fake accepts, keyed by the token string. Any other token gets 401. */
  readonly tokens: Readonly<Record<string, TokenSpec>>;
  readonly comments?: readonly SeedComment[];
  readonly pulls?: readonly SeedPull[];
  readonly issues?: readonly SeedIssue[];
  readonly runners?: readonly SeedRunner[];
  /** Optional line logger (already scrubbed of tokens). Default: silent. */
  readonly log?: (line: string) => void;
}

/** A stored issue comment. `issue_number` is the fake's own bookkeeping, not a GitHub field. */
export interface FakeComment {
  readonly id: number;
  readonly node_id: string;
  readonly issue_number: number;
  body: string;
  readonly user: FakeUser;
  readonly created_at: string;
  updated_at: string;
}

/** A stored label. */
export interface FakeLabel {
  readonly id: number;
  readonly node_id: string;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
  readonly default: boolean;
}

/** A stored pull request. */
export interface FakePull {
  readonly number: number;
  readonly id: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  readonly author: FakeUser;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  fork: boolean;
  forkOwner: string;
  files: SeedPullFile[];
  readonly created_at: string;
  updated_at: string;
}

/** A stored runner. */
export interface FakeRunner {
  readonly id: number;
  name: string;
  os: string;
  status: 'online' | 'offline';
  busy: boolean;
  labels: string[];
}

/** A stored artifact (Actions results service + blob). */
export interface FakeArtifact {
  readonly id: number;
  readonly name: string;
  readonly runId: number;
  readonly runBackendId: string;
  readonly jobBackendId: string;
  state: 'pending' | 'finalized' | 'deleted';
  readonly createdAt: string;
  updatedAt: string;
  readonly expiresAt: string;
  readonly mimeType: string;
  /** Blob path on the fake server, e.g. `/fakeblob/actions-results/<run>/<id>`. */
  readonly blobPath: string;
  /** SAS `sig` for writes; reads use a fresh signature per signed URL. */
  readonly uploadSig: string;
  /** Staged (uncommitted) blocks by block id. */
  readonly blocks: Map<string, Buffer>;
  /** Content after Put Block List / Put Blob. */
  content: Buffer | null;
  contentType: string | null;
  /** Size and digest as finalized (`sha256:<hex>`). */
  size: number;
  digest: string | null;
}

/** The fake's mutable state. Tests may read it and change it between runs. */
export interface FakeState {
  /** Every issue comment on the repo, in creation order (deleted ones are removed). */
  readonly comments: FakeComment[];
  readonly pulls: Map<number, FakePull>;
  /** Issue numbers that exist (pull numbers included). */
  readonly issues: Set<number>;
  /** Labels per issue/PR number. */
  readonly labels: Map<number, FakeLabel[]>;
  readonly runners: FakeRunner[];
  /** Runs by REST id. */
  readonly runs: Map<number, FakeRun>;
  readonly artifacts: FakeArtifact[];
}

/**
 * One injected failure. Without `body`, the fake writes the body the area would really send
 * (GitHub JSON for REST, Twirp JSON for the results service, Azure XML for blobs).
 * `reset: true` destroys the socket without any response.
 */
export interface Fault {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Record<string, unknown>;
  readonly reset?: boolean;
}

/** What the fake records for every request. Authorization headers are never recorded. */
export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  /** Path and query as received, with SAS `sig` values replaced by `REDACTED`. */
  readonly path: string;
  /** Route key matched (see ROUTES), or null for unknown paths. */
  readonly route: string | null;
  /** Lower-cased request headers without `authorization` / `proxy-authorization` / `cookie`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Auth scheme seen (`token`, `bearer`, …) or `none`; never the credential. */
  readonly authScheme: string;
  /** Access of the REST token, `runtime` for a valid runtime token, null when unknown/absent. */
  readonly access: Access | 'runtime' | null;
  /** Parsed JSON body for REST/Twirp requests; undefined for blob data or empty bodies. */
  readonly body?: unknown;
  readonly bodyBytes: number;
  /** Response status (0 when the socket was reset). */
  status: number;
  /** True when an injected fault answered. */
  fault: boolean;
}
