import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../src/onnx/types.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { BOOL, F32, GraphBuilder, I64 } from './builder.js';

/** The channel shuffle of torchvision's ShuffleNetV2 as the TorchScript exporter emits it. */
function channelShuffle(b: GraphBuilder, batch: Dim, channels: number): GraphBuilder {
  b.input('x', F32, [batch, channels, 28, 28])
    .node('Shape', ['x'], ['s'])
    .constant('i0', I64, [], [0])
    .constant('i1', I64, [], [1])
    .constant('i2', I64, [], [2])
    .constant('i3', I64, [], [3])
    .node('Gather', ['s', 'i0'], ['n'], { axis: 0 })
    .node('Gather', ['s', 'i1'], ['c'], { axis: 0 })
    .node('Gather', ['s', 'i2'], ['h'], { axis: 0 })
    .node('Gather', ['s', 'i3'], ['w'], { axis: 0 })
    .constant('groups', I64, [], [2])
    .node('Div', ['c', 'groups'], ['cpg'])
    .constant('ax0', I64, [1], [0])
    .node('Unsqueeze', ['n', 'ax0'], ['n_'])
    .node('Unsqueeze', ['groups', 'ax0'], ['g_'])
    .node('Unsqueeze', ['cpg', 'ax0'], ['cpg_'])
    .node('Unsqueeze', ['h', 'ax0'], ['h_'])
    .node('Unsqueeze', ['w', 'ax0'], ['w_'])
    .node('Concat', ['n_', 'g_', 'cpg_', 'h_', 'w_'], ['shape5'], { axis: 0 })
    .node('Reshape', ['x', 'shape5'], ['r5'])
    .node('Transpose', ['r5'], ['t5'], { perm: [0, 2, 1, 3, 4] })
    .constant('minus1', I64, [1], [-1])
    .node('Concat', ['n_', 'minus1', 'h_', 'w_'], ['shape4'], { axis: 0 })
    .node('Reshape', ['t5', 'shape4'], ['y'])
    .output('y');
  return b;
}

describe('constant folding of exporter shape arithmetic', () => {
  const cases: { name: string; batch: Dim; dims?: Record<string, number>; r5: Dim[]; y: Dim[] }[] = [
    { name: 'static batch', batch: 1, r5: [1, 2, 58, 28, 28], y: [1, 116, 28, 28] },
    { name: 'symbolic batch stays symbolic', batch: 'N', r5: ['N', 2, 58, 28, 28], y: ['N', 116, 28, 28] },
    { name: 'symbolic batch pinned', batch: 'N', dims: { N: 4 }, r5: [4, 2, 58, 28, 28], y: [4, 116, 28, 28] },
  ];
  for (const c of cases) {
    it(`ShuffleNet channel shuffle: ${c.name}`, () => {
      const a = analyzeModel(channelShuffle(new GraphBuilder(), c.batch, 116).model(), c.dims ? { dims: c.dims } : {});
      assert.deepEqual(a.tensors.get('r5')?.shape, c.r5);
      assert.deepEqual(a.tensors.get('y')?.shape, c.y);
      assert.deepEqual(a.issues, []);
      if (typeof c.r5[0] === 'number') assert.deepEqual(a.tensors.get('shape5')?.value?.values, c.r5);
      else assert.deepEqual(a.tensors.get('shape5')?.sym, c.r5);
    });
  }

  const rows: { name: string; build: (b: GraphBuilder) => void; tensor: string; values?: number[]; shape?: Dim[] }[] = [
    {
      name: 'Cast + Mul + Add + Sub on int shape values',
      build: (b) => b.input('x', F32, [2, 3, 8]).node('Shape', ['x'], ['s']).node('Cast', ['s'], ['sf'], { to: F32 }).constant('two', F32, [], [2]).node('Mul', ['sf', 'two'], ['m']).node('Cast', ['m'], ['mi'], { to: I64 }).constant('one', I64, [], [1]).node('Sub', ['mi', 'one'], ['d']).node('Add', ['d', 'one'], ['e']),
      tensor: 'e',
      values: [4, 6, 16],
    },
    {
      name: 'Slice of Shape with INT64_MAX end',
      build: (b) => b.input('x', F32, [2, 3, 8, 9]).node('Shape', ['x'], ['s']).init('st', I64, [1], [2]).init('en', I64, [1], [9223372036854775807]).node('Slice', ['s', 'st', 'en'], ['hw']),
      tensor: 'hw',
      values: [8, 9],
    },
    {
      name: 'ConstantOfShape + Range + ReduceProd',
      build: (b) => b.init('n', I64, [1], [3]).node('ConstantOfShape', ['n'], ['ones'], { value: { type: 'tensor', value: { name: 'v', dtype: I64, dims: [1], elementCount: 1, byteLength: 8, payload: { kind: 'inline', bytes: new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]) } } } }).node('ReduceProd', ['ones'], ['p'], { keepdims: 0 }),
      tensor: 'p',
      values: [125],
    },
    {
      name: 'Equal/Where replaces zeros in a target shape',
      build: (b) => b.input('x', F32, [4, 6]).node('Shape', ['x'], ['s']).init('zero', I64, [], [0]).init('tgt', I64, [2], [0, 6]).node('Equal', ['tgt', 'zero'], ['isz']).node('Where', ['isz', 's', 'tgt'], ['fixed']).node('Reshape', ['x', 'fixed'], ['y']),
      tensor: 'y',
      shape: [4, 6],
    },
    {
      name: 'Where on symbolic shape keeps the symbol',
      build: (b) => b.input('x', F32, ['B', 2, 3]).node('Shape', ['x'], ['s']).init('zero', I64, [], [0]).init('tgt', I64, [3], [0, 3, 2]).node('Equal', ['tgt', 'zero'], ['isz']).node('Where', ['isz', 's', 'tgt'], ['fixed']).node('Reshape', ['x', 'fixed'], ['y']),
      tensor: 'y',
      shape: ['B', 3, 2],
    },
    {
      name: 'Range from Shape element sizes a tensor',
      build: (b) => b.input('x', F32, [5, 7]).node('Shape', ['x'], ['s']).init('i', I64, [], [1]).node('Gather', ['s', 'i'], ['n']).init('z', I64, [], [0]).init('one', I64, [], [1]).node('Range', ['z', 'n', 'one'], ['r']).node('Unsqueeze', ['r', 'z1'], ['u']).init('z1', I64, [1], [0]),
      tensor: 'r',
      values: [0, 1, 2, 3, 4, 5, 6],
    },
    {
      name: 'Expand to folded shape',
      build: (b) => b.input('x', F32, [3, 1]).node('Shape', ['x'], ['s']).init('k', I64, [1], [4]).node('Concat', ['k', 's'], ['t'], { axis: 0 }).init('one', BOOL, [], [1]).node('Expand', ['x', 't'], ['y']),
      tensor: 'y',
      shape: [4, 3, 1],
    },
    {
      name: 'Size of a static tensor',
      build: (b) => b.input('x', F32, [3, 5]).node('Size', ['x'], ['n']),
      tensor: 'n',
      values: [15],
    },
    {
      name: 'Resize sizes from Concat(Shape[:2], constant)',
      build: (b) => b.input('x', F32, [1, 8, 10, 10]).node('Shape', ['x'], ['s']).init('a', I64, [1], [0]).init('e', I64, [1], [2]).node('Slice', ['s', 'a', 'e'], ['nc']).init('hw', I64, [2], [20, 20]).node('Concat', ['nc', 'hw'], ['sz'], { axis: 0 }).node('Resize', ['x', '', '', 'sz'], ['y'], { mode: 'nearest' }),
      tensor: 'y',
      shape: [1, 8, 20, 20],
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const b = new GraphBuilder();
      r.build(b);
      const a = analyzeModel(b.model({ opset: 17 }));
      const t = a.tensors.get(r.tensor);
      assert.ok(t);
      if (r.values) assert.deepEqual(t.value?.values, r.values, `value of ${r.tensor}: ${JSON.stringify(t)}`);
      if (r.shape) assert.deepEqual(t.shape, r.shape);
    });
  }
});
