/**
 * Conformance against references made once outside EdgeGate:
 * - shapes: onnxruntime's actual output shapes of every node (`fixtures/reference/ort-shapes`);
 * - MACs: torchvision's published GFLOPS and torch FlopCounterMode (`fixtures/reference/macs.json`).
 * Models under ../shared skip when it is absent, except under CI=true where that is a failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { conformance, ortShapeFixtures, REPO, SHARED } from './reference-helpers.js';

const CI = process.env.CI === 'true';

/** Skip reason for a model file that is missing, or throws under CI for ../shared models. */
function missing(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  if (CI || !path.startsWith(SHARED)) throw new Error(`reference model missing: ${path}`);
  return `../shared is absent (${path})`;
}

describe('inferred shapes match onnxruntime (value_info ignored)', () => {
  const fixtures = ortShapeFixtures();
  it('has ORT shape fixtures', () => assert.ok(fixtures.length > 0));
  for (const { name, ref, path } of fixtures) {
    for (const pin of [false, true]) {
      const skip = missing(path);
      it(`${name}${pin ? ' (dims pinned to the run inputs)' : ''}`, { skip }, async (t) => {
        const c = await conformance(name, path, ref, pin);
        t.diagnostic(`${name}: tensors ${c.tensors}, known ${c.known}, symbolic ${c.symbolic}, disagreements ${c.disagreements.length}`);
        assert.deepEqual(c.disagreements, []);
        if (!c.dynamic || pin) assert.equal(c.known, c.tensors, `${c.tensors - c.known} tensors not fully known`);
        else assert.equal(c.known + c.symbolic, c.tensors, 'every tensor known up to symbolic dims');
        assert.deepEqual(c.analysis.issues.map((i) => i.code), []);
      });
    }
  }
});

interface MacsRef {
  models: Record<string, { flopCounterMacs: number; torchvisionGflops?: number; totalMacsWithFormula?: number; flopCounterMacsWithMkldnnDisabled?: number; inputShape: number[] }>;
  fixtureRnnMacsByFormula: Record<string, number>;
}

const MACS: MacsRef = JSON.parse(readFileSync(join(REPO, '__tests__', 'fixtures', 'reference', 'macs.json'), 'utf8'));

/** Files per reference architecture: the float export plus its dynamo and quantized variants (same MACs). */
const SHARED_FILES: Record<string, string[]> = {
  mobilenet_v3_large: ['mobilenet_v3_large.onnx', 'mobilenet_v3_large_dynamo.onnx', 'mobilenet_v3_large.int8.qdq.onnx'],
  mnasnet1_0: ['mnasnet1_0.onnx', 'mnasnet1_0.s8s8.qdq.onnx'],
  shufflenet_v2_x0_5: ['shufflenet_v2_x0_5.onnx'],
  squeezenet1_0: ['squeezenet1_0.onnx', 'squeezenet1_0.int8.qdq.onnx', 'squeezenet1_0.int8.qop.onnx'],
  resnet_tiny_dynbatch: ['resnet_tiny_dynbatch.onnx'],
  tiny_vit: ['tiny_vit_dynamo.onnx'],
  crnn_gru: ['crnn_gru.onnx'],
  lstm_classifier: ['lstm_classifier.onnx'],
};

async function macsOf(path: string): Promise<number | null> {
  const model = await readModel(path);
  const dims: Record<string, number> = {};
  for (const vi of model.graph.inputs) for (const d of vi.shape ?? []) if (typeof d === 'string') dims[d] = 1;
  return analyzeModel(model, { dims }).totals.macs;
}

describe('MACs match torchvision and FlopCounterMode', () => {
  for (const [arch, files] of Object.entries(SHARED_FILES)) {
    const ref = MACS.models[arch];
    for (const file of files) {
      const path = join(SHARED, 'models', file);
      it(`${file} (${arch})`, { skip: missing(path) }, async (t) => {
        assert.ok(ref, `no reference for ${arch}`);
        const got = await macsOf(path);
        assert.ok(got !== null, 'MACs unknown');
        // FlopCounterMode misses CPU SDPA and oneDNN LSTM; the fixture records the formula total for those.
        const flop = ref.totalMacsWithFormula ?? ref.flopCounterMacs;
        t.diagnostic(`${file}: expected FlopCounterMode ${flop}${ref.torchvisionGflops ? `, torchvision ${ref.torchvisionGflops} GMACs` : ''}, got ${got}`);
        assert.ok(Math.abs(got - flop) <= 0.01 * flop, `got ${got}, FlopCounterMode ${flop}`);
        if (ref.torchvisionGflops !== undefined) {
          const tv = ref.torchvisionGflops * 1e9;
          assert.ok(Math.abs(got - tv) <= 0.03 * tv, `got ${got}, torchvision ${tv}`);
        }
      });
    }
  }

  const fixtureManifest = JSON.parse(readFileSync(join(REPO, '__tests__', 'fixtures', 'models', 'manifest.json'), 'utf8')) as {
    models: Record<string, { file: string; flopCounterMacs?: number }>;
  };
  // FlopCounterMode does not count CPU scaled-dot-product attention (aten._scaled_dot_product_flash_attention_for_cpu):
  // add Q·Kᵀ and attention·V, 2·S²·d per batch, for S = 16 tokens of d = 32 (manifest description).
  const uncountedSdpa: Record<string, number> = { tiny_vit_micro_dynamo: 2 * 16 * 16 * 32 };
  for (const [name, m] of Object.entries(fixtureManifest.models)) {
    const fc = m.flopCounterMacs === undefined ? undefined : m.flopCounterMacs + (uncountedSdpa[name] ?? 0);
    const expected = MACS.fixtureRnnMacsByFormula[name] ?? fc;
    if (typeof expected !== 'number') continue;
    it(`fixture ${m.file}`, async () => {
      const got = await macsOf(join(REPO, '__tests__', 'fixtures', 'models', m.file));
      assert.ok(got !== null);
      assert.ok(Math.abs(got - expected) <= 0.01 * expected, `got ${got}, expected ${expected}`);
    });
  }
});
