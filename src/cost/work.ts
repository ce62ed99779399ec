/**
 * Per source node: what the runtime actually executes, independent of any device. Which nodes vanish
 * into a neighbour (QDQ node units become one quantized kernel; activations, BatchNorm and bias Adds fuse
 * into the preceding Conv/Gemm; Identity/Dropout and constant-only subgraphs are folded), the arithmetic
 * type, the op class, and the work and bytes the roofline uses.
 */
import type { GraphAnalysis, TensorFacts } from '../graph/types.js';
import type { ComputeDtype, OpClass } from '../profiles/schema.js';
import { byteSize, DataType } from '../onnx/types.js';
import { numElements } from '../graph/dims.js';
import { getQdqGroups } from '../graph/qdq-units.js';
import { smallConstant } from '../onnx/tensor-data.js';
import { computeDtypeForElement, EPILOGUE_PRODUCERS, FREE_OPS, FUSABLE_EPILOGUES, isIntegerOp, opClassOf } from './op-class.js';

/** Ops that are views (no copy) in the runtimes we model: they cost their dispatch only. */
export const VIEW_OPS: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

export interface SourceWork {
  /** Index in `graph.node`. */
  readonly index: number;
  readonly opType: string;
  readonly opClass: OpClass;
  readonly dtype: ComputeDtype;
  /** MACs (or other ops for MAC-free nodes) the node computes; null when its shapes are unknown. */
  readonly work: number | null;
  readonly macs: number | null;
  /** Bytes read and written (activations + weights), in the dtypes the runtime keeps them. */
  readonly bytes: number | null;
  /** The constant (weight) part of `bytes`: read once per inference, from DRAM when they do not fit a cache. */
  readonly weightBytes: number;
  /**
   * The node whose kernel executes this one (itself when it is a kernel). QDQ DQ/Q nodes point at their
   * unit's target; fused epilogues at their producer; folded nodes have `free: true`.
   */
  readonly owner: number;
  /** True for nodes with no kernel at all (Identity, Dropout, constant folding). */
  readonly free: boolean;
  /** Why the node does not get a kernel of its own, when it does not. */
  readonly mergedAs?: 'qdq' | 'epilogue' | 'folded';
  /**
   * Layout Transposes the runtime runs for this kernel where its channels-last (NHWC) int8 region meets the
   * rest of the graph (`SourceWorkOptions.nhwcInt8Layout`): one per tensor that crosses the region's edge.
   */
  readonly layoutTransposes?: readonly LayoutTranspose[];
}

/** One NCHW <-> NHWC Transpose the runtime inserts: the tensor it permutes and its size. */
export interface LayoutTranspose {
  readonly tensor: string;
  readonly elements: number;
  /** The tensor's channel count (NCHW dim 1): a 3-channel model input transposes at a third of the rate. */
  readonly channels: number;
  readonly dtype: ComputeDtype;
}

/** Size in bytes of a tensor from its facts, or null when dtype or shape is unknown. */
export function tensorBytes(t: TensorFacts | undefined): number | null {
  if (!t || t.dtype === 0) return null;
  const n = numElements(t.shape);
  return n === null ? null : byteSize(t.dtype, n);
}

function sumBytes(analysis: GraphAnalysis, names: readonly string[]): number | null {
  let total = 0;
  for (const n of names) {
    if (n === '') continue;
    const b = tensorBytes(analysis.tensors.get(n));
    if (b === null) return null;
    total += b;
  }
  return total;
}

/**
 * QDQ unit targets that onnxruntime's CPU execution provider turns into one integer kernel (QLinearConv,
 * QLinearMatMul, QGemm, QLinearAdd/Mul, QLinearAveragePool, QLinearGlobalAveragePool, QLinearConcat,
 * QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, QLinearWhere, QLinearConvTranspose), plus Relu/Clip,
 * which it folds into the preceding Q. Source: onnxruntime `qdq_selector_action_transformer.cc` (the
 * actions registered for the CPU EP). Other units (HardSigmoid, HardSwish, ...) run as DQ → float op → Q,
 * three kernels. Units whose selector only drops Q/DQ around data movement run in int8.
 */
export const ORT_CPU_QDQ_KERNELS: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'Add', 'Mul', 'AveragePool', 'GlobalAveragePool', 'Concat', 'Sigmoid',
  'LeakyRelu', 'Softmax', 'Where', 'Relu', 'Clip',
]);

export interface SourceWorkOptions {
  /**
   * Targets the runtime fuses into integer kernels; absent = every QDQ unit (accelerator runtimes take
   * the unit whole). Units with a data-movement selector (`drop-qdq`, `drop-dq`) always fuse.
   */
  readonly qdqKernels?: ReadonlySet<string>;
  /**
   * Present for onnxruntime's CPU EP on x86-64, where int8 QDQ is not allowed (`QDQIsInt8Allowed()` is false
   * off ARM): int8 Q -> DQ pairs become uint8 only where the Q has a single DQ reader
   * (QDQS8ToU8Transformer); a unit whose activations end with mixed types does not fuse, and units of these
   * targets (Conv, MatMul) whose activations stay int8 do not fuse either (the Conv/MatMul selectors reject
   * int8 activations). Unfused units run as DQ -> float op -> Q.
   */
  readonly signedUnfused?: ReadonlySet<string>;
  /**
   * The runtime never folds a DequantizeLinear of a constant (weights, biases): it keeps them for its QDQ
   * fusions, and one that no fusion takes (an unfused unit's weight DQ) runs on every inference. onnxruntime:
   * `ConstantFolding(cpu_execution_provider, !disable_quant_qdq, ...)` in
   * onnxruntime/core/optimizer/graph_transformer_utils.cc (skip_dequantize_linear unless QDQ is disabled);
   * the mnasnet s8s8 QDQ profile on x86 shows 49 weight/bias DQ kernels of 4–15 µs.
   */
  readonly keepsConstantDq?: boolean;
  /**
   * onnxruntime's CPU EP at ORT_ENABLE_ALL: its NhwcTransformer runs every QLinearConv (a fused QDQ Conv unit
   * or a QOperator QLinearConv) channels-last, wrapping it in NCHW -> NHWC and NHWC -> NCHW Transposes, and
   * its transpose optimizer pushes those through layout-agnostic ops (Q/DQ, elementwise, Concat, int8
   * pools) until they cancel. What is left is one Transpose per tensor on the edge of each connected
   * channels-last region (`layoutTransposes`). Source: onnxruntime/core/optimizer/nhwc_transformer.cc
   * ("Only Conv and QLinearConv needs to be handled explicitly. The rest will be transformed if needed during
   * transpose optimization"); measured with onnxruntime 1.30: 2 Transposes in mobilenet_v3_large and
   * squeezenet1_0 int8 (model input, classifier), 32 in mnasnet1_0 s8s8 QDQ, where 15 float Convs split
   * the region (`signedUnfused`), 0.21 of its 4.6 ms.
   */
  readonly nhwcInt8Layout?: boolean;
}

/**
 * Computes `SourceWork` for every node of the top-level graph (indexed by node index). Pure; device
 * figures are applied later by the roofline. `options.qdqKernels` says which QDQ units the runtime fuses.
 */
export function sourceWork(analysis: GraphAnalysis, options: SourceWorkOptions = {}): SourceWork[] {
  // Every device of a check asks again; the result depends only on the analysis and these options, and
  // they only matter for DequantizeLinear nodes (and, for the layout option, QLinearConvs): a model without
  // any shares one result between all devices.
  const nodes = analysis.model.graph.nodes;
  const quantized = nodes.some((n) => n.opType === 'DequantizeLinear');
  const layout = options.nhwcInt8Layout === true && (quantized || nodes.some((n) => n.opType === 'QLinearConv'));
  const key = !quantized
    ? `no DequantizeLinear${layout ? '|nhwc' : ''}`
    : `${options.qdqKernels ? [...options.qdqKernels].sort().join(',') : '*'}|${options.signedUnfused ? [...options.signedUnfused].sort().join(',') : ''}|${options.keepsConstantDq ? 'dq' : ''}|${layout ? 'nhwc' : ''}`;
  let byKey = workCache.get(analysis);
  if (!byKey) workCache.set(analysis, (byKey = new Map<string, SourceWork[]>()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const work = computeSourceWork(analysis, options);
  byKey.set(key, work);
  return work;
}

const workCache = new WeakMap<GraphAnalysis, Map<string, SourceWork[]>>();

function computeSourceWork(analysis: GraphAnalysis, options: SourceWorkOptions): SourceWork[] {
  const graph = analysis.model.graph;
  const nodes = graph.nodes;
  const owner = nodes.map((n) => n.index);
  const mergedAs: (SourceWork['mergedAs'] | undefined)[] = nodes.map(() => undefined);
  const quantDtype = new Map<number, ComputeDtype>();
  const unitBytes = new Map<number, number | null>();
  const unitWeightBytes = new Map<number, number>();
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));

  // onnxruntime on x86-64 (QDQS8ToU8Transformer, registered where int8 QDQ is not allowed): a Q -> DQ pair
  // with int8 type becomes uint8 when the Q has exactly one consumer, that DQ (a DQ shared by several
  // readers is duplicated per reader first, EnsureUniqueDQForNodeUnit, so it must have one reader too).
  const s8ToU8 = (qTensor: string): boolean => {
    const t = analysis.tensors.get(qTensor);
    if (!t || t.producer === null || nodes[t.producer]!.opType !== 'QuantizeLinear' || graphOutputs.has(qTensor) || t.consumers.length !== 1) return false;
    const dq = nodes[t.consumers[0]!]!;
    if (dq.opType !== 'DequantizeLinear') return false;
    const out = dq.outputs[0] ?? '';
    return !graphOutputs.has(out) && (analysis.tensors.get(out)?.consumers.length ?? 0) <= 1;
  };
  // A unit fuses when its activation tensors end with one type (the selectors require input type = output
  // type) and, for `unfusedOps`, that type is not int8 (x86-64 has no s8s8 QLinearConv/QLinearMatMul path).
  const signedUnitFuses = (u: { dqNodes: readonly number[]; qNodes: readonly number[]; target: number }, unfusedOps: ReadonlySet<string>): boolean => {
    const types: number[] = [];
    for (const d of u.dqNodes) {
      const x = nodes[d]!.inputs[0] ?? '';
      const t = analysis.tensors.get(x);
      if (!t || t.isConstant) continue;
      types.push(t.dtype === DataType.INT8 && s8ToU8(x) ? DataType.UINT8 : t.dtype);
    }
    for (const q of u.qNodes) {
      const y = nodes[q]!.outputs[0] ?? '';
      const t = analysis.tensors.get(y);
      if (!t) continue;
      types.push(t.dtype === DataType.INT8 && s8ToU8(y) ? DataType.UINT8 : t.dtype);
    }
    if (types.length === 0) return true;
    if (types.some((d) => d !== types[0])) return false;
    return !(types[0] === DataType.INT8 && unfusedOps.has(nodes[u.target]!.opType));
  };

  // QDQ node units: one quantized kernel per unit; its bytes are the unit's (quantized) boundary tensors.
  const fusedTargets = new Set<number>();
  // Scalar constants (Q scales and zero points, Clip bounds) let a redundant Relu/Clip join its unit.
  const constantValues = (name: string): ReturnType<typeof smallConstant> => smallConstant(graph.initializers.get(name));
  for (const u of getQdqGroups({ nodes: graph.nodes, outputs: graph.outputs, constantValues })) {
    const dropOnly = u.selector === 'drop-qdq' || u.selector === 'drop-dq';
    if (options.qdqKernels && !dropOnly && !options.qdqKernels.has(nodes[u.target]!.opType)) continue;
    const dq = u.dqNodes[0];
    const qIn = dq !== undefined ? analysis.tensors.get(nodes[dq]!.inputs[0] ?? '') : undefined;
    if (!dropOnly && options.signedUnfused && !signedUnitFuses(u, options.signedUnfused)) continue;
    for (const i of [...u.dqNodes, ...(u.clipNode !== undefined ? [u.clipNode] : []), ...u.qNodes]) {
      if (i === u.target) continue;
      owner[i] = u.target;
      mergedAs[i] = 'qdq';
    }
    fusedTargets.add(u.target);
    quantDtype.set(u.target, computeDtypeForElement(qIn?.dtype ?? 3));
    unitBytes.set(u.target, sumBytes(analysis, [...u.inputs, ...u.outputs]));
    unitWeightBytes.set(u.target, sumBytes(analysis, u.inputs.filter((i) => analysis.tensors.get(i)?.isConstant === true)) ?? 0);
  }

  // A DequantizeLinear read by a fused unit and by anything else (a float op of an unfused unit, a graph
  // output) still runs: onnxruntime gives every reader its own copy first (EnsureUniqueDQForNodeUnit), one
  // copy goes into the fused kernel and the other runs as a DequantizeLinear kernel. MobileNetV3's HardSwish
  // (x · HardSigmoid(x)) reads one DQ from a QLinearMul and a float HardSigmoid: the 30 such DQ kernels took
  // 0.27 of its 3.7 ms int8 QDQ run (onnxruntime 1.30 profile), which the estimate charged nothing.
  for (const n of nodes) {
    if (mergedAs[n.index] !== 'qdq' || n.opType !== 'DequantizeLinear') continue;
    const out = n.outputs[0] ?? '';
    const readers = analysis.tensors.get(out)?.consumers ?? [];
    if (graphOutputs.has(out) || readers.some((r) => !fusedTargets.has(r))) {
      owner[n.index] = n.index;
      mergedAs[n.index] = undefined;
    }
  }

  const isConst = (name: string): boolean => name === '' || analysis.tensors.get(name)?.isConstant === true;
  // Shape arithmetic (Shape → Gather → Unsqueeze → Concat) on static shapes: its value is known before
  // the run, and runtimes fold it (ORT's constant folding does once shapes are fixed).
  const isKnown = (name: string): boolean => isConst(name) || analysis.tensors.get(name)?.value !== undefined;
  const keptDq = (n: (typeof nodes)[number]): boolean => options.keepsConstantDq === true && n.opType === 'DequantizeLinear' && n.domain === '';
  const free = nodes.map((n) => FREE_OPS.has(n.opType) || (n.outputs.length > 0 && n.outputs.every(isKnown) && !keptDq(n)));

  // Epilogues: activation / BatchNorm / bias Add right after a Conv or Gemm whose output nothing else reads.
  for (const n of nodes) {
    if (mergedAs[n.index] !== undefined || free[n.index]) continue;
    const isAct = FUSABLE_EPILOGUES.has(n.opType) && n.domain === '';
    const isBn = n.opType === 'BatchNormalization' && n.inputs.slice(1).every(isConst);
    const isBias = n.opType === 'Add' && n.inputs.length === 2 && n.inputs.some(isConst) && !n.inputs.every(isConst);
    if (!isAct && !isBn && !isBias) continue;
    const x = n.inputs.find((i) => !isConst(i));
    if (x === undefined) continue;
    const t = analysis.tensors.get(x);
    if (!t || t.producer === null || t.consumers.length !== 1 || graphOutputs.has(x)) continue;
    const p = nodes[t.producer];
    if (!p || !EPILOGUE_PRODUCERS.has(p.opType) || mergedAs[p.index] === 'epilogue') continue;
    if (isBn && p.opType !== 'Conv') continue;
    owner[n.index] = owner[p.index]!;
    mergedAs[n.index] = 'epilogue';
  }

  const works: SourceWork[] = nodes.map((n) => {
    const f = analysis.nodeFacts[n.index];
    // QLinearConv takes (x, x_scale, x_zero_point, w, ...): its weight is input 3, as its QDQ twin's DQ output is input 1.
    const wIn = n.inputs[n.opType === 'QLinearConv' ? 3 : 1];
    const weightDims = wIn ? analysis.tensors.get(wIn)?.shape : undefined;
    const opClass = opClassOf(n, weightDims ?? null);
    let dtype: ComputeDtype;
    const qd = quantDtype.get(n.index);
    if (qd) dtype = qd;
    else if (isIntegerOp(n.opType)) {
      // QLinearConcat starts with the output's scale and zero point (com.microsoft schema): its data is input 2.
      dtype = computeDtypeForElement(analysis.tensors.get(n.inputs[n.opType === 'QLinearConcat' ? 2 : 0] ?? '')?.dtype ?? 3);
    } else {
      const firstFloat = n.inputs.map((i) => analysis.tensors.get(i)?.dtype ?? 0).find((d) => d === 1 || d === 10 || d === 16 || d === 11);
      dtype = computeDtypeForElement(firstFloat ?? analysis.tensors.get(n.inputs[0] ?? '')?.dtype ?? 1);
    }
    const macs = f?.macs ?? null;
    const other = f?.otherOps ?? null;
    // Data movement has no arithmetic worth counting: its cost is bytes ÷ bandwidth plus dispatch.
    const work = opClass === 'data_movement' ? (other === null && macs === null ? null : 0) : macs !== null && macs > 0 ? macs : other;
    let bytes: number | null;
    let weightBytes = 0;
    if (unitBytes.has(n.index)) {
      bytes = unitBytes.get(n.index)!;
      weightBytes = unitWeightBytes.get(n.index) ?? 0;
    } else if (VIEW_OPS.has(n.opType)) bytes = 0;
    else {
      bytes = f && f.activationBytesIn !== null && f.activationBytesOut !== null ? f.activationBytesIn + f.activationBytesOut + f.weightBytes : null;
      weightBytes = f?.weightBytes ?? 0;
    }
    const isFree = free[n.index]! && mergedAs[n.index] === undefined;
    return {
      index: n.index,
      opType: n.opType,
      opClass,
      dtype,
      work: isFree ? 0 : work,
      macs,
      bytes: isFree ? 0 : bytes,
      weightBytes: isFree ? 0 : Math.min(weightBytes, bytes ?? weightBytes),
      owner: owner[n.index]!,
      free: isFree,
      ...(isFree ? { mergedAs: 'folded' as const } : mergedAs[n.index] ? { mergedAs: mergedAs[n.index] } : {}),
    };
  });
  return options.nhwcInt8Layout ? withLayoutTransposes(analysis, works) : works;
}

/**
 * Ops onnxruntime's transpose optimizer moves a layout Transpose through (it has a handler that permutes
 * their attributes or inputs): a channels-last region spreads across them. Pools only in int8 (MaxPool →
 * NhwcMaxPool, QLinear pools take channels_last); float pools, Convs (NCHWc on x86-64), MatMul/Gemm,
 * Reshape/Flatten, reductions and graph inputs and outputs end it. Source: onnxruntime
 * onnxruntime/core/optimizer/transpose_optimization/onnx_transpose_optimization.cc (handler map) and
 * ort_transpose_optimization.cc (the ORT-specific handlers: QLinear*, NhwcMaxPool).
 */
const LAYOUT_AGNOSTIC = new Set([
  'QuantizeLinear', 'DequantizeLinear', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh',
  'Add', 'Mul', 'Sub', 'Div', 'Concat', 'Split', 'Pad', 'Identity', 'Dropout',
  'QLinearAdd', 'QLinearMul', 'QLinearConcat', 'QLinearSigmoid', 'QLinearLeakyRelu',
  'QLinearAveragePool', 'QLinearGlobalAveragePool',
]);
const INT8_POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool']);

/**
 * Adds `layoutTransposes`: grows each channels-last region from its QLinearConvs across layout-agnostic
 * ops, and puts one Transpose on every tensor that enters or leaves it, on the kernel that reads or writes
 * that tensor inside the region, in the dtype of the side of its Q/DQ the optimizer leaves it on (`int8Side`).
 */
function withLayoutTransposes(analysis: GraphAnalysis, works: SourceWork[]): SourceWork[] {
  const nodes = analysis.model.graph.nodes;
  const graphOutputs = new Set(analysis.model.graph.outputs.map((o) => o.name));
  const seed = (i: number): boolean => {
    const n = nodes[i]!;
    return (n.opType === 'QLinearConv' || (n.opType === 'Conv' && works[i]!.mergedAs === undefined && works[i]!.dtype === 'int8')) && !works[i]!.free;
  };
  const agnostic = (i: number): boolean => {
    const n = nodes[i]!;
    if (works[i]!.free && works[i]!.mergedAs === 'folded') return false;
    if (INT8_POOLS.has(n.opType)) return works[i]!.dtype === 'int8' || works[works[i]!.owner]!.dtype === 'int8';
    return LAYOUT_AGNOSTIC.has(n.opType);
  };
  // Weights: constants, and DequantizeLinears of constants (a QDQ model's weights), are not activations.
  const weight = (name: string): boolean => {
    const t = name === '' ? undefined : analysis.tensors.get(name);
    if (!t || t.isConstant || t.value !== undefined) return true;
    const p = t.producer !== null ? nodes[t.producer] : undefined;
    return p?.opType === 'DequantizeLinear' && analysis.tensors.get(p.inputs[0] ?? '')?.isConstant === true;
  };
  const inRegion = new Uint8Array(nodes.length);
  const extra = new Map<number, LayoutTranspose[]>();
  const done = new Set<string>();
  // Which side of a Q/DQ the optimizer leaves the Transpose on (measured on mnasnet1_0 s8s8: 22 uint8, 10 float,
  // as predicted): leaving through a DequantizeLinear it moves above it, into int8, when every reader of the
  // DQ is outside the region, and stays below it, in float, when the DQ also feeds the region (a residual
  // stream read by a float Add and a float Conv); entering, it moves below QuantizeLinears into int8 when the
  // region reads the tensor only through them.
  const int8Side = (t: TensorFacts): boolean => {
    if (t.dtype === DataType.INT8 || t.dtype === DataType.UINT8) return true;
    const p = t.producer !== null ? nodes[t.producer] : undefined;
    if (p && inRegion[p.index] && p.opType === 'DequantizeLinear') return t.consumers.every((c) => !inRegion[c]);
    const inside = t.consumers.filter((c) => inRegion[c]);
    return inside.length > 0 && (p === undefined || !inRegion[p.index]) && inside.every((c) => nodes[c]!.opType === 'QuantizeLinear');
  };
  const add = (tensor: string, at: number): void => {
    if (done.has(tensor)) return;
    const t = analysis.tensors.get(tensor);
    const elements = t ? numElements(t.shape) : null;
    if (!t || elements === null || elements <= 0) return;
    done.add(tensor);
    const channels = t.shape && t.shape.length >= 3 && typeof t.shape[1] === 'number' ? t.shape[1] : 1;
    const k = works[at]!.owner;
    const list = extra.get(k) ?? [];
    list.push({ tensor, elements, channels, dtype: int8Side(t) ? 'int8' : 'float' });
    extra.set(k, list);
  };
  for (const start of analysis.order) {
    if (inRegion[start] || !seed(start)) continue;
    const region: number[] = [start];
    inRegion[start] = 1;
    for (let q = 0; q < region.length; q++) {
      const i = region[q]!;
      for (const name of [...nodes[i]!.inputs, ...nodes[i]!.outputs]) {
        if (weight(name)) continue;
        const t = analysis.tensors.get(name)!;
        for (const j of [...(t.producer !== null ? [t.producer] : []), ...t.consumers]) {
          if (j === i || inRegion[j]) continue;
          if (seed(j) || agnostic(j)) {
            inRegion[j] = 1;
            region.push(j);
          }
        }
      }
    }
    // Edges: tensors a region node reads from outside it (or from the graph's inputs), or writes to a reader
    // outside it (or to the graph's outputs). Constants and weight DQs carry no activation.
    for (const i of region) {
      const n = nodes[i]!;
      for (const name of n.inputs) {
        if (weight(name)) continue;
        const t = analysis.tensors.get(name)!;
        if (t.producer === null || !inRegion[t.producer]) add(name, i);
      }
      for (const name of n.outputs) {
        if (weight(name)) continue;
        const t = analysis.tensors.get(name)!;
        if (graphOutputs.has(name) || t.consumers.some((c) => !inRegion[c])) add(name, i);
      }
    }
  }
  if (extra.size === 0) return works;
  return works.map((w) => (extra.has(w.index) ? { ...w, layoutTransposes: extra.get(w.index)! } : w));
}
