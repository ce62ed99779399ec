/**
 * A calibration records the figures it replaced (`calibration.priors`) so it can be undone (`uncalibrated`):
 * bench/cost-public.ts fits each held-out architecture from the figures before any fit, never from a shipped
 * fit that saw it. And a fit to measurements that are not the profile's runtime (other runtimes' published
 * figures) moves only the figures the profile marks as estimates, and keeps the per-node overhead when asked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPlacement, fitCalibrationDetailed, uncalibrated, type CalibrationMeasurement } from '../../src/cost/calibrate.js';
import { estimateCost } from '../../src/cost/estimate.js';
import { DeviceProfileSchema, type DeviceProfile } from '../../src/profiles/schema.js';
import { makeAnalysis, makeProfile } from './fixtures.js';

// Conv-heavy models of three sizes plus a few elementwise nodes, so conv, elementwise, bandwidth and the
// per-node overhead all carry time.
const model = (scale: number) =>
  makeAnalysis({
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], macs: 4e8 * scale, bytesIn: 1e5 },
      { op: 'Relu', inputs: ['a'], outputs: ['b'], macs: 0, bytesIn: 4e6 * scale, bytesOut: 4e6 * scale },
      { op: 'Conv', inputs: ['b', 'w2'], outputs: ['c'], macs: 1e8 * scale, bytesIn: 1e5 },
      { op: 'Add', inputs: ['c', 'b'], outputs: ['d'], macs: 0, bytesIn: 8e6 * scale, bytesOut: 4e6 * scale },
    ],
    tensors: [
      { name: 'w1', shape: [8, 8, 3, 3], constant: true },
      { name: 'w2', shape: [8, 8, 1, 1], constant: true },
    ],
    inputs: ['x'],
    outputs: ['d'],
  });

/** Whole-model times of a device whose conv runs at 0.2 of peak and whose nodes cost 40 µs each. */
function measurements(): CalibrationMeasurement[] {
  const truth = makeProfile({ singleUnit: true });
  const u = truth.hardware.units[0]!;
  u.efficiency.conv!.float!.value = 0.2;
  u.perNodeOverheadUs.value = 40;
  return [0.25, 0.5, 1, 2, 4].map((s, i) => {
    const a = model(s);
    return { model: `m${i}.onnx`, analysis: a, measuredMs: estimateCost(a, cpuPlacement(a, 'test'), truth).latencyMs!.estimate };
  });
}

const OPTIONS = { runtime: { name: 'synthetic', version: '0' }, date: '2026-12-06' };
const unitOf = (p: DeviceProfile) => p.hardware.units[0]!;

describe('calibration.priors and uncalibrated', () => {
  it('a fit records what it replaced; undoing it gives back the original figures and no calibration block', () => {
    const original = makeProfile({ singleUnit: true, estimate: true });
    const fitted = fitCalibrationDetailed(measurements(), original, OPTIONS).profile;
    assert.notEqual(unitOf(fitted).efficiency.conv!.float!.value, 0.5, 'the fit moved conv/float');
    assert.equal(unitOf(fitted).efficiency.conv!.float!.source, 'edgegate-calibration');
    assert.deepEqual(fitted.calibration!.priors!.cpu!.efficiency!.conv!.float, original.hardware.units[0]!.efficiency.conv!.float);
    assert.ok(DeviceProfileSchema.safeParse(fitted).success, 'a profile with priors validates');
    const undone = uncalibrated(fitted);
    assert.equal(undone.calibration, undefined);
    assert.deepEqual(undone.hardware.units, original.hardware.units);
  });

  it('a second fit keeps the first fit\'s priors, so one undo reaches the original figures', () => {
    const original = makeProfile({ singleUnit: true, estimate: true });
    const once = fitCalibrationDetailed(measurements(), original, OPTIONS).profile;
    const twice = fitCalibrationDetailed(measurements().slice(1), once, OPTIONS).profile;
    assert.deepEqual(uncalibrated(twice).hardware.units, original.hardware.units);
  });

  it('a profile without calibration is returned as is', () => {
    const p = makeProfile({ singleUnit: true });
    assert.equal(uncalibrated(p), p);
  });
});

describe('fits to measurements that are not the profile\'s runtime', () => {
  it('onlyEstimates: documented figures stay as documented, estimates move', () => {
    const base = makeProfile({ singleUnit: true, estimate: true });
    // conv/float documented (a datasheet), elementwise/float an estimate; bandwidth documented (fixture default)
    unitOf(base).efficiency.conv!.float = { value: 0.5, source: 'test' };
    const free = fitCalibrationDetailed(measurements(), base, OPTIONS).profile;
    const held = fitCalibrationDetailed(measurements(), base, { ...OPTIONS, onlyEstimates: true }).profile;
    assert.ok(Math.abs(unitOf(free).efficiency.conv!.float!.value - 0.2) < 0.05, `free fit finds conv 0.2: ${unitOf(free).efficiency.conv!.float!.value}`);
    assert.deepEqual(unitOf(held).efficiency.conv!.float, { value: 0.5, source: 'test' });
    assert.deepEqual(unitOf(held).memoryBandwidthBytesPerSecond, unitOf(base).memoryBandwidthBytesPerSecond);
    assert.notEqual(unitOf(held).perNodeOverheadUs.value, 10, 'the overhead is an estimate here: it moves');
  });

  it('holdPerNodeOverhead keeps the overhead figure, which a free fit moves up from its 10 µs toward the true 40 µs', () => {
    const base = makeProfile({ singleUnit: true, estimate: true });
    const free = fitCalibrationDetailed(measurements(), base, OPTIONS);
    const held = fitCalibrationDetailed(measurements(), base, { ...OPTIONS, holdPerNodeOverhead: true });
    assert.ok(free.detail.overheadUs > 12, `free: ${free.detail.overheadUs}`);
    assert.deepEqual(unitOf(held.profile).perNodeOverheadUs, unitOf(base).perNodeOverheadUs);
  });

  it('calibration.proxy and calibration.forced are listed among every estimate\'s assumptions', () => {
    const a = model(1);
    const p = fitCalibrationDetailed(measurements(), makeProfile({ singleUnit: true, estimate: true }), OPTIONS).profile;
    const plain = estimateCost(a, cpuPlacement(a, 'test'), p).assumptions;
    assert.ok(!plain.some((x) => x.startsWith('calibration:')), plain.join('; '));
    const proxied = { ...p, calibration: { ...p.calibration!, proxy: 'fitted to published ncnn latencies', forced: { host: 'x86_64 EPYC', reason: 'arch' } } };
    const withNotes = estimateCost(a, cpuPlacement(a, 'test'), proxied).assumptions;
    assert.ok(withNotes.includes('calibration: fitted to published ncnn latencies'), withNotes.join('; '));
    assert.ok(withNotes.includes('calibration: timed on x86_64 EPYC, not on the device (--force)'), withNotes.join('; '));
  });
});
