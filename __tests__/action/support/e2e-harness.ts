/**
 * E2E harness: a temp git repo (base commit + PR commit), the fake GitHub on loopback, and the committed
 * dist/index.js run under Node 24 from a copy of the repository without node_modules, with the
 * environment a runner gives a step.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { buildRunnerEnv, type FakeGitHub, type RunnerEnv } from '../../support/fake-github/index.js';
import { buildModel, type ModelSpec } from '../../support/onnx-builder.js';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..');

/** A copy of the repository without node_modules, .git or build output: what GitHub runs. */
export function cleanActionCopy(): string {
  const dest = mkdtempSync(join(tmpdir(), 'edgegate-action-'));
  const skip = new Set(['node_modules', '.git', 'build', '.bench-out', 'tmp']);
  for (const e of readdirSync(REPO_ROOT)) {
    if (skip.has(e)) continue;
    cpSync(join(REPO_ROOT, e), join(dest, e), { recursive: true, filter: (src) => !src.includes(`${'/'}node_modules`) });
  }
  return dest;
}

/** A conv net whose size grows with `channels` (more MACs, weights and activations). */
export function convNet(channels: number): ModelSpec {
  const c = channels;
  const vals = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 7) % 13) / 50 - 0.1);
  return {
    inputs: [{ name: 'x', dims: [1, 3, 32, 32] }],
    outputs: [{ name: 'y', dims: [1, 10] }],
    initializers: [
      { name: 'w1', dims: [c, 3, 3, 3], values: vals(c * 27) },
      { name: 'w2', dims: [c, c, 3, 3], values: vals(c * c * 9) },
      { name: 'fc', dims: [c, 10], values: vals(c * 10) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'Conv', inputs: ['r1', 'w2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'GlobalAveragePool', inputs: ['r2'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'fc'], outputs: ['y'] },
    ],
  };
}

export function modelBytes(spec: ModelSpec): Buffer {
  return Buffer.from(buildModel(spec));
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
}

export type Tree = Record<string, Buffer | string | null>;

/** A repo with a base commit on main and a PR commit on a branch; the workspace is a full clone at the PR head. */
export function makeRepo(base: Tree, pr: Tree, opts: { shallow?: boolean } = {}): { root: string; workspace: string; baseSha: string; headSha: string } {
  const root = mkdtempSync(join(tmpdir(), 'edgegate-e2e-repo-'));
  const origin = join(root, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '-q', '-b', 'main');
  const write = (tree: Tree): void => {
    for (const [p, v] of Object.entries(tree)) {
      const f = join(origin, ...p.split('/'));
      if (v === null) rmSync(f, { force: true });
      else {
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, v);
      }
    }
    git(origin, 'add', '-A');
  };
  write(base);
  git(origin, 'commit', '-q', '-m', 'base');
  const baseSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', '-b', 'pr');
  write(pr);
  git(origin, 'commit', '-q', '-m', 'pr');
  const headSha = git(origin, 'rev-parse', 'HEAD');
  const workspace = join(root, 'workspace');
  // shallow: what actions/checkout does by default (fetch-depth 1).
  execFileSync('git', ['clone', '-q', ...(opts.shallow ? ['--depth', '1'] : []), '--branch', 'pr', `file://${origin}`, workspace]);
  return { root, workspace, baseSha, headSha };
}

/** Inputs as the runner passes them: action.yml defaults for everything the workflow does not set. */
export function runnerInputs(token: string, given: Record<string, string>): Record<string, string> {
  const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const d = String(spec.default ?? '');
    out[name] = d === '${{ github.token }}' ? token : d;
  }
  return { ...out, ...given };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly env: RunnerEnv;
}

/** Runs dist/index.js of `actionDir` under `node` as one step. */
export async function runAction(opts: {
  node: string;
  actionDir: string;
  gh: FakeGitHub;
  workspace: string;
  event: unknown;
  eventName?: string;
  sha: string;
  inputs: Record<string, string>;
}): Promise<RunResult> {
  const env = await buildRunnerEnv({ gh: opts.gh, workspace: opts.workspace, inputs: opts.inputs, event: opts.event, eventName: opts.eventName ?? 'pull_request', sha: opts.sha });
  const child = spawn(opts.node, [join(opts.actionDir, 'dist', 'index.js')], { cwd: opts.workspace, env: env.processEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { code, stdout, stderr, outputs: env.outputs(), summary: env.summary(), env };
}
