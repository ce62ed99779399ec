/**
 * QDQ node units: groups of DequantizeLinear → op → QuantizeLinear that onnxruntime fuses into one
 * quantized kernel (QLinearConv, QLinearMatMul, ...) or hands to an EP as one unit. The rules follow
 * onnxruntime's `GetQDQNodeUnits` (onnxruntime/core/framework/node_unit.cc) and the selectors registered
 * in `onnxruntime/core/optimizer/qdq_transformer/selectors_actions/shared/utils.cc` with the checks of
 * `qdq_selectors.cc` (`NodeGroupSelector::CheckQDQNodes`, `NodeGroup::CanCreateNodeGroup`).
 *
 * Pure: works on any graph with the `OnnxGraph` node shape. Used by parity (kernel isolation and the
 * production pass's Q outputs) and by the compatibility engine (placement per unit).
 *
 * Simplifications (documented in docs/parity.md): scale/zero-point *value* equality that ORT's DropQDQ
 * selector also requires is not checked (values are not read here), and dtype checks use only what the
 * caller's `dtypeOf` can tell.
 */
import { isDefaultDomain, type OnnxNode } from '../onnx/types.js';

/** How onnxruntime's selector for the target op wants its DQ inputs and Q outputs. */
export type QdqSelectorKind =
  /** One DQ on input 0, one Q; the pair is dropped around a data-movement op (ORT DropQDQNodeGroupSelector). */
  | 'drop-qdq'
  /** DQ on input 0 only, no Q (ArgMax/ArgMin; ORT DropDQNodeGroupSelector). */
  | 'drop-dq'
  /** One DQ input, one Q output (ORT UnaryNodeGroupSelector). */
  | 'unary'
  /** Two DQ inputs, one Q output (ORT BinaryNodeGroupSelector). */
  | 'binary'
  /** All inputs DQ, one Q output (ORT VariadicNodeGroupSelector). */
  | 'variadic'
  /** Split: one DQ input, every output Q'd (ORT SplitNodeGroupSelector). */
  | 'split'
  /** Conv/ConvTranspose: DQ input and weight, optional DQ bias, one Q (ORT ConvNodeGroupSelector). */
  | 'conv'
  /** MatMul: two DQ inputs; Q output optional (DQ→MatMul without Q becomes MatMulIntegerToFloat). */
  | 'matmul'
  /** Gemm: DQ A and B, optional DQ C, one Q (ORT GemmNodeGroupSelector). */
  | 'gemm'
  /** Normalization ops: DQ input and scale/weights, one Q. */
  | 'norm'
  /** Where: DQ on inputs 1 and 2, one Q. */
  | 'where'
  /** Pad, TopK, CumSum-style: DQ on input 0, one Q, other inputs plain. */
  | 'first-input';

/**
 * Op → selector, as data. Source: onnxruntime main, `selectors_actions/shared/utils.cc`
 * (`GetMiscOpVersionsMap`, `GetUnaryOpVersionsMap`, ... read 2026-11-26). MaxPool is only grouped for
 * opset-12 semantics in ORT; we accept any version and note it.
 */
export const QDQ_SELECTORS: Readonly<Record<string, QdqSelectorKind>> = {
  Gather: 'drop-qdq',
  GatherElements: 'drop-qdq',
  Reshape: 'drop-qdq',
  Expand: 'drop-qdq',
  Flatten: 'drop-qdq',
  Transpose: 'drop-qdq',
  MaxPool: 'drop-qdq',
  Resize: 'drop-qdq',
  Squeeze: 'drop-qdq',
  Unsqueeze: 'drop-qdq',
  Tile: 'drop-qdq',
  ArgMax: 'drop-dq',
  ArgMin: 'drop-dq',
  AveragePool: 'unary',
  GlobalAveragePool: 'unary',
  GlobalMaxPool: 'unary',
  LeakyRelu: 'unary',
  ReduceMean: 'unary',
  ReduceMin: 'unary',
  ReduceMax: 'unary',
  ReduceProd: 'unary',
  ReduceSum: 'unary',
  Relu: 'unary',
  Gelu: 'unary',
  Elu: 'unary',
  HardSigmoid: 'unary',
  HardSwish: 'unary',
  Sigmoid: 'unary',
  Slice: 'unary',
  Softmax: 'unary',
  Sqrt: 'unary',
  Atan: 'unary',
  Asin: 'unary',
  Sin: 'unary',
  Cos: 'unary',
  Sign: 'unary',
  Tanh: 'unary',
  Exp: 'unary',
  Log: 'unary',
  LRN: 'unary',
  Ceil: 'unary',
  Floor: 'unary',
  Round: 'unary',
  Abs: 'unary',
  Neg: 'unary',
  DepthToSpace: 'unary',
  SpaceToDepth: 'unary',
  Clip: 'unary',
  LpNormalization: 'unary',
  Add: 'binary',
  Div: 'binary',
  Mul: 'binary',
  Pow: 'binary',
  Sub: 'binary',
  PRelu: 'binary',
  GridSample: 'binary',
  Concat: 'variadic',
  Max: 'variadic',
  Min: 'variadic',
  Split: 'split',
  Conv: 'conv',
  ConvTranspose: 'conv',
  MatMul: 'matmul',
  Gemm: 'gemm',
  InstanceNormalization: 'norm',
  BatchNormalization: 'norm',
  LayerNormalization: 'norm',
  Where: 'where',
  Pad: 'first-input',
  TopK: 'first-input',
  CumSum: 'first-input',
};

/** The node shape this module needs: `OnnxNode` fits. */
export type QdqNodeLike = Pick<OnnxNode, 'index' | 'name' | 'opType' | 'domain' | 'inputs' | 'outputs'>;

/** The graph shape this module needs: `OnnxGraph` fits. */
export interface QdqGraphLike {
  readonly nodes: readonly QdqNodeLike[];
  readonly outputs: readonly { readonly name: string }[];
  /**
   * A small constant's dtype and values (initializers), when the caller can read them: with it, a Relu or
   * Clip between a target and its Q that the Q makes redundant joins the unit, as onnxruntime's
   * `NodeGroupSelector::GetQDQSelection` takes it (`redundant_clip_node`). Without it such a target has no Q.
   */
  readonly constantValues?: (name: string) => { readonly dtype: number; readonly values: readonly number[] } | undefined;
}

/** A node unit, as onnxruntime's `NodeUnit`: a single node, or a QDQ group around a target node. */
export interface QdqNodeUnit {
  readonly kind: 'single' | 'qdq';
  /** The target node's index (the unit is named after it, as ORT names NodeUnits). */
  readonly target: number;
  /** DQ nodes feeding the target, by target input position order (may be shared with other units: ORT's EnsureUniqueDQForNodeUnit duplicates them). */
  readonly dqNodes: readonly number[];
  /** Q nodes consuming the target's outputs. */
  readonly qNodes: readonly number[];
  readonly selector?: QdqSelectorKind;
  /** Tensors the unit reads from outside (DQ inputs, plain target inputs); "" entries dropped. */
  readonly inputs: readonly string[];
  /** Tensors the unit produces for the rest of the graph (Q outputs, or the target's outputs). */
  readonly outputs: readonly string[];
  /** All node indices of the unit, DQs first, then the target (and its redundant Relu/Clip), then Qs. */
  readonly nodes: readonly number[];
  /** A Relu or Clip between the target and its Q that the Q's range makes redundant (it runs inside the kernel). */
  readonly clipNode?: number;
}

const NONE: readonly number[] = Object.freeze([]);

/** The non-empty names of a list, each once, in order: the list itself when it already is that. */
function distinctNames(list: readonly string[]): readonly string[] {
  if (list.length === 1 && list[0] !== '') return list;
  const seen = new Set<string>();
  for (const x of list) {
    if (x === '' || seen.has(x)) return [...new Set(list)].filter((y) => y !== '');
    seen.add(x);
  }
  return list;
}

/** The ONNX operator set, or ORT's NHWC rewrite of it (same op semantics, layout-transformed). */
const isOnnxOrNhwcDomain = (d: string): boolean => isDefaultDomain(d) || d === 'com.ms.internal.nhwc';

/** Producer index and consumer indices of every tensor. */
function edges(graph: QdqGraphLike): { producer: Map<string, number>; consumers: Map<string, number[]> } {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '') producer.set(o, i);
    for (const x of n.inputs) {
      if (x === '') continue;
      const list = consumers.get(x);
      if (list) {
        if (list[list.length - 1] !== i) list.push(i);
      } else consumers.set(x, [i]);
    }
  });
  return { producer, consumers };
}

/**
 * Groups the graph's nodes into node units. Every node that is not absorbed into a QDQ unit as its Q
 * becomes a single-node unit; DQ nodes absorbed into a unit are not units of their own (unless some
 * other consumer still reads them outside any unit, in which case ORT would keep a copy: we return a
 * single unit for it too). Units come in the graph's node order of their target.
 */
export function getQdqNodeUnits(graph: QdqGraphLike): QdqNodeUnit[] {
  const entry = cached(graph);
  entry.units ??= singleUnits(graph, entry.grouping);
  return entry.units;
}

/**
 * Only the QDQ groups of {@link getQdqNodeUnits} (the units of kind `qdq`), in target order: for callers
 * that need no unit per plain node (a float model has no group at all).
 */
export function getQdqGroups(graph: QdqGraphLike): readonly QdqNodeUnit[] {
  return cached(graph).grouping.groups;
}

interface Grouping {
  readonly groups: QdqNodeUnit[];
  /** Q nodes inside groups. */
  readonly qTaken: ReadonlySet<number>;
  /** Redundant Relu/Clip nodes inside groups. */
  readonly clipTaken: ReadonlySet<number>;
  /** DQ nodes inside groups, and those of them something outside every group also reads. */
  readonly dqUsedInGroup: ReadonlySet<number>;
  readonly dqUsedOutside: ReadonlySet<number>;
}

// The check asks for the same graph's units once per device: remember them per node list and outputs.
const unitCache = new WeakMap<readonly unknown[], { readonly outputsKey: string; readonly grouping: Grouping; units?: QdqNodeUnit[]; table?: QdqUnitTable }>();

function cached(graph: QdqGraphLike): { readonly grouping: Grouping; units?: QdqNodeUnit[]; table?: QdqUnitTable } {
  const outputsKey = graph.outputs.map((o) => o.name).join('\u0000') + (graph.constantValues ? '\u0000values' : '');
  const hit = unitCache.get(graph.nodes);
  if (hit && hit.outputsKey === outputsKey) return hit;
  const entry = { outputsKey, grouping: groupQdq(graph) };
  unitCache.set(graph.nodes, entry);
  return entry;
}

/** Range of the quantized types onnxruntime's `GetDataTypeMinMax` knows. */
const QUANT_RANGE: Readonly<Record<number, readonly [number, number]>> = { 2: [0, 255], 3: [-128, 127], 4: [0, 65535], 5: [-32768, 32767] };

/**
 * onnxruntime's `IsClipMadeRedundantByQ` (qdq_util.cc): the Q has a constant scalar scale and zero point (no
 * zero point: uint8, 0); a Relu is redundant when the zero point is the type's minimum, a Clip when its
 * constant [min, max], quantized with that scale and zero point, covers the type's whole range.
 */
export function clipMadeRedundantByQ(
  clip: Pick<QdqNodeLike, 'opType' | 'inputs'>,
  q: Pick<QdqNodeLike, 'inputs'>,
  constantValues: NonNullable<QdqGraphLike['constantValues']>,
): boolean {
  const scale = q.inputs[1] ? constantValues(q.inputs[1]) : undefined;
  if (!scale || scale.values.length !== 1 || !(scale.values[0]! > 0)) return false;
  const zpName = q.inputs[2] ?? '';
  const zp = zpName === '' ? { dtype: 2, values: [0] } : constantValues(zpName);
  if (!zp || zp.values.length !== 1) return false;
  const range = QUANT_RANGE[zp.dtype];
  if (!range) return false;
  const z = zp.values[0]!;
  if (clip.opType === 'Relu') return z === range[0];
  const bound = (i: number, fallback: number): number | undefined => {
    const name = clip.inputs[i] ?? '';
    if (name === '') return fallback;
    const v = constantValues(name);
    return v && v.values.length === 1 ? v.values[0] : undefined;
  };
  // A Clip with no bound inputs is either unbounded (opset 11+) or an opset-6 Clip whose bounds are attributes,
  // which this reader does not see: not taken (the unit stays as without the reader).
  if (clip.inputs.filter((x) => x !== '').length <= 1) return false;
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  if (lo === undefined || hi === undefined) return false;
  const s = scale.values[0]!;
  return rint(lo / s) + z <= range[0] && rint(hi / s) + z >= range[1];
}

/** C's rint in the default rounding mode: to nearest, ties to even. */
function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

function groupQdq(graph: QdqGraphLike): Grouping {
  // Without a DequantizeLinear there is no group: every node is its own unit (no edge maps needed).
  const { producer, consumers } = graph.nodes.some((n) => n.opType === 'DequantizeLinear') ? edges(graph) : { producer: new Map<string, number>(), consumers: new Map<string, number[]>() };
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const nodes = graph.nodes;
  const isOp = (i: number | undefined, op: string): boolean =>
    i !== undefined && nodes[i]!.opType === op && isOnnxOrNhwcDomain(nodes[i]!.domain);
  const producesGraphOutput = (i: number): boolean => nodes[i]!.outputs.some((o) => graphOutputs.has(o));

  const groups: QdqNodeUnit[] = [];
  const qTaken = new Set<number>();
  const clipTaken = new Set<number>();
  const dqUsedInGroup = new Set<number>();
  const dqUsedOutside = new Set<number>();

  const redundantClip = (o: string): { clip: number; q: number } | undefined => {
    const cs = consumers.get(o) ?? [];
    if (!graph.constantValues || cs.length !== 1 || !(isOp(cs[0], 'Relu') || isOp(cs[0], 'Clip'))) return undefined;
    const clip = cs[0]!;
    const y = nodes[clip]!.outputs[0] ?? '';
    const qs = consumers.get(y) ?? [];
    if (graphOutputs.has(y) || qs.length !== 1 || !isOp(qs[0], 'QuantizeLinear') || qTaken.has(qs[0]!)) return undefined;
    return clipMadeRedundantByQ(nodes[clip]!, nodes[qs[0]!]!, graph.constantValues) ? { clip, q: qs[0]! } : undefined;
  };

  for (let t = 0; t < nodes.length; t++) {
    const node = nodes[t]!;
    if (!isOnnxOrNhwcDomain(node.domain)) continue;
    const selector = QDQ_SELECTORS[node.opType];
    if (selector === undefined) continue;
    // Every selector wants at least one DQ input: most nodes of a float model stop here.
    if (!node.inputs.some((x) => x !== '' && isOp(producer.get(x), 'DequantizeLinear'))) continue;
    // DQ producers per input position.
    const dqAt: (number | undefined)[] = node.inputs.map((x) => (x === '' ? undefined : producer.get(x))).map((p) => (isOp(p, 'DequantizeLinear') ? p : undefined));
    const actualInputs = node.inputs.filter((x) => x !== '').length;
    // Q consumers: every real output must be consumed by exactly one Q and by nothing else.
    const realOutputs = node.outputs.filter((o) => o !== '');
    let qNodes: number[] = [];
    let qOk = true;
    // Drop and split selectors take no Relu/Clip between the target and its Q (`if (redundant_clip_node) return false`).
    const clipped = realOutputs.length === 1 && selector !== 'drop-qdq' && selector !== 'drop-dq' && selector !== 'split' ? redundantClip(realOutputs[0]!) : undefined;
    if (clipped) qNodes.push(clipped.q);
    else {
      for (const o of realOutputs) {
        const cs = consumers.get(o) ?? [];
        if (cs.length === 1 && isOp(cs[0], 'QuantizeLinear') && !qTaken.has(cs[0]!)) qNodes.push(cs[0]!);
        else qOk = false;
      }
    }
    if (producesGraphOutput(t)) qOk = false;
    if (!qOk) qNodes = [];
    const dqCount = dqAt.filter((d) => d !== undefined).length;
    let dqPositions: number[] = [];
    let ok = false;
    switch (selector) {
      case 'drop-qdq':
      case 'unary':
        ok = dqAt[0] !== undefined && dqCount === 1 && qNodes.length === 1 && realOutputs.length === 1;
        dqPositions = [0];
        break;
      case 'first-input':
        ok = dqAt[0] !== undefined && qNodes.length >= 1 && qNodes.length === realOutputs.length;
        dqPositions = [0];
        break;
      case 'drop-dq':
        ok = dqAt[0] !== undefined && dqCount === 1;
        qNodes = [];
        dqPositions = [0];
        break;
      case 'binary':
        ok = dqAt[0] !== undefined && dqAt[1] !== undefined && qNodes.length === 1;
        dqPositions = [0, 1];
        break;
      case 'variadic':
        ok = actualInputs > 0 && dqCount === actualInputs && qNodes.length === 1;
        dqPositions = dqAt.map((_, i) => i).filter((i) => dqAt[i] !== undefined);
        break;
      case 'split':
        ok = dqAt[0] !== undefined && qNodes.length === realOutputs.length && qNodes.length > 0;
        dqPositions = [0];
        break;
      case 'conv':
      case 'gemm':
        ok = dqAt[0] !== undefined && dqAt[1] !== undefined && qNodes.length === 1 && (node.inputs.length < 3 || node.inputs[2] === '' || dqAt[2] !== undefined || selector === 'gemm');
        dqPositions = [0, 1, ...(dqAt[2] !== undefined ? [2] : [])];
        break;
      case 'matmul':
        // ORT also groups DQ → MatMul without a Q (MatMulIntegerToFloat / DQ MatMul fusions).
        ok = dqAt[0] !== undefined && dqAt[1] !== undefined && (qNodes.length === 1 || qNodes.length === 0);
        dqPositions = [0, 1];
        break;
      case 'norm':
        ok = dqAt[0] !== undefined && dqAt[1] !== undefined && qNodes.length === 1;
        dqPositions = [0, 1];
        break;
      case 'where':
        ok = dqAt[1] !== undefined && dqAt[2] !== undefined && qNodes.length === 1;
        dqPositions = [1, 2];
        break;
    }
    if (!ok) continue;
    const dqNodes = dqPositions.map((p) => dqAt[p]).filter((d): d is number => d !== undefined);
    // ORT refuses a DQ that produces a graph output.
    if (dqNodes.some((d) => producesGraphOutput(d))) continue;
    for (const q of qNodes) qTaken.add(q);
    for (const d of dqNodes) dqUsedInGroup.add(d);
    const clipNode = clipped && qNodes.length > 0 ? clipped.clip : undefined;
    if (clipNode !== undefined) clipTaken.add(clipNode);
    const unitNodes = [...dqNodes, t, ...(clipNode !== undefined ? [clipNode] : []), ...qNodes];
    const internal = new Set<string>();
    for (const i of unitNodes) for (const o of nodes[i]!.outputs) if (o !== '') internal.add(o);
    const inputs: string[] = [];
    for (const i of unitNodes) for (const x of nodes[i]!.inputs) if (x !== '' && !internal.has(x) && !inputs.includes(x)) inputs.push(x);
    const outputs = qNodes.length > 0 ? qNodes.flatMap((q) => nodes[q]!.outputs.filter((o) => o !== '')) : realOutputs;
    groups.push({ kind: 'qdq', target: t, dqNodes, qNodes, selector, inputs, outputs, nodes: unitNodes, ...(clipNode !== undefined ? { clipNode } : {}) });
  }

  // A DQ in a group is still needed as its own unit if something outside any group reads it.
  const groupedTargets = new Map<number, QdqNodeUnit>(groups.map((g) => [g.target, g]));
  for (const d of dqUsedInGroup) {
    for (const o of nodes[d]!.outputs) {
      for (const c of consumers.get(o) ?? []) {
        const g = groupedTargets.get(c);
        if (!g || !g.dqNodes.includes(d)) dqUsedOutside.add(d);
      }
      if (graphOutputs.has(o)) dqUsedOutside.add(d);
    }
  }

  return { groups, qTaken, clipTaken, dqUsedInGroup, dqUsedOutside };
}

/** Every node not absorbed into a group becomes a single-node unit; groups come in their target's place. */
function singleUnits(graph: QdqGraphLike, grouping: Grouping): QdqNodeUnit[] {
  const table = unitTable(graph, grouping);
  const units: QdqNodeUnit[] = [];
  for (let u = 0; u < table.count; u++) {
    const g = table.groups.get(u);
    if (g) {
      units.push(g);
      continue;
    }
    const i = table.targets[u]!;
    const n = graph.nodes[i]!;
    // One unit per node of the graph: share what can be shared (the node's own lists when they need no
    // filtering, one empty list), so a large graph's units cost little beyond the unit objects.
    units.push({
      kind: 'single',
      target: i,
      dqNodes: NONE,
      qNodes: NONE,
      inputs: distinctNames(n.inputs),
      outputs: n.outputs.includes('') ? n.outputs.filter((o) => o !== '') : n.outputs,
      nodes: [i],
    });
  }
  return units;
}

/**
 * The units of {@link getQdqNodeUnits} without an object per single-node unit: each unit's target node,
 * and the QDQ group of the units that are one. For callers that hold the units of a large graph.
 */
export interface QdqUnitTable {
  readonly count: number;
  /** Target node index per unit (the node itself for a single-node unit). */
  readonly targets: Int32Array;
  /** By unit index: the units that are QDQ groups. */
  readonly groups: ReadonlyMap<number, QdqNodeUnit>;
}

/** {@link QdqUnitTable} of a graph (cached like its units). */
export function getQdqUnitTable(graph: QdqGraphLike): QdqUnitTable {
  const entry = cached(graph);
  entry.table ??= unitTable(graph, entry.grouping);
  return entry.table;
}

function unitTable(graph: QdqGraphLike, grouping: Grouping): QdqUnitTable {
  const { qTaken, clipTaken, dqUsedInGroup, dqUsedOutside } = grouping;
  const groupedTargets = new Map<number, QdqNodeUnit>(grouping.groups.map((g) => [g.target, g]));
  const targets = new Int32Array(graph.nodes.length);
  const groups = new Map<number, QdqNodeUnit>();
  let count = 0;
  for (let i = 0; i < graph.nodes.length; i++) {
    const g = groupedTargets.get(i);
    if (g) groups.set(count, g);
    else if (qTaken.has(i) || clipTaken.has(i) || (dqUsedInGroup.has(i) && !dqUsedOutside.has(i))) continue;
    targets[count++] = i;
  }
  return { count, targets: targets.subarray(0, count), groups };
}

/** The Q output tensors of all QDQ units: what parity's production pass marks as extra outputs. */
export function qdqUnitOutputs(units: readonly QdqNodeUnit[]): string[] {
  return units.filter((u) => u.kind === 'qdq' && u.qNodes.length > 0).flatMap((u) => u.outputs);
}
