import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TOLERANCES, compareTensors, toleranceFor } from '../../src/parity/metrics.js';
import type { HostTensor } from '../../src/parity/tensor.js';

const f32 = (xs: number[], dims = [xs.length]): HostTensor => ({ type: 'float32', dims, data: Float32Array.from(xs) });
const i8 = (xs: number[]): HostTensor => ({ type: 'int8', dims: [xs.length], data: Int8Array.from(xs) });

describe('compareTensors', () => {
  it('identical tensors: identical, null SNR and cosine, pass', () => {
    const m = compareTensors(f32([1, -2, 3]), f32([1, -2, 3]), { tolerance: { atol: 0, rtol: 0 } });
    assert.equal(m.identical, true);
    assert.equal(m.snrDb, null);
    assert.equal(m.cosine, null);
    assert.equal(m.maxAbs, 0);
    assert.equal(m.pass, true);
  });

  // Polygraphy elementwise: fail only where BOTH |a-b| > atol AND |a-b| > rtol*|b|.
  const cases: { name: string; a: number[]; b: number[]; atol: number; rtol: number; pass: boolean; failing: number }[] = [
    { name: 'within atol, beyond rtol', a: [0.00105], b: [0.001], atol: 1e-4, rtol: 1e-3, pass: true, failing: 0 },
    { name: 'beyond atol, within rtol', a: [1000.05], b: [1000], atol: 1e-3, rtol: 1e-4, pass: true, failing: 0 },
    { name: 'beyond both', a: [1.1], b: [1], atol: 1e-3, rtol: 1e-3, pass: false, failing: 1 },
    { name: 'reference zero uses eps', a: [1e-3], b: [0], atol: 1e-4, rtol: 1e9, pass: false, failing: 1 },
    { name: 'counts failing elements', a: [1, 2.5, 3.5], b: [1, 2, 3], atol: 0.1, rtol: 0.1, pass: false, failing: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = compareTensors(f32(c.a), f32(c.b), { tolerance: { atol: c.atol, rtol: c.rtol } });
      assert.equal(m.pass, c.pass);
      assert.equal(m.failing, c.failing);
    });
  }

  it('computes max/mean abs, relative L2, cosine and SNR in float64', () => {
    const m = compareTensors(f32([1, 2, 3, 4]), f32([1, 2, 3, 5]), { tolerance: { atol: 0, rtol: 0 } });
    assert.equal(m.maxAbs, 1);
    assert.equal(m.meanAbs, 0.25);
    assert.ok(Math.abs(m.relL2! - 1 / Math.sqrt(39)) < 1e-12);
    assert.ok(Math.abs(m.snrDb! - 10 * Math.log10(39)) < 1e-9);
    assert.ok(Math.abs(m.cosine! - 34 / Math.sqrt(30 * 39)) < 1e-12);
  });

  it('NaN on one side fails and nulls the statistics', () => {
    const m = compareTensors(f32([NaN, 1]), f32([0, 1]), { tolerance: { atol: 1, rtol: 1 } });
    assert.equal(m.pass, false);
    assert.equal(m.maxAbs, null);
    assert.equal(m.reason, 'NAN_MISMATCH');
  });

  it('NaN on both sides counts as equal', () => {
    assert.equal(compareTensors(f32([NaN, 1]), f32([NaN, 1]), { tolerance: { atol: 0, rtol: 0 } }).pass, true);
  });

  it('shape mismatch fails with a reason', () => {
    const m = compareTensors(f32([1, 2], [2, 1]), f32([1, 2], [1, 2]), { tolerance: { atol: 1, rtol: 1 } });
    assert.equal(m.pass, false);
    assert.equal(m.reason, 'SHAPE_MISMATCH');
  });

  it('quantized tensors: a rare one-step difference passes, two steps fail; rmse/scale in steps', () => {
    const tol = DEFAULT_TOLERANCES.int8;
    const ref = Array.from({ length: 1000 }, (_, i) => (i % 200) - 100);
    const rare = ref.map((v, i) => (i === 7 ? v + 1 : v));
    const one = compareTensors(i8(rare), i8(ref), { tolerance: tol, scale: 1 });
    assert.equal(one.pass, true);
    assert.ok(Math.abs(one.rmseOverScale! - Math.sqrt(1 / 1000)) < 1e-12);
    const two = compareTensors(i8(ref.map((v, i) => (i === 7 ? v + 2 : v))), i8(ref), { tolerance: tol, scale: 1 });
    assert.equal(two.pass, false);
  });

  it('quantized tensors: a systematic one-step shift (a 1% weight error) fails on rmse/scale', () => {
    const ref = Array.from({ length: 1000 }, (_, i) => (i % 200) - 100);
    const shifted = ref.map((v, i) => (i % 3 === 0 ? v + 1 : v));
    const m = compareTensors(i8(shifted), i8(ref), { tolerance: DEFAULT_TOLERANCES.int8, scale: 1 });
    assert.equal(m.failing, 0, 'no element beyond one step');
    assert.equal(m.pass, false);
    assert.equal(m.reason, 'RMSE_STEPS');
  });

  it('float tolerance scales with the tensor range (small-valued layers still catch a 1% error)', () => {
    const ref = Array.from({ length: 100 }, (_, i) => Math.sin(i) * 1e-6);
    const off = compareTensors(f32(ref.map((v) => v * 1.01)), f32(ref), { tolerance: DEFAULT_TOLERANCES.float32 });
    assert.equal(off.pass, false);
    const noise = compareTensors(f32(ref.map((v) => v * (1 + 1e-7))), f32(ref), { tolerance: DEFAULT_TOLERANCES.float32 });
    assert.equal(noise.pass, true);
    // Plain Polygraphy semantics when atolRange is 0: a fixed atol of 1e-4 misses it.
    assert.equal(compareTensors(f32(ref.map((v) => v * 1.01)), f32(ref), { tolerance: { atol: 1e-4, rtol: 1e-4 } }).pass, true);
  });
});

describe('toleranceFor', () => {
  it('uses per-dtype defaults, per-tensor overrides win', () => {
    assert.deepEqual(toleranceFor('x', 'float32'), DEFAULT_TOLERANCES.float32);
    assert.deepEqual(toleranceFor('x', 'float32', { byTensor: { x: { atol: 5, rtol: 6 } } }), { atol: 5, rtol: 6 });
    assert.deepEqual(toleranceFor('x', 'int64'), { atol: 0, rtol: 0 });
  });
  it('dequantized floats get one quantization step of absolute tolerance', () => {
    const t = toleranceFor('x', 'float32', {}, 0.05);
    assert.ok(t.atol >= 0.05 && t.atol <= 0.0505);
    assert.equal(t.atolRange, undefined, 'judged in steps, not by range');
  });
});
