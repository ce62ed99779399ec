/** Rule cases for qualcomm-htp (ORT QNN EP, HTP backend). */
import { INT64, INT8, bad, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('quantization', 'QDQ conv with uint8 activations', qdq(conv())),
  bad('quantization', 'QDQ conv with int8 activations', qdq(conv(), { act: INT8 }), 'QUANT_DTYPE'),
  ok('LpNormalization', 'p = 2', unary('LpNormalization', [1, 8], { p: 2 })),
  bad('LpNormalization', 'p = 1', unary('LpNormalization', [1, 8], { p: 1 }), 'ATTRIBUTE'),
  ok('Gather', 'constant non-negative indices', unary('Gather', [4, 8], { axis: 0 }, [{ name: 'idx', dims: [2], values: [0, 1], dtype: INT64 }])),
  bad('Gather', 'negative indices: not decidable for sure', unary('Gather', [4, 8], { axis: 0 }, [{ name: 'idx', dims: [2], values: [0, -1], dtype: INT64 }]), 'UNVERIFIABLE', 'unknown'),
  ok('defaults', 'fixed shapes', unary('Relu')),
  bad('defaults', 'dynamic batch', unary('Relu', ['batch', 3, 8, 8]), 'DYNAMIC_SHAPE'),
  ok('unlisted', 'a listed op', unary('Relu')),
  bad('unlisted', 'an op QNN does not list', unary('Erf'), 'OP_NOT_LISTED'),
  ok('MatMul', 'float MatMul', binary('MatMul', [1, 16], [16, 4])),
  bad('MatMul', 'int64 MatMul', binary('MatMul', [1, 16], [16, 4], { bInput: true, dtype: INT64 }), 'DTYPE'),
];
