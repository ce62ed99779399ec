/**
 * The graph an onnxruntime execution provider partitions: the model after ORT's basic-level (level 1)
 * graph optimizations, reproduced in TypeScript so the static check never loads onnxruntime.
 *
 * Rewrites reproduced (onnxruntime 1.30 `optimizer/graph_transformer_utils.cc`, Level1, in its order):
 * - at load: Constant nodes become initializers; model-local functions are inlined;
 * - rule-based: EliminateIdentity, EliminateDropout, EliminateSlice (no-op Slice), UnsqueezeElimination,
 *   ExpandElimination, CastElimination, NoopElimination, FuseReluClip, GemmTransposeFusion,
 *   ConvAddFusion, ConvMulFusion, ConvBNFusion, PadFusion;
 * - CommonSubexpressionElimination, ConstantFolding (Shape of a static shape included; DequantizeLinear
 *   never folded, as with QDQ enabled), MatMulAddFusion (with the Reshape pair for rank > 2 inputs),
 *   EnsureUniqueDQForNodeUnit, and the part of TransposeOptimizer that changes node counts here
 *   (Transpose → Transpose merged or cancelled);
 * - after level 1, during partitioning: function ops that no kernel claims are expanded (HardSwish →
 *   HardSigmoid + Mul), unless the caller says the execution provider takes them whole.
 *
 * Each resulting node keeps `sourceNodes`: the source `graph.node` indices it stands for, so per-node
 * facts (MACs) can be summed back. Ground truth: `__tests__/fixtures/reference/ort-basic/*.json`.
 */
import type { AttributeValue, OnnxNode, Shape, TensorRef } from '../onnx/types.js';
import { DataType, isDefaultDomain } from '../onnx/types.js';
import type { ConstValue, GraphAnalysis } from '../graph/types.js';
import { loadTensorValue } from '../graph/values.js';
import { implicitInputs } from '../graph/analyze.js';
import { dagEdges, orderByKey } from '../graph/topo.js';

/** One node of a placed graph (source or rewritten). */
export interface GraphNode {
  /** Position in the placed graph (topological order). */
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** Source `graph.node` indices this node stands for. */
  readonly sourceNodes: readonly number[];
}

/** What the engine knows about one tensor of the placed graph. */
export interface GraphTensor {
  /** ONNX dtype code; 0 when unknown. */
  readonly dtype: number;
  readonly shape: Shape;
  /** An initializer in the placed graph (constant-folded or original); ORT treats it as constant. */
  readonly initializer: boolean;
  /** Folded value when small and known. */
  readonly value?: ConstValue;
  /** Initializer payload reference when it is an original initializer. */
  readonly tensor?: TensorRef;
}

/**
 * A graph the engine places, with the rewrites that produced it: `folded` (the model after constant and
 * shape folding, what every converter and engine sees), `ort-basic` (folding plus onnxruntime's other
 * basic-level rewrites) or `source` (the model as stored, for tests and benches).
 */
export interface PlacedGraph {
  readonly kind: 'source' | 'folded' | 'ort-basic';
  readonly nodes: readonly GraphNode[];
  readonly tensors: ReadonlyMap<string, GraphTensor>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** How many times each rewrite fired (for docs, tests and debugging). */
  readonly rewrites: Readonly<Record<string, number>>;
  /** Source nodes that no placed node stands for (eliminated or folded). */
  readonly removedSourceNodes: readonly number[];
}

/** Options of {@link ortBasicGraph}. */
export interface OrtBasicOptions {
  /**
   * Called for function ops that ORT's CPU EP has no kernel for (HardSwish). true: the execution provider
   * claims the node whole, so it is not expanded. Default: always expand (what the CPU EP sees).
   */
  readonly keepFunctionOp?: (node: GraphNode) => boolean;
}

/**
 * A node being rewritten. Its lists and attribute map are shared with the source node (and with the
 * copies other rewriters make) and never changed in place: a rewrite replaces them (`setInput`,
 * `setAttribute`), so a graph with a million nodes is not copied per rewriter.
 */
interface WNode {
  id: number;
  name: string;
  opType: string;
  domain: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: ReadonlyMap<string, AttributeValue>;
  sourceNodes: readonly number[];
  /** Sort key among nodes ready at the same time (source position; new nodes near what they replace). */
  pos: number;
  alive: boolean;
}

/** Replaces input `slot` of a node (its list is shared, so it is copied). */
function setInput(n: WNode, slot: number, name: string): void {
  const inputs = [...n.inputs];
  inputs[slot] = name;
  n.inputs = inputs;
}

/** Sets one attribute of a node (its map is shared, so it is copied). */
function setAttribute(n: WNode, key: string, value: AttributeValue): void {
  n.attributes = new Map(n.attributes).set(key, value);
}

interface WTensor {
  readonly dtype: number;
  readonly shape: Shape;
  readonly initializer: boolean;
  readonly value?: ConstValue;
  readonly tensor?: TensorRef;
}

/** Function ops ORT 1.30's CPU EP has no kernel for, so partitioning inlines their ONNX function body. */
const EXPANDED_FUNCTION_OPS: ReadonlySet<string> = new Set(['HardSwish']);

const NONDETERMINISTIC: ReadonlySet<string> = new Set([
  'RandomUniform', 'RandomNormal', 'RandomUniformLike', 'RandomNormalLike', 'Multinomial', 'Bernoulli',
]);

/** Basic graph of a source model: one node per `graph.node`, Constant nodes kept (for non-ORT runtimes). */
export function sourceGraph(analysis: GraphAnalysis): PlacedGraph {
  const g = analysis.model.graph;
  const tensors = new Map<string, GraphTensor>();
  for (const [name, t] of analysis.tensors) {
    tensors.set(name, {
      dtype: t.dtype,
      shape: t.shape,
      initializer: t.origin === 'initializer' || t.origin === 'constant-node',
      ...(t.value ? { value: t.value } : {}),
      ...(t.tensor ? { tensor: t.tensor } : {}),
    });
  }
  return {
    kind: 'source',
    nodes: g.nodes.map((n, i) => ({
      index: i,
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      inputs: n.inputs,
      outputs: n.outputs,
      attributes: n.attributes,
      sourceNodes: [i],
    })),
    tensors,
    inputs: g.inputs.map((v) => v.name),
    outputs: g.outputs.map((v) => v.name),
    rewrites: {},
    removedSourceNodes: [],
  };
}

const baseCache = new WeakMap<GraphAnalysis, { nodes: WNode[]; tensors: ReadonlyMap<string, WTensor>; rewrites: Record<string, number> }>();
const foldedCache = new WeakMap<GraphAnalysis, PlacedGraph>();

/**
 * The folding stage every profile goes through: the model with Constant nodes turned into tensors and every
 * node whose inputs are all constant (or a `Shape` of a tensor with a static shape) evaluated away, repeated
 * until nothing changes. It is the ConstantFolding of onnxruntime's level 1 (below), which onnx-simplifier
 * (run by onnx2tf before converting) and TensorRT's parser also do at static shapes; ORT-runtime profiles
 * get ORT's other basic rewrites on top (`ortBasicGraph`). Symbolic dims are never guessed: a `Shape` of a
 * tensor with a symbolic dim stays, and so does everything computed from it (`symbolicShapeNodes`).
 *
 * Nothing is materialized: a folded output is marked constant, and keeps the small value shape inference
 * already computed (at most MAX_FOLD_ELEMENTS elements, src/graph/values.ts) when there is one.
 */
export function foldedGraph(analysis: GraphAnalysis): PlacedGraph {
  const hit = foldedCache.get(analysis);
  if (hit) return hit;
  const out = foldingRewriter(analysis).result('folded');
  foldedCache.set(analysis, out);
  return out;
}

function foldingRewriter(analysis: GraphAnalysis): Rewriter {
  const rw = new Rewriter(analysis, true, false);
  for (let step = 0; step < 10 && rw.foldConstants(); step++);
  return rw;
}

/** What folding did to a model, for the report's model line. */
export interface FoldingSummary {
  /** Nodes of `graph.node` (the model as stored). */
  readonly sourceNodes: number;
  /** Nodes left after folding. */
  readonly nodesAfterFolding: number;
  /** Source nodes folded into constants (Constant nodes included). */
  readonly folded: number;
  /** Nodes left that compute only shapes (from `Shape`/`Size` of a tensor with a symbolic dim). */
  readonly symbolicShapeNodes: number;
  /** The symbolic dims those shapes depend on. */
  readonly symbolicDims: readonly string[];
}

/** Folding facts of an analyzed model. */
export function foldingSummary(analysis: GraphAnalysis): FoldingSummary {
  // Every model line needs this, but only converter targets place the folded graph: unless one already
  // has, the summary comes from the folding pass itself, and no folded graph is kept for the whole check.
  const cached = foldedCache.get(analysis);
  const rw = cached ? undefined : foldingRewriter(analysis);
  const nodes: readonly Pick<GraphNode, 'opType' | 'domain' | 'inputs' | 'outputs' | 'sourceNodes'>[] = cached ? cached.nodes : rw!.topo();
  const tensors: ReadonlyMap<string, GraphTensor> = cached ? cached.tensors : rw!.tensors;
  const shapeOnly = new Set<string>();
  const dims = new Set<string>();
  let symbolic = 0;
  for (const n of nodes) {
    const rooted = (n.opType === 'Shape' || n.opType === 'Size') && n.domain === '';
    const derived = !rooted && n.inputs.some((x) => shapeOnly.has(x)) && n.inputs.every((x) => x === '' || shapeOnly.has(x) || tensors.get(x)?.initializer === true);
    if (!rooted && !derived) continue;
    symbolic++;
    for (const o of n.outputs) if (o !== '') shapeOnly.add(o);
    if (rooted) for (const d of tensors.get(n.inputs[0] ?? '')?.shape ?? []) if (typeof d === 'string') dims.add(d);
  }
  return {
    sourceNodes: analysis.model.graph.nodes.length,
    nodesAfterFolding: nodes.length,
    folded: cached ? cached.removedSourceNodes.length : uncovered(analysis, nodes).length,
    symbolicShapeNodes: symbolic,
    symbolicDims: [...dims].sort(),
  };
}

/** Source node indices that no node of `nodes` stands for. */
function uncovered(analysis: GraphAnalysis, nodes: readonly Pick<GraphNode, 'sourceNodes'>[]): number[] {
  const sourceCount = analysis.model.graph.nodes.length;
  const covered = new Uint8Array(sourceCount);
  for (const n of nodes) for (const i of n.sourceNodes) covered[i] = 1;
  const removed: number[] = [];
  for (let i = 0; i < sourceCount; i++) if (!covered[i]) removed.push(i);
  return removed;
}

/**
 * ORT's basic-optimized graph of an analyzed model. The level-1 part is computed once per analysis and
 * cached; the function expansion depends on `options.keepFunctionOp`.
 */
export function ortBasicGraph(analysis: GraphAnalysis, options: OrtBasicOptions = {}): PlacedGraph {
  const only = onlyResult.get(analysis);
  if (only) return only;
  let base = baseCache.get(analysis);
  if (base === undefined) {
    const rw = new Rewriter(analysis);
    rw.level1();
    if (!rw.nodes.some((n) => n.alive && isDefaultDomain(n.domain) && EXPANDED_FUNCTION_OPS.has(n.opType))) {
      // Nothing to expand: one result for every caller, and no level-1 nodes kept to expand from.
      const out = rw.result();
      onlyResult.set(analysis, out);
      return out;
    }
    base = { nodes: rw.nodes, tensors: rw.tensors, rewrites: rw.rewrites };
    baseCache.set(analysis, base);
  }
  // The result only depends on which function-op nodes are kept: cache per analysis and kept set.
  const keep = options.keepFunctionOp;
  const kept = base.nodes.filter((n) => n.alive && isDefaultDomain(n.domain) && EXPANDED_FUNCTION_OPS.has(n.opType) && keep?.(toGraphNode(n, -1)) === true);
  const key = kept.map((n) => n.id).join(',');
  let byKey = resultCache.get(analysis);
  if (byKey === undefined) resultCache.set(analysis, (byKey = new Map<string, PlacedGraph>()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const rw = Rewriter.fromBase(analysis, base.nodes, base.tensors, { ...base.rewrites });
  const keptIds = new Set(kept.map((n) => n.id));
  rw.expandFunctions((n) => keptIds.has((n as GraphNode & { id?: number }).id ?? -1));
  const out = rw.result();
  byKey.set(key, out);
  return out;
}

const resultCache = new WeakMap<GraphAnalysis, Map<string, PlacedGraph>>();
const onlyResult = new WeakMap<GraphAnalysis, PlacedGraph>();

const tensorCache = new WeakMap<GraphAnalysis, ReadonlyMap<string, WTensor>>();

/**
 * The analysis' tensors as a rewriter starts from them, built once per analysis: every rewriter copies the
 * map and replaces entries, never changes a `WTensor`, so they share the objects.
 */
function initialTensors(analysis: GraphAnalysis, graphInputs: ReadonlySet<string>): ReadonlyMap<string, WTensor> {
  const hit = tensorCache.get(analysis);
  if (hit) return hit;
  const tensors = new Map<string, WTensor>();
  // Tensors with no value or payload are only a dtype and a shape (shared arrays, see analyze.ts): one
  // object for each distinct pair.
  const plain = new Map<Shape, Map<number, WTensor>>();
  for (const [name, t] of analysis.tensors) {
    // An initializer that is also a graph input can be overridden at run time: ORT does not fold it.
    const init = (t.origin === 'initializer' && !graphInputs.has(name)) || t.origin === 'constant-node';
    if (!t.value && !t.tensor) {
      let byDtype = plain.get(t.shape);
      if (byDtype === undefined) plain.set(t.shape, (byDtype = new Map<number, WTensor>()));
      const key = t.dtype * 2 + (init ? 1 : 0);
      let shared = byDtype.get(key);
      if (shared === undefined) byDtype.set(key, (shared = { dtype: t.dtype, shape: t.shape, initializer: init }));
      tensors.set(name, shared);
      continue;
    }
    tensors.set(name, {
      dtype: t.dtype,
      shape: t.shape,
      initializer: init,
      ...(t.value ? { value: t.value } : {}),
      ...(t.tensor ? { tensor: t.tensor } : {}),
    });
  }
  tensorCache.set(analysis, tensors);
  return tensors;
}

class Rewriter {
  nodes: WNode[] = [];
  /** The tensors, shared with the map this rewriter started from until it changes one (`setTensor`). */
  private tensorMap: ReadonlyMap<string, WTensor> = new Map();
  private ownsTensors = false;

  get tensors(): ReadonlyMap<string, WTensor> {
    return this.tensorMap;
  }

  private setTensor(name: string, t: WTensor): void {
    if (!this.ownsTensors) {
      this.tensorMap = new Map(this.tensorMap);
      this.ownsTensors = true;
    }
    (this.tensorMap as Map<string, WTensor>).set(name, t);
  }
  rewrites: Record<string, number> = {};
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  private nextId = 0;
  private nameCounter = 0;

  /** `inline`: inline model-local functions, as onnxruntime does when it loads a model. */
  constructor(readonly analysis: GraphAnalysis, init = true, inline = true) {
    const g = analysis.model.graph;
    this.graphInputs = new Set(g.inputs.map((v) => v.name));
    this.graphOutputs = new Set(g.outputs.map((v) => v.name));
    if (!init) return;
    this.tensorMap = initialTensors(analysis, this.graphInputs);
    g.nodes.forEach((n, i) => {
      // ORT turns Constant nodes into initializers when it loads the graph.
      if (n.opType === 'Constant' && isDefaultDomain(n.domain)) return;
      this.nodes.push(this.wnode(n, sourceSingleton(analysis, i), i));
    });
    if (inline) this.inlineLocalFunctions();
  }

  static fromBase(analysis: GraphAnalysis, nodes: WNode[], tensors: ReadonlyMap<string, WTensor>, rewrites: Record<string, number>): Rewriter {
    const r = new Rewriter(analysis, false);
    r.nodes = nodes.map((n) => ({ ...n }));
    r.tensorMap = tensors;
    r.rewrites = rewrites;
    r.nextId = Math.max(0, ...nodes.map((n) => n.id)) + 1;
    return r;
  }

  private wnode(n: Pick<OnnxNode, 'name' | 'opType' | 'domain' | 'inputs' | 'outputs' | 'attributes'>, sources: readonly number[], pos: number): WNode {
    return {
      id: this.nextId++,
      name: n.name,
      opType: n.opType,
      domain: isDefaultDomain(n.domain) ? '' : n.domain,
      inputs: n.inputs,
      outputs: n.outputs,
      attributes: n.attributes,
      sourceNodes: sources,
      pos,
      alive: true,
    };
  }

  private bump(name: string): void {
    this.changed();
    this.rewrites[name] = (this.rewrites[name] ?? 0) + 1;
  }

  private fresh(base: string): string {
    let name: string;
    do name = `${base}_eg${this.nameCounter++}`;
    while (this.tensors.has(name));
    return name;
  }

  // ---- graph queries --------------------------------------------------------------------------------

  private live(): WNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** Producer node and consumer nodes (with input slot) of every tensor, over live nodes. */
  private edges(): { producer: Map<string, WNode>; consumers: Map<string, { node: WNode; slot: number }[]> } {
    if (this.edgeCache) return this.edgeCache;
    const producer = new Map<string, WNode>();
    const consumers = new Map<string, { node: WNode; slot: number }[]>();
    for (const n of this.nodes) {
      if (!n.alive) continue;
      for (const o of n.outputs) if (o !== '') producer.set(o, n);
      n.inputs.forEach((x, slot) => {
        if (x === '') return;
        const list = consumers.get(x);
        if (list) list.push({ node: n, slot });
        else consumers.set(x, [{ node: n, slot }]);
      });
    }
    this.edgeCache = { producer, consumers };
    return this.edgeCache;
  }

  private edgeCache: { producer: Map<string, WNode>; consumers: Map<string, { node: WNode; slot: number }[]> } | undefined;

  /** Called on every change to the nodes: the edge index and the topological order are stale. */
  private changed(): void {
    this.edgeCache = undefined;
    this.topoCache = undefined;
  }

  private topoCache: WNode[] | undefined;

  /**
   * Live nodes in topological order; ties broken by `pos` (source order), then by the order in `nodes`.
   * Every pass of a round asks for it; it is sorted again only after a change (`changed()`).
   */
  topo(): WNode[] {
    this.topoCache ??= this.sortLive();
    return this.topoCache;
  }

  private sortLive(): WNode[] {
    const live = this.live();
    const producer = new Map<string, number>();
    live.forEach((n, i) => {
      for (const o of n.outputs) if (o !== '') producer.set(o, i);
    });
    const edges = dagEdges(live.length, (i, emit) => {
      const n = live[i]!;
      const visit = (x: string): void => {
        const p = x === '' ? undefined : producer.get(x);
        if (p !== undefined && p !== i) emit(p);
      };
      n.inputs.forEach(visit);
      if (n.attributes.size > 0) implicitInputs(n).forEach(visit);
    });
    const order = orderByKey(edges, (i) => live[i]!.pos).map((i) => live[i]!);
    // A cycle cannot happen after valid rewrites; keep any leftovers rather than lose nodes.
    if (order.length < live.length) {
      const seen = new Set(order);
      for (const n of live) if (!seen.has(n)) order.push(n);
    }
    return order;
  }

  private isInit(name: string): boolean {
    return name !== '' && this.tensors.get(name)?.initializer === true;
  }

  private tensor(name: string): WTensor | undefined {
    return this.tensors.get(name);
  }

  private value(name: string): ConstValue | undefined {
    const t = this.tensors.get(name);
    if (t === undefined || !t.initializer) return undefined;
    if (t.value) return t.value;
    if (t.tensor && t.tensor.elementCount <= 4096) {
      const v = loadTensorValue(t.tensor);
      if (v) {
        this.setTensor(name, { ...t, value: v });
        return v;
      }
    }
    return undefined;
  }

  /** Replaces every use of tensor `from` by `to` (consumers and graph outputs stay consistent). */
  private renameUses(from: string, to: string): void {
    this.changed();
    for (const n of this.nodes) {
      if (!n.alive) continue;
      if (n.inputs.includes(from)) n.inputs = n.inputs.map((x) => (x === from ? to : x));
    }
  }

  /**
   * Removes a single-input pass-through node (Identity-like): its consumers read its input instead. When
   * its output is a graph output, the producer's output is renamed instead (ORT's behaviour), which needs
   * a producing node whose output has no other use.
   */
  private removePassThrough(n: WNode, input: string, rule: string): boolean {
    const out = n.outputs[0]!;
    if (!this.graphOutputs.has(out)) {
      n.alive = false;
      this.renameUses(out, input);
      this.absorbSources(n, input);
      this.bump(rule);
      return true;
    }
    const { producer, consumers } = this.edges();
    const p = producer.get(input);
    if (p === undefined || this.graphOutputs.has(input) || (consumers.get(input)?.length ?? 0) !== 1) return false;
    n.alive = false;
    p.outputs = p.outputs.map((o) => (o === input ? out : o));
    p.sourceNodes = union(p.sourceNodes, n.sourceNodes);
    this.bump(rule);
    return true;
  }

  /** Credits an eliminated node's source indices to the node producing `tensor` (if any). */
  private absorbSources(n: WNode, tensor: string): void {
    const p = this.nodes.find((m) => m.alive && m.outputs.includes(tensor));
    if (p) p.sourceNodes = union(p.sourceNodes, n.sourceNodes);
  }

  // ---- load-time rewrites --------------------------------------------------------------------------

  /** Inlines calls to model-local functions (ORT does this for any function op no EP claims). */
  private inlineLocalFunctions(): void {
    const fns = this.analysis.model.functions;
    if (fns.length === 0) return;
    let changed = true;
    for (let depth = 0; changed && depth < 8; depth++) {
      changed = false;
      for (const n of [...this.nodes]) {
        if (!n.alive) continue;
        const f = fns.find((fn) => fn.name === n.opType && fn.domain === n.domain);
        if (f === undefined) continue;
        const rename = new Map<string, string>();
        f.inputs.forEach((x, i) => rename.set(x, n.inputs[i] ?? ''));
        f.outputs.forEach((x, i) => rename.set(x, n.outputs[i] ?? ''));
        const mapName = (x: string): string => {
          if (x === '') return '';
          const r = rename.get(x);
          if (r !== undefined) return r;
          const fresh = this.fresh(`${n.name || n.opType}/${x}`);
          rename.set(x, fresh);
          this.setTensor(fresh, { dtype: 0, shape: null, initializer: false });
          return fresh;
        };
        n.alive = false;
        f.nodes.forEach((b, k) => {
          const attrs = new Map<string, AttributeValue>();
          for (const [key, v] of b.attributes) {
            if (v.type === 'ref') {
              const actual = n.attributes.get(v.refAttrName);
              if (actual) attrs.set(key, actual);
            } else attrs.set(key, v);
          }
          const w = this.wnode({ ...b, attributes: attrs, inputs: b.inputs.map(mapName), outputs: b.outputs.map(mapName), name: `${n.name}_${b.name || b.opType}_${k}` }, [...n.sourceNodes], n.pos + (k + 1) / (f.nodes.length + 2));
          if (w.opType === 'Constant' && isDefaultDomain(w.domain)) {
            const out = w.outputs[0]!;
            const t = w.attributes.get('value');
            this.setTensor(out, t?.type === 'tensor' ? { dtype: t.value.dtype, shape: t.value.dims, initializer: true, tensor: t.value } : { dtype: 0, shape: null, initializer: true });
            return;
          }
          this.nodes.push(w);
        });
        this.bump('InlineLocalFunction');
        changed = true;
      }
    }
    this.inferNewShapes();
  }

  /** Elementwise-unary outputs of inlined nodes get their input's dtype/shape (enough for placement). */
  private inferNewShapes(): void {
    for (const n of this.topo()) {
      for (const o of n.outputs) {
        const t = this.tensors.get(o);
        if (t && t.dtype !== 0) continue;
        const first = this.tensors.get(n.inputs[0] ?? '');
        if (first && ELEMENTWISE_SAME_SHAPE.has(n.opType)) this.setTensor(o, { dtype: first.dtype, shape: first.shape, initializer: false });
      }
    }
  }

  // ---- level 1 -------------------------------------------------------------------------------------

  /** Runs the level-1 transformers until nothing changes (ORT: at most 10 rounds). */
  level1(): void {
    for (let step = 0; step < 10; step++) {
      let modified = false;
      modified = this.ruleBased() || modified;
      modified = this.constantSharing() || modified;
      modified = this.cse() || modified;
      modified = this.foldConstants() || modified;
      modified = this.matMulAddFusion() || modified;
      modified = this.ensureUniqueDq() || modified;
      modified = this.transposeOptimizer() || modified;
      if (!modified) break;
    }
  }

  private ruleBased(): boolean {
    let modified = false;
    for (const n of this.topo()) {
      if (!n.alive || !isDefaultDomain(n.domain)) continue;
      const fired = this.applyRules(n);
      modified = fired || modified;
    }
    return modified;
  }

  private applyRules(n: WNode): boolean {
    switch (n.opType) {
      case 'Identity':
        return this.removePassThrough(n, n.inputs[0]!, 'EliminateIdentity');
      case 'Dropout': {
        const maskUsed = n.outputs[1] !== undefined && n.outputs[1] !== '' && (this.edges().consumers.get(n.outputs[1])?.length || this.graphOutputs.has(n.outputs[1]));
        if (maskUsed) return false;
        // training_mode input must be absent or a constant false
        const tm = n.inputs[2];
        if (tm !== undefined && tm !== '') {
          const v = this.value(tm);
          if (!v || v.values[0] !== 0) return false;
        }
        return this.removePassThrough(n, n.inputs[0]!, 'EliminateDropout');
      }
      case 'Cast': {
        const to = n.attributes.get('to');
        const src = this.tensor(n.inputs[0]!);
        if (to?.type === 'int' && src && src.dtype !== 0 && src.dtype === to.value) return this.removePassThrough(n, n.inputs[0]!, 'CastElimination');
        return false;
      }
      case 'Expand': {
        const src = this.tensor(n.inputs[0]!);
        const dst = this.tensor(n.outputs[0]!);
        if (src?.shape && dst?.shape && isStatic(src.shape) && sameShape(src.shape, dst.shape)) return this.removePassThrough(n, n.inputs[0]!, 'ExpandElimination');
        return false;
      }
      case 'Slice':
        return this.noopSlice(n) ? this.removePassThrough(n, n.inputs[0]!, 'EliminateSlice') : false;
      case 'Unsqueeze':
        return this.foldIfConstant(n, 'UnsqueezeElimination');
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
        return this.noopElimination(n);
      case 'Relu':
        return this.fuseReluClip(n);
      case 'Transpose':
        return this.gemmTransposeFusion(n);
      case 'Conv':
        return this.convFusion(n);
      case 'Pad':
        return this.padFusion(n);
      default:
        return false;
    }
  }

  private noopSlice(n: WNode): boolean {
    const src = this.tensor(n.inputs[0]!);
    const dst = this.tensor(n.outputs[0]!);
    if (!src?.shape || !dst?.shape || !isStatic(src.shape) || !sameShape(src.shape, dst.shape)) return false;
    const steps = n.inputs[4] ? this.value(n.inputs[4]) : undefined;
    if (n.inputs[4] && (!steps || steps.values.some((s) => s !== 1))) return false;
    return n.inputs.length >= 3 ? this.isInit(n.inputs[1]!) && this.isInit(n.inputs[2]!) : true;
  }

  private foldIfConstant(n: WNode, rule: string): boolean {
    if (!n.inputs.every((x) => x === '' || this.isInit(x))) return false;
    if (n.outputs.some((o) => this.graphOutputs.has(o))) return false;
    n.alive = false;
    for (const o of n.outputs) {
      const t = this.tensors.get(o);
      this.setTensor(o, { dtype: t?.dtype ?? 0, shape: t?.shape ?? null, initializer: true, ...(t?.value ? { value: t.value } : {}) });
    }
    this.bump(rule);
    return true;
  }

  private noopElimination(n: WNode): boolean {
    // x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1 with a constant that does not broadcast the other input up.
    const neutral = n.opType === 'Add' || n.opType === 'Sub' ? 0 : 1;
    const commutative = n.opType === 'Add' || n.opType === 'Mul';
    const slots = commutative ? [1, 0] : [1];
    for (const s of slots) {
      const c = n.inputs[s];
      const other = n.inputs[1 - s];
      if (!c || !other || !this.isInit(c) || this.isInit(other)) continue;
      const v = this.value(c);
      // ORT only accepts a single-element constant (a scalar or [1]) whose rank does not exceed the other's.
      if (!v || v.values.length !== 1 || v.values[0] !== neutral) continue;
      const o = this.tensor(other);
      if (o?.shape && v.dims.length > o.shape.length) continue;
      const out = this.tensor(n.outputs[0]!);
      if (!o?.shape || !out?.shape || !sameShape(o.shape, out.shape) || o.dtype !== out.dtype) continue;
      return this.removePassThrough(n, other, 'NoopElimination');
    }
    return false;
  }

  private singleConsumer(tensor: string): { node: WNode; slot: number } | undefined {
    if (this.graphOutputs.has(tensor)) return undefined;
    const cs = this.edges().consumers.get(tensor) ?? [];
    return cs.length === 1 ? cs[0] : undefined;
  }

  private fuseReluClip(n: WNode): boolean {
    const c = this.singleConsumer(n.outputs[0]!);
    if (!c || c.node.opType !== 'Clip' || c.slot !== 0) return false;
    const clip = c.node;
    // opset >= 11: min is input 1; it must be absent or a constant (it becomes max(min, 0)).
    const min = clip.inputs[1];
    if (min !== undefined && min !== '' && !this.isInit(min)) return false;
    n.alive = false;
    this.renameUses(n.outputs[0]!, n.inputs[0]!);
    clip.sourceNodes = union(clip.sourceNodes, n.sourceNodes);
    this.bump('FuseReluClip');
    return true;
  }

  private gemmTransposeFusion(n: WNode): boolean {
    const perm = n.attributes.get('perm');
    if (perm?.type !== 'ints' || perm.value.length !== 2 || perm.value[0] !== 1 || perm.value[1] !== 0) return false;
    const c = this.singleConsumer(n.outputs[0]!);
    if (!c || c.node.opType !== 'Gemm' || c.slot > 1) return false;
    const gemm = c.node;
    const key = c.slot === 0 ? 'transA' : 'transB';
    const cur = gemm.attributes.get(key);
    const t = cur?.type === 'int' ? cur.value : 0;
    setAttribute(gemm, key, { type: 'int', value: t === 0 ? 1 : 0 });
    setInput(gemm, c.slot, n.inputs[0]!);
    gemm.sourceNodes = union(gemm.sourceNodes, n.sourceNodes);
    n.alive = false;
    this.bump('GemmTransposeFusion');
    return true;
  }

  /** ConvBNFusion, ConvAddFusion, ConvMulFusion: fold a constant per-channel affine op into the Conv. */
  private convFusion(n: WNode): boolean {
    if (!this.isInit(n.inputs[1] ?? '') || (n.inputs[2] && !this.isInit(n.inputs[2]))) return false;
    const c = this.singleConsumer(n.outputs[0]!);
    if (!c || !isDefaultDomain(c.node.domain)) return false;
    const next = c.node;
    const w = this.tensor(n.inputs[1]!);
    const channels = w?.shape?.[0];
    if (typeof channels !== 'number') return false;
    let rule: string;
    if (next.opType === 'BatchNormalization') {
      if (c.slot !== 0 || !next.inputs.slice(1, 5).every((x) => this.isInit(x))) return false;
      if (next.outputs.slice(1).some((o) => o !== '')) return false;
      rule = 'ConvBNFusion';
    } else if (next.opType === 'Add' || next.opType === 'Mul') {
      const other = next.inputs[1 - c.slot];
      if (!other || !this.isInit(other)) return false;
      const t = this.tensor(other);
      const outRank = this.tensor(n.outputs[0]!)?.shape?.length;
      if (!t?.shape || !isStatic(t.shape) || outRank === undefined) return false;
      // [C,1,1] or [1,C,1,1] (channel dim C, every other dim 1), as ORT checks.
      const dims = t.shape as number[];
      const ok =
        (dims.length === outRank - 1 || (dims.length === outRank && dims[0] === 1)) &&
        dims[dims.length - (outRank - 1)] === channels &&
        dims.slice(dims.length - (outRank - 2)).every((d) => d === 1);
      if (!ok) return false;
      rule = next.opType === 'Add' ? 'ConvAddFusion' : 'ConvMulFusion';
    } else return false;
    // The Conv now produces the fused op's output.
    n.outputs = [next.outputs[0]!];
    if (rule === 'ConvAddFusion' && !n.inputs[2]) n.inputs = [...n.inputs.slice(0, 2), next.inputs[1 - c.slot]!];
    n.sourceNodes = union(n.sourceNodes, next.sourceNodes);
    next.alive = false;
    this.bump(rule);
    return true;
  }

  private padFusion(n: WNode): boolean {
    const mode = n.attributes.get('mode');
    if (mode && (mode.type !== 'string' || mode.value !== 'constant')) return false;
    const pads = n.inputs[1] ? this.value(n.inputs[1]) : undefined;
    if (!pads) return false;
    const cv = n.inputs[2] ? this.value(n.inputs[2]) : undefined;
    if (n.inputs[2] && (!cv || cv.values.some((x) => x !== 0))) return false;
    if (n.inputs[3]) return false; // axes input: ORT skips
    const c = this.singleConsumer(n.outputs[0]!);
    if (!c || c.slot !== 0) return false;
    const child = c.node;
    if (!['Conv', 'MaxPool', 'AveragePool'].includes(child.opType)) return false;
    const ap = child.attributes.get('auto_pad');
    if (ap?.type === 'string' && ap.value !== 'NOTSET') return false;
    if (child.opType === 'AveragePool') {
      const cip = child.attributes.get('count_include_pad');
      if (cip?.type !== 'int' || cip.value !== 1) return false;
    }
    const p = pads.values;
    const rank = p.length / 2;
    if (p.some((x) => x < 0) || p[0] !== 0 || p[1] !== 0 || p[rank] !== 0 || p[rank + 1] !== 0) return false;
    const old = child.attributes.get('pads');
    const spatial = rank - 2;
    const cur = old?.type === 'ints' ? [...old.value] : new Array<number>(spatial * 2).fill(0);
    for (let i = 0; i < spatial; i++) {
      cur[i] = (cur[i] ?? 0) + p[2 + i]!;
      cur[spatial + i] = (cur[spatial + i] ?? 0) + p[rank + 2 + i]!;
    }
    setAttribute(child, 'pads', { type: 'ints', value: cur });
    setInput(child, 0, n.inputs[0]!);
    child.sourceNodes = union(child.sourceNodes, n.sourceNodes);
    n.alive = false;
    this.bump('PadFusion');
    return true;
  }

  /**
   * ConstantSharing: small initializers with equal dtype, dims and values get one name, which lets CSE
   * merge nodes that differ only in which copy of a constant they read (Gather(shape, 0) twice).
   */
  private constantSharing(): boolean {
    const canon = new Map<string, string>();
    const rename = new Map<string, string>();
    for (const n of this.nodes) {
      if (!n.alive) continue;
      for (const name of n.inputs) {
        if (name === '' || rename.has(name)) continue;
        const t = this.tensors.get(name);
        if (!t?.initializer || this.graphInputs.has(name) || this.graphOutputs.has(name)) continue;
        const count = t.shape && t.shape.every((d) => typeof d === 'number') ? (t.shape as number[]).reduce((a, b) => a * b, 1) : null;
        if (count === null || count > 8) continue;
        const v = this.value(name);
        if (!v) continue;
        const key = `${t.dtype}|${v.dims.join(',')}|${v.values.join(',')}`;
        const first = canon.get(key);
        if (first === undefined) canon.set(key, name);
        else if (first !== name) rename.set(name, first);
      }
    }
    if (rename.size === 0) return false;
    for (const n of this.nodes) {
      if (!n.alive) continue;
      if (n.inputs.some((x) => rename.has(x))) n.inputs = n.inputs.map((x) => rename.get(x) ?? x);
    }
    this.bump('ConstantSharing');
    return true;
  }

  private cse(): boolean {
    const seen = new Map<string, WNode>();
    // The renames of eliminated outputs and the source indices folded into each survivor are applied once
    // at the end (later keys read the renames through `renamed`): one pass over the graph per eliminated
    // node is quadratic when thousands of nodes are the same expression (20,000 Relu(x) took 15 s).
    const renamed = new Map<string, string>();
    const folded = new Map<WNode, (readonly number[])[]>();
    let modified = false;
    for (const n of this.topo()) {
      if (NONDETERMINISTIC.has(n.opType) || n.opType === 'DequantizeLinear' || n.outputs.some((o) => this.graphOutputs.has(o))) continue;
      if (hasAttribute(n, (a) => a.type === 'graph' || a.type === 'graphs' || a.type === 'tensor')) continue;
      const inputs = renamed.size === 0 ? n.inputs : n.inputs.map((x) => renamed.get(x) ?? x);
      const key = `${n.domain}:${n.opType}|${inputs.join(',')}|${attrKey(n.attributes)}|${n.outputs.length}`;
      const prev = seen.get(key);
      if (prev === undefined) {
        seen.set(key, n);
        continue;
      }
      n.alive = false;
      n.outputs.forEach((o, i) => {
        if (o !== '' && prev.outputs[i]) renamed.set(o, prev.outputs[i]!);
      });
      const lists = folded.get(prev);
      if (lists === undefined) folded.set(prev, [prev.sourceNodes, n.sourceNodes]);
      else lists.push(n.sourceNodes);
      this.bump('CommonSubexpressionElimination');
      modified = true;
    }
    if (renamed.size > 0) {
      this.changed();
      for (const n of this.nodes) if (n.alive && n.inputs.some((x) => renamed.has(x))) n.inputs = n.inputs.map((x) => renamed.get(x) ?? x);
    }
    for (const [prev, lists] of folded) prev.sourceNodes = [...new Set(lists.flat())];
    return modified;
  }

  /** One pass of ConstantFolding (the folding stage of every profile, see `foldedGraph`). */
  foldConstants(): boolean {
    let modified = false;
    for (const n of this.topo()) {
      if (!n.alive) continue;
      if (n.opType === 'DequantizeLinear' || NONDETERMINISTIC.has(n.opType)) continue;
      if (hasAttribute(n, (a) => a.type === 'graph' || a.type === 'graphs')) continue;
      if (n.outputs.some((o) => this.graphOutputs.has(o))) continue;
      if (!isDefaultDomain(n.domain) && n.domain !== 'com.microsoft') continue;
      let foldable = n.inputs.every((x) => x === '' || this.isInit(x));
      if (!foldable && n.opType === 'Shape') {
        const s = this.tensor(n.inputs[0]!)?.shape;
        foldable = s !== null && s !== undefined && isStatic(s);
      }
      if (!foldable) continue;
      n.alive = false;
      for (const o of n.outputs) {
        if (o === '') continue;
        const t = this.tensors.get(o);
        this.setTensor(o, { dtype: t?.dtype ?? 0, shape: t?.shape ?? null, initializer: true, ...(t?.value ? { value: t.value } : {}) });
      }
      this.bump('ConstantFolding');
      modified = true;
    }
    return modified;
  }

  private matMulAddFusion(): boolean {
    let modified = false;
    for (const n of this.topo()) {
      if (!n.alive || n.opType !== 'MatMul' || !isDefaultDomain(n.domain)) continue;
      const c = this.singleConsumer(n.outputs[0]!);
      if (!c || c.node.opType !== 'Add' || !isDefaultDomain(c.node.domain)) continue;
      const add = c.node;
      const a = this.tensor(n.inputs[0]!);
      const b = this.tensor(n.inputs[1]!);
      const bias = this.tensor(add.inputs[1 - c.slot]!);
      if (!a || !b || !bias || a.dtype !== bias.dtype || ![DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16].includes(a.dtype as 1)) continue;
      if (!a.shape || !b.shape || b.shape.length !== 2) continue;
      const needReshape = a.shape.length !== 2;
      const nDim = b.shape[1];
      if (!bias.shape) continue;
      let m = 0;
      if (needReshape) {
        if (this.isAttentionProjectionInput(n)) continue;
        if (!isStatic(a.shape) || typeof b.shape[0] !== 'number' || typeof nDim !== 'number') continue;
        m = (a.shape as number[]).slice(0, -1).reduce((x, y) => x * y, 1);
      }
      const bs = bias.shape;
      const valid =
        (bs.length === 1 && bs[0] === nDim && nDim !== null) ||
        (!needReshape && bs.length === 2 && bs[0] === 1 && bs[1] === nDim) ||
        (!needReshape && bs.length === 2 && bs[0] === a.shape[0] && a.shape[0] !== null && (bs[1] === 1 || bs[1] === nDim));
      if (!valid) continue;
      const sources = union(n.sourceNodes, add.sourceNodes);
      const gemm = this.wnode({ name: `${n.name}/MatMulAddFusion`, opType: 'Gemm', domain: '', inputs: [n.inputs[0]!, n.inputs[1]!, add.inputs[1 - c.slot]!], outputs: [add.outputs[0]!], attributes: new Map() }, sources, n.pos);
      n.alive = false;
      add.alive = false;
      if (needReshape) {
        const k = b.shape[0] as number;
        const inArg = this.fresh('gemm_input_reshape_arg');
        const outArg = this.fresh('gemm_output_reshape_arg');
        const inShape = this.fresh('gemm_input_shape');
        const outShape = this.fresh('gemm_output_shape');
        const outDims = [...(a.shape as number[]).slice(0, -1), nDim as number];
        this.setTensor(inArg, { dtype: a.dtype, shape: [m, k], initializer: false });
        this.setTensor(outArg, { dtype: a.dtype, shape: [m, nDim as number], initializer: false });
        this.setTensor(inShape, { dtype: DataType.INT64, shape: [2], initializer: true, value: { dtype: DataType.INT64, dims: [2], values: [m, k] } });
        this.setTensor(outShape, { dtype: DataType.INT64, shape: [outDims.length], initializer: true, value: { dtype: DataType.INT64, dims: [outDims.length], values: outDims } });
        const r1 = this.wnode({ name: 'gemm_input_reshape', opType: 'Reshape', domain: '', inputs: [n.inputs[0]!, inShape], outputs: [inArg], attributes: new Map() }, sources, n.pos - 0.01);
        const r2 = this.wnode({ name: 'gemm_output_reshape', opType: 'Reshape', domain: '', inputs: [outArg, outShape], outputs: [add.outputs[0]!], attributes: new Map() }, sources, n.pos + 0.01);
        setInput(gemm, 0, inArg);
        gemm.outputs = [outArg];
        this.nodes.push(r1, gemm, r2);
      } else this.nodes.push(gemm);
      this.bump('MatMulAddFusion');
      modified = true;
    }
    return modified;
  }

  /** ORT skips MatMul+Add whose input comes from Softmax → MatMul → Transpose → Reshape (attention output). */
  private isAttentionProjectionInput(n: WNode): boolean {
    const { producer } = this.edges();
    const r = producer.get(n.inputs[0]!);
    if (!r || r.opType !== 'Reshape') return false;
    const t = producer.get(r.inputs[0]!);
    if (!t || t.opType !== 'Transpose') return false;
    const mm = producer.get(t.inputs[0]!);
    if (!mm || mm.opType !== 'MatMul') return false;
    const sm = producer.get(mm.inputs[0]!);
    return sm !== undefined && sm.opType === 'Softmax';
  }

  private ensureUniqueDq(): boolean {
    let modified = false;
    const { consumers } = this.edges();
    for (const n of this.topo()) {
      if (n.opType !== 'DequantizeLinear' || !isDefaultDomain(n.domain)) continue;
      const out = n.outputs[0]!;
      const edges = consumers.get(out) ?? [];
      const graphOut = this.graphOutputs.has(out);
      if (edges.length === 0 || (edges.length === 1 && !graphOut)) continue;
      const start = graphOut ? 0 : 1;
      edges.slice(start).forEach((e, k) => {
        const name = this.fresh(`${out}/duplicated`);
        const t = this.tensors.get(out);
        this.setTensor(name, { dtype: t?.dtype ?? 0, shape: t?.shape ?? null, initializer: false });
        const dup = this.wnode({ name: `${n.name}/duplicated`, opType: n.opType, domain: n.domain, inputs: n.inputs, outputs: [name], attributes: n.attributes }, [...n.sourceNodes], n.pos + (k + 1) * 1e-4);
        setInput(e.node, e.slot, name);
        this.nodes.push(dup);
        this.bump('EnsureUniqueDQForNodeUnit');
        modified = true;
      });
    }
    return modified;
  }

  /** The part of TransposeOptimizer that changes counts: Transpose → Transpose merges (or cancels). */
  private transposeOptimizer(): boolean {
    let modified = false;
    for (const n of this.topo()) {
      if (!n.alive || n.opType !== 'Transpose') continue;
      const c = this.singleConsumer(n.outputs[0]!);
      if (c && c.node.opType === 'Gather' && c.slot === 0 && this.transposeIntoGather(n, c.node)) {
        modified = true;
        continue;
      }
      if (!c || c.node.opType !== 'Transpose') continue;
      const p1 = n.attributes.get('perm');
      const p2 = c.node.attributes.get('perm');
      if (p1?.type !== 'ints' || p2?.type !== 'ints' || p1.value.length !== p2.value.length) continue;
      const composed = p2.value.map((i) => p1.value[i]!);
      const second = c.node;
      n.alive = false;
      if (composed.every((v, i) => v === i)) {
        this.removePassThroughForce(second, n.inputs[0]!, n);
      } else {
        setInput(second, 0, n.inputs[0]!);
        setAttribute(second, 'perm', { type: 'ints', value: composed });
        second.sourceNodes = union(second.sourceNodes, n.sourceNodes);
      }
      this.bump('TransposeOptimizer');
      modified = true;
    }
    return modified;
  }

  /**
   * Transpose → Gather(scalar constant index): the gather can read the untransposed input on axis
   * perm[axis]; when what remains of the permutation is the identity, the Transpose disappears.
   */
  private transposeIntoGather(t: WNode, gather: WNode): boolean {
    const perm = t.attributes.get('perm');
    if (perm?.type !== 'ints') return false;
    const idx = this.tensor(gather.inputs[1] ?? '');
    if (!idx?.initializer || !idx.shape || idx.shape.length !== 0) return false;
    const a = gather.attributes.get('axis');
    const rank = perm.value.length;
    const axis = ((a?.type === 'int' ? a.value : 0) + rank) % rank;
    const removed = perm.value[axis]!;
    const rest = perm.value.filter((_, i) => i !== axis).map((p) => (p > removed ? p - 1 : p));
    if (!rest.every((p, i) => p === i)) return false;
    setInput(gather, 0, t.inputs[0]!);
    setAttribute(gather, 'axis', { type: 'int', value: removed });
    gather.sourceNodes = union(gather.sourceNodes, t.sourceNodes);
    t.alive = false;
    this.bump('TransposeOptimizer');
    return true;
  }

  private removePassThroughForce(second: WNode, input: string, first: WNode): void {
    second.sourceNodes = union(second.sourceNodes, first.sourceNodes);
    if (!this.removePassThrough(second, input, 'TransposeOptimizer')) {
      // keep an Identity-equivalent: the second Transpose with an identity perm stays (rare: graph output)
      setInput(second, 0, input);
      const perm = second.attributes.get('perm');
      if (perm?.type === 'ints') setAttribute(second, 'perm', { type: 'ints', value: perm.value.map((_, i) => i) });
      this.rewrites['TransposeOptimizer'] = (this.rewrites['TransposeOptimizer'] ?? 1) - 1;
    }
  }

  // ---- after level 1 ---------------------------------------------------------------------------------

  expandFunctions(keep?: (node: GraphNode) => boolean): void {
    for (const n of this.topo()) {
      if (!isDefaultDomain(n.domain) || !EXPANDED_FUNCTION_OPS.has(n.opType)) continue;
      if (keep && keep({ ...toGraphNode(n, -1), id: n.id } as GraphNode)) continue;
      if (n.opType === 'HardSwish') {
        const x = n.inputs[0]!;
        const mid = this.fresh(`${n.outputs[0]}_hardsigmoid`);
        const t = this.tensors.get(x);
        this.setTensor(mid, { dtype: t?.dtype ?? 0, shape: t?.shape ?? null, initializer: false });
        const hs = this.wnode({ name: `${n.name}_HardSigmoid`, opType: 'HardSigmoid', domain: '', inputs: [x], outputs: [mid], attributes: new Map<string, AttributeValue>([['alpha', { type: 'float', value: 1 / 6 }], ['beta', { type: 'float', value: 0.5 }]]) }, [...n.sourceNodes], n.pos);
        const mul = this.wnode({ name: `${n.name}_Mul`, opType: 'Mul', domain: '', inputs: [x, mid], outputs: [n.outputs[0]!], attributes: new Map() }, [...n.sourceNodes], n.pos + 0.001);
        n.alive = false;
        this.nodes.push(hs, mul);
        this.bump('FunctionExpansion');
      }
    }
  }

  result(kind: PlacedGraph['kind'] = 'ort-basic'): PlacedGraph {
    const order = this.topo();
    // A node equal to the one at the same place in a graph already built from this analysis (the folded
    // and the ORT-basic graph mostly agree) is that object: graphs of a million nodes are not held twice.
    const earlier = builtGraphs.get(this.analysis) ?? [];
    const nodes = order.map((n, i) => {
      const own = toGraphNode(n, i);
      for (const g of earlier) {
        const o = g.nodes[i];
        if (o !== undefined && sameGraphNode(o, own)) return o;
      }
      return own;
    });
    const removed = uncovered(this.analysis, nodes);
    const graph: PlacedGraph = {
      kind,
      nodes,
      tensors: this.tensors,
      inputs: [...this.graphInputs].filter((x) => !this.tensors.get(x)?.initializer),
      outputs: [...this.graphOutputs],
      rewrites: this.rewrites,
      removedSourceNodes: removed,
    };
    if (earlier.length < 4) builtGraphs.set(this.analysis, [...earlier, graph]);
    return graph;
  }
}

/** Placed graphs built from each analysis (a few: folded, ORT-basic, expansions), to share equal nodes with. */
const builtGraphs = new WeakMap<GraphAnalysis, readonly PlacedGraph[]>();

function sameGraphNode(a: GraphNode, b: GraphNode): boolean {
  return (
    a.index === b.index &&
    a.name === b.name &&
    a.opType === b.opType &&
    a.domain === b.domain &&
    a.inputs === b.inputs &&
    a.outputs === b.outputs &&
    a.attributes === b.attributes &&
    a.sourceNodes.length === b.sourceNodes.length &&
    a.sourceNodes.every((x, k) => x === b.sourceNodes[k])
  );
}

const singletonCache = new WeakMap<GraphAnalysis, (readonly number[] | undefined)[]>();

/** `[i]` for source node i, one list per analysis: every rewriter starts each node from it. */
function sourceSingleton(analysis: GraphAnalysis, i: number): readonly number[] {
  let table = singletonCache.get(analysis);
  if (table === undefined) singletonCache.set(analysis, (table = []));
  return (table[i] ??= Object.freeze([i]));
}

function toGraphNode(n: WNode, index: number): GraphNode {
  return {
    index,
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    inputs: n.inputs,
    outputs: n.outputs,
    attributes: n.attributes,
    sourceNodes: n.sourceNodes.every((x, i, a) => i === 0 || a[i - 1]! < x) ? n.sourceNodes : [...n.sourceNodes].sort((a, b) => a - b),
  };
}

const ELEMENTWISE_SAME_SHAPE: ReadonlySet<string> = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Elu', 'Selu', 'Clip', 'Neg', 'Abs', 'Exp',
  'Log', 'Sqrt', 'Erf', 'Softplus', 'Softsign', 'Identity', 'Mul', 'Add', 'Sub', 'Div',
]);


/** Whether some attribute of the node passes `test` (no array made: asked of every node per pass). */
function hasAttribute(n: WNode, test: (a: AttributeValue) => boolean): boolean {
  if (n.attributes.size === 0) return false;
  for (const a of n.attributes.values()) if (test(a)) return true;
  return false;
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])];
}

function isStatic(s: Shape): s is readonly number[] {
  return s !== null && s.every((d) => typeof d === 'number' && d >= 0);
}

function sameShape(a: Shape, b: Shape): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((d, i) => d === b[i] && typeof d === 'number');
}

function attrKey(attrs: ReadonlyMap<string, AttributeValue>): string {
  return [...attrs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${'value' in v ? JSON.stringify(v.value) : v.type}`)
    .join(';');
}
