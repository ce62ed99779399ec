/**
 * The folding stage every profile goes through (src/profiles/ort-basic.ts `foldedGraph`): constant and
 * shape-only subgraphs of ordinary static exports never reach a device's node list, and symbolic dims are
 * never guessed. Agreement with onnxruntime's own folding over all models is bench/folding-truth.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { listProfileIds, loadProfile } from '../../src/profiles/load.js';
import { placeModel } from '../../src/profiles/engine.js';
import { foldedGraph, foldingSummary } from '../../src/profiles/ort-basic.js';
import { runCheck } from '../../src/check.js';

const FIX = resolve(import.meta.dirname, '../fixtures/models');
const SHAPE_OPS = new Set(['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Concat', 'Expand', 'ConstantOfShape']);

describe('folding stage', () => {
  const lstm = analyzeModel(readModelSync(join(FIX, 'kws_lstm.onnx')));

  it('folds the zero initial state of an nn.LSTM export (Shape → Gather → Unsqueeze → Concat → Expand)', () => {
    const g = foldedGraph(lstm);
    assert.equal(g.kind, 'folded');
    assert.deepEqual(g.nodes.map((n) => n.opType).sort(), ['Gemm', 'Gather', 'LSTM', 'LSTM', 'Squeeze', 'Squeeze', 'Transpose', 'Transpose'].sort());
    // The Gather left is y[:, -1] on the LSTM output (data), not shape arithmetic.
    const gather = g.nodes.find((n) => n.opType === 'Gather')!;
    assert.equal(g.tensors.get(gather.inputs[0]!)?.initializer, false);
    for (const n of g.nodes.filter((x) => x.opType === 'LSTM')) {
      for (const slot of [5, 6]) assert.equal(g.tensors.get(n.inputs[slot]!)?.initializer, true, `${n.name} initial state input ${slot} is constant after folding`);
    }
    const s = foldingSummary(lstm);
    assert.deepEqual({ ...s }, { sourceNodes: 51, nodesAfterFolding: 8, folded: 43, symbolicShapeNodes: 0, symbolicDims: [] });
  });

  for (const id of listProfileIds()) {
    it(`${id}: no folded node is placed, counted or costed`, () => {
      const placed = placeModel(lstm, loadProfile(id).profile);
      const ops = placed.nodes.map((n) => n.op);
      assert.ok(!ops.some((op) => SHAPE_OPS.has(op) && op !== 'Gather'), `${id}: ${ops.join(' ')}`);
      assert.equal(placed.nodes.filter((n) => n.op === 'Gather').length, 1);
      assert.equal(placed.nodesTotal, placed.nodes.length);
      assert.match(placed.countBasis, new RegExp(`^${placed.nodesTotal} nodes after (folding|onnxruntime's basic optimizations).*of the model's 51`));
    });
  }

  it('never guesses a symbolic dim: Shape of a [batch, …] tensor stays, and folds once batch is pinned', () => {
    const dyn = analyzeModel(readModelSync(join(FIX, 'tiny_shuffle.onnx')));
    const s = foldingSummary(dyn);
    assert.ok(s.symbolicShapeNodes > 0);
    assert.deepEqual(s.symbolicDims, ['batch']);
    assert.ok(foldedGraph(dyn).nodes.some((n) => n.opType === 'Shape'));
    const pinned = analyzeModel(readModelSync(join(FIX, 'tiny_shuffle.onnx')), { dims: { batch: 1 } });
    const p = foldingSummary(pinned);
    assert.equal(p.symbolicShapeNodes, 0);
    assert.ok(!foldedGraph(pinned).nodes.some((n) => n.opType === 'Shape'));
    assert.ok(p.nodesAfterFolding < s.nodesAfterFolding);
  });

  it('the report gives source nodes, nodes after folding, and each device\'s count basis', async () => {
    const report = await runCheck({ models: [join(FIX, 'kws_lstm.onnx'), join(FIX, 'tiny_shuffle.onnx')], devices: ['coral-edgetpu', 'android-nnapi', 'jetson-orin-nano'] });
    const [m, dyn] = report.models;
    assert.equal(m!.nodes, 51);
    assert.equal(m!.nodesAfterFolding, 8);
    const coral = m!.devices.find((d) => d.device === 'coral-edgetpu')!;
    assert.equal(coral.placedGraph, 'folded');
    assert.equal(coral.countBasis, "8 nodes after folding, as onnx2tf sees them before it converts: constants and shape arithmetic folded (of the model's 51)");
    const jetson = m!.devices.find((d) => d.device === 'jetson-orin-nano')!;
    assert.match(String(jetson.countBasis), /^8 nodes after folding, as the TensorRT ONNX parser sees them/);
    const nnapi = m!.devices.find((d) => d.device === 'android-nnapi')!;
    assert.equal(nnapi.placedGraph, 'ort-basic');
    assert.match(String(nnapi.countBasis), /after onnxruntime's basic optimizations/);
    const note = (dyn!.folding as { note?: string }).note;
    assert.match(String(note), /shape-computation nodes not folded: they depend on batch; pin it with --dim batch=1/);
  });
});
