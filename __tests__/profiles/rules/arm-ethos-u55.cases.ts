/** Rule cases for arm-ethos-u55 (TFLite via onnx2tf + Vela; int8/int16; CPU fallback per op). */
import { bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('quantization', 'QDQ conv', qdq(conv())),
  bad('quantization', 'float conv', conv(), 'QUANT_REQUIRED'),
  ok('AVERAGE_POOL_2D', 'kernel 3x3', qdq(unary('AveragePool', [1, 3, 16, 16], { kernel_shape: [3, 3] }))),
  bad('AVERAGE_POOL_2D', 'kernel 9x9 exceeds 8', qdq(unary('AveragePool', [1, 3, 16, 16], { kernel_shape: [9, 9] })), 'ATTRIBUTE'),
  ok('CONV_2D', 'batch 1', qdq(conv())),
  bad('CONV_2D', 'batch 2', qdq(conv({ x: [2, 4, 8, 8] })), 'SHAPE'),
  ok('defaults', 'rank 4', qdq(unary('Relu', [1, 3, 8, 8]))),
  bad('defaults', 'rank 5 exceeds Vela’s 4', qdq(unary('Relu', [1, 2, 3, 4, 5])), 'RANK'),
  ok('MAX_POOL_2D', 'stride 2', qdq(unary('MaxPool', [1, 3, 16, 16], { kernel_shape: [2, 2], strides: [2, 2] }))),
  bad('MAX_POOL_2D', 'stride 4 exceeds 3', qdq(unary('MaxPool', [1, 3, 16, 16], { kernel_shape: [4, 4], strides: [4, 4] })), 'ATTRIBUTE'),
  ok('FULLY_CONNECTED', '2D output', qdq(binary('Gemm', [1, 16], [16, 10]))),
  bad('FULLY_CONNECTED', 'per-channel weights (Vela takes them only for convolutions)', qdq(binary('Gemm', [1, 16], [16, 10]), { perChannel: true }), 'QUANT_GRANULARITY'),
];
