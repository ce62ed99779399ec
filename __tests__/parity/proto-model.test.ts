import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ModelEditError,
  concatBytes,
  extractSubmodel,
  lenField,
  linkExternalData,
  parseProtoModel,
  readProtoModel,
  scanFields,
  varintField,
  withExtraOutputs,
  withScaledInitializer,
} from '../../src/parity/proto-model.js';
import { loadOnnxruntime } from '../../src/runtime/ort-loader.js';
import { fixture, sharedModelsOrSkip } from './helpers/paths.js';

let tmp: string;
before(() => (tmp = mkdtempSync(join(tmpdir(), 'edgegate-proto-'))));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Appends an unknown field (number 99, a string) to the NodeProto at `nodeIdx` and to the model. */
function withUnknownFields(bytes: Uint8Array): Uint8Array {
  const top = scanFields(bytes, 0, bytes.length);
  const g = top.find((f) => f.field === 7)!;
  const gf = scanFields(bytes, g.valueStart, g.end);
  const marker = new TextEncoder().encode('KEEP-ME-99');
  const graph = concatBytes(
    gf.map((f) => {
      const raw = bytes.subarray(f.start, f.end);
      if (f.field !== 1) return raw;
      return lenField(1, concatBytes([bytes.subarray(f.valueStart, f.end), lenField(99, marker)]));
    }),
  );
  return concatBytes([...top.map((f) => (f === g ? lenField(7, graph) : bytes.subarray(f.start, f.end))), varintField(98, 7)]);
}

describe('proto-model edits keep every byte they do not change', () => {
  it('withExtraOutputs: unknown fields (IR 9+ additions) survive, outputs appended once', () => {
    const base = withUnknownFields(readFileSync(fixture('tiny_cnn.onnx')));
    const m = parseProtoModel(base, fixture('tiny_cnn.onnx'));
    const extra = m.nodes.slice(0, 3).map((n) => ({ name: n.outputs[0]! }));
    const edited = parseProtoModel(withExtraOutputs(m, [...extra, ...extra, { name: '' }]), 'x.onnx');
    assert.deepEqual(edited.outputs.map((o) => o.name), [...m.outputs.map((o) => o.name), ...extra.map((e) => e.name)]);
    const text = Buffer.from(withExtraOutputs(m, extra)).toString('latin1');
    assert.equal(text.split('KEEP-ME-99').length - 1, m.nodes.length, 'node-level unknown field kept on every node');
    const top = scanFields(withExtraOutputs(m, extra), 0, withExtraOutputs(m, extra).length);
    assert.ok(top.some((f) => f.field === 98 && f.varint === 7n), 'model-level unknown field kept');
  });

  it('extractSubmodel: copies node bytes verbatim and only the initializers used', () => {
    const m = readProtoModel(fixture('tiny_cnn.onnx'));
    const conv = m.nodes.find((n) => n.opType === 'Conv')!;
    const sub = parseProtoModel(extractSubmodel(m, { nodes: [conv.index], inputs: [{ name: conv.inputs[0]!, dtype: 1, dims: [1, 3, 32, 32] }], outputs: [{ name: conv.outputs[0]! }] }), 'sub.onnx');
    assert.equal(sub.nodes.length, 1);
    assert.deepEqual(Buffer.from(sub.nodes[0]!.raw), Buffer.from(conv.raw));
    assert.deepEqual([...sub.initializers.keys()].sort(), conv.inputs.slice(1).filter((x) => m.initializers.has(x)).sort());
    assert.deepEqual(sub.inputs.map((i) => i.name), [conv.inputs[0]]);
    assert.equal(sub.irVersion, m.irVersion);
    assert.deepEqual([...sub.opsetImports], [...m.opsetImports]);
  });

  it('withScaledInitializer scales exactly one tensor', () => {
    const m = readProtoModel(fixture('tiny_cnn.onnx'));
    const name = m.nodes.find((n) => n.opType === 'Conv')!.inputs[1]!;
    const scaled = parseProtoModel(withScaledInitializer(m, name, 2), 'x.onnx');
    assert.equal(scaled.initializers.size, m.initializers.size);
    assert.notDeepEqual(Buffer.from(scaled.initializers.get(name)!.raw), Buffer.from(m.initializers.get(name)!.raw));
    for (const [k, v] of m.initializers) if (k !== name) assert.deepEqual(Buffer.from(scaled.initializers.get(k)!.raw), Buffer.from(v.raw));
    assert.throws(() => withScaledInitializer(m, 'nope', 2), ModelEditError);
  });

  it('edited IR-10 dynamo models still load and run in onnxruntime', async (t) => {
    const shared = sharedModelsOrSkip();
    const files = [fixture('tiny_vit_micro_dynamo.onnx'), fixture('local_function.onnx')];
    if (shared) files.push(join(shared, 'mobilenet_v3_large_dynamo.onnx'), join(shared, 'tiny_vit_dynamo.onnx'));
    else t.diagnostic('../shared absent: only fixtures checked');
    const { ort } = await loadOnnxruntime();
    for (const f of files) {
      const m = readProtoModel(f);
      const all = m.nodes.filter((n) => n.opType !== 'Constant').flatMap((n) => n.outputs).filter((o) => o !== '');
      const p = join(tmp, 'edited.onnx');
      writeFileSync(p, withExtraOutputs(m, all.map((name) => ({ name }))));
      const s = await ort.InferenceSession.create(p, { graphOptimizationLevel: 'disabled' });
      assert.equal(s.outputNames.length, new Set([...m.outputs.map((o) => o.name), ...all]).size, f);
      await s.release();
    }
  });

  it('parse errors name the file', () => {
    assert.throws(() => parseProtoModel(Uint8Array.from([0x0a, 0xff, 0xff, 0x01]), 'broken.onnx'), (e: unknown) => e instanceof ModelEditError && e.message.startsWith('broken.onnx'));
    assert.throws(() => parseProtoModel(varintField(1, 8), 'nograph.onnx'), /no graph/);
  });
});

describe('external data stays inside the model folder', () => {
  function modelWithLocation(location: string): string {
    const dir = join(tmp, `ext-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    const src = readFileSync(fixture('external/ext_model.onnx'));
    // Rewrite the location string in place (same length keeps every length prefix valid).
    const orig = 'ext_weights.bin';
    assert.equal(location.length, orig.length, 'test locations keep the length');
    const text = Buffer.from(src).toString('latin1').split(orig).join(location);
    writeFileSync(join(dir, 'm.onnx'), Buffer.from(text, 'latin1'));
    return join(dir, 'm.onnx');
  }

  it('links the data file into the work folder', () => {
    const m = readProtoModel(fixture('external/ext_model.onnx'));
    const work = join(tmp, 'work-ok');
    mkdirSync(work);
    linkExternalData(m, work);
    assert.deepEqual(readFileSync(join(work, 'ext_weights.bin')), readFileSync(fixture('external/ext_weights.bin')));
  });

  for (const [what, loc] of [
    ['a parent-folder location', '../xweights.bin'],
    ['an absolute location', '/tmp/weights.bi'],
  ] as const) {
    it(`refuses ${what}`, () => {
      const m = readProtoModel(modelWithLocation(loc));
      assert.throws(() => linkExternalData(m, join(tmp, 'w')), (e: unknown) => e instanceof ModelEditError && /leaves the model folder/.test(e.message));
    });
  }
});
