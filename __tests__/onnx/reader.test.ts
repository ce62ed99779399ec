import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { ModelReadError } from '../../src/onnx/errors.js';
import { readTensorValues } from '../../src/onnx/tensor-data.js';
import { buildModel, smallConvModel, type ModelSpec } from '../support/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-reader-'));
const validPath = join(dir, 'valid.onnx');
const validBytes = buildModel(smallConvModel(), validPath);

function seededBytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function writeCase(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function specWith(patch: Partial<ModelSpec>): ModelSpec {
  return { ...smallConvModel(), ...patch };
}

function modelInDir(sub: string, spec: ModelSpec): string {
  const p = join(dir, sub, 'model.onnx');
  buildModel(spec, p);
  return p;
}

const escapingInit = (location: string): ModelSpec =>
  specWith({ initializers: [...smallConvModel().initializers!.filter((t) => t.name !== 'w'), { name: 'w', dims: [4, 2, 3, 3], external: { location, length: 288, write: false } }] });

// A "field whose declared length runs past the end": the first node's length prefix claims 0x7f bytes
// more than its graph holds. Built by hand so only that one length is wrong.
function overrunBytes(): Buffer {
  const bytes = Buffer.from(validBytes);
  // Find the graph field (tag 0x3a) and the first node inside it (tag 0x0a), then inflate the node's length.
  const g = bytes.indexOf(0x3a);
  let pos = g + 1;
  while (bytes[pos]! & 0x80) pos++;
  pos++;
  assert.equal(bytes[pos], 0x0a, 'expected graph.node tag');
  bytes[pos + 1] = 0x7f;
  return bytes;
}

interface BadCase {
  readonly name: string;
  readonly path: () => string;
  readonly code: string;
  readonly mentions?: RegExp;
}

const cases: BadCase[] = [
  ...[0.1, 0.5, 0.9].map((f) => ({
    name: `truncated at ${Math.round(f * 100)}%`,
    path: () => writeCase(`trunc-${f}.onnx`, validBytes.subarray(0, Math.floor(validBytes.length * f))),
    code: 'TRUNCATED',
  })),
  { name: 'truncated by one byte', path: () => writeCase('trunc-last.onnx', validBytes.subarray(0, validBytes.length - 1)), code: 'TRUNCATED' },
  ...[1, 2, 3, 4, 5].map((seed) => ({ name: `random bytes (seed ${seed})`, path: () => writeCase(`random-${seed}.onnx`, seededBytes(seed, 4096)), code: 'NOT_ONNX' })),
  { name: 'empty file', path: () => writeCase('empty.onnx', ''), code: 'EMPTY_FILE' },
  {
    name: 'Git LFS pointer',
    path: () => writeCase('lfs.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'),
    code: 'LFS_POINTER',
    mentions: /lfs: true/,
  },
  { name: 'ZIP file', path: () => writeCase('model.zip.onnx', Buffer.concat([Buffer.from('PK\x03\x04'), seededBytes(9, 200)])), code: 'ZIP_FILE' },
  { name: 'missing file', path: () => join(dir, 'does-not-exist.onnx'), code: 'FILE_NOT_FOUND' },
  { name: 'external data escaping the folder', path: () => modelInDir('esc', escapingInit('../../etc/passwd')), code: 'EXTERNAL_DATA_ESCAPE', mentions: /leaves the model's folder/ },
  { name: 'external data at an absolute path', path: () => modelInDir('abs', escapingInit('/etc/passwd')), code: 'EXTERNAL_DATA_ABSOLUTE' },
  {
    name: 'external data through a symlink that leaves the folder',
    path: () => {
      const p = modelInDir('link', escapingInit('weights.bin'));
      const outside = join(dir, 'outside.bin');
      writeFileSync(outside, Buffer.alloc(288));
      symlinkSync(outside, join(dir, 'link', 'weights.bin'));
      return p;
    },
    code: 'EXTERNAL_DATA_ESCAPE',
  },
  { name: 'missing external file', path: () => modelInDir('missing', escapingInit('weights.bin')), code: 'EXTERNAL_DATA_MISSING' },
  {
    name: 'node domain missing from opset_import',
    path: () => modelInDir('domain', specWith({ nodes: [...smallConvModel().nodes, { op: 'Gelu', domain: 'com.microsoft', inputs: ['y'], outputs: ['z'] }] })),
    code: 'OPSET_DOMAIN_MISSING',
    mentions: /com\.microsoft/,
  },
  { name: 'default-domain opset below 7', path: () => modelInDir('old', specWith({ opsets: [{ domain: '', version: 6 }] })), code: 'OPSET_TOO_OLD' },
  { name: 'field length past the end of its message', path: () => writeCase('overrun.onnx', overrunBytes()), code: 'FIELD_LENGTH_OVERRUN' },
];

for (const c of cases) {
  test(`bad input: ${c.name} → ${c.code}`, () => {
    const path = c.path();
    assert.throws(
      () => readModelSync(path),
      (err: unknown) => {
        assert.ok(err instanceof ModelReadError, `expected ModelReadError, got ${String(err)}`);
        assert.equal(err.code, c.code, err.message);
        assert.ok(err.message.includes(err.file), 'message names the file');
        if (c.mentions) assert.match(err.message, c.mentions);
        return true;
      },
    );
  });
}

test('external data inside the folder is resolved lazily and decoded on demand', () => {
  const spec = specWith({
    initializers: [
      ...smallConvModel().initializers!.filter((t) => t.name !== 'b'),
      { name: 'b', dims: [4], values: [1, 2, 3, 4], external: { location: 'data/weights.bin' } },
    ],
  });
  const p = modelInDir('ext-ok', spec);
  const m = readModelSync(p);
  const b = m.graph.initializers.get('b')!;
  assert.equal(b.payload.kind, 'external');
  assert.deepEqual(readTensorValues(b), [1, 2, 3, 4]);
});

test('valid model: nodes keep their graph index, attributes and initializers', () => {
  const m = readModelSync(validPath);
  assert.deepEqual(
    m.graph.nodes.map((n) => [n.index, n.opType]),
    [
      [0, 'Conv'],
      [1, 'Relu'],
      [2, 'Reshape'],
      [3, 'MatMul'],
    ],
  );
  assert.deepEqual(m.graph.nodes[0]!.attributes.get('kernel_shape'), { type: 'ints', value: [3, 3] });
  assert.equal(m.opsetImports.get(''), 17);
  assert.deepEqual(readTensorValues(m.graph.initializers.get('shape')!), [1, -1]);
  assert.equal(m.sha256.length, 64);
  assert.equal(m.graph.inputs[0]!.shape!.join(','), '1,2,8,8');
});

test('weight payloads are skipped, not read: bytes read stay far below a large embedded initializer', () => {
  const big = specWith({ initializers: [...smallConvModel().initializers!, { name: 'big', dims: [1024, 1024] }] });
  const p = join(dir, 'big.onnx');
  buildModel(big, p);
  const size = readFileSync(p).length;
  assert.ok(size > 4 * 1024 * 1024);
  // Window of 64 KiB: reading the structure must not pull the 4 MiB payload through the window.
  let bytesRead = -1;
  const m = readModelSync(p, { windowSize: 64 * 1024, skipHash: true, onStats: (s) => (bytesRead = s.bytesRead) });
  assert.ok(bytesRead > 0 && bytesRead < 512 * 1024, `read ${bytesRead} bytes of ${size}`);
  assert.equal(m.graph.initializers.get('big')!.byteLength, 4 * 1024 * 1024);
  assert.equal(m.graph.initializers.get('big')!.payload.kind, 'raw');
});
