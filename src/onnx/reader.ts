/**
 * Reads an ONNX model file into the `OnnxModel` view without materializing weights.
 *
 * The container messages (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, FunctionProto)
 * are walked field by field with the streaming reader in wire.ts, so tensor payloads are recorded by
 * offset and skipped. Small self-contained messages (ValueInfoProto with its TypeProto) are decoded with
 * onnx-proto. Fields that onnx-proto 8 (onnx 1.10.2) does not know, such as the IR 10 `overload` fields,
 * are read here by field number.
 */
import { closeSync, existsSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import { openRegularFile, RegularFileError } from '../io/regular-file.js';
import { MODEL_MAX_ELEMENTS, MODEL_MAX_NODES, MODEL_MAX_RANK, MODEL_MAX_SUBGRAPH_DEPTH } from '../limits.js';
import { ModelReadError } from './errors.js';
import { sha256File } from './hash.js';
import { ProtoReader, WindowedFile, WireError, WireType, plainBytes, type WireField } from './wire.js';
import { makeInterner } from '../util/intern.js';
import {
  byteSize,
  domainLabel,
  dtypeName,
  normalizeDomain,
  type AttributeValue,
  type OnnxFunction,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type Shape,
  type TensorPayload,
  type TensorRef,
  type TypedDataField,
  type ValueInfo,
} from './types.js';

const { onnx } = onnxProto;

/** Protobuf refuses messages of 2 GiB and more; ONNX models past that must use external data. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

export interface ReadModelOptions {
  /** Window of the streaming reader in bytes (default 64 KiB). */
  readonly windowSize?: number;
  /** Skip the sha256 of the file (default: computed). */
  readonly skipHash?: boolean;
  /** Receives how many bytes the structure walk read (weights excluded), for tests and benches. */
  readonly onStats?: (stats: { readonly bytesRead: number }) => void;
  /** Node budget (default MODEL_MAX_NODES); tests lower it rather than build a million nodes. */
  readonly maxNodes?: number;
}

/** Reads and validates a model. Throws `ModelReadError` whose message names the file and the reason. */
export async function readModel(path: string, options: ReadModelOptions = {}): Promise<OnnxModel> {
  return readModelSync(path, options);
}

/** Synchronous form of `readModel`. */
export function readModelSync(path: string, options: ReadModelOptions = {}): OnnxModel {
  let size: number;
  try {
    // Non-blocking open and fstat: a FIFO, a device or a directory is refused without reading from it.
    const { fd, size: fileSize } = openRegularFile(path, { maxBytes: Number.MAX_SAFE_INTEGER, what: 'model' });
    closeSync(fd);
    size = fileSize;
  } catch (cause) {
    const missing = cause instanceof RegularFileError ? cause.problem === 'MISSING' : (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const reason = cause instanceof RegularFileError ? cause.reason : (cause as Error).message;
    throw new ModelReadError(missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE', path, missing ? 'file not found' : `cannot read: ${reason}`, { cause });
  }
  if (size === 0) throw new ModelReadError('EMPTY_FILE', path, 'the file is empty (0 bytes), not an ONNX model');
  sniff(path, size);
  if (size > PROTOBUF_LIMIT_BYTES) {
    throw new ModelReadError(
      'MODEL_TOO_LARGE',
      path,
      `the file is ${size} bytes; protobuf (and so onnxruntime) cannot load a single ONNX file of 2 GiB or more. Save the weights as external data (onnx.save_model(..., save_as_external_data=True)).`,
    );
  }

  // The structure walk reads in small windows and seeks past tensor payloads, so it reads a few percent
  // of a typical model and its memory does not depend on weight size.
  const file = new WindowedFile(path, size, options.windowSize);
  try {
    const decoder = new ModelDecoder(path, new ProtoReader(file), options.maxNodes ?? MODEL_MAX_NODES);
    const sha256 = options.skipHash ? '' : sha256File(path);
    const model = decoder.decodeModel(sha256);
    validateOpsets(model);
    options.onStats?.({ bytesRead: file.bytesRead });
    return model;
  } catch (err) {
    if (err instanceof ModelReadError) throw err;
    if (err instanceof WireError) throw wireToModelError(path, err);
    throw new ModelReadError('NOT_ONNX', path, `not a valid ONNX model: ${(err as Error).message}`, { cause: err });
  } finally {
    file.close();
  }
}

/** Top-level ModelProto fields that are length-delimited: a cut file ends inside one of these. */
const MODEL_LEN_FIELDS = new Set([2, 3, 4, 6, 7, 8, 14, 20, 21, 25, 26]);

function wireToModelError(path: string, err: WireError): ModelReadError {
  // Random bytes also "end early"; only a known ModelProto field cut short is a truncated model.
  const knownField = err.field === undefined || (MODEL_LEN_FIELDS.has(err.field) && err.wireType === WireType.LEN);
  if (err.kind === 'eof' && (!err.topLevel || knownField)) {
    return new ModelReadError('TRUNCATED', path, `the file is truncated: ${err.message}. Was the download or checkout cut short?`, { cause: err, offset: err.offset });
  }
  if (err.kind === 'overrun') {
    return new ModelReadError('FIELD_LENGTH_OVERRUN', path, `corrupt protobuf: ${err.message}`, { cause: err, offset: err.offset });
  }
  return new ModelReadError('NOT_ONNX', path, `not an ONNX model (protobuf wire format is invalid): ${err.message}`, { cause: err, offset: err.offset });
}

/** Cheap checks on the first bytes for files that are something else entirely. */
function sniff(path: string, size: number): void {
  const head = Buffer.alloc(Math.min(size, 512));
  const { fd } = openRegularFile(path, { maxBytes: Number.MAX_SAFE_INTEGER, what: 'model' });
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.toString('latin1');
  if (text.startsWith('version https://git-lfs.github.com/spec/')) {
    const oid = /oid sha256:([0-9a-f]{64})/.exec(text)?.[1];
    const lfsSize = /\nsize (\d+)/.exec(text)?.[1];
    throw new ModelReadError(
      'LFS_POINTER',
      path,
      `this is a Git LFS pointer${oid ? ` (oid sha256:${oid.slice(0, 12)}…, ${lfsSize ?? '?'} bytes)` : ''}, not the model. Check out with LFS: actions/checkout with \`lfs: true\`, or run \`git lfs pull\` locally.`,
    );
  }
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06)) {
    throw new ModelReadError('ZIP_FILE', path, 'this is a ZIP archive (for example a PyTorch checkpoint or a zipped model), not an ONNX protobuf. Export it with torch.onnx.export, or unzip it first.');
  }
}

// Field numbers from onnx.proto (onnx 1.17+), including those onnx-proto 8 does not know.
const F = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14, trainingInfo: 20, functions: 25 },
  graph: { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, quantizationAnnotation: 14, sparseInitializer: 15, metadataProps: 16 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7, overload: 8 },
  attr: { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, tensors: 10, graphs: 11, docString: 13, tp: 14, type: 20, refAttrName: 21, sparseTensor: 22, sparseTensors: 23 },
  tensor: { dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8, rawData: 9, doubleData: 10, uint64Data: 11, docString: 12, externalData: 13, dataLocation: 14 },
  sparse: { values: 1, indices: 2, dims: 3 },
  function: { name: 1, input: 4, output: 5, attribute: 6, node: 7, docString: 8, opsetImport: 9, domain: 10, attributeProto: 11, valueInfo: 12, overload: 13 },
  opset: { domain: 1, version: 2 },
  entry: { key: 1, value: 2 },
} as const;

const TYPED_FIELDS: Record<number, TypedDataField> = {
  4: 'float_data',
  5: 'int32_data',
  6: 'string_data',
  7: 'int64_data',
  10: 'double_data',
  11: 'uint64_data',
};

const ATTR_TYPE_NAMES: Record<number, AttributeValue['type']> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
  11: 'sparse_tensor',
  13: 'type_proto',
};


/** The attributes of every node that has none (read-only: nothing may add to it). */
const NO_ATTRIBUTES: ReadonlyMap<string, AttributeValue> = new Map();

class ModelDecoder {
  private readonly baseDir: string;
  private baseDirReal: string | null = null;
  private readonly externalSizes = new Map<string, number>();
  /** Nodes decoded so far (all graphs, bodies and functions): the MODEL_MAX_NODES budget. */
  private nodeCount = 0;
  /** Current If/Loop/Scan body nesting while decoding. */
  private depth = 0;

  constructor(
    private readonly path: string,
    private readonly r: ProtoReader,
    private readonly maxNodes: number,
  ) {
    this.baseDir = resolve(dirname(path));
  }

  decodeModel(sha256: string): OnnxModel {
    const m = F.model;
    let irVersion = 0;
    let producerName = '';
    let producerVersion = '';
    let graph: OnnxGraph | null = null;
    let sawKnownField = false;
    const opsetImports = new Map<string, number>();
    const metadata = new Map<string, string>();
    const functions: OnnxFunction[] = [];
    for (const f of this.r.fields(0, this.r.file.size, true)) {
      switch (f.field) {
        case m.irVersion:
          this.expectWire(f, WireType.VARINT, 'ir_version');
          irVersion = f.varint;
          sawKnownField = true;
          break;
        case m.producerName:
          this.expectWire(f, WireType.LEN, 'producer_name');
          producerName = this.r.string(f);
          break;
        case m.producerVersion:
          this.expectWire(f, WireType.LEN, 'producer_version');
          producerVersion = this.r.string(f);
          break;
        case m.graph:
          this.expectWire(f, WireType.LEN, 'graph');
          graph = this.decodeGraph(f.offset, f.offset + f.length, 'graph');
          sawKnownField = true;
          break;
        case m.opsetImport: {
          this.expectWire(f, WireType.LEN, 'opset_import');
          const [domain, version] = this.decodeOpset(f);
          opsetImports.set(domain, version);
          break;
        }
        case m.metadataProps: {
          this.expectWire(f, WireType.LEN, 'metadata_props');
          const [k, v] = this.decodeEntry(f);
          metadata.set(k, v);
          break;
        }
        case m.functions:
          this.expectWire(f, WireType.LEN, 'functions');
          functions.push(this.decodeFunction(f, `functions[${functions.length}]`));
          break;
        default:
          break; // doc_string, domain, model_version, training_info: not needed for analysis
      }
    }
    if (!sawKnownField) {
      throw new ModelReadError('NOT_ONNX', this.path, 'not an ONNX model: no ir_version and no graph found');
    }
    if (graph === null) {
      throw new ModelReadError('NO_GRAPH', this.path, 'the model has no graph (ModelProto.graph is missing)', { fieldPath: 'graph' });
    }
    return {
      path: this.path,
      baseDir: this.baseDir,
      fileSize: this.r.file.size,
      sha256,
      irVersion,
      producerName,
      producerVersion,
      opsetImports,
      metadata,
      graph,
      functions,
    };
  }

  /** Random bytes often parse as valid wire format; a known field with the wrong wire type is proof enough. */
  private expectWire(f: WireField, wireType: number, name: string): void {
    const ok = f.wireType === wireType || (wireType === WireType.VARINT && f.wireType === WireType.LEN && name.endsWith('s'));
    if (!ok) {
      throw new ModelReadError('NOT_ONNX', this.path, `not an ONNX model: field ${name} (${f.field}) has wire type ${f.wireType} at offset ${f.offset}`, { offset: f.offset });
    }
  }

  /**
   * Bytes for protobufjs as a plain Uint8Array view: given a Buffer, protobufjs makes empty bytes/strings
   * with `new Buffer(0)`, which Node reports as DEP0005 once the code is bundled outside node_modules.
   */
  private protoBytes(offset: number, length: number): Uint8Array {
    return plainBytes(this.r.file.read(offset, length));
  }

  private decodeOpset(f: WireField): [string, number] {
    const msg = onnx.OperatorSetIdProto.decode(this.protoBytes(f.offset, f.length));
    return [normalizeDomain(msg.domain ?? ''), toNumber(msg.version)];
  }

  private decodeEntry(f: WireField): [string, string] {
    const msg = onnx.StringStringEntryProto.decode(this.protoBytes(f.offset, f.length));
    return [msg.key ?? '', msg.value ?? ''];
  }

  decodeGraph(start: number, end: number, path: string): OnnxGraph {
    const g = F.graph;
    let name = '';
    const nodes: OnnxNode[] = [];
    const inputs: ValueInfo[] = [];
    const outputs: ValueInfo[] = [];
    const valueInfo: ValueInfo[] = [];
    const initializers = new Map<string, TensorRef>();
    let initIndex = 0;
    let sparseIndex = 0;
    for (const f of this.r.fields(start, end)) {
      switch (f.field) {
        case g.node:
          this.expectWire(f, WireType.LEN, 'node');
          nodes.push(this.decodeNode(f, nodes.length, `${path}.node[${nodes.length}]`));
          break;
        case g.name:
          name = this.r.string(f);
          break;
        case g.initializer: {
          this.expectWire(f, WireType.LEN, 'initializer');
          const t = this.decodeTensor(f.offset, f.offset + f.length, `${path}.initializer[${initIndex++}]`);
          initializers.set(t.name, t);
          break;
        }
        case g.sparseInitializer: {
          this.expectWire(f, WireType.LEN, 'sparse_initializer');
          const t = this.decodeSparse(f, `${path}.sparse_initializer[${sparseIndex++}]`);
          initializers.set(t.name, t);
          break;
        }
        case g.input:
          inputs.push(this.decodeValueInfo(f));
          break;
        case g.output:
          outputs.push(this.decodeValueInfo(f));
          break;
        case g.valueInfo:
          valueInfo.push(this.decodeValueInfo(f));
          break;
        default:
          break;
      }
    }
    return { name, nodes, inputs, outputs, valueInfo, initializers };
  }

  /** A subgraph attribute (If/Loop/Scan body), within the nesting limit. */
  private decodeBody(x: WireField, path: string): OnnxGraph {
    if (this.depth + 1 > MODEL_MAX_SUBGRAPH_DEPTH) {
      throw new ModelReadError('DEPTH_LIMIT', this.path, `subgraphs nest more than ${MODEL_MAX_SUBGRAPH_DEPTH} deep at ${path} (docs/limits.md)`, { fieldPath: path });
    }
    this.depth++;
    try {
      return this.decodeGraph(x.offset, x.offset + x.length, path);
    } finally {
      this.depth--;
    }
  }

  private decodeNode(f: WireField, index: number, path: string): OnnxNode {
    if (++this.nodeCount > this.maxNodes) {
      throw new ModelReadError('NODE_LIMIT', this.path, `the model has more than ${this.maxNodes} nodes (graphs, bodies and functions together) (docs/limits.md)`, { fieldPath: path });
    }
    const n = F.node;
    const inputs: string[] = [];
    const outputs: string[] = [];
    let attributes: Map<string, AttributeValue> | undefined;
    let name = '';
    let opType = '';
    let domain = '';
    let overload = '';
    for (const x of this.r.fields(f.offset, f.offset + f.length)) {
      switch (x.field) {
        case n.overload:
          overload = this.r.string(x);
          break;
        case n.input:
          inputs.push(this.intern(this.r.string(x)));
          break;
        case n.output:
          outputs.push(this.intern(this.r.string(x)));
          break;
        case n.name:
          name = this.r.string(x);
          break;
        case n.opType:
          opType = this.intern(this.r.string(x));
          break;
        case n.domain:
          domain = this.intern(normalizeDomain(this.r.string(x)));
          break;
        case n.attribute: {
          this.expectWire(x, WireType.LEN, 'attribute');
          attributes ??= new Map();
          const [attrName, value] = this.decodeAttribute(x, `${path}.attribute[${attributes.size}]`);
          attributes.set(attrName, value);
          break;
        }
        default:
          break;
      }
    }
    // Exact-size copies of the lists and one shared empty attribute map: a graph can have a million nodes,
    // and an array grown by push keeps room for 17 entries.
    return { index, name, opType, domain, inputs: inputs.slice(), outputs: outputs.slice(), attributes: attributes ?? NO_ATTRIBUTES, ...(overload ? { overload } : {}) };
  }

  /**
   * One string object per distinct tensor name and op type: each name is decoded once where it is produced
   * and once per reader, and every later lookup hashes it again.
   */
  private readonly intern = makeInterner();

  private decodeAttribute(f: WireField, path: string): [string, AttributeValue] {
    const a = F.attr;
    let name = '';
    let type = 0;
    let refAttrName = '';
    let fv: number | undefined;
    let iv: number | undefined;
    let sv: string | undefined;
    let tv: TensorRef | undefined;
    let gv: OnnxGraph | undefined;
    let sparse: TensorRef | undefined;
    let tp: ValueInfo | undefined;
    const floats: number[] = [];
    const ints: number[] = [];
    const strings: string[] = [];
    const tensors: TensorRef[] = [];
    const graphs: OnnxGraph[] = [];
    for (const x of this.r.fields(f.offset, f.offset + f.length)) {
      switch (x.field) {
        case a.name:
          name = this.r.string(x);
          break;
        case a.type:
          type = x.varint;
          break;
        case a.refAttrName:
          refAttrName = this.r.string(x);
          break;
        case a.f:
          fv = this.r.float32(x);
          break;
        case a.i:
          iv = x.varint;
          break;
        case a.s:
          sv = this.r.string(x);
          break;
        case a.t:
          tv = this.decodeTensor(x.offset, x.offset + x.length, `${path}.t`);
          break;
        case a.g:
          gv = this.decodeBody(x, `${path}.g`);
          break;
        case a.sparseTensor:
          sparse = this.decodeSparse(x, `${path}.sparse_tensor`);
          break;
        case a.tp: {
          const t = onnx.TypeProto.decode(this.protoBytes(x.offset, x.length));
          tp = typeToValueInfo('', t);
          break;
        }
        case a.floats:
          floats.push(...this.r.floats(x));
          break;
        case a.ints:
          ints.push(...this.r.varints(x));
          break;
        case a.strings:
          strings.push(this.r.string(x));
          break;
        case a.tensors:
          tensors.push(this.decodeTensor(x.offset, x.offset + x.length, `${path}.tensors[${tensors.length}]`));
          break;
        case a.graphs:
          graphs.push(this.decodeBody(x, `${path}.graphs[${graphs.length}]`));
          break;
        default:
          break;
      }
    }
    if (refAttrName) return [name, { type: 'ref', refAttrName }];
    // IR < 2 had no type discriminator: infer it from the field that is present.
    let kind = ATTR_TYPE_NAMES[type];
    if (kind === undefined) {
      kind =
        fv !== undefined ? 'float' : iv !== undefined ? 'int' : sv !== undefined ? 'string' : tv ? 'tensor' : gv ? 'graph' : sparse ? 'sparse_tensor'
        : floats.length ? 'floats' : ints.length ? 'ints' : strings.length ? 'strings' : tensors.length ? 'tensors' : graphs.length ? 'graphs' : 'ints';
    }
    switch (kind) {
      case 'float':
        return [name, { type: kind, value: fv ?? 0 }];
      case 'int':
        return [name, { type: kind, value: iv ?? 0 }];
      case 'string':
        return [name, { type: kind, value: sv ?? '' }];
      case 'tensor':
        return [name, { type: kind, value: tv ?? emptyTensor(name) }];
      case 'graph':
        return [name, { type: kind, value: gv ?? emptyGraph() }];
      case 'sparse_tensor':
        return [name, { type: kind, value: sparse ?? emptyTensor(name) }];
      case 'floats':
        return [name, { type: kind, value: floats }];
      case 'ints':
        return [name, { type: kind, value: ints }];
      case 'strings':
        return [name, { type: kind, value: strings }];
      case 'tensors':
        return [name, { type: kind, value: tensors }];
      case 'graphs':
        return [name, { type: kind, value: graphs }];
      case 'type_proto':
        return [name, { type: kind, value: tp ?? { name: '', kind: 'unknown', dtype: 0, shape: null } }];
      default:
        return [name, { type: 'ints', value: ints }];
    }
  }

  decodeTensor(start: number, end: number, path: string): TensorRef {
    const t = F.tensor;
    const dims: number[] = [];
    let dtype = 0;
    let name = '';
    let raw: WireField | undefined;
    let location = 0;
    const external = new Map<string, string>();
    const typed = new Map<TypedDataField, { offset: number; length: number; packed: boolean }[]>();
    for (const x of this.r.fields(start, end)) {
      switch (x.field) {
        case t.dims:
          dims.push(...this.r.varints(x));
          break;
        case t.dataType:
          dtype = x.varint;
          break;
        case t.name:
          name = this.r.string(x);
          break;
        case t.rawData:
          raw = x;
          break;
        case t.externalData: {
          const [k, v] = this.decodeEntry(x);
          external.set(k, v);
          break;
        }
        case t.dataLocation:
          location = x.varint;
          break;
        default: {
          const field = TYPED_FIELDS[x.field];
          if (field) {
            const list = typed.get(field) ?? [];
            list.push({ offset: x.offset, length: x.length, packed: x.wireType === WireType.LEN && field !== 'string_data' });
            typed.set(field, list);
          }
        }
      }
    }
    const elementCount = this.checkDims(dims, path, name);
    const byteLength = byteSize(dtype, elementCount);
    let payload: TensorPayload;
    if (location === 1 || external.size > 0) {
      payload = this.resolveExternal(external, path, name, byteLength);
    } else if (raw) {
      if (byteLength !== null && raw.length !== byteLength) {
        throw new ModelReadError('TENSOR_INVALID', this.path, `tensor '${name}' (${path}) has dims [${dims.join(', ')}] of ${dtypeName(dtype)}, ${byteLength} bytes, but its raw_data holds ${raw.length}`, { fieldPath: `${path}.raw_data` });
      }
      payload = { kind: 'raw', file: this.path, offset: raw.offset, length: raw.length };
    } else if (typed.size > 0) {
      const [field, ranges] = [...typed.entries()][0]!;
      payload = { kind: 'typed', file: this.path, field, ranges };
    } else {
      payload = { kind: 'none' };
    }
    return { name, dtype, dims, elementCount, byteLength, payload };
  }

  /** Dims of a stored tensor: a rank and element count within the limits, every dim a non-negative integer. */
  private checkDims(dims: readonly number[], path: string, name: string): number {
    const where = `tensor '${name}' (${path})`;
    if (dims.length > MODEL_MAX_RANK) {
      throw new ModelReadError('RANK_LIMIT', this.path, `${where} has rank ${dims.length}, over the limit of ${MODEL_MAX_RANK} (docs/limits.md)`, { fieldPath: `${path}.dims` });
    }
    let count = 1;
    for (const d of dims) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new ModelReadError('TENSOR_INVALID', this.path, `${where} has dims [${dims.join(', ')}]: a stored tensor's dims must be non-negative integers`, { fieldPath: `${path}.dims` });
      }
      count *= d;
    }
    if (count > MODEL_MAX_ELEMENTS) {
      throw new ModelReadError('ELEMENT_LIMIT', this.path, `${where} has dims [${dims.join(', ')}], ${count} elements, over the limit of ${MODEL_MAX_ELEMENTS} (docs/limits.md)`, { fieldPath: `${path}.dims` });
    }
    return count;
  }

  private decodeSparse(f: WireField, path: string): TensorRef {
    let values: TensorRef | undefined;
    let dims: number[] = [];
    for (const x of this.r.fields(f.offset, f.offset + f.length)) {
      if (x.field === F.sparse.values) values = this.decodeTensor(x.offset, x.offset + x.length, `${path}.values`);
      else if (x.field === F.sparse.dims) dims.push(...this.r.varints(x));
      // indices: not needed for analysis (their byte size is counted through the values' nnz)
    }
    const v = values ?? emptyTensor('');
    if (dims.length === 0) dims = [...v.dims];
    const elementCount = this.checkDims(dims, path, v.name);
    return {
      name: v.name,
      dtype: v.dtype,
      dims,
      elementCount,
      byteLength: v.byteLength,
      payload: v.payload,
      sparse: true,
      sparseNnz: v.elementCount,
    };
  }

  /** Resolves `location` inside the model's folder; absolute paths and escapes are refused. */
  private resolveExternal(entries: Map<string, string>, path: string, tensorName: string, byteLength: number | null): TensorPayload {
    const location = entries.get('location');
    const what = `tensor '${tensorName}' (${path}.external_data)`;
    if (!location) {
      throw new ModelReadError('EXTERNAL_DATA_MISSING', this.path, `${what} is marked external but has no 'location'`, { fieldPath: `${path}.external_data` });
    }
    if (isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) {
      throw new ModelReadError('EXTERNAL_DATA_ABSOLUTE', this.path, `${what} points at the absolute path '${location}'; external data must be a relative path inside the model's folder`, { fieldPath: `${path}.external_data` });
    }
    const target = resolve(this.baseDir, location);
    if (!isInside(this.baseDir, target)) {
      throw new ModelReadError('EXTERNAL_DATA_ESCAPE', this.path, `${what} location '${location}' leaves the model's folder; external data must stay inside it`, { fieldPath: `${path}.external_data` });
    }
    if (!existsSync(target)) {
      throw new ModelReadError('EXTERNAL_DATA_MISSING', target, `external data file for ${what} of model ${this.path} is missing`, { fieldPath: `${path}.external_data` });
    }
    // A symlink inside the folder may still point outside it.
    this.baseDirReal ??= realpathSync(this.baseDir);
    const real = realpathSync(target);
    if (!isInside(this.baseDirReal, real)) {
      throw new ModelReadError('EXTERNAL_DATA_ESCAPE', this.path, `${what} location '${location}' resolves through a link to '${real}', outside the model's folder`, { fieldPath: `${path}.external_data` });
    }
    const fileSize = this.externalFileSize(real, target, what, `${path}.external_data`);
    const offset = parseByteCount(entries.get('offset') ?? '0');
    const lengthText = entries.get('length');
    const length = lengthText === undefined ? null : parseByteCount(lengthText);
    if (offset === null || (lengthText !== undefined && length === null)) {
      throw new ModelReadError('EXTERNAL_DATA_RANGE', this.path, `${what} has an invalid offset/length (${entries.get('offset')}/${lengthText}): each must be a non-negative integer`, { fieldPath: `${path}.external_data` });
    }
    if (offset + (length ?? 0) > fileSize) {
      throw new ModelReadError('EXTERNAL_DATA_RANGE', target, `${what} of model ${this.path} needs bytes ${offset}..${offset + (length ?? 0)} but the file has ${fileSize}`, { fieldPath: `${path}.external_data` });
    }
    // The model declares the tensor's size (dims × dtype): the stored range must hold exactly that.
    const stored = length ?? fileSize - offset;
    if (byteLength !== null && (length !== null ? length !== byteLength : stored < byteLength)) {
      throw new ModelReadError(
        'EXTERNAL_DATA_SIZE',
        target,
        `${what} of model ${this.path} declares ${byteLength} bytes (dims × dtype) but its external data ${length !== null ? `length is ${length}` : `has ${stored} bytes from offset ${offset}`}`,
        { fieldPath: `${path}.external_data` },
      );
    }
    return { kind: 'external', file: real, offset, length: byteLength ?? stored };
  }

  /** Size of an external-data file, which must be a regular file (never opened here, so a FIFO cannot block). */
  private externalFileSize(real: string, target: string, what: string, fieldPath: string): number {
    const known = this.externalSizes.get(real);
    if (known !== undefined) return known;
    const st = statSync(real);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new ModelReadError('EXTERNAL_DATA_NOT_REGULAR', target, `external data file for ${what} of model ${this.path} is ${kind}; only regular files are read`, { fieldPath });
    }
    this.externalSizes.set(real, st.size);
    return st.size;
  }

  private decodeValueInfo(f: WireField): ValueInfo {
    const msg = onnx.ValueInfoProto.decode(this.protoBytes(f.offset, f.length));
    const info = typeToValueInfo(msg.name ?? '', msg.type ?? null);
    if (info.shape !== null && info.shape.length > MODEL_MAX_RANK) {
      throw new ModelReadError('RANK_LIMIT', this.path, `value '${info.name}' is declared with rank ${info.shape.length}, over the limit of ${MODEL_MAX_RANK} (docs/limits.md)`, { offset: f.offset });
    }
    return info;
  }

  private decodeFunction(f: WireField, path: string): OnnxFunction {
    const fn = F.function;
    let name = '';
    let domain = '';
    let overload = '';
    const inputs: string[] = [];
    const outputs: string[] = [];
    const attributes: string[] = [];
    const nodes: OnnxNode[] = [];
    const opsetImports = new Map<string, number>();
    for (const x of this.r.fields(f.offset, f.offset + f.length)) {
      switch (x.field) {
        case fn.name:
          name = this.r.string(x);
          break;
        case fn.domain:
          domain = normalizeDomain(this.r.string(x));
          break;
        case fn.overload:
          overload = this.r.string(x);
          break;
        case fn.input:
          inputs.push(this.r.string(x));
          break;
        case fn.output:
          outputs.push(this.r.string(x));
          break;
        case fn.attribute:
          attributes.push(this.r.string(x));
          break;
        case fn.attributeProto: {
          const [attrName] = this.decodeAttribute(x, `${path}.attribute_proto[${attributes.length}]`);
          attributes.push(attrName);
          break;
        }
        case fn.node:
          nodes.push(this.decodeNode(x, nodes.length, `${path}.node[${nodes.length}]`));
          break;
        case fn.opsetImport: {
          const [d, v] = this.decodeOpset(x);
          opsetImports.set(d, v);
          break;
        }
        default:
          break;
      }
    }
    return { name, domain, overload, inputs, outputs, attributes, nodes, opsetImports };
  }
}

/** A byte offset or length written as decimal text; null for anything else ("1e3", "-0", "0x10", " 4"). */
function parseByteCount(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function isInside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: () => number }).toNumber === 'function') return (v as { toNumber: () => number }).toNumber();
  return Number(v ?? 0);
}

type TypeProtoLike = onnxProto.onnx.ITypeProto | null | undefined;

function shapeOf(shape: { dim?: { dimValue?: unknown; dimParam?: string | null; value?: string }[] | null } | null | undefined): Shape {
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => {
    if (d.value === 'dimValue') {
      // Some exporters write -1 for "unknown"; a value past the element limit is no real size either.
      const v = toNumber(d.dimValue);
      return Number.isSafeInteger(v) && v >= 0 && v <= MODEL_MAX_ELEMENTS ? v : null;
    }
    if (d.value === 'dimParam') return d.dimParam ? d.dimParam : null;
    return null;
  });
}

function typeToValueInfo(name: string, t: TypeProtoLike): ValueInfo {
  if (!t) return { name, kind: 'unknown', dtype: 0, shape: null };
  if (t.tensorType) return { name, kind: 'tensor', dtype: t.tensorType.elemType ?? 0, shape: shapeOf(t.tensorType.shape) };
  if (t.sequenceType) return { name, kind: 'sequence', dtype: 0, shape: null };
  if (t.mapType) return { name, kind: 'map', dtype: 0, shape: null };
  if (t.optionalType) return { name, kind: 'optional', dtype: 0, shape: null };
  if (t.sparseTensorType) return { name, kind: 'sparse_tensor', dtype: t.sparseTensorType.elemType ?? 0, shape: shapeOf(t.sparseTensorType.shape) };
  return { name, kind: 'unknown', dtype: 0, shape: null };
}

function emptyTensor(name: string): TensorRef {
  return { name, dtype: 0, dims: [], elementCount: 1, byteLength: null, payload: { kind: 'none' } };
}

function emptyGraph(): OnnxGraph {
  return { name: '', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map() };
}

/** ORT implements opset 7 and later of the default domain. */
export const MIN_DEFAULT_OPSET = 7;

/** Every node's domain must be imported; the default-domain opset must be one ORT can run. */
function validateOpsets(model: OnnxModel): void {
  const def = model.opsetImports.get('');
  if (def !== undefined && def < MIN_DEFAULT_OPSET) {
    throw new ModelReadError('OPSET_TOO_OLD', model.path, `default-domain opset ${def} is below ${MIN_DEFAULT_OPSET}, the oldest onnxruntime supports; convert it with onnx.version_converter`, { fieldPath: 'opset_import' });
  }
  const check = (nodes: readonly OnnxNode[], imports: ReadonlyMap<string, number>, where: string, localDomains: ReadonlySet<string>): void => {
    for (const node of nodes) {
      if (!imports.has(node.domain)) {
        throw new ModelReadError(
          'OPSET_DOMAIN_MISSING',
          model.path,
          `node ${node.index} ('${node.name}', ${node.opType}) uses domain '${domainLabel(node.domain)}', which is not in opset_import`,
          { fieldPath: `${where}.node[${node.index}].domain` },
        );
      }
      for (const attr of node.attributes.values()) {
        if (attr.type === 'graph') check(attr.value.nodes, imports, `${where}.node[${node.index}].attribute`, localDomains);
        if (attr.type === 'graphs') for (const g of attr.value) check(g.nodes, imports, `${where}.node[${node.index}].attribute`, localDomains);
      }
    }
  };
  const localDomains = new Set(model.functions.map((f) => f.domain));
  check(model.graph.nodes, model.opsetImports, 'graph', localDomains);
  model.functions.forEach((fn, i) => check(fn.nodes, fn.opsetImports.size > 0 ? fn.opsetImports : model.opsetImports, `functions[${i}]`, localDomains));
}
