/** Rule cases for qualcomm-htp (ORT QNN EP, HTP backend). */
import type { ModelSpec } from '../../support/onnx-builder.js';
import { INT64, INT8, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

/** Gather `n` of a [4, 8] tensor with int64 indices that are a graph input (computed at run time). */
function gatherRuntimeIndices(): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: [4, 8] }, { name: 'idx', dims: [2], dtype: INT64 }],
    outputs: [{ name: 'y' }],
    initializers: [],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'Gather', name: 'n', inputs: ['x', 'idx'], outputs: ['y'], attrs: { axis: 0 } }],
  };
}

export const cases: readonly RuleCase[] = [
  ok('quantization', 'QDQ conv with uint8 activations', qdq(conv())),
  bad('quantization', 'QDQ conv with int8 activations', qdq(conv(), { act: INT8 }), 'QUANT_DTYPE'),
  ok('LpNormalization', 'p = 2', unary('LpNormalization', [1, 8], { p: 2 })),
  bad('LpNormalization', 'p = 1', unary('LpNormalization', [1, 8], { p: 1 }), 'ATTRIBUTE'),
  ok('Gather', 'constant non-negative indices', unary('Gather', [4, 8], { axis: 0 }, [{ name: 'idx', dims: [2], values: [0, 1], dtype: INT64 }])),
  // onnxruntime-qnn gather_op_builder.cc ProcessIndicesInput (060ad78, read 2026-12-06): constant negative
  // indices are made positive, so y[:, -1] after an nn.LSTM stays on the NPU.
  ok('Gather', 'constant negative index -1 (y[:, -1])', unary('Gather', [4, 8], { axis: 0 }, [{ name: 'idx', dims: [2], values: [0, -1], dtype: INT64 }])),
  bad('Gather', 'indices computed at run time: their sign is not known', gatherRuntimeIndices(), 'UNVERIFIABLE', 'unknown'),
  // onnxruntime-qnn op_builder_factory.cc (001cffc) registers Reshape with CreateReshapeOpBuilder;
  // reshape_op_builder.cc (3386899) refuses allowzero != 0.
  ok('Reshape', 'constant shape, allowzero 0 (default)', unary('Reshape', [1, 8, 4], {}, [{ name: 'shape', dims: [2], values: [1, 32], dtype: INT64 }])),
  bad('Reshape', 'allowzero = 1', unary('Reshape', [1, 8, 4], { allowzero: 1 }, [{ name: 'shape', dims: [2], values: [1, 32], dtype: INT64 }], 18), 'ATTRIBUTE'),
  // op_builder_factory.cc (001cffc): CreateSimpleOpBuilder("HardSigmoid"), no condition in ExplicitOpCheck.
  ok('HardSigmoid', 'MobileNetV3 hard sigmoid (alpha 1/6, beta 0.5)', unary('HardSigmoid', [1, 8, 4, 4], { alpha: 1 / 6, beta: 0.5 })),
  ok('defaults', 'fixed shapes', unary('Relu')),
  bad('defaults', 'dynamic batch', unary('Relu', ['batch', 3, 8, 8]), 'DYNAMIC_SHAPE'),
  ok('unlisted', 'a listed op', unary('Relu')),
  bad('unlisted', 'an op QNN does not list', unary('Erf'), 'OP_NOT_LISTED'),
  ok('MatMul', 'float MatMul', binary('MatMul', [1, 16], [16, 4])),
  bad('MatMul', 'int64 MatMul', binary('MatMul', [1, 16], [16, 4], { bInput: true, dtype: INT64 }), 'DTYPE'),
];
