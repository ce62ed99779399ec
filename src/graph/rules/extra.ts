/**
 * Less common ai.onnx ops that still appear in vision/audio/NLP edge models: sampling and ROI ops,
 * random generators, data-dependent ops (NonMaxSuppression, Compress, Unique: unknown dims, never guessed).
 */
import { DataType, type Dim } from '../../onnx/types.js';
import { ShapeInferenceError } from '../errors.js';
import { normAxis, prodDims } from '../dims.js';
import { attrInt, attrInts, out, req, type ShapeRule, unknown } from './context.js';
import { symOf } from './elementwise.js';

const INT64 = DataType.INT64;

/** GridSample: X [N, C, D1…], grid [N, O1…, r] → [N, C, O1…]. */
const gridSample: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const g = req(ctx, 1);
  if (x.shape === null || g.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  return [out(x.dtype, [x.shape[0], x.shape[1], ...g.shape.slice(1, -1)])];
};

/** AffineGrid: theta [N, r, r+1], size [N, C, D1…] → [N, D1…, r]. */
const affineGrid: ShapeRule = (ctx) => {
  const theta = req(ctx, 0);
  const size = symOf(ctx, 1);
  if (size === undefined) return [unknown(theta.dtype, 'AffineGrid size not constant')];
  return [out(theta.dtype, [size[0], ...size.slice(2), size.length - 2])];
};

/** RoiAlign: X [N, C, H, W], rois [R, 4] → [R, C, output_height, output_width]. */
const roiAlign: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const rois = req(ctx, 1);
  const r: Dim = rois.shape === null ? null : rois.shape[0];
  const c: Dim = x.shape === null ? null : x.shape[1];
  return [out(x.dtype, [r, c, attrInt(ctx.node, 'output_height', 1), attrInt(ctx.node, 'output_width', 1)])];
};

/** MaxRoiPool: rois [R, 5], pooled_shape → [R, C, ph, pw]. */
const maxRoiPool: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const rois = req(ctx, 1);
  const ps = attrInts(ctx.node, 'pooled_shape');
  if (ps === undefined || ps.length !== 2) throw new ShapeInferenceError('MaxRoiPool needs pooled_shape');
  return [out(x.dtype, [rois.shape?.[0] ?? null, x.shape?.[1] ?? null, ps[0], ps[1]])];
};

/** MaxUnpool: output_shape input when given, else (in − 1)·stride + kernel − pads. */
const maxUnpool: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (ctx.inputs[2] !== undefined) {
    const s = symOf(ctx, 2);
    return [s === undefined ? unknown(x.dtype, 'MaxUnpool output_shape not constant') : out(x.dtype, s)];
  }
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const ks = attrInts(ctx.node, 'kernel_shape') ?? [];
  const n = ks.length;
  const strides = attrInts(ctx.node, 'strides') ?? new Array<number>(n).fill(1);
  const pads = attrInts(ctx.node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const spatial = x.shape.slice(2).map((d, i): Dim => (typeof d === 'number' ? (d - 1) * strides[i] + ks[i] - pads[i] - pads[i + n] : null));
  return [out(x.dtype, [x.shape[0], x.shape[1], ...spatial])];
};

/** Output count depends on the data: shape [null, 3]. */
const nonMaxSuppression: ShapeRule = () => [unknown(INT64, 'NonMaxSuppression output size depends on the data', [null, 3])];

const compress: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const axis = attrInt(ctx.node, 'axis');
  if (axis === undefined) return [unknown(x.dtype, 'Compress output size depends on the data', [null])];
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const a = normAxis(axis, x.shape.length);
  return [unknown(x.dtype, 'Compress output size depends on the data', x.shape.map((d, i) => (i === a ? null : d)))];
};

const unique: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const axis = attrInt(ctx.node, 'axis');
  const why = 'Unique output size depends on the data';
  if (axis === undefined || x.shape === null) {
    const n = x.shape === null ? null : prodDims(x.shape);
    return [unknown(x.dtype, why, [null]), unknown(INT64, why, [null]), out(INT64, [n]), unknown(INT64, why, [null])];
  }
  const a = normAxis(axis, x.shape.length);
  return [
    unknown(x.dtype, why, x.shape.map((d, i) => (i === a ? null : d))),
    unknown(INT64, why, [null]),
    out(INT64, [x.shape[a]]),
    unknown(INT64, why, [null]),
  ];
};

/** *Like generators and EyeLike: the input's shape, dtype from the attribute or the input. */
const likeInput: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const dt = attrInt(ctx.node, 'dtype', 0);
  return [out(dt !== 0 ? dt : x.dtype, x.shape)];
};

const randomWithShape: ShapeRule = (ctx) => {
  const shape = attrInts(ctx.node, 'shape');
  if (shape === undefined) throw new ShapeInferenceError(`${ctx.node.opType} without shape`);
  return [out(attrInt(ctx.node, 'dtype', DataType.FLOAT), shape)];
};

const multinomial: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  return [out(attrInt(ctx.node, 'dtype', DataType.INT32), [x.shape?.[0] ?? null, attrInt(ctx.node, 'sample_size', 1)])];
};

const det: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  return [x.shape === null ? unknown(x.dtype, 'input rank unknown') : out(x.dtype, x.shape.slice(0, -2))];
};

/** CenterCropPad: the cropped/padded axes take the target sizes. */
const centerCropPad: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const s = symOf(ctx, 1);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  if (s === undefined) return [unknown(x.dtype, 'CenterCropPad shape not constant', x.shape.map(() => null))];
  const r = x.shape.length;
  const axes = (attrInts(ctx.node, 'axes') ?? Array.from({ length: r }, (_, i) => i)).map((a) => normAxis(a, r));
  const shape = [...x.shape];
  axes.forEach((a, k) => (shape[a] = s[k]));
  return [out(x.dtype, shape)];
};

/** Extra ai.onnx rules. */
export const EXTRA_RULES: Readonly<Record<string, ShapeRule>> = {
  GridSample: gridSample,
  AffineGrid: affineGrid,
  RoiAlign: roiAlign,
  MaxRoiPool: maxRoiPool,
  MaxUnpool: maxUnpool,
  NonMaxSuppression: nonMaxSuppression,
  Compress: compress,
  Unique: unique,
  EyeLike: likeInput,
  RandomNormalLike: likeInput,
  RandomUniformLike: likeInput,
  Bernoulli: likeInput,
  RandomNormal: randomWithShape,
  RandomUniform: randomWithShape,
  Multinomial: multinomial,
  Det: det,
  CenterCropPad: centerCropPad,
};
