/** Rule cases for apple-coreml (ORT CoreML EP, MLProgram table caveats). */
import type { ModelSpec, NodeSpec } from '../../support/onnx-builder.js';
import { FLOAT, INT64, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

const BOOL = 9;
const fill = (dims: readonly number[], v = 0.1): number[] => new Array(dims.reduce((a, b) => a * b, 1)).fill(v);

/** A float ConvTranspose `n`: x [1,4,8,8], weight [4,8,3,3] (constant unless `weightInput`), optional bias. */
function convTranspose(opts: { attrs?: NodeSpec['attrs']; weightInput?: boolean; bias?: 'constant' | 'input' } = {}): ModelSpec {
  const w = [4, 8, 3, 3];
  return {
    inputs: [{ name: 'x', dims: [1, 4, 8, 8] }, ...(opts.weightInput ? [{ name: 'w', dims: w }] : []), ...(opts.bias === 'input' ? [{ name: 'bias', dims: [8] }] : [])],
    outputs: [{ name: 'y' }],
    initializers: [...(opts.weightInput ? [] : [{ name: 'w', dims: w, values: fill(w) }]), ...(opts.bias === 'constant' ? [{ name: 'bias', dims: [8], values: fill([8]) }] : [])],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'ConvTranspose', name: 'n', inputs: ['x', 'w', ...(opts.bias ? ['bias'] : [])], outputs: ['y'], attrs: opts.attrs ?? {} }],
  };
}

/** GridSample `n` of x [1,3,8,8] (or 5D) on a grid computed at run time. */
function gridSample(attrs: NodeSpec['attrs'] = {}, rank5 = false): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: rank5 ? [1, 3, 4, 8, 8] : [1, 3, 8, 8] }, { name: 'grid', dims: rank5 ? [1, 2, 4, 4, 3] : [1, 4, 4, 2] }],
    outputs: [{ name: 'y' }],
    opsets: [{ domain: '', version: rank5 ? 20 : 17 }],
    nodes: [{ op: 'GridSample', name: 'n', inputs: ['x', 'grid'], outputs: ['y'], attrs }],
  };
}

/** Split `n` of x [1,8] into two outputs along axis 1, with an optional `split` input. */
function split(splitInput?: 'constant' | 'input'): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: [1, 8] }, ...(splitInput === 'input' ? [{ name: 'split', dims: [2], dtype: INT64 }] : [])],
    outputs: [{ name: 'y0' }, { name: 'y1' }],
    initializers: splitInput === 'constant' ? [{ name: 'split', dims: [2], values: [4, 4], dtype: INT64 }] : [],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'Split', name: 'n', inputs: ['x', ...(splitInput ? ['split'] : [])], outputs: ['y0', 'y1'], attrs: { axis: 1 } }],
  };
}

const RESIZE_SCALES = [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [4], values: [1, 1, 2, 2] }];

export const cases: readonly RuleCase[] = [
  ok('Conv', '2D conv', conv()),
  bad('Conv', '3D conv', conv({ x: [1, 4, 4, 8, 8], w: [8, 4, 3, 3, 3] }), 'RANK'),
  ok('Gemm', 'constant B', binary('Gemm', [1, 16], [16, 4])),
  bad('Gemm', 'B computed at run time', binary('Gemm', [1, 16], [16, 4], { bInput: true }), 'NON_CONSTANT_INPUT'),
  ok('Pow', 'float inputs', binary('Pow', [1, 8], [1])),
  bad('Pow', 'int64 inputs', binary('Pow', [1, 8], [1], { dtype: INT64, bInput: true }), 'DTYPE'),
  ok('GlobalAveragePool', '2D pool', unary('GlobalAveragePool', [1, 3, 8, 8])),
  bad('GlobalAveragePool', '1D pool', unary('GlobalAveragePool', [1, 3, 8]), 'RANK'),
  ok('defaults', 'rank 5 input', unary('Relu', [1, 2, 3, 4, 5])),
  bad('defaults', 'rank 6 input', unary('Relu', [1, 2, 3, 4, 5, 6]), 'RANK'),
  ok('unlisted', 'a listed op', unary('Sigmoid')),
  bad('unlisted', 'Flatten is not in the MLProgram table', unary('Flatten', [1, 3, 8, 8]), 'OP_NOT_LISTED'),
  bad('Resize', 'Resize mode combinations are not modelled', unary('Resize', [1, 3, 8, 8], { mode: 'nearest' }, RESIZE_SCALES), 'UNVERIFIABLE', 'unknown'),
  {
    ...ok('Resize', 'PyTorch nearest 2x upsample (asymmetric, floor, constant integer scales)', unary('Resize', [1, 3, 8, 8], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, RESIZE_SCALES)),
    todo: 'the Resize rule is one unconditional `unverifiable`, so no Resize is ever accelerated, not even the common nearest/bilinear upsamples resize_op_builder.cc takes; the profile should model those combinations and keep `unverifiable` for the rest',
  },
  ok('quantization', 'float model', conv()),
  bad('quantization', 'QDQ conv: the profile takes no quantized format', qdq(conv()), 'QUANT_FORMAT'),
  ok('DepthToSpace', 'DCR mode', unary('DepthToSpace', [1, 8, 4, 4], { blocksize: 2 })),
  bad('DepthToSpace', 'CRD mode on a dynamic shape', unary('DepthToSpace', ['batch', 8, 4, 4], { blocksize: 2, mode: 'CRD' }), 'DYNAMIC_SHAPE'),
  ok('GatherND', 'batch_dims 0', unary('GatherND', [4, 8], {}, [{ name: 'idx', dims: [2, 1], values: [0, 1], dtype: INT64 }])),
  bad('GatherND', 'batch_dims 1', unary('GatherND', [4, 8], { batch_dims: 1 }, [{ name: 'idx', dims: [4, 1], values: [0, 1, 2, 3], dtype: INT64 }]), 'ATTRIBUTE'),
  ok('MaxPool', '2D pool', unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('MaxPool', '1D pool', unary('MaxPool', [1, 3, 8], { kernel_shape: [2] }), 'RANK'),
  ok('Slice', 'constant starts/ends', unary('Slice', [1, 8], {}, [{ name: 'starts', dims: [1], values: [0], dtype: INT64 }, { name: 'ends', dims: [1], values: [4], dtype: INT64 }, { name: 'axes', dims: [1], values: [1], dtype: INT64 }])),
  bad('Slice', 'ends computed at run time', { inputs: [{ name: 'x', dims: [1, 8] }, { name: 'ends', dims: [1], dtype: INT64 }], outputs: [{ name: 'y' }], initializers: [{ name: 'starts', dims: [1], values: [0], dtype: INT64 }, { name: 'axes', dims: [1], values: [1], dtype: INT64 }], nodes: [{ op: 'Slice', name: 'n', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }] }, 'NON_CONSTANT_INPUT'),
  ok('Where', 'float branches', { inputs: [{ name: 'c', dims: [1, 8], dtype: 9 }, { name: 'a', dims: [1, 8], dtype: FLOAT }, { name: 'b', dims: [1, 8], dtype: FLOAT }], outputs: [{ name: 'y' }], nodes: [{ op: 'Where', name: 'n', inputs: ['c', 'a', 'b'], outputs: ['y'] }] }),
  bad('Where', 'int64 branches', { inputs: [{ name: 'c', dims: [1, 8], dtype: 9 }, { name: 'a', dims: [1, 8], dtype: INT64 }, { name: 'b', dims: [1, 8], dtype: INT64 }], outputs: [{ name: 'y' }], nodes: [{ op: 'Where', name: 'n', inputs: ['c', 'a', 'b'], outputs: ['y'] }] }, 'DTYPE'),

  ok('And', 'bool inputs', binary('And', [1, 8], [1, 8], { bInput: true, dtype: BOOL })),
  // ONNX And itself only types bool; an int64 And is what a hand-edited or buggy exporter would produce.
  bad('And', 'int64 inputs', binary('And', [1, 8], [1, 8], { bInput: true, dtype: INT64 }), 'DTYPE'),
  ok('AveragePool', '2D pool', unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('AveragePool', '1D pool', unary('AveragePool', [1, 3, 8], { kernel_shape: [2] }), 'RANK'),
  ok('GlobalMaxPool', '2D pool', unary('GlobalMaxPool', [1, 3, 8, 8])),
  bad('GlobalMaxPool', '1D pool', unary('GlobalMaxPool', [1, 3, 8]), 'RANK'),
  ok('ConvTranspose', 'constant weight and bias, default attributes', convTranspose({ bias: 'constant' })),
  ok('ConvTranspose', 'stride 2 with explicit zero output_padding', convTranspose({ attrs: { strides: [2, 2], output_padding: [0, 0] } })),
  bad('ConvTranspose', 'weight computed at run time', convTranspose({ weightInput: true }), 'NON_CONSTANT_INPUT'),
  bad('ConvTranspose', 'bias computed at run time', convTranspose({ bias: 'input' }), 'NON_CONSTANT_INPUT'),
  bad('ConvTranspose', 'auto_pad SAME_UPPER', convTranspose({ attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }), 'ATTRIBUTE'),
  bad('ConvTranspose', 'output_shape given', convTranspose({ attrs: { strides: [2, 2], output_shape: [16, 16] } }), 'ATTRIBUTE'),
  bad('ConvTranspose', 'non-zero output_padding', convTranspose({ attrs: { strides: [2, 2], output_padding: [1, 1] } }), 'ATTRIBUTE'),
  bad('ConvTranspose', 'explicit kernel_shape (equality with the weight dims is not checked)', convTranspose({ attrs: { kernel_shape: [3, 3] } }), 'UNVERIFIABLE', 'unknown'),
  ok('GridSample', '4D input, default bilinear/zeros', gridSample()),
  ok('GridSample', 'bilinear + reflection with align_corners = 1', gridSample({ mode: 'bilinear', padding_mode: 'reflection', align_corners: 1 })),
  bad('GridSample', '5D input (opset 20)', gridSample({}, true), 'RANK'),
  bad('GridSample', 'nearest mode', gridSample({ mode: 'nearest' }), 'ATTRIBUTE'),
  bad('GridSample', 'bilinear + reflection with align_corners = 0', gridSample({ mode: 'bilinear', padding_mode: 'reflection' }), 'ATTRIBUTE'),
  ok('Split', 'no split input (equal halves)', split()),
  ok('Split', 'constant split', split('constant')),
  bad('Split', 'split computed at run time', split('input'), 'NON_CONSTANT_INPUT'),
];
