/**
 * Calibration details that decide held-out accuracy (issue 4 follow-up): the profiler's own cost per
 * kernel event, priors for op classes the calibration models do not exercise, and GEMV-shaped matrix
 * products kept out of the matmul efficiency. Expected numbers are computed by hand in comments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPlacement, fitCalibrationDetailed, profilerAndPerInference, UNOBSERVED_CLASS_REFERENCE } from '../../src/cost/calibrate.js';
import { estimateCost } from '../../src/cost/estimate.js';
import { makeAnalysis, makeProfile } from './fixtures.js';

describe('profilerAndPerInference', () => {
  const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b), `${a} vs ${b}`);
  const cases: [string, { measuredMs: number; kernelSumMs?: number; kernels: number }[], number, number][] = [
    // Σ kernels − measured = k × 0.002 ms − 0.01 ms exactly: 2 µs per event, 10 µs per inference.
    ['exact line', [{ measuredMs: 1, kernelSumMs: 1.01, kernels: 10 }, { measuredMs: 2, kernelSumMs: 2.03, kernels: 20 }, { measuredMs: 0.5, kernelSumMs: 0.59, kernels: 50 }], 2e-6, 1e-5],
    // the profile equals the runs: nothing to remove
    ['no bias', [{ measuredMs: 1, kernelSumMs: 1, kernels: 10 }, { measuredMs: 2, kernelSumMs: 2, kernels: 20 }, { measuredMs: 3, kernelSumMs: 3, kernels: 30 }], 0, 0],
    // two models are not enough: per-inference = lower quartile of measured − Σ kernels = max(0, 0.05) of [0.05, 0.1]
    ['two models: lower quartile of the gaps', [{ measuredMs: 1.05, kernelSumMs: 1, kernels: 10 }, { measuredMs: 2.1, kernelSumMs: 2, kernels: 20 }], 0, 5e-5],
    // a positive intercept (profile longer even with no kernels) has no meaning here: line through the origin,
    // slope Σw·k·y / Σw·k² with w = 1/measured² = 1: (10·0.03 + 20·0.04 + 30·0.05) / (100 + 400 + 900) = 2.6/1400 ms
    ['positive intercept: through the origin', [{ measuredMs: 1, kernelSumMs: 1.03, kernels: 10 }, { measuredMs: 1, kernelSumMs: 1.04, kernels: 20 }, { measuredMs: 1, kernelSumMs: 1.05, kernels: 30 }], 2.6 / 1400 / 1e3, 0],
  ];
  for (const [name, models, profilerS, perInferenceS] of cases) {
    it(name, () => {
      const r = profilerAndPerInference(models);
      near(r.profilerS, profilerS);
      near(r.perInferenceS, perInferenceS);
    });
  }
});

describe('classes the calibration models do not exercise', () => {
  // Conv-only models plus a batch-1 classifier MatMul (1e6 MACs over 1e6 float weights: reuse 1, a GEMV).
  const model = (scale: number) =>
    makeAnalysis({
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], macs: 4e8 * scale, bytesIn: 1e5 },
        { op: 'Conv', inputs: ['a', 'w2'], outputs: ['b'], macs: 1e8 * scale, bytesIn: 1e5 },
        { op: 'MatMul', inputs: ['b', 'w3'], outputs: ['c'], macs: 1e6, weightBytes: 4e6, bytesIn: 4e3, bytesOut: 4e3 },
      ],
      tensors: [
        { name: 'w1', shape: [8, 8, 3, 3], constant: true },
        { name: 'w2', shape: [8, 8, 1, 1], constant: true },
        { name: 'w3', shape: [1000, 1000], constant: true },
      ],
      inputs: ['x'],
      outputs: ['c'],
    });
  // The truth: conv at half its prior (0.25 vs 0.5); the GEMV's own speed varies by case.
  const fit = (gemvEfficiency: number) => {
    const truth = makeProfile({ singleUnit: true });
    truth.hardware.units[0]!.efficiency.conv!.float!.value = 0.25;
    truth.hardware.units[0]!.efficiency.matmul!.float!.value = gemvEfficiency;
    const ms = [1, 2, 0.5].map((s, i) => {
      const a = model(s);
      const est = estimateCost(a, cpuPlacement(a, 'test'), truth);
      return {
        model: `m${i}.onnx`,
        analysis: a,
        measuredMs: est.latencyMs!.estimate,
        kernelSumMs: est.latencyMs!.estimate,
        groups: est.perNode.filter((n) => n.latencyMs > 0).map((n) => ({ sourceNodes: [n.index], ms: n.latencyMs, kernels: 1 })),
      };
    });
    return fitCalibrationDetailed(ms, makeProfile({ singleUnit: true, estimate: true }), { runtime: { name: 's', version: '0' }, date: '2026-11-26' });
  };
  const cases: [string, number][] = [
    // GEMV compute 1e6 / (1e11 × 0.5) = 20 µs < its weights 4e6 / 1e10 = 400 µs: memory-bound anyway
    ['fast GEMV', 0.5],
    // GEMV compute 1e6 / (1e11 × 0.01) = 1 ms > 400 µs: compute-bound, but a GEMV says nothing about GEMMs
    ['slow GEMV', 0.01],
  ];
  for (const [name, gemv] of cases) {
    it(`${name}: matmul/float inherits conv's correction, 0.5 × (0.25 / 0.5) = 0.25`, () => {
      const { profile, detail } = fit(gemv);
      const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) / b <= 0.02, `${a} vs ${b}`);
      near(detail.efficiencies['conv/float']!, 0.25);
      near(detail.efficiencies['matmul/float']!, 0.25);
      const mm = profile.hardware.units[0]!.efficiency.matmul!.float!;
      assert.match(mm.note ?? '', /conv\/float/);
      // elementwise/float has no reference class and no evidence: its prior (0.1) stands
      assert.equal(profile.hardware.units[0]!.efficiency.elementwise!.float!.value, 0.1);
      assert.equal(detail.efficiencies['elementwise/float'], undefined);
    });
  }
  it('the reference table names only classes that exist and never itself', () => {
    for (const [cls, ref] of Object.entries(UNOBSERVED_CLASS_REFERENCE)) assert.notEqual(cls, ref);
  });
});
