/** Rule cases for coral-edgetpu (TFLite via onnx2tf + edgetpu_compiler; full int8; single prefix). */
import type { ModelSpec } from '../../support/onnx-builder.js';
import { bad, decidedBy, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';
import { i64, resize, slice } from './arm-ethos-u55.cases.js';

/** Concat `n` on axis 1 of activations a0..a(k-1) [1, 3, 8, 8], plus a constant [1, 3, 8, 8] input when `constant`. */
function concat(k: number, constant: boolean): ModelSpec {
  const dims = [1, 3, 8, 8];
  const names = Array.from({ length: k }, (_, i) => `a${i}`);
  return qdq({
    inputs: names.map((name) => ({ name, dims })),
    outputs: [{ name: 'y' }],
    initializers: constant ? [{ name: 'c', dims, values: new Array(192).fill(0.5) }] : [],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'Concat', name: 'n', inputs: [...names, ...(constant ? ['c'] : [])], outputs: ['y'], attrs: { axis: 1 } }],
  });
}

const RESIZE_TODO = 'the coral-resize-precision unverifiable has no `when`, so no Resize can ever be accelerated: the valid side of the rule cannot be met (the compiler’s size rule is unpublished)';

export const cases: readonly RuleCase[] = [
  ok('quantization', 'full-int8 QDQ conv', qdq(conv())),
  bad('quantization', 'float conv', conv(), 'QUANT_REQUIRED'),
  ok('CONV_2D', '2D conv, group 1', qdq(conv())),
  decidedBy(bad('CONV_2D', '3D conv has no TFLite lowering EdgeGate can predict', qdq(conv({ x: [1, 4, 4, 8, 8], w: [8, 4, 3, 3, 3] })), 'CONVERSION', 'unknown'), 'conversion'),
  ok('defaults', '4D activation (NHWC, batch 1)', qdq(unary('Relu', [1, 3, 8, 8]))),
  bad('defaults', '5D activation with two outer dims > 1', qdq(unary('Relu', [1, 2, 3, 4, 5])), 'SHAPE'),
  ok('PAD', 'padding H and W only', qdq(unary('Pad', [1, 3, 8, 8], {}, [{ name: 'pads', dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], dtype: 7 }]))),
  bad('PAD', 'padding the channel dim', qdq(unary('Pad', [1, 3, 8, 8], {}, [{ name: 'pads', dims: [8], values: [0, 1, 1, 1, 0, 1, 1, 1], dtype: 7 }])), 'ATTRIBUTE'),
  ok('unlisted', 'Relu maps to RELU', qdq(unary('Relu'))),
  bad('unlisted', 'Atan has no known TFLite conversion', qdq(unary('Atan')), 'OP_NOT_LISTED'),
  ok('FULLY_CONNECTED', 'Gemm with a [1, 10] output', qdq(binary('Gemm', [1, 16], [16, 10]))),
  bad('FULLY_CONNECTED', 'Gemm with a [2, 10] output is not one-dimensional', qdq(binary('Gemm', [2, 16], [16, 10])), 'SHAPE'),
  ok('MEAN', 'ReduceMean over H and W', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [2, 3] }))),
  bad('MEAN', 'ReduceMean over channels', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [1] })), 'ATTRIBUTE'),
  ok('MEAN', 'GlobalAveragePool (spatial rank from the input: 4 − 2)', qdq(unary('GlobalAveragePool', [1, 3, 8, 8]))),
  bad('MEAN', 'ReduceMean over channels is a definite CPU fallback', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [1] })), 'ATTRIBUTE', 'cpu-fallback'),

  // CONCATENATION: a constant input is allowed only as one of exactly 2 inputs (and must be zeros).
  ok('CONCATENATION', 'two activations', concat(2, false)),
  ok('CONCATENATION', 'three activations', concat(3, false)),
  bad('CONCATENATION', 'two activations and a constant (3 inputs)', concat(2, true), 'ATTRIBUTE', 'cpu-fallback'),
  bad('CONCATENATION', 'an activation and a non-zero constant (2 inputs)', concat(1, true), 'UNVERIFIABLE', 'unknown'),

  // SOFTMAX: 1-D input (only the innermost dim > 1), at most 16,000 elements.
  ok('SOFTMAX', '[1, 10]', qdq(unary('Softmax', [1, 10]))),
  bad('SOFTMAX', '[2, 10] is not one-dimensional', qdq(unary('Softmax', [2, 10])), 'SHAPE'),
  bad('SOFTMAX', '[1, 3, 8, 8]: NHWC [1, 8, 8, 3] is not one-dimensional', qdq(unary('Softmax', [1, 3, 8, 8], { axis: 1 })), 'SHAPE'),
  bad('SOFTMAX', '[1, 20000] exceeds 16,000 elements', qdq(unary('Softmax', [1, 20000])), 'SHAPE'),

  // STRIDED_SLICE: steps must be constant 1 (absent steps default to 1).
  ok('STRIDED_SLICE', 'no steps input', slice()),
  ok('STRIDED_SLICE', 'constant steps 1', slice({ steps: [1] })),
  bad('STRIDED_SLICE', 'constant steps 2', slice({ steps: [2] }), 'ATTRIBUTE'),
  bad('STRIDED_SLICE', 'steps computed at run time', slice({ steps: 'input' }), 'NON_CONSTANT_INPUT'),

  // RESIZE_*: the profile only has an unverifiable caveat (size rule unpublished), so they are never accelerated.
  // SQUEEZE: the squeezed dims must be leading 1s in both the ONNX and the NHWC layout (unknown when the two differ).
  bad('RESIZE_BILINEAR', 'linear 2x: size rule unpublished', resize([1, 3, 8, 8], 'linear'), 'UNVERIFIABLE', 'unknown'),
  { ...ok('RESIZE_BILINEAR', 'linear 2x upscale', resize([1, 3, 8, 8], 'linear')), todo: RESIZE_TODO },
  bad('RESIZE_NEAREST_NEIGHBOR', 'nearest 2x: size rule unpublished', resize([1, 3, 8, 8], 'nearest'), 'UNVERIFIABLE', 'unknown'),
  { ...ok('RESIZE_NEAREST_NEIGHBOR', 'nearest 2x upscale', resize([1, 3, 8, 8], 'nearest')), todo: RESIZE_TODO },
  bad('SQUEEZE', '[5, 1, 10] squeezing axis 1 needs a relayout', qdq(unary('Squeeze', [5, 1, 10], {}, [i64('axes', [1])])), 'SHAPE'),
  ok('SQUEEZE', '[1, 1, 10] squeezing leading axis 0 (no relayout)', qdq(unary('Squeeze', [1, 1, 10], {}, [i64('axes', [0])]))),
  ok('SQUEEZE', '[1, 5, 10] squeezing leading axis 0', qdq(unary('Squeeze', [1, 5, 10], {}, [i64('axes', [0])]))),
  bad('SQUEEZE', '[1, 1, 10] squeezing axis 1 (C): leading in ONNX, not in NHWC', qdq(unary('Squeeze', [1, 1, 10], {}, [i64('axes', [1])])), 'SHAPE', 'unknown'),
];
