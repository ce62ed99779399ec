/**
 * Quantization scheme of a model: float32, float16, QDQ, QOperator, dynamic or mixed, with
 * activation/weight dtypes, weight granularity and weight symmetry; and per-node quantization facts the
 * engine checks against a profile's `quantization` block and rule `when.quant`.
 */
import { DataType, dtypeName } from '../onnx/types.js';
import type { ConstValue } from '../graph/types.js';
import { loadTensorValue } from '../graph/values.js';
import type { QuantizationScheme } from './placement.js';
import type { GraphNode, GraphTensor, PlacedGraph } from './ort-basic.js';
import type { QuantFormat } from './schema.js';

/** QOperator ops (ai.onnx and com.microsoft) → input index of the weight (or -1 when none). */
export const QOPERATOR_OPS: Readonly<Record<string, number>> = {
  QLinearConv: 3,
  QLinearMatMul: 3,
  QGemm: 3,
  QLinearAdd: -1,
  QLinearMul: -1,
  QLinearAveragePool: -1,
  QLinearGlobalAveragePool: -1,
  QLinearConcat: -1,
  QLinearLeakyRelu: -1,
  QLinearSigmoid: -1,
  QLinearSoftmax: -1,
  QLinearReduceMean: -1,
  QLinearWhere: -1,
  QAttention: -1,
};

/** QOperator ops whose first quantized activation is not input 0 (QLinearConcat: y_scale, y_zp, then tuples). */
const QOP_ACTIVATION_INPUT: Readonly<Record<string, number>> = { QLinearConcat: 2, QLinearWhere: 1 };

/**
 * Scale and zero-point input positions per QOperator op (ai.onnx QLinearConv/QLinearMatMul, com.microsoft
 * contrib schemas), output scale/zero point included. QLinearConcat is variadic: see `qopScaleInputs`.
 */
const QOP_SCALE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]
  QLinearConv: [1, 2, 4, 5, 6, 7],
  QLinearMatMul: [1, 2, 4, 5, 6, 7],
  // A, a_scale, a_zp, B, b_scale, b_zp, C (int32 bias), y_scale, y_zp
  QGemm: [1, 2, 4, 5, 7, 8],
  // A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp
  QLinearAdd: [1, 2, 4, 5, 6, 7],
  QLinearMul: [1, 2, 4, 5, 6, 7],
  // X, X_scale, X_zp, Y_scale, Y_zp
  QLinearAveragePool: [1, 2, 3, 4],
  QLinearGlobalAveragePool: [1, 2, 3, 4],
  QLinearLeakyRelu: [1, 2, 3, 4],
  QLinearSigmoid: [1, 2, 3, 4],
  QLinearSoftmax: [1, 2, 3, 4],
  QLinearReduceMean: [1, 2, 3, 4],
  // condition, X, x_scale, x_zp, Y, y_scale, y_zp, z_scale, z_zp
  QLinearWhere: [2, 3, 5, 6, 7, 8],
  // input, weight, bias, input_scale, weight_scale, mask_index, input_zp, weight_zp, past
  QAttention: [3, 4, 6, 7],
};

/** Scale/zero-point input positions of a QOperator node (QLinearConcat: Y_scale, Y_zp, then X/scale/zp triples). */
function qopScaleInputs(node: GraphNode): readonly number[] {
  if (node.opType !== 'QLinearConcat') return QOP_SCALE_INPUTS[node.opType] ?? [];
  const idx = [0, 1];
  for (let i = 3; i + 1 < node.inputs.length; i += 3) idx.push(i, i + 1);
  return idx;
}

/** Dynamic-quantization ops → weight input index. */
export const DYNAMIC_OPS: Readonly<Record<string, number>> = {
  DynamicQuantizeLinear: -1,
  ConvInteger: 1,
  MatMulInteger: 1,
  DynamicQuantizeMatMul: 1,
  MatMulIntegerToFloat: 1,
  DynamicQuantizeLSTM: 1,
};

/** Ops that carry most MACs: the denominator of `quantizedNodeShare`. */
const COMPUTE_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'LSTM', 'GRU', 'RNN', 'Einsum', 'Attention']);

const QUANT_DTYPES: ReadonlySet<number> = new Set([DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT4, DataType.UINT4]);

/** Quantization facts of one node (or QDQ node unit). */
export interface NodeQuant {
  readonly format: QuantFormat | null;
  /** Quantized activation dtype (input 0), when quantized. */
  readonly activationDtype: string | null;
  readonly weightDtype: string | null;
  readonly granularity: 'per-tensor' | 'per-channel' | null;
  /** null when the zero points could not be read. */
  readonly symmetric: boolean | null;
  /** Scale/zero-point inputs that are not constant (QUANT_SCALE_NOT_CONSTANT). */
  readonly nonConstantScales: readonly string[];
}

/** The float facts of a node that is not quantized. */
export const FLOAT_QUANT: NodeQuant = { format: null, activationDtype: null, weightDtype: null, granularity: null, symmetric: null, nonConstantScales: [] };

function valueOf(t: GraphTensor | undefined): ConstValue | undefined {
  if (t === undefined) return undefined;
  if (t.value) return t.value;
  if (t.tensor) return loadTensorValue(t.tensor, 1 << 16) ?? undefined;
  return undefined;
}

function elements(t: GraphTensor | undefined): number | null {
  if (!t?.shape) return t?.tensor ? t.tensor.elementCount : null;
  return t.shape.every((d) => typeof d === 'number') ? (t.shape as number[]).reduce((a, b) => a * b, 1) : null;
}

/** Granularity from a scale tensor: more than one element = per-channel. */
export function granularityOf(scale: GraphTensor | undefined): 'per-tensor' | 'per-channel' | null {
  const n = elements(scale);
  return n === null ? null : n > 1 ? 'per-channel' : 'per-tensor';
}

const zeroCache = new WeakMap<GraphTensor, boolean | null>();

/** Whether a zero-point tensor is all zeros (absent = zero); null when unreadable. Cached per tensor. */
export function isZero(zp: GraphTensor | undefined, present: boolean): boolean | null {
  if (!present) return true;
  if (zp === undefined) return null;
  const hit = zeroCache.get(zp);
  if (hit !== undefined) return hit;
  const v = valueOf(zp);
  const r = v ? v.values.every((x) => x === 0) : null;
  zeroCache.set(zp, r);
  return r;
}

/** Dtype a QuantizeLinear produces: its zero point's, else `output_dtype`, else uint8. */
export function qOutputDtype(graph: PlacedGraph, q: GraphNode): number {
  const zp = q.inputs[2] ? graph.tensors.get(q.inputs[2]) : undefined;
  if (zp && zp.dtype !== 0) return zp.dtype;
  const od = q.attributes.get('output_dtype');
  if (od?.type === 'int' && od.value !== 0) return od.value;
  const t = graph.tensors.get(q.outputs[0] ?? '');
  return t && t.dtype !== 0 ? t.dtype : DataType.UINT8;
}

/** Facts for a QDQ node unit from its DQ inputs and Q outputs. */
export function qdqUnitQuant(graph: PlacedGraph, target: GraphNode, dqs: readonly GraphNode[], qs: readonly GraphNode[]): NodeQuant {
  const byOutput = new Map(dqs.map((d) => [d.outputs[0]!, d]));
  const act = byOutput.get(target.inputs[0] ?? '');
  let weight: GraphNode | undefined;
  for (let i = 1; i < target.inputs.length && weight === undefined; i++) {
    const d = byOutput.get(target.inputs[i] ?? '');
    if (d && graph.tensors.get(d.inputs[0]!)?.initializer) weight = d;
  }
  const actDtype = act ? graph.tensors.get(act.inputs[0]!)?.dtype ?? 0 : qs[0] ? qOutputDtype(graph, qs[0]) : 0;
  const wDtype = weight ? graph.tensors.get(weight.inputs[0]!)?.dtype ?? 0 : 0;
  const nonConst: string[] = [];
  for (const n of [...dqs, ...qs]) for (const x of n.inputs.slice(1)) if (x !== '' && !graph.tensors.get(x)?.initializer) nonConst.push(x);
  return {
    format: 'qdq',
    activationDtype: actDtype ? dtypeName(actDtype) : null,
    weightDtype: wDtype ? dtypeName(wDtype) : null,
    granularity: weight ? granularityOf(graph.tensors.get(weight.inputs[1]!)) : null,
    symmetric: weight ? isZero(graph.tensors.get(weight.inputs[2] ?? ''), (weight.inputs[2] ?? '') !== '') : null,
    nonConstantScales: nonConst,
  };
}

/** Facts for a single node: QOperator / dynamic ops, integer data movement, or float. */
export function singleNodeQuant(graph: PlacedGraph, node: GraphNode, modelFormat: QuantFormat | null): NodeQuant {
  const t = (i: number): GraphTensor | undefined => (node.inputs[i] ? graph.tensors.get(node.inputs[i]!) : undefined);
  const qop = QOPERATOR_OPS[node.opType];
  if (qop !== undefined) {
    const w = qop >= 0 ? t(qop) : undefined;
    const weightConst = w?.initializer === true;
    const nonConst = qopScaleInputs(node).filter((i) => node.inputs[i] && !t(i)?.initializer).map((i) => node.inputs[i]!);
    const ai = QOP_ACTIVATION_INPUT[node.opType] ?? 0;
    return {
      format: 'qoperator',
      activationDtype: t(ai)?.dtype ? dtypeName(t(ai)!.dtype) : null,
      weightDtype: weightConst && w!.dtype ? dtypeName(w!.dtype) : null,
      granularity: weightConst ? granularityOf(t(qop + 1)) : null,
      symmetric: weightConst ? isZero(t(qop + 2), (node.inputs[qop + 2] ?? '') !== '') : null,
      nonConstantScales: nonConst,
    };
  }
  const dyn = DYNAMIC_OPS[node.opType];
  if (dyn !== undefined) {
    const w = dyn >= 0 ? t(dyn) : undefined;
    return {
      format: 'dynamic',
      activationDtype: node.opType === 'DynamicQuantizeLinear' ? 'uint8' : t(0)?.dtype ? dtypeName(t(0)!.dtype) : null,
      weightDtype: w?.dtype ? dtypeName(w.dtype) : null,
      granularity: node.opType === 'ConvInteger' || node.opType === 'MatMulInteger' ? granularityOf(t(3)) ?? 'per-tensor' : null,
      symmetric: node.opType === 'ConvInteger' || node.opType === 'MatMulInteger' ? isZero(t(3), (node.inputs[3] ?? '') !== '') : null,
      nonConstantScales: [],
    };
  }
  const x = t(0);
  if (x && QUANT_DTYPES.has(x.dtype) && modelFormat !== null && node.opType !== 'DequantizeLinear') {
    return { format: modelFormat, activationDtype: dtypeName(x.dtype), weightDtype: null, granularity: null, symmetric: null, nonConstantScales: [] };
  }
  return FLOAT_QUANT;
}

/**
 * Model-level scheme from the (placed) graph. `qdqUnits`: how many QDQ node units the graph forms; Q/DQ
 * nodes without any unit are only the float edges of a QOperator or dynamic model, not a QDQ scheme.
 */
export function detectQuantScheme(graph: PlacedGraph, qdqUnits: number): QuantizationScheme {
  const formats = new Set<string>();
  const act = new Set<string>();
  const wt = new Set<string>();
  const gran = new Set<string>();
  let symmetric: boolean | null = true;
  let sawWeight = false;
  let compute = 0;
  let quantCompute = 0;
  let f16 = 0;
  let f32 = 0;
  // Only whether a compute node reads a DQ output matters: a float model has none to remember.
  const dqOutputs = new Set<string>();
  for (const n of graph.nodes) if (n.opType === 'DequantizeLinear') for (const o of n.outputs) dqOutputs.add(o);
  const noteWeight = (dtype: number, scale: GraphTensor | undefined, zp: GraphTensor | undefined, zpPresent: boolean): void => {
    sawWeight = true;
    if (dtype) wt.add(dtypeName(dtype));
    const g = granularityOf(scale);
    if (g) gran.add(g);
    const z = isZero(zp, zpPresent);
    if (z === false) symmetric = false;
    else if (z === null && symmetric === true) symmetric = null;
  };
  for (const n of graph.nodes) {
    const t = (i: number): GraphTensor | undefined => (n.inputs[i] ? graph.tensors.get(n.inputs[i]!) : undefined);
    if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear') {
      if (qdqUnits > 0) formats.add('qdq');
      if (n.opType === 'QuantizeLinear') act.add(dtypeName(qOutputDtype(graph, n)));
      // int32 DQs on constants are biases, not weights
      else if (t(0)?.initializer) {
        if (t(0)!.dtype !== DataType.INT32) noteWeight(t(0)!.dtype, t(1), t(2), (n.inputs[2] ?? '') !== '');
      }
      else if (t(0)?.dtype) act.add(dtypeName(t(0)!.dtype));
      continue;
    }
    if (QOPERATOR_OPS[n.opType] !== undefined) {
      formats.add('qoperator');
      const q = singleNodeQuant(graph, n, 'qoperator');
      if (q.activationDtype) act.add(q.activationDtype);
      const wi = QOPERATOR_OPS[n.opType]!;
      if (wi >= 0 && t(wi)?.initializer) noteWeight(t(wi)!.dtype, t(wi + 1), t(wi + 2), (n.inputs[wi + 2] ?? '') !== '');
      if (wi >= 0) {
        compute++;
        quantCompute++;
      }
      continue;
    }
    if (DYNAMIC_OPS[n.opType] !== undefined) {
      formats.add('dynamic');
      if (n.opType === 'DynamicQuantizeLinear') act.add('uint8');
      const wi = DYNAMIC_OPS[n.opType]!;
      if (wi >= 0) {
        compute++;
        quantCompute++;
        if (t(wi)?.initializer) noteWeight(t(wi)!.dtype, t(3), t(3), (n.inputs[3] ?? '') !== '');
      }
      continue;
    }
    if (COMPUTE_OPS.has(n.opType)) {
      compute++;
      if (dqOutputs.has(n.inputs[0] ?? '')) quantCompute++;
      const dt = t(0)?.dtype;
      if (dt === DataType.FLOAT16) f16++;
      else if (dt === DataType.FLOAT) f32++;
    }
  }
  let scheme: QuantizationScheme['scheme'];
  if (formats.size > 1) scheme = 'mixed';
  else if (formats.size === 1) scheme = [...formats][0] as 'qdq' | 'qoperator' | 'dynamic';
  else if (f16 > 0 && f32 > 0) scheme = 'mixed';
  else scheme = f16 > 0 ? 'float16' : 'float32';
  return {
    scheme,
    activationDtypes: [...act].sort(),
    weightDtypes: [...wt].sort(),
    weightGranularity: [...gran].sort(),
    symmetricWeights: sawWeight ? symmetric : null,
    quantizedNodeShare: compute === 0 ? 0 : quantCompute / compute,
  };
}
