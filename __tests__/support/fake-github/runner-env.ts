/**
 * What a GitHub runner gives a JavaScript action: runtime token, environment variables and the
 * file-command files. Used to run the real action (or the real toolkit clients) in a child process
 * against the fake server.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeRun } from './types.js';

/** Thrown when a runtime token is malformed or lacks the `Actions.Results` scope. */
export class RuntimeTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeTokenError';
  }
}

/** Thrown when a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file is malformed. */
export class FileCommandParseError extends Error {
  readonly file: string | undefined;
  readonly line: number;
  constructor(message: string, file: string | undefined, line: number) {
    super(`${file ?? '<file command>'}:${line}: ${message}`);
    this.name = 'FileCommandParseError';
    this.file = file;
    this.line = line;
  }
}

const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/**
 * An unsigned JWT shaped like the runner's `ACTIONS_RUNTIME_TOKEN`: `@actions/artifact` decodes it
 * without verification and reads `Actions.Results:<runBackendId>:<jobBackendId>` from `scp`.
 * @param expiresInSeconds - lifetime written to `exp`; default 6 hours like a real job token.
 */
export function makeRuntimeToken(runBackendId: string, jobBackendId: string, expiresInSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'none' };
  const payload = {
    // Real tokens carry other scopes around the results one; keep some so parsers must search.
    scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId} Actions.UploadArtifacts:${runBackendId}:${jobBackendId}`,
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:fake',
    nbf: now - 60,
    iat: now - 60,
    exp: now + expiresInSeconds,
    ac: '[]',
    jti: randomUUID(),
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.`;
}

/** Backend ids a runtime token grants. */
export interface RuntimeTokenClaims {
  readonly runBackendId: string;
  readonly jobBackendId: string;
  readonly exp: number | undefined;
}

/**
 * Reads the `Actions.Results` scope of a runtime token the way `@actions/artifact` does.
 * @throws RuntimeTokenError when the token is not a JWT or lacks a well-formed scope.
 */
export function decodeRuntimeToken(token: string): RuntimeTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new RuntimeTokenError('runtime token is not a JWT');
  let payload: { scp?: unknown; exp?: unknown };
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof payload;
  } catch (cause) {
    throw new RuntimeTokenError('runtime token payload is not JSON', { cause });
  }
  if (typeof payload.scp !== 'string') throw new RuntimeTokenError('runtime token has no scp claim');
  for (const scope of payload.scp.split(' ')) {
    const bits = scope.split(':');
    if (bits[0] !== 'Actions.Results') continue;
    if (bits.length !== 3 || !bits[1] || !bits[2]) throw new RuntimeTokenError('malformed Actions.Results scope');
    return { runBackendId: bits[1], jobBackendId: bits[2], exp: typeof payload.exp === 'number' ? payload.exp : undefined };
  }
  throw new RuntimeTokenError('runtime token has no Actions.Results scope');
}

/**
 * Parses a file-command file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE) as the runner does:
 * `name=value` lines and `name<<DELIMITER` heredocs. A later value for the same name wins.
 * @throws FileCommandParseError on an unterminated heredoc or a line with neither form.
 */
export function parseFileCommands(text: string, file?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  // The file ends with EOL, so the last split element is empty.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (!name) throw new FileCommandParseError('empty name', file, i + 1);
      out[name] = line.slice(eq + 1);
      continue;
    }
    if (heredoc < 0) throw new FileCommandParseError(`invalid line ${JSON.stringify(line.slice(0, 80))}`, file, i + 1);
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (!name || !delimiter) throw new FileCommandParseError('empty name or delimiter', file, i + 1);
    const start = i + 1;
    const value: string[] = [];
    i++;
    while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]);
    if (i >= lines.length) throw new FileCommandParseError(`heredoc ${delimiter} is not terminated`, file, start);
    out[name] = value.join('\n');
  }
  return out;
}

/** The environment variable a runner sets for an input: `INPUT_` + name upper-cased, spaces to `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Prefixes of variables a runner sets; {@link childEnv} removes inherited ones. */
const RUNNER_PREFIXES = ['GITHUB_', 'INPUT_', 'ACTIONS_', 'RUNNER_', 'STATE_'];

/**
 * `process.env` (or `base`) without any runner variables — so a test running inside a real
 * GitHub job never leaks the host job's token or results URL into the child — with loopback
 * added to `NO_PROXY`/`no_proxy`, merged with `env`.
 */
export function childEnv(env: Readonly<Record<string, string>>, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (RUNNER_PREFIXES.some((p) => k.toUpperCase().startsWith(p))) continue;
    if (k === 'CI' || k === 'NODE_OPTIONS') continue;
    out[k] = v;
  }
  // @actions/http-client skips proxies for loopback by itself; the Azure SDK only honours NO_PROXY.
  for (const k of ['NO_PROXY', 'no_proxy']) {
    const list = (out[k] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    for (const host of ['127.0.0.1', 'localhost']) if (!list.includes(host)) list.push(host);
    out[k] = list.join(',');
  }
  return { ...out, ...env };
}

/** The parts of the fake server the runner environment needs. */
export interface RunnerEnvHost {
  readonly url: string;
  readonly resultsUrl: string;
  readonly owner: string;
  readonly repoName: string;
  createRun(options?: { headSha?: string; headBranch?: string }): FakeRun;
  runtimeToken(run: FakeRun, jobBackendId: string): string;
}

/** Options of {@link buildRunnerEnv}. */
export interface RunnerEnvOptions {
  /** The fake server (URLs, runs, runtime tokens). */
  readonly gh: RunnerEnvHost;
  /** `GITHUB_WORKSPACE`: the checked-out repo. */
  readonly workspace: string;
  /** Action inputs by their action.yml names, e.g. `{ 'github-token': 'ghs_rw', mode: 'check' }`. */
  readonly inputs?: Readonly<Record<string, string>>;
  /** `GITHUB_EVENT_NAME`; default `pull_request`. */
  readonly eventName?: string;
  /** Event payload written to `GITHUB_EVENT_PATH`; default `{}`. */
  readonly event?: unknown;
  /** Workflow run; default a new run. Jobs of one workflow share it. */
  readonly run?: FakeRun;
  /** Job backend id; default a new UUID. */
  readonly jobBackendId?: string;
  /** `GITHUB_JOB`; default `check`. */
  readonly job?: string;
  /** `GITHUB_SHA`; default the run's head sha. */
  readonly sha?: string;
  /** `GITHUB_REF`; default `refs/pull/<n>/merge` for PR events with a number, else `refs/heads/main`. */
  readonly ref?: string;
  readonly actor?: string;
  /** `RUNNER_DEBUG=1`. */
  readonly debug?: boolean;
  /** `RUNNER_OS` / `RUNNER_ARCH`; default Linux / X64. */
  readonly runnerOs?: string;
  readonly runnerArch?: string;
  /** Extra variables, applied last. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Paths of the files {@link buildRunnerEnv} creates. */
export interface RunnerFiles {
  readonly dir: string;
  readonly event: string;
  readonly output: string;
  readonly summary: string;
  readonly state: string;
  readonly env: string;
  readonly path: string;
  readonly runnerTemp: string;
  readonly toolCache: string;
}

/** A job's environment on the fake. */
export interface RunnerEnv {
  /** Runner variables only; use {@link RunnerEnv.processEnv} to spawn. */
  readonly env: Readonly<Record<string, string>>;
  readonly files: RunnerFiles;
  readonly run: FakeRun;
  readonly jobBackendId: string;
  /** Runner-less process.env merged with {@link RunnerEnv.env} (see {@link childEnv}). */
  processEnv(base?: NodeJS.ProcessEnv): Record<string, string>;
  /** Parsed GITHUB_OUTPUT. */
  outputs(): Record<string, string>;
  /** Contents of GITHUB_STEP_SUMMARY. */
  summary(): string;
  /** Parsed GITHUB_STATE. */
  state(): Record<string, string>;
  /** Removes the temp folder (not the workspace). */
  cleanup(): Promise<void>;
}

/**
 * Builds the environment a runner gives one job step: `INPUT_*`, `GITHUB_*` (event, output,
 * summary, state, env and path files created empty), `RUNNER_TEMP`, `RUNNER_TOOL_CACHE`,
 * `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL`, `GITHUB_API_URL`. `GITHUB_SERVER_URL` is
 * `https://github.com`: any other host makes `@actions/artifact` throw GHESNotSupportedError.
 */
export async function buildRunnerEnv(options: RunnerEnvOptions): Promise<RunnerEnv> {
  const { gh } = options;
  const dir = await mkdtemp(join(tmpdir(), 'fake-gh-job-'));
  const files: RunnerFiles = {
    dir,
    event: join(dir, 'event.json'),
    output: join(dir, 'github_output'),
    summary: join(dir, 'step_summary.md'),
    state: join(dir, 'github_state'),
    env: join(dir, 'github_env'),
    path: join(dir, 'github_path'),
    runnerTemp: join(dir, 'runner_temp'),
    toolCache: join(dir, 'tool_cache'),
  };
  await mkdir(files.runnerTemp);
  await mkdir(files.toolCache);
  await writeFile(files.event, JSON.stringify(options.event ?? {}, null, 2));
  for (const f of [files.output, files.summary, files.state, files.env, files.path]) await writeFile(f, '');

  const run = options.run ?? gh.createRun();
  const jobBackendId = options.jobBackendId ?? randomUUID();
  const eventName = options.eventName ?? 'pull_request';
  const prNumber = (options.event as { pull_request?: { number?: unknown } } | undefined)?.pull_request?.number;
  const ref =
    options.ref ?? (eventName.startsWith('pull_request') && typeof prNumber === 'number' ? `refs/pull/${prNumber}/merge` : 'refs/heads/main');

  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: gh.url,
    GITHUB_GRAPHQL_URL: `${gh.url}/graphql`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repoName}`,
    GITHUB_REPOSITORY_OWNER: gh.owner,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SHA: options.sha ?? run.headSha,
    GITHUB_REF: ref,
    GITHUB_WORKFLOW: 'EdgeGate',
    GITHUB_ACTION: '__edgegate',
    GITHUB_ACTOR: options.actor ?? 'octocat',
    GITHUB_JOB: options.job ?? 'check',
    GITHUB_RUN_ID: String(run.id),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_OS: options.runnerOs ?? 'Linux',
    RUNNER_ARCH: options.runnerArch ?? 'X64',
    RUNNER_NAME: 'fake-runner',
    RUNNER_TEMP: files.runnerTemp,
    RUNNER_TOOL_CACHE: files.toolCache,
    ACTIONS_RUNTIME_TOKEN: gh.runtimeToken(run, jobBackendId),
    ACTIONS_RESULTS_URL: gh.resultsUrl,
  };
  if (options.debug) env.RUNNER_DEBUG = '1';
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputEnvName(name)] = value;
  Object.assign(env, options.extra ?? {});

  return {
    env,
    files,
    run,
    jobBackendId,
    processEnv: (base) => childEnv(env, base),
    outputs: () => parseFileCommands(readFileSync(files.output, 'utf8'), files.output),
    summary: () => readFileSync(files.summary, 'utf8'),
    state: () => parseFileCommands(readFileSync(files.state, 'utf8'), files.state),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Reads and parses a GITHUB_OUTPUT-style file. */
export async function readFileCommands(file: string): Promise<Record<string, string>> {
  return parseFileCommands(await readFile(file, 'utf8'), file);
}
