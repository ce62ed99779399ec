/**
 * The one topological sort: Kahn's algorithm that always takes the smallest ready index (a min-heap), so a
 * graph already in topological order keeps its order and ties never depend on insertion order.
 */

/**
 * Orders `deps.length` items given each item's distinct predecessors (`deps[i]`; a self-edge is a cycle). Items on or
 * behind a cycle are left out: the result is shorter than `deps.length` exactly when there is a cycle.
 */
export function stableTopoOrder(deps: readonly (readonly number[])[]): number[] {
  return orderByKey(dagEdges(deps.length, (i, emit) => deps[i]!.forEach(emit)), (i) => i);
}

/**
 * The execution step of each node index (undefined for indices the order does not hold), as a lookup over
 * a flat array: one entry per node, no map.
 */
export function executionSteps(nodeCount: number, order: readonly number[]): (index: number) => number | undefined {
  const steps = new Int32Array(nodeCount).fill(-1);
  order.forEach((index, s) => {
    if (index >= 0 && index < nodeCount) steps[index] = s;
  });
  return (index) => (index >= 0 && index < nodeCount && steps[index]! >= 0 ? steps[index] : undefined);
}

/**
 * The edges of a graph of `count` items, flat (CSR): item i's distinct producers are
 * `producers[producerStart[i] .. producerStart[i + 1])` in first-seen order, its consumers likewise, in
 * item order. No per-item arrays or sets: graphs can have a million nodes, and are sorted often.
 */
export interface DagEdges {
  readonly count: number;
  readonly producerStart: Int32Array;
  readonly producers: Int32Array;
  readonly consumerStart: Int32Array;
  readonly consumers: Int32Array;
}

/** Flat edges from each item's producers, which `producersOf(i, emit)` emits (repeats are ignored). */
export function dagEdges(count: number, producersOf: (i: number, emit: (p: number) => void) => void): DagEdges {
  const producerStart = new Int32Array(count + 1);
  const flat: number[] = [];
  const consumerStart = new Int32Array(count + 1);
  const seenBy = new Int32Array(count).fill(-1);
  let current = 0;
  const emit = (p: number): void => {
    if (seenBy[p] === current) return;
    seenBy[p] = current;
    flat.push(p);
    consumerStart[p + 1]!++;
  };
  for (let i = 0; i < count; i++) {
    current = i;
    producersOf(i, emit);
    producerStart[i + 1] = flat.length;
  }
  for (let i = 0; i < count; i++) consumerStart[i + 1]! += consumerStart[i]!;
  const fill = consumerStart.slice(0, count);
  const consumers = new Int32Array(flat.length);
  for (let i = 0; i < count; i++) for (let k = producerStart[i]!; k < producerStart[i + 1]!; k++) consumers[fill[flat[k]!]!++] = i;
  return { count, producerStart, producers: Int32Array.from(flat), consumerStart, consumers };
}

/**
 * Kahn's algorithm taking, among the ready items, the one with the smallest `key`, ties in the order they
 * became ready (the initial ones in item order): what a ready list kept sorted by key with insertion after
 * equal keys gives. Items on or behind a cycle are left out.
 */
export function orderByKey(edges: DagEdges, key: (i: number) => number): number[] {
  const { count, producerStart, consumerStart, consumers } = edges;
  const indeg = new Int32Array(count);
  for (let i = 0; i < count; i++) indeg[i] = producerStart[i + 1]! - producerStart[i]!;
  const seq = new Int32Array(count);
  let nextSeq = 0;
  const ready = new MinHeap((a, b) => key(a) < key(b) || (key(a) === key(b) && seq[a]! < seq[b]!));
  const initial: number[] = [];
  for (let i = 0; i < count; i++) if (indeg[i] === 0) initial.push(i);
  initial.sort((a, b) => key(a) - key(b));
  for (const i of initial) {
    seq[i] = nextSeq++;
    ready.push(i);
  }
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (let k = consumerStart[i]!; k < consumerStart[i + 1]!; k++) {
      const c = consumers[k]!;
      if (--indeg[c]! === 0) {
        seq[c] = nextSeq++;
        ready.push(c);
      }
    }
  }
  return order;
}

/**
 * A binary min-heap of non-negative integers, ordered by `before` (default: the integers themselves). A
 * caller that needs ties broken by insertion order puts a sequence number in `before`.
 */
class MinHeap {
  private readonly a: number[] = [];

  constructor(private readonly before: (x: number, y: number) => boolean = (x, y) => x < y) {}

  get size(): number {
    return this.a.length;
  }

  push(x: number): void {
    const heap = this.a;
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[p]!)) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  }

  pop(): number {
    const heap = this.a;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }
}
