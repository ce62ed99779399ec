import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { sourceWork } from '../../src/cost/work.js';
import { workOptionsFor } from '../../src/cost/estimate.js';
import { measureModel } from '../../src/cost/measure.js';
import { loadProfile } from '../../src/profiles/load.js';
import { kernelGrid } from '../../src/cost/kernel-grid.js';
import { casesToTime } from '../../src/cost/kernel-measure.js';
import { makeAnalysis, makeProfile } from './fixtures.js';

// onnxruntime's CPU EP runs every QLinearConv channels-last and keeps one NCHW <-> NHWC Transpose per tensor on
// the edge of each channels-last region (src/cost/work.ts, `nhwcInt8Layout`). The oracle is onnxruntime-node
// itself: the Transpose kernels its profile shows, less the model's own Transpose nodes.
const { profile: host } = loadProfile('host-x64');
const fixtures = join('__tests__', 'fixtures', 'models');
const shared = join('..', 'shared', 'models');

/** `dtype:elements` of each layout Transpose, sorted: predicted, and the Transpose kernels onnxruntime ran. */
async function predictedAndRun(file: string): Promise<{ predicted: string[]; ort: string[] }> {
  const a = analyzeModel(await readModel(file));
  const lts = sourceWork(a, workOptionsFor(host)).flatMap((w) => w.layoutTransposes ?? []);
  const m = await measureModel(file, a, { runs: 2, warmup: 1, profileRuns: 2 });
  // The model's own Transpose nodes (RNN time-major swaps, attention heads) keep their names in the profile.
  const own = new Set(a.model.graph.nodes.filter((n) => n.opType === 'Transpose').map((n) => n.name));
  const ort = (m.kernels ?? [])
    .filter((k) => k.op === 'Transpose' && !own.has(k.name))
    .map((k) => `${k.input && /int8/.test(k.input.type) ? 'int8' : k.input?.type === 'float' ? 'float' : '?'}:${k.input?.dims.reduce((x, y) => x * y, 1) ?? '?'}`);
  return { predicted: lts.map((t) => `${t.dtype}:${t.elements}`).sort(), ort: ort.sort() };
}

describe('layout Transposes of channels-last int8 regions, against onnxruntime-node', () => {
  // [file, why, Transposes onnxruntime 1.30 runs that are not model nodes, a known misplacement]. The known one:
  // where the channels-last region ends at a fork (MobileNetV3's last HardSwish reads its input twice, once
  // through a float HardSigmoid), the optimizer stops pushing the Transpose at the fork (960×7×7) where the
  // estimate puts it at the region's edge after the pooling (960): 8 µs of a 3.4 ms model.
  const rows: [string, string, number, [string, string]?][] = [
    [join(fixtures, 'tiny_cnn.int8.qdq.onnx'), 'a float BatchNormalization splits the region: 4', 4],
    [join(fixtures, 'tiny_cnn.int8.qop.onnx'), 'its QOperator twin: the same 4', 4],
    [join(fixtures, 'tiny_seghead.int8.qdq.onnx'), 'one region, input and output: 2', 2],
    [join(fixtures, 'tiny_cnn.onnx'), 'a float model: none', 0],
    [join(shared, 'mnasnet1_0.s8s8.qdq.onnx'), '15 float Convs (s8s8 on x86-64) split it: 32, 10 of them in float', 32],
    [join(shared, 'mobilenet_v3_large.int8.qdq.onnx'), 'one region: 2', 2, ['int8:960', 'int8:47040']],
    [join(shared, 'squeezenet1_0.int8.qop.onnx'), 'one region: 2', 2],
  ];
  for (const [file, why, expected, misplaced] of rows) {
    it(`${file.split('/').pop()}: ${why}`, { skip: !existsSync(file) && file.startsWith(shared) ? '../shared/models is not here' : false }, async () => {
      const r = await predictedAndRun(file);
      assert.equal(r.ort.length, expected, `onnxruntime-node ran ${r.ort.join(' ')}`);
      // Same count, same tensors by size, and on the same side (uint8/int8 or float) of each Q/DQ.
      let predicted = r.predicted;
      if (misplaced) {
        assert.ok(predicted.includes(misplaced[0]), `the known misplacement ${misplaced[0]} is gone: ${predicted.join(' ')}`);
        predicted = predicted.map((x) => (x === misplaced[0] ? misplaced[1] : x)).sort();
      }
      assert.deepEqual(predicted, r.ort);
    });
  }
});

describe('layout Transposes: regions and edges (table)', () => {
  // (What they cost is in the roofline table of estimate.test.ts: QLinearConv.)
  // x (uint8 [1,8,16,16]) → DQ → Conv₁ → Q → [middle] → DQ → Conv₂ → Q → y. `middle` decides whether the two
  // channels-last regions join (DQ → Relu → Q: one region, 2 Transposes) or stay apart (DQ → Relu → float
  // Conv → Q: the float Conv is NCHW, 2 + 2, its input in float), or whether there are none (float Convs only).
  const graph = (middle: 'relu' | 'float-conv' | 'all-float') => {
    const t = (name: string, dtype = 1, shape = [1, 8, 16, 16]) => ({ name, shape, dtype });
    const q = (x: string, y: string) => ({ op: 'QuantizeLinear', inputs: [x, 's', 'z'], outputs: [y], otherOps: 2048, bytesIn: 8192, bytesOut: 2048 });
    const dq = (x: string, y: string) => ({ op: 'DequantizeLinear', inputs: [x, 's', 'z'], outputs: [y], otherOps: 2048, bytesIn: 2048, bytesOut: 8192 });
    const conv = (x: string, y: string) => ({ op: 'Conv', inputs: [x, 'w'], outputs: [y], macs: 16384, bytesIn: 8192, bytesOut: 8192, weightBytes: 256 });
    if (middle === 'all-float') {
      return makeAnalysis({
        nodes: [conv('x', 'a'), { op: 'Relu', inputs: ['a'], outputs: ['b'], otherOps: 2048, bytesIn: 8192, bytesOut: 8192 }, conv('b', 'y')],
        tensors: [t('x'), t('a'), t('b'), t('y'), { name: 'w', shape: [8, 8, 1, 1], constant: true }],
        inputs: ['x'],
        outputs: ['y'],
      });
    }
    const mid = middle === 'relu'
      ? [dq('q1', 'm'), { op: 'Relu', inputs: ['m'], outputs: ['r'], otherOps: 2048, bytesIn: 8192, bytesOut: 8192 }, q('r', 'q2')]
      : [dq('q1', 'm'), { op: 'Relu', inputs: ['m'], outputs: ['m2'], otherOps: 2048, bytesIn: 8192, bytesOut: 8192 }, conv('m2', 'r'), q('r', 'q2')];
    return makeAnalysis({
      nodes: [dq('x', 'a'), { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], otherOps: 64, bytesIn: 64, bytesOut: 256 }, conv('a', 'b'), q('b', 'q1'), ...mid, dq('q2', 'c'), conv('c', 'd'), q('d', 'y')],
      tensors: [t('x', 2), t('a'), t('b'), t('q1', 2), t('m'), t('m2'), t('r'), t('q2', 2), t('c'), t('d'), t('y', 2), t('w', 1, [8, 8, 1, 1]),
        { name: 'wq', shape: [8, 8, 1, 1], constant: true, dtype: 3 }, { name: 'ws', shape: [], constant: true }, { name: 'wz', shape: [], constant: true, dtype: 3 },
        { name: 's', shape: [], constant: true }, { name: 'z', shape: [], constant: true, dtype: 2 }],
      inputs: ['x'],
      outputs: ['y'],
    });
  };
  const rows: ['relu' | 'float-conv' | 'all-float', string[], string][] = [
    ['relu', ['x:int8', 'y:int8'], 'one region through the Relu: in at x, out at y'],
    ['float-conv', ['m2:float', 'r:int8', 'x:int8', 'y:int8'], 'a float Conv between two int8 ones: each region has its own two edges'],
    ['all-float', [], 'no QLinearConv, no channels-last region'],
  ];
  for (const [middle, edges, why] of rows) {
    it(`${middle}: ${edges.length} (${why})`, () => {
      const a = graph(middle);
      const p = makeProfile({ singleUnit: true });
      const lts = sourceWork(a, workOptionsFor(p)).flatMap((w) => w.layoutTransposes ?? []);
      assert.deepEqual(lts.map((x) => `${x.tensor}:${x.dtype}`).sort(), edges);
      assert.ok(lts.every((x) => x.elements === 2048), JSON.stringify(lts));
    });
  }
});

describe('layout-Transpose grid cases', () => {
  const grid = kernelGrid('full');
  const layout = grid.filter((c) => c.layoutTransposes);
  it('the full grid times them on the host, with their Conv as context', () => {
    assert.ok(layout.length >= 8, `${layout.length} cases`);
    assert.deepEqual(casesToTime(grid, false).length, grid.length);
    for (const c of layout) assert.deepEqual([c.op, c.context], ['Transpose', ['Conv', 'Flatten']], c.id);
  });
  it('a runner (whole runs only, no per-node profile) is not sent them', () => {
    const sent = casesToTime(grid, true);
    assert.equal(sent.length, grid.length - layout.length);
    assert.ok(sent.every((c) => !c.layoutTransposes));
  });
});
