import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { InputSpecError, floatToHalf, generateTensor, makeInputs, readInputFile } from '../../src/parity/inputs.js';
import { writeNpy } from '../../src/parity/npy.js';
import { parseProfile, ProfileFormatError } from '../../src/parity/profile.js';
import { bitwiseEqual, halfToFloat } from '../../src/parity/tensor.js';
import type { ValueInfo } from '../../src/onnx/types.js';

const { onnx } = onnxProto;
let tmp: string;
before(() => (tmp = mkdtempSync(join(tmpdir(), 'edgegate-inputs-'))));
after(() => rmSync(tmp, { recursive: true, force: true }));

const vi = (name: string, dtype: number, shape: (number | string | null)[] | null): ValueInfo => ({ name, kind: 'tensor', dtype, shape });

describe('deterministic inputs', () => {
  it('the same seed gives the same bytes; another seed or input name does not', () => {
    const a = generateTensor('x', 'float32', [2, 8], 1);
    assert.ok(bitwiseEqual(a, generateTensor('x', 'float32', [2, 8], 1)));
    assert.ok(!bitwiseEqual(a, generateTensor('x', 'float32', [2, 8], 2)));
    assert.ok(!bitwiseEqual(a, generateTensor('y', 'float32', [2, 8], 1)));
  });

  it('floats are N(0,1) by default (mean and std close over 20k samples)', () => {
    const t = generateTensor('x', 'float32', [20000], 3);
    const d = t.data as Float32Array;
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(std - 1) < 0.05, `mean ${mean} std ${std}`);
  });

  it('integers stay in their range (token ids), default [0, 10)', () => {
    const t = generateTensor('ids', 'int64', [1000], 0, { low: 5, high: 9 });
    for (const v of t.data as BigInt64Array) assert.ok(v >= 5n && v < 9n);
    const d = generateTensor('ids', 'int32', [1000], 0);
    for (const v of d.data as Int32Array) assert.ok(v >= 0 && v < 10);
  });

  it('symbolic dims take configured values, else 1', () => {
    const m = makeInputs([vi('x', 1, ['batch', 3, 'seq', null])], { dimValues: { seq: 7 } });
    assert.deepEqual(m.get('x')!.dims, [1, 3, 7, 1]);
  });

  it('float16 conversion rounds to nearest', () => {
    for (const v of [0, 1, -2.5, 65504, 1e-5, 0.1]) assert.ok(Math.abs(halfToFloat(floatToHalf(v)) - v) <= Math.abs(v) * 1e-3 + 6e-8, String(v));
  });
});

describe('user input files', () => {
  it('.npy, .pb and .json give the same tensor', () => {
    const t = generateTensor('x', 'float32', [2, 3], 0);
    writeNpy(join(tmp, 'x.npy'), t);
    writeFileSync(join(tmp, 'x.pb'), onnx.TensorProto.encode({ dims: [2, 3], dataType: 1, rawData: new Uint8Array((t.data as Float32Array).buffer) }).finish());
    writeFileSync(join(tmp, 'x.json'), JSON.stringify({ type: 'float32', dims: [2, 3], data: [...(t.data as Float32Array)] }));
    writeFileSync(join(tmp, 'nested.json'), JSON.stringify([[...(t.data as Float32Array).slice(0, 3)], [...(t.data as Float32Array).slice(3)]]));
    for (const f of ['x.npy', 'x.pb', 'x.json', 'nested.json']) assert.ok(bitwiseEqual(readInputFile('x', join(tmp, f)), t), f);
  });

  it('a file of the wrong dtype is refused naming the input and file', () => {
    writeNpy(join(tmp, 'i.npy'), generateTensor('i', 'int32', [2], 0));
    assert.throws(
      () => makeInputs([vi('x', 1, [2])], { perInput: { x: { file: join(tmp, 'i.npy') } } }),
      (e: unknown) => e instanceof InputSpecError && /i\.npy/.test(e.message) && /'x'/.test(e.message),
    );
  });

  it('bad JSON and unknown extensions are named errors', () => {
    writeFileSync(join(tmp, 'bad.json'), '{"dims":[3],"data":[1,2]}');
    assert.throws(() => readInputFile('x', join(tmp, 'bad.json')), InputSpecError);
    assert.throws(() => readInputFile('x', join(tmp, 'x.txt')), /unknown input file type/);
  });
});

describe('onnxruntime profile parsing', () => {
  const ev = (name: string, idx: number | undefined, dur: number, op = 'Conv', cat = 'Node'): object => ({
    cat, pid: 1, tid: 1, dur, ts: 0, ph: 'X', name, args: idx === undefined ? {} : { op_name: op, provider: 'CPUExecutionProvider', node_index: String(idx) },
  });
  it('counts only *_kernel_time, keyed by node_index (unnamed nodes do not merge)', () => {
    const p = parseProfile(JSON.stringify([
      ev('model_loading_uri', undefined, 100, '', 'Session'),
      ev('_fence_before', 0, 1), ev('_kernel_time', 0, 10), ev('_fence_after', 0, 1),
      ev('_kernel_time', 1, 20, 'Relu'),
      ev('_kernel_time', 0, 30),
      ev('conv2_kernel_time', 2, 5, 'QLinearConv'),
    ]));
    assert.deepEqual(p.nodes.map((n) => [n.index, n.calls, n.totalUs]), [[0, 2, 40], [1, 1, 20], [2, 1, 5]]);
    assert.equal(p.nodes[0]!.meanUs, 20);
    assert.deepEqual(p.kernelsRun.map((k) => `${k.op}:${k.count}`), ['Conv:1', 'QLinearConv:1', 'Relu:1']);
  });
  it('rejects text that is not a trace array', () => {
    assert.throws(() => parseProfile('{}', 'p.json'), ProfileFormatError);
    assert.throws(() => parseProfile('nope', 'p.json'), /p\.json/);
  });
});
