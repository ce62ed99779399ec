import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lifetimeOverlaps, liveLowerBound, planGreedyBySize, planLimitReason, planOrtArena, type Buffer } from '../../src/graph/memory.js';
import { MODEL_MAX_LIFETIME_OVERLAPS } from '../../src/limits.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { F32, GraphBuilder } from './builder.js';

const buf = (id: string, size: number, firstUse: number, lastUse: number): Buffer => ({ id, size, firstUse, lastUse });

interface Row {
  name: string;
  buffers: Buffer[];
  greedy: number;
  ort: number;
  lower: number;
  offsets?: Record<string, number>;
}

const ROWS: Row[] = [
  { name: 'empty', buffers: [], greedy: 0, ort: 0, lower: 0 },
  { name: 'disjoint lifetimes share offset 0', buffers: [buf('a', 10, 0, 0), buf('b', 30, 1, 1), buf('c', 20, 2, 2)], greedy: 30, ort: 30, lower: 30, offsets: { a: 0, b: 0, c: 0 } },
  { name: 'chain a→b→c', buffers: [buf('a', 10, 0, 1), buf('b', 20, 1, 2), buf('c', 10, 2, 3)], greedy: 30, ort: 30, lower: 30, offsets: { b: 0, a: 20, c: 20 } },
  {
    name: 'greedy fills the gap a smaller buffer leaves',
    buffers: [buf('A', 100, 0, 5), buf('B', 50, 0, 1), buf('C', 50, 2, 3), buf('D', 40, 1, 2)],
    greedy: 190,
    ort: 190,
    lower: 190,
    offsets: { A: 0, B: 100, C: 100, D: 150 },
  },
  {
    name: 'online best fit fragments where greedy by size does not',
    buffers: [buf('a', 10, 0, 1), buf('b', 10, 0, 2), buf('c', 20, 2, 3)],
    greedy: 30,
    ort: 40,
    lower: 30,
    offsets: { c: 0, a: 0, b: 20 },
  },
  {
    name: 'residual block: skip tensor lives across the branch',
    buffers: [buf('in', 64, 0, 3), buf('c1', 64, 1, 2), buf('c2', 64, 2, 3), buf('out', 64, 3, 4)],
    greedy: 192,
    ort: 192,
    lower: 192,
  },
];

function assertValid(buffers: readonly Buffer[], offsets: ReadonlyMap<string, number>, peak: number): void {
  for (const a of buffers) {
    const oa = offsets.get(a.id)!;
    assert.ok(oa + a.size <= peak, `${a.id} beyond the arena`);
    for (const b of buffers) {
      if (a === b || a.lastUse < b.firstUse || b.lastUse < a.firstUse) continue;
      const ob = offsets.get(b.id)!;
      assert.ok(oa + a.size <= ob || ob + b.size <= oa, `${a.id} and ${b.id} overlap in time and memory`);
    }
  }
}

/** A seeded generator of integers in [0, n). */
function lcg(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
}

describe('memory planners', () => {
  for (const r of ROWS) {
    it(r.name, () => {
      const g = planGreedyBySize(r.buffers);
      const o = planOrtArena(r.buffers);
      assert.equal(g.peakBytes, r.greedy, 'greedy');
      assert.equal(o.peakBytes, r.ort, 'ort');
      assert.equal(liveLowerBound(r.buffers), r.lower, 'lower bound');
      for (const [id, off] of Object.entries(r.offsets ?? {})) assert.equal(g.offsets.get(id), off, `offset of ${id}`);
      assertValid(r.buffers, g.offsets, g.peakBytes);
      assertValid(r.buffers, o.offsets, o.peakBytes);
    });
  }

  it('random lifetimes: both plans are valid and never below the lower bound', () => {
    const rnd = lcg(12345);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rnd(12);
      const buffers = Array.from({ length: n }, (_, i) => {
        const first = rnd(10);
        return buf(`t${i}`, 1 + rnd(100), first, first + rnd(5));
      });
      const lower = liveLowerBound(buffers);
      for (const plan of [planGreedyBySize(buffers), planOrtArena(buffers)]) {
        assertValid(buffers, plan.offsets, plan.peakBytes);
        assert.ok(plan.peakBytes >= lower);
      }
    }
  });

  it('greedy by size places every buffer where TFLM\'s scan over all placed buffers does', () => {
    // TFLM's GreedyMemoryPlanner as written there: each new buffer scans every placed one (quadratic).
    const tflm = (buffers: readonly Buffer[], alignment: number): Map<string, number> => {
      const size = (b: Buffer): number => Math.ceil(b.size / alignment) * alignment;
      const order = buffers.map((b, i) => ({ b, i })).sort((x, y) => size(y.b) - size(x.b) || x.b.firstUse - y.b.firstUse || x.i - y.i);
      const placed: { b: Buffer; offset: number }[] = [];
      const out = new Map<string, number>();
      for (const { b } of order) {
        let candidate = 0;
        for (const p of placed) {
          if (p.b.lastUse < b.firstUse || b.lastUse < p.b.firstUse) continue;
          if (candidate + size(b) <= p.offset) break;
          candidate = Math.max(candidate, p.offset + size(p.b));
        }
        let k = 0;
        while (k < placed.length && placed[k]!.offset <= candidate) k++;
        placed.splice(k, 0, { b, offset: candidate });
        out.set(b.id, candidate);
      }
      return out;
    };
    const rnd = lcg(777);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + rnd(60);
      const span = 1 + rnd(40);
      const sizes = [1 + rnd(200), 1 + rnd(200), 64];
      const buffers = Array.from({ length: n }, (_, i) => {
        const first = rnd(span);
        return buf(`t${i}`, trial % 3 === 0 ? sizes[rnd(3)]! : 1 + rnd(300), first, first + rnd(trial % 2 === 0 ? 3 : 20));
      });
      const alignment = trial % 4 === 0 ? 16 : 1;
      const want = tflm(buffers, alignment);
      const got = planGreedyBySize(buffers, { alignment });
      assert.deepEqual([...got.offsets].sort(), [...want].sort(), `trial ${trial}`);
      assert.equal(got.peakBytes, Math.max(0, ...buffers.map((b) => want.get(b.id)! + Math.ceil(b.size / alignment) * alignment)));
    }
  });

  it('the ORT arena trace places every buffer where a step-by-step replay of it does', () => {
    // The trace as ORT's MemPatternPlanner records it: every step, sort the live blocks, best fit, free.
    const replay = (buffers: readonly Buffer[], alignment: number): Map<string, number> => {
      const size = (b: Buffer): number => Math.ceil(b.size / alignment) * alignment;
      const maxStep = buffers.reduce((m, b) => Math.max(m, b.lastUse, b.firstUse), -1);
      const live: { id: string; offset: number; size: number }[] = [];
      const out = new Map<string, number>();
      for (let step = 0; step <= maxStep; step++) {
        for (const b of buffers.filter((x) => x.firstUse === step)) {
          live.sort((p, q) => p.offset - q.offset);
          let best = live.length === 0 ? 0 : live[live.length - 1]!.offset + live[live.length - 1]!.size;
          let waste = Infinity;
          let current = 0;
          for (const blk of live) {
            if (blk.offset >= current && blk.offset - current >= size(b) && blk.offset - current - size(b) < waste) {
              waste = blk.offset - current - size(b);
              best = current;
            }
            current = Math.max(current, blk.offset + blk.size);
          }
          if (size(b) > 0) live.push({ id: b.id, offset: best, size: size(b) });
          out.set(b.id, best);
        }
        for (const b of buffers.filter((x) => x.lastUse === step)) {
          const i = live.findIndex((x) => x.id === b.id);
          if (i >= 0) live.splice(i, 1);
        }
      }
      return out;
    };
    const rnd = lcg(4242);
    for (let trial = 0; trial < 300; trial++) {
      const buffers = Array.from({ length: 1 + rnd(50) }, (_, i) => {
        const first = rnd(30);
        return buf(`t${i}`, rnd(10) === 0 ? 0 : 1 + rnd(300), first, first + rnd(trial % 2 === 0 ? 3 : 15));
      });
      const alignment = trial % 3 === 0 ? 64 : 1;
      const want = replay(buffers, alignment);
      const got = planOrtArena(buffers, { alignment });
      assert.deepEqual([...got.offsets].sort(), [...want].sort(), `trial ${trial}`);
      assert.equal(got.peakBytes, Math.max(0, ...buffers.map((b) => want.get(b.id)! + Math.ceil(b.size / alignment) * alignment)));
    }
  });

  it('alignment rounds every buffer up', () => {
    const bs = [buf('a', 10, 0, 1), buf('b', 3, 1, 2)];
    assert.equal(planGreedyBySize(bs, { alignment: 16 }).peakBytes, 32);
    assert.equal(liveLowerBound(bs, { alignment: 16 }), 32);
  });

  it('analysis plans activations only: inputs from step 0, outputs to the end, weights excluded', () => {
    // x(4096 B) → conv → a(8192 B) → relu → y(8192 B, graph output); weights are not activations.
    const b = new GraphBuilder()
      .input('x', F32, [1, 4, 16, 16])
      .init('w', F32, [8, 4, 1, 1])
      .node('Conv', ['x', 'w'], ['a'])
      .node('Relu', ['a'], ['y'])
      .output('y');
    const a = analyzeModel(b.model());
    assert.equal(a.memory.lowerBoundBytes, 8192 + 8192);
    assert.equal(a.memory.peakBytes, 16384);
    assert.equal(a.memory.buffers, 3);
    assert.equal(a.totals.activationBytes, 4096 + 8192 + 8192);
    assert.equal(a.totals.weightBytes, 128);
  });
});

describe('planning limit (docs/limits.md: PLAN_LIMIT)', () => {
  it('lifetimeOverlaps counts the overlapping pairs a brute force counts', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 50; round++) {
      const bs = Array.from({ length: rand(40) }, (_, i) => {
        const first = rand(20);
        return buf(`b${i}`, 1 + rand(9), first, first + rand(6));
      });
      let brute = 0;
      for (let i = 0; i < bs.length; i++) for (let j = i + 1; j < bs.length; j++) if (bs[i]!.firstUse <= bs[j]!.lastUse && bs[j]!.firstUse <= bs[i]!.lastUse) brute++;
      assert.equal(lifetimeOverlaps(bs), brute, `round ${round}`);
    }
  });

  it('plans up to the limit and refuses one pair more', () => {
    // n buffers all live at once overlap in n(n-1)/2 pairs: 10,000 → 49,995,000; 10,001 → 50,005,000.
    const wide = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => buf(`t${i}`, 16, i, n));
    assert.equal(MODEL_MAX_LIFETIME_OVERLAPS, 50_000_000);
    assert.equal(planLimitReason(wide(10_000)), undefined);
    assert.match(planLimitReason(wide(10_001)) ?? '', /^PLAN_LIMIT: 50005000 pairs .* over the limit of 50000000/);
  });

  it('a 10,001-way fan-out into one Concat is analyzed without a plan: peak null, a PLAN_LIMIT warning', () => {
    const b = new GraphBuilder().input('x', F32, [1, 4]);
    const outs: string[] = [];
    for (let i = 0; i <= 10_000; i++) {
      b.node('Relu', ['x'], [`r${i}`]);
      outs.push(`r${i}`);
    }
    b.node('Concat', outs, ['y'], { axis: 1 }).output('y');
    const a = analyzeModel(b.model());
    assert.equal(a.memory.peakBytes, null);
    assert.equal(a.memory.ortArenaPeakBytes, null);
    // At the Concat: its 10,001 inputs and its output of the same size.
    assert.equal(a.memory.lowerBoundBytes, 2 * 10_001 * 16);
    assert.deepEqual(a.issues.filter((i) => i.code === 'PLAN_LIMIT').length, 1);
  });
});
