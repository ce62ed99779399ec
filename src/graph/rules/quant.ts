/**
 * Quantization ops (ai.onnx and com.microsoft): Q/DQ, dynamic quantization and the QLinear and Integer compute
 * forms. Their shapes are those of the float op they replace.
 */
import { DataType, type Dim } from '../../onnx/types.js';
import { broadcastShapes, normAxis } from '../dims.js';
import {
  attrInt,
  type InferCtx,
  out,
  type OutFact,
  req,
  type ShapeRule,
  unknown,
} from './context.js';
import { convShape, gemmShape, matmulShape, windowSpatial } from './nn.js';
import { attrInts } from './context.js';

/** Output dtype of a QLinear op: its output zero point's dtype, else the input's. */
function qOutDtype(ctx: InferCtx, zpIndex: number, fallback: number): number {
  const zp = ctx.inputs[zpIndex];
  return zp !== undefined && zp.dtype !== 0 ? zp.dtype : fallback;
}

const quantizeLinear: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const zp = ctx.inputs[2];
  const attrDtype = attrInt(ctx.node, 'output_dtype', 0);
  const dtype = zp !== undefined ? zp.dtype : attrDtype !== 0 ? attrDtype : DataType.UINT8;
  return [out(dtype, x.shape)];
};

const dequantizeLinear: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const scale = req(ctx, 1);
  const attrDtype = attrInt(ctx.node, 'output_dtype', 0);
  return [out(attrDtype !== 0 ? attrDtype : scale.dtype, x.shape)];
};

const dynamicQuantizeLinear: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  return [out(DataType.UINT8, x.shape), out(DataType.FLOAT, []), out(DataType.UINT8, [])];
};

const qlinearConv: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const w = req(ctx, 3);
  return [out(qOutDtype(ctx, 7, x.dtype), convShape(ctx.node, x.shape, w.shape))];
};

const qlinearMatMul: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const b = req(ctx, 3);
  return [out(qOutDtype(ctx, 7, a.dtype), matmulShape(a.shape, b.shape))];
};

const convInteger: ShapeRule = (ctx) => [out(DataType.INT32, convShape(ctx.node, req(ctx, 0).shape, req(ctx, 1).shape))];

const matMulInteger: ShapeRule = (ctx) => [out(DataType.INT32, matmulShape(req(ctx, 0).shape, req(ctx, 1).shape))];

/** com.microsoft QGemm: A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?. Float output without y_scale. */
const qgemm: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const b = req(ctx, 3);
  const dtype = ctx.inputs[7] === undefined ? DataType.FLOAT : qOutDtype(ctx, 8, a.dtype);
  return [out(dtype, gemmShape(ctx.node, a.shape, b.shape))];
};

/** com.microsoft QLinearAdd/QLinearMul: A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp. */
const qlinearBinary: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const b = req(ctx, 3);
  return [out(qOutDtype(ctx, 7, a.dtype), broadcastShapes(a.shape, b.shape))];
};

/** com.microsoft QLinearGlobalAveragePool: NCHW by default, NHWC with channels_last=1. */
const qlinearGlobalAveragePool: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const dtype = qOutDtype(ctx, 4, x.dtype);
  if (x.shape === null) return [unknown(dtype, 'input rank unknown')];
  const last = attrInt(ctx.node, 'channels_last', 0) === 1;
  const r = x.shape.length;
  return [out(dtype, x.shape.map((d, i) => (i === 0 || (last ? i === r - 1 : i === 1) ? d : 1)))];
};

/** com.microsoft QLinearConcat: Y_scale, Y_zp, then (X, X_scale, X_zp) triples. */
const qlinearConcat: ShapeRule = (ctx) => {
  const xs: { shape: readonly Dim[] | null; dtype: number }[] = [];
  for (let i = 2; i < ctx.inputs.length; i += 3) xs.push(req(ctx, i));
  const dtype = qOutDtype(ctx, 1, xs[0]?.dtype ?? 0);
  const known = xs.find((x) => x.shape !== null);
  if (known === undefined) return [unknown(dtype, 'input rank unknown')];
  const r = known.shape!.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const shape: Dim[] = known.shape!.map((d, i) => {
    if (i !== axis) return xs.map((x) => x.shape?.[i]).find((v) => typeof v === 'number') ?? d;
    let s = 0;
    for (const x of xs) {
      const v = x.shape?.[i];
      if (typeof v !== 'number') return null;
      s += v;
    }
    return s;
  });
  return [out(dtype, shape)];
};

/** com.microsoft QLinearSigmoid / QLinearLeakyRelu / QLinearSoftmax: X, X_scale, X_zp, Y_scale, Y_zp. */
const qlinearUnary: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  return [out(qOutDtype(ctx, 4, x.dtype), x.shape)];
};

/** com.microsoft QLinearAveragePool: X, x_scale, x_zp, y_scale, y_zp with AveragePool attributes. */
const qlinearAveragePool: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const dtype = qOutDtype(ctx, 4, x.dtype);
  if (x.shape === null) return [unknown(dtype, 'input rank unknown')];
  const ks = attrInts(ctx.node, 'kernel_shape') ?? [];
  const ceil = attrInt(ctx.node, 'ceil_mode', 0) === 1;
  const last = attrInt(ctx.node, 'channels_last', 0) === 1;
  if (last) {
    const sp = windowSpatial(ctx.node, x.shape.slice(1, -1), ks, ceil, false);
    return [out(dtype, [x.shape[0], ...sp, x.shape[x.shape.length - 1]])];
  }
  return [out(dtype, [x.shape[0], x.shape[1], ...windowSpatial(ctx.node, x.shape.slice(2), ks, ceil, false)])];
};

/** com.microsoft DynamicQuantizeMatMul / MatMulIntegerToFloat: float matmul output. */
const floatMatMul: ShapeRule = (ctx): OutFact[] => [out(DataType.FLOAT, matmulShape(req(ctx, 0).shape, req(ctx, 1).shape))];

/** ai.onnx quantization rules. */
export const QUANT_RULES: Readonly<Record<string, ShapeRule>> = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  QLinearConv: qlinearConv,
  QLinearMatMul: qlinearMatMul,
  ConvInteger: convInteger,
  MatMulInteger: matMulInteger,
};

/** com.microsoft quantization rules. */
export const MS_QUANT_RULES: Readonly<Record<string, ShapeRule>> = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  QGemm: qgemm,
  QLinearAdd: qlinearBinary,
  QLinearMul: qlinearBinary,
  QLinearGlobalAveragePool: qlinearGlobalAveragePool,
  QLinearConcat: qlinearConcat,
  QLinearSigmoid: qlinearUnary,
  QLinearLeakyRelu: qlinearUnary,
  QLinearSoftmax: qlinearUnary,
  QLinearAveragePool: qlinearAveragePool,
  DynamicQuantizeMatMul: floatMatMul,
  MatMulIntegerToFloat: floatMatMul,
  QLinearConv: qlinearConv,
};
