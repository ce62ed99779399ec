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
import { smallConstant } from '../onnx/tensor-data.js';
import { getQdqGroups, getQdqUnitTable, type QdqGraphLike, type QdqNodeUnit } from '../graph/qdq-units.js';
import type { Placement } from '../report/types.js';
import type { DevicePlacement, PlacedNode } from './placement.js';
import type { DeviceProfile, Threshold } from './schema.js';
import { foldedGraph, ortBasicGraph, type GraphNode, type PlacedGraph } from './ort-basic.js';
import { createSupportedPartitionGroups, supportedPartitionGroups } from './partition.js';
import { dagEdges, orderByKey, type DagEdges } from '../graph/topo.js';
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

/**
 * The units of placement of a placed graph: QDQ node units (or single nodes) in `full` mode, one per node
 * in `op-names` mode. Kept as each unit's target node plus the QDQ groups, without an object or list per
 * single-node unit (a graph can have a million nodes).
 */
class Units {
  constructor(
    readonly count: number,
    private readonly targets: Int32Array,
    private readonly groups: ReadonlyMap<number, QdqNodeUnit>,
  ) {}

  /** The node the unit is named after (its only node unless it is a QDQ group). */
  target(u: number): number {
    return this.targets[u]!;
  }

  /** The QDQ group the unit is, if it is one. */
  group(u: number): QdqNodeUnit | undefined {
    return this.groups.get(u);
  }

  size(u: number): number {
    return this.groups.get(u)?.nodes.length ?? 1;
  }

  has(u: number, node: number): boolean {
    const g = this.groups.get(u);
    return g ? g.nodes.includes(node) : this.targets[u] === node;
  }

  /** The unit's nodes, DQs first, then the target, then Qs. */
  nodes(u: number): readonly number[] {
    return this.groups.get(u)?.nodes ?? [this.targets[u]!];
  }

  /** `fn` for each of the unit's nodes (no list made for a single-node unit). */
  forEachNode(u: number, fn: (node: number) => void): void {
    const g = this.groups.get(u);
    if (g) g.nodes.forEach(fn);
    else fn(this.targets[u]!);
  }

  /** Whether every node of unit `p` is in unit `u`. */
  within(p: number, u: number): boolean {
    const g = this.groups.get(p);
    return g ? g.nodes.every((m) => this.has(u, m)) : this.has(u, this.targets[p]!);
  }

  /** Whether some node of unit `p` is in unit `u`. */
  overlaps(p: number, u: number): boolean {
    const g = this.groups.get(p);
    return g ? g.nodes.some((m) => this.has(u, m)) : this.has(u, this.targets[p]!);
  }
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
  const perGraph = graphFactsOf(graph);
  const { scheme } = perGraph;
  const modelFormat = scheme.scheme === 'qdq' || scheme.scheme === 'qoperator' || scheme.scheme === 'dynamic' ? scheme.scheme : null;
  // Units, their topological order and edges depend on the graph only: built once, shared by every device.
  const skeleton = unitSkeleton(graph, perGraph, mode);
  const { units, unitOf, order } = skeleton;

  // ---- decisions ---------------------------------------------------------------------------------
  const decisions = new Array<Decision>(units.count);
  // Equal decisions (a failed condition repeats over many nodes) are one object with one detail string:
  // they live until the device is placed, and their texts are built per node.
  const byDetail = new Map<string, Decision[]>();
  const sameDecision = (d: Decision): Decision => {
    if (d.detail === undefined) return d;
    const list = byDetail.get(d.detail);
    if (list === undefined) {
      byDetail.set(d.detail, [d]);
      return d;
    }
    const same = list.find((e) => e.status === d.status && e.reason === d.reason && e.hint === d.hint && e.ruleId === d.ruleId && e.builtins === d.builtins);
    if (same) return same;
    if (list.length < 8) list.push(d);
    return d;
  };
  for (let u = 0; u < units.count; u++) {
    const target = units.target(u);
    const node = graph.nodes[target]!;
    if (mode === 'op-names') {
      decisions[u] = decideOpName(node, graph, profile);
      continue;
    }
    // Quantization facts depend on the graph only: computed once per unit and shared by every profile.
    const qdq = units.group(u);
    let quant = perGraph.quant[target];
    if (quant === undefined) {
      quant = qdq
        ? qdqUnitQuant(graph, node, qdq.dqNodes.map((i) => graph.nodes[i]!), qdq.qNodes.map((i) => graph.nodes[i]!))
        : singleNodeQuant(graph, node, modelFormat);
      perGraph.quant[target] = quant;
    }
    decisions[u] = sameDecision(decideNode({ node, graph, profile, analysis, quant, unit: qdq, modelFormat }));
  }

  // ---- partitions ----------------------------------------------------------------------------------
  const policy = mode === 'op-names' ? 'multi' : profile.partition.policy;
  // Per node of the placed graph: placement (0 = not yet assigned), the deciding decision, partition.
  const nodeCount = graph.nodes.length;
  const placementOf = new Uint8Array(nodeCount);
  const decisionOf = new Array<Decision | undefined>(nodeCount);
  const partitionOf = new Int32Array(nodeCount).fill(-1);
  const partitions: { id: number; nodes: number[] }[] = [];
  const assign = (ui: number, p: Placement, d: Decision, partition: number | null): void => {
    units.forEachNode(ui, (n) => {
      if (placementOf[n] !== 0) return;
      placementOf[n] = PLACEMENT_CODE[p];
      decisionOf[n] = d;
      partitionOf[n] = partition ?? -1;
    });
  };
  const nodesOfUnits = (list: Iterable<number>): number[] => {
    const out: number[] = [];
    for (const ui of list) units.forEachNode(ui, (n) => out.push(n));
    return out;
  };
  const failPlacement: Placement = policy === 'none' ? 'unsupported' : 'cpu-fallback';

  if (policy === 'multi') {
    const groups = supportedPartitionGroups(skeleton.edges, (k) => decisions[order[k]!]!.status === 'ok');
    const min = mode === 'full' ? profile.partition.minNodesPerPartition ?? 1 : 1;
    for (const g of groups) {
      const size = g.reduce((s, k) => s + units.size(order[k]!), 0);
      if (size < min) {
        for (const k of g) {
          assign(order[k]!, 'cpu-fallback', { status: 'fail', reason: 'PARTITION_TOO_SMALL', detail: `its partition has ${size} node${size === 1 ? '' : 's'}, fewer than the ${min} the runtime needs to offload it`, ruleId: decisions[order[k]!]!.ruleId }, null);
        }
        continue;
      }
      const id = partitions.length;
      partitions.push({ id, nodes: nodesOfUnits(g.map((k) => order[k]!)) });
      for (const k of g) assign(order[k]!, 'accelerated', decisions[order[k]!]!, id);
    }
  } else if (policy === 'single_prefix') {
    let breaker: { ui: number; definite: boolean } | undefined;
    // The sentence every node after the breaker gets (one string, not one per node).
    let afterDetail = '';
    const prefix: number[] = [];
    for (const ui of order) {
      const d = decisions[ui]!;
      if (breaker === undefined && d.status === 'ok') {
        prefix.push(ui);
        continue;
      }
      if (breaker === undefined) {
        breaker = { ui, definite: d.status === 'fail' };
        afterDetail = afterBreaker(graph.nodes[units.target(ui)]!, breaker.definite);
        assign(ui, d.status === 'unknown' ? 'unknown' : 'cpu-fallback', d, null);
        continue;
      }
      if (d.status === 'ok') {
        const after: Decision = {
          status: breaker.definite ? 'fail' : 'unknown',
          reason: 'AFTER_FIRST_UNSUPPORTED',
          detail: afterDetail,
          ...(d.ruleId ? { ruleId: d.ruleId } : {}),
        };
        assign(ui, breaker.definite ? 'cpu-fallback' : 'unknown', after, null);
      } else {
        assign(ui, d.status === 'unknown' ? 'unknown' : 'cpu-fallback', d, null);
        if (d.status === 'fail' && !breaker.definite) {
          breaker = { ui, definite: true };
          afterDetail = afterBreaker(graph.nodes[units.target(ui)]!, true);
        }
      }
    }
    if (prefix.length > 0) {
      partitions.push({ id: 0, nodes: nodesOfUnits(prefix) });
      for (const ui of prefix) assign(ui, 'accelerated', decisions[ui]!, 0);
    }
  } else {
    const ok = [...order].filter((ui) => decisions[ui]!.status === 'ok');
    if (ok.length > 0) partitions.push({ id: 0, nodes: nodesOfUnits(ok) });
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
    // One rewritten decision per (decision, missing kernel), not one per node.
    const rewritten = new Map<Decision, Map<string, Decision>>();
    for (let index = 0; index < nodeCount; index++) {
      if (placementOf[index] !== PLACEMENT_CODE['cpu-fallback']) continue;
      const n = graph.nodes[index]!;
      const d = decisions[unitOf[index]!]!;
      let missing: string | undefined;
      if (profile.conversion) {
        const own = units.target(unitOf[index]!) === index ? d.builtins : [];
        if (own === null) missing = `${n.opType} (no known TFLite conversion)`;
        else missing = (own ?? []).find((b) => !fallbackOps.has(b));
      } else {
        const key = n.domain === '' ? n.opType : `${n.domain}:${n.opType}`;
        if (!fallbackOps.has(key)) missing = key;
      }
      if (missing === undefined) continue;
      const was = decisionOf[index]!;
      let byMissing = rewritten.get(was);
      if (byMissing === undefined) rewritten.set(was, (byMissing = new Map<string, Decision>()));
      let now = byMissing.get(missing);
      if (now === undefined) {
        now = { ...was, detail: `${was.detail ?? was.reason}; the fallback (${profile.hardware.fallbackUnit}) has no kernel for ${missing} either` };
        byMissing.set(missing, now);
      }
      placementOf[index] = PLACEMENT_CODE.unsupported;
      decisionOf[index] = now;
    }
  }

  // ---- nodes, counts ----------------------------------------------------------------------------------
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const placement = PLACEMENTS_BY_CODE[placementOf[n.index]!]!;
    const d = decisionOf[n.index]!;
    const inUnit = unitOf[n.index]!;
    const viaUnit = inUnit >= 0 && units.target(inUnit) !== n.index && units.group(inUnit) !== undefined;
    const detail =
      placement !== 'accelerated' && d.detail
        ? viaUnit
          ? `${d.detail} (QDQ node unit of ${describe(graph.nodes[units.target(inUnit)]!)})`
          : d.detail
        : viaUnit
          ? `part of the QDQ node unit of ${describe(graph.nodes[units.target(inUnit)]!)}`
          : undefined;
    const hint = placement !== 'accelerated' ? d.hint : undefined;
    // One literal (optional fields spread in place) keeps every field inside the object; adding fields one
    // by one would give each node an extra property array.
    return {
      index: n.index,
      name: n.name,
      op: n.opType,
      domain: n.domain,
      placement,
      reason: placement === 'accelerated' ? 'OK' : d.reason,
      ...(detail !== undefined ? { detail } : {}),
      ...(hint ? { hint } : {}),
      sourceNodes: n.sourceNodes,
      partition: partitionOf[n.index] === -1 ? null : partitionOf[n.index]!,
      ...(d.ruleId ? { ruleId: d.ruleId } : {}),
    };
  });
  const nodesTotal = nodes.length;
  const nodesAccelerated = nodes.filter((n) => n.placement === 'accelerated').length;
  const macs = perGraph.macs ??= macsByPlacedNode(analysis, graph);
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

/** What placement needs of a unit graph that does not depend on the device. */
interface UnitSkeleton {
  readonly units: Units;
  /** Per placed node: the first unit that holds it. */
  readonly unitOf: Int32Array;
  /** Unit indices in topological order. */
  readonly order: Int32Array;
  /** Partitioning edges between positions in `order`. */
  readonly edges: DagEdges;
}

/** Per placed graph: its quantization scheme, per-target quantization facts, MACs, unit skeletons. */
interface GraphFacts {
  readonly scheme: ReturnType<typeof detectQuantScheme>;
  /** By unit target (filled as devices ask). */
  readonly quant: (NodeQuant | undefined)[];
  macs?: (number | null)[];
  readonly skeletons: Map<'full' | 'op-names', UnitSkeleton>;
}

const graphCache = new WeakMap<PlacedGraph, GraphFacts>();

function graphFactsOf(graph: PlacedGraph): GraphFacts {
  let facts = graphCache.get(graph);
  if (facts === undefined) {
    const groups = getQdqGroups(unitGraph(graph));
    facts = { scheme: detectQuantScheme(graph, groups.length), quant: [], skeletons: new Map() };
    graphCache.set(graph, facts);
  }
  return facts;
}

/**
 * A placed graph as the QDQ unit functions take it (their cache is per node list and outputs), with its
 * small constants, so that a Relu/Clip its Q makes redundant joins the unit as onnxruntime's EPs see it.
 */
function unitGraph(graph: PlacedGraph): QdqGraphLike {
  const constantValues = (name: string): { dtype: number; values: readonly number[] } | undefined => {
    const t = graph.tensors.get(name);
    if (!t?.initializer) return undefined;
    return t.value ? { dtype: t.value.dtype, values: t.value.values } : smallConstant(t.tensor);
  };
  return { nodes: graph.nodes, outputs: graph.outputs.map((name) => ({ name })), constantValues };
}

/** Every name a placed node reads: inputs, then the free names of its bodies. */
function readsOfNode(n: GraphNode): readonly string[] {
  return n.attributes.size === 0 ? n.inputs : [...n.inputs, ...implicitInputs(n)];
}

/**
 * The units of a placed graph (QDQ node units in `full` mode, one per node in `op-names` mode), the unit
 * each node belongs to, the units' topological order (Kahn, ties by target index) and the edges ORT's
 * partitioner walks.
 */
function unitSkeleton(graph: PlacedGraph, facts: GraphFacts, mode: 'full' | 'op-names'): UnitSkeleton {
  const hit = facts.skeletons.get(mode);
  if (hit) return hit;
  let units: Units;
  if (mode === 'full') {
    const table = getQdqUnitTable(unitGraph(graph));
    units = new Units(table.count, table.targets, table.groups);
  } else {
    const targets = new Int32Array(graph.nodes.length);
    targets.forEach((_, i) => (targets[i] = i));
    units = new Units(targets.length, targets, new Map());
  }
  const unitOf = new Int32Array(graph.nodes.length).fill(-1);
  const producerUnit = new Map<string, number>();
  for (let i = 0; i < units.count; i++) {
    units.forEachNode(i, (n) => {
      if (unitOf[n] === -1) unitOf[n] = i;
      for (const o of graph.nodes[n]!.outputs) if (o !== '') producerUnit.set(o, i);
    });
  }
  // Topological order: a unit depends on the units producing what it reads, unless they lie inside it.
  const depEdges = dagEdges(units.count, (i, emit) => {
    units.forEachNode(i, (n) => {
      for (const x of readsOfNode(graph.nodes[n]!)) {
        const p = producerUnit.get(x);
        if (p !== undefined && p !== i && !units.within(p, i)) emit(p);
      }
    });
  });
  // Ready units by target, ties in the order they became ready (the sorted ready list ORT keeps).
  const orderList = orderByKey(depEdges, (i) => units.target(i));
  if (orderList.length < units.count) {
    const seen = new Uint8Array(units.count);
    for (const u of orderList) seen[u] = 1;
    for (let i = 0; i < units.count; i++) if (!seen[i]) orderList.push(i);
  }
  const order = Int32Array.from(orderList);
  const position = new Int32Array(units.count);
  order.forEach((ui, k) => (position[ui] = k));
  // Partitioning edges (by position in the order): producers outside the unit that share no node with it.
  const edges = dagEdges(order.length, (k, emit) => {
    const ui = order[k]!;
    units.forEachNode(ui, (n) => {
      for (const x of readsOfNode(graph.nodes[n]!)) {
        const p = producerUnit.get(x);
        if (p === undefined || p === ui) continue;
        if (units.overlaps(p, ui)) continue;
        emit(position[p]!);
      }
    });
  });
  const skeleton: UnitSkeleton = { units, unitOf, order, edges };
  facts.skeletons.set(mode, skeleton);
  return skeleton;
}

/** Numeric codes of placements, for per-node arrays (0: not yet placed). */
const PLACEMENT_CODE: Readonly<Record<Placement, number>> = { accelerated: 1, 'cpu-fallback': 2, unsupported: 3, unknown: 4 };
const PLACEMENTS_BY_CODE: readonly (Placement | undefined)[] = [undefined, 'accelerated', 'cpu-fallback', 'unsupported', 'unknown'];

/** The detail of a node placed after a single-prefix target's first unsupported node. */
function afterBreaker(first: GraphNode, definite: boolean): string {
  return `comes after ${describe(first)}, the first node the accelerator ${definite ? 'cannot take' : 'may not take'}; from there on everything runs on the CPU`;
}

/**
 * MACs per placed node, summed from the analysis' NodeFacts through `sourceNodes`. A source node shared by
 * several placed nodes (HardSwish expansion, duplicated DQs, Reshapes around a fused Gemm) counts once, on
 * the placed node that keeps its op (else the first).
 */
function macsByPlacedNode(analysis: GraphAnalysis, graph: PlacedGraph): (number | null)[] {
  const out: (number | null)[] = graph.nodes.map(() => 0);
  // Placed node owning each source node (-1: none); MACs are integers, so the summing order does not matter.
  const owner = new Int32Array(analysis.nodes.length).fill(-1);
  for (const n of graph.nodes) {
    for (const s of n.sourceNodes) {
      const prev = owner[s]!;
      const srcOp = analysis.nodes[s]?.opType;
      const better = prev === -1 || (graph.nodes[prev]!.opType !== srcOp && (n.opType === srcOp || n.opType === 'Gemm' || n.opType === 'Conv'));
      if (better) owner[s] = n.index;
    }
  }
  for (let s = 0; s < owner.length; s++) {
    const i = owner[s]!;
    if (i === -1) continue;
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
