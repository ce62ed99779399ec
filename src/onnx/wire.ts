/**
 * A streaming protobuf wire-format reader over a file. It reads through a sliding window, so a model's
 * weight payloads (raw_data, typed data fields) are skipped by offset and never read into memory.
 * Memory use is the window size plus the decoded graph structure, whatever the weights weigh.
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../io/regular-file.js';

/** Protobuf wire types. Groups (3, 4) are deprecated and never appear in ONNX files. */
/**
 * The same bytes as a plain Uint8Array view (no copy). protobufjs decodes a Node Buffer with its Buffer
 * reader, which makes every empty string/bytes field with `new Buffer(0)`: Node's DEP0005 warning on
 * stderr once the code is bundled. Every protobufjs decode goes through this.
 */
export function plainBytes(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Raised for any structural problem; the reader turns it into a ModelReadError with a code. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    /** `overrun` (a length runs past its enclosing message), `eof` (input ends inside a value), `invalid`. */
    readonly kind: 'overrun' | 'eof' | 'invalid',
    message: string,
    /** Absolute byte offset in the file where the problem was found. */
    readonly offset: number,
    /** True when the problem is at the outermost message level (a cut file rather than a bad field). */
    readonly topLevel: boolean,
    /** Field number and wire type of the field being read, when known. */
    readonly field?: number,
    readonly wireType?: number,
  ) {
    super(message);
  }
}

/** What ProtoReader walks: a file through a window, or bytes already in memory. */
export interface ByteSource {
  readonly size: number;
  byteAt(offset: number): number;
  read(offset: number, length: number): Buffer;
}

/** In-memory bytes as a ByteSource (no copy). */
export class MemoryBytes implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }

  byteAt(offset: number): number {
    if (offset < 0 || offset >= this.size) throw new RangeError(`byte ${offset} outside ${this.size} bytes`);
    return this.bytes[offset]!;
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read ${offset}+${length} outside ${this.size} bytes`);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + offset, length);
  }
}

/** Random access to a file's bytes through one cached window. */
export class WindowedFile {
  private readonly fd: number;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  /** Total bytes read from disk, for tests that prove payloads are skipped. */
  bytesRead = 0;

  constructor(
    readonly path: string,
    readonly size: number,
    // Small: most reads are message headers and short fields, and payloads are skipped by offset.
    private readonly windowSize = 64 * 1024,
  ) {
    // Non-blocking open + fstat: a path swapped for a FIFO or a device after the caller's check is refused.
    this.fd = openRegularFile(path, { maxBytes: Number.MAX_SAFE_INTEGER, what: 'model' }).fd;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Bytes [offset, offset+length) as a Buffer (a view of the window when it fits). */
  read(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.size) {
      throw new RangeError(`read ${offset}+${length} outside file of ${this.size} bytes`);
    }
    if (offset >= this.windowStart && offset + length <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
    }
    if (length > this.windowSize) {
      // A large value the caller really asked for (e.g. a big string): read it once, do not cache.
      const buf = Buffer.allocUnsafe(length);
      this.readFully(buf, offset);
      return buf;
    }
    const size = Math.min(this.windowSize, this.size - offset);
    const buf = Buffer.allocUnsafe(size);
    this.readFully(buf, offset);
    this.window = buf;
    this.windowStart = offset;
    return buf.subarray(0, length);
  }

  private readFully(buf: Buffer, offset: number): void {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, offset + done);
      if (n === 0) throw new RangeError(`unexpected end of file at ${offset + done}`);
      done += n;
    }
    this.bytesRead += buf.length;
  }

  byteAt(offset: number): number {
    if (offset >= this.windowStart && offset < this.windowStart + this.window.length) {
      return this.window[offset - this.windowStart]!;
    }
    return this.read(offset, 1)[0]!;
  }
}

/** One field as found on the wire. For LEN fields, `offset`/`length` locate the payload in the file. */
export interface WireField {
  readonly field: number;
  readonly wireType: number;
  /** VARINT value (as a JS number; exact up to 2^53, which covers every size and count ONNX uses). */
  readonly varint: number;
  /** Raw 64-bit VARINT when it exceeds 2^53 or is negative (int64 two's complement). */
  readonly bigVarint?: bigint;
  readonly offset: number;
  readonly length: number;
  /** Where the field's tag starts (for callers that splice whole fields). */
  readonly tagOffset: number;
}

/**
 * Walks one message's fields between `start` and `end`. Nested messages are walked by calling
 * `message()` again on a field's payload range, so nothing is copied.
 */
export class ProtoReader {
  constructor(readonly file: ByteSource) {}

  /** Iterates the fields of the message occupying [start, end). `topLevel` marks the file's root. */
  *fields(start: number, end: number, topLevel = false): Generator<WireField> {
    let pos = start;
    while (pos < end) {
      const tagStart = pos;
      let field: number;
      let wireType: number;
      const small = this.smallVarint(pos, end);
      if (small >= 0) {
        pos = this.afterSmall;
        field = Math.floor(small / 8);
        wireType = small % 8;
      } else {
        const [tag, afterTag] = this.varint(pos, end, topLevel);
        pos = afterTag;
        field = Number(tag >> 3n);
        wireType = Number(tag & 7n);
      }
      if (field === 0) {
        throw new WireError('invalid', `field number 0 at offset ${tagStart}`, tagStart, topLevel);
      }
      switch (wireType) {
        case WireType.VARINT: {
          const value = this.smallVarint(pos, end);
          if (value >= 0) {
            const next = this.afterSmall;
            yield { field, wireType, varint: value, bigVarint: undefined, offset: pos, length: next - pos, tagOffset: tagStart };
            pos = next;
            break;
          }
          const [v, next] = this.varint(pos, end, topLevel);
          const big = v > BigInt(Number.MAX_SAFE_INTEGER) ? v : undefined;
          yield { field, wireType, varint: big === undefined ? Number(v) : Number(BigInt.asIntN(64, v)), bigVarint: big, offset: pos, length: next - pos, tagOffset: tagStart };
          pos = next;
          break;
        }
        case WireType.I64:
          this.need(pos, 8, end, topLevel);
          yield { field, wireType, varint: 0, offset: pos, length: 8, tagOffset: tagStart };
          pos += 8;
          break;
        case WireType.I32:
          this.need(pos, 4, end, topLevel);
          yield { field, wireType, varint: 0, offset: pos, length: 4, tagOffset: tagStart };
          pos += 4;
          break;
        case WireType.LEN: {
          let length = this.smallVarint(pos, end);
          let next = this.afterSmall;
          if (length < 0) {
            const [len, after] = this.varint(pos, end, topLevel);
            length = Number(len);
            next = after;
          }
          if (next + length > end) {
            const kind = next + length > this.file.size ? 'eof' : 'overrun';
            throw new WireError(
              topLevel && kind === 'eof' ? 'eof' : 'overrun',
              `field ${field} at offset ${tagStart} declares ${length} bytes, but only ${end - next} remain in its ${topLevel ? 'file' : 'enclosing message'}`,
              tagStart,
              topLevel,
              field,
              wireType,
            );
          }
          yield { field, wireType, varint: 0, offset: next, length, tagOffset: tagStart };
          pos = next + length;
          break;
        }
        default:
          throw new WireError('invalid', `invalid wire type ${wireType} for field ${field} at offset ${tagStart}`, tagStart, topLevel);
      }
    }
  }

  private need(pos: number, n: number, end: number, topLevel: boolean): void {
    if (pos + n > end) {
      throw new WireError(topLevel ? 'eof' : 'overrun', `value at offset ${pos} needs ${n} bytes, ${end - pos} remain`, pos, topLevel);
    }
  }

  /** Where the varint read by the last successful `smallVarint` ends. */
  private afterSmall = 0;

  /**
   * The varint at `pos` as a number when it is complete within `end` and at most 7 bytes long (below 2^49,
   * which covers tags, lengths and ordinary values), else -1 (then `varint` decodes it, or says what is
   * wrong). No BigInt and no result array: a model has a few fields per node, and may have a million nodes.
   */
  private smallVarint(pos: number, end: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7 && pos + i < end; i++) {
      const b = this.file.byteAt(pos + i);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        this.afterSmall = pos + i + 1;
        return value;
      }
      scale *= 128;
    }
    return -1;
  }

  /** Decodes a base-128 varint at `pos`, bounded by `end`. Returns [value, next position]. */
  varint(pos: number, end: number, topLevel: boolean): [bigint, number] {
    // Fast path: most varints (tags, lengths, small ints) fit in 28 bits and need no BigInt work.
    let small = 0;
    for (let i = 0; i < 4; i++) {
      if (pos + i >= end) break;
      const b = this.file.byteAt(pos + i);
      small |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return [BigInt(small), pos + i + 1];
    }
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) {
        throw new WireError(topLevel || end >= this.file.size ? 'eof' : 'overrun', `varint runs past the end at offset ${pos}`, pos, topLevel);
      }
      const b = this.file.byteAt(pos++);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return [result, pos];
      shift += 7n;
    }
    throw new WireError('invalid', `varint longer than 10 bytes at offset ${pos}`, pos, topLevel);
  }

  string(f: WireField): string {
    return this.file.read(f.offset, f.length).toString('utf8');
  }

  bytes(f: WireField): Buffer {
    return Buffer.from(this.file.read(f.offset, f.length));
  }

  float32(f: WireField): number {
    return this.file.read(f.offset, 4).readFloatLE(0);
  }

  /** Packed or single varints of a repeated int field, as numbers (int64 two's complement handled). */
  varints(f: WireField): number[] {
    if (f.wireType === WireType.VARINT) return [f.varint];
    const out: number[] = [];
    let pos = f.offset;
    const end = f.offset + f.length;
    while (pos < end) {
      const [v, next] = this.varint(pos, end, false);
      out.push(Number(BigInt.asIntN(64, v)));
      pos = next;
    }
    return out;
  }

  /** Packed or single float32s of a repeated float field. */
  floats(f: WireField): number[] {
    if (f.wireType === WireType.I32) return [this.float32(f)];
    const buf = this.file.read(f.offset, f.length);
    const out: number[] = [];
    for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
    return out;
  }
}
