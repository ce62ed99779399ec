/**
 * The compatibility engine: for one analyzed model and one device profile, decides where every
 * node of the graph the runtime partitions runs, and why; then partitions, counts and gives a verdict.
 *
 * Pure: no I/O beyond reading small constant tensors (zero points) on demand, no logging.
 *
 * Stages: placed graph (constant/shape folding for every profile, plus ORT's other basic rewrites for ORT
 * runtimes, see ort-basic.ts) → node units (QDQ groups, src/graph/qdq-units.ts) → per-unit decision
 * (profile conditions, engine-eval.ts) → partitions (partition.ts) → placements, counts, MACs, verdict,
 * quantization scheme.
 */
import { dtypeName, type OnnxGraph } from '../onnx/types.js';
import type { GraphAnalysis } from '../graph/types.js';
import { implicitInputs } from '../graph/analyze.js';
import { getQdqNodeUnits, type QdqNodeUnit } from '../graph/qdq-units.js';
import type { Placement } from '../report/types.js';
import type { DevicePlacement, PlacedNode } from './placement.js';
import type { DeviceProfile, Threshold } from './schema.js';
import { foldedGraph, ortBasicGraph, type GraphNode, type PlacedGraph } from './ort-basic.js';
import { createSupportedPartitionGroups, type PartitionUnit } from './partition.js';
import { detectQuantScheme, qdqUnitQuant, singleNodeQuant, type NodeQuant } from './quant-scheme.js';
import { decideNode, decideOpName, findRule, type Decision } from './engine-eval.js';
import { quantSchemeFix } from './quant-fix.js';

/** Options of {@link placeModel}. */
export interface PlaceOptions {
  /**
   * `full` (default): every condition of the profile is evaluated. `op-names`: reproduces onnxruntime's
   * `check_onnx_model_mobile_usability` (op-name lookup, its fixed-shape and max-rank checks, its
   * non-QDQ-aware partitioning) using the profile's `checker` block.
   */
  readonly ruleMode?: 'full' | 'op-names';
}

/** Thrown when a profile cannot be used in the requested mode (e.g. `op-names` without a `checker` block). */
export class PlacementError extends Error {
  readonly profileId: string;
  constructor(profileId: string, message: string, options?: { cause?: unknown }) {
    super(`${profileId}: ${message}`, options);
    this.name = 'PlacementError';
    this.profileId = profileId;
  }
}

interface Unit {
  readonly target: number;
  readonly nodes: readonly number[];
  readonly qdq?: QdqNodeUnit;
}

/**
 * Places a model on a device profile. Counts are over the placed graph (`placedGraph` says which);
 * `sourceNodes` map each placed node back to `graph.node` indices.
 */
export function placeModel(analysis: GraphAnalysis, profile: DeviceProfile, options: PlaceOptions = {}): DevicePlacement {
  const mode = options.ruleMode ?? 'full';
  if (mode === 'op-names' && profile.checker === undefined) {
    throw new PlacementError(profile.id, "ruleMode 'op-names' needs the profile's `checker` block");
  }
  const graph = placedGraphFor(analysis, profile, mode);
  let perGraph = graphCache.get(graph);
  if (perGraph === undefined) {
    const qdqUnits = getQdqNodeUnits({ nodes: graph.nodes, outputs: graph.outputs.map((name) => ({ name })) });
    perGraph = { qdqUnits, scheme: detectQuantScheme(graph, qdqUnits.filter((u) => u.kind === 'qdq').length), quant: new Map() };
    graphCache.set(graph, perGraph);
  }
  const { qdqUnits, scheme } = perGraph;
  const graphFacts = perGraph;
  const modelFormat = scheme.scheme === 'qdq' || scheme.scheme === 'qoperator' || scheme.scheme === 'dynamic' ? scheme.scheme : null;

  // ---- units -------------------------------------------------------------------------------------
  const units: Unit[] = [];
  if (mode === 'full') {
    for (const u of qdqUnits) {
      units.push(u.kind === 'qdq' ? { target: u.target, nodes: u.nodes, qdq: u } : { target: u.target, nodes: u.nodes });
    }
    // A DQ shared by a unit and an outside reader comes back as its own unit too; each node is placed once.
  } else {
    for (const n of graph.nodes) units.push({ target: n.index, nodes: [n.index] });
  }

  // ---- decisions ---------------------------------------------------------------------------------
  const decisions: Decision[] = units.map((u) => {
    const node = graph.nodes[u.target]!;
    if (mode === 'op-names') return decideOpName(node, graph, profile);
    // Quantization facts depend on the graph only: computed once per unit and shared by every profile.
    let quant = graphFacts.quant.get(u.target);
    if (quant === undefined) {
      quant = u.qdq
        ? qdqUnitQuant(graph, node, u.qdq.dqNodes.map((i) => graph.nodes[i]!), u.qdq.qNodes.map((i) => graph.nodes[i]!))
        : singleNodeQuant(graph, node, modelFormat);
      graphFacts.quant.set(u.target, quant);
    }
    return decideNode({ node, graph, profile, analysis, quant, unit: u.qdq, modelFormat });
  });

  // ---- partitions ----------------------------------------------------------------------------------
  const unitOf = new Map<number, number>();
  units.forEach((u, i) => {
    for (const n of u.nodes) if (!unitOf.has(n)) unitOf.set(n, i);
  });
  const producerUnit = new Map<string, number>();
  units.forEach((u, i) => {
    for (const n of u.nodes) for (const o of graph.nodes[n]!.outputs) if (o !== '') producerUnit.set(o, i);
  });
  const order = unitTopoOrder(units, graph, producerUnit);
  const position = new Map(order.map((ui, k) => [ui, k]));
  const punits: PartitionUnit[] = order.map((ui) => {
    const u = units[ui]!;
    const inside = new Set(u.nodes);
    const producers: number[] = [];
    for (const n of u.nodes) {
      for (const x of [...graph.nodes[n]!.inputs, ...implicitInputs(graph.nodes[n]!)]) {
        const p = producerUnit.get(x);
        if (p === undefined || p === ui) continue;
        if (units[p]!.nodes.some((m) => inside.has(m))) continue;
        producers.push(position.get(p) ?? -1);
      }
    }
    return { nodes: u.nodes, producers: [...new Set(producers)].filter((p) => p >= 0), supported: decisions[ui]!.status === 'ok' };
  });

  const policy = mode === 'op-names' ? 'multi' : profile.partition.policy;
  const placement = new Map<number, { placement: Placement; decision: Decision; partition: number | null }>();
  const partitions: { id: number; nodes: number[] }[] = [];
  const assign = (ui: number, p: Placement, d: Decision, partition: number | null): void => {
    for (const n of units[ui]!.nodes) if (!placement.has(n)) placement.set(n, { placement: p, decision: d, partition });
  };
  const failPlacement: Placement = policy === 'none' ? 'unsupported' : 'cpu-fallback';

  if (policy === 'multi') {
    const groups = createSupportedPartitionGroups(punits);
    const min = mode === 'full' ? profile.partition.minNodesPerPartition ?? 1 : 1;
    for (const g of groups) {
      const size = g.reduce((s, k) => s + punits[k]!.nodes.length, 0);
      if (size < min) {
        for (const k of g) {
          assign(order[k]!, 'cpu-fallback', { status: 'fail', reason: 'PARTITION_TOO_SMALL', detail: `its partition has ${size} node${size === 1 ? '' : 's'}, fewer than the ${min} the runtime needs to offload it`, ruleId: decisions[order[k]!]!.ruleId }, null);
        }
        continue;
      }
      const id = partitions.length;
      partitions.push({ id, nodes: g.flatMap((k) => [...punits[k]!.nodes]) });
      for (const k of g) assign(order[k]!, 'accelerated', decisions[order[k]!]!, id);
    }
  } else if (policy === 'single_prefix') {
    let breaker: { ui: number; definite: boolean } | undefined;
    const prefix: number[] = [];
    for (const k of order.keys()) {
      const ui = order[k]!;
      const d = decisions[ui]!;
      if (breaker === undefined && d.status === 'ok') {
        prefix.push(ui);
        continue;
      }
      if (breaker === undefined) {
        breaker = { ui, definite: d.status === 'fail' };
        assign(ui, d.status === 'unknown' ? 'unknown' : 'cpu-fallback', d, null);
        continue;
      }
      const first = graph.nodes[units[breaker.ui]!.target]!;
      if (d.status === 'ok') {
        const after: Decision = {
          status: breaker.definite ? 'fail' : 'unknown',
          reason: 'AFTER_FIRST_UNSUPPORTED',
          detail: `comes after ${describe(first)}, the first node the accelerator ${breaker.definite ? 'cannot take' : 'may not take'}; from there on everything runs on the CPU`,
          ...(d.ruleId ? { ruleId: d.ruleId } : {}),
        };
        assign(ui, breaker.definite ? 'cpu-fallback' : 'unknown', after, null);
      } else {
        assign(ui, d.status === 'unknown' ? 'unknown' : 'cpu-fallback', d, null);
        if (d.status === 'fail' && !breaker.definite) breaker = { ui, definite: true };
      }
    }
    if (prefix.length > 0) {
      partitions.push({ id: 0, nodes: prefix.flatMap((ui) => [...units[ui]!.nodes]) });
      for (const ui of prefix) assign(ui, 'accelerated', decisions[ui]!, 0);
    }
  } else {
    const ok = order.filter((ui) => decisions[ui]!.status === 'ok');
    if (ok.length > 0) partitions.push({ id: 0, nodes: ok.flatMap((ui) => [...units[ui]!.nodes]) });
    for (const ui of order) {
      const d = decisions[ui]!;
      assign(ui, d.status === 'ok' ? 'accelerated' : d.status === 'unknown' ? 'unknown' : failPlacement, d, d.status === 'ok' ? 0 : null);
    }
  }
  for (const ui of order) {
    const d = decisions[ui]!;
    assign(ui, d.status === 'unknown' ? 'unknown' : failPlacement, d, null);
  }
  // What the fallback unit cannot run is unsupported (partition.fallback.ops; absent: everything falls back).
  const fallbackOps = mode === 'full' && profile.partition.fallback?.ops ? new Set(profile.partition.fallback.ops) : undefined;
  if (fallbackOps) {
    for (const [index, p] of placement) {
      if (p.placement !== 'cpu-fallback') continue;
      const n = graph.nodes[index]!;
      const d = decisions[unitOf.get(index)!]!;
      let missing: string | undefined;
      if (profile.conversion) {
        const own = units[unitOf.get(index)!]!.target === index ? d.builtins : [];
        if (own === null) missing = `${n.opType} (no known TFLite conversion)`;
        else missing = (own ?? []).find((b) => !fallbackOps.has(b));
      } else {
        const key = n.domain === '' ? n.opType : `${n.domain}:${n.opType}`;
        if (!fallbackOps.has(key)) missing = key;
      }
      if (missing !== undefined) {
        placement.set(index, { ...p, placement: 'unsupported', decision: { ...p.decision, detail: `${p.decision.detail ?? p.decision.reason}; the fallback (${profile.hardware.fallbackUnit}) has no kernel for ${missing} either` } });
      }
    }
  }

  // ---- nodes, counts ----------------------------------------------------------------------------------
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const p = placement.get(n.index)!;
    const d = p.decision;
    const inUnit = units[unitOf.get(n.index)!];
    const viaUnit = inUnit && inUnit.target !== n.index && inUnit.qdq !== undefined;
    return {
      index: n.index,
      name: n.name,
      op: n.opType,
      domain: n.domain,
      placement: p.placement,
      reason: p.placement === 'accelerated' ? 'OK' : d.reason,
      ...(p.placement !== 'accelerated' && d.detail ? { detail: viaUnit ? `${d.detail} (QDQ node unit of ${describe(graph.nodes[inUnit.target]!)})` : d.detail } : viaUnit ? { detail: `part of the QDQ node unit of ${describe(graph.nodes[inUnit.target]!)}` } : {}),
      ...(p.placement !== 'accelerated' && d.hint ? { hint: d.hint } : {}),
      sourceNodes: n.sourceNodes,
      partition: p.partition,
      ...(d.ruleId ? { ruleId: d.ruleId } : {}),
    };
  });
  const nodesTotal = nodes.length;
  const nodesAccelerated = nodes.filter((n) => n.placement === 'accelerated').length;
  const macs = macsByPlacedNode(analysis, graph);
  let macsTotal: number | null = 0;
  let macsAccelerated: number | null = 0;
  for (const n of nodes) {
    const m = macs[n.index]!;
    if (m === null) {
      macsTotal = null;
      macsAccelerated = null;
      break;
    }
    macsTotal! += m;
    if (n.placement === 'accelerated') macsAccelerated! += m;
  }
  const macsAcceleratedFraction = macsTotal === null || macsAccelerated === null ? null : macsTotal === 0 ? (nodesTotal === 0 ? null : nodesAccelerated / nodesTotal) : macsAccelerated / macsTotal;

  // ---- verdict ------------------------------------------------------------------------------------
  const unsupported = nodes.filter((n) => n.placement === 'unsupported').length;
  const unknown = nodes.filter((n) => n.placement === 'unknown').length;
  const share = nodesTotal === 0 ? 0 : nodesAccelerated / nodesTotal;
  const facts = { partitions: partitions.length, share, macShare: macsAcceleratedFraction };
  let verdict: 'pass' | 'warn' | 'fail';
  let verdictReason: string;
  const summary = `${nodesAccelerated}/${nodesTotal} nodes (${pct(share)}) accelerated in ${partitions.length} partition${partitions.length === 1 ? '' : 's'}${macsAcceleratedFraction === null ? '' : `, ${pct(macsAcceleratedFraction)} of MACs`}${unknown > 0 ? `, ${unknown} unknown` : ''}`;
  if (mode === 'op-names') {
    const s = checkerSuitability(partitions.length, share);
    verdict = s === 'YES' ? 'pass' : s === 'MAYBE' ? 'warn' : 'fail';
    verdictReason = `${summary}; onnxruntime's checker would say ${s}`;
  } else if (unsupported > 0) {
    verdict = 'fail';
    verdictReason = `${unsupported} node${unsupported === 1 ? '' : 's'} cannot run on this target${policy === 'none' ? ' and it has no fallback' : ', not even on its fallback unit'}; ${summary}`;
  } else {
    const passAlt = profile.verdict.pass.find((t) => meets(t, facts));
    const warnAlt = passAlt ? undefined : profile.verdict.warn.find((t) => meets(t, facts));
    verdict = passAlt ? 'pass' : warnAlt ? 'warn' : 'fail';
    verdictReason = `${summary}; ${passAlt ? `meets pass threshold (${describeThreshold(passAlt)})` : warnAlt ? `meets only the warn threshold (${describeThreshold(warnAlt)})` : `misses every pass/warn threshold (pass: ${profile.verdict.pass.map(describeThreshold).join(' or ')})`}`;
  }

  const acceptance = quantAcceptance(profile, scheme, nodesAccelerated, nodesTotal);
  const countBasis = describeCountBasis(profile, graph, analysis.model.graph.nodes.length, mode);
  const subgraphs = mode === 'op-names' ? checkerSubgraphs(graph, profile) : undefined;
  return {
    ...(subgraphs && subgraphs.nodes > 0 ? { subgraphs } : {}),
    profileId: profile.id,
    placedGraph: graph.kind,
    countBasis,
    nodes,
    partitions,
    nodesTotal,
    nodesAccelerated,
    macsTotal,
    macsAccelerated,
    macsAcceleratedFraction,
    verdict,
    verdictReason,
    quantization: { ...scheme, ...acceptance },
  };
}

const graphCache = new WeakMap<PlacedGraph, { qdqUnits: QdqNodeUnit[]; scheme: ReturnType<typeof detectQuantScheme>; quant: Map<number, NodeQuant> }>();

/** The graph the profile's runtime partitions (exported for tests and benches). */
export function placedGraphFor(analysis: GraphAnalysis, profile: DeviceProfile, mode: 'full' | 'op-names' = 'full'): PlacedGraph {
  if (mode === 'op-names') return ortBasicGraph(analysis);
  if (profile.runtime.appliesOrtBasicRewrites) {
    // The EP claims a function op (HardSwish) whole when it has a rule for it; otherwise ORT inlines it.
    return ortBasicGraph(analysis, { keepFunctionOp: (n) => findRule(profile, n) !== undefined && !profile.conversion });
  }
  // Converters and engines (TensorRT's parser, RKNN, onnx2tf after onnx-simplifier) fold constants and
  // shape arithmetic at static shapes before they place anything.
  return foldedGraph(analysis);
}


/**
 * What a device's node count is based on, in words a reader can follow from the model line: every count
 * is over the graph after folding (and, for onnxruntime targets, after ORT's other basic rewrites).
 */
export function describeCountBasis(profile: DeviceProfile, graph: PlacedGraph, sourceNodes: number, mode: 'full' | 'op-names' = 'full'): string {
  const n = graph.nodes.length;
  const nodes = `${n} node${n === 1 ? '' : 's'}`;
  const of = `of the model's ${sourceNodes}`;
  if (mode === 'op-names') return `${nodes} after onnxruntime's basic optimizations, as its usability checker counts them (${of})`;
  if (graph.kind === 'ort-basic') return `${nodes} after onnxruntime's basic optimizations: constants folded, nodes fused or eliminated (${of})`;
  const folded = `constants and shape arithmetic folded (${of})`;
  if (profile.conversion) return `${nodes} after folding, as ${profile.conversion.tool} sees them before it converts: ${folded}`;
  return `${nodes} after folding, as the ${profile.runtime.name === 'tensorrt' ? 'TensorRT ONNX parser' : `${profile.runtime.name} converter`} sees them: ${folded}`;
}

/**
 * The checker's treatment of If/Loop/Scan bodies: each body is partitioned on its own (op listed, fixed
 * input shapes with the outer scope visible, rank) and added to the totals.
 */
function checkerSubgraphs(graph: PlacedGraph, profile: DeviceProfile): { nodes: number; supported: number; partitionSizes: number[] } {
  const out = { nodes: 0, supported: 0, partitionSizes: [] as number[] };
  const fixed = new Set<string>();
  for (const [name, t] of graph.tensors) {
    if (t.initializer || (t.shape && t.shape.every((d) => typeof d === 'number' && d > 0))) fixed.add(name);
  }
  const visit = (body: OnnxGraph, outerFixed: ReadonlySet<string>): void => {
    const known = new Set(outerFixed);
    for (const k of body.initializers.keys()) known.add(k);
    // A body input without a shape field counts as fixed for the checker (its `if shape:` quirk).
    for (const v of body.inputs) if (v.shape === null || v.shape.every((d) => typeof d === 'number' && d > 0)) known.add(v.name);
    const sub: GraphNode[] = body.nodes.map((n, i) => ({ index: i, name: n.name, opType: n.opType, domain: n.domain, inputs: n.inputs, outputs: n.outputs, attributes: n.attributes, sourceNodes: [] }));
    const tensors = new Map<string, { dtype: number; shape: (number | null)[] | null; initializer: boolean }>();
    const sup = sub.map((n) => {
      const listed = findRule(profile, n) !== undefined && profile.checker?.tableSpellings?.[n.opType] === undefined;
      const inputsFixed = n.inputs.every((x) => x !== '' && known.has(x));
      if (inputsFixed) for (const o of n.outputs) if (o !== '') known.add(o);
      return listed && (!profile.checker!.requireFixedInputShapes || inputsFixed);
    });
    void tensors;
    const producer = new Map<string, number>();
    sub.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
    const groups = createSupportedPartitionGroups(
      sub.map((n, i) => ({ nodes: [i], producers: n.inputs.map((x) => producer.get(x)).filter((p): p is number => p !== undefined && p !== i), supported: sup[i]! })),
    );
    out.nodes += sub.length;
    out.supported += sup.filter(Boolean).length;
    out.partitionSizes.push(...groups.map((g) => g.length));
    for (const n of body.nodes) {
      for (const a of n.attributes.values()) {
        const gs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
        for (const g of gs) visit(g, known);
      }
    }
  };
  for (const n of graph.nodes) {
    for (const a of n.attributes.values()) {
      const gs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const g of gs) visit(g, fixed);
    }
  }
  return out;
}

/** Units in topological order (Kahn, ties by target index). */
function unitTopoOrder(units: readonly Unit[], graph: PlacedGraph, producerUnit: ReadonlyMap<string, number>): number[] {
  const deps = units.map((u, i) => {
    const inside = new Set(u.nodes);
    const s = new Set<number>();
    for (const n of u.nodes) {
      for (const x of [...graph.nodes[n]!.inputs, ...implicitInputs(graph.nodes[n]!)]) {
        const p = producerUnit.get(x);
        if (p !== undefined && p !== i && !units[p]!.nodes.every((m) => inside.has(m))) s.add(p);
      }
    }
    return s;
  });
  const indeg = deps.map((s) => s.size);
  const consumers: number[][] = units.map(() => []);
  deps.forEach((s, i) => s.forEach((p) => consumers[p]!.push(i)));
  const ready = units.map((_, i) => i).filter((i) => indeg[i] === 0);
  const order: number[] = [];
  ready.sort((a, b) => units[a]!.target - units[b]!.target);
  while (ready.length > 0) {
    const u = ready.shift()!;
    order.push(u);
    for (const c of consumers[u]!) {
      indeg[c]!--;
      if (indeg[c] === 0) {
        let lo = 0;
        let hi = ready.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (units[ready[mid]!]!.target <= units[c]!.target) lo = mid + 1;
          else hi = mid;
        }
        ready.splice(lo, 0, c);
      }
    }
  }
  if (order.length < units.length) {
    const seen = new Set(order);
    for (let i = 0; i < units.length; i++) if (!seen.has(i)) order.push(i);
  }
  return order;
}

/**
 * MACs per placed node, summed from the analysis' NodeFacts through `sourceNodes`. A source node shared by
 * several placed nodes (HardSwish expansion, duplicated DQs, Reshapes around a fused Gemm) counts once, on
 * the placed node that keeps its op (else the first).
 */
function macsByPlacedNode(analysis: GraphAnalysis, graph: PlacedGraph): (number | null)[] {
  const out: (number | null)[] = graph.nodes.map(() => 0);
  const owner = new Map<number, number>();
  for (const n of graph.nodes) {
    for (const s of n.sourceNodes) {
      const prev = owner.get(s);
      const srcOp = analysis.nodes[s]?.opType;
      const better = prev === undefined || (graph.nodes[prev]!.opType !== srcOp && (n.opType === srcOp || n.opType === 'Gemm' || n.opType === 'Conv'));
      if (better) owner.set(s, n.index);
    }
  }
  for (const [s, i] of owner) {
    const m = analysis.nodeFacts[s]?.macs;
    if (m === null || m === undefined) out[i] = null;
    else if (out[i] !== null) out[i] = out[i]! + m;
  }
  return out;
}

function meets(t: Threshold, f: { partitions: number; share: number; macShare: number | null }): boolean {
  if (t.maxPartitions !== undefined && f.partitions > t.maxPartitions) return false;
  const cmp = (v: number | null, c: { gt?: number; gte?: number } | undefined): boolean => {
    if (c === undefined) return true;
    if (v === null) return false;
    if (c.gt !== undefined && !(v > c.gt)) return false;
    if (c.gte !== undefined && !(v >= c.gte)) return false;
    return true;
  };
  return cmp(f.share, t.acceleratedNodeShare) && cmp(f.macShare, t.acceleratedMacShare);
}

function describeThreshold(t: Threshold): string {
  const parts: string[] = [];
  if (t.maxPartitions !== undefined) parts.push(`≤ ${t.maxPartitions} partition${t.maxPartitions === 1 ? '' : 's'}`);
  const c = (name: string, v: { gt?: number; gte?: number } | undefined): void => {
    if (v?.gt !== undefined) parts.push(`${name} > ${pct(v.gt)}`);
    if (v?.gte !== undefined) parts.push(`${name} ≥ ${pct(v.gte)}`);
  };
  c('nodes', t.acceleratedNodeShare);
  c('MACs', t.acceleratedMacShare);
  return parts.join(', ') || 'always';
}

/** onnxruntime's PartitioningInfo.suitability(). */
export function checkerSuitability(partitions: number, share: number): 'YES' | 'MAYBE' | 'NO' {
  const p = share * 100;
  if (partitions === 1) return p > 75 ? 'YES' : p > 50 ? 'MAYBE' : 'NO';
  if (partitions === 2) return p > 75 ? 'MAYBE' : 'NO';
  return 'NO';
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function describe(n: GraphNode): string {
  return `${n.opType}${n.name ? ` '${n.name}'` : ''} (#${n.index})`;
}

/** Whether the profile accepts the model's quantization scheme, with the sentence a reviewer reads. */
export function quantAcceptance(
  profile: DeviceProfile,
  scheme: ReturnType<typeof detectQuantScheme>,
  accelerated: number,
  total: number,
): { accepted: boolean; message: string; fix?: string } {
  const q = profile.quantization;
  const tail = `so ${accelerated} of ${total} nodes are accelerated`;
  const isFloat = scheme.scheme === 'float32' || scheme.scheme === 'float16';
  if (isFloat) {
    if (q.required) {
      const want = q.formats.length > 0 ? `${q.formats.join('/')} with ${q.activationDtypes.join('/')} activations` : 'a quantized model';
      const fix = quantSchemeFix(profile, true);
      return { accepted: false, message: `${profile.name} needs ${want}; this model is ${scheme.scheme}, ${tail}.${fix ? ` Fix: ${fix}` : ''}`, ...(fix ? { fix } : {}) };
    }
    return { accepted: true, message: `${profile.name} runs ${scheme.scheme} models; ${tail}.` };
  }
  const problems: string[] = [];
  const formats = scheme.scheme === 'mixed' ? [] : [scheme.scheme];
  for (const f of formats) if (!q.formats.includes(f as never)) problems.push(`its format is ${f}, the target takes ${q.formats.length > 0 ? q.formats.join('/') : 'no quantized format'}`);
  const badAct = scheme.activationDtypes.filter((d) => !q.activationDtypes.includes(d as never));
  if (badAct.length > 0) problems.push(`activations are ${badAct.join('/')}, the target takes ${q.activationDtypes.join('/') || 'none'}`);
  const badW = scheme.weightDtypes.filter((d) => !q.weightDtypes.includes(d as never));
  if (badW.length > 0) problems.push(`weights are ${badW.join('/')}, the target takes ${q.weightDtypes.join('/') || 'none'}`);
  if (scheme.weightGranularity.includes('per-channel') && !q.weightGranularity.default.includes('per-channel')) {
    const ops = q.weightGranularity.perChannelOps ?? [];
    problems.push(ops.length > 0 ? `weights are per-channel, accepted only for ${ops.join('/')}` : 'weights are per-channel, the target takes per-tensor only');
  }
  if (q.symmetricWeights && scheme.symmetricWeights === false) problems.push('weight zero points are not 0, the target needs symmetric weights');
  const accepted = problems.length === 0 || (problems.length === 1 && problems[0]!.startsWith('weights are per-channel, accepted only'));
  const desc = `${scheme.scheme}${scheme.activationDtypes.length ? `, ${scheme.activationDtypes.join('/')} activations` : ''}${scheme.weightDtypes.length ? `, ${scheme.weightDtypes.join('/')} ${scheme.weightGranularity.join('+')} weights` : ''}`;
  const fix = accepted ? undefined : quantSchemeFix(profile, false);
  return {
    accepted,
    message: accepted
      ? `${profile.name} accepts this model's quantization (${desc})${problems.length ? ` (${problems[0]})` : ''}; ${tail}.`
      : `${profile.name} does not accept this model's quantization (${desc}): ${problems.join('; ')}; ${tail}.${fix ? ` Fix: ${fix}.` : ''}`,
    ...(fix ? { fix } : {}),
  };
}

/** Re-export for callers that format dtypes the way profiles spell them. */
export { dtypeName };
