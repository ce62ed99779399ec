/**
 * Data-movement and shape ops: Shape, Reshape, Transpose, Concat, Split, Slice, Gather*, Scatter*, Flatten,
 * Squeeze/Unsqueeze, Expand, Tile, Pad, Resize/Upsample, ConstantOfShape, Range, reductions, TopK, ...
 * These are where exporters' shape arithmetic lives, so they fold small values and carry symbolic dims.
 */
import { DataType, type Dim, type Shape } from '../../onnx/types.js';
import { ShapeInferenceError } from '../errors.js';
import {
  broadcastShapes,
  divExact,
  mulDim,
  normAxis,
  numElements,
  prodDims,
  subDim,
} from '../dims.js';
import type { ConstValue } from '../types.js';
import {
  concatValues,
  constValue,
  countOf,
  gatherValues,
  loadTensorValue,
  MAX_FOLD_ELEMENTS,
  sliceValues,
  transposeValues,
} from '../values.js';
import {
  attrFloats,
  attrInt,
  attrInts,
  attrString,
  type InferCtx,
  intsFromInput,
  out,
  type OutFact,
  rankOf,
  req,
  type ShapeRule,
  unknown,
  unknownDims,
} from './context.js';
import { allValues, symOf } from './elementwise.js';

const INT64 = DataType.INT64;

/** A symbolic shape vector from input i: its elements as dims, or undefined when not tracked. */
function shapeVector(ctx: InferCtx, i: number): readonly Dim[] | undefined {
  return symOf(ctx, i);
}

/** Fact for a rank-1 int64 vector of dims (value when all numeric). */
function dimsVector(dims: readonly Dim[]): OutFact {
  const o: OutFact = { dtype: INT64, shape: [dims.length], sym: dims };
  if (dims.every((d) => typeof d === 'number')) o.value = constValue(INT64, [dims.length], dims as number[]);
  return o;
}

const shapeOp: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(INT64, 'input rank unknown', [null])];
  const r = x.shape.length;
  let start = attrInt(ctx.node, 'start', 0);
  let end = attrInt(ctx.node, 'end', r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = Math.min(Math.max(start, 0), r);
  end = Math.min(Math.max(end, 0), r);
  return [dimsVector(x.shape.slice(start, Math.max(start, end)))];
};

const sizeOp: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const n = x.shape === null ? null : prodDims(x.shape);
  const o: OutFact = { dtype: INT64, shape: [] };
  if (typeof n === 'number') o.value = constValue(INT64, [], [n]);
  if (n !== null) o.sym = [n];
  return [o];
};

/** Reshape target resolution: 0 copies (unless allowzero), −1 is inferred from the element count. */
export function reshapeDims(input: Shape, target: readonly Dim[], allowZero: boolean): Dim[] {
  const outDims: Dim[] = target.map((t, i) => {
    if (t === 0 && !allowZero) {
      if (input === null) return null;
      if (i >= input.length) throw new ShapeInferenceError(`Reshape 0 at position ${i} beyond input rank`);
      return input[i];
    }
    return t;
  });
  const neg = outDims.findIndex((d) => d === -1);
  if (neg >= 0) {
    if (outDims.indexOf(-1, neg + 1) >= 0) throw new ShapeInferenceError('Reshape has more than one -1');
    const total = input === null ? null : prodDims(input);
    const known = prodDims(outDims.filter((_, i) => i !== neg));
    outDims[neg] = total === null || known === null ? null : divExact(total, known);
    if (typeof total === 'number' && typeof known === 'number' && known !== 0 && total % known !== 0) {
      throw new ShapeInferenceError(`Reshape cannot split ${total} elements by ${known}`);
    }
  } else if (input !== null) {
    const a = numElements(input);
    const b = numElements(outDims);
    if (a !== null && b !== null && a !== b) {
      throw new ShapeInferenceError(`Reshape of ${a} elements into ${b}`);
    }
  }
  return outDims;
}

const reshape: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  let target: readonly Dim[] | undefined;
  if (ctx.opset < 5) target = attrInts(ctx.node, 'shape');
  else target = shapeVector(ctx, 1);
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  if (target === undefined) {
    const s = ctx.inputs[1]?.shape;
    const n = s && s.length === 1 && typeof s[0] === 'number' ? s[0] : null;
    return [unknown(x.dtype, 'Reshape target not constant', n === null ? null : unknownDims(n))];
  }
  const dims = reshapeDims(x.shape, target, allowZero);
  const o: OutFact = { dtype: x.dtype, shape: dims };
  const v = allValues(ctx, [0]);
  if (v !== undefined && dims.every((d) => typeof d === 'number')) o.value = { ...v[0], dims: dims as number[] };
  else if (x.sym !== undefined && dims.length <= 1) o.sym = x.sym;
  return [o];
};

const transpose: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const r = x.shape.length;
  const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  if (perm.length !== r) throw new ShapeInferenceError(`Transpose perm has ${perm.length} entries for rank ${r}`);
  const shape = perm.map((p) => x.shape![normAxis(p, r)]);
  const o = out(x.dtype, shape);
  const v = allValues(ctx, [0]);
  if (v !== undefined) o.value = transposeValues(v[0], perm.map((p) => normAxis(p, r)));
  return [o];
};

const concat: ShapeRule = (ctx) => {
  const facts = ctx.inputs.filter((f) => f !== undefined);
  if (facts.length === 0) throw new ShapeInferenceError('Concat without inputs');
  const known = facts.find((f) => f.shape !== null);
  const dtype = facts[0].dtype;
  if (known === undefined) return [unknown(dtype, 'input rank unknown')];
  const r = known.shape!.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const shape: Dim[] = [];
  for (let d = 0; d < r; d++) {
    if (d === axis) {
      let sum: Dim = 0;
      for (const f of facts) {
        const dim: Dim = f.shape === null ? null : f.shape[d];
        sum = sum === null || dim === null ? null : typeof sum === 'number' && typeof dim === 'number' ? sum + dim : addSym(sum, dim);
      }
      shape.push(sum);
    } else {
      let dim: Dim = null;
      for (const f of facts) {
        if (f.shape === null) continue;
        if (f.shape.length !== r) throw new ShapeInferenceError(`Concat inputs of rank ${f.shape.length} and ${r}`);
        const x = f.shape[d];
        if (typeof x === 'number') {
          if (typeof dim === 'number' && dim !== x) throw new ShapeInferenceError(`Concat dims ${dim} and ${x} on axis ${d}`);
          dim = x;
        } else if (dim === null) dim = x;
      }
      shape.push(dim);
    }
  }
  const o = out(dtype, shape);
  const vals = allValues(ctx, ctx.inputs.map((f, i) => (f === undefined ? -1 : i)).filter((i) => i >= 0));
  if (vals !== undefined) {
    const v = concatValues(vals, axis, dtype);
    if (v !== null) o.value = v;
  } else if (r === 1) {
    const parts = ctx.inputs.map((f, i) => (f === undefined ? [] : symOf(ctx, i)));
    if (parts.every((p) => p !== undefined)) o.sym = parts.flatMap((p) => [...p!]);
  }
  return [o];
};

function addSym(a: Dim, b: Dim): Dim {
  if (a === 0) return b;
  if (b === 0) return a;
  return a === null || b === null ? null : `(${a}+${b})`;
}

const split: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const nOut = ctx.node.outputs.length;
  if (x.shape === null) return Array.from({ length: nOut }, () => unknown(x.dtype, 'input rank unknown'));
  const r = x.shape.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const dim = x.shape[axis];
  let sizes: readonly number[] | undefined =
    ctx.opset < 13 ? attrInts(ctx.node, 'split') : ctx.inputs[1] !== undefined ? intsFromInput(ctx, 1) : undefined;
  if (ctx.opset < 13 && sizes === undefined && ctx.inputs[1] !== undefined) sizes = intsFromInput(ctx, 1);
  if (sizes === undefined && ctx.inputs[1] !== undefined) {
    return Array.from({ length: nOut }, () => unknown(x.dtype, 'Split sizes not constant', x.shape!.map((d, i) => (i === axis ? null : d))));
  }
  let outDims: Dim[];
  if (sizes !== undefined) outDims = [...sizes];
  else if (typeof dim === 'number') {
    const numOutputs = attrInt(ctx.node, 'num_outputs') ?? nOut;
    if (ctx.opset >= 18 && attrInt(ctx.node, 'num_outputs') !== undefined) {
      const chunk = Math.ceil(dim / numOutputs);
      outDims = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
    } else {
      if (dim % nOut !== 0) throw new ShapeInferenceError(`Split of ${dim} into ${nOut} equal parts`);
      outDims = new Array<Dim>(nOut).fill(dim / nOut);
    }
  } else {
    const each = divExact(dim, nOut);
    outDims = new Array<Dim>(nOut).fill(each);
  }
  return outDims.map((d) => out(x.dtype, x.shape!.map((s, i) => (i === axis ? d : s))));
};

/** ONNX Slice clamping for one axis of numeric size. */
export function sliceRange(dim: number, start: number, end: number, step: number): { start: number; step: number; count: number } {
  if (step === 0) throw new ShapeInferenceError('Slice step 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, step, count };
}

const BIG = 2 ** 31 - 1;

const slice: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  let starts: readonly number[] | undefined;
  let ends: readonly number[] | undefined;
  let axes: readonly number[] | undefined;
  let steps: readonly number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.node, 'starts');
    ends = attrInts(ctx.node, 'ends');
    axes = attrInts(ctx.node, 'axes');
  } else {
    starts = intsFromInput(ctx, 1);
    ends = intsFromInput(ctx, 2);
    axes = ctx.inputs[3] !== undefined ? intsFromInput(ctx, 3) : undefined;
    steps = ctx.inputs[4] !== undefined ? intsFromInput(ctx, 4) : undefined;
    if ((ctx.inputs[3] !== undefined && axes === undefined) || (ctx.inputs[4] !== undefined && steps === undefined)) {
      starts = undefined;
    }
  }
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const r = x.shape.length;
  if (starts === undefined || ends === undefined) {
    // Which axes are sliced is unknown too unless `axes` is known.
    const ax = axes?.map((a) => normAxis(a, r));
    return [unknown(x.dtype, 'Slice bounds not constant', x.shape.map((d, i) => (ax === undefined || ax.includes(i) ? null : d)))];
  }
  const axList = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, r));
  const shape: Dim[] = [...x.shape];
  const ranges = x.shape.map((d) => ({ start: 0, step: 1, count: typeof d === 'number' ? d : 0 }));
  let exact = true;
  axList.forEach((ax, k) => {
    const dim = x.shape![ax];
    const st = starts![k];
    const en = ends![k];
    const sp = steps?.[k] ?? 1;
    if (typeof dim === 'number') {
      const rg = sliceRange(dim, st, en, sp);
      ranges[ax] = rg;
      shape[ax] = rg.count;
    } else {
      exact = false;
      if (sp === 1 && st >= 0 && en >= BIG) shape[ax] = st === 0 ? dim : subDim(dim, st);
      else shape[ax] = null;
    }
  });
  const o = out(x.dtype, shape);
  if (exact) {
    const v = allValues(ctx, [0]);
    if (v !== undefined) {
      const sv = sliceValues(v[0], ranges);
      if (sv !== null) o.value = sv;
    } else if (r === 1 && x.sym !== undefined) {
      const rg = ranges[0];
      o.sym = Array.from({ length: rg.count }, (_, i) => x.sym![rg.start + i * rg.step]);
    }
  }
  return [o];
};

const gather: ShapeRule = (ctx) => {
  const data = req(ctx, 0);
  const idx = req(ctx, 1);
  if (data.shape === null || idx.shape === null) return [unknown(data.dtype, 'input rank unknown')];
  const r = data.shape.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const shape = [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)];
  const o = out(data.dtype, shape);
  const iv = idx.value ?? (idx.isConstant ? ctx.value(1) : undefined);
  const axisLen = data.shape[axis];
  if (iv !== undefined && typeof axisLen === 'number') {
    const norm = iv.values.map((i) => (i < 0 ? i + axisLen : i));
    if (norm.some((i) => i < 0 || i >= axisLen)) throw new ShapeInferenceError(`Gather index out of range for dim ${axisLen}`);
    const dv = allValues(ctx, [0]);
    if (dv !== undefined) {
      const v = gatherValues(dv[0], axis, norm, iv.dims);
      if (v !== null) o.value = v;
    } else if (r === 1 && iv.dims.length <= 1) {
      const s = symOf(ctx, 0);
      if (s !== undefined) o.sym = norm.map((i) => s[i]);
    }
  }
  return [o];
};

const gatherElements: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, req(ctx, 1).shape)];

const gatherND: ShapeRule = (ctx) => {
  const data = req(ctx, 0);
  const idx = req(ctx, 1);
  const b = attrInt(ctx.node, 'batch_dims', 0);
  if (data.shape === null || idx.shape === null) return [unknown(data.dtype, 'input rank unknown')];
  const last = idx.shape[idx.shape.length - 1];
  if (typeof last !== 'number') return [unknown(data.dtype, 'GatherND index depth unknown')];
  return [out(data.dtype, [...idx.shape.slice(0, -1), ...data.shape.slice(b + last)])];
};

const sameAsData: ShapeRule = (ctx) => [out(req(ctx, 0).dtype, req(ctx, 0).shape)];

const flatten: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown', [null, null])];
  const r = x.shape.length;
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += r;
  const o = out(x.dtype, [prodDims(x.shape.slice(0, axis)), prodDims(x.shape.slice(axis))]);
  const v = allValues(ctx, [0]);
  if (v !== undefined && o.shape!.every((d) => typeof d === 'number')) o.value = { ...v[0], dims: o.shape as number[] };
  return [o];
};

function axesArg(ctx: InferCtx, attrSince13 = true): { axes?: readonly number[]; known: boolean } {
  if (ctx.opset < 13 || !attrSince13) {
    const a = attrInts(ctx.node, 'axes');
    return { axes: a, known: true };
  }
  if (ctx.inputs[1] === undefined) return { axes: undefined, known: true };
  const v = intsFromInput(ctx, 1);
  return v === undefined ? { known: false } : { axes: v, known: true };
}

const squeeze: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const { axes, known } = axesArg(ctx);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  if (!known) return [unknown(x.dtype, 'Squeeze axes not constant')];
  const r = x.shape.length;
  let drop: number[];
  if (axes === undefined || axes.length === 0) {
    if (x.shape.some((d) => typeof d !== 'number')) return [unknown(x.dtype, 'Squeeze without axes on a symbolic shape')];
    drop = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  } else drop = axes.map((a) => normAxis(a, r));
  for (const a of drop) {
    const d = x.shape[a];
    if (typeof d === 'number' && d !== 1) throw new ShapeInferenceError(`Squeeze of axis ${a} with size ${d}`);
  }
  const shape = x.shape.filter((_, i) => !drop.includes(i));
  const o = out(x.dtype, shape);
  const v = allValues(ctx, [0]);
  if (v !== undefined) o.value = { ...v[0], dims: shape as number[] };
  else if (x.sym !== undefined && shape.length <= 1) o.sym = x.sym;
  return [o];
};

const unsqueeze: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const { axes, known } = axesArg(ctx);
  if (!known || axes === undefined) return [unknown(x.dtype, 'Unsqueeze axes not constant')];
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const r = x.shape.length + axes.length;
  const ax = axes.map((a) => normAxis(a, r));
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) shape.push(ax.includes(i) ? 1 : x.shape[k++]);
  const o = out(x.dtype, shape);
  const v = allValues(ctx, [0]);
  if (v !== undefined) o.value = { ...v[0], dims: shape as number[] };
  else if (x.sym !== undefined && shape.length <= 1) o.sym = x.sym;
  return [o];
};

const expand: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const target = shapeVector(ctx, 1);
  if (target === undefined) {
    const s = ctx.inputs[1]?.shape;
    const n = s && s.length === 1 && typeof s[0] === 'number' ? s[0] : null;
    return [unknown(x.dtype, 'Expand shape not constant', n === null || x.shape === null ? null : unknownDims(Math.max(n, x.shape.length)))];
  }
  const shape = broadcastShapes(x.shape, target);
  const o = out(x.dtype, shape);
  const v = allValues(ctx, [0]);
  if (v !== undefined && shape !== null && shape.every((d) => typeof d === 'number') && countOf(shape as number[]) <= MAX_FOLD_ELEMENTS) {
    const vv = broadcastTo(v[0], shape as number[]);
    if (vv !== null) o.value = vv;
  }
  return [o];
};

function broadcastTo(v: ConstValue, dims: readonly number[]): ConstValue | null {
  const zero = constValue(v.dtype, dims, new Array<number>(countOf(dims)).fill(0));
  const rank = dims.length;
  const off = rank - v.dims.length;
  const vals: number[] = [];
  const n = countOf(dims);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    let stride = 1;
    const coords: number[] = [];
    for (let ax = rank - 1; ax >= 0; ax--) {
      coords[ax] = rem % dims[ax];
      rem = Math.floor(rem / dims[ax]);
    }
    for (let ax = rank - 1; ax >= off; ax--) {
      const d = v.dims[ax - off];
      if (d !== 1) src += coords[ax] * stride;
      stride *= d;
    }
    vals.push(v.values[src]);
  }
  return { ...zero, values: vals };
}

const tile: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const reps = intsFromInput(ctx, 1);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  if (reps === undefined) return [unknown(x.dtype, 'Tile repeats not constant', x.shape.map(() => null))];
  return [out(x.dtype, x.shape.map((d, i) => mulDim(d, reps[i])))];
};

const constantOfShape: ShapeRule = (ctx) => {
  const a = ctx.node.attributes.get('value');
  let dtype: number = DataType.FLOAT;
  let fill = 0;
  if (a !== undefined && a.type === 'tensor') {
    dtype = a.value.dtype;
    const v = loadTensorValue(a.value, 1);
    if (v !== null && v.values.length > 0) fill = v.values[0];
  }
  const dims = shapeVector(ctx, 0);
  if (dims === undefined) {
    const s = ctx.inputs[0]?.shape;
    const n = s && s.length === 1 && typeof s[0] === 'number' ? s[0] : null;
    return [unknown(dtype, 'ConstantOfShape shape not constant', n === null ? null : unknownDims(n))];
  }
  const o = out(dtype, dims);
  if (dims.every((d) => typeof d === 'number') && countOf(dims as number[]) <= MAX_FOLD_ELEMENTS) {
    o.value = constValue(dtype, dims as number[], new Array<number>(countOf(dims as number[])).fill(fill));
  }
  return [o];
};

const range: ShapeRule = (ctx) => {
  const dtype = req(ctx, 0).dtype;
  const v = allValues(ctx, [0, 1, 2]);
  if (v === undefined) return [unknown(dtype, 'Range bounds not constant', [null])];
  const [start, limit, delta] = v.map((x) => x.values[0]);
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  const o = out(dtype, [n]);
  if (n <= MAX_FOLD_ELEMENTS) o.value = constValue(dtype, [n], Array.from({ length: n }, (_, i) => start + i * delta));
  return [o];
};

const pad: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const r = x.shape.length;
  let pads: readonly number[] | undefined;
  let axes: readonly number[] | undefined;
  if (ctx.opset < 11) pads = attrInts(ctx.node, 'pads') ?? attrInts(ctx.node, 'paddings');
  else {
    pads = intsFromInput(ctx, 1);
    if (ctx.inputs[3] !== undefined) {
      axes = intsFromInput(ctx, 3);
      if (axes === undefined) pads = undefined;
    }
  }
  if (pads === undefined) return [unknown(x.dtype, 'Pad pads not constant', x.shape.map(() => null))];
  const ax = (axes ?? Array.from({ length: r }, (_, i) => i)).map((a) => normAxis(a, r));
  const n = ax.length;
  if (pads.length !== 2 * n) throw new ShapeInferenceError(`Pad has ${pads.length} pads for ${n} axes`);
  const shape = [...x.shape];
  ax.forEach((a, k) => {
    const add = pads![k] + pads![k + n];
    const d = shape[a];
    shape[a] = d === null ? null : typeof d === 'number' ? d + add : add === 0 ? d : `(${d}${add >= 0 ? '+' : ''}${add})`;
  });
  return [out(x.dtype, shape)];
};

/** Resize/Upsample output dims from sizes or scales (floor(in × scale), as ORT and the spec). */
const resize: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
  const r = x.shape.length;
  const op = ctx.node.opType;
  let scales: readonly number[] | undefined;
  let sizes: readonly Dim[] | undefined;
  let scalesIdx = -1;
  let sizesIdx = -1;
  if (op === 'Upsample') {
    if (ctx.opset < 9) scales = attrFloats(ctx.node, 'scales');
    else scalesIdx = 1;
  } else if (ctx.opset < 11) scalesIdx = 1;
  else {
    scalesIdx = 2;
    sizesIdx = 3;
  }
  const hasInput = (i: number): boolean => {
    const f = ctx.inputs[i];
    if (f === undefined) return false;
    // An empty tensor stands for "not given" (opset 11–12 exporters pass an empty scales constant).
    return !(f.shape !== null && f.shape.length === 1 && f.shape[0] === 0);
  };
  if (sizesIdx >= 0 && hasInput(sizesIdx)) {
    sizes = shapeVector(ctx, sizesIdx);
    if (sizes === undefined) return [unknown(x.dtype, 'Resize sizes not constant', x.shape.map(() => null))];
  } else if (scalesIdx >= 0 && hasInput(scalesIdx)) {
    scales = intsOrFloats(ctx, scalesIdx);
    if (scales === undefined) return [unknown(x.dtype, 'Resize scales not constant', x.shape.map(() => null))];
  }
  const axes = (attrInts(ctx.node, 'axes') ?? Array.from({ length: r }, (_, i) => i)).map((a) => normAxis(a, r));
  const shape = [...x.shape];
  if (sizes !== undefined) {
    const policy = attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') {
      const inDims = axes.map((a) => x.shape![a]);
      if (!inDims.every((d) => typeof d === 'number') || !sizes.every((d) => typeof d === 'number')) {
        return [unknown(x.dtype, 'Resize aspect-ratio policy on symbolic dims', x.shape.map((d, i) => (axes.includes(i) ? null : d)))];
      }
      const ratios = axes.map((a, k) => (sizes![k] as number) / (x.shape![a] as number));
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        shape[a] = Math.round(s * (x.shape![a] as number));
      });
    } else axes.forEach((a, k) => (shape[a] = sizes![k]));
  } else if (scales !== undefined) {
    if (scales.length !== axes.length) throw new ShapeInferenceError(`Resize has ${scales.length} scales for ${axes.length} axes`);
    axes.forEach((a, k) => {
      const d = x.shape![a];
      const s = scales![k];
      shape[a] = typeof d === 'number' ? Math.floor(Math.fround(d * s)) : s === 1 ? d : Number.isInteger(s) ? mulDim(d, s) : null;
    });
  } else return [unknown(x.dtype, 'Resize has neither scales nor sizes', x.shape.map(() => null))];
  return [out(x.dtype, shape)];
};

function intsOrFloats(ctx: InferCtx, i: number): number[] | undefined {
  const v = ctx.value(i);
  return v === undefined ? undefined : [...v.values];
}

const depthToSpace: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const b = attrInt(ctx.node, 'blocksize', 1);
  if (x.shape === null || x.shape.length !== 4) return [unknown(x.dtype, 'DepthToSpace needs rank 4')];
  const [n, c, h, w] = x.shape;
  return [out(x.dtype, [n, divExact(c, b * b), mulDim(h, b), mulDim(w, b)])];
};

const spaceToDepth: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const b = attrInt(ctx.node, 'blocksize', 1);
  if (x.shape === null || x.shape.length !== 4) return [unknown(x.dtype, 'SpaceToDepth needs rank 4')];
  const [n, c, h, w] = x.shape;
  return [out(x.dtype, [n, mulDim(c, b * b), divExact(h, b), divExact(w, b)])];
};

const nonZero: ShapeRule = (ctx) => {
  const r = rankOf(req(ctx, 0));
  return [unknown(INT64, 'NonZero output size depends on the data', [r, null])];
};

function reduceRule(axesInputSince: number): ShapeRule {
  return (ctx) => {
    const x = req(ctx, 0);
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    const noop = attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1;
    let axes: readonly number[] | undefined;
    if (ctx.opset < axesInputSince) axes = attrInts(ctx.node, 'axes');
    else if (ctx.inputs[1] !== undefined) {
      axes = intsFromInput(ctx, 1);
      if (axes === undefined) {
        if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
        return [unknown(x.dtype, 'reduction axes not constant', keep ? x.shape.map(() => null) : null)];
      }
    }
    if (x.shape === null) return [unknown(x.dtype, 'input rank unknown')];
    const r = x.shape.length;
    if (axes === undefined || axes.length === 0) {
      if (noop && ctx.opset >= axesInputSince) return [out(x.dtype, x.shape)];
      axes = Array.from({ length: r }, (_, i) => i);
    }
    const ax = axes.map((a) => normAxis(a, r));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!ax.includes(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    const o = out(x.dtype, shape);
    const op = ctx.node.opType;
    if ((op === 'ReduceProd' || op === 'ReduceSum') && r === 1 && !keep) {
      const v = allValues(ctx, [0]);
      if (v !== undefined) {
        const total = op === 'ReduceProd' ? v[0].values.reduce((a, b) => a * b, 1) : v[0].values.reduce((a, b) => a + b, 0);
        o.value = constValue(x.dtype, [], [total]);
      } else if (op === 'ReduceProd' && x.sym !== undefined) o.sym = [prodDims(x.sym)];
    }
    return [o];
  };
}

function argRule(ctx: InferCtx): OutFact[] {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(INT64, 'input rank unknown')];
  const r = x.shape.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  const shape = keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  return [out(INT64, shape)];
}

const topK: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  if (x.shape === null) return [unknown(x.dtype, 'input rank unknown'), unknown(INT64, 'input rank unknown')];
  const r = x.shape.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), r);
  let k: Dim = null;
  if (ctx.opset < 10) k = attrInt(ctx.node, 'k') ?? null;
  else {
    const s = symOf(ctx, 1);
    if (s !== undefined && s.length === 1) k = s[0];
  }
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  const reason = k === null ? 'TopK k not constant' : undefined;
  const v: OutFact = { dtype: x.dtype, shape };
  const ix: OutFact = { dtype: INT64, shape };
  if (reason) {
    v.unknownReason = reason;
    ix.unknownReason = reason;
  }
  return [v, ix];
};

const oneHot: ShapeRule = (ctx) => {
  const idx = req(ctx, 0);
  const values = req(ctx, 2);
  const s = symOf(ctx, 1);
  const depth: Dim = s !== undefined && s.length === 1 ? s[0] : null;
  if (idx.shape === null) return [unknown(values.dtype, 'input rank unknown')];
  const r = idx.shape.length + 1;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), r);
  const shape = [...idx.shape];
  shape.splice(axis, 0, depth);
  return [out(values.dtype, shape)];
};

const constant: ShapeRule = (ctx) => {
  const n = ctx.node;
  for (const [name, a] of n.attributes) {
    if (a.type === 'ref') continue;
    if (a.type === 'tensor' || a.type === 'sparse_tensor') {
      const o = out(a.value.dtype, a.value.dims);
      const v = loadTensorValue(a.value);
      if (v !== null) o.value = v;
      return [o];
    }
    if (name === 'value_float') return [out(DataType.FLOAT, [], constValue(DataType.FLOAT, [], [a.value as number]))];
    if (name === 'value_int') return [out(INT64, [], constValue(INT64, [], [a.value as number]))];
    if (name === 'value_floats') {
      const xs = a.value as number[];
      return [out(DataType.FLOAT, [xs.length], constValue(DataType.FLOAT, [xs.length], xs))];
    }
    if (name === 'value_ints') {
      const xs = a.value as number[];
      return [out(INT64, [xs.length], constValue(INT64, [xs.length], xs))];
    }
    if (name === 'value_string') return [out(DataType.STRING, [])];
    if (name === 'value_strings') return [out(DataType.STRING, [(a.value as string[]).length])];
  }
  throw new ShapeInferenceError('Constant without a value attribute');
};

const trilu = sameAsData;

/** ai.onnx tensor/shape rules. */
export const TENSOR_RULES: Readonly<Record<string, ShapeRule>> = {
  Constant: constant,
  Shape: shapeOp,
  Size: sizeOp,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterND: sameAsData,
  ScatterElements: sameAsData,
  Scatter: sameAsData,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
  Range: range,
  Pad: pad,
  Resize: resize,
  Upsample: resize,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  NonZero: nonZero,
  Trilu: trilu,
  CumSum: sameAsData,
  ReverseSequence: sameAsData,
  TopK: topK,
  ArgMax: argRule,
  ArgMin: argRule,
  OneHot: oneHot,
  Softmax: sameAsData,
  LogSoftmax: sameAsData,
  Hardmax: sameAsData,
  ReduceSum: reduceRule(13),
  ReduceMean: reduceRule(18),
  ReduceMax: reduceRule(18),
  ReduceMin: reduceRule(18),
  ReduceProd: reduceRule(18),
  ReduceL1: reduceRule(18),
  ReduceL2: reduceRule(18),
  ReduceLogSum: reduceRule(18),
  ReduceLogSumExp: reduceRule(18),
  ReduceSumSquare: reduceRule(18),
};
