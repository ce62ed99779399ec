/**
 * The one topological sort: Kahn's algorithm that always takes the smallest ready index (a min-heap), so a
 * graph already in topological order keeps its order and ties never depend on insertion order.
 */

/**
 * Orders `deps.length` items given each item's distinct predecessors (`deps[i]`; a self-edge is a cycle). Items on or
 * behind a cycle are left out: the result is shorter than `deps.length` exactly when there is a cycle.
 */
export function stableTopoOrder(deps: readonly (readonly number[])[]): number[] {
  const indeg = deps.map((d) => d.length);
  const users: number[][] = deps.map(() => []);
  deps.forEach((d, i) => d.forEach((p) => users[p]!.push(i)));
  const heap = new MinHeap();
  indeg.forEach((d, i) => d === 0 && heap.push(i));
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (const u of users[i]!) if (--indeg[u]! === 0) heap.push(u);
  }
  return order;
}

/** A binary min-heap of non-negative integers. */
class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(x: number): void {
    const heap = this.a;
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= heap[i]!) break;
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
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }
}
