/**
 * Activation memory planners over tensor lifetimes in execution order.
 *
 * - `planGreedyBySize`: TFLite Micro's GreedyMemoryPlanner (largest first, first fit into gaps among
 *   already placed buffers whose lifetimes overlap).
 * - `planOrtArena`: onnxruntime's MemPatternPlanner trace (online, execution order, best fit into gaps among
 *   live blocks, else after the last block).
 * - `liveLowerBound`: the most bytes live at one step, a lower bound for every planner.
 *
 * Both planners cost time in proportion to the pairs of overlapping lifetimes (thousands of tensors live at
 * once make that quadratic), so callers check `planLimitReason` first.
 */
import { MODEL_MAX_LIFETIME_OVERLAPS } from '../limits.js';

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
  /** Fill `Plan.offsets` (default true); callers that only need the arena size save a map entry per buffer. */
  readonly offsets?: boolean;
}

/** 0, 1, …, n - 1, to sort indices by. */
function indices(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function align(size: number, alignment: number): number {
  return alignment <= 1 ? size : Math.ceil(size / alignment) * alignment;
}

/**
 * Greedy by size (TFLM GreedyMemoryPlanner): buffers sorted by size descending (ties: earlier first use,
 * then input order); each goes into the lowest gap between placed buffers with overlapping lifetimes that
 * fits it, else after the highest of them. Returns the arena size and offsets.
 *
 * TFLM scans every placed buffer for each new one (quadratic: 36 s for a 100,000-node chain). Here the
 * placed buffers whose lifetimes overlap the new one's are found through an index over time instead, so the
 * cost grows with the number of overlapping pairs (linear for chains and ordinary models); the gap search
 * over them, in offset order, is TFLM's.
 */
export function planGreedyBySize(buffers: readonly Buffer[], options: PlanOptions = {}): Plan {
  const alignment = options.alignment ?? 1;
  const n = buffers.length;
  const sizeOf = new Float64Array(n);
  buffers.forEach((b, i) => (sizeOf[i] = align(b.size, alignment)));
  const order = indices(n).sort((x, y) => sizeOf[y]! - sizeOf[x]! || buffers[x]!.firstUse - buffers[y]!.firstUse || x - y);
  const offsets = new Map<string, number>();
  if (n === 0) return { peakBytes: 0, offsets };
  const index = new LifetimeIndex(buffers);
  const offsetOf = new Float64Array(n);
  /** Placement sequence per buffer (TFLM keeps equal offsets in placement order). */
  const seqOf = new Int32Array(n);
  let peak = 0;
  const overlapping: number[] = [];
  for (let seq = 0; seq < order.length; seq++) {
    const i = order[seq]!;
    const b = buffers[i]!;
    const size = sizeOf[i]!;
    index.overlapping(b.firstUse, b.lastUse, overlapping);
    overlapping.sort((p, q) => offsetOf[p]! - offsetOf[q]! || seqOf[p]! - seqOf[q]!);
    let candidate = 0;
    for (const p of overlapping) {
      const offset = offsetOf[p]!;
      if (candidate + size <= offset) break;
      candidate = Math.max(candidate, offset + sizeOf[p]!);
    }
    offsetOf[i] = candidate;
    seqOf[i] = seq;
    index.place(i);
    if (options.offsets !== false) offsets.set(b.id, candidate);
    peak = Math.max(peak, candidate + size);
  }
  return { peakBytes: peak, offsets };
}

/**
 * The placed buffers whose lifetimes overlap a query range. A buffer [f, l] overlaps [a, b] when it
 * contains a (found by a stabbing query on a segment tree over time steps) or starts in (a, b] (found
 * among all buffers sorted by first use).
 */
class LifetimeIndex {
  /** The distinct first and last uses, ascending. */
  private readonly steps: Float64Array;
  private readonly size: number;
  /**
   * Buffers stored at each tree node, as linked lists in flat arrays: `head[node]` is the first entry
   * (-1: none), `next[entry]` the following one, `item[entry]` the buffer (no array per tree node).
   */
  private readonly head: Int32Array;
  private readonly next: number[] = [];
  private readonly item: number[] = [];
  private readonly byFirst: Int32Array;
  private readonly firsts: Float64Array;
  private readonly placed: Uint8Array;

  constructor(private readonly buffers: readonly Buffer[]) {
    const all = new Float64Array(2 * buffers.length);
    buffers.forEach((b, i) => {
      all[2 * i] = b.firstUse;
      all[2 * i + 1] = b.lastUse;
    });
    all.sort();
    let distinct = 0;
    for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[distinct++] = all[k]!;
    this.steps = all.subarray(0, distinct);
    this.size = distinct;
    this.head = new Int32Array(2 * this.size).fill(-1);
    this.byFirst = indices(buffers.length).sort((x, y) => buffers[x]!.firstUse - buffers[y]!.firstUse);
    this.firsts = new Float64Array(buffers.length);
    this.byFirst.forEach((i, k) => (this.firsts[k] = buffers[i]!.firstUse));
    this.placed = new Uint8Array(buffers.length);
  }

  private step(t: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  place(i: number): void {
    this.placed[i] = 1;
    const b = this.buffers[i]!;
    // Bottom-up segment tree: the lifetime is stored in the O(log n) nodes that cover it exactly.
    let lo = this.step(b.firstUse) + this.size;
    let hi = this.step(b.lastUse) + this.size + 1;
    while (lo < hi) {
      if (lo & 1) this.store(lo++, i);
      if (hi & 1) this.store(--hi, i);
      lo >>= 1;
      hi >>= 1;
    }
  }

  private store(node: number, i: number): void {
    this.item.push(i);
    this.next.push(this.head[node]!);
    this.head[node] = this.item.length - 1;
  }

  /** Fills `out` with the placed buffers overlapping [first, last]. */
  overlapping(first: number, last: number, out: number[]): void {
    out.length = 0;
    for (let node = this.step(first) + this.size; node >= 1; node >>= 1) {
      for (let e = this.head[node]!; e !== -1; e = this.next[e]!) out.push(this.item[e]!);
    }
    let lo = 0;
    let hi = this.firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.firsts[mid]! <= first) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.firsts.length && this.firsts[k]! <= last; k++) {
      const i = this.byFirst[k]!;
      if (this.placed[i]) out.push(i);
    }
  }
}

/**
 * ORT MemPatternPlanner-style trace: at each step, allocate buffers whose first use is this step (in input
 * order), best fit into the gaps between live blocks (smallest waste), else after the last block; then free
 * buffers whose last use is this step.
 */
export function planOrtArena(buffers: readonly Buffer[], options: PlanOptions = {}): Plan {
  const alignment = options.alignment ?? 1;
  const n = buffers.length;
  // Buffers by first use and by last use (ties in input order), walked step by step.
  const byStart = indices(n).sort((x, y) => buffers[x]!.firstUse - buffers[y]!.firstUse || x - y);
  const byEnd = indices(n).sort((x, y) => buffers[x]!.lastUse - buffers[y]!.lastUse || x - y);
  // Live blocks never overlap, so they are kept sorted by offset (insertion and removal by binary search)
  // rather than sorted again per allocation: 20,000 tensors live at once made that quadratic-log.
  const liveOffsets: number[] = [];
  const liveEnds: number[] = [];
  const at = (offset: number): number => {
    let lo = 0;
    let hi = liveOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (liveOffsets[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const offsets = new Map<string, number>();
  /** Where each buffer's live block starts; NaN when it has none (zero-size, or freed). */
  const placedAt = new Float64Array(n).fill(NaN);
  let peak = 0;
  let s = 0;
  let e = 0;
  while (s < n || e < n) {
    const step = Math.min(s < n ? buffers[byStart[s]!]!.firstUse : Infinity, e < n ? buffers[byEnd[e]!]!.lastUse : Infinity);
    for (; s < n && buffers[byStart[s]!]!.firstUse === step; s++) {
      const b = buffers[byStart[s]!]!;
      const size = align(b.size, alignment);
      let best = liveEnds.length === 0 ? 0 : liveEnds[liveEnds.length - 1]!;
      let waste = Infinity;
      let current = 0;
      for (let k = 0; k < liveOffsets.length; k++) {
        const offset = liveOffsets[k]!;
        if (offset >= current) {
          const gap = offset - current;
          if (gap >= size && gap - size < waste) {
            waste = gap - size;
            best = current;
          }
        }
        current = Math.max(current, liveEnds[k]!);
      }
      if (size > 0) {
        const k = at(best);
        insertAt(liveOffsets, k, best);
        insertAt(liveEnds, k, best + size);
        placedAt[byStart[s]!] = best;
      }
      if (options.offsets !== false) offsets.set(b.id, best);
      peak = Math.max(peak, best + size);
    }
    for (; e < n && buffers[byEnd[e]!]!.lastUse === step; e++) {
      const offset = placedAt[byEnd[e]!]!;
      if (Number.isNaN(offset)) continue;
      placedAt[byEnd[e]!] = NaN;
      const k = at(offset);
      removeAt(liveOffsets, k);
      removeAt(liveEnds, k);
    }
  }
  return { peakBytes: peak, offsets };
}

/** `list.splice(k, 0, x)` without the array splice returns. */
function insertAt(list: number[], k: number, x: number): void {
  list.push(x);
  for (let i = list.length - 1; i > k; i--) list[i] = list[i - 1]!;
  list[k] = x;
}

/** `list.splice(k, 1)` without the array splice returns. */
function removeAt(list: number[], k: number): void {
  for (let i = k; i < list.length - 1; i++) list[i] = list[i + 1]!;
  list.pop();
}

/**
 * Pairs of buffers whose lifetimes overlap: both planners' work grows with it (each placement visits the
 * placed or live buffers it overlaps), so callers check it against {@link MODEL_MAX_LIFETIME_OVERLAPS}
 * before planning. O(n log n): all pairs minus the pairs where one ends before the other starts.
 */
export function lifetimeOverlaps(buffers: readonly Buffer[]): number {
  const firsts = new Float64Array(buffers.length);
  buffers.forEach((b, i) => (firsts[i] = b.firstUse));
  firsts.sort();
  let apart = 0;
  for (const b of buffers) {
    // Buffers starting after b's last use.
    let lo = 0;
    let hi = firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (firsts[mid]! <= b.lastUse) lo = mid + 1;
      else hi = mid;
    }
    apart += firsts.length - lo;
  }
  const n = buffers.length;
  return n < 2 ? 0 : (n * (n - 1)) / 2 - apart;
}

/**
 * Why a plan is not made: the lifetimes overlap in more pairs than {@link MODEL_MAX_LIFETIME_OVERLAPS}
 * (docs/limits.md), or undefined when planning is within the limit.
 */
export function planLimitReason(buffers: readonly Buffer[]): string | undefined {
  const overlaps = lifetimeOverlaps(buffers);
  if (overlaps <= MODEL_MAX_LIFETIME_OVERLAPS) return undefined;
  return `PLAN_LIMIT: ${overlaps} pairs of activation tensors are live at the same time, over the limit of ${MODEL_MAX_LIFETIME_OVERLAPS} (docs/limits.md); the activation memory plan is not made`;
}

/** Max over steps of the total size of buffers live at that step (no planner can do better). */
export function liveLowerBound(buffers: readonly Buffer[], options: PlanOptions = {}): number {
  const alignment = options.alignment ?? 1;
  const n = buffers.length;
  const at = new Float64Array(2 * n);
  const delta = new Float64Array(2 * n);
  buffers.forEach((b, i) => {
    const s = align(b.size, alignment);
    at[2 * i] = b.firstUse;
    delta[2 * i] = s;
    at[2 * i + 1] = b.lastUse + 1;
    delta[2 * i + 1] = -s;
  });
  // At equal steps, frees (negative) happen before allocations of the next step.
  const events = indices(2 * n).sort((x, y) => at[x]! - at[y]! || delta[x]! - delta[y]!);
  let cur = 0;
  let max = 0;
  for (const k of events) {
    cur += delta[k]!;
    max = Math.max(max, cur);
  }
  return max;
}
