/** Rule cases for arm-ethos-u55 (TFLite via onnx2tf + Vela; int8/int16; CPU fallback per op). */
import type { ModelSpec, NodeSpec, TensorSpec } from '../../support/onnx-builder.js';
import { INT64, bad, decidedBy, binary, conv, ok, qdq, unary, type RuleCase } from './harness.js';

const INT32 = 6;
const INT16 = 5;

// qdqKeep, i32, i64, slice and resize are exported for coral-edgetpu.cases.ts (candidates for harness.ts).

/**
 * qdq() that leaves the named node inputs alone: float constants a real QDQ model keeps in float (Clip
 * bounds, Resize scales) and integer index tensors computed at run time (Slice starts), which get no Q/DQ.
 */
export function qdqKeep(spec: ModelSpec, keep: readonly string[], opts: Parameters<typeof qdq>[1] = {}): ModelSpec {
  const node = spec.nodes[0]!;
  const q = qdq({ ...spec, nodes: [{ ...node, inputs: node.inputs.map((x) => (keep.includes(x) ? '' : x)) }] }, opts);
  const nodes = q.nodes.map((n) => (n.name === 'n' ? { ...n, inputs: n.inputs.map((x, i) => (keep.includes(node.inputs[i]!) ? node.inputs[i]! : x)) } : n));
  return { ...q, nodes, initializers: [...(q.initializers ?? []), ...(spec.initializers ?? []).filter((t) => keep.includes(t.name))] };
}

const f32 = (name: string, v: number): TensorSpec => ({ name, dims: [], values: [v] });
export const i64 = (name: string, values: number[]): TensorSpec => ({ name, dims: [values.length], values, dtype: INT64 });

/** Clip(x, min, max) with float constant bounds (opset 13 form). */
function clip(dims: number[], min: number, max: number): ModelSpec {
  return qdqKeep(unary('Clip', dims, {}, [f32('lo', min), f32('hi', max)]), ['lo', 'hi']);
}

/** A depthwise Conv: x [n, c, 8, 8], weight [c·m, 1, k, k], group c. */
function dwConv(o: { n?: number; c?: number; m?: number; k?: number; attrs?: NodeSpec['attrs']; x?: number[]; weightInput?: boolean } = {}): ModelSpec {
  const c = o.c ?? 4;
  return conv({ x: o.x ?? [o.n ?? 1, c, 8, 8], w: [c * (o.m ?? 1), 1, o.k ?? 3, o.k ?? 3], attrs: { group: c, ...o.attrs }, ...(o.weightInput ? { weightInput: true } : {}) });
}

/** ConvTranspose x [n, 4, 8, 8], weight [4, 8, k, k]. */
function convT(o: { n?: number; k?: number; attrs?: NodeSpec['attrs']; weightInput?: boolean } = {}): ModelSpec {
  const w = [4, 8, o.k ?? 2, o.k ?? 2];
  const spec: ModelSpec = {
    inputs: [{ name: 'x', dims: [o.n ?? 1, 4, 8, 8] }, ...(o.weightInput ? [{ name: 'w', dims: w }] : [])],
    outputs: [{ name: 'y' }],
    initializers: o.weightInput ? [] : [{ name: 'w', dims: w, values: new Array(w.reduce((a, b) => a * b, 1)).fill(0.1) }],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'ConvTranspose', name: 'n', inputs: ['x', 'w'], outputs: ['y'], attrs: { strides: [2, 2], ...o.attrs } }],
  };
  return spec;
}

/** Split of x along axis 1 into outputs y0, y1 (sizes from a constant `split` input when given). */
function split(dims: number[], sizes?: number[]): ModelSpec {
  return qdq({
    inputs: [{ name: 'x', dims }],
    outputs: [{ name: 'y0' }, { name: 'y1' }],
    initializers: sizes ? [i64('sizes', sizes)] : [],
    opsets: [{ domain: '', version: 17 }],
    nodes: [{ op: 'Split', name: 'n', inputs: ['x', ...(sizes ? ['sizes'] : [])], outputs: ['y0', 'y1'], attrs: { axis: 1 } }],
  });
}

/**
 * int32 constant: onnx-builder writes non-int8/int64 values as float32 bytes, so each value is passed as the
 * float32 whose bit pattern is that int32.
 */
export const i32 = (name: string, values: number[]): TensorSpec => ({ name, dims: [values.length], values: [...new Float32Array(Int32Array.from(values).buffer)], dtype: INT32 });

/**
 * Slice of x [1, 3, 8, 8] on axis 2, rows 2..6. Index tensors are int32 (ONNX allows int32 or int64) so that a
 * run-time one passes the profile's dtype defaults and reaches the rule; starts/steps may be graph inputs.
 */
export function slice(o: { steps?: number[] | 'input'; startsInput?: boolean } = {}): ModelSpec {
  const inits: TensorSpec[] = [i32('ends', [6]), i32('axes', [2])];
  if (!o.startsInput) inits.push(i32('starts', [2]));
  if (Array.isArray(o.steps)) inits.push(i32('steps', o.steps));
  const stepsIn = o.steps === undefined ? [] : ['steps'];
  const inputs: { name: string; dims: number[]; dtype?: number }[] = [{ name: 'x', dims: [1, 3, 8, 8] }];
  if (o.startsInput) inputs.push({ name: 'starts', dims: [1], dtype: INT32 });
  if (o.steps === 'input') inputs.push({ name: 'steps', dims: [1], dtype: INT32 });
  return qdqKeep(
    {
      inputs,
      outputs: [{ name: 'y' }],
      initializers: inits,
      opsets: [{ domain: '', version: 17 }],
      nodes: [{ op: 'Slice', name: 'n', inputs: ['x', 'starts', 'ends', 'axes', ...stepsIn], outputs: ['y'] }],
    },
    ['starts', 'steps'],
  );
}

/** Resize of x by constant float scales (opset 13 form: X, roi '', scales). */
export function resize(dims: number[], mode: string): ModelSpec {
  const spec = unary('Resize', dims, { mode }, [{ name: 'scales', dims: [4], values: [1, 1, 2, 2] }]);
  return qdqKeep({ ...spec, nodes: [{ ...spec.nodes[0]!, inputs: ['x', '', 'scales'] }] }, ['scales']);
}

/** A QDQ Resize of `dims` by `factor` on H and W, with the given coordinate_transformation_mode. */
function resizeBy(dims: number[], mode: string, factor: number, ctm: string): ModelSpec {
  const spec = unary('Resize', dims, { mode, coordinate_transformation_mode: ctm }, [{ name: 'scales', dims: [4], values: [1, 1, factor, factor] }]);
  return qdqKeep({ ...spec, nodes: [{ ...spec.nodes[0]!, inputs: ['x', '', 'scales'] }] }, ['scales']);
}

/** `a, b → op` where b is an int64 graph input (a shape/pads tensor computed at run time); only a gets Q/DQ. */
function runtimeInt(op: string, a: number[], b: number[]): ModelSpec {
  return qdqKeep({ ...binary(op, a, b, { bInput: true }), inputs: [{ name: 'a', dims: a }, { name: 'b', dims: b, dtype: INT64 }] }, ['b']);
}

const pads = (v: number[]): TensorSpec => i64('pads', v);
const SPATIAL_PADS = [0, 0, 1, 1, 0, 0, 1, 1];
const batchOnly = (rule: string, op: string, dims: number[] = [1, 3, 8, 8], attrs: NodeSpec['attrs'] = {}, opset = 17): RuleCase[] => [
  ok(rule, `${op}, batch 1`, qdq(unary(op, dims, attrs, [], opset))),
  bad(rule, `${op}, batch 2`, qdq(unary(op, [2, ...dims.slice(1)], attrs, [], opset)), 'SHAPE'),
];
const batchOnlyBinary = (rule: string, op: string, attrs: NodeSpec['attrs'] = {}): RuleCase[] => [
  ok(rule, `${op} of two activations, batch 1`, qdq(binary(op, [1, 3, 8, 8], [1, 3, 8, 8], { bInput: true, attrs }))),
  bad(rule, `${op} of two activations, batch 2`, qdq(binary(op, [2, 3, 8, 8], [2, 3, 8, 8], { bInput: true, attrs })), 'SHAPE'),
];


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
  decidedBy(bad('FULLY_CONNECTED', 'per-channel weights (Vela takes them only for convolutions)', qdq(binary('Gemm', [1, 16], [16, 10]), { perChannel: true }), 'QUANT_GRANULARITY'), 'quantization'),

  // Rules whose only condition is "IFM batch 1".
  ...batchOnly('ABS', 'Abs'),
  ...batchOnly('HARD_SWISH', 'HardSwish'),
  bad('HARD_SWISH', 'int16 activations (the profile takes them, HARD_SWISH only 8-bit)', qdq(unary('HardSwish'), { act: INT16 }), 'DTYPE'),
  ...batchOnly('LEAKY_RELU', 'LeakyRelu', [1, 3, 8, 8], { alpha: 0.1 }),
  ...batchOnly('LOGISTIC', 'Sigmoid'),
  ...batchOnly('RELU', 'Relu'),
  ...batchOnly('TANH', 'Tanh'),
  ...batchOnlyBinary('ADD', 'Add'),
  ...batchOnlyBinary('SUB', 'Sub'),
  ...batchOnlyBinary('MUL', 'Mul'),
  ...batchOnlyBinary('MAXIMUM', 'Max'),
  ...batchOnlyBinary('MINIMUM', 'Min'),
  ...batchOnlyBinary('CONCATENATION', 'Concat', { axis: 1 }),
  ok('PRELU', 'PRelu with a per-channel slope, batch 1', qdq(binary('PRelu', [1, 3, 8, 8], [3, 1, 1]))),
  bad('PRELU', 'PRelu, batch 2', qdq(binary('PRelu', [2, 3, 8, 8], [3, 1, 1])), 'SHAPE'),
  ok('RELU6', 'Clip(0, 6), batch 1', clip([1, 3, 8, 8], 0, 6)),
  bad('RELU6', 'Clip(0, 6), batch 2', clip([2, 3, 8, 8], 0, 6), 'SHAPE'),
  ok('RELU_N1_TO_1', 'Clip(-1, 1), batch 1', clip([1, 3, 8, 8], -1, 1)),
  bad('RELU_N1_TO_1', 'Clip(-1, 1), batch 2', clip([2, 3, 8, 8], -1, 1), 'SHAPE'),
  ok('MAXIMUM', 'Clip(0, 4) lowers to MINIMUM + MAXIMUM', clip([1, 3, 8, 8], 0, 4)),
  bad('MINIMUM', 'Clip(0, 4), batch 2', clip([2, 3, 8, 8], 0, 4), 'SHAPE'),

  // DEPTHWISE_CONV_2D: batch, constant 8-bit weights, stride ≤ 3, dilated kernel area ≤ 4096, depth multiplier 1.
  ok('DEPTHWISE_CONV_2D', 'depthwise 3x3, multiplier 1', qdq(dwConv())),
  ok('DEPTHWISE_CONV_2D', 'depthwise 3x3 stride 3, per-channel weights', qdq(dwConv({ attrs: { strides: [3, 3] } }), { perChannel: true })),
  bad('DEPTHWISE_CONV_2D', 'batch 2', qdq(dwConv({ n: 2 })), 'SHAPE'),
  bad('DEPTHWISE_CONV_2D', 'weights computed at run time', qdq(dwConv({ weightInput: true })), 'NON_CONSTANT_INPUT'),
  bad('DEPTHWISE_CONV_2D', 'stride 4 exceeds 3 (CONV_2D would take it)', qdq(dwConv({ attrs: { strides: [4, 4] } })), 'ATTRIBUTE'),
  bad('DEPTHWISE_CONV_2D', 'dilation 40: dilated kernel 81x81 = 6561 > 4096', qdq(dwConv({ x: [1, 4, 96, 96], attrs: { dilations: [40, 40] } })), 'ATTRIBUTE'),
  bad('DEPTHWISE_CONV_2D', 'depth multiplier 2 with 4 input channels', qdq(dwConv({ m: 2 })), 'ATTRIBUTE'),

  // TRANSPOSE_CONV: batch, constant 8-bit weights, stride exactly 2, dilated kernel area.
  ok('TRANSPOSE_CONV', 'stride 2, kernel 2x2', qdq(convT())),
  bad('TRANSPOSE_CONV', 'stride 1', qdq(convT({ attrs: { strides: [1, 1] } })), 'ATTRIBUTE'),
  bad('TRANSPOSE_CONV', 'stride 4 (executorch#17668)', qdq(convT({ k: 4, attrs: { strides: [4, 4] } })), 'ATTRIBUTE'),
  bad('TRANSPOSE_CONV', 'batch 2', qdq(convT({ n: 2 })), 'SHAPE'),
  bad('TRANSPOSE_CONV', 'weights computed at run time', qdq(convT({ weightInput: true })), 'NON_CONSTANT_INPUT'),

  // MEAN: 8-bit input of rank ≥ 2, batch 1, H/W reduction only, H·W ≤ 4096.
  ok('MEAN', 'ReduceMean over H and W', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [2, 3] }))),
  ok('MEAN', 'GlobalAveragePool 64x64 (area 4096)', qdq(unary('GlobalAveragePool', [1, 3, 64, 64]))),
  ok('MEAN', 'ReduceMean (opset 18) over constant axes input [2, 3]', qdq(unary('ReduceMean', [1, 3, 8, 8], {}, [i64('axes', [2, 3])], 18))),
  bad('MEAN', 'ReduceMean over channels (axes attribute)', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [1] })), 'ATTRIBUTE', 'cpu-fallback'),
  bad('MEAN', 'ReduceMean (opset 18) over constant axes input [1]', qdq(unary('ReduceMean', [1, 3, 8, 8], {}, [i64('axes', [1])], 18)), 'ATTRIBUTE', 'cpu-fallback'),
  bad('MEAN', 'batch 2', qdq(unary('ReduceMean', [2, 3, 8, 8], { axes: [2, 3] })), 'SHAPE'),
  bad('MEAN', 'GlobalAveragePool 128x128: area 16384 > 4096', qdq(unary('GlobalAveragePool', [1, 3, 128, 128])), 'SHAPE'),
  bad('MEAN', 'rank-1 input', qdq(unary('ReduceMean', [8], { axes: [0] })), 'RANK'),
  bad('MEAN', 'int16 activations', qdq(unary('ReduceMean', [1, 3, 8, 8], { axes: [2, 3] }), { act: INT16 }), 'DTYPE'),

  // PAD: batch, constant pads, H/W padding only.
  ok('PAD', 'constant pads on H and W', qdq(unary('Pad', [1, 3, 8, 8], {}, [pads(SPATIAL_PADS)]))),
  bad('PAD', 'padding the channel dim', qdq(unary('Pad', [1, 3, 8, 8], {}, [pads([0, 1, 1, 1, 0, 1, 1, 1])])), 'ATTRIBUTE'),
  bad('PAD', 'batch 2', qdq(unary('Pad', [2, 3, 8, 8], {}, [pads(SPATIAL_PADS)])), 'SHAPE'),
  // The int64 pads operand is not an activation: the defaults' dtype list does not apply, PAD's own rule decides.
  bad('PAD', 'pads computed at run time', runtimeInt('Pad', [1, 3, 8, 8], [8]), 'NON_CONSTANT_INPUT'),

  // RESHAPE: constant shape.
  ok('RESHAPE', 'constant shape', qdq(unary('Reshape', [1, 3, 8, 8], {}, [i64('shape', [1, 192])]))),
  // Vela SUPPORTED_OPS, TFLite RESHAPE Constraints: "Shape must be constant"; a shape tensor is not data, so the
  // defaults' dtype list does not decide it.
  bad('RESHAPE', 'shape computed at run time', runtimeInt('Reshape', [1, 3, 8, 8], [2]), 'NON_CONSTANT_INPUT'),

  // SPLIT: equal output shapes (unequal splits become SPLIT_V through the opMap).
  ok('SPLIT', 'two equal halves', split([1, 4, 8, 8])),
  ok('SPLIT_V', 'unequal sizes 1 + 3 become SPLIT_V', split([1, 4, 8, 8], [1, 3])),

  // STRIDED_SLICE: constant begin/end (ONNX starts/ends/axes), unit steps.
  ok('STRIDED_SLICE', 'constant starts/ends/axes, no steps', slice()),
  ok('STRIDED_SLICE', 'constant steps 1', slice({ steps: [1] })),
  bad('STRIDED_SLICE', 'int32 starts computed at run time', slice({ startsInput: true }), 'NON_CONSTANT_INPUT'),
  bad('STRIDED_SLICE', 'steps computed at run time', slice({ steps: 'input' }), 'UNVERIFIABLE', 'unknown'),
  {
    ...bad('STRIDED_SLICE', 'constant steps 2', slice({ steps: [2] }), 'ATTRIBUTE'),
    todo: 'constant steps ≠ 1 only trigger the vela-strided-slice-steps unverifiable (unknown); the profile has no condition that fails them although the steps are known',
  },

  // RESIZE_*: Vela SUPPORTED_OPS (090f18a, read 2026-12-06), TFLite RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR
  // Constraints: batch 1; IFM W and H both 1, or IFM = OFM, or equal W/H scaling by 2x/4x/8x; bilinear with
  // half_pixel_centers needs 2x (whether onnx2tf sets it is not predicted: unknown).
  bad('RESIZE_BILINEAR', 'linear, batch 2', resize([2, 3, 8, 8], 'linear'), 'SHAPE'),
  ok('RESIZE_BILINEAR', 'linear 2x upscale (half_pixel), batch 1', resize([1, 3, 8, 8], 'linear')),
  ok('RESIZE_BILINEAR', 'linear 4x upscale, asymmetric', resizeBy([1, 3, 8, 8], 'linear', 4, 'asymmetric')),
  bad('RESIZE_BILINEAR', 'linear 3x upscale', resizeBy([1, 3, 8, 8], 'linear', 3, 'asymmetric'), 'SHAPE'),
  bad('RESIZE_BILINEAR', 'linear 4x upscale with half_pixel (needs 2x when onnx2tf sets half_pixel_centers)', resizeBy([1, 3, 8, 8], 'linear', 4, 'half_pixel'), 'UNVERIFIABLE', 'unknown'),
  bad('RESIZE_NEAREST_NEIGHBOR', 'nearest, batch 2', resize([2, 3, 8, 8], 'nearest'), 'SHAPE'),
  ok('RESIZE_NEAREST_NEIGHBOR', 'nearest 2x upscale, batch 1', resize([1, 3, 8, 8], 'nearest')),
  ok('RESIZE_NEAREST_NEIGHBOR', 'nearest 8x upscale of a 1x1 map', resizeBy([1, 3, 1, 1], 'nearest', 8, 'asymmetric')),
  bad('RESIZE_NEAREST_NEIGHBOR', 'nearest 3x upscale', resizeBy([1, 3, 8, 8], 'nearest', 3, 'asymmetric'), 'SHAPE'),
];
