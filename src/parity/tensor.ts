/**
 * Host-side tensors as parity moves them between runners, files and metrics. Typed the way
 * onnxruntime's JS API types tensors (a dtype string, a typed array, dims), so they convert to and
 * from `ort.Tensor` without copies.
 */
import { bytesPerElement, DataType } from '../onnx/types.js';

/** Element types parity handles (onnxruntime-node's own names). `float16` holds raw bits in a Uint16Array. */
export const TENSOR_DTYPES = [
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
] as const;
export type TensorDType = (typeof TENSOR_DTYPES)[number];

/** dtype → the typed array that stores it. */
export interface TypedArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}
export type AnyTypedArray = TypedArrayMap[TensorDType];

/** A dense tensor in host memory, C order. */
export interface HostTensor {
  readonly type: TensorDType;
  readonly dims: readonly number[];
  readonly data: AnyTypedArray;
}

/** Raised for an unsupported dtype; carries the dtype that was asked for. */
export class UnsupportedDTypeError extends TypeError {
  override readonly name = 'UnsupportedDTypeError';
  constructor(readonly dtype: string | number, context: string) {
    super(`${context}: element type ${String(dtype)} is not supported by parity runs`);
  }
}

export function isTensorDType(x: string): x is TensorDType {
  return (TENSOR_DTYPES as readonly string[]).includes(x);
}

const ONNX_TO_DTYPE: Readonly<Record<number, TensorDType>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.FLOAT16]: 'float16',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.INT16]: 'int16',
  [DataType.UINT16]: 'uint16',
  [DataType.INT32]: 'int32',
  [DataType.UINT32]: 'uint32',
  [DataType.INT64]: 'int64',
  [DataType.UINT64]: 'uint64',
  [DataType.BOOL]: 'bool',
};

/** ONNX `TensorProto.DataType` → parity dtype, or undefined when parity cannot carry it. */
export function dtypeFromOnnx(code: number): TensorDType | undefined {
  return ONNX_TO_DTYPE[code];
}

/** Parity dtype → ONNX `TensorProto.DataType`. */
export function onnxFromDtype(t: TensorDType): number {
  for (const [k, v] of Object.entries(ONNX_TO_DTYPE)) if (v === t) return Number(k);
  throw new UnsupportedDTypeError(t, 'onnxFromDtype');
}

/** Bytes per element (from the one ONNX dtype size table). */
export function dtypeSize(t: TensorDType): number {
  const per = bytesPerElement(onnxFromDtype(t));
  if (per === null) throw new UnsupportedDTypeError(t, 'dtypeSize');
  return per;
}

/** Allocates a zeroed typed array of `n` elements of `t`. */
export function allocTyped<T extends TensorDType>(t: T, n: number): TypedArrayMap[T] {
  return viewTyped(t, new ArrayBuffer(n * dtypeSize(t)), 0, n);
}

/** A typed-array view over bytes (which must be aligned for the element size). */
export function viewTyped<T extends TensorDType>(t: T, buf: ArrayBufferLike, byteOffset: number, n: number): TypedArrayMap[T] {
  const ctor: Record<TensorDType, new (b: ArrayBufferLike, o: number, n: number) => AnyTypedArray> = {
    float32: Float32Array,
    float64: Float64Array,
    float16: Uint16Array,
    int8: Int8Array,
    uint8: Uint8Array,
    int16: Int16Array,
    uint16: Uint16Array,
    int32: Int32Array,
    uint32: Uint32Array,
    int64: BigInt64Array,
    uint64: BigUint64Array,
    bool: Uint8Array,
  };
  return new ctor[t](buf, byteOffset, n) as TypedArrayMap[T];
}

/** Copies bytes (any alignment) into a fresh typed array of `t`. */
export function typedFromBytes<T extends TensorDType>(t: T, bytes: Uint8Array): TypedArrayMap[T] {
  const size = dtypeSize(t);
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${t} elements`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return viewTyped(t, copy.buffer, 0, bytes.byteLength / size);
}

/** The tensor's payload as bytes (little-endian, as every supported host is). */
export function tensorBytes(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Element count of dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** True when both tensors have the same dtype, dims and bytes. */
export function bitwiseEqual(a: HostTensor, b: HostTensor): boolean {
  if (a.type !== b.type || a.dims.length !== b.dims.length) return false;
  for (let i = 0; i < a.dims.length; i++) if (a.dims[i] !== b.dims[i]) return false;
  const x = tensorBytes(a);
  const y = tensorBytes(b);
  if (x.byteLength !== y.byteLength) return false;
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/** IEEE half → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Element i as a float64 (bool → 0/1, int64 → nearest double, float16 decoded). */
export function toFloat64Array(t: HostTensor): Float64Array {
  const n = t.data.length;
  const out = new Float64Array(n);
  if (t.type === 'float16') {
    const d = t.data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(d[i]!);
  } else if (t.type === 'int64' || t.type === 'uint64') {
    const d = t.data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) out[i] = Number(d[i]!);
  } else {
    const d = t.data as Exclude<AnyTypedArray, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) out[i] = d[i]!;
  }
  return out;
}
