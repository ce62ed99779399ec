/** Rule cases for rockchip-rk3588 (RKNN Toolkit2 op support). */
import type { ModelSpec, NodeSpec } from '../../support/onnx-builder.js';
import { INT64, bad, ok, unary, type RuleCase } from './harness.js';

const BOOL = 9;
const fill = (dims: readonly number[], v = 0.1): number[] => new Array(dims.reduce((a, b) => a * b, 1)).fill(v);

/** EyeLike `n` of a [4, 4] tensor: an initializer, or a graph input when `computed`. */
function eyeLike(computed: boolean): ModelSpec {
  return {
    inputs: computed ? [{ name: 'x', dims: [4, 4] }] : [],
    outputs: [{ name: 'y', dims: [4, 4] }],
    initializers: computed ? [] : [{ name: 'x', dims: [4, 4], values: fill([4, 4]) }],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'EyeLike', name: 'n', inputs: ['x'], outputs: ['y'] }],
  };
}

/** GRU `n` (hidden 4, input 8) with constant W and R; x is [seq, batch, 8] (layout 0) or [batch, seq, 8] (layout 1). */
function gru(x: number[], layout: 0 | 1): ModelSpec {
  return unary('GRU', x, { hidden_size: 4, layout }, [
    { name: 'W', dims: [1, 12, 8], values: fill([1, 12, 8]) },
    { name: 'R', dims: [1, 12, 4], values: fill([1, 12, 4]) },
  ]);
}

/**
 * If `n` on a bool condition: an initializer, or a graph input when `computed`. onnx-builder cannot write graph
 * attributes, so the node has no branches; the rule only reads input 0.
 */
function ifNode(computed: boolean): ModelSpec {
  return {
    inputs: computed ? [{ name: 'cond', dims: [], dtype: BOOL }] : [],
    outputs: [{ name: 'y' }],
    initializers: computed ? [] : [{ name: 'cond', dims: [], values: [1], dtype: BOOL }],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'If', name: 'n', inputs: ['cond'], outputs: ['y'] }],
  };
}

/** RoiAlign `n` over x [batch,3,8,8] with two constant boxes. */
function roiAlign(batch: number, attrs: NodeSpec['attrs'] = {}): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: [batch, 3, 8, 8] }],
    outputs: [{ name: 'y' }],
    initializers: [
      { name: 'rois', dims: [2, 4], values: [0, 0, 4, 4, 2, 2, 6, 6] },
      { name: 'idx', dims: [2], values: [0, 0], dtype: INT64 },
    ],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'RoiAlign', name: 'n', inputs: ['x', 'rois', 'idx'], outputs: ['y'], attrs: { output_height: 2, output_width: 2, ...attrs } }],
  };
}

const tile = (x: number[]): ModelSpec => unary('Tile', x, {}, [{ name: 'repeats', dims: [x.length], values: x.map((_, i) => (i < 2 ? 1 : 2)), dtype: INT64 }]);

/**
 * `Slice` of the shape of a [batch, 3, 8, 8] tensor (LR-ASPP's `x.shape[-2:]` for Resize): the Slice reads
 * a shape tensor [4], whose dim 0 is not a batch. `batch` stays symbolic so the Shape is not folded.
 */
function sliceOfShape(): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: ['batch', 3, 8, 8] }],
    outputs: [{ name: 'y' }],
    initializers: [
      { name: 'starts', dims: [1], values: [2], dtype: INT64 },
      { name: 'ends', dims: [1], values: [4], dtype: INT64 },
      { name: 'axes', dims: [1], values: [0], dtype: INT64 },
    ],
    opsets: [{ domain: '', version: 17 }],
    nodes: [
      { op: 'Shape', name: 's', inputs: ['x'], outputs: ['shape'] },
      { op: 'Slice', name: 'n', inputs: ['shape', 'starts', 'ends', 'axes'], outputs: ['y'] },
    ],
  };
}

export const cases: readonly RuleCase[] = [
  ok('Softmax', 'batch 1', unary('Softmax', [1, 10])),
  bad('Softmax', 'batch 2', unary('Softmax', [2, 10]), 'SHAPE', 'unsupported'),
  ok('Resize', 'nearest', unary('Resize', [1, 3, 8, 8], { mode: 'nearest' }, [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [4], values: [1, 1, 2, 2] }])),
  bad('Resize', 'cubic', unary('Resize', [1, 3, 8, 8], { mode: 'cubic' }, [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [4], values: [1, 1, 2, 2] }]), 'ATTRIBUTE', 'unsupported'),
  ok('unlisted', 'Relu', unary('Relu')),
  bad('unlisted', 'Abs is not in the RKNN table', unary('Abs'), 'OP_NOT_LISTED', 'unsupported'),
  ok('opset', 'opset 17', unary('Relu')),
  bad('opset', 'opset 20 above RKNN 19', unary('Relu', [1, 3, 8, 8], {}, [], 20), 'OPSET', 'unsupported'),
  ok('LogSoftmax', 'batch 1', unary('LogSoftmax', [1, 10])),
  bad('LogSoftmax', 'batch 4', unary('LogSoftmax', [4, 10]), 'SHAPE', 'unsupported'),
  ok('Slice', 'batch 1', unary('Slice', [1, 8], {}, [{ name: 'starts', dims: [1], values: [0], dtype: 7 }, { name: 'ends', dims: [1], values: [4], dtype: 7 }, { name: 'axes', dims: [1], values: [1], dtype: 7 }])),
  // RKNN-Toolkit2 v2.1.0 OP support, Slice row: "batchsize: 1" is about the data tensor; a shape tensor has none.
  ok('Slice', 'input is a shape tensor [4] (Shape of [batch, 3, 8, 8]): rank 1, no batch dim', sliceOfShape()),
  bad('Slice', 'batch 2', unary('Slice', [2, 8], {}, [{ name: 'starts', dims: [1], values: [0], dtype: 7 }, { name: 'ends', dims: [1], values: [4], dtype: 7 }, { name: 'axes', dims: [1], values: [1], dtype: 7 }]), 'SHAPE', 'unsupported'),

  ok('EyeLike', 'constant input', eyeLike(false)),
  bad('EyeLike', 'input computed at run time', eyeLike(true), 'NON_CONSTANT_INPUT', 'unsupported'),
  ok('GRU', 'layout 1, batch 1, sequence 4', gru([1, 4, 8], 1)),
  bad('GRU', 'layout 1, batch 2', gru([2, 4, 8], 1), 'SHAPE', 'unsupported'),
  ok('GRU', 'layout 0 (default), sequence 4, batch 1', gru([4, 1, 8], 0)),
  bad('GRU', 'layout 0 (default), sequence 1, batch 2', gru([1, 2, 8], 0), 'SHAPE', 'unsupported'),
  bad('GRU', 'layout attribute absent (0), sequence 1, batch 2', { ...gru([1, 2, 8], 0), nodes: gru([1, 2, 8], 0).nodes.map((n) => ({ ...n, attrs: { hidden_size: 4 } })) }, 'SHAPE', 'unsupported'),
  ok('If', 'constant condition', ifNode(false)),
  bad('If', 'condition computed at run time', ifNode(true), 'NON_CONSTANT_INPUT', 'unsupported'),
  ok('RoiAlign', 'batch 1, average pooling (default)', roiAlign(1)),
  bad('RoiAlign', 'batch 2', roiAlign(2), 'SHAPE', 'unsupported'),
  bad('RoiAlign', 'max pooling', roiAlign(1, { mode: 'max' }), 'ATTRIBUTE', 'unsupported'),
  ok('Tile', 'batch 1, repeats [1, 1, 2, 2]', tile([1, 3, 8, 8])),
  bad('Tile', 'batch 2', tile([2, 3, 8, 8]), 'SHAPE', 'unsupported'),
];
