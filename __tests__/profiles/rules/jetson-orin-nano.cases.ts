/** Rule cases for jetson-orin-nano (TensorRT ONNX parser operator matrix). */
import { bad, dtypeCases, ok, unary, INT64, type RuleCase } from './harness.js';
import { loadProfile } from '../../../src/profiles/load.js';

/** Ops whose dtype-only rule needs a model with more than one plain input or required attributes. */
const SKIP = new Set(['Cast', 'CastLike', 'Reshape', 'Expand', 'Tile', 'Slice', 'Pad', 'Resize', 'Where', 'Einsum', 'Range', 'ConstantOfShape', 'EyeLike', 'OneHot', 'TopK', 'ScatterND', 'ScatterElements', 'GatherElements', 'GatherND', 'Upsample', 'Compress', 'NonMaxSuppression', 'RoiAlign', 'QuantizeLinear', 'DequantizeLinear', 'Conv', 'ConvTranspose', 'Gemm', 'LSTM', 'GRU', 'RNN', 'If', 'Loop', 'Scan', 'MaxUnpool', 'GridSample']);

export const cases: readonly RuleCase[] = [
  ...dtypeCases(loadProfile('jetson-orin-nano').profile.rules, SKIP, 'unsupported'),
  ok('Abs', 'float input', unary('Abs')),
  bad('Abs', 'int64 input', unary('Abs', [1, 8], {}, [], 17, INT64), 'DTYPE', 'unsupported'),
  ok('AveragePool', '2D pool', unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('AveragePool', '1D pool', unary('AveragePool', [1, 3, 8], { kernel_shape: [2] }), 'RANK', 'unsupported'),
  ok('opset', 'opset 17', unary('Relu')),
  bad('opset', 'opset 18 is above the parser range', unary('Relu', [1, 3, 8, 8], {}, [], 18), 'OPSET', 'unsupported'),
];
