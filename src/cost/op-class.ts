/**
 * Op → cost class (the `efficiency` keys of a profile's compute units) and op → arithmetic type
 * (`float`, `int8`, ...), as data. The cost model never guesses a class from a name at run time: an op
 * missing from the table is `other`, which profiles give a conservative efficiency.
 */
import type { ComputeDtype, OpClass } from '../profiles/schema.js';
import type { OnnxNode } from '../onnx/types.js';
import { DataType } from '../onnx/types.js';

/** Op type → class. Conv-like ops are refined by `opClassOf` (depthwise when group = channels). */
export const OP_CLASS_TABLE: Readonly<Record<string, OpClass>> = {
  // dense convolutions (grouped convs stay `conv`; depthwise is decided from `group`)
  Conv: 'conv', QLinearConv: 'conv', ConvInteger: 'conv', FusedConv: 'conv', NhwcConv: 'conv',
  ConvTranspose: 'convtranspose', QLinearConvTranspose: 'convtranspose',
  // matrix products
  MatMul: 'matmul', Gemm: 'matmul', QLinearMatMul: 'matmul', MatMulInteger: 'matmul', MatMulIntegerToFloat: 'matmul',
  QGemm: 'matmul', FusedMatMul: 'matmul', FusedGemm: 'matmul', Einsum: 'matmul', Attention: 'matmul', MultiHeadAttention: 'matmul',
  DynamicQuantizeMatMul: 'matmul',
  // recurrent
  LSTM: 'rnn', GRU: 'rnn', RNN: 'rnn', DynamicQuantizeLSTM: 'rnn',
  // pooling
  MaxPool: 'pool', AveragePool: 'pool', GlobalAveragePool: 'pool', GlobalMaxPool: 'pool', LpPool: 'pool', GlobalLpPool: 'pool',
  QLinearAveragePool: 'pool', QLinearGlobalAveragePool: 'pool', MaxRoiPool: 'pool', RoiAlign: 'pool', MaxUnpool: 'pool',
  // reductions
  ReduceMean: 'reduce', ReduceSum: 'reduce', ReduceMax: 'reduce', ReduceMin: 'reduce', ReduceProd: 'reduce', ReduceL1: 'reduce',
  ReduceL2: 'reduce', ReduceLogSum: 'reduce', ReduceLogSumExp: 'reduce', ReduceSumSquare: 'reduce', ArgMax: 'reduce', ArgMin: 'reduce',
  QLinearReduceMean: 'reduce', CumSum: 'reduce', TopK: 'reduce',
  // normalization
  BatchNormalization: 'norm', LayerNormalization: 'norm', InstanceNormalization: 'norm', GroupNormalization: 'norm', LRN: 'norm',
  SkipLayerNormalization: 'norm', SimplifiedLayerNormalization: 'norm', RMSNormalization: 'norm', MeanVarianceNormalization: 'norm',
  LpNormalization: 'norm',
  // softmax
  Softmax: 'softmax', LogSoftmax: 'softmax', Hardmax: 'softmax', QLinearSoftmax: 'softmax',
  // pure data movement (no arithmetic)
  Reshape: 'data_movement', Transpose: 'data_movement', Concat: 'data_movement', Split: 'data_movement', Slice: 'data_movement',
  Gather: 'data_movement', GatherElements: 'data_movement', GatherND: 'data_movement', Flatten: 'data_movement', Squeeze: 'data_movement',
  Unsqueeze: 'data_movement', Pad: 'data_movement', Resize: 'data_movement', Upsample: 'data_movement', Expand: 'data_movement',
  Tile: 'data_movement', Identity: 'data_movement', Shape: 'data_movement', Size: 'data_movement', ConstantOfShape: 'data_movement',
  DepthToSpace: 'data_movement', SpaceToDepth: 'data_movement', ScatterND: 'data_movement', ScatterElements: 'data_movement',
  QLinearConcat: 'data_movement', Range: 'data_movement', Cast: 'data_movement', CastLike: 'data_movement', Trilu: 'data_movement',
  ReverseSequence: 'data_movement', Compress: 'data_movement', NonZero: 'data_movement', OneHot: 'data_movement', Dropout: 'data_movement',
  ReorderInput: 'data_movement', ReorderOutput: 'data_movement', Constant: 'data_movement',
  // elementwise arithmetic and activations
  Add: 'elementwise', Sub: 'elementwise', Mul: 'elementwise', Div: 'elementwise', Pow: 'elementwise', Mod: 'elementwise',
  Relu: 'elementwise', Clip: 'elementwise', LeakyRelu: 'elementwise', PRelu: 'elementwise', Sigmoid: 'elementwise', HardSigmoid: 'elementwise',
  HardSwish: 'elementwise', Tanh: 'elementwise', Elu: 'elementwise', Selu: 'elementwise', Celu: 'elementwise', Gelu: 'elementwise',
  FastGelu: 'elementwise', BiasGelu: 'elementwise', QuickGelu: 'elementwise', Mish: 'elementwise', Softplus: 'elementwise', Softsign: 'elementwise',
  Erf: 'elementwise', Exp: 'elementwise', Log: 'elementwise', Sqrt: 'elementwise', Reciprocal: 'elementwise', Neg: 'elementwise',
  Abs: 'elementwise', Sign: 'elementwise', Floor: 'elementwise', Ceil: 'elementwise', Round: 'elementwise', Sin: 'elementwise', Cos: 'elementwise',
  Max: 'elementwise', Min: 'elementwise', Sum: 'elementwise', Mean: 'elementwise', Where: 'elementwise', Equal: 'elementwise',
  Less: 'elementwise', LessOrEqual: 'elementwise', Greater: 'elementwise', GreaterOrEqual: 'elementwise', And: 'elementwise', Or: 'elementwise',
  Xor: 'elementwise', Not: 'elementwise', IsNaN: 'elementwise', IsInf: 'elementwise', BitShift: 'elementwise',
  QuantizeLinear: 'elementwise', DequantizeLinear: 'elementwise', DynamicQuantizeLinear: 'elementwise', QLinearAdd: 'elementwise',
  QLinearMul: 'elementwise', QLinearSigmoid: 'elementwise', QLinearLeakyRelu: 'elementwise', ThresholdedRelu: 'elementwise', Shrink: 'elementwise',
  BiasAdd: 'elementwise', BiasDropout: 'elementwise',
};

/** Ops whose arithmetic is integer by construction (no QDQ unit needed to say so). */
const INTEGER_OPS = new Set([
  'QLinearConv', 'ConvInteger', 'QLinearMatMul', 'MatMulInteger', 'MatMulIntegerToFloat', 'QGemm', 'QLinearAdd', 'QLinearMul',
  'QLinearAveragePool', 'QLinearGlobalAveragePool', 'QLinearSoftmax', 'QLinearConcat', 'QLinearSigmoid', 'QLinearLeakyRelu',
  'QLinearConvTranspose', 'QLinearReduceMean', 'DynamicQuantizeMatMul', 'DynamicQuantizeLSTM',
]);

function intAttr(node: OnnxNode, name: string): number | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'int' ? a.value : undefined;
}

/**
 * The cost class of a node. A Conv whose `group` > 1 equals its weight's output channels (one filter per
 * group, the depthwise shape) is `depthwise`; `weightDims` is the weight's shape when known.
 */
export function opClassOf(node: Pick<OnnxNode, 'opType' | 'attributes'>, weightDims?: readonly (number | string | null)[] | null): OpClass {
  const cls = OP_CLASS_TABLE[node.opType] ?? 'other';
  if (cls !== 'conv') return cls;
  const group = intAttr(node as OnnxNode, 'group') ?? 1;
  if (group <= 1) return 'conv';
  const outCh = weightDims?.[0];
  // Depthwise: every group has one input channel. Weight dims are [M, C/group, kH, kW].
  const inPerGroup = weightDims?.[1];
  if (inPerGroup === 1 || (typeof outCh === 'number' && outCh === group)) return 'depthwise';
  return 'conv';
}

/** True for ops whose kernels compute in integers whatever their input tensors say. */
export function isIntegerOp(opType: string): boolean {
  return INTEGER_OPS.has(opType);
}

/** Bytes one element of a compute dtype occupies (int4 packs two per byte). */
export function computeDtypeBytes(dtype: ComputeDtype): number {
  return dtype === 'float' ? 4 : dtype === 'int8' ? 1 : dtype === 'int4' ? 0.5 : 2;
}

/**
 * Arithmetic class for an element type: 8-bit integers → `int8`, 16-bit integers → `int16`, 4-bit →
 * `int4`, half types → their own, everything else (float, double, int32/int64 index math) → `float`.
 */
export function computeDtypeForElement(dtype: number): ComputeDtype {
  switch (dtype) {
    case DataType.INT8:
    case DataType.UINT8:
      return 'int8';
    case DataType.INT16:
    case DataType.UINT16:
      return 'int16';
    case DataType.INT4:
    case DataType.UINT4:
      return 'int4';
    case DataType.FLOAT16:
      return 'float16';
    case DataType.BFLOAT16:
      return 'bfloat16';
    default:
      return 'float';
  }
}

/**
 * Activations that runtimes fuse into the preceding Conv/Gemm/MatMul as an epilogue (ORT's
 * ConvActivationFusion list: Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid; TFLite's fused
 * activation functions are a subset). A fused activation costs no separate kernel.
 */
export const FUSABLE_EPILOGUES = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid']);
/** Producers that take an epilogue. */
export const EPILOGUE_PRODUCERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'FusedConv', 'QLinearConv']);
/** Ops with no kernel at run time: the runtime removes them or makes them views. */
export const FREE_OPS = new Set(['Identity', 'Dropout', 'Constant', 'Shape', 'Size']);
