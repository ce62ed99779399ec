// The parity flow of the action in-process: check (plan + reference) → parity (x64 onnxruntime-node) →
// report, with a folder-backed artifact store and plain-function ports. The e2e suite
// (parity-e2e.test.ts) runs the same flow through dist/index.js, the fake GitHub and emulated arm64.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFolderArtifactStore, type ArtifactStore } from '../../src/action/artifacts.js';
import type { ActionPorts, CheckModeContext } from '../../src/action/check-mode.js';
import { runCheckMode } from '../../src/action/check-mode.js';
import type { EventInfo } from '../../src/action/context.js';
import { parseInputs } from '../../src/action/inputs.js';
import { deviceRuntime, hasOnlineRunner, planParityRuns, type ParityPorts, type RunnerStatus } from '../../src/action/parity-check.js';
import { runParityMode } from '../../src/action/parity-mode.js';
import { matrixJson, modelHash, referenceArtifactName, resultArtifactName, reportArtifactName } from '../../src/action/parity-shared.js';
import { parityFindings, runReportMode } from '../../src/action/report-mode.js';
import { EMPTY_CONFIG, type EdgegateConfig } from '../../src/config/schema.js';
import type { GitClient } from '../../src/git/types.js';
import { notRunResult } from '../../src/parity/run.js';
import { OrtUnavailableError } from '../../src/runtime/ort-loader.js';
import { loadProfile } from '../../src/profiles/load.js';
import { renderParitySection } from '../../src/report/parity-markdown.js';
import type { Report } from '../../src/report/types.js';
import { REPO, STAND_IN } from '../parity/helpers/paths.js';

const MODEL = 'models/tiny_cnn.onnx';
const PUSH: EventInfo = { kind: 'all', eventName: 'push', sha: 'a'.repeat(40) };
const get = (m: Record<string, string>) => (name: string): string => m[name] ?? '';

interface Recorder extends ActionPorts {
  readonly outputs: Record<string, string>;
  readonly logs: string[];
  readonly failed: string[];
  summary: string;
}

function recorder(): Recorder {
  const r = {
    outputs: {} as Record<string, string>,
    logs: [] as string[],
    failed: [] as string[],
    summary: '',
    info: (m: string) => void r.logs.push(m),
    warning: (m: string) => void r.logs.push(`warning: ${m}`),
    setOutput: (n: string, v: string) => void (r.outputs[n] = v),
    setFailed: (m: string) => void r.failed.push(m),
    writeSummary: async (md: string) => void (r.summary += md),
  };
  return r;
}

const noGit = {} as GitClient;

let tmp: string;
let workspace: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-parity-modes-'));
  workspace = join(tmp, 'ws');
  mkdirSync(join(workspace, 'models'), { recursive: true });
  cpSync(join(REPO, '__tests__', 'fixtures', 'models', 'tiny_cnn.onnx'), join(workspace, MODEL));
  writeFileSync(join(workspace, '.edgegate.yml'), 'version: 1\ndevices: [raspberry-pi-4, raspberry-pi-5, coral-edgetpu]\nparity:\n  seed: 3\n');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function ctx(store: ArtifactStore | undefined, inputs: Record<string, string>, extra: Partial<CheckModeContext> & { parityPorts?: Partial<ParityPorts> } = {}): { c: CheckModeContext; rec: Recorder } {
  const rec = recorder();
  const tempDir = mkdtempSync(join(tmp, 'runner-temp-'));
  const parity: ParityPorts = { artifacts: store, ...extra.parityPorts };
  return {
    rec,
    c: { inputs: parseInputs(get(inputs)), event: PUSH, workspace, tempDir, git: noGit, api: undefined, ports: rec, parity, ...extra },
  };
}

describe('device runtime and runner status (rules as data)', () => {
  const cases: [string, EdgegateConfig, string, string[] | undefined][] = [
    ['raspberry-pi-4', EMPTY_CONFIG, 'ort', ['self-hosted', 'linux', 'ARM64', 'rpi4']],
    ['host-x64', EMPTY_CONFIG, 'ort', ['self-hosted', 'linux', 'x64']],
    ['coral-edgetpu', EMPTY_CONFIG, 'unavailable', undefined],
    ['qualcomm-htp', EMPTY_CONFIG, 'unavailable', undefined],
    ['coral-edgetpu', { parity: { external: { 'coral-edgetpu': { command: 'run-edgetpu' } } } }, 'external', ['self-hosted', 'linux', 'ARM64', 'coral']],
    ['raspberry-pi-4', { parity: { runners: { 'raspberry-pi-4': ['self-hosted', 'pi-lab'] } } }, 'ort', ['self-hosted', 'pi-lab']],
  ];
  for (const [id, config, kind, labels] of cases) {
    it(`${id} with ${JSON.stringify(config)} → ${kind}`, () => {
      const rt = deviceRuntime(loadProfile(id), config);
      assert.equal(rt.kind, kind);
      if (rt.kind !== 'unavailable') assert.deepEqual(rt.labels, labels);
      else assert.match(rt.detail, /parity\.external/);
    });
  }

  const runners: RunnerStatus[] = [
    { name: 'pi-1', status: 'online', labels: ['self-hosted', 'Linux', 'ARM64', 'rpi4'] },
    { name: 'pi-2', status: 'offline', labels: ['self-hosted', 'Linux', 'ARM64', 'rpi5'] },
  ];
  const online: [string[], boolean][] = [
    [['self-hosted', 'linux', 'arm64', 'rpi4'], true],
    [['self-hosted', 'linux', 'arm64', 'rpi5'], false],
    [['self-hosted', 'linux', 'arm64', 'rpi4', 'gpu'], false],
  ];
  for (const [labels, want] of online) {
    it(`labels [${labels.join(', ')}] → ${want ? 'online' : 'no online runner'}`, () => assert.equal(hasOnlineRunner(runners, labels), want));
  }
});

describe('artifact names and the matrix', () => {
  it('carry no slash and are stable per model path', () => {
    assert.equal(referenceArtifactName(MODEL), `edgegate-ref-${modelHash(MODEL)}`);
    assert.match(referenceArtifactName(MODEL), /^edgegate-ref-[0-9a-f]{12}$/);
    assert.notEqual(modelHash('a/b.onnx'), modelHash('a/c.onnx'));
    assert.equal(resultArtifactName(MODEL, 'raspberry-pi-4'), `edgegate-result-${modelHash(MODEL)}-raspberry-pi-4`);
    assert.equal(reportArtifactName(''), 'edgegate-report');
    assert.equal(reportArtifactName('nightly/x'), 'edgegate-report-nightly_x');
    assert.deepEqual(JSON.parse(matrixJson([{ model: MODEL, device: 'raspberry-pi-4', runsOn: ['self-hosted', 'rpi4'] }])), {
      include: [{ model: MODEL, device: 'raspberry-pi-4', 'runs-on': ['self-hosted', 'rpi4'] }],
    });
    assert.equal(matrixJson([]), '{"include":[]}');
  });
});

describe('planParityRuns', () => {
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'edgegate', version: 't' },
    errors: [],
    models: [{ path: MODEL, sha256: null, fileSize: null, nodes: null, params: null, macs: null, otherOps: null, weightBytes: null, peakActivationBytes: null, activationLowerBoundBytes: null, errors: [], devices: [] }],
  };
  (report.models[0]!.devices as unknown[]).push({ device: 'raspberry-pi-4' });
  const config: EdgegateConfig = { devices: ['raspberry-pi-4', 'raspberry-pi-5', 'coral-edgetpu'], parity: {} };

  it('sends CPU devices with an online runner, marks the NPU EP_UNAVAILABLE and the offline one not run, uploads the reference', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-plan'));
    const { c, rec } = ctx(store, {});
    const plan = await planParityRuns(
      {
        inputs: c.inputs,
        event: PUSH,
        workspace,
        tempDir: c.tempDir,
        config,
        parity: { artifacts: store, listRunners: async () => [{ name: 'pi', status: 'online', labels: ['self-hosted', 'linux', 'ARM64', 'rpi4'] }] },
        info: rec.info,
        warning: rec.warning,
      },
      report,
    );
    assert.deepEqual(plan.cells, [{ model: MODEL, device: 'raspberry-pi-4', runsOn: ['self-hosted', 'linux', 'ARM64', 'rpi4'] }]);
    const decided = Object.fromEntries(plan.decided.map((r) => [r.device, `${r.verdict}/${r.reason}`]));
    assert.deepEqual(decided, { 'coral-edgetpu': 'not-run/EP_UNAVAILABLE', 'raspberry-pi-5': 'not-run/NO_RESULT' });
    assert.equal(plan.references.length, 1);
    const listed = await store.list();
    assert.deepEqual(listed.map((a) => a.name), [referenceArtifactName(MODEL)]);
    assert.ok(existsSync(join(tmp, 'store-plan', referenceArtifactName(MODEL), 'manifest.json')));
  });

  it('sends nothing for a fork PR unless allow-fork-parity, and says why', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-fork'));
    const fork: EventInfo = { kind: 'pull_request', eventName: 'pull_request', number: 3, baseSha: 'b', headSha: 'h', baseRef: 'main', labels: [], fork: true };
    const { c, rec } = ctx(store, {});
    const base = { event: fork, workspace, tempDir: c.tempDir, config, parity: { artifacts: store }, info: rec.info, warning: rec.warning };
    const plan = await planParityRuns({ ...base, inputs: c.inputs }, report);
    assert.equal(plan.cells.length, 0);
    assert.equal(plan.references.length, 0);
    assert.deepEqual(plan.decided.filter((r) => r.reason === 'FORK_PR').map((r) => r.device).sort(), ['raspberry-pi-4', 'raspberry-pi-5']);
    assert.match(plan.notes.join(' '), /fork/);
    assert.equal((await store.list()).length, 0);
    const allowed = await planParityRuns({ ...base, inputs: parseInputs(get({ 'allow-fork-parity': 'true' })) }, report);
    assert.equal(allowed.cells.length, 2);
  });

  it('onnxruntime-node missing on the check runner is an ORT_UNAVAILABLE error per cell, not a crash', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-noort'));
    const { c, rec } = ctx(store, {});
    const broken = {
      info: async () => { throw new OrtUnavailableError([{ source: 'vendored', dir: '/nowhere', rejected: 'not found' }]); },
      run: async () => { throw new OrtUnavailableError([{ source: 'vendored', dir: '/nowhere', rejected: 'not found' }]); },
      time: async () => [],
    };
    const plan = await planParityRuns({ inputs: c.inputs, event: PUSH, workspace, tempDir: c.tempDir, config, parity: { artifacts: store, makeRunner: () => broken }, info: rec.info, warning: rec.warning }, report);
    assert.equal(plan.cells.length, 0);
    assert.deepEqual(plan.decided.filter((r) => r.verdict === 'error').map((r) => r.reason), ['ORT_UNAVAILABLE', 'ORT_UNAVAILABLE']);
    assert.equal((await store.list()).length, 0);
  });

  it('a reference over the size cap is a parity error for that model, not a matrix cell', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-cap'));
    const { c, rec } = ctx(store, { 'parity-max-reference-mb': '0.001' });
    const plan = await planParityRuns({ inputs: c.inputs, event: PUSH, workspace, tempDir: c.tempDir, config, parity: { artifacts: store }, info: rec.info, warning: rec.warning }, report);
    assert.equal(plan.cells.length, 0);
    const errs = plan.decided.filter((r) => r.verdict === 'error');
    assert.equal(errs.length, 2);
    assert.match(errs[0]!.detail ?? '', /size cap/);
  });
});

describe('check → parity → report in-process (x64 onnxruntime-node)', () => {
  const store = (): ArtifactStore => createFolderArtifactStore(join(tmp, 'store-flow'));
  const inputs = { parity: 'on', 'parity-latency-runs': '2' };

  it('check plans the matrix, parity passes on x64, report renders and passes; a missing result is not run and can block', async () => {
    const check = ctx(store(), inputs);
    const outcome = await runCheckMode(check.c);
    assert.equal(check.rec.outputs['parity-needed'], 'true');
    const matrix = JSON.parse(check.rec.outputs['parity-matrix']!) as { include: { model: string; device: string; 'runs-on': string[] }[] };
    assert.deepEqual(matrix.include.map((x) => x.device).sort(), ['raspberry-pi-4', 'raspberry-pi-5']);
    assert.ok(outcome.parity);
    assert.match(outcome.body, /Parity on edge runners/);
    assert.match(outcome.body, /queued on/);
    assert.match(outcome.body, /EP&#95;UNAVAILABLE|EP_UNAVAILABLE/);
    assert.ok((await store().list()).some((a) => a.name === 'edgegate-report'));

    // This x64 runner is not a Raspberry Pi 4: without parity-force the cell is not run (HOST_MISMATCH).
    // (Its result goes to a throwaway upload: the forced run below uploads the cell's artifact.)
    const refused = ctx({ ...store(), upload: async () => ({ id: 0, size: 0 }) }, { ...inputs, mode: 'parity', model: MODEL, device: 'raspberry-pi-4' });
    const no = await runParityMode(refused.c);
    assert.equal(`${no.result.verdict}/${no.result.reason}`, 'not-run/HOST_MISMATCH', no.result.detail);
    assert.match(refused.rec.logs.join('\n'), /is not raspberry-pi-4 \(arm64, Cortex-A72\): .*arch x64 ≠ arm64/);
    assert.equal(refused.rec.outputs.verdict, 'not-run');

    // Forced, it runs here and says so.
    const par = ctx(store(), { ...inputs, mode: 'parity', model: MODEL, device: 'raspberry-pi-4', 'parity-force': 'true' });
    const p = await runParityMode(par.c);
    assert.equal(p.result.verdict, 'pass', JSON.stringify(p.result.detail ?? p.result.kernels.filter((k) => !k.pass)));
    assert.equal(p.result.forced, true);
    assert.match(par.rec.logs.join('\n'), /^warning: Forced: host linux\/x64/m);
    assert.match(par.rec.summary, /✅ pass ⚠️ forced on another host/);
    assert.match(par.rec.summary, /was forced: host linux\/x64 .* is not raspberry-pi-4 .* It is not the device's result\./);
    assert.ok(p.uploaded);
    assert.equal(par.rec.outputs.verdict, 'pass');
    assert.ok(p.result.kernels.length > 0);

    // raspberry-pi-5 never reports: not run, not blocking by default.
    const rep = ctx(store(), { ...inputs, mode: 'report' });
    const r = await runReportMode(rep.c);
    const byDevice = Object.fromEntries(r.results.map((x) => [x.device, `${x.verdict}${x.reason ? `/${x.reason}` : ''}`]));
    assert.deepEqual(byDevice, { 'raspberry-pi-4': 'pass', 'raspberry-pi-5': 'not-run/NO_RESULT', 'coral-edgetpu': 'not-run/EP_UNAVAILABLE' });
    assert.equal(r.decision.failed, false, r.decision.blocking.map((f) => f.message).join('; '));
    assert.match(r.body, /⚪ not run/);
    assert.match(r.body, /✅ pass/);
    assert.match(r.body, /xychart-beta/);
    assert.equal(rep.rec.failed.length, 0);

    const strict = ctx(store(), { ...inputs, mode: 'report', 'parity-gate-not-run': 'true' });
    const s = await runReportMode(strict.c);
    assert.equal(s.decision.verdict, 'fail');
    assert.deepEqual(s.decision.blocking.map((f) => `${f.code}:${f.device}`).sort(), ['PARITY_NOT_RUN:coral-edgetpu', 'PARITY_NOT_RUN:raspberry-pi-5']);
    assert.equal(strict.rec.failed.length, 1);
  });

  it('a tampered result.json is an error that blocks, never a pass', async () => {
    const name = resultArtifactName(MODEL, 'raspberry-pi-4');
    const file = join(tmp, 'store-flow', name, 'result.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(good), verdict: 'great' }));
    try {
      const rep = ctx(store(), { ...inputs, mode: 'report' });
      const r = await runReportMode(rep.c);
      const pi4 = r.results.find((x) => x.device === 'raspberry-pi-4')!;
      assert.equal(pi4.verdict, 'error');
      assert.equal(pi4.reason, 'INVALID_RESULT');
      assert.ok(r.decision.blocking.some((f) => f.code === 'PARITY_ERROR' && f.device === 'raspberry-pi-4'));
    } finally {
      writeFileSync(file, good);
    }
  });

  it('a self-contradicting result.json (verdict pass, a kernel out of tolerance) is INVALID_RESULT and blocks', async () => {
    const name = resultArtifactName(MODEL, 'raspberry-pi-4');
    const file = join(tmp, 'store-flow', name, 'result.json');
    const good = readFileSync(file, 'utf8');
    const forged = JSON.parse(good) as { verdict: string; kernels: { pass: boolean; failing: number }[] };
    assert.equal(forged.verdict, 'pass');
    Object.assign(forged.kernels[0]!, { pass: false, failing: 12 });
    writeFileSync(file, JSON.stringify(forged));
    try {
      const rep = ctx(store(), { ...inputs, mode: 'report' });
      const r = await runReportMode(rep.c);
      const pi4 = r.results.find((x) => x.device === 'raspberry-pi-4')!;
      assert.equal(`${pi4.verdict}/${pi4.reason}`, 'error/INVALID_RESULT');
      assert.match(pi4.detail ?? '', /kernelsFailing: is 0, the kernels listed have 1 out of tolerance/);
      assert.ok(r.decision.blocking.some((f) => f.code === 'PARITY_ERROR' && f.device === 'raspberry-pi-4'));
    } finally {
      writeFileSync(file, good);
    }
  });

  it('report mode without the check report artifact fails with a named error', async () => {
    const rep = ctx(createFolderArtifactStore(join(tmp, 'store-empty')), { mode: 'report' });
    await assert.rejects(runReportMode(rep.c), (e: Error) => e.name === 'ReportArtifactError' && /edgegate-report/.test(e.message));
  });

  it('parity mode on an NPU without external runtime reports EP_UNAVAILABLE and still uploads its result', async () => {
    const s = createFolderArtifactStore(join(tmp, 'store-npu'));
    const par = ctx(s, { mode: 'parity', model: MODEL, device: 'coral-edgetpu' });
    const p = await runParityMode(par.c);
    assert.equal(p.result.verdict, 'not-run');
    assert.equal(p.result.reason, 'EP_UNAVAILABLE');
    assert.ok(p.uploaded);
  });

  it('parity mode without the reference artifact is an error result, not a pass', async () => {
    const s = createFolderArtifactStore(join(tmp, 'store-noref'));
    const par = ctx(s, { mode: 'parity', model: MODEL, device: 'raspberry-pi-4' });
    const p = await runParityMode(par.c);
    assert.equal(p.result.verdict, 'error');
    assert.equal(p.result.reason, 'REFERENCE_INVALID');
  });
});

describe('external runtime (a stand-in vendor runtime speaking the protocol)', () => {
  let ws: string;
  before(() => {
    ws = join(tmp, 'ws-ext');
    mkdirSync(join(ws, 'models'), { recursive: true });
    cpSync(join(workspace, MODEL), join(ws, MODEL));
    const ext = (env: string): string => `    coral-edgetpu:\n      command: ${process.execPath}\n      args: [${JSON.stringify(STAND_IN)}]\n${env}`;
    writeFileSync(join(ws, '.edgegate.yml'), `version: 1\ndevices: [coral-edgetpu]\nparity:\n  external:\n${ext('')}`);
    writeFileSync(join(ws, 'corrupt.yml'), `version: 1\ndevices: [coral-edgetpu]\nparity:\n  external:\n${ext('      env: { STANDIN_CORRUPT: "/pw/Conv_output_0:1.05" }\n')}`);
  });

  it('an NPU with parity.external is in the matrix and its parity job runs the external command', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-ext'));
    const check = ctx(store, { parity: 'on', 'parity-latency-runs': '1' }, { workspace: ws } as Partial<CheckModeContext>);
    await runCheckMode({ ...check.c, workspace: ws });
    const matrix = JSON.parse(check.rec.outputs['parity-matrix']!) as { include: { device: string; 'runs-on': string[] }[] };
    assert.deepEqual(matrix.include.map((c) => c.device), ['coral-edgetpu']);
    assert.deepEqual(matrix.include[0]!['runs-on'], ['self-hosted', 'linux', 'ARM64', 'coral']);
    const par = ctx(store, { mode: 'parity', model: MODEL, device: 'coral-edgetpu', 'parity-latency-runs': '1' });
    const ok = await runParityMode({ ...par.c, workspace: ws });
    assert.equal(ok.result.verdict, 'pass', ok.result.detail);
    assert.match(ok.result.host?.runtime ?? '', /^external/);
  });

  it('a corrupting external runtime fails parity and names the diverging kernel', async () => {
    const store = createFolderArtifactStore(join(tmp, 'store-ext-bad'));
    const check = ctx(store, { parity: 'on', config: 'corrupt.yml' });
    await runCheckMode({ ...check.c, workspace: ws });
    const par = ctx(store, { mode: 'parity', model: MODEL, device: 'coral-edgetpu', config: 'corrupt.yml', 'parity-latency-runs': '0' });
    const bad = await runParityMode({ ...par.c, workspace: ws });
    assert.equal(bad.result.verdict, 'fail');
    assert.equal(bad.result.firstDivergingNode?.name, '/pw/Conv');
    const rep = ctx(store, { mode: 'report', config: 'corrupt.yml' });
    const r = await runReportMode({ ...rep.c, workspace: ws });
    assert.equal(r.decision.verdict, 'fail');
    assert.match(r.body, /❌ fail/);
    assert.equal(rep.rec.failed.length, 1);
    assert.match(rep.rec.failed[0]!, /first diverging kernel Conv #\d+ '\/pw\/Conv'/);
  });
});

describe('parity findings and rendering', () => {
  it('fail and error block; not-run only with parity-gate-not-run', () => {
    const fail = { ...notRunResult('m.onnx', 'd', 'not-run', 'NO_RESULT'), verdict: 'fail' as const, kernelsFailing: 1, firstDivergingNode: { index: 3, name: 'conv', op: 'Conv' } };
    const results = [fail, notRunResult('m.onnx', 'e', 'error', 'RUNNER_FAILED', 'boom'), notRunResult('m.onnx', 'f', 'not-run', 'EP_UNAVAILABLE')];
    assert.deepEqual(parityFindings(results, false).map((f) => f.code), ['PARITY_FAIL', 'PARITY_ERROR']);
    assert.deepEqual(parityFindings(results, true).map((f) => f.code), ['PARITY_FAIL', 'PARITY_ERROR', 'PARITY_NOT_RUN']);
    assert.match(parityFindings(results, false)[0]!.message, /first diverging kernel Conv #3 'conv'/);
  });

  it('escapes model, device, node names and details', () => {
    const evil = notRunResult('m/<img src=x>|@admin.onnx', 'dev`#1', 'error', 'INTERNAL', 'bad <script> | @team #5');
    const md = renderParitySection({ results: [evil] });
    assert.doesNotMatch(md, /<img|<script|@admin|@team|#5|`#1/);
    assert.match(md, /&lt;img src=x&gt;&#124;&#64;&#8203;admin/);
  });
});
