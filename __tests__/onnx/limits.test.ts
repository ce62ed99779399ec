/**
 * Model limits and file kinds: every limit of src/limits.ts that a model can meet is a per-model error
 * with its own code (never an out-of-memory crash), and only regular files are read. Inputs are generated
 * here; nothing reads /dev/zero or /dev/urandom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { runCheck } from '../../src/check.js';
import { ModelReadError } from '../../src/onnx/errors.js';
import { readModelSync } from '../../src/onnx/reader.js';
import { MODEL_MAX_RANK, MODEL_MAX_SUBGRAPH_DEPTH } from '../../src/limits.js';
import { buildModel, smallConvModel, type ModelSpec } from '../support/onnx-builder.js';

const { onnx } = onnxProto;
const dir = mkdtempSync(join(tmpdir(), 'edgegate-limits-'));

function model(name: string, spec: ModelSpec): string {
  const path = join(dir, name);
  buildModel(spec, path);
  return path;
}

/** A model whose only node reads a shape input declared int64[n]. */
function shapeInputModel(name: string, op: string, n: number): string {
  const inputs = op === 'ConstantOfShape' ? ['s'] : ['x', 's'];
  return model(name, { inputs: [{ name: 'x', dims: [1, 4] }, { name: 's', dims: [n], dtype: 7 }], outputs: [{ name: 'y' }], nodes: [{ op, inputs, outputs: ['y'] }] });
}

async function errorsOf(paths: string[]): Promise<{ path: string; codes: string[]; messages: string[] }[]> {
  const report = await runCheck({ models: paths, devices: [], repoRoot: dir, configPath: join(dir, 'none.yml') });
  return report.models.map((m) => ({ path: m.path, codes: m.errors.map((e) => e.code), messages: m.errors.map((e) => e.message) }));
}

const RANK_CASES = [
  { op: 'ConstantOfShape', n: 2 ** 31 },
  { op: 'Expand', n: 2 ** 31 },
  { op: 'Reshape', n: 2 ** 31 },
  { op: 'ConstantOfShape', n: MODEL_MAX_RANK + 1 },
];

for (const c of RANK_CASES) {
  test(`${c.op} whose shape input is int64[${c.n}] is a RANK_LIMIT error naming the node`, async () => {
    const [r] = await errorsOf([shapeInputModel(`${c.op}-${c.n}.onnx`, c.op, c.n)]);
    assert.deepEqual(r!.codes, ['RANK_LIMIT']);
    assert.match(r!.messages[0]!, new RegExp(`${c.op}_0.*rank ${c.n}, over the limit of ${MODEL_MAX_RANK}`));
  });
}

test('a shape input of rank within the limit still gives a shape of unknown dims', async () => {
  const report = await runCheck({ models: [shapeInputModel('cos-3.onnx', 'ConstantOfShape', 3)], devices: [], repoRoot: dir, configPath: join(dir, 'none.yml') });
  assert.deepEqual(report.models[0]!.errors, []);
});

test('a batch of 50 models with one rank-2^31 ConstantOfShape reports the other 49', async () => {
  const good = model('good.onnx', smallConvModel());
  const bad = shapeInputModel('cos-batch.onnx', 'ConstantOfShape', 2 ** 31);
  const paths = Array.from({ length: 50 }, (_, i) => (i === 17 ? bad : good));
  const rows = await errorsOf(paths);
  assert.equal(rows.length, 50);
  assert.deepEqual(rows.filter((r) => r.codes.length > 0).map((r) => [r.path, r.codes]), [['cos-batch.onnx', ['RANK_LIMIT']]]);
});

test('an inferred shape past the element limit is an ELEMENT_LIMIT error', async () => {
  const path = model('expand-huge.onnx', {
    inputs: [{ name: 'x', dims: [1, 1] }],
    outputs: [{ name: 'y' }],
    initializers: [{ name: 's', dims: [3], dtype: 7, values: [2 ** 20, 2 ** 20, 2 ** 20] }],
    nodes: [{ op: 'Expand', inputs: ['x', 's'], outputs: ['y'] }],
  });
  const [r] = await errorsOf([path]);
  assert.deepEqual(r!.codes, ['ELEMENT_LIMIT']);
  assert.match(r!.messages[0]!, /Expand_0.*\[1048576,1048576,1048576\], \d+ elements, over the limit/);
});

const TENSOR_CASES: { name: string; spec: ModelSpec; code: string; mentions: RegExp }[] = [
  {
    name: 'negative initializer dims',
    spec: { inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'y' }], initializers: [{ name: 'w', dims: [-1, 2], values: [1, 2] }], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }] },
    code: 'TENSOR_INVALID',
    mentions: /tensor 'w' .* dims \[-1, 2\]/,
  },
  {
    name: 'raw_data shorter than the dims say',
    spec: { inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'y' }], initializers: [{ name: 'w', dims: [4, 2], values: [1, 2] }], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }] },
    code: 'TENSOR_INVALID',
    mentions: /32 bytes, but its raw_data holds 8/,
  },
  {
    name: `an initializer of rank ${MODEL_MAX_RANK + 1}`,
    spec: { inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }], initializers: [{ name: 'w', dims: new Array(MODEL_MAX_RANK + 1).fill(1), values: [1] }], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }] },
    code: 'RANK_LIMIT',
    mentions: /rank 65/,
  },
];

for (const c of TENSOR_CASES) {
  test(`reader: ${c.name} is ${c.code}`, () => {
    const path = model(`${c.code}-${c.name.replace(/\W+/g, '_')}.onnx`, c.spec);
    assert.throws(() => readModelSync(path, { skipHash: true }), (e: unknown) => e instanceof ModelReadError && e.code === c.code && c.mentions.test(e.message));
  });
}

/** `depth` nested If nodes (then_branch nests, else_branch is a leaf), encoded directly. */
function deepIfModel(name: string, depth: number): string {
  const vi = (n: string): onnxProto.onnx.IValueInfoProto => ({ name: n, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } });
  const leaf = (d: number): onnxProto.onnx.IGraphProto => ({ name: `l${d}`, node: [{ opType: 'Relu', input: ['x'], output: [`y${d}`] }], output: [vi(`y${d}`)] });
  let g = leaf(0);
  for (let d = 1; d <= depth; d++) {
    const AT = onnx.AttributeProto.AttributeType;
    g = { name: `b${d}`, node: [{ opType: 'If', input: ['c'], output: [`y${d}`], attribute: [{ name: 'then_branch', type: AT.GRAPH, g }, { name: 'else_branch', type: AT.GRAPH, g: leaf(d) }] }], output: [vi(`y${d}`)] };
  }
  const m = { irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { ...g, input: [vi('x'), { name: 'c', type: { tensorType: { elemType: 9, shape: { dim: [] } } } }] } };
  const path = join(dir, name);
  writeFileSync(path, onnx.ModelProto.encode(m).finish());
  return path;
}

test(`subgraphs nested ${MODEL_MAX_SUBGRAPH_DEPTH + 1} deep are a DEPTH_LIMIT error; ${MODEL_MAX_SUBGRAPH_DEPTH} deep are read`, () => {
  assert.throws(() => readModelSync(deepIfModel('deep-over.onnx', MODEL_MAX_SUBGRAPH_DEPTH + 2), { skipHash: true }), (e: unknown) => e instanceof ModelReadError && e.code === 'DEPTH_LIMIT');
  assert.equal(readModelSync(deepIfModel('deep-ok.onnx', MODEL_MAX_SUBGRAPH_DEPTH), { skipHash: true }).graph.nodes.length, 1);
});

test('more nodes than the node budget is a NODE_LIMIT error', () => {
  const nodes = Array.from({ length: 11 }, (_, i) => ({ op: 'Relu', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [`t${i}`] }));
  const path = model('nodes.onnx', { inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 't10' }], nodes });
  assert.throws(() => readModelSync(path, { skipHash: true, maxNodes: 10 }), (e: unknown) => e instanceof ModelReadError && e.code === 'NODE_LIMIT');
  assert.equal(readModelSync(path, { skipHash: true, maxNodes: 11 }).graph.nodes.length, 11);
});

// ---- only regular files -------------------------------------------------------------------------------

function externalModel(sub: string, length?: number): string {
  const base = smallConvModel();
  const inits = base.initializers!.map((t) => (t.name === 'b' ? { ...t, external: { location: 'w.bin', write: false, ...(length !== undefined ? { length } : {}) } } : t));
  mkdirSync(join(dir, sub), { recursive: true });
  return model(join(sub, 'm.onnx'), { ...base, initializers: inits });
}

/** Runs a check in a child with a timeout: a reader that blocks on a FIFO fails the test instead of hanging it. */
function checkInChild(path: string): { codes: string[]; messages: string[] } {
  const script = `import { runCheck } from ${JSON.stringify(new URL('../../src/check.ts', import.meta.url).pathname)};
const r = await runCheck({ models: [${JSON.stringify(path)}], devices: [], configPath: '/nonexistent.yml' });
process.stdout.write(JSON.stringify(r.models[0].errors));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, `the check did not finish in 30 s (blocked on a FIFO?): ${r.stderr}`);
  const errors = JSON.parse(r.stdout) as { code: string; message: string }[];
  return { codes: errors.map((e) => e.code), messages: errors.map((e) => e.message) };
}

test('external data that is a named pipe is EXTERNAL_DATA_NOT_REGULAR, without blocking', () => {
  const path = externalModel('fifo');
  assert.equal(spawnSync('mkfifo', [join(dir, 'fifo', 'w.bin')]).status, 0);
  const r = checkInChild(path);
  assert.deepEqual(r.codes, ['EXTERNAL_DATA_NOT_REGULAR']);
  assert.match(r.messages[0]!, /w\.bin: .*is a named pipe; only regular files are read/);
});

test('a model path that is a named pipe is FILE_UNREADABLE, without blocking', () => {
  const fifo = join(dir, 'model-fifo.onnx');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const r = checkInChild(fifo);
  assert.deepEqual(r.codes, ['FILE_UNREADABLE']);
  assert.match(r.messages[0]!, /named pipe/);
});

test('external data that is a directory is EXTERNAL_DATA_NOT_REGULAR', () => {
  const path = externalModel('dir');
  mkdirSync(join(dir, 'dir', 'w.bin'));
  assert.throws(() => readModelSync(path, { skipHash: true }), (e: unknown) => e instanceof ModelReadError && e.code === 'EXTERNAL_DATA_NOT_REGULAR' && /is a directory/.test(e.message));
});

/** The small conv model with initializer b (float32[4], 16 bytes) stored in w.bin with these external_data entries. */
function externalEntries(sub: string, entries: Record<string, string>, fileBytes: number): string {
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, sub, 'w.bin'), Buffer.alloc(fileBytes));
  const base = smallConvModel();
  const m = onnx.ModelProto.decode(buildModel({ ...base, initializers: base.initializers!.map((t) => (t.name === 'b' ? { ...t, external: { location: 'w.bin', write: false } } : t)) }));
  const t = m.graph!.initializer!.find((x) => x.name === 'b')!;
  t.externalData = [{ key: 'location', value: 'w.bin' }, ...Object.entries(entries).map(([key, value]) => ({ key, value }))];
  const path = join(dir, sub, 'm.onnx');
  writeFileSync(path, onnx.ModelProto.encode(m).finish());
  return path;
}

const isCode = (code: string, mentions: RegExp) => (e: unknown): boolean => e instanceof ModelReadError && e.code === code && mentions.test(e.message);

test('external data sizes are checked against the dims and dtype the model declares', () => {
  assert.throws(() => readModelSync(externalEntries('size-long', { length: '20' }, 20), { skipHash: true }), isCode('EXTERNAL_DATA_SIZE', /declares 16 bytes .* length is 20/));
  assert.throws(() => readModelSync(externalEntries('size-short', {}, 8), { skipHash: true }), isCode('EXTERNAL_DATA_SIZE', /has 8 bytes from offset 0/));
  assert.throws(() => readModelSync(externalEntries('size-past-end', { offset: '4', length: '16' }, 16), { skipHash: true }), isCode('EXTERNAL_DATA_RANGE', /needs bytes 4..20 but the file has 16/));
  const ref = readModelSync(externalEntries('size-ok', { offset: '8' }, 24), { skipHash: true }).graph.initializers.get('b')!;
  assert.deepEqual(ref.payload.kind === 'external' && [ref.payload.offset, ref.payload.length], [8, 16]);
});

test('an offset or length that is not a plain decimal integer is EXTERNAL_DATA_RANGE', () => {
  for (const [k, text] of [['offset', '1e1'], ['length', '0x10'], ['offset', '-0'], ['length', ' 16']] as const) {
    const path = externalEntries(`range-${k}-${text.trim()}`, { [k]: text }, 32);
    assert.throws(() => readModelSync(path, { skipHash: true }), isCode('EXTERNAL_DATA_RANGE', /non-negative integer/), `${k}=${text}`);
  }
});

test('a symlink inside the folder that points out of it is still refused', () => {
  const path = externalModel('link-out');
  symlinkSync('/etc/hostname', join(dir, 'link-out', 'w.bin'));
  assert.throws(() => readModelSync(path, { skipHash: true }), (e: unknown) => e instanceof ModelReadError && e.code === 'EXTERNAL_DATA_ESCAPE');
});
