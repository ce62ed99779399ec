/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), the exchange format for reference dumps and
 * the external runtime protocol. Only little-endian (or byte-order-free) C-order arrays are accepted,
 * which is what `numpy.save` writes on every machine parity runs on.
 */
import { closeSync, writeFileSync } from 'node:fs';
import { openRegularFile, readAt, RegularFileError } from '../io/regular-file.js';
import { REFERENCE_MAX_FILE_BYTES } from '../limits.js';
import { type HostTensor, type TensorDType, dtypeSize, tensorBytes, typedFromBytes } from './tensor.js';

/** A `.npy` file that cannot be read. Names the file and why. */
export class NpyFormatError extends Error {
  override readonly name = 'NpyFormatError';
  constructor(readonly file: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${file}: not a usable .npy file: ${reason}`, options);
  }
}

const DESCR_TO_DTYPE: Readonly<Record<string, TensorDType>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<f2': 'float16',
  '|i1': 'int8',
  '<i1': 'int8',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i2': 'int16',
  '<u2': 'uint16',
  '<i4': 'int32',
  '<u4': 'uint32',
  '<i8': 'int64',
  '<u8': 'uint64',
  '|b1': 'bool',
};
const DTYPE_TO_DESCR: Readonly<Record<TensorDType, string>> = {
  float32: '<f4',
  float64: '<f8',
  float16: '<f2',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  bool: '|b1',
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What an `.npy` header declares. */
export interface NpyHeader {
  readonly type: TensorDType;
  readonly dims: readonly number[];
  /** Offset of the payload. */
  readonly dataStart: number;
  /** Payload bytes the shape needs. */
  readonly payloadBytes: number;
}

/** Bytes that always hold a header's fixed part and length (version 2/3 use 4 length bytes). */
const PREAMBLE_MAX = 12;
/** Headers longer than this are refused (numpy writes < 100 bytes for any sane shape). */
export const NPY_MAX_HEADER_BYTES = 64 * 1024;

type HeaderValue = string | boolean | number[];

/** Parses the header's Python dict literal strictly: exactly `descr`, `fortran_order` and `shape`. */
function parseHeaderDict(text: string, file: string): Map<string, HeaderValue> {
  const src = text.trim();
  let i = 0;
  const fail = (why: string): never => {
    throw new NpyFormatError(file, `header is not a NumPy dict (${why}): ${JSON.stringify(src.slice(0, 120))}`);
  };
  const ws = (): void => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const str = (): string => {
    const q = src[i];
    if (q !== "'" && q !== '"') fail(`expected a quoted string at ${i}`);
    const close = src.indexOf(q!, i + 1);
    if (close < 0) fail('unterminated string');
    const out = src.slice(i + 1, close);
    i = close + 1;
    return out;
  };
  const value = (): HeaderValue => {
    if (src.startsWith('True', i)) return (i += 4), true;
    if (src.startsWith('False', i)) return (i += 5), false;
    if (src[i] === '(') {
      const close = src.indexOf(')', i);
      if (close < 0) fail('unterminated shape tuple');
      const parts = src.slice(i + 1, close).split(',').map((x) => x.trim());
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      if (parts.length === 1 && parts[0] === '') parts.pop();
      i = close + 1;
      return parts.map((d) => {
        if (!/^\d{1,16}L?$/.test(d)) fail(`bad dimension '${d}'`);
        const n = Number(d.replace(/L$/, ''));
        if (!Number.isSafeInteger(n)) fail(`bad dimension '${d}'`);
        return n;
      });
    }
    return str();
  };
  if (src[i] !== '{') fail('no opening brace');
  i++;
  const out = new Map<string, HeaderValue>();
  for (;;) {
    ws();
    if (src[i] === '}') break;
    const key = str();
    ws();
    if (src[i] !== ':') fail(`expected ':' after '${key}'`);
    i++;
    ws();
    if (out.has(key)) fail(`duplicate key '${key}'`);
    out.set(key, value());
    ws();
    if (src[i] === ',') i++;
    else if (src[i] !== '}') fail(`expected ',' or '}' at ${i}`);
  }
  if (i !== src.length - 1) fail('text after the closing brace');
  const keys = [...out.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') fail(`keys are {${keys}}, expected descr, fortran_order, shape`);
  return out;
}

/**
 * Parses and checks an `.npy` header from the first bytes of a file (at least the whole header).
 * Checks magic, version, the dict, dtype, C order and that the shape's size fits a JS array.
 */
export function parseNpyHeader(bytes: Uint8Array, file = '<buffer>'): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new NpyFormatError(file, bytes.length === 0 ? 'the file is empty' : 'missing \\x93NUMPY magic');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError(file, 'truncated header');
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyFormatError(file, `unsupported format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  }
  if (minor !== 0) throw new NpyFormatError(file, `unsupported format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  if (headerLen > NPY_MAX_HEADER_BYTES) throw new NpyFormatError(file, `header of ${headerLen} bytes is over the ${NPY_MAX_HEADER_BYTES}-byte limit`);
  if (headerStart + headerLen > bytes.length) throw new NpyFormatError(file, 'header runs past the end of the file');
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(headerStart, headerStart + headerLen));
  } catch (cause) {
    throw new NpyFormatError(file, 'header is not valid text', { cause });
  }
  const dict = parseHeaderDict(header, file);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const dims = dict.get('shape');
  if (typeof descr !== 'string') throw new NpyFormatError(file, "header 'descr' is not a string (structured dtypes are not supported)");
  if (typeof fortran !== 'boolean') throw new NpyFormatError(file, "header 'fortran_order' is not True or False");
  if (!Array.isArray(dims)) throw new NpyFormatError(file, "header 'shape' is not a tuple");
  if (fortran) throw new NpyFormatError(file, 'Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const type = DESCR_TO_DTYPE[descr];
  if (type === undefined) throw new NpyFormatError(file, `element type '${descr}' is not supported (big-endian, object, string or complex)`);
  let payloadBytes = dtypeSize(type);
  for (const d of dims) {
    payloadBytes *= d;
    if (!Number.isSafeInteger(payloadBytes)) throw new NpyFormatError(file, `shape ${JSON.stringify(dims)} is too large`);
  }
  return { type, dims, dataStart: headerStart + headerLen, payloadBytes };
}

/** The payload must be exactly what the shape needs: shorter is truncated, longer hides junk. */
function checkPayload(h: NpyHeader, have: number, file: string): void {
  if (have !== h.payloadBytes) {
    throw new NpyFormatError(file, `payload has ${have} bytes, shape ${JSON.stringify(h.dims)} of ${h.type} needs exactly ${h.payloadBytes}`);
  }
}

/** Parses `.npy` bytes. The payload must be exactly what the shape needs. `file` is only used in error messages. */
export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): HostTensor {
  const h = parseNpyHeader(bytes, file);
  checkPayload(h, bytes.length - h.dataStart, file);
  return { type: h.type, dims: h.dims, data: typedFromBytes(h.type, bytes.subarray(h.dataStart, h.dataStart + h.payloadBytes)) };
}

/** Encodes a tensor as `.npy` version 1.0 (2.0 when the header would not fit in 64 KiB). */
export function encodeNpy(t: HostTensor): Uint8Array {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let dict = `{'descr': '${DTYPE_TO_DESCR[t.type]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let pre = 10;
  let total = pre + dict.length + 1;
  if (Math.ceil(total / 64) * 64 - pre > 0xffff) {
    major = 2;
    pre = 12;
    total = pre + dict.length + 1;
  }
  const padded = Math.ceil(total / 64) * 64;
  dict = dict + ' '.repeat(padded - total) + '\n';
  const payload = tensorBytes(t);
  const out = new Uint8Array(pre + dict.length + payload.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(payload, pre + dict.length);
  return out;
}

/** Where a `.npy` file may be read from, and its size limit. */
export interface NpyReadOptions {
  /** Refuse files larger than this. Default {@link REFERENCE_MAX_FILE_BYTES}. */
  readonly maxBytes?: number;
  /** The file (after symlinks) must be inside this folder. */
  readonly within?: string;
}

function openNpy(file: string, options: NpyReadOptions): { fd: number; size: number } {
  try {
    return openRegularFile(file, { maxBytes: options.maxBytes ?? REFERENCE_MAX_FILE_BYTES, ...(options.within !== undefined ? { within: options.within } : {}), what: '.npy file' });
  } catch (cause) {
    if (cause instanceof RegularFileError) throw new NpyFormatError(file, cause.reason, { cause });
    throw cause;
  }
}

/**
 * Reads and checks a `.npy` file's header without reading its payload: the file is a regular file
 * and its size is exactly header + payload.
 */
export function inspectNpy(file: string, options: NpyReadOptions = {}): NpyHeader & { readonly fileBytes: number } {
  const { fd, size } = openNpy(file, options);
  try {
    const head = readAt(fd, Math.min(size, PREAMBLE_MAX + NPY_MAX_HEADER_BYTES), 0);
    const h = parseNpyHeader(head, file);
    checkPayload(h, size - h.dataStart, file);
    return { ...h, fileBytes: size };
  } finally {
    closeSync(fd);
  }
}

/** Reads a `.npy` file (a regular file within the size limit; the payload size is checked before it is read). */
export function readNpy(file: string, options: NpyReadOptions = {}): HostTensor {
  const { fd, size } = openNpy(file, options);
  try {
    const head = readAt(fd, Math.min(size, PREAMBLE_MAX + NPY_MAX_HEADER_BYTES), 0);
    const h = parseNpyHeader(head, file);
    checkPayload(h, size - h.dataStart, file);
    const bytes = readAt(fd, size, 0);
    if (bytes.length !== size) throw new NpyFormatError(file, 'the file changed while it was read');
    return decodeNpy(bytes, file);
  } finally {
    closeSync(fd);
  }
}

/** Writes a `.npy` file and returns its size in bytes. */
export function writeNpy(file: string, t: HostTensor): number {
  const bytes = encodeNpy(t);
  writeFileSync(file, bytes);
  return bytes.byteLength;
}
