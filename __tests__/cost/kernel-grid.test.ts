import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLD_CHAIN_WEIGHT_BYTES, kernelGrid } from '../../src/cost/kernel-grid.js';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { sourceWork } from '../../src/cost/work.js';
import { workOptionsFor } from '../../src/cost/estimate.js';
import { kernelShapeOf } from '../../src/cost/kernel-curves.js';
import { loadProfile } from '../../src/profiles/load.js';
import { loadOnnxruntime } from '../../src/runtime/ort-loader.js';

const full = kernelGrid('full');

describe('kernel grid', () => {
  it('spans the families and dtypes the cost model tells apart, with unique ids', () => {
    assert.equal(new Set(full.map((c) => c.id)).size, full.length);
    const has = (pred: (c: (typeof full)[number]) => boolean, what: string): void => assert.ok(full.some(pred), what);
    for (const dtype of ['float', 'int8'] as const) {
      has((c) => c.family === 'conv' && c.dtype === dtype && c.id.includes('-k1-'), `conv 1x1 ${dtype}`);
      has((c) => c.family === 'conv' && c.dtype === dtype && c.id.includes('-k3-'), `conv 3x3 ${dtype}`);
      has((c) => c.family === 'depthwise' && c.dtype === dtype, `depthwise ${dtype}`);
      has((c) => c.op === 'Gemm' && c.dtype === dtype, `Gemm ${dtype}`);
    }
    for (const op of ['MatMul', 'LSTM', 'GRU', 'Add', 'Mul', 'Sigmoid', 'HardSwish', 'MaxPool', 'GlobalAveragePool', 'Resize', 'Softmax', 'LayerNormalization', 'QuantizeLinear', 'DequantizeLinear', 'Transpose', 'Gather', 'Concat']) {
      has((c) => c.op === op, op);
    }
    assert.ok(new Set(full.filter((c) => c.family === 'overhead').map((c) => c.nodes)).size >= 2, 'overhead chains of several lengths');
    assert.ok(full.some((c) => c.family === 'stream') && full.filter((c) => c.family === 'composite').length >= 3, 'a DRAM stream case and generated networks');
    for (const dtype of ['float', 'int8'] as const) {
      const chains = full.filter((c) => c.coldChain && c.dtype === dtype);
      assert.ok(new Set(chains.map((c) => c.coldChain!.count)).size >= 2, `${dtype} cold chains of several weight sizes`);
    }
  });
  it('holds, for every attention/sequence Transpose and 1×1-map convolution of the ViT fixture, a case of the same variant and rank', async () => {
    const { profile } = loadProfile('host-x64');
    const dir = mkdtempSync(join(tmpdir(), 'eg-grid-rank-'));
    const keyOf = async (file: string): Promise<string[]> => {
      const a = analyzeModel(await readModel(file));
      return sourceWork(a, workOptionsFor(profile))
        .filter((w) => !w.free && w.mergedAs === undefined && (w.opType === 'Transpose' || w.opType === 'Conv'))
        .map((w) => {
          const s = kernelShapeOf(a, w);
          const rank = a.tensors.get(a.nodes[w.index]!.inputs[0]!)?.shape?.length;
          // (Transpose-image, the patch flatten next to the embedding Conv, is costed from the shuffle cases: left alone.)
          return s && (s.key.endsWith('/Transpose') || s.key.endsWith('k1-1px')) ? `${s.key} rank ${rank}` : '';
        })
        .filter((k) => k !== '');
    };
    const gridKeys = new Set<string>();
    for (const c of full.filter((x) => x.op === 'Transpose' || x.id.includes('-h1-'))) {
      const f = join(dir, `${c.id}.onnx`);
      writeFileSync(f, c.bytes);
      for (const k of await keyOf(f)) gridKeys.add(k);
    }
    // tiny_vit's torch.export QKV split is a 5-D Transpose (3, 1, 2, 0, 4): the 3- and 4-D cases extrapolated it 7x.
    const fixtureKeys = await keyOf('__tests__/fixtures/models/tiny_vit_micro_dynamo.onnx');
    assert.ok(fixtureKeys.some((k) => k.endsWith('rank 5')), fixtureKeys.join());
    for (const k of fixtureKeys) assert.ok(gridKeys.has(k), `${k} has no grid case (${[...gridKeys].join(', ')})`);
  });
  it('is deterministic', () => {
    const again = kernelGrid('full');
    full.forEach((c, i) => assert.deepEqual(again[i]!.bytes, c.bytes, c.id));
  });
  it('every case is one kernel to the cost model, with a curve key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-grid-'));
    const { profile } = loadProfile('host-x64');
    for (const c of full.filter((x) => x.family !== 'overhead' && x.family !== 'composite')) {
      const f = join(dir, `${c.id}.onnx`);
      writeFileSync(f, c.bytes);
      const a = analyzeModel(await readModel(f));
      if (c.coldChain) {
        // A cold chain: its convolutions, all of the variant (and weight size) of the grid case of one alone.
        const convs = sourceWork(a, workOptionsFor(profile)).filter((w) => !w.free && w.mergedAs === undefined && w.opType !== 'Slice');
        assert.equal(convs.length, c.coldChain.count, c.id);
        const hot = full.find((x) => x.id === c.coldChain!.hotId);
        assert.ok(hot, `${c.id}: ${c.coldChain.hotId} is in the grid`);
        const hf = join(dir, `${hot.id}.onnx`);
        writeFileSync(hf, hot.bytes);
        const ha = analyzeModel(await readModel(hf));
        const hw = sourceWork(ha, workOptionsFor(profile)).find((w) => !w.free && w.mergedAs === undefined && w.opType === 'Conv')!;
        for (const w of convs) {
          assert.equal(kernelShapeOf(a, w)?.key, kernelShapeOf(ha, hw)?.key, c.id);
          assert.equal(w.weightBytes, hw.weightBytes, c.id);
        }
        // More weights than a shared cache of the devices EdgeGate targets holds (32 MiB on the reference host).
        assert.ok(a.totals.weightBytes >= COLD_CHAIN_WEIGHT_BYTES && COLD_CHAIN_WEIGHT_BYTES > 32 * 2 ** 20, c.id);
        continue;
      }
      if (c.layoutTransposes) {
        // No ONNX node stands for the runtime's layout Transposes: the cost model puts them on the Conv.
        const convs = sourceWork(a, workOptionsFor(profile)).filter((w) => !w.free && w.mergedAs === undefined && w.opType !== 'Slice' && w.opType !== 'Flatten');
        assert.deepEqual(convs.map((w) => [w.opType, w.dtype]), [['Conv', 'int8']], c.id);
        assert.deepEqual(convs[0]!.layoutTransposes?.map((t) => [t.elements, t.dtype]), [[c.layoutTransposes.elements, 'int8'], [c.layoutTransposes.elements, 'int8']], c.id);
        assert.equal(c.layoutTransposes.count, 2, c.id);
        continue;
      }
      const kernels = sourceWork(a, workOptionsFor(profile)).filter((w) => !w.free && w.mergedAs === undefined && w.opType !== 'Slice' && w.opType === c.op);
      assert.equal(kernels.length, 1, `${c.id}: ${kernels.map((k) => k.opType).join(',')}`);
      const shape = kernelShapeOf(a, kernels[0]!);
      assert.ok(shape, c.id);
      assert.ok(shape.key.startsWith(`${kernels[0]!.opClass}/${c.dtype === 'int8' && c.family !== 'quantize' ? 'int8' : 'float'}/`) || c.family === 'quantize', `${c.id}: ${shape.key}`);
    }
  });
  it('every case loads in onnxruntime-node and produces its declared output shapes', async () => {
    const { ort } = await loadOnnxruntime();
    for (const c of [...full, ...kernelGrid('small')]) {
      const s = await ort.InferenceSession.create(c.bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const i of c.inputs) {
        const n = i.dims.reduce((a, b) => a * b, 1);
        feeds[i.name] = i.elemType === 2 ? new ort.Tensor('uint8', new Uint8Array(n), [...i.dims]) : new ort.Tensor('float32', new Float32Array(n), [...i.dims]);
      }
      const out = await s.run(feeds);
      for (const o of c.outputs) assert.deepEqual(out[o.name]?.dims, o.dims, c.id);
      await s.release();
    }
  });
});
