import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitCalibrationDetailed, cpuPlacement } from '../../src/cost/calibrate.js';
import { estimateCost } from '../../src/cost/estimate.js';
import { mapToSourceGroups, parseOrtProfile } from '../../src/cost/ort-profile.js';
import { spearman } from '../../src/cost/stats.js';
import { DeviceProfileSchema } from '../../src/profiles/schema.js';
import type { OnnxGraph, OnnxNode } from '../../src/onnx/types.js';
import { makeAnalysis, makeProfile } from './fixtures.js';

function synthModel(scale: number) {
  // Conv-heavy, depthwise and elementwise nodes of varied sizes so every class is observed.
  return makeAnalysis({
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], macs: 4e8 * scale, bytesIn: 1e5 },
      { op: 'Conv', inputs: ['a', 'w2'], outputs: ['b'], macs: 5e7 * scale, bytesIn: 1e5, attrs: { group: 8 } },
      { op: 'Exp', inputs: ['b'], outputs: ['c'], otherOps: 1e5, bytesIn: 4e5 * scale, bytesOut: 4e5 * scale },
      { op: 'Conv', inputs: ['c', 'w3'], outputs: ['d'], macs: 1e8 * scale },
      { op: 'MatMul', inputs: ['d', 'w4'], outputs: ['d2'], macs: 1e6, weightBytes: 4e6 * scale, bytesIn: 4e3, bytesOut: 4e3 },
      { op: 'Reshape', inputs: ['d2'], outputs: ['e'] },
      { op: 'Exp', inputs: ['e'], outputs: ['f'], otherOps: 10, bytesIn: 40, bytesOut: 40 },
      { op: 'Exp', inputs: ['f'], outputs: ['g'], otherOps: 10, bytesIn: 40, bytesOut: 40 },
      { op: 'Exp', inputs: ['g'], outputs: ['h'], otherOps: 10, bytesIn: 40, bytesOut: 40 },
      { op: 'Exp', inputs: ['h'], outputs: ['i'], otherOps: 10, bytesIn: 40, bytesOut: 40 },
      { op: 'Exp', inputs: ['i'], outputs: ['j'], otherOps: 10, bytesIn: 40, bytesOut: 40 },
    ],
    tensors: [
      { name: 'w1', shape: [8, 8, 3, 3], constant: true },
      { name: 'w2', shape: [8, 1, 3, 3], constant: true },
      { name: 'w3', shape: [8, 8, 1, 1], constant: true },
      { name: 'w4', shape: [1000, 1000], constant: true },
    ],
    inputs: ['x'],
    outputs: ['j'],
  });
}

describe('fitCalibration', () => {
  it('recovers known efficiencies, bandwidth and overhead from per-node measurements of a synthetic device', () => {
    const truth = makeProfile({ singleUnit: true });
    const cpu = truth.hardware.units[0]!;
    cpu.efficiency.conv!.float!.value = 0.3;
    cpu.efficiency.depthwise!.float!.value = 0.05;
    cpu.memoryBandwidthBytesPerSecond.value = 1.5e10; // weights stream from DRAM
    cpu.perNodeOverheadUs.value = 3;
    // Activations at a higher (cache) bandwidth.
    truth.calibration = { date: '2026-11-26', tool: 't', runtime: { name: 'r', version: '1' }, method: 'm', models: [{ file: 'f', measuredMs: 1 }], uncertainty: {}, residualSigma: 0, activationBandwidthBytesPerSecond: { cpu: 4e10 } };
    const measurements = [1, 2, 0.5].map((s, i) => {
      const a = synthModel(s);
      const est = estimateCost(a, cpuPlacement(a, 'test'), truth);
      return {
        model: `m${i}.onnx`,
        analysis: a,
        measuredMs: est.latencyMs!.estimate,
        kernelSumMs: est.latencyMs!.estimate,
        groups: est.perNode.filter((n) => n.latencyMs > 0).map((n) => ({ sourceNodes: [n.index], ms: n.latencyMs })),
      };
    });
    const { profile, detail } = fitCalibrationDetailed(measurements, makeProfile({ singleUnit: true, estimate: true }), {
      runtime: { name: 'synthetic', version: '0' },
      date: '2026-11-26',
    });
    const near = (a: number, b: number, tol: number): void => assert.ok(Math.abs(a - b) / b <= tol, `${a} vs ${b}`);
    near(detail.efficiencies['conv/float']!, 0.3, 0.02);
    near(detail.efficiencies['depthwise/float']!, 0.05, 0.02);
    near(detail.bandwidth, 1.5e10, 0.05);
    near(detail.activationBandwidth, 4e10, 0.05);
    near(detail.overheadUs, 3, 0.05);
    for (const m of detail.models) near(m.estimatedMs, m.measuredMs, 0.02);
    // The result is a valid profile that records where it came from.
    assert.equal(DeviceProfileSchema.safeParse(profile).success, true);
    assert.equal(profile.calibration?.runtime.version, '0');
    assert.deepEqual(profile.calibration?.models.map((m) => m.file), ['m0.onnx', 'm1.onnx', 'm2.onnx']);
    assert.equal(profile.hardware.units[0]!.efficiency.conv!.float!.source, 'edgegate-calibration');
  });

  it('the residual σ counts the fitted parameters: it is not below the in-sample spread (a held-out model errs more)', () => {
    const truth = makeProfile({ singleUnit: true });
    const noise = [1.25, 0.8, 1.1, 0.9, 1.15, 0.85, 1.05, 0.95];
    const measurements = noise.map((f, i) => {
      const a = synthModel(0.5 + i / 4);
      return { model: `m${i}.onnx`, analysis: a, measuredMs: estimateCost(a, cpuPlacement(a, 'test'), truth).latencyMs!.estimate * f };
    });
    const { profile, detail } = fitCalibrationDetailed(measurements, makeProfile({ singleUnit: true, estimate: true }), { runtime: { name: 'synthetic', version: '0' }, date: '2026-11-26' });
    const logs = detail.models.map((m) => Math.log(m.measuredMs / m.estimatedMs));
    const inSample = Math.sqrt(logs.reduce((a, v) => a + v * v, 0) / logs.length);
    const sigma = profile.calibration!.residualSigma;
    assert.ok(inSample > 0.03, `in-sample spread ${inSample}`);
    assert.ok(sigma > 1.1 * inSample, `residual σ ${sigma} vs in-sample RMS ${inSample}`);
  });

  it('refuses to fit nothing', () => {
    assert.throws(() => fitCalibrationDetailed([], makeProfile(), { runtime: { name: 'r', version: '1' } }), { name: 'CalibrationError' });
  });
});

function node(index: number, name: string, opType: string, inputs: string[], outputs: string[], domain = ''): OnnxNode {
  return { index, name, opType, domain, inputs, outputs, attributes: new Map() };
}
function graph(nodes: OnnxNode[], inputs: string[], initializers: string[] = []): OnnxGraph {
  return {
    name: 'g',
    nodes,
    inputs: inputs.map((name) => ({ name, kind: 'tensor', dtype: 1, shape: [1] })),
    outputs: [],
    valueInfo: [],
    initializers: new Map(initializers.map((n) => [n, { name: n, dtype: 1, dims: [1], elementCount: 1, byteLength: 4, payload: { kind: 'none' } }])),
  };
}

describe('ORT profile → source groups', () => {
  const trace = [
    { cat: 'Session', name: 'session_initialization', dur: 1000, args: {} },
    { cat: 'Node', name: 'r_nchwc_fence_before', dur: 1, args: { node_index: '7', op_name: 'Conv' } },
    { cat: 'Node', name: 'r_nchwc_kernel_time', dur: 100, args: { node_index: '7', op_name: 'Conv', provider: 'CPUExecutionProvider' } },
    { cat: 'Node', name: 'r_nchwc_kernel_time', dur: 50, args: { node_index: '7', op_name: 'Conv' } },
    { cat: 'Node', name: 'r_nchwc_kernel_time', dur: 60, args: { node_index: '7', op_name: 'Conv' } },
    { cat: 'Node', name: 'ReorderOutput_1_kernel_time', dur: 10, args: { node_index: '8', op_name: 'ReorderOutput' } },
    { cat: 'Node', name: 'Exp_9_kernel_time', dur: 5, args: { node_index: '9', op_name: 'Exp' } },
    { cat: 'Node', name: 'Exp_9_fence_after', dur: 1, args: { node_index: '9', op_name: 'Exp' } },
  ];
  it('counts only *_kernel_time events, keyed by node_index, median over runs after skipping warm-up', () => {
    const k = parseOrtProfile(trace, 'p.json', 1);
    assert.deepEqual(k.map((x) => [x.nodeIndex, x.name, x.medianUs, x.runs]), [['7', 'r_nchwc', 55, 2], ['8', 'ReorderOutput_1', 10, 1], ['9', 'Exp_9', 5, 1]]);
  });
  it('maps fused NCHWc kernels and created nodes back to source groups, with coverage', () => {
    const source = graph(
      [node(0, 'conv', 'Conv', ['x', 'w'], ['c']), node(1, 'relu', 'Relu', ['c'], ['r']), node(2, 'exp', 'Exp', ['r'], ['e'])],
      ['x'],
      ['w'],
    );
    const optimized = graph(
      [
        node(0, 'r_nchwc', 'Conv', ['x', 'w'], ['tok1'], 'com.microsoft.nchwc'),
        node(1, 'ReorderOutput_1', 'ReorderOutput', ['tok1'], ['r'], 'com.microsoft.nchwc'),
        // The optimizer's own node: a name in the profile, none in the saved model.
        node(2, '', 'Exp', ['r'], ['e']),
      ],
      ['x'],
      ['w'],
    );
    const m = mapToSourceGroups(source, optimized, parseOrtProfile(trace, 'p.json', 1));
    assert.deepEqual(m.groups.map((g) => [g.sourceNodes, g.kernels.sort(), g.us]), [[[0, 1], ['ReorderOutput_1', 'r_nchwc'], 65], [[2], ['Exp_9'], 5]]);
    assert.equal(m.coverage.timeShare, 1);
    assert.equal(m.coverage.sourceNodesCovered, 3);
    assert.deepEqual(m.unmapped, []);
  });
  it('reports kernels it cannot map as uncovered time', () => {
    const source = graph([node(0, 'exp', 'Exp', ['x'], ['e'])], ['x']);
    const optimized = graph([node(0, 'exp', 'Exp', ['x'], ['e'])], ['x']);
    const m = mapToSourceGroups(source, optimized, [
      { nodeIndex: '0', name: 'exp', op: 'Exp', provider: '', medianUs: 30, runs: 1 },
      { nodeIndex: '5', name: 'mystery', op: 'Foo', provider: '', medianUs: 10, runs: 1 },
    ]);
    assert.equal(m.coverage.timeShare, 0.75);
    assert.deepEqual(m.unmapped.map((u) => u.name), ['mystery']);
  });
  it('rejects a profile that is not a trace array', () => {
    assert.throws(() => parseOrtProfile({}, 'bad.json'), { name: 'OrtProfileError', message: /bad\.json/ });
  });
});

describe('spearman', () => {
  it('is 1 for monotone data, -1 for reversed, and handles ties', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1);
    assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
    assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - 0.8660254) < 1e-6);
  });
});
