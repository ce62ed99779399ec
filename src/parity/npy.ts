/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), the exchange format for reference dumps and
 * the external runtime protocol. Only little-endian (or byte-order-free) C-order arrays are accepted,
 * which is what `numpy.save` writes on every machine parity runs on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type HostTensor, type TensorDType, dtypeSize, elementCount, tensorBytes, typedFromBytes } from './tensor.js';

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

/** Parses `.npy` bytes. `file` is only used in error messages. */
export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): HostTensor {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new NpyFormatError(file, 'missing \\x93NUMPY magic');
  const major = bytes[6]!;
  let headerLen: number;
  let headerStart: number;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError(file, 'truncated header');
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyFormatError(file, `unsupported format version ${major}`);
  }
  if (headerStart + headerLen > bytes.length) throw new NpyFormatError(file, 'header runs past the end of the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(file, `header is not a NumPy dict: ${JSON.stringify(header.slice(0, 120))}`);
  }
  if (fortran === 'True') throw new NpyFormatError(file, 'Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const type = DESCR_TO_DTYPE[descr];
  if (type === undefined) throw new NpyFormatError(file, `element type '${descr}' is not supported (big-endian, object, string or complex)`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(file, `bad dimension '${s}'`);
      return n;
    });
  const dataStart = headerStart + headerLen;
  const need = elementCount(dims) * dtypeSize(type);
  if (bytes.length - dataStart < need) {
    throw new NpyFormatError(file, `payload has ${bytes.length - dataStart} bytes, shape ${JSON.stringify(dims)} needs ${need}`);
  }
  return { type, dims, data: typedFromBytes(type, bytes.subarray(dataStart, dataStart + need)) };
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

/** Reads a `.npy` file. */
export function readNpy(file: string): HostTensor {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new NpyFormatError(file, 'cannot read the file', { cause });
  }
  return decodeNpy(bytes, file);
}

/** Writes a `.npy` file and returns its size in bytes. */
export function writeNpy(file: string, t: HostTensor): number {
  const bytes = encodeNpy(t);
  writeFileSync(file, bytes);
  return bytes.byteLength;
}
