// The external runtime's `time-batch` action: the runner side (ExternalRunner.timeBatch, calibrate's
// fallback and host check) against a fake runtime, and EdgeGate's own `parity runtime` answering it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BatchTimingItem, ExternalRunner, RunnerError } from '../../src/parity/runner.js';
import type { HostTensor } from '../../src/parity/tensor.js';
import { ManifestError, readManifest } from '../../src/parity/external-runtime.js';
import { timeKernelsRunner } from '../../src/cost/kernel-measure.js';
import { kernelGrid } from '../../src/cost/kernel-grid.js';
import { calibrateCommand } from '../../src/cli/calibrate-command.js';
import { loadProfile } from '../../src/profiles/load.js';
import { DEFAULT_STOP_RULE } from '../../src/parity/timing.js';

const FAKE = resolve('__tests__/parity/helpers/batch-runtime.mjs');
const small = kernelGrid('small');
const rule = { ...DEFAULT_STOP_RULE, minRuns: 4, maxRuns: 6 };

const pi4 = { os: 'linux', arch: 'arm64', cpu: { model: 'Cortex-A72', implementer: '0x41', parts: ['0xd08'], flags: ['fp', 'asimd'] }, runtime: { name: 'onnxruntime', version: '1.30.0', executionProvider: 'CPU' } };
const HOSTS = { pi4: { ...pi4, emulator: null }, 'qemu-pi4': { ...pi4, emulator: { kind: 'qemu-user', cpu: 'cortex-a72' } } };

function fake(mode: string, host?: keyof typeof HOSTS): ExternalRunner {
  return new ExternalRunner({
    command: process.execPath,
    args: [FAKE],
    workDir: mkdtempSync(join(tmpdir(), 'eg-batch-')),
    env: { FAKE_MODE: mode, ...(host ? { FAKE_HOST: JSON.stringify(HOSTS[host]) } : {}) },
  });
}

function items(n: number): BatchTimingItem[] {
  const dir = mkdtempSync(join(tmpdir(), 'eg-batch-m-'));
  return small.slice(0, n).map((c) => {
    writeFileSync(join(dir, `${c.id}.onnx`), c.bytes);
    return { id: c.id, modelPath: join(dir, `${c.id}.onnx`), inputs: new Map<string, HostTensor>() };
  });
}

describe('external runtime: time-batch', () => {
  it('one call times every model; timings come back in item order with CPU times and the runtime\'s host', async () => {
    const its = items(5);
    const r = await fake('ok', 'pi4').timeBatch(its, rule);
    assert.deepEqual(r.timings.map((t) => t.id), its.map((i) => i.id));
    for (const t of r.timings) assert.ok(t.timingsMs.length === rule.minRuns && t.cpuTimingsMs?.length === rule.minRuns);
    assert.equal(r.host?.arch, 'arm64');
    assert.equal(r.runtime?.name, 'fake-batch');
  });
  const bad: [string, RegExp][] = [
    ['no-batch', /does not implement action "time-batch"/],
    ['drop-first', /no timings for conv-k1-float/],
    ['empty-runs', /batch\.0\.timingsMs/],
  ];
  for (const [mode, message] of bad) {
    it(`a runtime answering '${mode}' is a RunnerError naming the problem`, async () => {
      await assert.rejects(fake(mode).timeBatch(items(3), rule), (e: unknown) => e instanceof RunnerError && message.test(e.message));
    });
  }
  const modes: [string, 'batch' | 'per-model'][] = [['ok', 'batch'], ['no-batch', 'per-model']];
  for (const [mode, expected] of modes) {
    it(`the kernel grid is timed in ${expected === 'batch' ? 'one call' : 'one call per case (a runtime without time-batch)'}`, async () => {
      const r = await timeKernelsRunner(small.slice(0, 4), mkdtempSync(join(tmpdir(), 'eg-batch-k-')), fake(mode), { runs: 3 });
      assert.equal(r.mode, expected);
      assert.deepEqual(r.points.map((p) => p.measuredMs), [1, 1, 1, 1]);
    });
  }
  const manifests: [string, unknown, RegExp][] = [
    ['another protocol', { protocol: 'x/2', action: 'time-batch' }, /protocol/],
    ['time-batch without models', { protocol: 'edgegate-external-runtime/1', action: 'time-batch', purpose: 'latency', optimization: 'all', outputDir: '/tmp', warmup: 1, minRuns: 3, maxRuns: 5, stableWithin: 0.03 }, /models/],
    ['an unknown action', { protocol: 'edgegate-external-runtime/1', action: 'profile' }, /action/],
  ];
  for (const [name, m, message] of manifests) {
    it(`parity runtime refuses a manifest with ${name}`, () => {
      const f = join(mkdtempSync(join(tmpdir(), 'eg-man-')), 'manifest.json');
      writeFileSync(f, JSON.stringify(m));
      assert.throws(() => readManifest(f), (e: unknown) => e instanceof ManifestError && message.test(e.message));
    });
  }
  it('edgegate parity runtime answers time-batch with onnxruntime-node: adaptive runs, CPU times, this machine as host', async () => {
    const runner = new ExternalRunner({
      command: process.execPath,
      args: ['--import', resolve('node_modules/tsx/dist/loader.mjs'), resolve('src/cli/entry.ts'), 'parity', 'runtime'],
      workDir: mkdtempSync(join(tmpdir(), 'eg-batch-ort-')),
    });
    const r = await timeKernelsRunner(small.slice(0, 3), mkdtempSync(join(tmpdir(), 'eg-batch-ok-')), runner, { stop: rule });
    assert.equal(r.mode, 'batch');
    assert.equal(r.host?.arch, process.arch);
    assert.equal(r.runtime?.name, 'onnxruntime-node');
    for (const p of r.points) assert.ok(p.measuredMs > 0, p.id);
  });
});

describe('calibrate --kernels --runtime external: the runtime\'s host is checked like this machine', () => {
  const table: [string, keyof typeof HOSTS, boolean, number, RegExp | null][] = [
    ['a real Pi 4 behind the runtime', 'pi4', false, 0, null],
    ['an emulated Pi 4, refused', 'qemu-pi4', false, 2, /refusing to calibrate raspberry-pi-4 with external:.*qemu-user cortex-a72.*--force/],
    ['an emulated Pi 4 with --force, recorded', 'qemu-pi4', true, 0, /--force: calibrating raspberry-pi-4/],
  ];
  for (const [name, host, force, code, said] of table) {
    it(name, async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-ext-')), 'pi.yaml');
      const original = process.stderr.write.bind(process.stderr);
      let text = '';
      process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stderr.write;
      let got: number;
      process.env['FAKE_HOST'] = JSON.stringify(HOSTS[host]);
      try {
        got = await calibrateCommand(['--kernels', '--grid', 'small', '--device', 'raspberry-pi-4', '--runtime', `external:${process.execPath} ${FAKE}`, '--out', out, ...(force ? ['--force'] : [])]);
      } finally {
        process.stderr.write = original;
        delete process.env['FAKE_HOST'];
      }
      assert.equal(got, code, text);
      if (said) assert.match(text, said);
      if (code === 0) {
        const forced = loadProfile(out).profile.calibration!.forced;
        assert.equal(forced !== undefined, force, 'forced is recorded exactly when --force was needed');
        if (forced) assert.match(forced.reason, /qemu-user cortex-a72/);
      }
    });
  }
});
