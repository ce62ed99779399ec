/**
 * A byte-preserving view of an ONNX model for parity's model edits. Messages are located on the wire
 * and copied as raw bytes, so fields that onnx-proto 8 (protobufjs) does not know (IR 9+ additions such
 * as `NodeProto.overload`, `FunctionProto.value_info`, `metadata_props`) survive every edit. protobufjs
 * is only used to *decode* small messages (nodes, value infos, tensor headers) and to *encode* new
 * ones that we build ourselves.
 */
import { existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import { normalizeDomain, type OnnxNode, type ValueInfo } from '../onnx/types.js';
import { MemoryBytes, plainBytes, ProtoReader, WireType } from '../onnx/wire.js';

const { onnx } = onnxProto;

/** A model that parity cannot edit. Names the file, the reason, and where in the model it is. */
export class ModelEditError extends Error {
  override readonly name = 'ModelEditError';
  constructor(readonly file: string, readonly reason: string, options?: { cause?: unknown; fieldPath?: string }) {
    super(`${file}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.fieldPath = options?.fieldPath;
  }
  readonly fieldPath?: string;
}

/** One field found on the wire: the tag starts at `start`; for LEN fields the payload is [valueStart, end). */
export interface WireEntry {
  readonly field: number;
  readonly wireType: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
  readonly varint: bigint;
}

/** The fields of the message in [start, end), read by the model reader's wire scanner (onnx/wire.ts). */
export function scanFields(buf: Uint8Array, start: number, end: number): WireEntry[] {
  const out: WireEntry[] = [];
  for (const f of new ProtoReader(new MemoryBytes(buf)).fields(start, end)) {
    const varint =
      f.wireType === WireType.VARINT ? f.bigVarint ?? BigInt(f.varint) : f.wireType === WireType.LEN ? BigInt(f.length) : 0n;
    out.push({ field: f.field, wireType: f.wireType, start: f.tagOffset, valueStart: f.offset, end: f.offset + f.length, varint });
  }
  return out;
}

/** The raw (unsigned) varints of a packed field's payload [start, end). */
function packedVarints(buf: Uint8Array, start: number, end: number): bigint[] {
  const reader = new ProtoReader(new MemoryBytes(buf));
  const out: bigint[] = [];
  for (let p = start; p < end; ) {
    const [v, next] = reader.varint(p, end, false);
    out.push(v);
    p = next;
  }
  return out;
}

function varintBytes(v: number | bigint): number[] {
  let x = BigInt(v);
  if (x < 0n) x = BigInt.asUintN(64, x);
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}

/** A LEN-delimited field: tag, length, payload. */
export function lenField(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varintBytes((field << 3) | 2), ...varintBytes(payload.byteLength)];
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A VARINT field. */
export function varintField(field: number, value: number | bigint): Uint8Array {
  return Uint8Array.from([...varintBytes(field << 3), ...varintBytes(value)]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A graph node as parity sees it: the shared `OnnxNode` shape plus its raw NodeProto bytes. */
export interface ProtoNode extends Omit<OnnxNode, 'attributes'> {
  /** The whole NodeProto entry (tag included), copied verbatim into derived models. */
  readonly raw: Uint8Array;
  /** Scalar attributes only (int, float, string); enough for quantization axis and the like. */
  readonly attributes: ReadonlyMap<string, number | string | readonly number[]>;
  /** The node has graph attributes (If/Loop/Scan bodies), which may read outer-scope tensors. */
  readonly hasSubgraph: boolean;
}

/** An initializer's header; its payload stays in the model bytes. */
export interface ProtoInitializer {
  readonly name: string;
  readonly dtype: number;
  readonly dims: readonly number[];
  /** The whole TensorProto entry (tag included). */
  readonly raw: Uint8Array;
  /** External data file (relative to the model folder), or null when the data is inline. */
  readonly externalLocation: string | null;
  /** A `sparse_initializer` (its raw entry is graph field 15). */
  readonly sparse?: boolean;
}

/** The parsed model. */
export interface ProtoModel {
  readonly file: string;
  readonly baseDir: string;
  readonly bytes: Uint8Array;
  readonly topFields: readonly WireEntry[];
  readonly graphFields: readonly WireEntry[];
  readonly nodes: readonly ProtoNode[];
  readonly initializers: ReadonlyMap<string, ProtoInitializer>;
  /** Graph inputs that are not initializers: what a caller must feed. */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** value_info, inputs and outputs by name. */
  readonly valueInfo: ReadonlyMap<string, ValueInfo>;
  readonly opsetImports: ReadonlyMap<string, number>;
  readonly irVersion: number;
}

function longToNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

/** ValueInfoProto (decoded by protobufjs) → the shared `ValueInfo` shape. */
function toValueInfo(v: InstanceType<typeof onnx.ValueInfoProto>): ValueInfo {
  const t = v.type;
  if (!t) return { name: v.name, kind: 'unknown', dtype: 0, shape: null };
  if (t.tensorType) {
    const shape = t.tensorType.shape
      ? (t.tensorType.shape.dim ?? []).map((d) =>
          d.dimParam ? d.dimParam : Object.prototype.hasOwnProperty.call(d, 'dimValue') ? longToNumber(d.dimValue) : null,
        )
      : null;
    return { name: v.name, kind: 'tensor', dtype: t.tensorType.elemType ?? 0, shape };
  }
  if (t.sequenceType) return { name: v.name, kind: 'sequence', dtype: 0, shape: null };
  if (t.mapType) return { name: v.name, kind: 'map', dtype: 0, shape: null };
  if (t.optionalType) return { name: v.name, kind: 'optional', dtype: 0, shape: null };
  if (t.sparseTensorType) return { name: v.name, kind: 'sparse_tensor', dtype: t.sparseTensorType.elemType ?? 0, shape: null };
  return { name: v.name, kind: 'unknown', dtype: 0, shape: null };
}

/** Parses model bytes. `file` is the model's path (its folder anchors external data). */
export function parseProtoModel(bytes: Uint8Array, file: string): ProtoModel {
  const fail = (reason: string, cause?: unknown, fieldPath?: string): never => {
    throw new ModelEditError(file, reason, { cause, fieldPath });
  };
  let topFields: WireEntry[] = [];
  try {
    topFields = scanFields(bytes, 0, bytes.byteLength);
  } catch (cause) {
    fail('not a valid ONNX protobuf', cause);
  }
  const graphs = topFields.filter((f) => f.field === 7 && f.wireType === 2);
  if (graphs.length !== 1) fail(graphs.length === 0 ? 'the model has no graph' : 'the model has several graph fields');
  const g = graphs[0]!;
  let graphFields: WireEntry[] = [];
  try {
    graphFields = scanFields(bytes, g.valueStart, g.end);
  } catch (cause) {
    fail('the graph is not valid protobuf', cause, 'graph');
  }
  let irVersion = 0;
  const opsetImports = new Map<string, number>();
  for (const f of topFields) {
    if (f.field === 1 && f.wireType === 0) irVersion = Number(f.varint);
    if (f.field === 8 && f.wireType === 2) {
      const o = onnx.OperatorSetIdProto.decode(bytes.subarray(f.valueStart, f.end));
      const d = normalizeDomain(o.domain ?? '');
      opsetImports.set(d, longToNumber(o.version));
    }
  }
  const nodes: ProtoNode[] = [];
  const initializers = new Map<string, ProtoInitializer>();
  const declaredInputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const valueInfo = new Map<string, ValueInfo>();
  let ni = 0;
  let ii = 0;
  for (const f of graphFields) {
    if (f.wireType !== 2) continue;
    const sub = bytes.subarray(f.valueStart, f.end);
    const raw = bytes.subarray(f.start, f.end);
    try {
      if (f.field === 1) {
        const n = onnx.NodeProto.decode(sub);
        const attributes = new Map<string, number | string | readonly number[]>();
        let hasSubgraph = false;
        for (const a of n.attribute) {
          const an = a.name ?? '';
          if (a.g || (a.graphs && a.graphs.length > 0)) hasSubgraph = true;
          else if (a.type === onnx.AttributeProto.AttributeType.INT) attributes.set(an, longToNumber(a.i));
          else if (a.type === onnx.AttributeProto.AttributeType.FLOAT) attributes.set(an, a.f ?? 0);
          else if (a.type === onnx.AttributeProto.AttributeType.STRING) attributes.set(an, Buffer.from(a.s ?? new Uint8Array()).toString('utf8'));
          else if (a.type === onnx.AttributeProto.AttributeType.INTS) attributes.set(an, (a.ints ?? []).map(longToNumber));
        }
        nodes.push({
          index: ni,
          name: n.name ?? '',
          opType: n.opType ?? '',
          domain: normalizeDomain(n.domain ?? ''),
          inputs: n.input,
          outputs: n.output,
          attributes,
          hasSubgraph,
          raw,
        });
        ni++;
      } else if (f.field === 5) {
        // Decode the header only: drop the payload bytes from what protobufjs sees is not possible
        // without re-scanning, so scan the TensorProto fields ourselves.
        let name = '';
        let dtype = 0;
        const dims: number[] = [];
        let external = false;
        let location: string | null = null;
        for (const t of scanFields(bytes, f.valueStart, f.end)) {
          if (t.field === 8 && t.wireType === 2) name = Buffer.from(bytes.subarray(t.valueStart, t.end)).toString('utf8');
          else if (t.field === 2 && t.wireType === 0) dtype = Number(t.varint);
          else if (t.field === 1 && t.wireType === 0) dims.push(Number(BigInt.asIntN(64, t.varint)));
          else if (t.field === 1 && t.wireType === 2) {
            for (const v of packedVarints(bytes, t.valueStart, t.end)) dims.push(Number(BigInt.asIntN(64, v)));
          } else if (t.field === 14 && t.wireType === 0) external = t.varint === 1n;
          else if (t.field === 13 && t.wireType === 2) {
            const kv = onnx.StringStringEntryProto.decode(bytes.subarray(t.valueStart, t.end));
            if (kv.key === 'location') location = kv.value;
          }
        }
        initializers.set(name, { name, dtype, dims, raw, externalLocation: external ? location : null });
        ii++;
      } else if (f.field === 15) {
        // SparseTensorProto: values (1) carries the name and dtype; dims (3) the dense shape.
        let name = '';
        let dtype = 0;
        const dims: number[] = [];
        for (const t of scanFields(bytes, f.valueStart, f.end)) {
          if (t.field === 1 && t.wireType === 2) {
            for (const v of scanFields(bytes, t.valueStart, t.end)) {
              if (v.field === 8 && v.wireType === 2) name = Buffer.from(bytes.subarray(v.valueStart, v.end)).toString('utf8');
              else if (v.field === 2 && v.wireType === 0) dtype = Number(v.varint);
            }
          } else if (t.field === 3 && t.wireType === 0) dims.push(Number(t.varint));
          else if (t.field === 3 && t.wireType === 2) {
            for (const v of packedVarints(bytes, t.valueStart, t.end)) dims.push(Number(v));
          }
        }
        initializers.set(name, { name, dtype, dims, raw, externalLocation: null, sparse: true });
      } else if (f.field === 11) {
        declaredInputs.push(toValueInfo(onnx.ValueInfoProto.decode(sub)));
      } else if (f.field === 12) {
        const v = toValueInfo(onnx.ValueInfoProto.decode(sub));
        outputs.push(v);
      } else if (f.field === 13) {
        const v = toValueInfo(onnx.ValueInfoProto.decode(sub));
        valueInfo.set(v.name, v);
      }
    } catch (cause) {
      const what = f.field === 1 ? `graph.node[${ni}]` : f.field === 5 ? `graph.initializer[${ii}]` : `graph field ${f.field}`;
      fail(`cannot decode ${what}`, cause, what);
    }
  }
  for (const v of [...declaredInputs, ...outputs]) valueInfo.set(v.name, v);
  const inputs = declaredInputs.filter((v) => !initializers.has(v.name));
  return {
    file,
    baseDir: resolve(dirname(file)),
    bytes,
    topFields,
    graphFields,
    nodes,
    initializers,
    inputs,
    outputs,
    valueInfo,
    opsetImports,
    irVersion,
  };
}

/** Reads and parses a model file. */
export function readProtoModel(file: string): ProtoModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new ModelEditError(file, 'cannot read the model file', { cause });
  }
  return parseProtoModel(plainBytes(bytes), file);
}

/** Encodes a ValueInfoProto; a tensor type is written when dtype is known, shape only when given. */
export function encodeValueInfo(name: string, dtype: number, dims?: readonly (number | string | null)[] | null): Uint8Array {
  const msg: Record<string, unknown> = { name };
  if (dtype > 0) {
    const tensorType: Record<string, unknown> = { elemType: dtype };
    if (dims) {
      tensorType['shape'] = {
        dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
      };
    }
    msg['type'] = { tensorType };
  }
  return onnx.ValueInfoProto.encode(onnx.ValueInfoProto.fromObject(msg)).finish();
}

/** An output to add: its name and, when known, its declared type. */
export interface OutputSpec {
  readonly name: string;
  readonly dtype?: number;
}

/**
 * The model with extra graph outputs appended (existing outputs kept, duplicates skipped). Everything
 * else is copied byte for byte. Outputs are written without a shape: shapes from value_info may be
 * stale, and ORT infers them.
 */
export function withExtraOutputs(model: ProtoModel, extra: readonly OutputSpec[]): Uint8Array {
  const have = new Set(model.outputs.map((o) => o.name));
  const added: Uint8Array[] = [];
  for (const o of extra) {
    if (o.name === '' || have.has(o.name)) continue;
    have.add(o.name);
    const vi = model.valueInfo.get(o.name);
    const dtype = o.dtype ?? (vi?.kind === 'tensor' ? vi.dtype : 0);
    added.push(lenField(12, encodeValueInfo(o.name, dtype, null)));
  }
  const b = model.bytes;
  const g = model.topFields.find((f) => f.field === 7)!;
  const graphPayload = concatBytes([b.subarray(g.valueStart, g.end), ...added]);
  return concatBytes(
    model.topFields.map((f) => (f === g ? lenField(7, graphPayload) : b.subarray(f.start, f.end))),
  );
}

/** A graph input of a derived model: a name and the tensor type that will be fed. */
export interface InputSpec {
  readonly name: string;
  readonly dtype: number;
  readonly dims: readonly number[];
}

/** What a derived model holds. Nodes are written in the order given (callers pass topological order). */
export interface SubmodelSpec {
  readonly nodes: readonly number[];
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly OutputSpec[];
  readonly graphName?: string;
}

/**
 * A model made of some of this model's nodes (for kernel isolation). Node, initializer, opset and
 * function bytes are copied verbatim; initializers are those the chosen nodes read. Top-level fields
 * other than the graph (ir_version, opset_import, functions, metadata) are kept.
 */
export function extractSubmodel(model: ProtoModel, spec: SubmodelSpec): Uint8Array {
  const b = model.bytes;
  const parts: Uint8Array[] = [];
  const used = new Set<string>();
  const fed = new Set(spec.inputs.map((i) => i.name));
  for (const idx of spec.nodes) {
    const n = model.nodes[idx];
    if (!n) throw new RangeError(`node index ${idx} outside 0..${model.nodes.length - 1}`);
    parts.push(n.raw);
    for (const i of n.inputs) if (i !== '' && !fed.has(i) && model.initializers.has(i)) used.add(i);
  }
  parts.push(lenField(2, new TextEncoder().encode(spec.graphName ?? 'edgegate_isolated')));
  for (const name of used) parts.push(model.initializers.get(name)!.raw);
  for (const i of spec.inputs) parts.push(lenField(11, encodeValueInfo(i.name, i.dtype, i.dims)));
  for (const o of spec.outputs) {
    const vi = model.valueInfo.get(o.name);
    parts.push(lenField(12, encodeValueInfo(o.name, o.dtype ?? (vi?.kind === 'tensor' ? vi.dtype : 0), null)));
  }
  const graphPayload = concatBytes(parts);
  let wroteGraph = false;
  const top: Uint8Array[] = [];
  for (const f of model.topFields) {
    if (f.field === 7) {
      if (!wroteGraph) top.push(lenField(7, graphPayload));
      wroteGraph = true;
    } else {
      top.push(b.subarray(f.start, f.end));
    }
  }
  return concatBytes(top);
}

/**
 * The model with one float initializer multiplied by `factor` (fault injection for tests and the
 * localization bench). Supports float32 `raw_data` and `float_data`.
 */
export function withScaledInitializer(model: ProtoModel, name: string, factor: number): Uint8Array {
  const init = model.initializers.get(name);
  if (!init) throw new ModelEditError(model.file, `no initializer named '${name}'`);
  if (init.dtype !== 1 || init.sparse) throw new ModelEditError(model.file, `initializer '${name}' is not a dense float32 tensor`);
  if (init.externalLocation !== null) throw new ModelEditError(model.file, `initializer '${name}' has external data`);
  const t = onnx.TensorProto.decode(init.raw.subarray(scanFields(init.raw, 0, init.raw.byteLength)[0]!.valueStart));
  if (t.rawData && t.rawData.byteLength > 0) {
    const copy = new Uint8Array(t.rawData);
    const f = new Float32Array(copy.buffer, 0, copy.byteLength / 4);
    for (let i = 0; i < f.length; i++) f[i] = f[i]! * factor;
    t.rawData = copy;
  } else {
    t.floatData = t.floatData.map((v) => v * factor);
  }
  const newEntry = lenField(5, onnx.TensorProto.encode(t).finish());
  return replaceGraphEntry(model, init.raw, newEntry);
}

function replaceGraphEntry(model: ProtoModel, oldRaw: Uint8Array, replacement: Uint8Array): Uint8Array {
  const b = model.bytes;
  const g = model.topFields.find((f) => f.field === 7)!;
  const parts = model.graphFields.map((f) =>
    b.subarray(f.start, f.end).byteOffset === oldRaw.byteOffset ? replacement : b.subarray(f.start, f.end),
  );
  const graphPayload = concatBytes(parts);
  return concatBytes(model.topFields.map((f) => (f === g ? lenField(7, graphPayload) : b.subarray(f.start, f.end))));
}

/**
 * Makes the external data files of `model` reachable from `workDir` at the same relative locations
 * (hard link, else copy), so an edited model written there loads. Locations must be relative and
 * stay inside the model's folder; anything else is refused.
 */
export function linkExternalData(model: ProtoModel, workDir: string): void {
  const seen = new Set<string>();
  for (const init of model.initializers.values()) {
    const loc = init.externalLocation;
    if (loc === null || seen.has(loc)) continue;
    seen.add(loc);
    if (isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) {
      throw new ModelEditError(model.file, `external data location '${loc}' of '${init.name}' leaves the model folder`);
    }
    const src = resolve(model.baseDir, loc);
    if (!existsSync(src)) throw new ModelEditError(model.file, `external data file '${loc}' of '${init.name}' is missing`);
    const real = realpathSync(src);
    const base = realpathSync(model.baseDir);
    const rel = relative(base, real);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new ModelEditError(model.file, `external data file '${loc}' resolves outside the model folder`);
    }
    const dst = join(workDir, loc);
    if (existsSync(dst)) continue;
    mkdirSync(dirname(dst), { recursive: true });
    try {
      linkSync(real, dst);
    } catch {
      copyFileSync(real, dst);
    }
  }
}
