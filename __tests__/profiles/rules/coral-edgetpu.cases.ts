/** Rule cases for coral-edgetpu (TFLite via onnx2tf + edgetpu_compiler; full int8; single prefix). */
import { bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('quantization', 'full-int8 QDQ conv', qdq(conv())),
  bad('quantization', 'float conv', conv(), 'QUANT_REQUIRED'),
  ok('CONV_2D', '2D conv, group 1', qdq(conv())),
  bad('CONV_2D', '3D conv has no TFLite lowering EdgeGate can predict', qdq(conv({ x: [1, 4, 4, 8, 8], w: [8, 4, 3, 3, 3] })), 'CONVERSION', 'unknown'),
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
];
