import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { enoughRuns, medianSpread, timeUntilStable, type StopRule } from '../../src/parity/timing.js';

const rule: StopRule = { warmup: 1, minRuns: 3, maxRuns: 10, stableWithin: 0.03 };

describe('timing until the median is stable', () => {
  const cases: [string, number[], boolean][] = [
    ['fewer than minRuns never stop', [1, 1], false],
    ['identical runs stop at minRuns', [1, 1, 1], true],
    ['a spread median keeps going', [1, 2, 1.5, 1.2], false],
    ['1 % noise stops', [1, 1.01, 0.99, 1.005, 0.995], true],
    ['maxRuns stops whatever the spread', [1, 2, 1, 2, 1, 2, 1, 2, 1, 2], true],
  ];
  for (const [name, times, stop] of cases) it(`enoughRuns: ${name}`, () => assert.equal(enoughRuns(times, rule), stop));

  it('medianSpread: the notch half-width 1.58 IQR / sqrt(n), relative to the median', () => {
    const s = medianSpread([1, 2, 3, 4, 5]);
    assert.equal(s.median, 3);
    assert.ok(Math.abs(s.relHalfWidth - (1.58 * 2) / Math.sqrt(5) / 3) < 1e-12);
    assert.equal(medianSpread([2, 2]).relHalfWidth, Infinity);
  });

  const runs: [string, (i: number) => { wallMs: number; cpuMs?: number }, number][] = [
    ['steady CPU time: minRuns', () => ({ wallMs: 1 + Math.random(), cpuMs: 1 }), 3],
    ['noisy wall-clock without CPU time: maxRuns', (i) => ({ wallMs: i % 2 ? 1 : 2 }), 10],
    ['noise that settles: between', (i) => ({ wallMs: i < 4 ? [5, 1, 9, 2][i]! : 1 }), 9],
  ];
  for (const [name, gen, expected] of runs) {
    it(`timeUntilStable: ${name} (warm-up runs untimed)`, async () => {
      let i = 0;
      const t = await timeUntilStable(async () => gen(i++), rule);
      assert.equal(t.wallMs.length, expected);
      assert.equal(i, expected + rule.warmup);
    });
  }
});
