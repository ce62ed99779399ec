/**
 * Every committed fixture model is intact (sha256 as made) and reads back as its manifest says:
 * node counts, op histograms, initializers, functions, sparse and external tensors, new dtypes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { readTensorValues } from '../../src/onnx/tensor-data.js';
import { dtypeName } from '../../src/onnx/types.js';

interface ManifestEntry {
  file: string;
  sha256: string;
  irVersion: number;
  nodeCount: number;
  opHistogram: Record<string, number>;
  initializerCount?: number;
  sparseInitializerCount?: number;
  functions: string[];
  expectedInitializers?: { name: string; dataType: number; dims: number[]; rawBytes: number; valuesAsFloat: number[] }[];
  externalFile?: string;
}

const manifests = [
  { dir: '__tests__/fixtures/models', manifest: JSON.parse(readFileSync('__tests__/fixtures/models/manifest.json', 'utf8')) },
  { dir: 'examples', manifest: JSON.parse(readFileSync('examples/manifest.json', 'utf8')) },
] as { dir: string; manifest: { models: Record<string, ManifestEntry> } }[];

for (const { dir, manifest } of manifests) {
  for (const [id, entry] of Object.entries(manifest.models)) {
    const path = join(dir, entry.file);
    test(`fixture ${path}: intact and read as its manifest says`, () => {
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      assert.equal(sha, entry.sha256, `${path} changed since it was made; regenerate it with scripts/fixtures/`);
      const m = readModelSync(path);
      assert.equal(m.sha256, entry.sha256);
      assert.equal(m.irVersion, entry.irVersion);
      assert.equal(m.graph.nodes.length, entry.nodeCount);
      const hist: Record<string, number> = {};
      for (const n of m.graph.nodes) {
        const key = n.domain ? `${n.domain}:${n.opType}` : n.opType;
        hist[key] = (hist[key] ?? 0) + 1;
      }
      assert.deepEqual(hist, entry.opHistogram, `${id} op histogram`);
      const inits = [...m.graph.initializers.values()];
      if (entry.initializerCount !== undefined) assert.equal(inits.filter((t) => !t.sparse).length, entry.initializerCount);
      if (entry.sparseInitializerCount !== undefined) assert.equal(inits.filter((t) => t.sparse).length, entry.sparseInitializerCount);
      assert.deepEqual(
        m.functions.map((f) => `${f.domain}:${f.name}`),
        entry.functions,
      );
    });
  }
}

test('new dtypes (FLOAT8, INT4/UINT4, FLOAT4E2M1) keep their dtype numbers, dims and packed byte sizes', () => {
  const entry = manifests[0]!.manifest.models['new_dtypes']!;
  const m = readModelSync('__tests__/fixtures/models/new_dtypes.onnx');
  for (const exp of entry.expectedInitializers!) {
    const t = m.graph.initializers.get(exp.name);
    assert.ok(t, exp.name);
    assert.equal(t.dtype, exp.dataType, `${exp.name} dtype`);
    assert.deepEqual([...t.dims], exp.dims);
    assert.equal(t.byteLength, exp.rawBytes, `${exp.name} packed size`);
    assert.equal(t.payload.kind === 'raw' ? t.payload.length : -1, exp.rawBytes);
    assert.ok(!dtypeName(t.dtype).startsWith('dtype('), `${exp.name} dtype has a name`);
    if (exp.dataType === 21 || exp.dataType === 22) assert.deepEqual(readTensorValues(t), exp.valuesAsFloat, `${exp.name} nibbles, low first`);
  }
});

test('local function: body, domain and the custom domain import are read', () => {
  const m = readModelSync('__tests__/fixtures/models/local_function.onnx');
  const fn = m.functions[0]!;
  assert.equal(fn.domain, 'edgegate.custom');
  assert.ok(fn.nodes.length > 0);
  assert.ok(m.opsetImports.has('edgegate.custom'));
  assert.ok(m.graph.nodes.some((n) => n.domain === 'edgegate.custom' && n.opType === fn.name));
});

test('control flow: If and Loop bodies are decoded as subgraphs', () => {
  const m = readModelSync('__tests__/fixtures/models/control_flow.onnx');
  const graphs = m.graph.nodes.flatMap((n) => [...n.attributes.values()].filter((a) => a.type === 'graph'));
  assert.ok(graphs.length >= 3, 'If then/else + Loop body');
  const bodyNodes = graphs.reduce((s, a) => s + (a.type === 'graph' ? a.value.nodes.length : 0), 0);
  assert.equal(bodyNodes, 5);
});

test('external data fixture: payload resolved inside the folder, values decoded on demand', () => {
  const m = readModelSync('__tests__/fixtures/models/external/ext_model.onnx');
  const ext = [...m.graph.initializers.values()].filter((t) => t.payload.kind === 'external');
  assert.ok(ext.length > 0);
  for (const t of ext) {
    const v = readTensorValues(t, 1 << 20);
    assert.ok(v && v.length === t.elementCount, t.name);
  }
});

test('sparse initializer: dense dims and stored non-zeros', () => {
  const m = readModelSync('__tests__/fixtures/models/sparse_init.onnx');
  const sparse = [...m.graph.initializers.values()].filter((t) => t.sparse);
  assert.equal(sparse.length, 1);
  assert.ok(sparse[0]!.sparseNnz! < sparse[0]!.elementCount);
});
