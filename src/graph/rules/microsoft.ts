/**
 * com.microsoft contrib ops that appear in exported and ORT-optimized edge models.
 */
import { DataType, type Dim } from '../../onnx/types.js';
import { broadcastShapes } from '../dims.js';
import { attrInt, attrInts, out, type OutFact, req, type ShapeRule, unknown } from './context.js';
import { convShape, matmulShape, windowSpatial } from './nn.js';
import { MS_QUANT_RULES } from './quant.js';

const sameAsInput: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, req(ctx, 0).shape)];

/** FusedMatMul: MatMul with optional transposes of the last two dims (transA/transB) and alpha. */
const fusedMatMul: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const b = req(ctx, 1);
  const t = (s: readonly Dim[] | null, flag: boolean): readonly Dim[] | null =>
    s === null || !flag || s.length < 2 ? s : [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
  return [out(a.dtype, matmulShape(t(a.shape, attrInt(ctx.node, 'transA', 0) === 1), t(b.shape, attrInt(ctx.node, 'transB', 0) === 1)))];
};

const fusedConv: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, convShape(ctx.node, req(ctx, 0).shape, req(ctx, 1).shape))];

const biasAdd: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, broadcastShapes(req(ctx, 0).shape, req(ctx, 1).shape))];

/** LayerNormalization (contrib, pre-opset-17 export) has the same outputs as the ONNX one. */
const layerNorm: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  let axis = attrInt(ctx.node, 'axis', -1);
  if (axis < 0) axis += x.shape.length;
  const stat = x.shape.map((d, i) => (i < axis ? d : 1));
  return [out(x.dtype, x.shape), out(DataType.FLOAT, stat), out(DataType.FLOAT, stat)];
};

/** SkipLayerNormalization: output, mean, inv_std_var, input_skip_bias_sum. */
const skipLayerNorm: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const stat = x.shape.map((d, i) => (i < x.shape!.length - 1 ? d : 1));
  return [out(x.dtype, x.shape), out(DataType.FLOAT, stat), out(DataType.FLOAT, stat), out(x.dtype, x.shape)];
};

/** Attention: input [B, S, hidden], weights [hidden, 3·hidden] (or qkv_hidden_sizes) → [B, S, v_hidden]. */
const attention: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const w = req(ctx, 1);
  if (x.shape === null || x.shape.length !== 3) return [unknown(x.dtype, 'Attention input rank unknown')];
  const sizes = ctx.node.attributes.get('qkv_hidden_sizes');
  let v: Dim = null;
  if (sizes !== undefined && sizes.type === 'ints' && sizes.value.length === 3) v = sizes.value[2];
  else if (w.shape !== null && typeof w.shape[1] === 'number') v = w.shape[1] / 3;
  const res: OutFact[] = [out(x.dtype, [x.shape[0], x.shape[1], v])];
  if (ctx.node.outputs.length > 1) res.push(unknown(x.dtype, 'Attention present state not modelled'));
  return res;
};

/** NhwcConv / NhwcFusedConv: X [N, D1…, C], W [M, C/group, k…] → [N, O1…, M]. */
const nhwcConv: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const w = req(ctx, 1);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const ks = attrInts(ctx.node, 'kernel_shape') ?? (w.shape === null ? undefined : w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN)));
  const m: Dim = w.shape === null ? null : w.shape[0];
  const spatialIn = x.shape.slice(1, -1);
  if (ks === undefined || ks.some(Number.isNaN)) return [unknown(x.dtype, 'kernel shape unknown', [x.shape[0], ...spatialIn.map(() => null), m])];
  return [out(x.dtype, [x.shape[0], ...windowSpatial(ctx.node, spatialIn, ks, false), m])];
};

/** MatMulNBits (block-quantized weights, e.g. int4 LLM layers): A [..., K] → [..., N]. */
const matMulNBits: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const n = attrInt(ctx.node, 'N');
  if (a.shape === null) return [unknown(a.dtype, 'input rank unknown')];
  return [out(a.dtype, [...a.shape.slice(0, -1), n ?? null])];
};

/** MultiHeadAttention: query [B, S, D] (value [B, L, Dv] when given) → [B, S, Dv]. */
const multiHeadAttention: ShapeRule = (ctx) => {
  const q = req(ctx, 0);
  if (q.shape === null || q.shape.length !== 3) return [unknown(q.dtype, 'MultiHeadAttention packed or unknown query layout')];
  const v = ctx.inputs[2];
  const dv: Dim = v !== undefined && v.shape !== null && v.shape.length === 3 ? v.shape[2] : q.shape[2];
  const res: OutFact[] = [out(q.dtype, [q.shape[0], q.shape[1], dv])];
  for (let i = 1; i < ctx.node.outputs.length; i++) res.push(unknown(q.dtype, 'present key/value not modelled'));
  return res;
};

/** EmbedLayerNormalization: input_ids [B, S], word_embedding [V, H] → [B, S, H], mask_index [B]. */
const embedLayerNorm: ShapeRule = (ctx) => {
  const ids = req(ctx, 0);
  const emb = req(ctx, 2);
  const b: Dim = ids.shape?.[0] ?? null;
  const sDim: Dim = ids.shape?.[1] ?? null;
  const h: Dim = emb.shape?.[1] ?? null;
  return [out(emb.dtype, [b, sDim, h]), out(DataType.INT32, [b]), out(emb.dtype, [b, sDim, h])];
};

/** com.microsoft rules (contrib ops). */
export const MICROSOFT_RULES: Readonly<Record<string, ShapeRule>> = {
  ...MS_QUANT_RULES,
  FusedConv: fusedConv,
  NhwcConv: nhwcConv,
  NhwcFusedConv: nhwcConv,
  MatMulNBits: matMulNBits,
  MultiHeadAttention: multiHeadAttention,
  RotaryEmbedding: sameAsInput,
  EmbedLayerNormalization: embedLayerNorm,
  FusedMatMul: fusedMatMul,
  FusedGemm: (ctx) => {
    const a = req(ctx, 0);
    const b = req(ctx, 1);
    const ta = attrInt(ctx.node, 'transA', 0) === 1;
    const tb = attrInt(ctx.node, 'transB', 0) === 1;
    return [out(a.dtype, [a.shape === null ? null : ta ? a.shape[1] : a.shape[0], b.shape === null ? null : tb ? b.shape[0] : b.shape[1]])];
  },
  Gelu: sameAsInput,
  FastGelu: biasAdd,
  BiasGelu: biasAdd,
  QuickGelu: sameAsInput,
  BiasAdd: (ctx) => [out(req(ctx, 0).dtype, broadcastShapes(req(ctx, 0).shape, req(ctx, 2).shape))],
  LayerNormalization: layerNorm,
  SimplifiedLayerNormalization: layerNorm,
  SkipLayerNormalization: skipLayerNorm,
  SkipSimplifiedLayerNormalization: skipLayerNorm,
  Attention: attention,
};
