/** Rule cases for jetson-orin-nano (TensorRT ONNX parser operator matrix). */
import { bad, binary, conv, dtypeCases, ok, qdq, unary, FLOAT, INT64, INT8, UINT8, type RuleCase } from './harness.js';
import { loadProfile } from '../../../src/profiles/load.js';
import type { ModelSpec, NodeSpec, TensorSpec } from '../../support/onnx-builder.js';

/** Ops whose dtype-only rule needs a model with more than one plain input or required attributes. */
const SKIP = new Set(['Cast', 'CastLike', 'Reshape', 'Expand', 'Tile', 'Slice', 'Pad', 'Resize', 'Where', 'Einsum', 'Range', 'ConstantOfShape', 'EyeLike', 'OneHot', 'TopK', 'ScatterND', 'ScatterElements', 'GatherElements', 'GatherND', 'Upsample', 'Compress', 'NonMaxSuppression', 'RoiAlign', 'QuantizeLinear', 'DequantizeLinear', 'Conv', 'ConvTranspose', 'Gemm', 'LSTM', 'GRU', 'RNN', 'If', 'Loop', 'Scan', 'MaxUnpool', 'GridSample']);

const INT32 = 6;
const BOOL = 9;
// A policy-`none` target: a node the parser rejects fails the build; a condition EdgeGate cannot check is unknown.
const U = 'unsupported';
const UNK = 'unknown';

/** A graph input of the node `n`. */
interface In {
  readonly in: string;
  readonly dims: (number | string)[];
  readonly dtype?: number;
}
/** A constant (initializer) input of `n`; only float, int8/uint8 and int64 payloads are encoded faithfully. */
interface Init {
  readonly init: string;
  readonly dims: number[];
  readonly values: number[];
  readonly dtype?: number;
}
const inp = (name: string, dims: (number | string)[], dtype = FLOAT): In => ({ in: name, dims, dtype });
const init = (name: string, dims: number[], values: number[], dtype = FLOAT): Init => ({ init: name, dims, values, dtype });
const i64 = (name: string, values: number[], dims: number[] = [values.length]): Init => init(name, dims, values, INT64);

/**
 * A single node `n` whose inputs are graph inputs, initializers or omitted (`''`), in ONNX input order.
 * `outputs` names the node outputs (all become graph outputs, with an optional declared dtype).
 */
function single(op: string, ins: readonly (In | Init | '')[], attrs: NodeSpec['attrs'] = {}, opts: { outputs?: { name: string; dtype?: number }[]; opset?: number } = {}): ModelSpec {
  const outputs = opts.outputs ?? [{ name: 'y' }];
  const initializers: TensorSpec[] = [];
  const inputs: { name: string; dims: (number | string)[]; dtype?: number }[] = [];
  const names = ins.map((x) => {
    if (x === '') return '';
    if ('in' in x) {
      inputs.push({ name: x.in, dims: x.dims, ...(x.dtype !== undefined ? { dtype: x.dtype } : {}) });
      return x.in;
    }
    initializers.push({ name: x.init, dims: x.dims, values: x.values, ...(x.dtype !== undefined ? { dtype: x.dtype } : {}) });
    return x.init;
  });
  return {
    inputs,
    outputs,
    initializers,
    opsets: [{ domain: '', version: opts.opset ?? 17 }],
    nodes: [{ op, name: 'n', inputs: names, outputs: outputs.map((o) => o.name), attrs }],
  };
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const tenth = (n: number): number[] => new Array<number>(n).fill(0.1);

/** A recurrent node (RNN gates = 1, GRU = 3, LSTM = 4) over X [T=2, B=1, I=4], hidden size 3, constant W/R. */
function recurrent(op: 'RNN' | 'GRU' | 'LSTM', opts: { direction?: string; dtype?: number } = {}): ModelSpec {
  const gates = op === 'RNN' ? 1 : op === 'GRU' ? 3 : 4;
  const dirs = opts.direction === 'bidirectional' ? 2 : 1;
  const h = 3;
  return single(
    op,
    [inp('x', [2, 1, 4], opts.dtype ?? FLOAT), init('w', [dirs, gates * h, 4], tenth(dirs * gates * h * 4)), init('r', [dirs, gates * h, h], tenth(dirs * gates * h * h))],
    { hidden_size: h, ...(opts.direction ? { direction: opts.direction } : {}) },
  );
}

/** QuantizeLinear / DequantizeLinear `n` with a constant scale and the given zero point. */
function quantOp(op: 'QuantizeLinear' | 'DequantizeLinear', x: In | Init, zp: Init | In | ''): ModelSpec {
  return single(op, [x, init('scale', [], [0.05]), zp]);
}

/** The matrix's own rule cases for the 36 rules with per-op restrictions (conditions beyond input 0's dtype). */
const RULE_CASES: RuleCase[] = [
  // Cast: input 0 dtypes.
  ok('Cast', 'float → int32', unary('Cast', [1, 8], { to: INT32 })),
  bad('Cast', 'uint8 input', unary('Cast', [1, 8], { to: FLOAT }, [], 17, UINT8), 'DTYPE', U),

  // Conv / ConvTranspose: input 0 dtypes (int8 through Q/DQ).
  ok('Conv', 'float conv', conv()),
  ok('Conv', 'symmetric int8 QDQ conv (int8 input through DQ)', qdq(conv(), { act: INT8, perChannel: true })),
  bad('Conv', 'int32 input', single('Conv', [inp('x', [1, 4, 8, 8], INT32), inp('w', [8, 4, 3, 3], INT32)]), 'DTYPE', U),
  ok('ConvTranspose', 'float deconv', single('ConvTranspose', [inp('x', [1, 4, 8, 8]), init('w', [4, 8, 2, 2], tenth(128))], { strides: [2, 2] })),
  bad('ConvTranspose', 'int32 input', single('ConvTranspose', [inp('x', [1, 4, 8, 8], INT32), inp('w', [4, 8, 2, 2], INT32)], { strides: [2, 2] }), 'DTYPE', U),

  // CumSum: constant axis, input 0 dtypes.
  ok('CumSum', 'float input, constant axis', single('CumSum', [inp('x', [2, 8]), i64('axis', [1], [])])),
  bad('CumSum', 'axis computed at run time', single('CumSum', [inp('x', [2, 8]), inp('axis', [], INT64)]), 'NON_CONSTANT_INPUT', U),
  bad('CumSum', 'int32 input', single('CumSum', [inp('x', [2, 8], INT32), i64('axis', [1], [])]), 'DTYPE', U),

  // DequantizeLinear: constant zero point that is 0, int8 input.
  ok('DequantizeLinear', 'int8 activation, zero point 0', quantOp('DequantizeLinear', inp('x', [1, 8], INT8), init('zp', [], [0], INT8))),
  ok('DequantizeLinear', 'int8 weight initializer, zero point omitted (0)', quantOp('DequantizeLinear', init('x', [4, 8], zeros(32).map((_, i) => (i % 7) - 3), INT8), '')),
  bad('DequantizeLinear', 'zero point 3', quantOp('DequantizeLinear', inp('x', [1, 8], INT8), init('zp', [], [3], INT8)), 'ATTRIBUTE', U),
  bad('DequantizeLinear', 'zero point computed at run time', quantOp('DequantizeLinear', inp('x', [1, 8], INT8), inp('zp', [], INT8)), 'NON_CONSTANT_INPUT', U),
  bad('DequantizeLinear', 'uint8 input (asymmetric u8 Q/DQ)', quantOp('DequantizeLinear', inp('x', [1, 8], UINT8), init('zp', [], [0], UINT8)), 'DTYPE', U),

  // QuantizeLinear: constant zero point that is 0, float input.
  ok('QuantizeLinear', 'float input, int8 zero point 0', quantOp('QuantizeLinear', inp('x', [1, 8]), init('zp', [], [0], INT8))),
  bad('QuantizeLinear', 'zero point 5', quantOp('QuantizeLinear', inp('x', [1, 8]), init('zp', [], [5], INT8)), 'ATTRIBUTE', U),
  bad('QuantizeLinear', 'zero point computed at run time', quantOp('QuantizeLinear', inp('x', [1, 8]), inp('zp', [], INT8)), 'NON_CONSTANT_INPUT', U),
  bad('QuantizeLinear', 'int32 input', quantOp('QuantizeLinear', inp('x', [1, 8], INT32), init('zp', [], [0], INT8)), 'DTYPE', U),
  bad('QuantizeLinear', 'uint8 zero point 0 (uint8 output)', quantOp('QuantizeLinear', inp('x', [1, 8]), init('zp', [], [0], UINT8)), 'DTYPE', U),

  // Einsum: input 0 dtypes; no ellipsis, diagonal or broadcasting in the equation (read from its terms and the input shapes).
  ok('Einsum', 'plain matmul equation ij,jk->ik', single('Einsum', [inp('a', [2, 3]), inp('b', [3, 4])], { equation: 'ij,jk->ik' })),
  bad('Einsum', 'ellipsis in the equation', single('Einsum', [inp('a', [2, 3, 4]), inp('b', [2, 4, 5])], { equation: '...ij,...jk->...ik' }), 'ATTRIBUTE', U),
  bad('Einsum', 'diagonal term ii->i', single('Einsum', [inp('a', [3, 3])], { equation: 'ii->i' }), 'ATTRIBUTE', U),
  bad('Einsum', 'label j broadcasts (1 against 3)', single('Einsum', [inp('a', [2, 1]), inp('b', [3, 4])], { equation: 'ij,jk->ik' }), 'SHAPE', U),
  bad('Einsum', 'symbolic dims: broadcasting unknown', single('Einsum', [inp('a', [2, 'n']), inp('b', ['m', 4])], { equation: 'ij,jk->ik' }), 'SHAPE', UNK),
  bad('Einsum', 'int32 inputs', single('Einsum', [inp('a', [2, 3], INT32), inp('b', [3, 4], INT32)], { equation: 'ij,jk->ik' }), 'DTYPE', U),

  // Expand / Tile / Reshape: input 0 dtypes, shape-like second input constant.
  ok('Expand', 'float input, constant shape', single('Expand', [inp('x', [1, 8]), i64('shape', [4, 8])])),
  bad('Expand', 'uint8 input', single('Expand', [inp('x', [1, 8], UINT8), i64('shape', [4, 8])]), 'DTYPE', U),
  ok('Tile', 'float input, constant repeats', single('Tile', [inp('x', [2, 8]), i64('repeats', [2, 1])])),
  bad('Tile', 'uint8 input', single('Tile', [inp('x', [2, 8], UINT8), i64('repeats', [2, 1])]), 'DTYPE', U),
  ok('Reshape', 'float input, constant shape', single('Reshape', [inp('x', [2, 8]), i64('shape', [4, 4])])),
  ok('Reshape', 'int8 input', single('Reshape', [inp('x', [2, 8], INT8), i64('shape', [4, 4])])),
  bad('Reshape', 'uint8 input', single('Reshape', [inp('x', [2, 8], UINT8), i64('shape', [4, 4])]), 'DTYPE', U),

  // GatherElements / GatherND: input 0 (data) dtypes.
  ok('GatherElements', 'float data, int64 indices', single('GatherElements', [inp('x', [3, 4]), i64('idx', [0, 1, 2, 0, 1, 2, 0, 1], [2, 4])], { axis: 0 })),
  bad('GatherElements', 'uint8 data', single('GatherElements', [inp('x', [3, 4], UINT8), i64('idx', [0, 1, 2, 0, 1, 2, 0, 1], [2, 4])], { axis: 0 }), 'DTYPE', U),
  ok('GatherND', 'float data, int64 indices', single('GatherND', [inp('x', [3, 4]), i64('idx', [0, 1, 2, 3], [2, 2])])),
  bad('GatherND', 'uint8 data', single('GatherND', [inp('x', [3, 4], UINT8), i64('idx', [0, 1, 2, 3], [2, 2])]), 'DTYPE', U),

  // Add in a symmetric int8 QDQ unit (a residual add): the Add row lists FP32/FP16/INT32, and TensorRT's parser reads
  // the DequantizeLinear's float output (quantization.unitOpDtype: dequantized); checked at int8 it was a false DTYPE
  // that blocked every QDQ ResNet MLPerf ran on TensorRT.
  ok('Add', 'symmetric int8 QDQ Add of two activations (residual)', qdq(binary('Add', [1, 8, 4, 4], [1, 8, 4, 4], { bInput: true }), { act: INT8 })),
  bad('Add', 'int8 tensors without Q/DQ', binary('Add', [1, 8, 4, 4], [1, 8, 4, 4], { bInput: true, dtype: INT8 }), 'DTYPE', U),

  // Gemm: input 0 dtypes.
  ok('Gemm', 'float A, constant B', binary('Gemm', [1, 16], [16, 4])),
  ok('Gemm', 'symmetric int8 QDQ Gemm', qdq(binary('Gemm', [1, 16], [16, 4]), { act: INT8 })),
  bad('Gemm', 'int32 A', binary('Gemm', [1, 16], [16, 4], { bInput: true, dtype: INT32 }), 'DTYPE', U),

  // GridSample: input 0 dtypes.
  ok('GridSample', 'float input and grid', single('GridSample', [inp('x', [1, 1, 4, 4]), inp('grid', [1, 4, 4, 2])])),
  bad('GridSample', 'int32 input', single('GridSample', [inp('x', [1, 1, 4, 4], INT32), inp('grid', [1, 4, 4, 2])]), 'DTYPE', U),

  // GRU / LSTM / RNN: input 0 dtypes; bidirectional activations are unverifiable.
  ...(['GRU', 'LSTM', 'RNN'] as const).flatMap((op) => [
    ok(op, 'forward, float', recurrent(op)),
    bad(op, 'bidirectional: forward/reverse activations not compared', recurrent(op, { direction: 'bidirectional' }), 'UNVERIFIABLE', UNK),
    bad(op, 'int32 X', recurrent(op, { dtype: INT32 }), 'DTYPE', U),
  ]),

  // If: the type list is for the outputs (the condition is always bool); branch outputs are unverifiable. The builder cannot encode
  // graph attributes, so these nodes carry no branches; the rule reads neither branch.
  {
    ...ok('If', 'bool condition, float outputs', single('If', [inp('cond', [], BOOL)], {}, { outputs: [{ name: 'y', dtype: FLOAT }] })),
    todo: 'the If rule marks every If UNVERIFIABLE (branch output shapes/names are not compared), so no If is ever accelerated',
  },
  bad('If', 'branch outputs not compared', single('If', [inp('cond', [], BOOL)], {}, { outputs: [{ name: 'y', dtype: FLOAT }] }), 'UNVERIFIABLE', UNK),
  {
    ...bad('If', 'uint8 outputs', single('If', [inp('cond', [], BOOL)], {}, { outputs: [{ name: 'y', dtype: UINT8 }] }), 'DTYPE', U),
    todo: "the If rule no longer tests input 0 (the bool condition) but does not test the outputs either: without branches their dtype is unknown and an output check would report unknown DTYPE before the If's UNVERIFIABLE",
  },

  // Loop: dtypes of the loop-carried values (input 2+) and outputs, not of M (int64). No body graph (see If).
  ok('Loop', 'no trip count, bool condition, float state', single('Loop', ['', inp('cond', [], BOOL), inp('v', [1, 8])])),
  ok('Loop', 'int64 trip count M (the only type ONNX allows)', single('Loop', [inp('m', [], INT64), inp('cond', [], BOOL), inp('v', [1, 8])])),
  bad('Loop', 'uint8 loop-carried state', single('Loop', ['', inp('cond', [], BOOL), inp('v', [1, 8], UINT8)]), 'DTYPE', U),
  bad('Loop', 'uint8 second loop-carried value', single('Loop', ['', inp('cond', [], BOOL), inp('v', [1, 8]), inp('w', [1, 8], UINT8)]), 'DTYPE', U),

  // InstanceNormalization: constant scale and B, rank 3..5, input 0 dtypes.
  ok('InstanceNormalization', 'rank 4, constant scale and B', single('InstanceNormalization', [inp('x', [1, 3, 8, 8]), init('s', [3], [1, 1, 1]), init('b', [3], [0, 0, 0])])),
  bad('InstanceNormalization', 'scale computed at run time', single('InstanceNormalization', [inp('x', [1, 3, 8, 8]), inp('s', [3]), init('b', [3], [0, 0, 0])]), 'NON_CONSTANT_INPUT', U),
  bad('InstanceNormalization', 'B computed at run time', single('InstanceNormalization', [inp('x', [1, 3, 8, 8]), init('s', [3], [1, 1, 1]), inp('b', [3])]), 'NON_CONSTANT_INPUT', U),
  bad('InstanceNormalization', 'rank 6 input', single('InstanceNormalization', [inp('x', [1, 3, 2, 2, 2, 2]), init('s', [3], [1, 1, 1]), init('b', [3], [0, 0, 0])]), 'RANK', U),
  bad('InstanceNormalization', 'int32 input', single('InstanceNormalization', [inp('x', [1, 3, 8, 8], INT32), init('s', [3], [1, 1, 1]), init('b', [3], [0, 0, 0])]), 'DTYPE', U),

  // MaxPool: rank 4/5, no Indices output, input 0 dtypes.
  ok('MaxPool', '2D pool', unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  ok('MaxPool', '3D pool', unary('MaxPool', [1, 3, 4, 8, 8], { kernel_shape: [2, 2, 2] })),
  bad('MaxPool', '1D pool', unary('MaxPool', [1, 3, 8], { kernel_shape: [2] }), 'RANK', U),
  bad('MaxPool', 'Indices output requested', single('MaxPool', [inp('x', [1, 3, 8, 8])], { kernel_shape: [2, 2] }, { outputs: [{ name: 'y' }, { name: 'idx', dtype: INT64 }] }), 'ATTRIBUTE', U),
  bad('MaxPool', 'int32 input', unary('MaxPool', [1, 3, 8, 8], { kernel_shape: [2, 2] }, [], 17, INT32), 'DTYPE', U),

  // NonMaxSuppression: input 0 (boxes) dtypes.
  ok('NonMaxSuppression', 'float boxes and scores', single('NonMaxSuppression', [inp('boxes', [1, 4, 4]), inp('scores', [1, 1, 4]), i64('max', [2], [])])),
  bad('NonMaxSuppression', 'int32 boxes', single('NonMaxSuppression', [inp('boxes', [1, 4, 4], INT32), inp('scores', [1, 1, 4]), i64('max', [2], [])]), 'DTYPE', U),

  // OneHot: input 0 (indices) dtypes.
  ok('OneHot', 'int32 indices', single('OneHot', [inp('idx', [4], INT32), i64('depth', [5], []), init('values', [2], [0, 1])])),
  bad('OneHot', 'uint8 indices', single('OneHot', [inp('idx', [4], UINT8), i64('depth', [5], []), init('values', [2], [0, 1])]), 'DTYPE', U),

  // Pad: input 0 dtypes.
  ok('Pad', 'float input, constant pads', single('Pad', [inp('x', [1, 3, 8, 8]), i64('pads', [0, 0, 1, 1, 0, 0, 1, 1])])),
  bad('Pad', 'uint8 input', single('Pad', [inp('x', [1, 3, 8, 8], UINT8), i64('pads', [0, 0, 1, 1, 0, 0, 1, 1])]), 'DTYPE', U),

  // Resize: mode, coordinate_transformation_mode, nearest_mode; input 0 dtypes.
  ok('Resize', 'nearest (defaults), constant scales', single('Resize', [inp('x', [1, 3, 4, 4]), '', init('scales', [4], [1, 1, 2, 2])])),
  ok('Resize', 'linear, align_corners', single('Resize', [inp('x', [1, 3, 4, 4]), '', init('scales', [4], [1, 1, 2, 2])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' })),
  bad('Resize', 'cubic mode', single('Resize', [inp('x', [1, 3, 4, 4]), '', init('scales', [4], [1, 1, 2, 2])], { mode: 'cubic' }), 'ATTRIBUTE', U),
  bad('Resize', 'tf_crop_and_resize coordinates', single('Resize', [inp('x', [1, 3, 4, 4]), init('roi', [8], [0, 0, 0, 0, 1, 1, 1, 1]), init('scales', [4], [1, 1, 2, 2])], { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' }), 'ATTRIBUTE', U),
  bad('Resize', 'int32 input', single('Resize', [inp('x', [1, 3, 4, 4], INT32), '', init('scales', [4], [1, 1, 2, 2])]), 'DTYPE', U),

  // ReverseSequence: every input fixed-shape, input 0 dtypes.
  ok('ReverseSequence', 'fixed shapes', single('ReverseSequence', [inp('x', [4, 2, 3]), i64('lens', [4, 2])], { time_axis: 0, batch_axis: 1 })),
  bad('ReverseSequence', 'symbolic time dim', single('ReverseSequence', [inp('x', ['T', 2, 3]), i64('lens', [4, 2])], { time_axis: 0, batch_axis: 1 }), 'DYNAMIC_SHAPE', U),
  bad('ReverseSequence', 'int32 input', single('ReverseSequence', [inp('x', [4, 2, 3], INT32), i64('lens', [4, 2])], { time_axis: 0, batch_axis: 1 }), 'DTYPE', U),

  // RoiAlign: input 0 dtypes.
  ok('RoiAlign', 'float features and rois', single('RoiAlign', [inp('x', [1, 3, 8, 8]), inp('rois', [2, 4]), i64('bi', [0, 0])], { output_height: 2, output_width: 2 })),
  bad('RoiAlign', 'int32 features', single('RoiAlign', [inp('x', [1, 3, 8, 8], INT32), inp('rois', [2, 4]), i64('bi', [0, 0])], { output_height: 2, output_width: 2 }), 'DTYPE', U),

  // Scan: input 0 dtypes. No body graph (see If).
  ok('Scan', 'float state', single('Scan', [inp('s', [1, 8]), inp('xs', [4, 8])], { num_scan_inputs: 1 })),
  bad('Scan', 'int32 state', single('Scan', [inp('s', [1, 8], INT32), inp('xs', [4, 8])], { num_scan_inputs: 1 }), 'DTYPE', U),

  // ScatterElements / ScatterND: input 0 (data) dtypes.
  ok('ScatterElements', 'float data', single('ScatterElements', [inp('x', [3, 4]), i64('idx', [0, 1, 2, 0], [1, 4]), inp('u', [1, 4])], { axis: 0 })),
  bad('ScatterElements', 'uint8 data', single('ScatterElements', [inp('x', [3, 4], UINT8), i64('idx', [0, 1, 2, 0], [1, 4]), inp('u', [1, 4], UINT8)], { axis: 0 }), 'DTYPE', U),
  ok('ScatterND', 'float data', single('ScatterND', [inp('x', [3, 4]), i64('idx', [1], [1, 1]), inp('u', [1, 4])])),
  bad('ScatterND', 'uint8 data', single('ScatterND', [inp('x', [3, 4], UINT8), i64('idx', [1], [1, 1]), inp('u', [1, 4], UINT8)]), 'DTYPE', U),

  // Slice: constant axes, input 0 dtypes.
  ok('Slice', 'constant starts/ends/axes', single('Slice', [inp('x', [4, 8]), i64('starts', [1]), i64('ends', [3]), i64('axes', [0])])),
  ok('Slice', 'starts computed at run time, constant axes', single('Slice', [inp('x', [4, 8]), inp('starts', [1], INT64), i64('ends', [3]), i64('axes', [0])])),
  bad('Slice', 'axes computed at run time', single('Slice', [inp('x', [4, 8]), i64('starts', [1]), i64('ends', [3]), inp('axes', [1], INT64)]), 'NON_CONSTANT_INPUT', U),
  bad('Slice', 'uint8 input', single('Slice', [inp('x', [4, 8], UINT8), i64('starts', [1]), i64('ends', [3]), i64('axes', [0])]), 'DTYPE', U),

  // Squeeze / Unsqueeze: constant axes, input 0 dtypes.
  ok('Squeeze', 'constant axes', single('Squeeze', [inp('x', [1, 8]), i64('axes', [0])])),
  bad('Squeeze', 'axes computed at run time', single('Squeeze', [inp('x', [1, 8]), inp('axes', [1], INT64)]), 'NON_CONSTANT_INPUT', U),
  bad('Squeeze', 'uint8 input', single('Squeeze', [inp('x', [1, 8], UINT8), i64('axes', [0])]), 'DTYPE', U),
  ok('Unsqueeze', 'constant axes', single('Unsqueeze', [inp('x', [3, 8]), i64('axes', [0])])),
  bad('Unsqueeze', 'axes computed at run time', single('Unsqueeze', [inp('x', [3, 8]), inp('axes', [1], INT64)]), 'NON_CONSTANT_INPUT', U),
  bad('Unsqueeze', 'uint8 input', single('Unsqueeze', [inp('x', [3, 8], UINT8), i64('axes', [0])]), 'DTYPE', U),

  // TopK: constant K, input 0 dtypes.
  ok('TopK', 'constant K', single('TopK', [inp('x', [1, 8]), i64('k', [3])], {}, { outputs: [{ name: 'vals' }, { name: 'idx', dtype: INT64 }] })),
  bad('TopK', 'K computed at run time', single('TopK', [inp('x', [1, 8]), inp('k', [1], INT64)], {}, { outputs: [{ name: 'vals' }, { name: 'idx', dtype: INT64 }] }), 'NON_CONSTANT_INPUT', U),
  bad('TopK', 'int32 input', single('TopK', [inp('x', [1, 8], INT32), i64('k', [3])], {}, { outputs: [{ name: 'vals' }, { name: 'idx', dtype: INT64 }] }), 'DTYPE', U),

  // Upsample (opset 9; deprecated from 10): input 0 dtypes.
  ok('Upsample', 'float input (opset 9)', single('Upsample', [inp('x', [1, 3, 4, 4]), init('scales', [4], [1, 1, 2, 2])], { mode: 'nearest' }, { opset: 9 })),
  bad('Upsample', 'int32 input (opset 9)', single('Upsample', [inp('x', [1, 3, 4, 4], INT32), init('scales', [4], [1, 1, 2, 2])], { mode: 'nearest' }, { opset: 9 }), 'DTYPE', U),

  // Where: dtypes of the values X and Y (inputs 1, 2); input 0, the condition, is bool by the ONNX spec.
  ok('Where', 'bool condition, float values', single('Where', [inp('c', [1, 8], BOOL), inp('a', [1, 8]), inp('b', [1, 8])])),
  bad('Where', 'uint8 values', single('Where', [inp('c', [1, 8], BOOL), inp('a', [1, 8], UINT8), inp('b', [1, 8], UINT8)]), 'DTYPE', U),
  ok('Where', 'bool condition, int32 values', single('Where', [inp('c', [1, 8], BOOL), inp('a', [1, 8], INT32), inp('b', [1, 8], INT32)])),
];

export const cases: readonly RuleCase[] = [
  // onnx-tensorrt docs/operators.md (TensorRT 8.5): "TensorRT will attempt to cast down INT64 to INT32", so int64
  // shape arithmetic passes every rule that takes INT32 (profile `dtypeCasts`).
  ...dtypeCases(loadProfile('jetson-orin-nano').profile.rules, SKIP, 'unsupported', loadProfile('jetson-orin-nano').profile.dtypeCasts?.map),
  ok('Abs', 'float input', unary('Abs')),
  ok('Abs', 'int64 input: cast down to INT32, which Abs takes', unary('Abs', [1, 8], {}, [], 17, INT64)),
  bad('Abs', 'bool input', unary('Abs', [1, 8], {}, [], 17, 9), 'DTYPE', 'unsupported'),
  // A shape computation a dynamic batch keeps (Shape → Gather → Unsqueeze → Concat): all int64, all INT32 in TensorRT.
  ok('Concat', 'int64 shape pieces (cast down to INT32)', binary('Concat', [1], [1], { bInput: true, dtype: INT64, attrs: { axis: 0 } })),
  bad('Concat', 'uint8 input', binary('Concat', [1], [1], { bInput: true, dtype: UINT8, attrs: { axis: 0 } }), 'DTYPE', 'unsupported'),
  ok('AveragePool', '2D pool', unary('AveragePool', [1, 3, 8, 8], { kernel_shape: [2, 2] })),
  bad('AveragePool', '1D pool', unary('AveragePool', [1, 3, 8], { kernel_shape: [2] }), 'RANK', 'unsupported'),
  ok('opset', 'opset 17', unary('Relu')),
  bad('opset', 'opset 18 is above the parser range', unary('Relu', [1, 3, 8, 8], {}, [], 18), 'OPSET', 'unsupported'),
  ...RULE_CASES,
  // The quantization block: explicit symmetric int8 Q/DQ only.
  ok('quantization', 'int8 QDQ conv, per-channel symmetric weights', qdq(conv(), { act: INT8, perChannel: true })),
  bad('quantization', 'uint8 QDQ conv', qdq(conv(), { act: UINT8 }), 'QUANT_DTYPE', U),
  bad('quantization', 'int8 QDQ conv with weight zero point 1', qdq(conv(), { act: INT8, weightZeroPoint: 1 }), 'QUANT_ASYMMETRIC', U),
];
