import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curveSeconds, fitCurve, predictLnEfficiency, ridgeLine, type CurveSample } from '../../src/cost/curve-fit.js';

const RATE = 1e11;
/** Samples of time = fixed + work / (rate · exp(c0 + c·x)) on a grid of two log2 features. */
function synth(fixedS: number, c: readonly number[], grid: readonly (readonly number[])[]): CurveSample[] {
  return grid.map((x) => {
    const work = 2 ** (x[0]! + x[1]!) * 1e3;
    return { x, work, rate: RATE, seconds: fixedS + work / (RATE * Math.exp(c[0]! + c[1]! * x[0]! + c[2]! * x[1]!)) };
  });
}
const GRID: number[][] = [];
for (const a of [2, 3, 4, 5, 6]) for (const b of [4, 6, 8]) GRID.push([a, b]);
const rel = (a: number, b: number): number => Math.abs(a / b - 1);

describe('kernel curve fit: synthetic points -> the curve that made them', () => {
  const table: [string, number, number[]][] = [
    ['flat efficiency, no fixed cost', 0, [Math.log(0.3), 0, 0]],
    ['efficiency rising with both sizes, no fixed cost', 0, [Math.log(0.05), 0.2, 0.1]],
    ['a 5 us fixed cost and a rising efficiency', 5e-6, [Math.log(0.05), 0.2, 0.1]],
    ['a 20 us fixed cost that dominates small kernels', 20e-6, [Math.log(0.2), 0, 0.05]],
  ];
  for (const [name, fixedS, c] of table) {
    it(name, () => {
      const samples = synth(fixedS, c, GRID);
      const f = fitCurve(samples);
      // The fixed cost is found among fractions of the smallest time: within one step (10 % of it).
      const tMin = Math.min(...samples.map((s) => s.seconds));
      assert.ok(Math.abs(f.fixedUs * 1e-6 - fixedS) <= 0.1 * tMin + 1e-9, `fixed ${f.fixedUs} us, truth ${fixedS * 1e6}`);
      // Every grid point comes back (residuals are added back near their points).
      for (const s of samples) assert.ok(rel(curveSeconds(f, s.x, s.work, RATE), s.seconds) < 0.02, `at [${s.x}]`);
      // Between grid points the curve follows the truth.
      for (const x of [[2.5, 5], [4.5, 7], [5.5, 4.5]]) {
        const [t] = synth(fixedS, c, [x]);
        assert.ok(rel(curveSeconds(f, x, t!.work, RATE), t!.seconds) < 0.08, `between points at [${x}]: ${curveSeconds(f, x, t!.work, RATE)} vs ${t!.seconds}`);
      }
      assert.ok(f.sigma < 0.12, `leave-one-out sigma ${f.sigma}`);
    });
  }
  it('few points: one efficiency, no slope, no fixed cost, a wide sigma', () => {
    const f = fitCurve(synth(0, [Math.log(0.1), 0.3, 0], [[2, 4], [5, 4]]));
    assert.deepEqual(f.coefficients.slice(1), [0, 0]);
    assert.equal(f.fixedUs, 0);
    assert.equal(f.sigma, Number(Math.log(1.25).toPrecision(4)));
  });
  it('extrapolation stays within a factor 2 of the efficiencies seen', () => {
    const f = fitCurve(synth(0, [Math.log(0.01), 0.5, 0.5], GRID));
    const effs = f.points.map((p) => p[2]!);
    const far = Math.exp(predictLnEfficiency(f.coefficients, f.points, [30, 30]));
    assert.ok(far <= 2 * Math.max(...effs) * 1.0001, `${far}`);
  });
  it('noise: a point 2x off moves its neighbourhood, not the whole curve', () => {
    const samples = synth(0, [Math.log(0.2), 0, 0], GRID).map((s, i) => (i === 7 ? { ...s, seconds: s.seconds * 2 } : s));
    const f = fitCurve(samples);
    const far = samples[0]!;
    assert.ok(rel(curveSeconds(f, far.x, far.work, RATE), far.seconds) < 0.1);
  });
  it('ridgeLine recovers an exact line when the data outweigh the ridge', () => {
    const xs = Array.from({ length: 40 }, (_, i) => [i / 4]);
    const c = ridgeLine(xs, xs.map((x) => 1 + 2 * x[0]!), 1e-6);
    assert.ok(Math.abs(c[0]! - 1) < 1e-4 && Math.abs(c[1]! - 2) < 1e-4, `${c}`);
  });
  it('refuses samples without positive work, rate and time', () => {
    assert.throws(() => fitCurve([]), RangeError);
    assert.throws(() => fitCurve([{ x: [1], work: 0, rate: 1, seconds: 1 }]), RangeError);
  });
});
