import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateCommand, parseFlags } from '../../src/cli/calibrate-command.js';
import { loadProfile, loadProfiles } from '../../src/profiles/load.js';
import { parityCommand } from '../../src/cli/parity-command.js';
import { readParityResult } from '../../src/parity/result-schema.js';
import { kernelGrid, sentinelCase } from '../../src/cost/kernel-grid.js';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { estimateCost } from '../../src/cost/estimate.js';
import { cpuPlacement, fitKernelCalibration } from '../../src/cost/calibrate.js';
import { timeKernelsHost } from '../../src/cost/kernel-measure.js';
import type { DeviceProfile } from '../../src/profiles/schema.js';

const M = '__tests__/fixtures/models/';
const THREE = [`${M}tiny_cnn.onnx`, `${M}tiny_lstm.onnx`, `${M}tiny_vit_micro_dynamo.onnx`];

/** Runs the command with stderr captured. */
async function withStderr(argv: string[]): Promise<{ code: number; said: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let said = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((said += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await calibrateCommand(argv), said };
  } finally {
    process.stderr.write = original;
  }
}

const quietIo = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as Parameters<typeof parityCommand>[1];

describe('edgegate calibrate', () => {
  it('measures a model with onnxruntime-node and writes a calibrated profile that loads', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-')), 'host.yaml');
    const code = await calibrateCommand([...THREE, '--device', 'host-x64', '--out', out, '--runs', '5', '--rounds', '1']);
    assert.equal(code, 0);
    const { profile } = loadProfile(out);
    assert.equal(profile.id, 'host-x64-calibrated');
    assert.match(profile.calibration!.runtime.version, /^\d+\.\d+\.\d+/);
    assert.equal(profile.calibration!.models[0]!.file, '__tests__/fixtures/models/tiny_cnn.onnx');
    assert.ok((profile.calibration!.models[0]!.coverage ?? 0) > 0.9, 'most kernel time maps to source nodes');
  });
  it('measures --rounds sessions and keeps the fastest session\'s median', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-rounds-')), 'host.yaml');
    const original = process.stderr.write.bind(process.stderr);
    let said = '';
    process.stderr.write = ((chunk: string | Uint8Array) => ((said += String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await calibrateCommand([...THREE, '--device', 'host-x64', '--out', out, '--runs', '3', '--rounds', '2']);
    } finally {
      process.stderr.write = original;
    }
    assert.equal(code, 0, said);
    const m = /: ([\d.]+) ms \(CPU time, fastest of 2 round medians of 3 runs: ([\d.]+) \/ ([\d.]+)\)/.exec(said);
    assert.ok(m, said);
    assert.equal(Number(m[1]), Math.min(Number(m[2]), Number(m[3])));
    const { profile } = loadProfile(out);
    assert.equal(profile.calibration!.models[0]!.measuredMs.toFixed(3), m[1]);
  });
  it('--rounds defaults: 6 for the host kernel grid, 3 for models and external runtimes, the flag wins', () => {
    const rows: [string[], number][] = [
      [['--kernels', '--device', 'host-x64'], 6],
      [['--kernels', '--device', 'host-x64', '--runtime', 'external:run-it'], 3],
      [['m.onnx', '--device', 'host-x64'], 3],
      [['--kernels', '--device', 'host-x64', '--rounds', '2'], 2],
    ];
    for (const [argv, rounds] of rows) assert.equal(parseFlags(argv).rounds, rounds, argv.join(' '));
  });
  it('rejects --rounds 0', async () => {
    await assert.rejects(calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx', '--device', 'host-x64', '--rounds', '0']), /--rounds expects a positive integer/);
  });
  it('takes an edge runner\'s parity result.json as the measurement of its model (--result)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-cal-res-'));
    const model = '__tests__/fixtures/models/tiny_cnn.onnx';
    assert.equal(await parityCommand(['reference', model, '--out', join(dir, 'ref')], quietIo), 0);
    assert.equal(await parityCommand(['run', model, '--reference', join(dir, 'ref'), '--out', join(dir, 'result.json'), '--device', 'raspberry-pi-4', '--runs', '3', '--no-localization', '--force'], quietIo), 0);
    const result = readParityResult(join(dir, 'result.json'));
    assert.ok(result.latencyMs && result.latencyMs.median > 0);
    // A forced result (not taken on the device) is refused unless calibrate is forced too.
    const refused = await withStderr([model, '--kernels', '--grid', 'small', '--device', 'host-x64', '--result', join(dir, 'result.json'), '--out', join(dir, 'x.yaml')]);
    assert.equal(refused.code, 2);
    assert.match(refused.said, /parity result was forced on a host that is not raspberry-pi-4/);
    const out = join(dir, 'rpi4.yaml');
    // One model is refused without --kernels; the device's timing joins a (small) kernel grid run with --force here.
    const code = await calibrateCommand([model, '--kernels', '--grid', 'small', '--runs', '3', '--rounds', '1', '--force', '--device', 'raspberry-pi-4', '--result', join(dir, 'result.json'), '--out', out]);
    assert.equal(code, 0);
    const { profile } = loadProfile(out);
    assert.equal(profile.id, 'raspberry-pi-4-calibrated');
    const joined = profile.calibration!.models.find((m) => m.file === model)!;
    // The calibration block records figures to 5 significant digits (src/cost/calibrate.ts).
    assert.equal(joined.measuredMs, Number(result.latencyMs.median.toPrecision(5)), 'the fit used the device measurement');
    // It joined the fit per variant: the curves it exercises moved toward its measurement (no global scale).
    assert.equal(profile.calibration!.kernels!['cpu']!.scale, undefined);
    // Moved toward it: the same timed grid fitted with and without the measurement (two separate timings
    // would differ by the machine's noise, which can exceed what one model moves).
    const analysis = analyzeModel(await readModel(model));
    const { points } = await timeKernelsHost(kernelGrid('small'), mkdtempSync(join(tmpdir(), 'eg-cal-grid-')), { runs: 3, rounds: 1 });
    const base = { ...loadProfile('raspberry-pi-4').profile, id: 'rpi4-test' };
    const fit = (with_: boolean): DeviceProfile =>
      fitKernelCalibration({ points, grid: 'small' }, with_ ? [{ model, analysis, measuredMs: result.latencyMs!.median }] : [], base, { runtime: { name: 'onnxruntime-node', version: 'test' }, host: 'test', tool: 'test', output: 'x.yaml' }).profile;
    const err = (p: DeviceProfile): number => Math.abs(Math.log(estimateCost(analysis, cpuPlacement(analysis, p.id), p).latencyMs!.estimate / result.latencyMs!.median));
    const [withResult, gridOnly] = [err(fit(true)), err(fit(false))];
    assert.ok(withResult < gridOnly, `${withResult} vs ${gridOnly} without the result`);
  });
  it('needs --device (usage error)', async () => {
    await assert.rejects(calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx']), { name: 'UsageError' });
  });
  it('a missing model file is an input error (exit 2)', async () => {
    const code = await calibrateCommand(['does-not-exist.onnx', '--device', 'host-x64', '--out', join(tmpdir(), 'x.yaml')]);
    assert.equal(code, 2);
  });
  it('refuses one model without --kernels and says what is missing', async () => {
    const { code, said } = await withStderr([`${M}tiny_lstm.onnx`, '--device', 'host-x64', '--out', join(tmpdir(), 'never.yaml'), '--runs', '2', '--rounds', '1']);
    assert.equal(code, 2);
    assert.match(said, /from 1 model\(s\).*at least 3 models \(none of these exercises conv, depthwise/);
    assert.match(said, /or use --kernels/);
  });
  it('--kernels with the small grid writes <id>-calibrated with kernel curves that the estimate uses', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-k-')), 'k.yaml');
    const { code, said } = await withStderr(['--kernels', '--grid', 'small', '--device', 'host-x64', '--out', out, '--runs', '3', '--rounds', '2']);
    assert.equal(code, 0, said);
    const { profile } = loadProfile(out);
    assert.equal(profile.id, 'host-x64-calibrated');
    const k = profile.calibration!.kernels!['cpu']!;
    assert.equal(k.cases, kernelGrid('small').length);
    // The two longest cases (tens of µs) resolve even when a loaded test run inflates the profiler's cost.
    assert.ok(k.curves.some((c) => c.key === 'conv/float/kxk') && k.curves.some((c) => c.key === 'rnn/float/LSTM'), k.curves.map((c) => c.key).join());
    // A variant without a curve has its case named with the reason, never silently dropped.
    for (const [key, id] of [['depthwise/float/dw', 'depthwise-k3-float-c64-64-h56-s1'], ['elementwise/float/Add', 'elt-add-float-c16-h112'], ['conv/float/k1', 'conv-k1-float-c32-64-h28-s1']]) {
      assert.ok(kernelGrid('small').some((c) => c.id === id), id);
      if (!k.curves.some((v) => v.key === key)) assert.ok(said.includes(`${id} (its own kernel time is within twice`), `${key}: ${said}`);
    }
    // The speed sentinel's record: every case sampled in each of the 2 rounds (more when some ran disturbed).
    const q = k.quiet!;
    assert.ok(q, 'the sentinel record is written');
    assert.equal(q.sentinel, sentinelCase().id);
    assert.ok(q.samples >= 2 * k.cases && q.disturbed <= q.samples && q.floorMs > 0, JSON.stringify(q));
    assert.match(said, /speed sentinel[^:]*: fastest [\d.]+ ms; \d+ of \d+ samples/);
    assert.equal(profile.calibration!.forced, undefined);
    // It loads beside the shipped profile (different id).
    const both = loadProfiles(['host-x64', out]);
    assert.deepEqual(both.errors, []);
  });
  it('--id names the calibrated profile', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-id-')), 'k.yaml');
    const { code, said } = await withStderr(['--kernels', '--grid', 'small', '--device', 'host-x64', '--id', 'my-box', '--out', out, '--runs', '2', '--rounds', '1']);
    assert.equal(code, 0, said);
    assert.equal(loadProfile(out).profile.id, 'my-box');
  });
  it('refuses to time here for a profile of another platform, and records --force', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-f-')), 'pi.yaml');
    const refused = await withStderr(['--kernels', '--grid', 'small', '--device', 'raspberry-pi-4', '--out', out, '--runs', '2', '--rounds', '1']);
    assert.equal(refused.code, 2);
    assert.match(refused.said, /refusing to calibrate raspberry-pi-4 here: .*--force/);
    const forced = await withStderr(['--kernels', '--grid', 'small', '--device', 'raspberry-pi-4', '--force', '--out', out, '--runs', '2', '--rounds', '1']);
    assert.equal(forced.code, 0, forced.said);
    const f = loadProfile(out).profile.calibration!.forced!;
    assert.match(f.host, new RegExp(process.arch));
    assert.match(f.reason, /raspberry-pi-4/);
  });
  it('rejects --grid without --kernels and an unknown grid', async () => {
    await assert.rejects(calibrateCommand([`${M}tiny_cnn.onnx`, '--device', 'host-x64', '--grid', 'small']), /--grid only applies with --kernels/);
    await assert.rejects(calibrateCommand(['--kernels', '--device', 'host-x64', '--grid', 'huge']), /--grid expects full or small/);
  });
});
