/** Byte-level mutations of small real models: bit flips, truncation, chunk deletion/duplication, huge varints. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzFamily, Rng } from '../types.js';
import { baseModels, checkCase, varint } from './model-common.js';

type Mutation = (rng: Rng, b: Buffer) => { bytes: Buffer; note: string };

const MUTATIONS: readonly Mutation[] = [
  (rng, b) => {
    const out = Buffer.from(b);
    const n = rng.range(1, 16);
    for (let i = 0; i < n; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
    return { bytes: out, note: `${n} bit flips` };
  },
  (rng, b) => {
    const at = rng.int(b.length);
    return { bytes: b.subarray(0, at), note: `truncated at ${at}/${b.length}` };
  },
  (rng, b) => {
    const at = rng.int(b.length);
    const len = rng.range(1, Math.min(512, b.length - at));
    return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + len)]), note: `deleted ${len} bytes at ${at}` };
  },
  (rng, b) => {
    const at = rng.int(b.length);
    const len = rng.range(1, Math.min(256, b.length - at));
    return { bytes: Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]), note: `duplicated ${len} bytes at ${at}` };
  },
  (rng, b) => {
    // A huge varint (a length or a dim) where one byte was: 10-byte maximal, or 2^31..2^63 values.
    const at = rng.int(b.length);
    const value = rng.pick([2n ** 64n - 1n, 2n ** 63n, 2n ** 31n, 2n ** 32n + 5n, 2n ** 53n + 1n, BigInt(b.length * 2)]);
    return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(varint(value)), b.subarray(at + 1)]), note: `varint ${value} at ${at}` };
  },
  (rng, b) => {
    const at = rng.int(b.length);
    const len = rng.range(1, 64);
    return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(rng.bytes(len)), b.subarray(at)]), note: `inserted ${len} random bytes at ${at}` };
  },
  (rng, b) => {
    const len = rng.range(1, 4096);
    return { bytes: rng.chance(0.5) ? Buffer.from(rng.bytes(len)) : Buffer.concat([b, Buffer.from(rng.bytes(len))]), note: `random bytes (${len})` };
  },
];

export const modelBytes: FuzzFamily = {
  name: 'model-bytes',
  group: 'model',
  make(rng, dir, index) {
    const base = rng.pick(baseModels());
    const rounds = rng.range(1, 3);
    let bytes = base.bytes;
    const notes: string[] = [];
    for (let i = 0; i < rounds && bytes.length > 0; i++) {
      const m = rng.pick(MUTATIONS)(rng, bytes);
      bytes = m.bytes;
      notes.push(m.note);
    }
    writeFileSync(join(dir, 'm.onnx'), bytes);
    return checkCase(rng, dir, 'model-bytes', index, `${base.name}: ${notes.join('; ')}`);
  },
};
