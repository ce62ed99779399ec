/**
 * Activation memory planners over tensor lifetimes in execution order.
 *
 * - `planGreedyBySize`: TFLite Micro's GreedyMemoryPlanner (largest first, first fit into gaps among
 *   already placed buffers whose lifetimes overlap).
 * - `planOrtArena`: onnxruntime's MemPatternPlanner trace (online, execution order, best fit into gaps among
 *   live blocks, else after the last block).
 * - `liveLowerBound`: the most bytes live at one step, a lower bound for every planner.
 */

/** One buffer: its size and the inclusive execution-step range during which it must exist. */
export interface Buffer {
  readonly id: string;
  readonly size: number;
  readonly firstUse: number;
  readonly lastUse: number;
}

/** Placement of every buffer and the arena size (high-water mark). */
export interface Plan {
  readonly peakBytes: number;
  readonly offsets: ReadonlyMap<string, number>;
}

export interface PlanOptions {
  /** Round every size up to this many bytes (TFLM uses 16, ORT 64). Default 1 (no padding). */
  readonly alignment?: number;
}

function align(size: number, alignment: number): number {
  return alignment <= 1 ? size : Math.ceil(size / alignment) * alignment;
}

function overlaps(a: Buffer, b: Buffer): boolean {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

/**
 * Greedy by size (TFLM GreedyMemoryPlanner): buffers sorted by size descending (ties: earlier first use,
 * then input order); each goes into the lowest gap between placed buffers with overlapping lifetimes that
 * fits it, else after the highest of them. Returns the arena size and offsets.
 */
export function planGreedyBySize(buffers: readonly Buffer[], options: PlanOptions = {}): Plan {
  const alignment = options.alignment ?? 1;
  const order = buffers
    .map((b, i) => ({ b, i, size: align(b.size, alignment) }))
    .sort((x, y) => y.size - x.size || x.b.firstUse - y.b.firstUse || x.i - y.i);
  // Placed buffers kept sorted by offset, so one pass finds the first gap (TFLM keeps the same list).
  const placed: { b: Buffer; offset: number; size: number }[] = [];
  const offsets = new Map<string, number>();
  let peak = 0;
  for (const item of order) {
    let candidate = 0;
    for (const p of placed) {
      if (!overlaps(p.b, item.b)) continue;
      if (candidate + item.size <= p.offset) break;
      candidate = Math.max(candidate, p.offset + p.size);
    }
    let lo = 0;
    let hi = placed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (placed[mid].offset <= candidate) lo = mid + 1;
      else hi = mid;
    }
    placed.splice(lo, 0, { b: item.b, offset: candidate, size: item.size });
    offsets.set(item.b.id, candidate);
    peak = Math.max(peak, candidate + item.size);
  }
  return { peakBytes: peak, offsets };
}

/**
 * ORT MemPatternPlanner-style trace: at each step, allocate buffers whose first use is this step (in input
 * order), best fit into the gaps between live blocks (smallest waste), else after the last block; then free
 * buffers whose last use is this step.
 */
export function planOrtArena(buffers: readonly Buffer[], options: PlanOptions = {}): Plan {
  const alignment = options.alignment ?? 1;
  const maxStep = buffers.reduce((m, b) => Math.max(m, b.lastUse, b.firstUse), -1);
  const byStart = new Map<number, { b: Buffer; size: number }[]>();
  const byEnd = new Map<number, Buffer[]>();
  for (const b of buffers) {
    const list = byStart.get(b.firstUse) ?? [];
    list.push({ b, size: align(b.size, alignment) });
    byStart.set(b.firstUse, list);
    const ends = byEnd.get(b.lastUse) ?? [];
    ends.push(b);
    byEnd.set(b.lastUse, ends);
  }
  const live: { id: string; offset: number; size: number }[] = [];
  const offsets = new Map<string, number>();
  let peak = 0;
  for (let step = 0; step <= maxStep; step++) {
    for (const { b, size } of byStart.get(step) ?? []) {
      live.sort((p, q) => p.offset - q.offset);
      let best = live.length === 0 ? 0 : live[live.length - 1].offset + live[live.length - 1].size;
      let waste = Infinity;
      let current = 0;
      for (const blk of live) {
        if (blk.offset >= current) {
          const gap = blk.offset - current;
          if (gap >= size && gap - size < waste) {
            waste = gap - size;
            best = current;
          }
        }
        current = Math.max(current, blk.offset + blk.size);
      }
      if (size > 0) live.push({ id: b.id, offset: best, size });
      offsets.set(b.id, best);
      peak = Math.max(peak, best + size);
    }
    for (const b of byEnd.get(step) ?? []) {
      const i = live.findIndex((x) => x.id === b.id);
      if (i >= 0) live.splice(i, 1);
    }
  }
  return { peakBytes: peak, offsets };
}

/** Max over steps of the total size of buffers live at that step (no planner can do better). */
export function liveLowerBound(buffers: readonly Buffer[], options: PlanOptions = {}): number {
  const alignment = options.alignment ?? 1;
  const events: [number, number][] = [];
  for (const b of buffers) {
    const s = align(b.size, alignment);
    events.push([b.firstUse, s], [b.lastUse + 1, -s]);
  }
  // At equal steps, frees (negative) happen before allocations of the next step.
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let max = 0;
  for (const [, delta] of events) {
    cur += delta;
    max = Math.max(max, cur);
  }
  return max;
}
