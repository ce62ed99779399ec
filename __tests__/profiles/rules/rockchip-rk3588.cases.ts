/** Rule cases for rockchip-rk3588 (RKNN Toolkit2 op support). */
import { bad, binary, ok, unary, type RuleCase } from './harness.js';

export const cases: readonly RuleCase[] = [
  ok('Softmax', 'batch 1', unary('Softmax', [1, 10])),
  bad('Softmax', 'batch 2', unary('Softmax', [2, 10]), 'SHAPE', 'unsupported'),
  ok('Resize', 'nearest', unary('Resize', [1, 3, 8, 8], { mode: 'nearest' }, [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [4], values: [1, 1, 2, 2] }])),
  bad('Resize', 'cubic', unary('Resize', [1, 3, 8, 8], { mode: 'cubic' }, [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [4], values: [1, 1, 2, 2] }]), 'ATTRIBUTE', 'unsupported'),
  ok('unlisted', 'Relu', unary('Relu')),
  bad('unlisted', 'Abs is not in the RKNN table', unary('Abs'), 'OP_NOT_LISTED', 'unsupported'),
  ok('opset', 'opset 17', unary('Relu')),
  bad('opset', 'opset 20 above RKNN 19', unary('Relu', [1, 3, 8, 8], {}, [], 20), 'OPSET', 'unsupported'),
  ok('LogSoftmax', 'batch 1', unary('LogSoftmax', [1, 10])),
  bad('LogSoftmax', 'batch 4', unary('LogSoftmax', [4, 10]), 'SHAPE', 'unsupported'),
  ok('Slice', 'batch 1', unary('Slice', [1, 8], {}, [{ name: 'starts', dims: [1], values: [0], dtype: 7 }, { name: 'ends', dims: [1], values: [4], dtype: 7 }, { name: 'axes', dims: [1], values: [1], dtype: 7 }])),
  bad('Slice', 'batch 2', unary('Slice', [2, 8], {}, [{ name: 'starts', dims: [1], values: [0], dtype: 7 }, { name: 'ends', dims: [1], values: [4], dtype: 7 }, { name: 'axes', dims: [1], values: [1], dtype: 7 }]), 'SHAPE', 'unsupported'),
];
