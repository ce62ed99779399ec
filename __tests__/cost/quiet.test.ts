import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isQuiet, openSpeedSentinel, QUIET_TOLERANCE, sampleQuietly, type SpeedSentinel } from '../../src/cost/quiet.js';
import { sentinelCase } from '../../src/cost/kernel-grid.js';

/** A sentinel that reads a scripted sequence (the real one times a grid kernel). */
function scriptedSentinel(readings: readonly number[]): SpeedSentinel & { reads: number } {
  let i = 0;
  let floorMs = Infinity;
  return {
    id: 'scripted',
    reads: 0,
    get floorMs() {
      return floorMs;
    },
    async read() {
      const ms = readings[Math.min(i++, readings.length - 1)]!;
      this.reads++;
      floorMs = Math.min(floorMs, ms);
      return ms;
    },
    async release() {},
  };
}

describe('isQuiet: a sample counts when the sentinel read within the tolerance of its fastest reading', () => {
  const rows: [string, number, number, number, boolean][] = [
    ['at the floor', 0.095, 0.095, QUIET_TOLERANCE, true],
    ['the quiet phase spread (+11 %)', 0.105, 0.095, QUIET_TOLERANCE, true],
    ['exactly at the tolerance', 1.15, 1, 0.15, true],
    ['the disturbed phase (+33 %)', 0.126, 0.095, QUIET_TOLERANCE, false],
    ['just over the tolerance', 1.1501, 1, 0.15, false],
    ['no reading yet (floor Infinity)', 0.1, Infinity, QUIET_TOLERANCE, false],
    ['a tighter tolerance', 0.104, 0.1, 0.03, false],
  ];
  for (const [name, reading, floor, tol, want] of rows) it(name, () => assert.equal(isQuiet(reading, floor, tol), want));
});

describe('sampleQuietly', () => {
  it('rounds outside, subjects inside, a reading before and after each sample, the slower one recorded', async () => {
    // Round 1: a quiet (0.10/0.10), b disturbed after (0.10/0.13). Round 2: a (0.10/0.10), b (0.10/0.10).
    const sentinel = scriptedSentinel([0.1, 0.1, 0.1, 0.13, 0.1, 0.1, 0.1, 0.1]);
    const order: string[] = [];
    const { samples, record } = await sampleQuietly(['a', 'b'], (x) => x, async (x) => (order.push(x), x.length), sentinel, { rounds: 2 });
    assert.deepEqual(order, ['a', 'b', 'a', 'b']);
    assert.deepEqual(samples.get('b')!.map((x) => x.sentinelMs), [0.13, 0.1]);
    assert.equal(record.samples, 4);
    assert.equal(record.disturbed, 1);
    assert.equal(record.extraRounds, 0);
    assert.deepEqual(record.withoutQuietSample, []);
  });
  it('times again only the subjects without an undisturbed sample, and stops at the extra-round budget', async () => {
    // 'b' runs disturbed in its round; the extra round (b only) is quiet.
    const sentinel = scriptedSentinel([0.1, 0.1, 0.14, 0.14, 0.1, 0.1]);
    const order: string[] = [];
    const { record } = await sampleQuietly(['a', 'b'], (x) => x, async (x) => order.push(x), sentinel, { rounds: 1 });
    assert.deepEqual(order, ['a', 'b', 'b']);
    assert.equal(record.extraRounds, 1);
    assert.deepEqual(record.withoutQuietSample, []);
    // A machine that never quietens again: at most maxExtraRounds more, then the subject is named.
    const slow = scriptedSentinel([0.1, 0.1, 0.14]);
    const r2 = await sampleQuietly(['a', 'b'], (x) => x, async () => 0, slow, { rounds: 1, maxExtraRounds: 2 });
    assert.equal(r2.record.extraRounds, 2);
    assert.deepEqual(r2.record.withoutQuietSample, ['b']);
    assert.equal(r2.samples.get('b')!.length, 3);
    assert.equal(r2.record.disturbed, 3);
  });
});

describe('openSpeedSentinel (onnxruntime-node)', () => {
  it('times the sentinel grid case and keeps its fastest reading as the floor', async () => {
    const s = await openSpeedSentinel();
    try {
      const a = await s.read();
      const b = await s.read();
      assert.equal(s.id, sentinelCase().id);
      assert.ok(a > 0 && b > 0, `${a} ${b}`);
      assert.equal(s.floorMs, Math.min(a, b));
    } finally {
      await s.release();
    }
  });
});
