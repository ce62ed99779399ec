/**
 * Arithmetic per node. `macs` counts multiply-accumulates of the matmul-like ops (Conv, ConvTranspose,
 * Gemm, MatMul, Einsum, recurrent cells and their quantized forms — a quantized node has the MACs of the
 * float node it replaces). Everything else is `otherOps`, with these documented constants per element:
 *
 * | op family | otherOps |
 * |---|---|
 * | elementwise, activations, Cast, comparison | 1 per output element (variadic Sum/Max/…: inputs − 1) |
 * | Conv/ConvTranspose/Gemm bias | 1 per output element |
 * | MaxPool/AveragePool/LpPool | kernel area per output element |
 * | GlobalAveragePool/GlobalMaxPool, Reduce*, ArgMax/ArgMin, TopK, CumSum | 1 per input element |
 * | BatchNormalization (inference) | 2 per element (scale, shift) |
 * | Layer/Instance/Group/RMS/MeanVariance normalization, LRN | 5 per element (mean, variance, normalize, scale, shift) |
 * | Softmax, LogSoftmax | 4 per element (max, exp, sum, divide) |
 * | Resize | 1 per output element (nearest), 2^k linear, 4^k cubic over k resized axes |
 * | QuantizeLinear, DequantizeLinear | 2 per element; DynamicQuantizeLinear 4 |
 * | QLinear* elementwise / requantization of QLinearConv/MatMul | 3 / 2 per output element |
 * | LSTM / GRU / RNN gate math | 12·H / 10·H / 2·H per timestep, batch and direction |
 * | data movement (Reshape, Transpose, Concat, Slice, Gather, Pad, Expand, …) | 0 |
 */
import { domainLabel, type Dim, type OnnxNode, type Shape } from '../onnx/types.js';
import { numElements } from './dims.js';
import { attrInt, attrInts, attrString } from './rules/context.js';
import { einsumDims, parseEinsum } from './rules/nn.js';
import { RNN_GATES, rnnDims } from './rules/rnn.js';

/** What a cost rule sees of one input or output. */
export interface CostIO {
  readonly dtype: number;
  readonly shape: Shape;
}

export interface CostCtx {
  readonly node: OnnxNode;
  readonly opset: number;
  readonly inputs: readonly (CostIO | undefined)[];
  readonly outputs: readonly (CostIO | undefined)[];
}

/** `null` values carry a reason. */
export interface Cost {
  macs: number | null;
  otherOps: number | null;
  unknownReason?: string;
}

export type CostRule = (ctx: CostCtx) => Cost;

const ZERO: Cost = { macs: 0, otherOps: 0 };

function unknownCost(reason: string, macsKnownZero = false): Cost {
  return { macs: macsKnownZero ? 0 : null, otherOps: null, unknownReason: reason };
}

function elems(io: CostIO | undefined): number | null {
  return io === undefined ? null : numElements(io.shape);
}

function prod(xs: readonly Dim[]): number | null {
  let n = 1;
  for (const x of xs) {
    if (typeof x !== 'number') return null;
    n *= x;
  }
  return n;
}

/** Output elements × per-element constant (macs 0). */
function perOutput(k: number): CostRule {
  return (ctx) => {
    const n = elems(ctx.outputs[0]);
    return n === null ? unknownCost('output shape unknown', true) : { macs: 0, otherOps: n * k };
  };
}

/** Input elements × per-element constant (macs 0). */
function perInput(k: number): CostRule {
  return (ctx) => {
    const n = elems(ctx.inputs[0]);
    return n === null ? unknownCost('input shape unknown', true) : { macs: 0, otherOps: n * k };
  };
}

const variadic: CostRule = (ctx) => {
  const n = elems(ctx.outputs[0]);
  const k = Math.max(ctx.inputs.filter((x) => x !== undefined).length - 1, 1);
  return n === null ? unknownCost('output shape unknown', true) : { macs: 0, otherOps: n * k };
};

/** Conv-like (weight input `wIdx`): out elements × (Cin/group × kernel area) from the weight; + bias per output element. */
function convCost(wIdx: number, biasIdx: number, extraPerOut = 0): CostRule {
  return (ctx) => {
    const o = elems(ctx.outputs[0]);
    const w = ctx.inputs[wIdx]?.shape ?? null;
    const perOut = w === null ? null : prod(w.slice(1));
    if (o === null || perOut === null) return unknownCost(o === null ? 'output shape unknown' : 'weight shape unknown');
    const bias = ctx.inputs[biasIdx] !== undefined ? o : 0;
    return { macs: o * perOut, otherOps: bias + o * extraPerOut };
  };
}

/** NHWC conv: same count as Conv, the weight is still [M, C/group, k…]. */
const nhwcConvCost: CostRule = (ctx) => convCost(1, 2)(ctx);

const convTransposeCost: CostRule = (ctx) => {
  const x = elems(ctx.inputs[0]);
  const w = ctx.inputs[1]?.shape ?? null;
  const o = elems(ctx.outputs[0]);
  const perIn = w === null ? null : prod(w.slice(1));
  if (x === null || perIn === null || o === null) return unknownCost('input, weight or output shape unknown');
  return { macs: x * perIn, otherOps: ctx.inputs[2] !== undefined ? o : 0 };
};

/** Matmul-like: out elements × K, K taken from A's last dim (after an optional transpose). */
function matmulCost(aIdx: number, transAttr: string | null, biasIdx: number | null, extraPerOut = 0): CostRule {
  return (ctx) => {
    const o = elems(ctx.outputs[0]);
    const a = ctx.inputs[aIdx]?.shape ?? null;
    if (o === null || a === null) return unknownCost('input or output shape unknown');
    const trans = transAttr !== null && attrInt(ctx.node, transAttr, 0) === 1;
    const k = a.length === 1 ? a[0] : trans ? a[a.length - 2] : a[a.length - 1];
    if (typeof k !== 'number') return unknownCost('reduction dim unknown');
    const bias = biasIdx !== null && ctx.inputs[biasIdx] !== undefined ? o : 0;
    return { macs: o * k, otherOps: bias + o * extraPerOut };
  };
}

const einsumCost: CostRule = (ctx) => {
  const eq = attrString(ctx.node, 'equation', '');
  const shapes = ctx.inputs.map((i) => i?.shape ?? null);
  if (shapes.length < 2) return perInput(1)(ctx);
  const spec = parseEinsum(eq, shapes.length);
  const { letters, ellipsis } = einsumDims(spec, shapes);
  if (ellipsis === null) return unknownCost('input rank unknown');
  // The full iteration space: every distinct letter once, plus the broadcast ellipsis dims.
  const space = prod([...letters.values(), ...ellipsis]);
  return space === null ? unknownCost('einsum dims unknown') : { macs: space, otherOps: 0 };
};

function recurrentCost(op: 'LSTM' | 'GRU' | 'RNN', perHidden: number): CostRule {
  return (ctx) => {
    const d = rnnDims(op, ctx.node, ctx.inputs[0]?.shape ?? null, ctx.inputs[1]?.shape ?? null);
    const steps = prod([d.seq, d.batch]);
    if (steps === null || typeof d.hidden !== 'number' || typeof d.input !== 'number') {
      return unknownCost('sequence, batch or hidden size unknown');
    }
    const gates = RNN_GATES[op];
    // Input projection (gates·H×I) plus recurrent projection (gates·H×H) per step, per direction.
    const macs = steps * d.directions * gates * d.hidden * (d.input + d.hidden);
    return { macs, otherOps: steps * d.directions * perHidden * d.hidden };
  };
}

function poolCost(ctx: CostCtx): Cost {
  const o = elems(ctx.outputs[0]);
  const ks = attrInts(ctx.node, 'kernel_shape');
  if (o === null || ks === undefined) return unknownCost('output shape unknown', true);
  return { macs: 0, otherOps: o * ks.reduce((a, b) => a * b, 1) };
}

const resizeCost: CostRule = (ctx) => {
  const o = elems(ctx.outputs[0]);
  const x = ctx.inputs[0]?.shape ?? null;
  const y = ctx.outputs[0]?.shape ?? null;
  if (o === null || x === null || y === null) return unknownCost('output shape unknown', true);
  const mode = attrString(ctx.node, 'mode', 'nearest');
  const k = x.filter((d, i) => d !== y[i]).length;
  const taps = mode === 'linear' || mode === 'bilinear' ? 2 ** k : mode === 'cubic' ? 4 ** k : 1;
  return { macs: 0, otherOps: o * taps };
};

const attentionCost: CostRule = (ctx) => {
  const x = ctx.inputs[0]?.shape ?? null;
  const w = ctx.inputs[1]?.shape ?? null;
  if (x === null || w === null || x.length !== 3) return unknownCost('input shape unknown');
  const [b, s, h] = x;
  const qkv = w[1];
  const heads = attrInt(ctx.node, 'num_heads', 1);
  if (typeof b !== 'number' || typeof s !== 'number' || typeof h !== 'number' || typeof qkv !== 'number') {
    return unknownCost('input shape unknown');
  }
  const v = qkv / 3;
  // QKV projection, Q·Kᵀ and attention·V.
  const macs = b * s * h * qkv + 2 * b * s * s * v;
  return { macs, otherOps: 4 * b * heads * s * s };
};

/** MultiHeadAttention: Q·Kᵀ and attention·V over query length S and key length L. */
const mhaCost: CostRule = (ctx) => {
  const q = ctx.inputs[0]?.shape ?? null;
  const k = ctx.inputs[1]?.shape ?? null;
  if (q === null || q.length !== 3) return unknownCost('query shape unknown');
  const l = k !== null && k.length >= 3 ? k[k.length - 2] : q[1];
  const [b, s, d] = q;
  const heads = attrInt(ctx.node, 'num_heads', 1);
  if (typeof b !== 'number' || typeof s !== 'number' || typeof d !== 'number' || typeof l !== 'number') return unknownCost('attention dims unknown');
  return { macs: 2 * b * s * l * d, otherOps: 4 * b * heads * s * l };
};

/** Det: about n³ per matrix (LU). */
const detCost: CostRule = (ctx) => {
  const x = ctx.inputs[0]?.shape ?? null;
  const n = x === null ? null : x[x.length - 1];
  const batch = x === null ? null : prod(x.slice(0, -2));
  return typeof n === 'number' && batch !== null ? { macs: 0, otherOps: batch * n ** 3 } : unknownCost('input shape unknown', true);
};

const MOVEMENT = [
  'Identity', 'Dropout', 'Reshape', 'Transpose', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements',
  'GatherND', 'ScatterND', 'ScatterElements', 'Scatter', 'Flatten', 'Squeeze', 'Unsqueeze', 'Expand', 'Tile',
  'Pad', 'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'DepthToSpace', 'SpaceToDepth', 'NonZero',
  'Trilu', 'OneHot', 'ReverseSequence', 'EyeLike', 'MaxUnpool', 'CenterCropPad', 'AffineGrid',
];

const ELEMENTWISE_1 = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot',
  'PRelu', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Where', 'Cast',
  'CastLike', 'Not', 'IsNaN', 'IsInf', 'Neg', 'Abs', 'Floor', 'Ceil', 'Round', 'Sign', 'Sqrt', 'Reciprocal',
  'Exp', 'Log', 'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh',
  'Asinh', 'Acosh', 'Atanh', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Gelu', 'Elu', 'Selu', 'Celu', 'Softplus',
  'Softsign', 'Mish', 'ThresholdedRelu', 'Shrink', 'Clip',
];

const REDUCE = [
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin', 'TopK', 'CumSum', 'GlobalAveragePool',
  'GlobalMaxPool', 'GlobalLpPool',
];

const ONNX_COSTS: Record<string, CostRule> = {
  ...Object.fromEntries(MOVEMENT.map((op) => [op, () => ZERO])),
  ...Object.fromEntries(ELEMENTWISE_1.map((op) => [op, perOutput(1)])),
  ...Object.fromEntries(REDUCE.map((op) => [op, perInput(1)])),
  Max: variadic,
  Min: variadic,
  Sum: variadic,
  Mean: variadic,
  Conv: convCost(1, 2),
  ConvTranspose: convTransposeCost,
  Gemm: matmulCost(0, 'transA', 2),
  MatMul: matmulCost(0, null, null),
  Einsum: einsumCost,
  LSTM: recurrentCost('LSTM', 12),
  GRU: recurrentCost('GRU', 10),
  RNN: recurrentCost('RNN', 2),
  MaxPool: poolCost,
  AveragePool: poolCost,
  LpPool: poolCost,
  BatchNormalization: perOutput(2),
  InstanceNormalization: perOutput(5),
  LayerNormalization: perOutput(5),
  GroupNormalization: perOutput(5),
  RMSNormalization: perOutput(5),
  MeanVarianceNormalization: perOutput(5),
  LpNormalization: perOutput(5),
  LRN: perOutput(5),
  Softmax: perOutput(4),
  LogSoftmax: perOutput(4),
  Hardmax: perOutput(1),
  Resize: resizeCost,
  Upsample: resizeCost,
  QuantizeLinear: perOutput(2),
  DequantizeLinear: perOutput(2),
  DynamicQuantizeLinear: perInput(4),
  QLinearConv: convCost(3, 8, 2),
  QLinearMatMul: matmulCost(0, null, null, 2),
  ConvInteger: convCost(1, -1),
  MatMulInteger: matmulCost(0, null, null),
  GridSample: perOutput(4),
  RoiAlign: perOutput(4),
  MaxRoiPool: perOutput(1),
  Compress: perInput(1),
  Unique: perInput(1),
  RandomNormal: perOutput(1),
  RandomUniform: perOutput(1),
  RandomNormalLike: perOutput(1),
  RandomUniformLike: perOutput(1),
  Bernoulli: perOutput(1),
  Multinomial: perInput(1),
  Det: detCost,
  NonMaxSuppression: () => unknownCost('NonMaxSuppression work depends on the data', true),
};

const MS_COSTS: Record<string, CostRule> = {
  QuantizeLinear: perOutput(2),
  DequantizeLinear: perOutput(2),
  QLinearConv: convCost(3, 8, 2),
  QGemm: matmulCost(0, 'transA', 6, 2),
  QLinearAdd: perOutput(3),
  QLinearMul: perOutput(3),
  QLinearSigmoid: perOutput(3),
  QLinearLeakyRelu: perOutput(3),
  QLinearSoftmax: perOutput(6),
  QLinearConcat: () => ZERO,
  QLinearGlobalAveragePool: perInput(1),
  QLinearAveragePool: poolCost,
  DynamicQuantizeMatMul: matmulCost(0, null, 4),
  MatMulIntegerToFloat: matmulCost(0, null, 6),
  FusedConv: convCost(1, 2, 1),
  FusedMatMul: matmulCost(0, 'transA', null),
  FusedGemm: matmulCost(0, 'transA', 2, 1),
  Gelu: perOutput(1),
  QuickGelu: perOutput(1),
  FastGelu: perOutput(2),
  BiasGelu: perOutput(2),
  BiasAdd: perOutput(2),
  LayerNormalization: perOutput(5),
  SimplifiedLayerNormalization: perOutput(5),
  SkipLayerNormalization: perOutput(6),
  SkipSimplifiedLayerNormalization: perOutput(6),
  Attention: attentionCost,
  MultiHeadAttention: mhaCost,
  NhwcConv: nhwcConvCost,
  NhwcFusedConv: nhwcConvCost,
  MatMulNBits: matmulCost(0, null, null),
  RotaryEmbedding: perOutput(3),
  EmbedLayerNormalization: perOutput(6),
};

/** Cost rules by domain ("" is ai.onnx). */
export const COST_RULES: Readonly<Record<string, Readonly<Record<string, CostRule>>>> = {
  '': ONNX_COSTS,
  'com.microsoft': MS_COSTS,
};

/** Cost of one node, or unknown with a reason when no rule exists. */
export function nodeCost(ctx: CostCtx): Cost {
  const table = COST_RULES[ctx.node.domain];
  const rule = table !== undefined && Object.hasOwn(table, ctx.node.opType) ? table[ctx.node.opType] : undefined;
  if (rule === undefined) return unknownCost(`no cost rule for ${domainLabel(ctx.node.domain)}::${ctx.node.opType}`);
  try {
    return rule(ctx);
  } catch (e) {
    return unknownCost(`cost rule failed: ${(e as Error).message}`);
  }
}
