/**
 * Compute ops: Conv, ConvTranspose, Gemm, MatMul, Einsum, pools and normalizations. The window and matmul
 * helpers are exported because the quantized forms (QLinearConv, ConvInteger, ...) reuse them.
 */
import { DataType, type Dim, type OnnxNode, type Shape } from '../../onnx/types.js';
import { ShapeInferenceError } from '../errors.js';
import { broadcastShapes, mulDim, windowOut } from '../dims.js';
import {
  attrInt,
  attrInts,
  attrString,
  out,
  type OutFact,
  req,
  type ShapeRule,
  unknown,
} from './context.js';

/** Spatial output dims of a Conv/Pool window over `spatial`, honoring auto_pad, pads, strides, dilations. */
export function windowSpatial(
  node: OnnxNode,
  spatial: readonly Dim[],
  kernel: readonly number[],
  ceil: boolean,
  useDilations = true,
): Dim[] {
  const n = spatial.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = useDilations ? (attrInts(node, 'dilations') ?? new Array<number>(n).fill(1)) : new Array<number>(n).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  if (kernel.length !== n) throw new ShapeInferenceError(`kernel has ${kernel.length} dims for ${n} spatial dims`);
  return spatial.map((d, i) => {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      if (typeof d === 'number') return Math.ceil(d / strides[i]);
      return strides[i] === 1 ? d : d === null ? null : `(ceil(${d}/${strides[i]}))`;
    }
    if (autoPad === 'VALID') return windowOut(d, kernel[i], strides[i], dil[i], 0, 0, ceil);
    return windowOut(d, kernel[i], strides[i], dil[i], pads[i], pads[i + n], ceil);
  });
}

/** Conv output shape from X and W shapes (shared with QLinearConv, ConvInteger, FusedConv). */
export function convShape(node: OnnxNode, x: Shape, w: Shape): Shape {
  if (x === null) return null;
  const n = x.length - 2;
  if (n < 1) throw new ShapeInferenceError(`Conv input of rank ${x.length}`);
  const ks = attrInts(node, 'kernel_shape') ?? (w === null ? undefined : w.slice(2).map((d) => (typeof d === 'number' ? d : NaN)));
  const m: Dim = w === null ? null : w[0];
  if (w !== null && x[1] !== null && w[1] !== null) {
    const group = attrInt(node, 'group', 1);
    const cin = mulDim(w[1], group);
    if (typeof cin === 'number' && typeof x[1] === 'number' && cin !== x[1]) {
      throw new ShapeInferenceError(`Conv input has ${x[1]} channels, weight expects ${cin}`);
    }
  }
  if (ks === undefined || ks.some((k) => Number.isNaN(k))) return [x[0], m, ...new Array<Dim>(n).fill(null)];
  return [x[0], m, ...windowSpatial(node, x.slice(2), ks, false)];
}

const conv: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const w = req(ctx, 1);
  return [out(x.dtype, convShape(ctx.node, x.shape, w.shape))];
};

const convTranspose: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const w = req(ctx, 1);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const node = ctx.node;
  const n = x.shape.length - 2;
  const group = attrInt(node, 'group', 1);
  const m: Dim = w.shape === null ? null : mulDim(w.shape[1], group);
  const ks = attrInts(node, 'kernel_shape') ?? (w.shape === null ? undefined : w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN)));
  const outputShape = attrInts(node, 'output_shape');
  if (outputShape !== undefined) {
    return [out(x.dtype, [x.shape[0], m, ...outputShape.slice(outputShape.length - n)])];
  }
  if (ks === undefined || ks.some(Number.isNaN)) return [unknown(x.dtype, 'ConvTranspose kernel unknown', [x.shape[0], m, ...new Array<Dim>(n).fill(null)])];
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const outPad = attrInts(node, 'output_padding') ?? new Array<number>(n).fill(0);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const spatial = x.shape.slice(2).map((d, i): Dim => {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return mulDim(d, strides[i]);
    const p = autoPad === 'VALID' ? 0 : pads[i] + pads[i + n];
    const extra = outPad[i] + (ks[i] - 1) * dil[i] + 1 - p;
    if (typeof d === 'number') return strides[i] * (d - 1) + extra;
    if (d === null) return null;
    const scaled = mulDim(d, strides[i]);
    const c = extra - strides[i];
    return c === 0 ? scaled : `(${scaled}${c > 0 ? '+' : ''}${c})`;
  });
  return [out(x.dtype, [x.shape[0], m, ...spatial])];
};

/** Gemm [M,N] from A, B and the trans flags. */
const gemm: ShapeRule = (ctx) => {
  const a = req(ctx, 0);
  const b = req(ctx, 1);
  return [out(a.dtype, gemmShape(ctx.node, a.shape, b.shape))];
};

/** Gemm output shape (shared with QGemm). */
export function gemmShape(node: OnnxNode, a: Shape, b: Shape): Shape {
  const ta = attrInt(node, 'transA', 0) === 1;
  const tb = attrInt(node, 'transB', 0) === 1;
  const mDim: Dim = a === null ? null : ta ? a[1] : a[0];
  const nDim: Dim = b === null ? null : tb ? b[0] : b[1];
  if (a !== null && b !== null) {
    if (a.length !== 2 || b.length !== 2) throw new ShapeInferenceError(`Gemm inputs of rank ${a.length} and ${b.length}`);
    const ka = ta ? a[0] : a[1];
    const kb = tb ? b[1] : b[0];
    if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw new ShapeInferenceError(`Gemm K ${ka} vs ${kb}`);
  }
  return [mDim, nDim];
}

/** numpy.matmul output shape, including 1-D operands and broadcast batch dims. */
export function matmulShape(a: Shape, b: Shape): Shape {
  if (a === null || b === null) return null;
  if (a.length === 0 || b.length === 0) throw new ShapeInferenceError('MatMul of a scalar');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const ka = a2[a2.length - 1];
  const kb = b2[b2.length - 2];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw new ShapeInferenceError(`MatMul K ${ka} vs ${kb}`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  if (batch === null) return null;
  const res: Dim[] = [...batch];
  if (a.length !== 1) res.push(a2[a2.length - 2]);
  if (b.length !== 1) res.push(b2[b2.length - 1]);
  return res;
}

const matmul: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, matmulShape(req(ctx, 0).shape, req(ctx, 1).shape))];

/** A parsed Einsum equation: per-input subscripts (with '...' as '*') and the output subscripts. */
export interface EinsumSpec {
  readonly inputs: readonly string[];
  readonly output: string;
}

/** Parses `ij,jk->ik` (spaces and '...' allowed; implicit output = letters seen once, sorted). */
export function parseEinsum(equation: string, nInputs: number): EinsumSpec {
  const eq = equation.replace(/\s+/g, '').replace(/\.\.\./g, '*');
  const [lhs, rhs] = eq.split('->');
  const inputs = lhs.split(',');
  if (inputs.length !== nInputs) throw new ShapeInferenceError(`Einsum '${equation}' has ${inputs.length} operands for ${nInputs} inputs`);
  for (const t of [...inputs, rhs ?? '']) {
    if (!/^[a-zA-Z*]*$/.test(t) || (t.match(/\*/g) ?? []).length > 1) throw new ShapeInferenceError(`Einsum term '${t}' is not valid`);
  }
  let output = rhs;
  if (output === undefined) {
    const counts = new Map<string, number>();
    for (const t of inputs) for (const c of t) if (c !== '*') counts.set(c, (counts.get(c) ?? 0) + 1);
    const once = [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort();
    output = (inputs.some((t) => t.includes('*')) ? '*' : '') + once.join('');
  }
  return { inputs, output };
}

/** Einsum output shape and the size of every letter (and of the ellipsis dims). */
export function einsumDims(
  spec: EinsumSpec,
  shapes: readonly Shape[],
): { shape: Shape; letters: Map<string, Dim>; ellipsis: Dim[] | null } {
  const letters = new Map<string, Dim>();
  let ellipsis: Dim[] | null = [];
  for (let k = 0; k < spec.inputs.length; k++) {
    const term = spec.inputs[k];
    const s = shapes[k];
    if (s === null) {
      if (term.includes('*')) ellipsis = null;
      for (const c of term) if (c !== '*' && !letters.has(c)) letters.set(c, null);
      continue;
    }
    const named = term.replace('*', '').length;
    const ellRank = s.length - named;
    if (ellRank < 0 || (ellRank > 0 && !term.includes('*'))) {
      throw new ShapeInferenceError(`Einsum term '${term}' does not match rank ${s.length}`);
    }
    let pos = 0;
    for (const c of term) {
      if (c === '*') {
        const part = s.slice(pos, pos + ellRank);
        if (ellipsis !== null) ellipsis = broadcastShapes(ellipsis, part) as Dim[] | null;
        pos += ellRank;
        continue;
      }
      const d = s[pos++];
      const prev = letters.get(c);
      if (prev === undefined || prev === null || (prev === 1 && d !== null)) letters.set(c, d);
      else if (typeof prev === 'number' && typeof d === 'number' && d !== 1 && prev !== d) {
        throw new ShapeInferenceError(`Einsum letter '${c}' is ${prev} and ${d}`);
      }
    }
  }
  const shape: Dim[] | null = [];
  for (const c of spec.output) {
    if (c === '*') {
      if (ellipsis === null) return { shape: null, letters, ellipsis };
      shape.push(...ellipsis);
    } else shape.push(letters.get(c) ?? null);
  }
  return { shape, letters, ellipsis };
}

const einsum: ShapeRule = (ctx) => {
  const eq = attrString(ctx.node, 'equation', '');
  const facts = ctx.inputs.map((_, i) => req(ctx, i));
  const spec = parseEinsum(eq, facts.length);
  const { shape } = einsumDims(spec, facts.map((f) => f.shape));
  return [shape === null ? unknown(facts[0].dtype, 'input rank unknown') : out(facts[0].dtype, shape)];
};

function pool(kind: 'max' | 'avg' | 'lp'): ShapeRule {
  return (ctx) => {
    const x = req(ctx, 0);
    if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
    const ks = attrInts(ctx.node, 'kernel_shape');
    if (ks === undefined) throw new ShapeInferenceError(`${ctx.node.opType} without kernel_shape`);
    const ceil = attrInt(ctx.node, 'ceil_mode', 0) === 1;
    const useDil = kind === 'max' ? ctx.opset >= 10 : kind === 'avg' ? ctx.opset >= 19 : ctx.opset >= 18;
    const shape: Dim[] = [x.shape[0], x.shape[1], ...windowSpatial(ctx.node, x.shape.slice(2), ks, ceil, useDil)];
    const res: OutFact[] = [out(x.dtype, shape)];
    if (kind === 'max' && ctx.node.outputs.length > 1) res.push(out(DataType.INT64, shape));
    return res;
  };
}

const globalPool: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  return [out(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)))];
};

const sameAsInput: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, req(ctx, 0).shape)];

const batchNorm: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const c: Dim = x.shape === null ? null : x.shape.length > 1 ? x.shape[1] : 1;
  const stats = ctx.node.outputs.slice(1).map(() => out(req(ctx, 1).dtype, [c]));
  return [out(x.dtype, x.shape), ...stats];
};

const layerNorm: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown'), unknown(DataType.FLOAT, 'input rank unknown'), unknown(DataType.FLOAT, 'input rank unknown')];
  const r = x.shape.length;
  let axis = attrInt(ctx.node, 'axis', -1);
  if (axis < 0) axis += r;
  const stash = attrInt(ctx.node, 'stash_type', 1);
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [out(x.dtype, x.shape), out(stash, statShape), out(stash, statShape)];
};

const lpNorm = sameAsInput;

/** ai.onnx compute rules. */
export const NN_RULES: Readonly<Record<string, ShapeRule>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmul,
  Einsum: einsum,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  LpPool: pool('lp'),
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  BatchNormalization: batchNorm,
  InstanceNormalization: sameAsInput,
  LayerNormalization: layerNorm,
  GroupNormalization: sameAsInput,
  LRN: sameAsInput,
  MeanVarianceNormalization: sameAsInput,
  LpNormalization: lpNorm,
  RMSNormalization: sameAsInput,
};

