import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNpy, encodeNpy, NpyFormatError } from '../../src/parity/npy.js';
import { type HostTensor, TENSOR_DTYPES, allocTyped, bitwiseEqual } from '../../src/parity/tensor.js';

function sample(type: (typeof TENSOR_DTYPES)[number], dims: number[]): HostTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = allocTyped(type, n);
  for (let i = 0; i < n; i++) {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(i * 3 + 1);
    else (data as Float64Array)[i] = type.startsWith('float') && type !== 'float16' ? i * 0.5 - 1 : i % 2;
  }
  return { type, dims, data };
}

describe('npy', () => {
  for (const type of TENSOR_DTYPES) {
    for (const dims of [[], [1], [2, 3], [0, 4]]) {
      it(`round-trips ${type}[${dims.join(',')}]`, () => {
        const t = sample(type, dims);
        const bytes = encodeNpy(t);
        assert.equal((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64, 0, 'header padded to 64 bytes');
        const back = decodeNpy(bytes);
        assert.ok(bitwiseEqual(back, t), `${type} differs after round trip`);
      });
    }
  }

  it('reads a header written by numpy 1.x (shape with trailing comma, version 1.0)', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    const h = header + ' '.repeat(pad) + '\n';
    const bytes = new Uint8Array(10 + h.length + 12);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, h.length, true);
    for (let i = 0; i < h.length; i++) bytes[10 + i] = h.charCodeAt(i);
    new Float32Array(bytes.buffer, 10 + h.length, 3).set([1, 2, 3]);
    const t = decodeNpy(bytes);
    assert.deepEqual(t.dims, [3]);
    assert.deepEqual([...(t.data as Float32Array)], [1, 2, 3]);
  });

  const bad: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['bad magic', (b) => Uint8Array.from([0, ...b.subarray(1)]), /magic/],
    ['truncated payload', (b) => b.subarray(0, b.length - 1), /payload has/],
    ['big-endian', (b) => replaceHeader(b, "'<f4'", "'>f4'"), /not supported/],
    ['fortran order', (b) => replaceHeader(b, 'False', 'True '), /Fortran/],
    ['version 9', (b) => Uint8Array.from([...b.subarray(0, 6), 9, ...b.subarray(7)]), /version 9/],
  ];
  for (const [name, mutate, re] of bad) {
    it(`rejects ${name} with a named error that names the file`, () => {
      const good = encodeNpy(sample('float32', [2]));
      assert.throws(() => decodeNpy(mutate(good), 'x.npy'), (e: unknown) => e instanceof NpyFormatError && re.test(e.message) && e.message.startsWith('x.npy'));
    });
  }
});

function replaceHeader(b: Uint8Array, from: string, to: string): Uint8Array {
  const s = Buffer.from(b).toString('latin1').replace(from, to);
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}
