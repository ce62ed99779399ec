/**
 * Lists the external-data files an ONNX model refers to (TensorProto.external_data `location`), so the
 * base version of a model can be extracted together with its weights. A minimal streaming walk of the
 * protobuf wire format: it descends only into the messages that can hold tensors and skips everything
 * else by length, so weights embedded in the file are never read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

// field number → kind of the sub-message, per message kind (onnx.proto).
const DESCEND: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  model: { 7: 'graph', 25: 'function' },
  function: { 7: 'node' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  tensor: { 13: 'entry' },
};

class Reader {
  private buf = Buffer.alloc(0);
  private start = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  byte(pos: number): number {
    if (pos < this.start || pos >= this.start + this.buf.length) {
      if (pos >= this.size) throw new RangeError(`unexpected end of file at byte ${pos}`);
      const len = Math.min(64 * 1024, this.size - pos);
      const b = Buffer.alloc(len);
      let done = 0;
      while (done < len) {
        const n = readSync(this.fd, b, done, len - done, pos + done);
        if (n === 0) break;
        done += n;
      }
      this.buf = b.subarray(0, done);
      this.start = pos;
    }
    return this.buf[pos - this.start]!;
  }
  bytes(pos: number, len: number): Buffer {
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = this.byte(pos + i);
    return out;
  }
  varint(pos: number): [number, number] {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(pos + i);
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return [v, pos + i + 1];
    }
    throw new RangeError(`bad varint at byte ${pos}`);
  }
}

function walk(r: Reader, kind: string, from: number, to: number, out: Set<string>): void {
  let pos = from;
  let key = '';
  let value = '';
  while (pos < to) {
    const [tag, p1] = r.varint(pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = p1;
    if (wire === 0) pos = r.varint(pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = r.varint(pos);
      const end = p2 + len;
      if (end > to) throw new RangeError(`field ${field} runs past its message at byte ${p2}`);
      const sub = DESCEND[kind]?.[field];
      if (kind === 'entry' && (field === 1 || field === 2) && len < 4096) {
        const s = r.bytes(p2, len).toString('utf8');
        if (field === 1) key = s;
        else value = s;
      } else if (sub) walk(r, sub, p2, end, out);
      pos = end;
    } else throw new RangeError(`unsupported wire type ${wire} at byte ${pos}`);
  }
  if (kind === 'entry' && key === 'location' && value !== '') out.add(value);
}

/**
 * The distinct `location` values of external tensors in the model file, as written (relative to the
 * model's folder). Throws RangeError on a malformed file; the model reader reports those properly.
 */
export function externalDataLocations(modelPath: string): string[] {
  const fd = openSync(modelPath, 'r');
  try {
    const r = new Reader(fd, fstatSync(fd).size);
    const out = new Set<string>();
    walk(r, 'model', 0, r.size, out);
    return [...out].sort();
  } finally {
    closeSync(fd);
  }
}
