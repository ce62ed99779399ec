/**
 * Bad input through the real CLI process: each class of malformed model gets its own error code, a
 * message naming the file, exit code 2 and no stack trace — and the good model given beside it is still
 * analyzed in the same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildModel, smallConvModel, type ModelSpec } from '../support/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-cli-bad-'));
const good = resolve('__tests__/fixtures/models/tiny_cnn.onnx');
const valid = buildModel(smallConvModel());

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function model(sub: string, spec: ModelSpec): string {
  const p = join(dir, sub, 'model.onnx');
  buildModel(spec, p);
  return p;
}

const base = smallConvModel();
const withExternal = (location: string): ModelSpec => ({
  ...base,
  initializers: [...base.initializers!.filter((t) => t.name !== 'w'), { name: 'w', dims: [4, 2, 3, 3], external: { location, write: false } }],
});

const cases: { name: string; path: () => string; code: string }[] = [
  { name: 'truncated at 30%', path: () => file('t30.onnx', valid.subarray(0, Math.floor(valid.length * 0.3))), code: 'TRUNCATED' },
  { name: 'truncated at 75%', path: () => file('t75.onnx', valid.subarray(0, Math.floor(valid.length * 0.75))), code: 'TRUNCATED' },
  { name: 'random bytes', path: () => file('random.onnx', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 2654435761) >>> 24))), code: 'NOT_ONNX' },
  { name: 'empty file', path: () => file('empty.onnx', ''), code: 'EMPTY_FILE' },
  { name: 'Git LFS pointer', path: () => file('lfs.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 99\n'), code: 'LFS_POINTER' },
  { name: 'ZIP file', path: () => file('zip.onnx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)])), code: 'ZIP_FILE' },
  { name: 'external data ../../etc/passwd', path: () => model('escape', withExternal('../../etc/passwd')), code: 'EXTERNAL_DATA_ESCAPE' },
  { name: 'external data at an absolute path', path: () => model('absolute', withExternal('/etc/passwd')), code: 'EXTERNAL_DATA_ABSOLUTE' },
  { name: 'missing external file', path: () => model('missing', withExternal('weights.bin')), code: 'EXTERNAL_DATA_MISSING' },
  {
    name: 'graph cycle',
    path: () =>
      model('cycle', {
        inputs: [{ name: 'x', dims: [1, 4] }],
        outputs: [{ name: 'c' }],
        nodes: [
          { op: 'Add', inputs: ['x', 'c'], outputs: ['a'] },
          { op: 'Relu', inputs: ['a'], outputs: ['b'] },
          { op: 'Relu', inputs: ['b'], outputs: ['c'] },
        ],
      }),
    code: 'GRAPH_CYCLE',
  },
  {
    name: 'tensor produced twice',
    path: () =>
      model('dup', {
        inputs: [{ name: 'x', dims: [1, 4] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['y'] },
          { op: 'Sigmoid', inputs: ['x'], outputs: ['y'] },
        ],
      }),
    code: 'DUPLICATE_PRODUCER',
  },
  { name: 'node domain missing from opset_import', path: () => model('domain', { ...base, nodes: [...base.nodes, { op: 'FusedMatMul', domain: 'com.microsoft', inputs: ['y', 'y'], outputs: ['z'] }] }), code: 'OPSET_DOMAIN_MISSING' },
  { name: 'default-domain opset below 7', path: () => model('opset6', { ...base, opsets: [{ domain: '', version: 6 }] }), code: 'OPSET_TOO_OLD' },
  {
    name: 'field length past the end of the file',
    path: () => {
      const bytes = Buffer.from(valid);
      const g = bytes.indexOf(0x3a);
      let pos = g + 1;
      while (bytes[pos]! & 0x80) pos++;
      bytes[pos + 2] = 0x7f; // the first node's length
      return file('overrun.onnx', bytes);
    },
    code: 'FIELD_LENGTH_OVERRUN',
  },
];

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve('bin/edgegate.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const c of cases) {
  test(`CLI bad input: ${c.name} → ${c.code}, exit 2, the good model still analyzed`, () => {
    const bad = c.path();
    const r = runCli(['check', bad, good, '--format', 'json']);
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    const report = JSON.parse(r.stdout) as { errors: { code: string; file: string; message: string }[]; models: { path: string; nodes: number | null; errors: unknown[] }[] };
    const err = report.errors.find((e) => e.code === c.code);
    assert.ok(err, `expected ${c.code}, got ${JSON.stringify(report.errors)}`);
    assert.ok(err.message.includes(err.file), 'message names the file');
    assert.match(r.stderr, new RegExp(`\\[${c.code}\\]`));
    const goodReport = report.models.find((m) => m.path.endsWith('tiny_cnn.onnx'));
    assert.ok(goodReport && goodReport.errors.length === 0 && goodReport.nodes === 11, 'the good model is still analyzed');
  });
}

test('CLI usage errors exit 2 with one line, no stack trace', () => {
  for (const args of [['check'], ['check', good, '--format', 'yaml'], ['check', good, '--dim', 'batch'], ['frobnicate']]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^edgegate: /);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
  }
});

test('CLI on a good model exits 0 and prints the table', () => {
  const r = runCli(['check', good, '--no-devices']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tiny_cnn\.onnx/);
});
