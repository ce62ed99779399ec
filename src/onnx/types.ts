/**
 * The in-memory view of an ONNX model that every later stage (shape inference, rules, cost model,
 * parity) works on. It is built by `readModel` in `reader.ts` without materializing weight bytes:
 * tensors carry where their payload lives and load it on demand.
 */

/** A dimension: a fixed size, a symbolic name (`"batch"`), or `null` when nothing is known. */
export type Dim = number | string | null;

/** A shape: dimensions in order, or `null` when even the rank is unknown. */
export type Shape = readonly Dim[] | null;

/** ONNX `TensorProto.DataType` numbers (onnx.proto, including IR 9/10/11 additions). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
  UINT2: 25,
  INT2: 26,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** Where a tensor's payload bytes live. Nothing is read until `loadTensorBytes` asks for them. */
export type TensorPayload =
  /** `raw_data` inside the model file: absolute byte offset and length within that file. */
  | { readonly kind: 'raw'; readonly file: string; readonly offset: number; readonly length: number }
  /** A typed repeated field (`float_data`, `int64_data`, ...) inside the model file (packed or not). */
  | {
      readonly kind: 'typed';
      readonly file: string;
      readonly field: TypedDataField;
      /** Byte ranges of each occurrence of the field's payload (packed runs or single varints). */
      readonly ranges: readonly { readonly offset: number; readonly length: number; readonly packed: boolean }[];
    }
  /** External data file, resolved inside the model's folder. `length` null means "to end of file". */
  | { readonly kind: 'external'; readonly file: string; readonly offset: number; readonly length: number | null }
  /** Values already decoded (small tensors that came from attributes or Constant nodes). */
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  /** No payload at all (a zero-element tensor, or a string tensor we do not decode). */
  | { readonly kind: 'none' };

export type TypedDataField =
  | 'float_data'
  | 'int32_data'
  | 'string_data'
  | 'int64_data'
  | 'double_data'
  | 'uint64_data';

/** A tensor value: an initializer, a Constant node's value, or a tensor attribute. */
export interface TensorRef {
  readonly name: string;
  readonly dtype: number;
  readonly dims: readonly number[];
  /** Element count (product of dims; 1 for a scalar). */
  readonly elementCount: number;
  /** Bytes the tensor occupies in its own dtype (sub-byte types packed), or null for strings. */
  readonly byteLength: number | null;
  readonly payload: TensorPayload;
  /** True for a sparse initializer (`graph.sparse_initializer`). */
  readonly sparse?: boolean;
  /** For sparse tensors: number of stored non-zero values. */
  readonly sparseNnz?: number;
}

/** A value's declared type, as in `ValueInfoProto` (graph inputs, outputs, value_info). */
export interface ValueInfo {
  readonly name: string;
  /** `tensor`, or a non-tensor kind that onnxruntime-node cannot return (sequence, map, optional). */
  readonly kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
  /** Element dtype for tensors; 0 when unknown or not a tensor. */
  readonly dtype: number;
  readonly shape: Shape;
}

export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: TensorRef }
  | { readonly type: 'graph'; readonly value: OnnxGraph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly TensorRef[] }
  | { readonly type: 'graphs'; readonly value: readonly OnnxGraph[] }
  | { readonly type: 'sparse_tensor'; readonly value: TensorRef }
  | { readonly type: 'type_proto'; readonly value: ValueInfo }
  /** A reference to a function attribute (`ref_attr_name`) inside a model-local function body. */
  | { readonly type: 'ref'; readonly refAttrName: string };

export interface OnnxNode {
  /** Position in its graph's `node` list: the stable key, since ONNX names are optional and not unique. */
  readonly index: number;
  /** `name` as written, or "" when the node has none. */
  readonly name: string;
  readonly opType: string;
  /** "" for the default ONNX domain (`ai.onnx` is normalized to ""). */
  readonly domain: string;
  /** Input tensor names; "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  /** Output tensor names; "" marks an omitted optional output. */
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** IR 10 `overload` (NodeProto field 8): which overload of a model-local function this node calls. */
  readonly overload?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
  readonly initializers: ReadonlyMap<string, TensorRef>;
}

export interface OnnxFunction {
  readonly name: string;
  readonly domain: string;
  /** IR 10 `overload` (FunctionProto field 13), dropped by onnx-proto 8 and read here by field number. */
  readonly overload: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly string[];
  readonly nodes: readonly OnnxNode[];
  readonly opsetImports: ReadonlyMap<string, number>;
}

export interface OnnxModel {
  /** Path as given by the caller. */
  readonly path: string;
  /** Absolute folder that external data must stay inside. */
  readonly baseDir: string;
  readonly fileSize: number;
  readonly sha256: string;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** domain ("" for ai.onnx) → version. */
  readonly opsetImports: ReadonlyMap<string, number>;
  readonly metadata: ReadonlyMap<string, string>;
  readonly graph: OnnxGraph;
  readonly functions: readonly OnnxFunction[];
}

/** "" for the default (ONNX) operator set, whichever way it is written: absent, "" or `ai.onnx`. */
export function normalizeDomain(domain: string | undefined): string {
  return domain === undefined || domain === 'ai.onnx' ? '' : domain;
}

/** True for the default (ONNX) operator set, written "" or `ai.onnx`. */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The domain as users read it: `ai.onnx` for the default operator set. */
export function domainLabel(domain: string): string {
  return domain || 'ai.onnx';
}

/** Bytes per element for fixed-width dtypes; sub-byte types return fractions; null for strings/unknown. */
export function bytesPerElement(dtype: number): number | null {
  switch (dtype) {
    case DataType.FLOAT:
    case DataType.INT32:
    case DataType.UINT32:
      return 4;
    case DataType.UINT8:
    case DataType.INT8:
    case DataType.BOOL:
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return 1;
    case DataType.UINT16:
    case DataType.INT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return 2;
    case DataType.INT64:
    case DataType.UINT64:
    case DataType.DOUBLE:
    case DataType.COMPLEX64:
      return 8;
    case DataType.COMPLEX128:
      return 16;
    case DataType.UINT4:
    case DataType.INT4:
    case DataType.FLOAT4E2M1:
      return 0.5;
    case DataType.UINT2:
    case DataType.INT2:
      return 0.25;
    default:
      return null;
  }
}

const DTYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

/** Lower-case dtype name (`float`, `int8`, `float8e4m3fn`, ...), or `dtype(N)` for unknown codes. */
export function dtypeName(dtype: number): string {
  return DTYPE_NAMES[dtype] ?? `dtype(${dtype})`;
}

/** Bytes for `count` elements of `dtype`, rounding sub-byte packing up; null when not fixed width. */
export function byteSize(dtype: number, count: number): number | null {
  const per = bytesPerElement(dtype);
  if (per === null) return null;
  return Math.ceil(per * count);
}
