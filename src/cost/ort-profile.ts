/**
 * onnxruntime's per-node profile (Chrome-trace JSON) → time per group of *source* nodes.
 *
 * With graph optimizations on, ORT runs a rewritten graph: Conv+activation fusions, QDQ units turned into
 * QLinear kernels, NCHWc layout nodes (`ReorderInput`/`ReorderOutput`) with fresh tensor names. Profile
 * events name those nodes, not the source ones. We map each optimized node back through the tensors it
 * shares with the source graph (its outputs, or the `<tensor>_nchwc` name the NCHWc transformer gives),
 * walk the source graph backwards from there to the previous mapped boundary, and merge groups that claim
 * the same source node (the overlap idea of ExecuTorch's debug handles). Only `*_kernel_time` events count,
 * keyed by `args.node_index` (unnamed nodes all print as `_kernel_time`, https://github.com/microsoft/onnxruntime/issues/1297).
 */
import type { OnnxGraph } from '../onnx/types.js';

/** One optimized-graph node's kernel time, aggregated over runs. */
export interface KernelTiming {
  readonly nodeIndex: string;
  /** Node name (event name without `_kernel_time`). */
  readonly name: string;
  readonly op: string;
  readonly provider: string;
  /** Median duration over the runs, microseconds. */
  readonly medianUs: number;
  readonly runs: number;
  /** The kernel's first input as the profile names it (`input_type_shape`), when it does. */
  readonly input?: { readonly type: string; readonly dims: readonly number[] };
}

/** Errors reading an ORT profile file. */
export class OrtProfileError extends Error {
  override readonly name = 'OrtProfileError';
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
  }
}

interface TraceEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly args?: { readonly node_index?: string | number; readonly op_name?: string; readonly provider?: string; readonly input_type_shape?: unknown };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `[{"uint8": [1, 3, 224, 224]}, ...]` → its first entry, when it has that form. */
function firstInput(v: unknown): KernelTiming['input'] {
  const first: unknown = Array.isArray(v) ? v[0] : undefined;
  if (!first || typeof first !== 'object') return undefined;
  const [entry] = Object.entries(first as Record<string, unknown>);
  if (!entry || !Array.isArray(entry[1]) || !entry[1].every((d) => typeof d === 'number')) return undefined;
  return { type: entry[0], dims: entry[1] as number[] };
}

/**
 * Parses ORT's profile JSON. Keeps only `cat: "Node"` events whose name ends in `_kernel_time`, groups them
 * by `args.node_index`, and returns each node's median duration. `skipRuns` drops each node's first
 * occurrences (warm-up runs recorded in the same session).
 */
export function parseOrtProfile(json: unknown, file = 'profile', skipRuns = 0): KernelTiming[] {
  if (!Array.isArray(json)) throw new OrtProfileError(file, 'not a Chrome-trace array');
  const byIndex = new Map<string, { name: string; op: string; provider: string; durs: number[]; input: KernelTiming['input'] }>();
  for (const e of json as TraceEvent[]) {
    if (e?.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith('_kernel_time')) continue;
    const idx = e.args?.node_index;
    if (idx === undefined) continue;
    const key = String(idx);
    let rec = byIndex.get(key);
    if (!rec) {
      rec = { name: e.name.slice(0, -'_kernel_time'.length), op: e.args?.op_name ?? '', provider: e.args?.provider ?? '', durs: [], input: firstInput(e.args?.input_type_shape) };
      byIndex.set(key, rec);
    }
    rec.durs.push(Number(e.dur ?? 0));
  }
  const out: KernelTiming[] = [];
  for (const [nodeIndex, r] of byIndex) {
    const durs = r.durs.slice(Math.min(skipRuns, Math.max(0, r.durs.length - 1)));
    out.push({ nodeIndex, name: r.name, op: r.op, provider: r.provider, medianUs: median(durs), runs: durs.length, ...(r.input ? { input: r.input } : {}) });
  }
  return out;
}

/** A group of source nodes with the optimized kernels that implement them. */
export interface SourceGroup {
  /** Source `graph.node` indices, ascending. */
  readonly sourceNodes: number[];
  /** Optimized node names in this group. */
  readonly kernels: string[];
  /** Sum of the kernels' median times, microseconds. */
  readonly us: number;
}

export interface GroupMapping {
  readonly groups: SourceGroup[];
  readonly coverage: {
    /** Share of total kernel time that landed in a group with at least one source node. */
    readonly timeShare: number;
    readonly eventsMapped: number;
    readonly events: number;
    /** Source nodes (non-constant) inside some group, and how many there are. */
    readonly sourceNodesCovered: number;
    readonly sourceNodes: number;
  };
  /** Kernels that could not be mapped (name, op, µs). */
  readonly unmapped: { name: string; op: string; us: number }[];
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/**
 * Maps kernel timings of ORT's optimized graph (`optimized`, saved with `optimizedModelFilePath`) back
 * to groups of nodes of the `source` graph. Pure.
 */
export function mapToSourceGroups(source: OnnxGraph, optimized: OnnxGraph, timings: readonly KernelTiming[]): GroupMapping {
  // Source graph facts.
  const producer = new Map<string, number>();
  for (const n of source.nodes) for (const o of n.outputs) if (o !== '') producer.set(o, n.index);
  const constant = new Set<string>(source.initializers.keys());
  for (const n of source.nodes) {
    // Nodes are in topological order in valid ONNX files; a second pass is not needed for our purposes.
    if (n.opType === 'Constant' || (n.inputs.some((i) => i !== '') && n.inputs.every((i) => i === '' || constant.has(i)))) {
      for (const o of n.outputs) constant.add(o);
    }
  }
  const graphInputs = new Set(source.inputs.map((i) => i.name));
  const isSourceTensor = (t: string): boolean => t !== '' && !constant.has(t) && (producer.has(t) || graphInputs.has(t));
  const sourceByName = new Map<string, number>();
  for (const n of source.nodes) if (n.name !== '') sourceByName.set(n.name, n.index);

  // Optimized graph: anchors (source tensors each optimized node stands for).
  const optNodes = optimized.nodes;
  const optProducer = new Map<string, number>();
  const optConsumers = new Map<string, number[]>();
  optNodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '') optProducer.set(o, i);
    for (const x of n.inputs) if (x !== '') optConsumers.set(x, [...(optConsumers.get(x) ?? []), i]);
  });
  const anchors = optNodes.map((n) => {
    const a = new Set<string>();
    for (const o of n.outputs) if (isSourceTensor(o) && producer.has(o)) a.add(o);
    if (a.size === 0 && n.name.endsWith('_nchwc')) {
      const base = n.name.slice(0, -'_nchwc'.length);
      if (producer.has(base)) a.add(base);
    }
    if (a.size === 0) {
      const s = sourceByName.get(n.name);
      if (s !== undefined) for (const o of source.nodes[s]!.outputs) if (isSourceTensor(o) && producer.has(o)) a.add(o);
    }
    return a;
  });
  const uf = new UnionFind();
  const key = (i: number): string => `o${i}`;
  const anchorOwner = new Map<string, number>();
  anchors.forEach((a, i) => {
    for (const t of a) {
      const prev = anchorOwner.get(t);
      if (prev !== undefined) uf.union(key(i), key(prev));
      else anchorOwner.set(t, i);
    }
  });
  // Layout/helper nodes without anchors join the nearest anchored node downstream (else upstream).
  const attach = (start: number): number | undefined => {
    const seen = new Set<number>([start]);
    let frontier = [start];
    for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const i of frontier) {
        for (const o of optNodes[i]!.outputs) {
          for (const c of optConsumers.get(o) ?? []) {
            if (seen.has(c)) continue;
            if (anchors[c]!.size > 0) return c;
            seen.add(c);
            next.push(c);
          }
        }
      }
      frontier = next;
    }
    for (const x of optNodes[start]!.inputs) {
      const p = optProducer.get(x);
      if (p !== undefined && anchors[p]!.size > 0) return p;
    }
    return undefined;
  };
  anchors.forEach((a, i) => {
    if (a.size > 0) return;
    const j = attach(i);
    if (j !== undefined) uf.union(key(i), key(j));
  });

  // Source nodes of each group: walk back from its anchors to any other group's anchor.
  const groupAnchors = new Map<string, Set<string>>();
  anchors.forEach((a, i) => {
    const r = uf.find(key(i));
    const s = groupAnchors.get(r) ?? new Set<string>();
    for (const t of a) s.add(t);
    groupAnchors.set(r, s);
  });
  const allAnchors = new Set(anchorOwner.keys());
  const claim = new Map<number, string>();
  for (const [root, tensors] of groupAnchors) {
    const stack = [...tensors];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const p = producer.get(t);
      if (p === undefined) continue;
      const prev = claim.get(p);
      if (prev !== undefined && uf.find(prev) !== uf.find(root)) uf.union(prev, root);
      claim.set(p, root);
      for (const x of source.nodes[p]!.inputs) {
        if (x === '' || constant.has(x) || graphInputs.has(x)) continue;
        if (allAnchors.has(x) && !tensors.has(x)) continue;
        stack.push(x);
      }
    }
  }

  // Assemble groups.
  const byName = new Map<string, number[]>();
  optNodes.forEach((n, i) => byName.set(n.name, [...(byName.get(n.name) ?? []), i]));
  const groups = new Map<string, { sourceNodes: Set<number>; kernels: string[]; us: number }>();
  const get = (r: string): { sourceNodes: Set<number>; kernels: string[]; us: number } => {
    let g = groups.get(r);
    if (!g) {
      g = { sourceNodes: new Set(), kernels: [], us: 0 };
      groups.set(r, g);
    }
    return g;
  };
  for (const [node, root] of claim) get(uf.find(root)).sourceNodes.add(node);
  let total = 0;
  let mapped = 0;
  let eventsMapped = 0;
  const unmapped: GroupMapping['unmapped'] = [];
  // Nodes the optimizer created get names in the profile (`HardSigmoid_225`) but none in the saved model:
  // pair such events with unnamed optimized nodes of the same op, both in node order.
  const unnamedByOp = new Map<string, number[]>();
  optNodes.forEach((n, i) => {
    if (n.name === '') unnamedByOp.set(n.opType, [...(unnamedByOp.get(n.opType) ?? []), i]);
  });
  const fallback = new Map<KernelTiming, number>();
  const orphans = timings.filter((t) => !byName.has(t.name)).sort((a, b) => Number(a.nodeIndex) - Number(b.nodeIndex));
  for (const t of orphans) {
    const list = unnamedByOp.get(t.op);
    const i = list?.shift();
    if (i !== undefined) fallback.set(t, i);
  }
  for (const t of timings) {
    total += t.medianUs;
    const candidates = byName.get(t.name) ?? [];
    const i = candidates[0] ?? fallback.get(t);
    const g = i !== undefined ? groups.get(uf.find(key(i))) : undefined;
    if (i === undefined || !g || g.sourceNodes.size === 0) {
      unmapped.push({ name: t.name, op: t.op, us: t.medianUs });
      continue;
    }
    g.kernels.push(t.name);
    g.us += t.medianUs;
    mapped += t.medianUs;
    eventsMapped++;
  }
  const nonConstantNodes = new Set(source.nodes.filter((n) => n.outputs.some((o) => o !== '' && !constant.has(o))).map((n) => n.index));
  const nonConstant = nonConstantNodes.size;
  const out: SourceGroup[] = [...groups.values()]
    .filter((g) => g.sourceNodes.size > 0 && g.kernels.length > 0)
    .map((g) => ({ sourceNodes: [...g.sourceNodes].sort((a, b) => a - b), kernels: g.kernels, us: g.us }))
    .sort((a, b) => a.sourceNodes[0]! - b.sourceNodes[0]!);
  const covered = new Set(out.flatMap((g) => g.sourceNodes).filter((i) => nonConstantNodes.has(i)));
  return {
    groups: out,
    coverage: {
      timeShare: total > 0 ? mapped / total : 0,
      eventsMapped,
      events: timings.length,
      sourceNodesCovered: covered.size,
      sourceNodes: nonConstant,
    },
    unmapped,
  };
}
