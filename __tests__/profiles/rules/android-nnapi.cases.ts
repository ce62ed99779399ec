/** Rule cases for android-nnapi (ORT NNAPI EP, nnapi_supported_ops.md caveats). */
import { INT64, INT8, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('Conv', '2D conv with constant weights', conv()),
  bad('Conv', 'weights computed at run time', conv({ weightInput: true }), 'NON_CONSTANT_INPUT'),
  ok('DepthToSpace', 'DCR mode (ONNX default)', unary('DepthToSpace', [1, 8, 4, 4], { blocksize: 2 })),
  bad('DepthToSpace', 'CRD mode', unary('DepthToSpace', [1, 8, 4, 4], { blocksize: 2, mode: 'CRD' }), 'ATTRIBUTE'),
  ok('Gemm', 'constant B', binary('Gemm', [1, 16], [16, 4])),
  bad('Gemm', 'B computed at run time and transB = 0', binary('Gemm', [1, 16], [16, 4], { bInput: true }), 'NON_CONSTANT_INPUT'),
  ok('MaxPool', '2D pool', unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('MaxPool', '1D pool', unary('MaxPool', [1, 3, 8], { kernel_shape: [2] }), 'RANK'),
  ok('defaults', 'fixed input shape', unary('Relu', [1, 3, 8, 8])),
  bad('defaults', 'symbolic batch', unary('Relu', ['batch', 3, 8, 8]), 'DYNAMIC_SHAPE'),
  ok('unlisted', 'a listed op', unary('Sigmoid')),
  bad('unlisted', 'HardSigmoid is not in the NNAPI table', unary('HardSigmoid'), 'OP_NOT_LISTED', 'cpu-fallback'),
  ok('quantization', 'QDQ conv, uint8 activations, per-channel int8 weights', qdq(conv(), { perChannel: true })),
  bad('quantization', 'QDQ conv with int8 activations', qdq(conv(), { act: INT8 }), 'QUANT_DTYPE'),
  ok('opset', 'opset 17', unary('Relu', [1, 3, 8, 8], {}, [], 17)),
  bad('opset', 'opset 27 is above the EP range', unary('Relu', [1, 3, 8, 8], {}, [], 27), 'OPSET'),
  ok('AveragePool', '2D pool', unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('AveragePool', '1D pool', unary('AveragePool', [1, 3, 8], { kernel_shape: [2] }), 'RANK'),
  ok('Gather', 'constant indices', unary('Gather', [4, 8], { axis: 0 }, [{ name: 'idx', dims: [2], values: [0, 1], dtype: INT64 }])),
  bad('Gather', 'int64 indices computed at run time', binary('Gather', [4, 8], [2], { bInput: true, attrs: { axis: 0 } }), 'NON_CONSTANT_INPUT'),
  ok('Pad', 'constant mode, constant non-negative pads', unary('Pad', [1, 3, 8, 8], {}, [{ name: 'pads', dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], dtype: INT64 }])),
  bad('Pad', 'reflect mode', unary('Pad', [1, 3, 8, 8], { mode: 'reflect' }, [{ name: 'pads', dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], dtype: INT64 }]), 'ATTRIBUTE'),
  ok('Unsqueeze', 'constant axes', unary('Unsqueeze', [3, 8], {}, [{ name: 'axes', dims: [1], values: [0], dtype: INT64 }])),
  bad('Unsqueeze', 'axes computed at run time', binary('Unsqueeze', [3, 8], [1], { bInput: true }), 'NON_CONSTANT_INPUT'),
];
