/**
 * Deterministic model inputs: a seeded PRNG by default, or user files (`.npy`, `.pb` TensorProto,
 * `.json`). The same seed gives the same bytes on every machine (no Math.random, no platform maths:
 * only integer ops and IEEE-exact operations feed the Box–Muller transform, whose `Math.log/cos` may
 * differ in the last ulp between V8 builds, so float inputs are rounded to float32 which absorbs it
 * in practice; the reference dump stores the inputs anyway and the edge side reads them back).
 */
import { extname } from 'node:path';
import onnxProto from 'onnx-proto';
import { readRegularFile, readRegularTextFile } from '../io/regular-file.js';
import { REFERENCE_MAX_FILE_BYTES, RESULT_MAX_BYTES } from '../limits.js';
import type { ValueInfo } from '../onnx/types.js';
import { plainBytes } from '../onnx/wire.js';
import { readNpy } from './npy.js';
import {
  type HostTensor,
  type TensorDType,
  allocTyped,
  dtypeFromOnnx,
  dtypeSize,
  elementCount,
  isTensorDType,
  typedFromBytes,
  UnsupportedDTypeError,
} from './tensor.js';

const { onnx } = onnxProto;

/** A bad input specification or input file. */
export class InputSpecError extends Error {
  override readonly name = 'InputSpecError';
  constructor(readonly input: string, readonly reason: string, readonly file?: string, options?: { cause?: unknown }) {
    super(`${file ? `${file}: ` : ''}input '${input}': ${reason}`, options);
  }
}

/** mulberry32: a small, fast 32-bit PRNG; plenty for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: a per-input seed offset so two inputs never share a stream. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** How to generate one input. */
export interface InputGenSpec {
  /** `normal` (float default: N(mean, std)), `uniform` ([low, high)), or `file`. */
  readonly distribution?: 'normal' | 'uniform';
  readonly mean?: number;
  readonly std?: number;
  /** Uniform bounds; for integers `high` is exclusive. Integer default: [0, 10) (token ids, indices). */
  readonly low?: number;
  readonly high?: number;
  /** Values for symbolic dims (`batch` → 1). Unknown dims default to 1. */
  readonly dims?: readonly number[];
  /** A user file: `.npy`, `.pb` (serialized TensorProto) or `.json` ({"type","dims","data"} or nested arrays). */
  readonly file?: string;
}

/** Options for `makeInputs`. */
export interface InputOptions {
  /** Seed for the PRNG. Default 0. */
  readonly seed?: number;
  /** Per input name. */
  readonly perInput?: Readonly<Record<string, InputGenSpec>>;
  /** Values for symbolic dimension names across inputs (`{ batch: 1, seq: 16 }`). */
  readonly dimValues?: Readonly<Record<string, number>>;
}

/** Concrete dims for an input: fixed dims kept, symbolic ones from `dimValues`, else 1. */
export function concreteDims(vi: ValueInfo, spec: InputGenSpec | undefined, dimValues: Readonly<Record<string, number>> = {}): number[] {
  if (spec?.dims) return [...spec.dims];
  if (!vi.shape) throw new InputSpecError(vi.name, 'the model does not declare its rank; give dims in the parity config');
  return vi.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? dimValues[d] ?? 1 : 1));
}

/** Generates one tensor from the PRNG. */
export function generateTensor(name: string, type: TensorDType, dims: readonly number[], seed: number, spec: InputGenSpec = {}): HostTensor {
  const n = elementCount(dims);
  const rnd = mulberry32((seed ^ fnv1a(name)) >>> 0);
  const data = allocTyped(type, n);
  const isFloat = type === 'float32' || type === 'float64' || type === 'float16';
  if (isFloat) {
    const tmp = new Float32Array(n);
    if ((spec.distribution ?? 'normal') === 'normal') {
      const mean = spec.mean ?? 0;
      const std = spec.std ?? 1;
      for (let i = 0; i < n; i += 2) {
        const u1 = Math.max(rnd(), 1e-12);
        const u2 = rnd();
        const r = Math.sqrt(-2 * Math.log(u1));
        tmp[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < n) tmp[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
      }
    } else {
      const lo = spec.low ?? 0;
      const hi = spec.high ?? 1;
      for (let i = 0; i < n; i++) tmp[i] = lo + (hi - lo) * rnd();
    }
    if (type === 'float32') (data as Float32Array).set(tmp);
    else if (type === 'float64') (data as Float64Array).set(tmp);
    else {
      const h = data as Uint16Array;
      for (let i = 0; i < n; i++) h[i] = floatToHalf(tmp[i]!);
    }
  } else if (type === 'bool') {
    const d = data as Uint8Array;
    for (let i = 0; i < n; i++) d[i] = rnd() < 0.5 ? 0 : 1;
  } else {
    const lo = Math.ceil(spec.low ?? 0);
    const hi = Math.floor(spec.high ?? 10);
    if (!(hi > lo)) throw new InputSpecError(name, `integer range [${lo}, ${hi}) is empty`);
    for (let i = 0; i < n; i++) {
      const v = lo + Math.floor(rnd() * (hi - lo));
      if (type === 'int64') (data as BigInt64Array)[i] = BigInt(v);
      else if (type === 'uint64') (data as BigUint64Array)[i] = BigInt(v);
      else (data as Int32Array)[i] = v;
    }
  }
  return { type, dims: [...dims], data };
}

/** number → IEEE half bits (round to nearest even). */
export function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    if ((mant >> (shift - 1)) & 1 && ((mant & ((1 << (shift - 1)) - 1)) || h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  if (mant & 0x1000 && (mant & 0xfff || h & 1)) h++;
  return sign | h;
}

/** Reads a user input file (`.npy`, `.pb`, `.json`). */
export function readInputFile(name: string, file: string): HostTensor {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.npy') return readNpy(file);
    if (ext === '.pb') {
      const t = onnx.TensorProto.decode(plainBytes(readRegularFile(file, { maxBytes: REFERENCE_MAX_FILE_BYTES, what: 'input file' })));
      const type = dtypeFromOnnx(t.dataType ?? 0);
      if (!type) throw new UnsupportedDTypeError(t.dataType ?? 0, file);
      const dims = t.dims.map((d) => Number(d));
      if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new InputSpecError(name, `TensorProto has invalid dims [${dims.join(', ')}]`, file);
      const n = elementCount(dims);
      if (t.rawData && t.rawData.byteLength > 0) {
        if (t.rawData.byteLength !== n * dtypeSize(type)) throw new InputSpecError(name, `TensorProto raw_data has ${t.rawData.byteLength} bytes, dims need ${n * dtypeSize(type)}`, file);
        return { type, dims, data: typedFromBytes(type, t.rawData) };
      }
      const data = allocTyped(type, n);
      const src: ArrayLike<unknown> =
        type === 'float32' ? t.floatData : type === 'float64' ? t.doubleData : type === 'int64' ? t.int64Data : type === 'uint64' || type === 'uint32' ? t.uint64Data : t.int32Data;
      if (src.length !== n) throw new InputSpecError(name, `TensorProto holds ${src.length} values, dims need ${n}`, file);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (type === 'int64' || type === 'uint64') (data as BigInt64Array)[i] = BigInt(String(v));
        else (data as Float64Array)[i] = Number(v);
      }
      return { type, dims, data };
    }
    if (ext === '.json') {
      const j = JSON.parse(readRegularTextFile(file, { maxBytes: RESULT_MAX_BYTES, what: 'input file' })) as unknown;
      return tensorFromJson(name, j, file);
    }
  } catch (cause) {
    if (cause instanceof InputSpecError) throw cause;
    throw new InputSpecError(name, cause instanceof Error ? cause.message : String(cause), file, { cause });
  }
  throw new InputSpecError(name, `unknown input file type '${ext}' (use .npy, .pb or .json)`, file);
}

/** `{"type":"float32","dims":[..],"data":[..]}`, or a bare nested array (float32). */
export function tensorFromJson(name: string, j: unknown, file?: string): HostTensor {
  let type: TensorDType = 'float32';
  let dims: number[];
  let flat: unknown[];
  if (Array.isArray(j)) {
    dims = [];
    let cur: unknown = j;
    while (Array.isArray(cur)) {
      dims.push(cur.length);
      cur = cur[0];
    }
    flat = (j as unknown[]).flat(Infinity);
  } else if (j !== null && typeof j === 'object' && 'data' in j) {
    const o = j as { type?: string; dims?: number[]; data: unknown[] };
    if (o.type !== undefined) {
      if (!isTensorDType(o.type)) throw new InputSpecError(name, `unknown type '${o.type}'`, file);
      type = o.type;
    }
    flat = (o.data as unknown[]).flat(Infinity);
    dims = o.dims ?? [flat.length];
  } else {
    throw new InputSpecError(name, 'expected {"type","dims","data"} or a nested array', file);
  }
  const n = elementCount(dims);
  if (flat.length !== n) throw new InputSpecError(name, `${flat.length} values, dims ${JSON.stringify(dims)} need ${n}`, file);
  const data = allocTyped(type, n);
  for (let i = 0; i < n; i++) {
    const v = flat[i];
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new InputSpecError(name, `value ${i} is not a number`, file);
    if (type === 'int64' || type === 'uint64') (data as BigInt64Array)[i] = BigInt(Math.trunc(Number(v)));
    else if (type === 'float16') (data as Uint16Array)[i] = floatToHalf(Number(v));
    else (data as Float64Array)[i] = Number(v);
  }
  return { type, dims, data };
}

/** Builds every graph input: from its file when one is configured, else from the seeded PRNG. */
export function makeInputs(graphInputs: readonly ValueInfo[], options: InputOptions = {}): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const seed = options.seed ?? 0;
  for (const vi of graphInputs) {
    const spec = options.perInput?.[vi.name];
    if (vi.kind !== 'tensor') throw new InputSpecError(vi.name, `is a ${vi.kind}, parity can only feed tensors`);
    const type = dtypeFromOnnx(vi.dtype);
    if (!type) throw new UnsupportedDTypeError(vi.dtype, `input '${vi.name}'`);
    if (spec?.file) {
      const t = readInputFile(vi.name, spec.file);
      if (t.type !== type) throw new InputSpecError(vi.name, `file holds ${t.type}, the model wants ${type}`, spec.file);
      out.set(vi.name, t);
      continue;
    }
    out.set(vi.name, generateTensor(vi.name, type, concreteDims(vi, spec, options.dimValues), seed, spec));
  }
  return out;
}
