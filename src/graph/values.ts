/**
 * Small constant tensors folded during shape inference (the Shape → Gather → Concat → Reshape arithmetic
 * exporters emit). Values are plain JS numbers (int64 included: sizes never come near 2^53).
 */
import { DataType, type TensorRef } from '../onnx/types.js';
import { readTensorValues } from '../onnx/tensor-data.js';
import type { ConstValue } from './types.js';

/** Largest tensor (elements) that folding will decode or produce. Shape arithmetic stays far below this. */
export const MAX_FOLD_ELEMENTS = 4096;

const INT_TYPES: ReadonlySet<number> = new Set([
  DataType.INT8,
  DataType.UINT8,
  DataType.INT16,
  DataType.UINT16,
  DataType.INT32,
  DataType.UINT32,
  DataType.INT64,
  DataType.UINT64,
  DataType.INT4,
  DataType.UINT4,
]);
const FLOAT_TYPES: ReadonlySet<number> = new Set([
  DataType.FLOAT,
  DataType.DOUBLE,
  DataType.FLOAT16,
  DataType.BFLOAT16,
]);

/** True for integer dtypes (not bool). */
export function isIntDtype(dtype: number): boolean {
  return INT_TYPES.has(dtype);
}

/** True for float dtypes whose values we can fold (float, double, float16, bfloat16). */
export function isFloatDtype(dtype: number): boolean {
  return FLOAT_TYPES.has(dtype);
}

/** True when folding can represent this dtype's values as JS numbers. */
export function isFoldableDtype(dtype: number): boolean {
  return INT_TYPES.has(dtype) || FLOAT_TYPES.has(dtype) || dtype === DataType.BOOL;
}

/** Makes a ConstValue; `dims` of [] is a scalar. */
export function constValue(dtype: number, dims: readonly number[], values: readonly number[]): ConstValue {
  return { dtype, dims: [...dims], values: [...values] };
}

/** Converts a number to what `dtype` stores (truncation for ints, 0/1 for bool, fround for float). */
export function castNumber(x: number, dtype: number): number {
  if (dtype === DataType.BOOL) return x !== 0 && !Number.isNaN(x) ? 1 : 0;
  if (isIntDtype(dtype)) {
    if (!Number.isFinite(x)) return x > 0 ? Number.MAX_SAFE_INTEGER : x < 0 ? -Number.MAX_SAFE_INTEGER : 0;
    return Math.trunc(x);
  }
  if (dtype === DataType.FLOAT) return Math.fround(x);
  return x;
}

/**
 * Loads a constant tensor's values when it is numeric and at most `max` elements; null otherwise. Only the
 * bytes of that one tensor are read, so big weights are never touched.
 */
export function loadTensorValue(ref: TensorRef, max = MAX_FOLD_ELEMENTS): ConstValue | null {
  if (ref.sparse || ref.elementCount > max || !isFoldableDtype(ref.dtype)) return null;
  if (ref.elementCount === 0) return constValue(ref.dtype, ref.dims, []);
  let values: number[] | null;
  try {
    values = readTensorValues(ref, max);
  } catch {
    return null;
  }
  if (values === null || values.length !== ref.elementCount) return null;
  return constValue(ref.dtype, ref.dims, values);
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** Element count of numeric dims. */
export function countOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Numpy broadcast of numeric dims; null when they do not broadcast. */
export function broadcastNumeric(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else return null;
  }
  return out;
}

/** Index into a broadcast input for each output element. */
function broadcastIndex(outDims: readonly number[], inDims: readonly number[]): number[] {
  const n = countOf(outDims);
  const rank = outDims.length;
  const off = rank - inDims.length;
  const inStrides = stridesOf(inDims);
  const outStrides = stridesOf(outDims);
  const idx = new Array<number>(n);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    for (let ax = 0; ax < rank; ax++) {
      const coord = Math.floor(rem / outStrides[ax]);
      rem -= coord * outStrides[ax];
      if (ax >= off && inDims[ax - off] !== 1) src += coord * inStrides[ax - off];
    }
    idx[flat] = src;
  }
  return idx;
}

/** Elementwise n-ary op with numpy broadcasting; null when too big or not broadcastable. */
export function broadcastMap(
  inputs: readonly ConstValue[],
  outDtype: number,
  fn: (...xs: number[]) => number,
): ConstValue | null {
  let dims: number[] | null = [];
  for (const v of inputs) {
    dims = dims === null ? null : broadcastNumeric(dims, v.dims);
  }
  if (dims === null || countOf(dims) > MAX_FOLD_ELEMENTS) return null;
  const maps = inputs.map((v) => broadcastIndex(dims as number[], v.dims));
  const n = countOf(dims);
  const out = new Array<number>(n);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].values[maps[k][i]];
    out[i] = castNumber(fn(...args), outDtype);
  }
  return { dtype: outDtype, dims, values: out };
}

/** Gathers along `axis` with (already normalized, non-negative) indices of shape `indexDims`. */
export function gatherValues(
  data: ConstValue,
  axis: number,
  indices: readonly number[],
  indexDims: readonly number[],
): ConstValue | null {
  const outDims = [...data.dims.slice(0, axis), ...indexDims, ...data.dims.slice(axis + 1)];
  if (countOf(outDims) > MAX_FOLD_ELEMENTS) return null;
  const outer = countOf(data.dims.slice(0, axis));
  const inner = countOf(data.dims.slice(axis + 1));
  const axisLen = data.dims[axis];
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const ix of indices) {
      const base = (o * axisLen + ix) * inner;
      for (let i = 0; i < inner; i++) out.push(data.values[base + i]);
    }
  }
  return { dtype: data.dtype, dims: outDims, values: out };
}

/** Transposes a small value by `perm`. */
export function transposeValues(v: ConstValue, perm: readonly number[]): ConstValue {
  const outDims = perm.map((p) => v.dims[p]);
  const inStrides = stridesOf(v.dims);
  const outStrides = stridesOf(outDims);
  const n = v.values.length;
  const out = new Array<number>(n);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    for (let ax = 0; ax < outDims.length; ax++) {
      const c = Math.floor(rem / outStrides[ax]);
      rem -= c * outStrides[ax];
      src += c * inStrides[perm[ax]];
    }
    out[flat] = v.values[src];
  }
  return { dtype: v.dtype, dims: outDims, values: out };
}

/** Concatenates small values along `axis`. */
export function concatValues(parts: readonly ConstValue[], axis: number, dtype: number): ConstValue | null {
  const first = parts[0];
  const outDims = [...first.dims];
  outDims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
  if (countOf(outDims) > MAX_FOLD_ELEMENTS) return null;
  const outer = countOf(first.dims.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = p.dims[axis] * countOf(p.dims.slice(axis + 1));
      for (let i = 0; i < chunk; i++) out.push(p.values[o * chunk + i]);
    }
  }
  return { dtype, dims: outDims, values: out };
}

/** Slices a small value; starts/ends/steps already clamped per ONNX Slice semantics, one per axis. */
export function sliceValues(
  v: ConstValue,
  ranges: readonly { start: number; step: number; count: number }[],
): ConstValue | null {
  const outDims = ranges.map((r) => r.count);
  const n = countOf(outDims);
  if (n > MAX_FOLD_ELEMENTS) return null;
  const inStrides = stridesOf(v.dims);
  const outStrides = stridesOf(outDims);
  const out = new Array<number>(n);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    for (let ax = 0; ax < outDims.length; ax++) {
      const c = Math.floor(rem / outStrides[ax]);
      rem -= c * outStrides[ax];
      src += (ranges[ax].start + c * ranges[ax].step) * inStrides[ax];
    }
    out[flat] = v.values[src];
  }
  return { dtype: v.dtype, dims: outDims, values: out };
}
