// End to end in the fake GitHub (issue 6): check → parity → report, every job running the committed
// dist/index.js from a copy of the repository without node_modules (onnxruntime-node only from
// dist/vendor/), artifacts through the fake's Twirp + blob artifact service:
//   - check on x64 Node 24 (reference passes, runner status, matrix);
//   - parity under the emulated arm64 Node 24 (qemu-aarch64-static -L $EDGEGATE_ARM64_ROOT, the real
//     linux-arm64 onnxruntime binary), one small model;
//   - report on x64 posting the sticky comment; a device with no online runner shows not run; an NPU
//     without an external runtime shows EP_UNAVAILABLE.
// Skips locally without Node 24 or the emulated arm64 runner; under CI=true either missing fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findArm64Runner } from '../../scripts/arm64-runner/env.mjs';
import { buildRunnerEnv, startFakeGitHub, type FakeGitHub, type RunnerEnv } from '../support/fake-github/index.js';
import { node24OrSkip } from './support/node24.js';
import { makeRepo, REPO_ROOT, runnerInputs } from './support/e2e-harness.js';

type Arm64 = { available: true; root: string; qemu: string; node: string; cpu: string } | { available: false; reason: string };

const RW = 'ghs_parityE2eWriteToken0123456789abcdefAB';
const ADMIN = 'ghp_parityE2eAdminToken0123456789abcdefAB';
const PR = 12;
const FORK_PR = 13;
const MODEL = 'models/tiny_cnn.onnx';
const MARKER = '<!-- edgegate:sticky-comment key="" -->';
// These tests follow the parity flow, so they gate on `parity,error`: a new fp32 model on coral-edgetpu is a
// static verdict `fail` that blocks under `regression` (covered by gate-agreement.test.ts), not what is tested here.
const FAIL_ON = { 'fail-on': 'parity,error' };
const CONFIG = 'version: 1\ndevices: [raspberry-pi-4, raspberry-pi-5, coral-edgetpu]\nparity:\n  seed: 7\n';

/** A copy of the repository as GitHub runs the action: no node_modules except the vendored ones in dist/. */
function actionCopy(): string {
  const dest = mkdtempSync(join(tmpdir(), 'edgegate-parity-action-'));
  const skip = new Set(['node_modules', '.git', 'build', '.bench-out', 'tmp']);
  for (const e of readdirSync(REPO_ROOT)) if (!skip.has(e)) cpSync(join(REPO_ROOT, e), join(dest, e), { recursive: true });
  return dest;
}

interface Step {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly seconds: number;
}

async function step(cmd: string, args: string[], env: RunnerEnv, cwd: string, extraEnv: Record<string, string | undefined> = {}): Promise<Step> {
  const e: Record<string, string> = { ...env.processEnv() };
  for (const [k, v] of Object.entries(extraEnv)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { code, stdout, stderr, outputs: env.outputs(), summary: env.summary(), seconds: (Date.now() - t0) / 1000 };
}

let node: string | undefined;
let skipReason: string | undefined;
const arm64 = findArm64Runner() as Arm64;
const cleanups: string[] = [];

before(() => {
  const found = node24OrSkip();
  node = found.node;
  if (found.node === undefined) skipReason = found.skipReason;
  if (!arm64.available) {
    if (process.env.CI === 'true') throw new Error(`CI=true but the emulated arm64 runner is unavailable: ${arm64.reason}`);
    skipReason ??= `emulated arm64 runner unavailable: ${arm64.reason}`;
  }
});
after(() => {
  for (const d of cleanups) rmSync(d, { recursive: true, force: true });
});

describe('parity e2e: check (x64) → parity (emulated arm64) → report, through dist/index.js and the fake GitHub', () => {
  let gh: FakeGitHub;
  let actionDir: string;
  let workspace: string;
  let headSha: string;
  const envs: RunnerEnv[] = [];

  before(async () => {
    if (skipReason) return;
    actionDir = actionCopy();
    cleanups.push(actionDir);
    const model = readFileSync(join(REPO_ROOT, '__tests__', 'fixtures', 'models', 'tiny_cnn.onnx'));
    const repo = makeRepo({ '.edgegate.yml': CONFIG, 'README.md': 'models\n' }, { [MODEL]: model });
    cleanups.push(repo.root);
    workspace = repo.workspace;
    headSha = repo.headSha;
    gh = await startFakeGitHub({
      repo: 'acme/edge',
      tokens: { [RW]: 'write', [ADMIN]: 'admin' },
      pulls: [
        { number: PR, headSha: repo.headSha, baseSha: repo.baseSha, baseRef: 'main', headRef: 'pr', files: [{ filename: MODEL, status: 'added' }] },
        { number: FORK_PR, headSha: repo.headSha, baseSha: repo.baseSha, baseRef: 'main', headRef: 'pr', fork: true, forkOwner: 'mallory', files: [{ filename: MODEL, status: 'added' }] },
      ],
      runners: [
        { name: 'rpi4-lab-01', labels: ['self-hosted', 'Linux', 'ARM64', 'rpi4'], status: 'online' },
        { name: 'rpi5-lab-01', labels: ['self-hosted', 'Linux', 'ARM64', 'rpi5'], status: 'offline' },
      ],
    });
  });
  after(async () => {
    for (const e of envs) await e.cleanup();
    await gh?.close();
  });

  it('the action copy has no node_modules and carries onnxruntime-node for linux x64 and arm64 only', (t) => {
    if (skipReason) return t.skip(skipReason);
    assert.equal(existsSync(join(actionDir, 'node_modules')), false);
    const bin = join(actionDir, 'dist', 'vendor', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(bin), ['linux']);
    assert.deepEqual(readdirSync(join(bin, 'linux')).sort(), ['arm64', 'x64']);
    assert.ok(existsSync(join(actionDir, 'dist', 'vendor', 'node_modules', 'onnxruntime-common', 'package.json')));
  });

  it('a fork PR gets no parity matrix and a notice, without allow-fork-parity', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const env = await buildRunnerEnv({ gh, workspace, event: gh.pullRequestEvent(FORK_PR), eventName: 'pull_request', sha: headSha, job: 'check', inputs: runnerInputs(RW, { ...FAIL_ON, parity: 'on', 'runner-status-token': ADMIN }) });
    envs.push(env);
    const r = await step(node!, [join(actionDir, 'dist', 'index.js')], env, workspace);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['parity-needed'], 'false');
    assert.equal(r.outputs['parity-matrix'], '{"include":[]}');
    assert.match(r.stdout, /comes from a fork: parity runs are not sent to self-hosted runners/);
    assert.match(r.outputs.summary!, /FORK&#95;PR/);
    assert.equal(gh.state.artifacts.some((x) => x.name.startsWith('edgegate-ref-')), false, 'no reference was uploaded for the fork');
  });

  it('runs the three jobs and posts one comment with pass, not run and EP_UNAVAILABLE', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const a = arm64 as Extract<Arm64, { available: true }>;
    const run = gh.createRun({ headSha });
    const event = gh.pullRequestEvent(PR);
    const dist = join(actionDir, 'dist', 'index.js');
    const job = async (name: string, inputs: Record<string, string>, arch = 'X64'): Promise<RunnerEnv> => {
      const e = await buildRunnerEnv({ gh, run, job: name, workspace, event, eventName: 'pull_request', sha: headSha, runnerArch: arch, inputs: runnerInputs(RW, { ...FAIL_ON, ...inputs }) });
      envs.push(e);
      return e;
    };

    // 1. check on x64.
    const checkEnv = await job('check', { parity: 'on', 'runner-status-token': ADMIN });
    const check = await step(node!, [dist], checkEnv, workspace);
    assert.equal(check.code, 0, `check exit ${check.code}\n${check.stdout}\n${check.stderr}`);
    assert.equal(check.outputs['parity-needed'], 'true');
    const matrix = JSON.parse(check.outputs['parity-matrix']!) as { include: { model: string; device: string; 'runs-on': string[] }[] };
    assert.deepEqual(matrix.include, [{ model: MODEL, device: 'raspberry-pi-4', 'runs-on': ['self-hosted', 'linux', 'ARM64', 'rpi4'] }]);
    assert.equal(gh.requestsTo('GET /repos/{owner}/{repo}/actions/runners').length >= 1, true, 'runner status was asked');
    assert.match(check.stdout, /Parity reference for models\/tiny_cnn\.onnx/);

    // 2. parity for each matrix cell, under the emulated arm64 Node 24.
    let parity: Step | undefined;
    for (const cell of matrix.include) {
      const env = await job('parity', { mode: 'parity', model: cell.model, device: cell.device, 'parity-latency-runs': '3' }, 'ARM64');
      parity = await step(a.qemu, ['-L', a.root, a.node, dist], env, workspace, { QEMU_CPU: a.cpu, NODE_EXTRA_CA_CERTS: undefined, NODE_OPTIONS: undefined });
      assert.equal(parity.code, 0, `parity exit ${parity.code}\n${parity.stdout}\n${parity.stderr}`);
      assert.equal(parity.outputs.verdict, 'pass', parity.stdout);
      assert.match(parity.summary, /Parity: models\/tiny&#95;cnn\.onnx on raspberry-pi-4/);
    }
    const resultJson = JSON.parse(readFileSync(parity!.outputs.report!, 'utf8')) as { host: { arch: string; ortVersion: string }; kernels: unknown[]; latencyMs: { median: number } };
    assert.equal(resultJson.host.arch, 'arm64', 'the parity job really ran on arm64');

    // 3. report on x64.
    const reportEnv = await job('report', { mode: 'report' });
    const report = await step(node!, [dist], reportEnv, workspace);
    assert.equal(report.code, 0, `report exit ${report.code}\n${report.stdout}\n${report.stderr}`);
    assert.equal(report.outputs.verdict, 'pass');
    const comments = gh.commentsOn(PR).filter((c) => c.body.includes(MARKER));
    assert.equal(comments.length, 1, 'one sticky comment');
    const body = comments[0]!.body;
    // To look at the rendered comment: EDGEGATE_E2E_DUMP=/tmp/comment.md node scripts/run-tests.js parity-e2e
    if (process.env.EDGEGATE_E2E_DUMP) writeFileSync(process.env.EDGEGATE_E2E_DUMP, body);
    assert.match(body, /### Parity on edge runners/);
    const paritySection = body.slice(body.indexOf('Parity on edge runners'));
    const row = (device: string): string => paritySection.split('\n').find((l) => l.startsWith(`| <code>${device}</code> |`)) ?? '';
    assert.match(row('raspberry-pi-4'), /✅ pass/);
    assert.match(row('raspberry-pi-4'), /s \(est\.\u00a0[\d.]+\u00a0m?s, ×[\d.]+\) \|$/);
    assert.match(row('raspberry-pi-5'), /⚪ not run <code>NO&#95;RESULT<\/code>/);
    assert.match(row('coral-edgetpu'), /⚪ not run <code>EP&#95;UNAVAILABLE<\/code>/);
    assert.match(body, /no online self-hosted runner carries the labels/);
    assert.match(body, /<details>\n<summary>models\/tiny&#95;cnn\.onnx on raspberry-pi-4: \d+ kernels isolated, 0 out of tolerance/);
    assert.match(body, /xychart-beta/);
    assert.equal(report.outputs['comment-id'], String(comments[0]!.id));

    // 4. The same run gated strictly: not-run blocks; the comment is updated in place.
    const strictEnv = await job('report', { mode: 'report', 'parity-gate-not-run': 'true' });
    const strict = await step(node!, [dist], strictEnv, workspace);
    assert.equal(strict.code, 1, strict.stdout);
    assert.equal(strict.outputs.verdict, 'fail');
    assert.match(strict.stdout, /\[parity\] models\/tiny_cnn\.onnx on raspberry-pi-5: parity did not run \(NO_RESULT\)/);
    assert.equal(gh.commentsOn(PR).filter((c) => c.body.includes(MARKER)).length, 1);

    // 5. A re-run of the check job in the same run replaces its artifacts (names are unique per run).
    const rerunEnv = await job('check', { parity: 'on', 'runner-status-token': ADMIN });
    const rerun = await step(node!, [dist], rerunEnv, workspace);
    assert.equal(rerun.code, 0, `re-run check exit ${rerun.code}\n${rerun.stdout}\n${rerun.stderr}`);
    assert.doesNotMatch(rerun.stdout, /warning.*upload/i);
    assert.equal(JSON.parse(rerun.outputs['parity-matrix']!).include.length, 1);

    // No token in any log, output, summary or request.
    for (const [where, s] of [['check', check], ['parity', parity!], ['report', report], ['strict', strict], ['re-run', rerun]] as const) {
      gh.assertNoLeaks(`${where} stdout`, s.stdout);
      gh.assertNoLeaks(`${where} stderr`, s.stderr);
      gh.assertNoLeaks(`${where} summary`, s.summary);
      gh.assertNoLeaks(`${where} outputs`, JSON.stringify(s.outputs));
    }
    const artifacts = gh.state.artifacts.filter((x) => x.state === 'finalized' && x.runId === run.id).map((x) => `${x.name}=${x.size}B`);
    assert.deepEqual(artifacts.map((x) => x.split('=')[0]!.replace(/[0-9a-f]{12}/, 'H')).sort(), ['edgegate-ref-H', 'edgegate-report', 'edgegate-result-H-raspberry-pi-4']);
    process.stdout.write(
      `# parity e2e: check ${check.seconds.toFixed(1)} s (x64), parity ${parity!.seconds.toFixed(1)} s (emulated arm64, ${resultJson.kernels.length} kernels, median ${resultJson.latencyMs.median.toFixed(2)} ms), ` +
        `report ${report.seconds.toFixed(1)} s; artifacts ${artifacts.join(', ')}\n`,
    );
  });
});
