import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RANGE_Z, estimateCost, rangeFrom, activationBandwidth, asTargetRuns, perInferenceOverhead } from '../../src/cost/estimate.js';
import { sourceWork } from '../../src/cost/work.js';
import type { ComputeUnit, Figure } from '../../src/profiles/schema.js';
import { makeAnalysis, makePlacement, makeProfile } from './fixtures.js';

const fig = (value: number, estimate = false): Figure => ({ value, source: 'test', ...(estimate ? { estimate: true, reasoning: 'test' } : {}) });

describe('range: 0 < low <= estimate <= high (table)', () => {
  const g = (...xs: [number, number][]): Map<string, { s: number; sigma: number }> => new Map(xs.map(([s, sigma], i) => [`g${i}`, { s, sigma }]));
  const cases: { name: string; totalS: number; groups: Map<string, { s: number; sigma: number }>; unknownDeltaS: number; residual: number; lowMs?: number }[] = [
    { name: 'one sourced group', totalS: 0.01, groups: g([0.01, Math.log(1.5)]), unknownDeltaS: 0, residual: 0, lowMs: 10 / 2.25 },
    // cortex-m7-tflm printed [-35.30–242.49] for an LSTM: the unknown nodes' saving was subtracted after scaling.
    { name: 'unknown nodes save most of the time (was negative)', totalS: 0.06075, groups: g([0.06075, Math.log(2)]), unknownDeltaS: 0.05, residual: 0, lowMs: (60.75 - 50) / 4 },
    { name: 'unknown nodes save all of it', totalS: 0.001, groups: g([0.001, Math.log(3)]), unknownDeltaS: 0.001, residual: 0 },
    { name: 'no groups, residual only', totalS: 0.002, groups: g(), unknownDeltaS: 0, residual: 0.1 },
    { name: 'many groups, calibrated', totalS: 1, groups: g([0.4, 0.05], [0.4, 0.05], [0.2, Math.log(3)]), unknownDeltaS: 0.1, residual: 0.02 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = rangeFrom({ totalS: c.totalS, groups: c.groups, unknownDeltaS: c.unknownDeltaS }, c.residual, 2);
      assert.ok(r.low > 0, `low ${r.low}`);
      assert.ok(r.low <= r.estimate && r.estimate <= r.high, JSON.stringify(r));
      if (c.lowMs !== undefined) assert.ok(Math.abs(r.low - c.lowMs) < 1e-9, `low ${r.low} expected ${c.lowMs}`);
    });
  }
  it('the default range is the 10th-90th percentile (z = 1.2816), not ±2σ', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e9 }], tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }], inputs: ['x'], outputs: ['y'] });
    const p = makeProfile({ singleUnit: true, estimate: true });
    const r = estimateCost(a, makePlacement(a, ['cpu-fallback']), p).latencyMs!;
    const two = estimateCost(a, makePlacement(a, ['cpu-fallback']), p, { rangeZ: 2 }).latencyMs!;
    assert.equal(DEFAULT_RANGE_Z, 1.2816);
    // One kernel: its efficiency group (σ ln 2) and the per-node overhead group share the time.
    const sigma = Math.log(two.high / two.estimate) / 2;
    assert.ok(Math.abs(Math.log(r.high / r.estimate) - DEFAULT_RANGE_Z * sigma) < 1e-9, JSON.stringify({ r, two }));
    assert.ok(r.low > 0 && r.low < r.estimate && r.high > r.estimate && r.high < two.high && r.low > two.low);
  });
  it('the range narrows with what is known about the figures: missing > estimate > sourced > calibrated (table)', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e9 }], tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }], inputs: ['x'], outputs: ['y'] });
    const missing = makeProfile({ singleUnit: true });
    missing.hardware.units[0]!.efficiency = {};
    const calibrated = { ...makeProfile({ singleUnit: true }), calibration: { date: '2026-12-06', tool: 't', runtime: { name: 'r', version: '1' }, method: 'm', models: [{ file: 'f', measuredMs: 1 }], uncertainty: { cpu: { conv: { float: 0.08 } } }, overheadSigma: { cpu: 0.08 }, residualSigma: 0.05 } };
    const rows = [
      { name: 'missing efficiency', profile: missing },
      { name: 'estimate: true', profile: makeProfile({ singleUnit: true, estimate: true }) },
      { name: 'sourced', profile: makeProfile({ singleUnit: true }) },
      { name: 'calibrated', profile: calibrated },
    ].map((r) => ({ ...r, range: estimateCost(a, makePlacement(a, ['cpu-fallback']), r.profile).latencyMs! }));
    for (const r of rows) assert.ok(r.range.low > 0 && r.range.low <= r.range.estimate && r.range.estimate <= r.range.high, `${r.name}: ${JSON.stringify(r.range)}`);
    const spans = rows.map((r) => r.range.high / r.range.low);
    for (let i = 1; i < rows.length; i++) assert.ok(spans[i]! < spans[i - 1]!, `${rows[i]!.name} (x${spans[i]!.toFixed(2)}) should be narrower than ${rows[i - 1]!.name} (x${spans[i - 1]!.toFixed(2)})`);
  });
  it('a model placed unknown on a two-unit profile keeps low > 0', () => {
    const a = makeAnalysis({ nodes: [{ op: 'LSTM', inputs: ['x'], outputs: ['y'], macs: 1e9, bytesIn: 1000, bytesOut: 1000 }], tensors: [], inputs: ['x'], outputs: ['y'] });
    const r = estimateCost(a, makePlacement(a, ['unknown']), makeProfile({ estimate: true })).latencyMs!;
    assert.ok(r.low > 0 && r.low <= r.estimate && r.estimate <= r.high, JSON.stringify(r));
  });
});

describe('QOperator and QDQ twins cost the same', () => {
  // A depthwise 3x3 conv over 32 channels, as QLinearConv (weight is input 3) and as DQ -> Conv -> Q.
  const C = 32;
  const common = [
    { name: 'xq', shape: [1, C, 56, 56], dtype: 2 },
    { name: 'yq', shape: [1, C, 56, 56], dtype: 2 },
    { name: 'wq', shape: [C, 1, 3, 3], dtype: 3, constant: true },
    { name: 's', shape: [], constant: true },
    { name: 'z', shape: [], constant: true, dtype: 2 },
    { name: 'ws', shape: [C], constant: true },
    { name: 'wz', shape: [C], constant: true, dtype: 3 },
  ];
  const macs = C * 56 * 56 * 9;
  const act = C * 56 * 56;
  const qop = makeAnalysis({
    nodes: [{ op: 'QLinearConv', inputs: ['xq', 's', 'z', 'wq', 'ws', 'wz', 's', 'z'], outputs: ['yq'], macs, bytesIn: act, bytesOut: act, weightBytes: C * 9, attrs: { group: C } }],
    tensors: common,
    inputs: ['xq'],
    outputs: ['yq'],
  });
  const qdq = makeAnalysis({
    nodes: [
      { op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['x'], otherOps: act, bytesIn: act, bytesOut: 4 * act },
      { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], otherOps: C * 9, bytesIn: C * 9, bytesOut: 4 * C * 9 },
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs, bytesIn: 4 * act, bytesOut: 4 * act, weightBytes: 4 * C * 9, attrs: { group: C } },
      { op: 'QuantizeLinear', inputs: ['y', 's', 'z'], outputs: ['yq'], otherOps: act, bytesIn: 4 * act, bytesOut: act },
    ],
    tensors: [...common, { name: 'x', shape: [1, C, 56, 56] }, { name: 'w', shape: [C, 1, 3, 3] }, { name: 'y', shape: [1, C, 56, 56] }],
    inputs: ['xq'],
    outputs: ['yq'],
  });
  it('both are one depthwise int8 kernel', () => {
    const p = makeProfile({ singleUnit: true });
    const kq = sourceWork(qop).filter((w) => !w.free && w.mergedAs === undefined);
    const kd = sourceWork(qdq).filter((w) => !w.free && w.mergedAs === undefined);
    assert.deepEqual(kq.map((w) => [w.opClass, w.dtype]), [['depthwise', 'int8']]);
    assert.deepEqual(kd.map((w) => [w.opClass, w.dtype]), [['depthwise', 'int8']]);
    const eq = estimateCost(qop, makePlacement(qop, ['cpu-fallback']), p).latencyMs!.estimate;
    const ed = estimateCost(qdq, makePlacement(qdq, ['cpu-fallback', 'cpu-fallback', 'cpu-fallback', 'cpu-fallback']), p).latencyMs!.estimate;
    assert.ok(Math.abs(eq / ed - 1) < 0.05, `QOp ${eq} ms vs QDQ ${ed} ms`);
  });
});

describe('figures as the device runs them', () => {
  const unit = (extra: Partial<ComputeUnit>): ComputeUnit => ({
    id: 'u', kind: 'cpu', name: 'u', clockHz: fig(1e9), peakMacsPerSecond: { float: fig(1e9) },
    memoryBandwidthBytesPerSecond: fig(1e9), perNodeOverheadUs: fig(1), efficiency: {}, ...extra,
  } as ComputeUnit);
  it('activations that fit the cache are charged at the cache bandwidth, larger ones at DRAM', () => {
    const p = makeProfile({ singleUnit: true });
    const u = unit({ cacheBytes: fig(1_000_000), cacheBandwidthBytesPerSecond: fig(5e10) });
    assert.equal(activationBandwidth(p, u, 999_999), 5e10);
    assert.equal(activationBandwidth(p, u, 1_000_001), 1e9);
    assert.equal(activationBandwidth(p, unit({}), 10), 1e9);
    assert.equal(activationBandwidth(p, unit({ onChipBandwidthBytesPerSecond: fig(7e10) }), 1e12), 7e10);
  });
  it('a unit that runs float as fp16 halves the bytes and uses the fp16 dtype', () => {
    const p = makeProfile({ singleUnit: true });
    const w = { index: 0, opType: 'Conv', opClass: 'conv' as const, dtype: 'float' as const, work: 100, macs: 100, bytes: 800, weightBytes: 400, owner: 0, free: false };
    const u = unit({ floatComputeDtype: { dtype: 'float16', source: 'test' } });
    assert.deepEqual(asTargetRuns(p, w, true, u), { ...w, dtype: 'float16', bytes: 400, weightBytes: 200 });
    assert.equal(asTargetRuns(p, w, true, unit({})), w);
  });
  it('per-inference overhead: calibration first, then the hardware figure, else none', () => {
    const p = makeProfile({ singleUnit: true });
    assert.equal(perInferenceOverhead(p).s, 0);
    const hw = { ...p, hardware: { ...p.hardware, perInferenceOverheadUs: fig(150, true) } };
    assert.equal(perInferenceOverhead(hw).s, 150e-6);
    assert.equal(perInferenceOverhead(hw).sigma, Math.log(2));
    const a = makeAnalysis({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], otherOps: 10, bytesIn: 40, bytesOut: 40 }], tensors: [], inputs: ['x'], outputs: ['y'] });
    const base = estimateCost(a, makePlacement(a, ['cpu-fallback']), p).latencyMs!.estimate;
    const withOv = estimateCost(a, makePlacement(a, ['cpu-fallback']), hw).latencyMs!.estimate;
    assert.ok(Math.abs(withOv - base - 0.15) < 1e-9, `${withOv} - ${base}`);
  });
});
