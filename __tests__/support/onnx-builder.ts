/**
 * Builds small ONNX files with onnx-proto for tests: valid graphs and deliberately broken ones
 * (cycles, duplicate producers, missing opset domains, external data that escapes its folder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[] | string | Float32Array>;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  /** Float values (FLOAT) unless dtype says otherwise. */
  values?: number[];
  dtype?: number;
  /** Store the payload in an external file (relative `location`), with optional explicit offset/length. */
  external?: { location: string; offset?: number; length?: number; /** false: do not write the payload file. */ write?: boolean };
}

export interface ModelSpec {
  nodes: NodeSpec[];
  inputs?: { name: string; dims: (number | string)[]; dtype?: number }[];
  outputs?: { name: string; dims?: (number | string)[]; dtype?: number }[];
  initializers?: TensorSpec[];
  opsets?: { domain: string; version: number }[];
  irVersion?: number;
}

function attr(name: string, v: number | number[] | string | Float32Array): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (v instanceof Float32Array) return { name, type: T.FLOATS, floats: [...v] };
  return { name, type: T.INTS, ints: v };
}

function valueInfo(name: string, dims: (number | string)[] | undefined, dtype = 1): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dtype,
        shape: dims === undefined ? undefined : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * raw_data of `values` in `dtype`: exactly dims × element size, as the reader requires. 4-byte types are
 * written as float32 bits whatever their dtype (the rule tables were written against that encoding).
 */
function rawBytes(dtype: number, values: readonly number[]): Buffer {
  switch (dtype) {
    case 7:
      return Buffer.from(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    case 2:
    case 3:
    case 9:
      return Buffer.from(Int8Array.from(values).buffer);
    case 4:
    case 5:
      return Buffer.from(Int16Array.from(values).buffer);
    default:
      return Buffer.from(new Float32Array(values).buffer);
  }
}

/** Encodes a model; returns the bytes, and writes external payload files beside `path` when given. */
export function buildModel(spec: ModelSpec, path?: string): Uint8Array {
  const initializers = (spec.initializers ?? []).map((t) => {
    const dtype = t.dtype ?? 1;
    const values = t.values ?? new Array(t.dims.reduce((a, b) => a * b, 1)).fill(0);
    const raw = rawBytes(dtype, values);
    if (t.external) {
      if (path && t.external.write !== false) {
        const file = `${dirname(path)}/${t.external.location}`;
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, raw);
      }
      const entries = [{ key: 'location', value: t.external.location }];
      if (t.external.offset !== undefined) entries.push({ key: 'offset', value: String(t.external.offset) });
      entries.push({ key: 'length', value: String(t.external.length ?? raw.length) });
      return { name: t.name, dims: t.dims, dataType: dtype, dataLocation: 1, externalData: entries };
    }
    return { name: t.name, dims: t.dims, dataType: dtype, rawData: raw };
  });
  const model = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? 8,
    producerName: 'edgegate-tests',
    opsetImport: spec.opsets ?? [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)),
      })),
      input: (spec.inputs ?? []).map((i) => valueInfo(i.name, i.dims, i.dtype)),
      output: (spec.outputs ?? []).map((o) => valueInfo(o.name, o.dims, o.dtype)),
      initializer: initializers,
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  if (path) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return bytes;
}

/** A small valid conv → relu → gemm model used as the base of the bad-input table. */
export function smallConvModel(): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: [1, 2, 8, 8] }],
    outputs: [{ name: 'y' }],
    initializers: [
      { name: 'w', dims: [4, 2, 3, 3], values: Array.from({ length: 72 }, (_, i) => (i % 7) / 10) },
      { name: 'b', dims: [4], values: [0.1, 0.2, 0.3, 0.4] },
      { name: 'shape', dims: [2], dtype: 7, values: [1, -1] },
      { name: 'fc', dims: [144, 3], values: Array.from({ length: 432 }, (_, i) => (i % 5) / 10) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [0, 0, 0, 0] } },
      { op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'fc'], outputs: ['y'] },
    ],
  };
}
