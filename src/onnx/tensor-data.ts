/**
 * On-demand access to tensor payloads. Analysis only ever asks for small tensors (shape arguments,
 * axes, quantization scales and zero points), so weights stay on disk.
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../io/regular-file.js';
import { DataType, type TensorRef } from './types.js';

/** Default cap on elements decoded by `readTensorValues`. */
export const DEFAULT_MAX_VALUES = 65536;

function readRange(file: string, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const fd = openRegularFile(file, { maxBytes: Number.MAX_SAFE_INTEGER, what: 'tensor data file' }).fd;
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new RangeError(`${file}: unexpected end of file reading ${length} bytes at ${offset}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * The tensor's payload bytes as stored: raw little-endian bytes for `raw`/`external`/`inline`, or the
 * concatenated wire bytes of a typed field (decode those with `readTensorValues`). Reads the disk.
 */
export function loadTensorBytes(ref: TensorRef): Buffer {
  const p = ref.payload;
  switch (p.kind) {
    case 'raw':
      return readRange(p.file, p.offset, p.length);
    case 'external':
      return readRange(p.file, p.offset, p.length ?? 0);
    case 'inline':
      return Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
    case 'typed':
      return Buffer.concat(p.ranges.map((r) => readRange(p.file, r.offset, r.length)));
    case 'none':
      return Buffer.alloc(0);
  }
}

function decodeVarints(buf: Buffer): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(Number(BigInt.asIntN(64, result)));
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * A small constant's dtype and values (Q/DQ scales and zero points, Clip bounds), as the QDQ grouping reads
 * constants; undefined without a tensor or past `maxElements` elements.
 */
export function smallConstant(ref: TensorRef | undefined, maxElements = 16): { dtype: number; values: number[] } | undefined {
  const values = ref ? readTensorValues(ref, maxElements) : null;
  return ref && values ? { dtype: ref.dtype, values } : undefined;
}

/**
 * Decodes a numeric tensor's values as JS numbers (int64 beyond 2^53 loses precision, which no shape
 * or axis value reaches). Returns null when the tensor has more than `maxElements` elements, is not
 * numeric, or its payload is missing. Reads only this tensor's bytes.
 */
export function readTensorValues(ref: TensorRef, maxElements = DEFAULT_MAX_VALUES): number[] | null {
  if (ref.elementCount > maxElements) return null;
  const p = ref.payload;
  if (p.kind === 'none') return ref.elementCount === 0 ? [] : null;
  if (p.kind === 'typed') {
    const chunks = p.ranges.map((r) => ({ bytes: readRange(p.file, r.offset, r.length), packed: r.packed }));
    switch (p.field) {
      case 'float_data': {
        const out: number[] = [];
        for (const c of chunks) for (let i = 0; i + 4 <= c.bytes.length; i += 4) out.push(c.bytes.readFloatLE(i));
        return out;
      }
      case 'double_data': {
        const out: number[] = [];
        for (const c of chunks) for (let i = 0; i + 8 <= c.bytes.length; i += 8) out.push(c.bytes.readDoubleLE(i));
        return out;
      }
      case 'int32_data': {
        const ints = chunks.flatMap((c) => decodeVarints(c.bytes));
        // int32_data also carries 16-bit floats and 8/16-bit ints, one value per entry.
        if (ref.dtype === DataType.FLOAT16) return ints.map((v) => halfToFloat(v & 0xffff));
        if (ref.dtype === DataType.BFLOAT16) return ints.map((v) => new Float32Array(new Uint32Array([(v & 0xffff) << 16]).buffer)[0]!);
        if (ref.dtype === DataType.INT32) return ints.map((v) => v | 0);
        return ints;
      }
      case 'int64_data':
      case 'uint64_data':
        return chunks.flatMap((c) => decodeVarints(c.bytes));
      default:
        return null;
    }
  }
  const bytes = loadTensorBytes(ref);
  const n = ref.elementCount;
  const out = new Array<number>(n);
  const need = (per: number): boolean => bytes.length >= n * per;
  switch (ref.dtype) {
    case DataType.FLOAT:
      if (!need(4)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(i * 4);
      return out;
    case DataType.DOUBLE:
      if (!need(8)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    case DataType.FLOAT16:
      if (!need(2)) return null;
      for (let i = 0; i < n; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
      return out;
    case DataType.INT8:
      if (!need(1)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readInt8(i);
      return out;
    case DataType.UINT8:
    case DataType.BOOL:
      if (!need(1)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readUInt8(i);
      return out;
    case DataType.INT16:
      if (!need(2)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
      return out;
    case DataType.UINT16:
      if (!need(2)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readUInt16LE(i * 2);
      return out;
    case DataType.INT32:
      if (!need(4)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readInt32LE(i * 4);
      return out;
    case DataType.UINT32:
      if (!need(4)) return null;
      for (let i = 0; i < n; i++) out[i] = bytes.readUInt32LE(i * 4);
      return out;
    case DataType.INT64:
      if (!need(8)) return null;
      for (let i = 0; i < n; i++) out[i] = Number(bytes.readBigInt64LE(i * 8));
      return out;
    case DataType.UINT64:
      if (!need(8)) return null;
      for (let i = 0; i < n; i++) out[i] = Number(bytes.readBigUInt64LE(i * 8));
      return out;
    case DataType.INT4:
    case DataType.UINT4: {
      if (bytes.length < Math.ceil(n / 2)) return null;
      const signed = ref.dtype === DataType.INT4;
      for (let i = 0; i < n; i++) {
        const byte = bytes[i >> 1]!;
        const nib = i & 1 ? byte >> 4 : byte & 0x0f;
        out[i] = signed && nib > 7 ? nib - 16 : nib;
      }
      return out;
    }
    default:
      return null;
  }
}
