/** Rule cases for android-nnapi (ORT NNAPI EP, nnapi_supported_ops.md caveats). */
import type { ModelSpec, TensorSpec } from '../../support/onnx-builder.js';
import { FLOAT, INT64, INT8, UINT8, bad, decidedBy, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

const f32 = (name: string, v: number): TensorSpec => ({ name, dims: [], values: [v] });
const u8 = (name: string, v: number): TensorSpec => ({ name, dims: [], values: [v], dtype: UINT8 });
const i8 = (name: string, v: number): TensorSpec => ({ name, dims: [], values: [v], dtype: INT8 });
const AXES0: TensorSpec = { name: 'axes', dims: [1], values: [0], dtype: INT64 };

/**
 * One node `n` with the given inputs in order: a tensor with `values` is an initializer (constant), one without
 * is a graph input (computed at run time). `dynamic` turns named initializers into graph inputs.
 */
function qnode(op: string, inputs: readonly TensorSpec[], opts: { dynamic?: readonly string[]; attrs?: ModelSpec['nodes'][number]['attrs']; domain?: string; outDtype?: number } = {}): ModelSpec {
  const dyn = new Set(opts.dynamic ?? []);
  const graphInputs = inputs.filter((t) => t.values === undefined || dyn.has(t.name));
  return {
    inputs: graphInputs.map((t) => ({ name: t.name, dims: t.dims, dtype: t.dtype ?? FLOAT })),
    outputs: [{ name: 'y', dtype: opts.outDtype ?? UINT8 }],
    initializers: inputs.filter((t) => t.values !== undefined && !dyn.has(t.name)),
    opsets: [{ domain: '', version: 17 }, ...(opts.domain ? [{ domain: opts.domain, version: 1 }] : [])],
    nodes: [{ op, name: 'n', inputs: inputs.map((t) => t.name), outputs: ['y'], attrs: opts.attrs ?? {}, ...(opts.domain ? { domain: opts.domain } : {}) }],
  };
}
/** A uint8 activation graph input (no values: always a graph input). */
const act = (name: string, dims: number[]): TensorSpec => ({ name, dims, dtype: UINT8 });
const weight = (name: string, dims: number[]): TensorSpec => ({ name, dims, values: new Array(dims.reduce((a, b) => a * b, 1)).fill(3), dtype: INT8 });

const qlinearConv = (x: number[], w: number[], dynamic: string[] = []): ModelSpec =>
  qnode('QLinearConv', [act('x', x), f32('x_scale', 0.05), u8('x_zp', 128), weight('w', w), f32('w_scale', 0.01), i8('w_zp', 0), f32('y_scale', 0.05), u8('y_zp', 128)], { dynamic });
const qlinearMatMul = (dynamic: string[] = []): ModelSpec =>
  qnode('QLinearMatMul', [act('a', [1, 16]), f32('a_scale', 0.05), u8('a_zp', 128), weight('b', [16, 4]), f32('b_scale', 0.01), i8('b_zp', 0), f32('y_scale', 0.05), u8('y_zp', 128)], { dynamic });
const qlinearAdd = (dynamic: string[] = []): ModelSpec =>
  qnode('QLinearAdd', [act('a', [1, 8]), f32('a_scale', 0.05), u8('a_zp', 128), act('b', [1, 8]), f32('b_scale', 0.05), u8('b_zp', 128), f32('c_scale', 0.05), u8('c_zp', 128)], { dynamic, domain: 'com.microsoft' });
const qlinearSigmoid = (dynamic: string[] = []): ModelSpec =>
  qnode('QLinearSigmoid', [act('x', [1, 8]), f32('x_scale', 0.05), u8('x_zp', 128), f32('y_scale', 1 / 256), u8('y_zp', 0)], { dynamic, domain: 'com.microsoft' });
const qlinearAvgPool = (x: number[], dynamic: string[] = []): ModelSpec =>
  qnode('QLinearAveragePool', [act('x', x), f32('x_scale', 0.05), u8('x_zp', 128), f32('y_scale', 0.05), u8('y_zp', 128)], { dynamic, domain: 'com.microsoft', attrs: { kernel_shape: x.slice(2).map(() => 2) } });
/** A lone QuantizeLinear / DequantizeLinear at the graph's edge (float I/O conversion). */
const quantize = (dynamic: string[] = []): ModelSpec => qnode('QuantizeLinear', [{ name: 'x', dims: [1, 8] }, f32('s', 0.05), u8('zp', 128)], { dynamic });
const dequantize = (dynamic: string[] = []): ModelSpec => qnode('DequantizeLinear', [act('x', [1, 8]), f32('s', 0.05), u8('zp', 128)], { dynamic, outDtype: FLOAT });

/** Split `n` of x into `parts` outputs along `axis`, with an optional `split` input (constant unless `splitInput`). */
function split(x: number[], axis: number, parts: number, opts: { split?: number[]; splitInput?: boolean } = {}): ModelSpec {
  const s = opts.split;
  const outs = Array.from({ length: parts }, (_, i) => `y${i}`);
  return {
    inputs: [{ name: 'x', dims: x }, ...(s && opts.splitInput ? [{ name: 'split', dims: [s.length], dtype: INT64 }] : [])],
    outputs: outs.map((name) => ({ name })),
    initializers: s && !opts.splitInput ? [{ name: 'split', dims: [s.length], values: s, dtype: INT64 }] : [],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'Split', name: 'n', inputs: ['x', ...(s ? ['split'] : [])], outputs: outs, attrs: { axis } }],
  };
}

const resize = (x: number[]): ModelSpec => unary('Resize', x, { mode: 'nearest' }, [{ name: 'roi', dims: [0], values: [] }, { name: 'scales', dims: [x.length], values: x.map((_, i) => (i < 2 ? 1 : 2)) }]);

// The gate on quantization (`quantization.constantScales: true`) runs before the rule, so a computed scale or
// zero point of a QOperator op is QUANT_SCALE_NOT_CONSTANT; the rules' own `constant` conditions decide only
// for inputs that gate does not cover (weights, bias, Q/DQ at graph edges, Split/Squeeze shape inputs).

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

  ok('QuantizeLinear', 'float graph input → uint8, constant scale and zero point', quantize()),
  bad('QuantizeLinear', 'scale computed at run time', quantize(['s']), 'NON_CONSTANT_INPUT'),
  bad('QuantizeLinear', 'zero point computed at run time', quantize(['zp']), 'NON_CONSTANT_INPUT'),
  ok('DequantizeLinear', 'uint8 graph input → float output, constant scale and zero point', dequantize()),
  bad('DequantizeLinear', 'scale computed at run time', dequantize(['s']), 'NON_CONSTANT_INPUT'),
  bad('DequantizeLinear', 'zero point computed at run time', dequantize(['zp']), 'NON_CONSTANT_INPUT'),
  ok('GlobalAveragePool', '2D pool', unary('GlobalAveragePool', [1, 3, 8, 8])),
  bad('GlobalAveragePool', '1D pool', unary('GlobalAveragePool', [1, 3, 8]), 'RANK'),
  ok('GlobalMaxPool', '2D pool', unary('GlobalMaxPool', [1, 3, 8, 8])),
  bad('GlobalMaxPool', '1D pool', unary('GlobalMaxPool', [1, 3, 8]), 'RANK'),
  ok('Resize', '2D (4D NCHW) nearest upsample', resize([1, 3, 8, 8])),
  bad('Resize', '1D (3D NCW) resize', resize([1, 3, 8]), 'RANK'),
  ok('Split', 'two equal halves, no split input', split([1, 8], 1, 2)),
  ok('Split', 'constant split into equal parts', split([1, 8], 1, 2, { split: [4, 4] })),
  bad('Split', 'constant split into unequal parts', split([1, 8], 1, 2, { split: [3, 5] }), 'SHAPE'),
  bad('Split', 'split computed at run time', split([1, 8], 1, 2, { split: [4, 4], splitInput: true }), 'NON_CONSTANT_INPUT'),
  ok('Squeeze', 'constant axes', unary('Squeeze', [1, 8], {}, [AXES0])),
  bad('Squeeze', 'axes computed at run time', binary('Squeeze', [1, 8], [1], { bInput: true }), 'NON_CONSTANT_INPUT'),

  ok('QLinearConv', '2D conv, uint8 activations, constant int8 weights and scales', qlinearConv([1, 4, 8, 8], [8, 4, 3, 3])),
  bad('QLinearConv', '1D conv (rank-3 weights)', qlinearConv([1, 4, 8], [8, 4, 3]), 'RANK'),
  bad('QLinearConv', 'weights computed at run time', qlinearConv([1, 4, 8, 8], [8, 4, 3, 3], ['w']), 'NON_CONSTANT_INPUT'),
  decidedBy(bad('QLinearConv', 'weight scale computed at run time (profile gate)', qlinearConv([1, 4, 8, 8], [8, 4, 3, 3], ['w_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  ok('QLinearMatMul', 'constant scales and zero points', qlinearMatMul()),
  decidedBy(bad('QLinearMatMul', 'input scale computed at run time (profile gate)', qlinearMatMul(['a_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  decidedBy(bad('QLinearMatMul', 'output zero point computed at run time (profile gate)', qlinearMatMul(['y_zp']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  ok('com.microsoft:QLinearAdd', 'constant scales and zero points', qlinearAdd()),
  decidedBy(bad('com.microsoft:QLinearAdd', 'A scale computed at run time (profile gate)', qlinearAdd(['a_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  decidedBy(bad('com.microsoft:QLinearAdd', 'C (output) scale computed at run time', qlinearAdd(['c_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  decidedBy(bad('com.microsoft:QLinearAdd', 'C (output) zero point computed at run time', qlinearAdd(['c_zp']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  ok('com.microsoft:QLinearSigmoid', 'constant scales and zero points', qlinearSigmoid()),
  decidedBy(bad('com.microsoft:QLinearSigmoid', 'X scale computed at run time (profile gate)', qlinearSigmoid(['x_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  decidedBy(bad('com.microsoft:QLinearSigmoid', 'Y (output) scale computed at run time', qlinearSigmoid(['y_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  ok('com.microsoft:QLinearAveragePool', '2D pool, constant scales', qlinearAvgPool([1, 3, 8, 8])),
  bad('com.microsoft:QLinearAveragePool', '1D pool', qlinearAvgPool([1, 3, 8]), 'RANK'),
  decidedBy(bad('com.microsoft:QLinearAveragePool', 'X scale computed at run time (profile gate)', qlinearAvgPool([1, 3, 8, 8], ['x_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
  decidedBy(bad('com.microsoft:QLinearAveragePool', 'Y (output) scale computed at run time', qlinearAvgPool([1, 3, 8, 8], ['y_scale']), 'QUANT_SCALE_NOT_CONSTANT'), 'quantization'),
];
