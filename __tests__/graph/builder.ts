/**
 * Hand-built OnnxModel objects for graph tests: inputs, inline initializers, nodes with shorthand
 * attributes, subgraphs and model-local functions. No file on disk is needed.
 */
import {
  type AttributeValue,
  byteSize,
  DataType,
  type Dim,
  type OnnxFunction,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type TensorRef,
  type ValueInfo,
} from '../../src/onnx/types.js';

export const F32 = DataType.FLOAT;
export const I64 = DataType.INT64;
export const I32 = DataType.INT32;
export const U8 = DataType.UINT8;
export const I8 = DataType.INT8;
export const BOOL = DataType.BOOL;

/** Shorthand attribute values: number → int, number[] → ints, string → string, graph → graph. */
export type AttrShort = AttributeValue | number | readonly number[] | string | OnnxGraph;

/** A float attribute. */
export const f = (value: number): AttributeValue => ({ type: 'float', value });
/** A floats attribute. */
export const fs = (value: readonly number[]): AttributeValue => ({ type: 'floats', value });

function toAttr(v: AttrShort): AttributeValue {
  if (typeof v === 'number') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) return { type: 'ints', value: v as number[] };
  if (typeof v === 'object' && v !== null && 'nodes' in v) return { type: 'graph', value: v as OnnxGraph };
  return v as AttributeValue;
}

/** Little-endian bytes of `values` in `dtype`. */
export function encode(dtype: number, values: readonly number[]): Uint8Array {
  const n = values.length;
  switch (dtype) {
    case DataType.FLOAT:
      return new Uint8Array(new Float32Array(values).buffer);
    case DataType.DOUBLE:
      return new Uint8Array(new Float64Array(values).buffer);
    case DataType.INT64:
      // INT64_MAX arrives as 2^63 in a JS number; clamp it back like the exporters wrote it.
      return new Uint8Array(new BigInt64Array(values.map((v) => (v >= 2 ** 63 ? 2n ** 63n - 1n : BigInt(v)))).buffer);
    case DataType.INT32:
      return new Uint8Array(new Int32Array(values).buffer);
    case DataType.INT8:
      return new Uint8Array(new Int8Array(values).buffer);
    case DataType.UINT8:
    case DataType.BOOL:
      return new Uint8Array(values);
    default:
      return new Uint8Array(Math.ceil((byteSize(dtype, n) ?? 0)));
  }
}

/** An inline tensor; `values` defaults to zeros (its bytes are never needed for big weights). */
export function tensor(name: string, dtype: number, dims: readonly number[], values?: readonly number[]): TensorRef {
  const count = dims.reduce((a, b) => a * b, 1);
  const vals = values ?? new Array<number>(count).fill(0);
  if (vals.length !== count) throw new Error(`tensor ${name}: ${vals.length} values for dims ${dims}`);
  return {
    name,
    dtype,
    dims: [...dims],
    elementCount: count,
    byteLength: byteSize(dtype, count),
    payload: { kind: 'inline', bytes: encode(dtype, vals) },
  };
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly valueInfo: ValueInfo[] = [];
  readonly initializers = new Map<string, TensorRef>();
  constructor(readonly name = 'g') {}

  input(name: string, dtype: number, shape: readonly Dim[] | null): this {
    this.inputs.push({ name, kind: 'tensor', dtype, shape });
    return this;
  }

  output(name: string, dtype = 0, shape: readonly Dim[] | null = null): this {
    this.outputs.push({ name, kind: 'tensor', dtype, shape });
    return this;
  }

  info(name: string, dtype: number, shape: readonly Dim[] | null): this {
    this.valueInfo.push({ name, kind: 'tensor', dtype, shape });
    return this;
  }

  init(name: string, dtype: number, dims: readonly number[], values?: readonly number[]): this {
    this.initializers.set(name, tensor(name, dtype, dims, values));
    return this;
  }

  /** Adds a Constant node producing `name`. */
  constant(name: string, dtype: number, dims: readonly number[], values: readonly number[]): this {
    return this.node('Constant', [], [name], { value: { type: 'tensor', value: tensor(name, dtype, dims, values) } });
  }

  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Record<string, AttrShort> = {},
    opts: { domain?: string; name?: string } = {},
  ): this {
    this.nodes.push({
      index: this.nodes.length,
      name: opts.name ?? '',
      opType,
      domain: opts.domain ?? '',
      inputs: [...inputs],
      outputs: [...outputs],
      attributes: new Map(Object.entries(attrs).map(([k, v]) => [k, toAttr(v)])),
    });
    return this;
  }

  graph(): OnnxGraph {
    return {
      name: this.name,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      valueInfo: this.valueInfo,
      initializers: this.initializers,
    };
  }

  model(opts: { opset?: number; opsets?: Record<string, number>; functions?: OnnxFunction[] } = {}): OnnxModel {
    const opsets = new Map<string, number>([['', opts.opset ?? 17], ...Object.entries(opts.opsets ?? {})]);
    return {
      path: 'test.onnx',
      baseDir: '/tmp',
      fileSize: 0,
      sha256: '',
      irVersion: 8,
      producerName: 'test',
      producerVersion: '',
      opsetImports: opsets,
      metadata: new Map(),
      graph: this.graph(),
      functions: opts.functions ?? [],
    };
  }
}
