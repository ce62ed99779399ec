/** Rule cases for an ONNX Runtime CPU EP profile (kernel registrations per op and opset). */
import { bad, binary, conv, ok, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('unlisted', 'float conv with a symbolic batch and run-time weights (the CPU EP takes both)', conv({ weightInput: true, x: ['batch', 4, 8, 8] })),
  ok('Mod', 'opset 13 model', binary('Mod', [1, 8], [1, 8], { opset: 13, attrs: { fmod: 1 } })),
  bad('Mod', 'opset 9 model predates the Mod kernel (opset 10)', binary('Mod', [1, 8], [1, 8], { opset: 9, attrs: { fmod: 1 } }), 'OPSET', 'unsupported'),
  ok('AffineGrid', 'opset 20 model', unary('AffineGrid', [1, 2, 3], { align_corners: 0 }, [{ name: 'size', dims: [4], values: [1, 1, 4, 4], dtype: 7 }], 20)),
  bad('AffineGrid', 'opset 17 model has no AffineGrid kernel', unary('AffineGrid', [1, 2, 3], { align_corners: 0 }, [{ name: 'size', dims: [4], values: [1, 1, 4, 4], dtype: 7 }], 17), 'OPSET', 'unsupported'),
  ok('unlisted', 'Relu has a kernel', unary('Relu')),
  bad('unlisted', 'SwiGLU has no CPU kernel', unary('SwiGLU', [1, 8], {}, [], 17), 'OP_NOT_LISTED', 'unsupported'),
];
