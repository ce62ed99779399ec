/** Rule cases for cortex-m7-tflm (TFLite Micro with CMSIS-NN kernels; int8/int16). */
import { INT8, UINT8, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('CONV_2D', 'int8 QDQ conv takes the CMSIS-NN kernel', qdq(conv(), { act: INT8 })),
  bad('CONV_2D', 'float conv runs the reference kernel', conv(), 'DTYPE', 'cpu-fallback'),
  ok('quantization', 'int8 activations', qdq(conv(), { act: INT8 })),
  bad('quantization', 'uint8 activations', qdq(conv(), { act: UINT8 }), 'QUANT_DTYPE'),
  ok('defaults', 'static shape', qdq(unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] }), { act: INT8 })),
  bad('defaults', 'dynamic batch', qdq(unary('MaxPool', ['batch', 3, 8, 8], { kernel_shape: [2, 2] }), { act: INT8 }), 'DYNAMIC_SHAPE'),
  ok('ADD', 'int8 Add', qdq(binary('Add', [1, 8], [1, 8], { bInput: true }), { act: INT8 })),
  bad('ADD', 'float Add runs the reference kernel', binary('Add', [1, 8], [1, 8], { bInput: true }), 'DTYPE', 'cpu-fallback'),
  ok('SOFTMAX', 'int8 Softmax', qdq(unary('Softmax', [1, 10]), { act: INT8 })),
  bad('SOFTMAX', 'float Softmax', unary('Softmax', [1, 10]), 'DTYPE', 'cpu-fallback'),
  ok('MAX_POOL_2D', 'int8 MaxPool', qdq(unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] }), { act: INT8 })),
  bad('MAX_POOL_2D', 'float MaxPool', unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] }), 'DTYPE', 'cpu-fallback'),
];
