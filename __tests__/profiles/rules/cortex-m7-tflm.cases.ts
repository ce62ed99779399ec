/** Rule cases for cortex-m7-tflm (TFLite Micro with CMSIS-NN kernels; int8/int16). */
import type { ModelSpec } from '../../support/onnx-builder.js';
import { INT64, INT8, UINT8, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

// Rules keyed by TFLite builtin are reached through conversion.opMap: each case builds the ONNX op that
// onnx2tf turns into that builtin. Valid = its full-int8 QDQ form (CMSIS-NN kernel); invalid = the float model,
// which TFLM runs on its reference kernel (cpu-fallback, DTYPE).
const int8 = (m: ModelSpec): ModelSpec => qdq(m, { act: INT8 });

const fill = (dims: readonly number[], v = 0.1): number[] => new Array(dims.reduce((a, b) => a * b, 1)).fill(v);
/** Depthwise Conv (group = channels = 4) → DEPTHWISE_CONV_2D. */
const depthwise = (): ModelSpec => conv({ x: [1, 4, 8, 8], w: [4, 1, 3, 3], attrs: { group: 4 } });
/** ConvTranspose with constant weights [C_in, C_out, 3, 3] → TRANSPOSE_CONV. */
const convTranspose = (): ModelSpec => unary('ConvTranspose', [1, 4, 8, 8], { strides: [2, 2] }, [{ name: 'w', dims: [4, 8, 3, 3], values: fill([4, 8, 3, 3]) }]);
/** MatMul of two activations → BATCH_MATMUL (the FULLY_CONNECTED alternative needs a constant rank-2 B). */
const batchMatMul = (): ModelSpec => binary('MatMul', [1, 4, 8], [1, 8, 4], { bInput: true });
const pad = (): ModelSpec => unary('Pad', [1, 3, 8, 8], {}, [{ name: 'pads', dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], dtype: INT64 }]);
/** A single-layer LSTM (seq 4, batch 1, input 8, hidden 4) with constant weights. */
const lstm = (): ModelSpec =>
  unary('LSTM', [4, 1, 8], { hidden_size: 4 }, [
    { name: 'W', dims: [1, 16, 8], values: fill([1, 16, 8]) },
    { name: 'R', dims: [1, 16, 4], values: fill([1, 16, 4]) },
  ]);


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

  ok('BATCH_MATMUL', 'int8 MatMul of two activations', int8(batchMatMul())),
  bad('BATCH_MATMUL', 'float MatMul of two activations', batchMatMul(), 'DTYPE', 'cpu-fallback'),
  ok('DEPTHWISE_CONV_2D', 'int8 depthwise conv (group = channels)', int8(depthwise())),
  ok('DEPTHWISE_CONV_2D', 'int8 depthwise conv, per-channel weights', qdq(depthwise(), { act: INT8, perChannel: true })),
  bad('DEPTHWISE_CONV_2D', 'float depthwise conv', depthwise(), 'DTYPE', 'cpu-fallback'),
  ok('FULLY_CONNECTED', 'int8 Gemm with constant B', int8(binary('Gemm', [1, 16], [16, 4]))),
  ok('FULLY_CONNECTED', 'int8 MatMul with constant rank-2 B', int8(binary('MatMul', [1, 16], [16, 4]))),
  bad('FULLY_CONNECTED', 'float Gemm with constant B', binary('Gemm', [1, 16], [16, 4]), 'DTYPE', 'cpu-fallback'),
  ok('MAXIMUM', 'int8 Max of two inputs', int8(binary('Max', [1, 8], [1, 8], { bInput: true }))),
  bad('MAXIMUM', 'float Max of two inputs', binary('Max', [1, 8], [1, 8], { bInput: true }), 'DTYPE', 'cpu-fallback'),
  ok('MINIMUM', 'int8 Min of two inputs', int8(binary('Min', [1, 8], [1, 8], { bInput: true }))),
  bad('MINIMUM', 'float Min of two inputs', binary('Min', [1, 8], [1, 8], { bInput: true }), 'DTYPE', 'cpu-fallback'),
  ok('MUL', 'int8 Mul', int8(binary('Mul', [1, 8], [1, 8], { bInput: true }))),
  bad('MUL', 'float Mul', binary('Mul', [1, 8], [1, 8], { bInput: true }), 'DTYPE', 'cpu-fallback'),
  ok('PAD', 'int8 constant-mode Pad of H and W', int8(pad())),
  bad('PAD', 'float constant-mode Pad', pad(), 'DTYPE', 'cpu-fallback'),
  ok('AVERAGE_POOL_2D', 'int8 2D AveragePool', int8(unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] }))),
  bad('AVERAGE_POOL_2D', 'float 2D AveragePool', unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] }), 'DTYPE', 'cpu-fallback'),
  ok('TRANSPOSE', 'int8 Transpose', int8(unary('Transpose', [1, 3, 8, 8], { perm: [0, 2, 3, 1] }))),
  bad('TRANSPOSE', 'float Transpose', unary('Transpose', [1, 3, 8, 8], { perm: [0, 2, 3, 1] }), 'DTYPE', 'cpu-fallback'),
  ok('TRANSPOSE_CONV', 'int8 2D ConvTranspose (per-tensor weights)', int8(convTranspose())),
  bad('TRANSPOSE_CONV', 'float 2D ConvTranspose', convTranspose(), 'DTYPE', 'cpu-fallback'),
  bad('conversion', 'LSTM: the onnx2tf lowering is not predicted', lstm(), 'CONVERSION', 'unknown'),
];
