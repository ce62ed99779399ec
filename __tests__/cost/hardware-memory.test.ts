/**
 * Where bytes live (issue 4 follow-up): on-chip activation bandwidth, the accelerator's weight cache and
 * the weights streamed past it, integer I/O on full-integer converted targets, and signed-int8 QDQ units
 * that onnxruntime's x86-64 CPU EP does not fuse. Every expected number is computed by hand in a comment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost, roofline, STREAMED_WEIGHTS, weightCacheSplit } from '../../src/cost/estimate.js';
import type { ComputeUnit, DeviceProfile, Figure } from '../../src/profiles/schema.js';
import { makeAnalysis, makePlacement, makeProfile } from './fixtures.js';

const fig = (value: number): Figure => ({ value, source: 'test' });

describe('weightCacheSplit: the cache fills in execution order', () => {
  const cases: [string, number, [number, number][], [number, number, number][]][] = [
    ['all fit', 100, [[0, 40], [1, 40]], [[0, 40, 0], [1, 40, 0]]],
    ['the third spills', 10, [[0, 4], [1, 4], [2, 4]], [[0, 4, 0], [1, 4, 0], [2, 2, 2]]],
    ['no cache: everything streams', 0, [[5, 7]], [[5, 0, 7]]],
    ['exactly full', 8, [[0, 8], [1, 3]], [[0, 8, 0], [1, 0, 3]]],
  ];
  for (const [name, cache, inOrder, expected] of cases) {
    it(name, () => {
      const split = weightCacheSplit(cache, inOrder);
      assert.deepEqual(
        expected.map(([n]) => [n, split.get(n)!.cachedWeightBytes, split.get(n)!.streamedWeightBytes]),
        expected,
      );
    });
  }
});

describe('roofline memory term with an on-chip bandwidth', () => {
  // 1e6 bytes of which 4e5 are weights; off-chip 1e9 B/s, on-chip 1e10 B/s; no work.
  const base = makeProfile();
  const unit = (onChip?: number): ComputeUnit => ({ ...base.hardware.units[1]!, memoryBandwidthBytesPerSecond: fig(1e9), ...(onChip ? { onChipBandwidthBytesPerSecond: fig(onChip) } : {}) });
  const w = { opClass: 'conv' as const, dtype: 'int8' as const, work: 0, bytes: 1e6, weightBytes: 4e5 };
  const cases: [string, number | undefined, { cachedWeightBytes: number; streamedWeightBytes: number } | undefined, number][] = [
    // 4e5/1e9 + 6e5/1e9 = 1e-3 s
    ['no on-chip figure: everything off chip', undefined, undefined, 1e-3],
    // weights off chip 4e5/1e9 = 4e-4, activations on chip 6e5/1e10 = 6e-5
    ['activations on chip, weights off chip', 1e10, undefined, 4.6e-4],
    // everything on chip: 1e6/1e10 = 1e-4
    ['weights cached on chip', 1e10, { cachedWeightBytes: 4e5, streamedWeightBytes: 0 }, 1e-4],
    // 1e5 cached + 6e5 activations on chip = 7e-5; the 3e5 streamed are a transfer, not in this term
    ['weights partly streamed', 1e10, { cachedWeightBytes: 1e5, streamedWeightBytes: 3e5 }, 7e-5],
  ];
  for (const [name, onChip, split, memoryS] of cases) {
    it(name, () => {
      const r = roofline(base, unit(onChip), w, undefined, split);
      assert.ok(Math.abs(r.memoryS - memoryS) < 1e-12, `${r.memoryS} vs ${memoryS}`);
      assert.equal(r.computeS, 0);
    });
  }
});

describe('Edge-TPU-like target: weight cache, streamed weights and integer I/O', () => {
  // x (float, 100 elements) → Conv A (800 B int8 weights) → Conv B (800 B) → y (float, 100 elements), both
  // on the NPU; cache 1000 B: A cached, B 200 cached + 600 streamed.
  const analysis = makeAnalysis({
    nodes: [
      { op: 'Conv', inputs: ['x', 'wa'], outputs: ['h'], bytesIn: 100, bytesOut: 100, weightBytes: 800 },
      { op: 'Conv', inputs: ['h', 'wb'], outputs: ['y'], bytesIn: 100, bytesOut: 100, weightBytes: 800 },
    ],
    tensors: [
      { name: 'x', shape: [100] },
      { name: 'h', shape: [100] },
      { name: 'y', shape: [100] },
      { name: 'wa', shape: [800], dtype: 3, constant: true },
      { name: 'wb', shape: [800], dtype: 3, constant: true },
    ],
    inputs: ['x'],
    outputs: ['y'],
  });
  const profile = (cache: number | null, integer: boolean): DeviceProfile => {
    const p = makeProfile();
    const hw = p.hardware as { acceleratorWeightCacheBytes?: Figure };
    if (cache !== null) hw.acceleratorWeightCacheBytes = fig(cache);
    if (integer) (p as { conversion?: unknown }).conversion = { tool: 'test', quantization: 'full-integer' };
    return p;
  };
  const placement = makePlacement(analysis, ['accelerated', 'accelerated']);
  const cases: [string, number | null, boolean, number, number[]][] = [
    // streamed 600 B; float I/O: x 400 B and y 400 B cross the link
    ['float target, 1000 B cache', 1000, false, 600, [400, 400]],
    // full-integer target: float weights become int8 (200 B each), so a 300 B cache holds A and 100 B of B;
    // the link carries int8 I/O (100 B each way)
    ['integer target, 300 B cache', 300, true, 100, [100, 100]],
    // 400 B of int8 weights in a 1000 B cache: nothing streams
    ['integer target, 1000 B cache', 1000, true, 0, [100, 100]],
    // no cache figure: weights are read through memoryBandwidthBytesPerSecond, no streaming transfer
    ['no cache figure', null, true, 0, [100, 100]],
  ];
  for (const [name, cache, integer, streamed, io] of cases) {
    it(name, () => {
      const est = estimateCost(analysis, placement, profile(cache, integer));
      const s = est.transfers.filter((t) => t.tensor === STREAMED_WEIGHTS);
      assert.equal(s.reduce((a, t) => a + t.bytes, 0), streamed);
      if (streamed > 0) {
        // 600 B at the cpu→npu link's 1e9 B/s = 6e-7 s, no fixed cost
        assert.ok(Math.abs(s[0]!.latencyMs - (streamed / 1e9) * 1e3) < 1e-12);
        assert.deepEqual([s[0]!.from, s[0]!.to], ['cpu', 'npu']);
      }
      assert.deepEqual(est.transfers.filter((t) => t.tensor !== STREAMED_WEIGHTS).map((t) => t.bytes), io);
    });
  }
});

describe('signed int8 QDQ units on onnxruntime x86-64 (signedInt8Unfused)', () => {
  // DQ(xq) → x, DQ(wq) → w, Conv(x, w) → y, Q(y) → yq
  const conv = (actDtype: number) =>
    makeAnalysis({
      nodes: [
        { op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['x'], otherOps: 64, bytesIn: 64, bytesOut: 256 },
        { op: 'DequantizeLinear', inputs: ['wq', 's', 'zw'], outputs: ['w'], otherOps: 16, bytesIn: 16, bytesOut: 64 },
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 256, bytesIn: 256, bytesOut: 256, weightBytes: 64 },
        { op: 'QuantizeLinear', inputs: ['y', 's', 'z'], outputs: ['yq'], otherOps: 64, bytesIn: 256, bytesOut: 64 },
      ],
      tensors: [
        { name: 'xq', shape: [1, 4, 4, 4], dtype: actDtype },
        { name: 'x', shape: [1, 4, 4, 4] },
        { name: 'wq', shape: [4, 4, 1, 1], dtype: 3, constant: true },
        { name: 'w', shape: [4, 4, 1, 1] },
        { name: 'y', shape: [1, 4, 4, 4] },
        { name: 'yq', shape: [1, 4, 4, 4], dtype: actDtype },
        { name: 's', shape: [], constant: true },
        { name: 'z', shape: [], constant: true, dtype: actDtype },
        { name: 'zw', shape: [], constant: true, dtype: 3 },
      ],
      inputs: ['xq'],
      outputs: ['yq'],
    });
  const kernels = (actDtype: number, unfused: string[] | null): { n: number; dtypes: string[] } => {
    const a = conv(actDtype);
    const p = makeProfile({ singleUnit: true });
    (p.runtime as { executionProvider?: string }).executionProvider = 'CPU';
    if (unfused) (p.hardware.units[0] as { signedInt8Unfused?: unknown }).signedInt8Unfused = { ops: unfused, source: 'test' };
    const est = estimateCost(a, makePlacement(a, ['cpu-fallback', 'cpu-fallback', 'cpu-fallback', 'cpu-fallback']), p);
    const live = est.perNode.filter((n) => n.latencyMs > 0);
    return { n: live.length, dtypes: live.filter((n) => n.op === 'Conv').map((n) => n.dtype) };
  };
  const cases: [string, number, string[] | null, number, string][] = [
    ['u8 activations fuse into one integer kernel', 2, ['Conv', 'MatMul'], 1, 'int8'],
    // the unit is not fused: both DQs, a float Conv and the Q are kernels of their own (the fixture's weight DQ
    // output is not a known constant, so nothing folds it)
    ['s8 activations on x86-64 stay DQ → float Conv → Q', 3, ['Conv', 'MatMul'], 4, 'float'],
    ['s8 activations where the runtime fuses them (ARM)', 3, null, 1, 'int8'],
    ['s8 activations, only MatMul listed', 3, ['MatMul'], 1, 'int8'],
  ];
  for (const [name, dt, unfused, n, convDtype] of cases) {
    it(name, () => {
      const k = kernels(dt, unfused);
      assert.equal(k.n, n);
      assert.deepEqual(k.dtypes, [convDtype]);
    });
  }
});
