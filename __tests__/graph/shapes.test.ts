import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../src/onnx/types.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { BOOL, f, fs, F32, GraphBuilder, I32, I64, I8, U8 } from './builder.js';

interface Row {
  name: string;
  opset?: number;
  dims?: Record<string, number>;
  build: (b: GraphBuilder) => void;
  /** tensor → expected shape (and dtype when given as [dtype, shape]). */
  expect: Record<string, readonly Dim[] | null | [number, readonly Dim[] | null]>;
  /** expected issue codes (exact multiset is not required; each must appear). */
  issues?: string[];
}

const x4 = (b: GraphBuilder, shape: readonly Dim[] = [1, 3, 32, 32]): GraphBuilder => b.input('x', F32, shape);

const ROWS: Row[] = [
  // ---- Conv family ----
  { name: 'Conv 3x3 pad 1 stride 2', build: (b) => x4(b).init('w', F32, [8, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1], strides: [2, 2] }), expect: { y: [F32, [1, 8, 16, 16]] } },
  { name: 'Conv kernel from weight, no attrs', build: (b) => x4(b).init('w', F32, [4, 3, 5, 5]).node('Conv', ['x', 'w'], ['y']), expect: { y: [1, 4, 28, 28] } },
  { name: 'Conv dilation 2', build: (b) => x4(b).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { dilations: [2, 2] }), expect: { y: [1, 4, 28, 28] } },
  { name: 'Conv depthwise group', build: (b) => x4(b, [1, 8, 10, 10]).init('w', F32, [8, 1, 3, 3]).node('Conv', ['x', 'w'], ['y'], { group: 8, pads: [1, 1, 1, 1] }), expect: { y: [1, 8, 10, 10] } },
  { name: 'Conv SAME_UPPER stride 2 odd', build: (b) => x4(b, [1, 3, 15, 15]).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 2] }), expect: { y: [1, 4, 8, 8] } },
  { name: 'Conv SAME_LOWER', build: (b) => x4(b, [1, 3, 15, 15]).init('w', F32, [4, 3, 4, 4]).node('Conv', ['x', 'w'], ['y'], { auto_pad: 'SAME_LOWER' }), expect: { y: [1, 4, 15, 15] } },
  { name: 'Conv VALID', build: (b) => x4(b, [1, 3, 15, 15]).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { auto_pad: 'VALID', strides: [2, 2] }), expect: { y: [1, 4, 7, 7] } },
  { name: 'Conv1d', build: (b) => b.input('x', F32, [1, 20, 50]).init('w', F32, [32, 20, 3]).node('Conv', ['x', 'w'], ['y'], { pads: [1, 1] }), expect: { y: [1, 32, 50] } },
  { name: 'Conv symbolic batch and stride-1 symbolic spatial', build: (b) => b.input('x', F32, ['N', 3, 'H', 32]).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] }), expect: { y: ['N', 4, 'H', 32] } },
  { name: 'Conv channel mismatch is an issue', build: (b) => x4(b).init('w', F32, [4, 5, 3, 3]).node('Conv', ['x', 'w'], ['y']), expect: { y: null }, issues: ['SHAPE_ERROR'] },
  { name: 'ConvTranspose stride 2 pads output_padding', build: (b) => x4(b, [1, 8, 7, 7]).init('w', F32, [8, 4, 3, 3]).node('ConvTranspose', ['x', 'w'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }), expect: { y: [1, 4, 14, 14] } },
  { name: 'ConvTranspose groups dilations', build: (b) => x4(b, [1, 4, 5, 5]).init('w', F32, [4, 3, 3, 3]).node('ConvTranspose', ['x', 'w'], ['y'], { group: 2, dilations: [2, 2] }), expect: { y: [1, 6, 9, 9] } },
  { name: 'ConvTranspose output_shape', build: (b) => x4(b, [1, 8, 7, 7]).init('w', F32, [8, 4, 3, 3]).node('ConvTranspose', ['x', 'w'], ['y'], { strides: [2, 2], output_shape: [15, 15] }), expect: { y: [1, 4, 15, 15] } },
  { name: 'ConvTranspose SAME_UPPER', build: (b) => x4(b, [1, 8, 7, 7]).init('w', F32, [8, 4, 4, 4]).node('ConvTranspose', ['x', 'w'], ['y'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }), expect: { y: [1, 4, 14, 14] } },
  // ---- Gemm / MatMul / Einsum ----
  { name: 'Gemm transB', build: (b) => b.input('a', F32, [2, 64]).init('w', F32, [10, 64]).init('c', F32, [10]).node('Gemm', ['a', 'w', 'c'], ['y'], { transB: 1 }), expect: { y: [2, 10] } },
  { name: 'Gemm transA', build: (b) => b.input('a', F32, [64, 2]).init('w', F32, [64, 10]).node('Gemm', ['a', 'w'], ['y'], { transA: 1 }), expect: { y: [2, 10] } },
  { name: 'MatMul batch broadcast', build: (b) => b.input('a', F32, ['B', 1, 5, 4]).input('c', F32, [3, 4, 6]).node('MatMul', ['a', 'c'], ['y']), expect: { y: ['B', 3, 5, 6] } },
  { name: 'MatMul 1-D left', build: (b) => b.input('a', F32, [4]).input('c', F32, [2, 4, 6]).node('MatMul', ['a', 'c'], ['y']), expect: { y: [2, 6] } },
  { name: 'MatMul 1-D right', build: (b) => b.input('a', F32, [2, 5, 4]).input('c', F32, [4]).node('MatMul', ['a', 'c'], ['y']), expect: { y: [2, 5] } },
  { name: 'MatMul 1-D both', build: (b) => b.input('a', F32, [4]).input('c', F32, [4]).node('MatMul', ['a', 'c'], ['y']), expect: { y: [] } },
  { name: 'MatMul K mismatch', build: (b) => b.input('a', F32, [2, 3]).input('c', F32, [4, 5]).node('MatMul', ['a', 'c'], ['y']), expect: { y: null }, issues: ['SHAPE_ERROR'] },
  { name: 'Einsum batched matmul', build: (b) => b.input('a', F32, [2, 3, 4]).input('c', F32, [2, 4, 5]).node('Einsum', ['a', 'c'], ['y'], { equation: 'bij,bjk->bik' }), expect: { y: [2, 3, 5] } },
  { name: 'Einsum ellipsis and spaces', build: (b) => b.input('a', F32, [7, 2, 3, 4]).input('c', F32, [4, 5]).node('Einsum', ['a', 'c'], ['y'], { equation: '...ij, jk -> ...ik' }), expect: { y: [7, 2, 3, 5] } },
  { name: 'Einsum implicit output', build: (b) => b.input('a', F32, [3, 4]).input('c', F32, [4, 5]).node('Einsum', ['a', 'c'], ['y'], { equation: 'ij,jk' }), expect: { y: [3, 5] } },
  { name: 'Einsum transpose', build: (b) => b.input('a', F32, [3, 4, 5]).node('Einsum', ['a'], ['y'], { equation: 'ijk->kji' }), expect: { y: [5, 4, 3] } },
  // ---- pools ----
  { name: 'MaxPool 3x3 s2 p1', build: (b) => x4(b, [1, 64, 112, 112]).node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }), expect: { y: [1, 64, 56, 56] } },
  { name: 'MaxPool ceil_mode', build: (b) => x4(b, [1, 96, 109, 109]).node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }), expect: { y: [1, 96, 54, 54] } },
  { name: 'MaxPool ceil_mode drops window starting in padding', build: (b) => x4(b, [1, 1, 5, 5]).node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }), expect: { y: [1, 1, 3, 3] } },
  { name: 'MaxPool with indices output', build: (b) => x4(b, [1, 2, 8, 8]).node('MaxPool', ['x'], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2] }), expect: { y: [1, 2, 4, 4], i: [I64, [1, 2, 4, 4]] } },
  { name: 'MaxPool dilations', build: (b) => x4(b, [1, 2, 10, 10]).node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], dilations: [2, 2] }), expect: { y: [1, 2, 6, 6] } },
  { name: 'AveragePool SAME_UPPER', build: (b) => x4(b, [1, 2, 7, 7]).node('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }), expect: { y: [1, 2, 4, 4] } },
  { name: 'LpPool', build: (b) => x4(b, [1, 2, 8, 8]).node('LpPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], p: 2 }), expect: { y: [1, 2, 4, 4] } },
  { name: 'GlobalAveragePool', build: (b) => x4(b, ['N', 960, 7, 7]).node('GlobalAveragePool', ['x'], ['y']), expect: { y: ['N', 960, 1, 1] } },
  { name: 'GlobalMaxPool 1d', build: (b) => b.input('x', F32, [1, 5, 9]).node('GlobalMaxPool', ['x'], ['y']), expect: { y: [1, 5, 1] } },
  // ---- normalization ----
  { name: 'BatchNormalization', build: (b) => x4(b).init('s', F32, [3]).init('bb', F32, [3]).init('m', F32, [3]).init('v', F32, [3]).node('BatchNormalization', ['x', 's', 'bb', 'm', 'v'], ['y']), expect: { y: [1, 3, 32, 32] } },
  { name: 'InstanceNormalization', build: (b) => x4(b).init('s', F32, [3]).init('bb', F32, [3]).node('InstanceNormalization', ['x', 's', 'bb'], ['y']), expect: { y: [1, 3, 32, 32] } },
  { name: 'LayerNormalization with stats', build: (b) => b.input('x', F32, [2, 16, 64]).init('s', F32, [64]).init('bb', F32, [64]).node('LayerNormalization', ['x', 's', 'bb'], ['y', 'mean', 'inv'], { axis: -1 }), expect: { y: [2, 16, 64], mean: [F32, [2, 16, 1]], inv: [2, 16, 1] } },
  { name: 'GroupNormalization', opset: 18, build: (b) => x4(b, [1, 8, 4, 4]).init('s', F32, [8]).init('bb', F32, [8]).node('GroupNormalization', ['x', 's', 'bb'], ['y'], { num_groups: 2 }), expect: { y: [1, 8, 4, 4] } },
  // ---- elementwise ----
  { name: 'Add broadcast', build: (b) => b.input('a', F32, [1, 3, 1, 5]).input('c', F32, [4, 1]).node('Add', ['a', 'c'], ['y']), expect: { y: [1, 3, 4, 5] } },
  { name: 'Mul symbolic vs number', build: (b) => b.input('a', F32, ['N', 3]).input('c', F32, [1, 3]).node('Mul', ['a', 'c'], ['y']), expect: { y: ['N', 3] } },
  { name: 'Add: an unknown dim against a number > 1 is that number', build: (b) => b.input('a', F32, [null, 1]).input('c', F32, [3, null]).node('Add', ['a', 'c'], ['y']), expect: { y: [3, null] } },
  { name: 'Add two different symbols is unknown', build: (b) => b.input('a', F32, ['N']).input('c', F32, ['M']).node('Add', ['a', 'c'], ['y']), expect: { y: [null] } },
  { name: 'Add incompatible', build: (b) => b.input('a', F32, [3]).input('c', F32, [4]).node('Add', ['a', 'c'], ['y']), expect: { y: null }, issues: ['SHAPE_ERROR'] },
  { name: 'Equal → bool', build: (b) => b.input('a', I64, [3]).input('c', I64, [3]).node('Equal', ['a', 'c'], ['y']), expect: { y: [BOOL, [3]] } },
  { name: 'Where broadcast, dtype from X', build: (b) => b.input('c', BOOL, [2, 1]).input('a', I32, [1, 3]).input('d', I32, [3]).node('Where', ['c', 'a', 'd'], ['y']), expect: { y: [I32, [2, 3]] } },
  { name: 'Sum variadic', build: (b) => b.input('a', F32, [2, 3]).input('c', F32, [3]).input('d', F32, [1, 1]).node('Sum', ['a', 'c', 'd'], ['y']), expect: { y: [2, 3] } },
  { name: 'PRelu', build: (b) => x4(b).init('s', F32, [3, 1, 1]).node('PRelu', ['x', 's'], ['y']), expect: { y: [1, 3, 32, 32] } },
  { name: 'Cast', build: (b) => x4(b).node('Cast', ['x'], ['y'], { to: I8 }), expect: { y: [I8, [1, 3, 32, 32]] } },
  { name: 'CastLike', build: (b) => x4(b).input('t', U8, [1]).node('CastLike', ['x', 't'], ['y']), expect: { y: [U8, [1, 3, 32, 32]] } },
  { name: 'Dropout with mask', build: (b) => x4(b).node('Dropout', ['x'], ['y', 'm']), expect: { y: [F32, [1, 3, 32, 32]], m: [BOOL, [1, 3, 32, 32]] } },
  { name: 'Activations keep shape', build: (b) => x4(b).node('HardSwish', ['x'], ['a']).node('LeakyRelu', ['a'], ['c'], { alpha: f(0.1) }).node('Gelu', ['c'], ['d']).node('Clip', ['d'], ['e']).node('Not', ['e'], ['n']), opset: 20, expect: { e: [F32, [1, 3, 32, 32]], n: [BOOL, [1, 3, 32, 32]] } },
  // ---- reshape family ----
  { name: 'Reshape 0 and -1', build: (b) => x4(b, [2, 3, 4, 5]).init('s', I64, [3], [0, -1, 5]).node('Reshape', ['x', 's'], ['y']), expect: { y: [2, 12, 5] } },
  { name: 'Reshape allowzero keeps 0', opset: 14, build: (b) => b.input('x', F32, [0, 4]).init('s', I64, [2], [0, 4]).node('Reshape', ['x', 's'], ['y'], { allowzero: 1 }), expect: { y: [0, 4] } },
  { name: 'Reshape -1 with symbolic batch cancels', build: (b) => b.input('x', F32, ['N', 512, 1, 1]).init('s', I64, [2], [0, -1]).node('Reshape', ['x', 's'], ['y']), expect: { y: ['N', 512] } },
  { name: 'Reshape opset 1 attr', opset: 4, build: (b) => x4(b, [2, 3, 4, 5]).node('Reshape', ['x'], ['y'], { shape: [6, 20] }), expect: { y: [6, 20] } },
  { name: 'Reshape non-constant target keeps rank', build: (b) => x4(b).input('s', I64, [3]).node('Reshape', ['x', 's'], ['y']), expect: { y: [null, null, null] } },
  { name: 'Transpose perm', build: (b) => x4(b, [1, 2, 3, 4]).node('Transpose', ['x'], ['y'], { perm: [0, 2, 3, 1] }), expect: { y: [1, 3, 4, 2] } },
  { name: 'Transpose default reverses', build: (b) => x4(b, [1, 2, 3, 4]).node('Transpose', ['x'], ['y']), expect: { y: [4, 3, 2, 1] } },
  { name: 'Concat axis 1 with symbolic batch', build: (b) => b.input('a', F32, ['N', 3, 8]).input('c', F32, ['N', 5, 8]).node('Concat', ['a', 'c'], ['y'], { axis: 1 }), expect: { y: ['N', 8, 8] } },
  { name: 'Concat negative axis', build: (b) => b.input('a', F32, [2, 3]).input('c', F32, [2, 4]).node('Concat', ['a', 'c'], ['y'], { axis: -1 }), expect: { y: [2, 7] } },
  { name: 'Split equal (opset 13, no split input)', opset: 13, build: (b) => b.input('x', F32, [2, 6]).node('Split', ['x'], ['a', 'c', 'd'], { axis: 1 }), expect: { a: [2, 2], c: [2, 2], d: [2, 2] } },
  { name: 'Split by input', opset: 13, build: (b) => b.input('x', F32, [2, 6]).init('s', I64, [2], [2, 4]).node('Split', ['x', 's'], ['a', 'c'], { axis: 1 }), expect: { a: [2, 2], c: [2, 4] } },
  { name: 'Split by attr (opset 11)', opset: 11, build: (b) => b.input('x', F32, [5, 2]).node('Split', ['x'], ['a', 'c'], { split: [1, 4] }), expect: { a: [1, 2], c: [4, 2] } },
  { name: 'Split num_outputs uneven (opset 18)', opset: 18, build: (b) => b.input('x', F32, [7]).node('Split', ['x'], ['a', 'c', 'd'], { num_outputs: 3 }), expect: { a: [3], c: [3], d: [1] } },
  { name: 'Slice opset 1 attrs', opset: 9, build: (b) => b.input('x', F32, [10, 20]).node('Slice', ['x'], ['y'], { starts: [2, 0], ends: [8, 100], axes: [0, 1] }), expect: { y: [6, 20] } },
  { name: 'Slice negative, clamped, steps', build: (b) => b.input('x', F32, [10, 20]).init('s', I64, [2], [-3, 100]).init('e', I64, [2], [1000, -100]).init('a', I64, [2], [0, 1]).init('t', I64, [2], [1, -2]).node('Slice', ['x', 's', 'e', 'a', 't'], ['y']), expect: { y: [3, 10] } },
  { name: 'Slice step 2 on axis -1', build: (b) => b.input('x', F32, [4, 9]).init('s', I64, [1], [1]).init('e', I64, [1], [9]).init('a', I64, [1], [-1]).init('t', I64, [1], [2]).node('Slice', ['x', 's', 'e', 'a', 't'], ['y']), expect: { y: [4, 4] } },
  { name: 'Slice non-constant starts', build: (b) => b.input('x', F32, [4, 9]).input('s', I64, [1]).init('e', I64, [1], [9]).init('a', I64, [1], [1]).node('Slice', ['x', 's', 'e', 'a'], ['y']), expect: { y: [4, null] } },
  { name: 'Gather scalar index drops axis', build: (b) => b.input('x', F32, [5, 6, 7]).init('i', I64, [], [2]).node('Gather', ['x', 'i'], ['y'], { axis: 1 }), expect: { y: [5, 7] } },
  { name: 'Gather index tensor', build: (b) => b.input('x', F32, [100, 16]).input('i', I64, [2, 9]).node('Gather', ['x', 'i'], ['y']), expect: { y: [2, 9, 16] } },
  { name: 'GatherElements', build: (b) => b.input('x', F32, [3, 4]).input('i', I64, [3, 2]).node('GatherElements', ['x', 'i'], ['y'], { axis: 1 }), expect: { y: [3, 2] } },
  { name: 'GatherND batch_dims 1', build: (b) => b.input('x', F32, [2, 3, 4, 5]).input('i', I64, [2, 6, 2]).node('GatherND', ['x', 'i'], ['y'], { batch_dims: 1 }), expect: { y: [2, 6, 5] } },
  { name: 'ScatterND', build: (b) => b.input('x', F32, [4, 4]).input('i', I64, [2, 1]).input('u', F32, [2, 4]).node('ScatterND', ['x', 'i', 'u'], ['y']), expect: { y: [4, 4] } },
  { name: 'Flatten axis 1', build: (b) => x4(b, ['N', 3, 4, 5]).node('Flatten', ['x'], ['y']), expect: { y: ['N', 60] } },
  { name: 'Flatten axis 0', build: (b) => x4(b, [2, 3, 4, 5]).node('Flatten', ['x'], ['y'], { axis: 0 }), expect: { y: [1, 120] } },
  { name: 'Squeeze axes input', build: (b) => x4(b, [1, 3, 1, 5]).init('a', I64, [1], [2]).node('Squeeze', ['x', 'a'], ['y']), expect: { y: [1, 3, 5] } },
  { name: 'Squeeze no axes', build: (b) => x4(b, [1, 3, 1, 5]).node('Squeeze', ['x'], ['y']), expect: { y: [3, 5] } },
  { name: 'Squeeze attr (opset 11)', opset: 11, build: (b) => x4(b, [1, 3, 1, 5]).node('Squeeze', ['x'], ['y'], { axes: [0] }), expect: { y: [3, 1, 5] } },
  { name: 'Unsqueeze input axes', build: (b) => b.input('x', F32, [3, 4]).init('a', I64, [2], [0, -1]).node('Unsqueeze', ['x', 'a'], ['y']), expect: { y: [1, 3, 4, 1] } },
  { name: 'Unsqueeze attr (opset 11)', opset: 11, build: (b) => b.input('x', F32, [3, 4]).node('Unsqueeze', ['x'], ['y'], { axes: [1] }), expect: { y: [3, 1, 4] } },
  { name: 'Expand', build: (b) => b.input('x', F32, [3, 1]).init('s', I64, [3], [2, 1, 6]).node('Expand', ['x', 's'], ['y']), expect: { y: [2, 3, 6] } },
  { name: 'Tile', build: (b) => b.input('x', F32, [2, 3]).init('r', I64, [2], [3, 2]).node('Tile', ['x', 'r'], ['y']), expect: { y: [6, 6] } },
  { name: 'Shape start/end', opset: 15, build: (b) => x4(b, ['N', 3, 4, 5]).node('Shape', ['x'], ['y'], { start: 1, end: -1 }), expect: { y: [I64, [2]] } },
  { name: 'Size', build: (b) => x4(b).node('Size', ['x'], ['y']), expect: { y: [I64, []] } },
  { name: 'ConstantOfShape', build: (b) => b.init('s', I64, [2], [3, 4]).node('ConstantOfShape', ['s'], ['y'], { value: { type: 'tensor', value: { name: 'v', dtype: I64, dims: [1], elementCount: 1, byteLength: 8, payload: { kind: 'inline', bytes: new Uint8Array(8) } } } }), expect: { y: [I64, [3, 4]] } },
  { name: 'Range', build: (b) => b.init('s', I64, [], [2]).init('l', I64, [], [11]).init('d', I64, [], [3]).node('Range', ['s', 'l', 'd'], ['y']), expect: { y: [I64, [3]] } },
  { name: 'Range negative delta', build: (b) => b.init('s', F32, [], [10]).init('l', F32, [], [0]).init('d', F32, [], [-2.5]).node('Range', ['s', 'l', 'd'], ['y']), expect: { y: [F32, [4]] } },
  // ---- Resize / Pad ----
  { name: 'Resize scales (opset 13, empty roi)', opset: 13, build: (b) => x4(b, [1, 3, 7, 9]).init('sc', F32, [4], [1, 1, 2, 1.5]).node('Resize', ['x', '', 'sc'], ['y']), expect: { y: [1, 3, 14, 13] } },
  { name: 'Resize sizes', opset: 13, build: (b) => x4(b, [1, 3, 7, 9]).init('sz', I64, [4], [1, 3, 20, 30]).node('Resize', ['x', '', '', 'sz'], ['y']), expect: { y: [1, 3, 20, 30] } },
  { name: 'Resize opset 11 empty scales tensor, sizes given', opset: 11, build: (b) => x4(b, [1, 3, 7, 9]).init('roi', F32, [0]).init('sc', F32, [0]).init('sz', I64, [4], [1, 3, 5, 5]).node('Resize', ['x', 'roi', 'sc', 'sz'], ['y']), expect: { y: [1, 3, 5, 5] } },
  { name: 'Resize opset 10 scales', opset: 10, build: (b) => x4(b, [1, 3, 7, 9]).init('sc', F32, [4], [1, 1, 2, 2]).node('Resize', ['x', 'sc'], ['y']), expect: { y: [1, 3, 14, 18] } },
  { name: 'Resize opset 18 axes + not_larger', opset: 18, build: (b) => x4(b, [1, 3, 10, 20]).init('sz', I64, [2], [5, 5]).node('Resize', ['x', '', '', 'sz'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }), expect: { y: [1, 3, 3, 5] } },
  { name: 'Upsample opset 7 attr', opset: 7, build: (b) => x4(b, [1, 3, 7, 9]).node('Upsample', ['x'], ['y'], { scales: fs([1, 1, 2, 2]) }), expect: { y: [1, 3, 14, 18] } },
  { name: 'Upsample opset 9 input', opset: 9, build: (b) => x4(b, [1, 3, 7, 9]).init('sc', F32, [4], [1, 1, 3, 3]).node('Upsample', ['x', 'sc'], ['y']), expect: { y: [1, 3, 21, 27] } },
  { name: 'Pad opset 2 attr', opset: 2, build: (b) => x4(b, [1, 3, 4, 4]).node('Pad', ['x'], ['y'], { pads: [0, 0, 1, 2, 0, 0, 3, 4] }), expect: { y: [1, 3, 8, 10] } },
  { name: 'Pad opset 11 input', opset: 11, build: (b) => x4(b, [1, 3, 4, 4]).init('p', I64, [8], [0, 0, 1, 1, 0, 0, 1, 1]).node('Pad', ['x', 'p'], ['y']), expect: { y: [1, 3, 6, 6] } },
  { name: 'Pad opset 18 axes', opset: 18, build: (b) => x4(b, [1, 3, 4, 4]).init('p', I64, [2], [2, 3]).init('ax', I64, [1], [-1]).node('Pad', ['x', 'p', '', 'ax'], ['y']), expect: { y: [1, 3, 4, 9] } },
  // ---- reductions & friends ----
  { name: 'ReduceMean axes attr keepdims', build: (b) => x4(b).node('ReduceMean', ['x'], ['y'], { axes: [2, 3] }), expect: { y: [1, 3, 1, 1] } },
  { name: 'ReduceMean opset 18 axes input no keepdims', opset: 18, build: (b) => x4(b).init('a', I64, [2], [-1, -2]).node('ReduceMean', ['x', 'a'], ['y'], { keepdims: 0 }), expect: { y: [1, 3] } },
  { name: 'ReduceSum noop_with_empty_axes', opset: 13, build: (b) => x4(b).node('ReduceSum', ['x'], ['y'], { noop_with_empty_axes: 1 }), expect: { y: [1, 3, 32, 32] } },
  { name: 'ReduceSum all axes', opset: 13, build: (b) => x4(b).node('ReduceSum', ['x'], ['y'], { keepdims: 0 }), expect: { y: [] } },
  { name: 'ArgMax', build: (b) => b.input('x', F32, [2, 10]).node('ArgMax', ['x'], ['y'], { axis: 1, keepdims: 0 }), expect: { y: [I64, [2]] } },
  { name: 'TopK', build: (b) => b.input('x', F32, [2, 10]).init('k', I64, [1], [3]).node('TopK', ['x', 'k'], ['v', 'i']), expect: { v: [F32, [2, 3]], i: [I64, [2, 3]] } },
  { name: 'Softmax', build: (b) => b.input('x', F32, [2, 10]).node('Softmax', ['x'], ['y']), expect: { y: [2, 10] } },
  { name: 'DepthToSpace', build: (b) => x4(b, [1, 16, 4, 4]).node('DepthToSpace', ['x'], ['y'], { blocksize: 2 }), expect: { y: [1, 4, 8, 8] } },
  { name: 'SpaceToDepth', build: (b) => x4(b, [1, 4, 8, 8]).node('SpaceToDepth', ['x'], ['y'], { blocksize: 2 }), expect: { y: [1, 16, 4, 4] } },
  { name: 'NonZero is data dependent', build: (b) => b.input('x', F32, [3, 4]).node('NonZero', ['x'], ['y']), expect: { y: [I64, [2, null]] } },
  { name: 'Trilu and CumSum keep shape', build: (b) => b.input('x', F32, [3, 4]).init('a', I64, [], [0]).node('Trilu', ['x'], ['t']).node('CumSum', ['t', 'a'], ['y']), expect: { y: [3, 4] } },
  // ---- recurrent ----
  { name: 'LSTM forward, all outputs', build: (b) => b.input('x', F32, [30, 1, 16]).init('w', F32, [1, 128, 16]).init('r', F32, [1, 128, 32]).node('LSTM', ['x', 'w', 'r'], ['y', 'yh', 'yc'], { hidden_size: 32 }), expect: { y: [30, 1, 1, 32], yh: [1, 1, 32], yc: [1, 1, 32] } },
  { name: 'GRU bidirectional layout 1, omitted Y', build: (b) => b.input('x', F32, [4, 50, 32]).init('w', F32, [2, 144, 32]).init('r', F32, [2, 144, 48]).node('GRU', ['x', 'w', 'r'], ['', 'yh'], { hidden_size: 48, direction: 'bidirectional', layout: 1 }), expect: { yh: [4, 2, 48] } },
  { name: 'RNN hidden from W', build: (b) => b.input('x', F32, [7, 2, 5]).init('w', F32, [1, 6, 5]).init('r', F32, [1, 6, 6]).node('RNN', ['x', 'w', 'r'], ['y', 'yh']), expect: { y: [7, 1, 2, 6], yh: [1, 2, 6] } },
  // ---- quantization ----
  { name: 'QuantizeLinear dtype from zero point', build: (b) => x4(b).init('s', F32, [], [0.1]).init('z', I8, [], [0]).node('QuantizeLinear', ['x', 's', 'z'], ['y']), expect: { y: [I8, [1, 3, 32, 32]] } },
  { name: 'QuantizeLinear default uint8', build: (b) => x4(b).init('s', F32, [], [0.1]).node('QuantizeLinear', ['x', 's'], ['y']), expect: { y: [U8, [1, 3, 32, 32]] } },
  { name: 'QuantizeLinear output_dtype (opset 21)', opset: 21, build: (b) => x4(b).init('s', F32, [], [0.1]).node('QuantizeLinear', ['x', 's'], ['y'], { output_dtype: I8 }), expect: { y: [I8, [1, 3, 32, 32]] } },
  { name: 'DequantizeLinear per-axis', build: (b) => b.init('w', I8, [8, 3, 3, 3]).init('s', F32, [8]).init('z', I8, [8]).node('DequantizeLinear', ['w', 's', 'z'], ['y'], { axis: 0 }), expect: { y: [F32, [8, 3, 3, 3]] } },
  { name: 'DynamicQuantizeLinear', build: (b) => b.input('x', F32, [2, 3]).node('DynamicQuantizeLinear', ['x'], ['y', 's', 'z']), expect: { y: [U8, [2, 3]], s: [F32, []], z: [U8, []] } },
  { name: 'QLinearConv', build: (b) => b.input('x', U8, [1, 3, 32, 32]).init('xs', F32, [], [0.1]).init('xz', U8, [], [0]).init('w', I8, [8, 3, 3, 3]).init('ws', F32, [8]).init('wz', I8, [8]).init('ys', F32, [], [0.1]).init('yz', U8, [], [0]).init('bias', I32, [8]).node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'bias'], ['y'], { pads: [1, 1, 1, 1] }), expect: { y: [U8, [1, 8, 32, 32]] } },
  { name: 'QLinearMatMul', build: (b) => b.input('a', U8, [2, 4]).init('as', F32, [], [1]).init('az', U8, [], [0]).init('w', I8, [4, 5]).init('ws', F32, [], [1]).init('wz', I8, [], [0]).init('ys', F32, [], [1]).init('yz', I8, [], [0]).node('QLinearMatMul', ['a', 'as', 'az', 'w', 'ws', 'wz', 'ys', 'yz'], ['y']), expect: { y: [I8, [2, 5]] } },
  { name: 'ConvInteger → int32', build: (b) => b.input('x', U8, [1, 3, 8, 8]).init('w', U8, [4, 3, 3, 3]).node('ConvInteger', ['x', 'w'], ['y']), expect: { y: [I32, [1, 4, 6, 6]] } },
  { name: 'MatMulInteger → int32', build: (b) => b.input('a', U8, [2, 4]).init('w', I8, [4, 5]).node('MatMulInteger', ['a', 'w'], ['y']), expect: { y: [I32, [2, 5]] } },
  { name: 'QGemm (com.microsoft) quantized output', build: (b) => b.input('a', U8, [2, 4]).init('as', F32, [], [1]).init('az', U8, [], [0]).init('w', I8, [5, 4]).init('ws', F32, [], [1]).init('wz', I8, [], [0]).init('ys', F32, [], [1]).init('yz', U8, [], [0]).node('QGemm', ['a', 'as', 'az', 'w', 'ws', 'wz', '', 'ys', 'yz'], ['y'], { transB: 1 }, { domain: 'com.microsoft' }), expect: { y: [U8, [2, 5]] } },
  { name: 'QLinearAdd / QLinearGlobalAveragePool / QLinearConcat / QLinearSigmoid / QLinearLeakyRelu', build: (b) => b.input('a', U8, [1, 4, 6, 6]).input('c', U8, [1, 4, 6, 6]).init('s', F32, [], [1]).init('z', U8, [], [0])
      .node('QLinearAdd', ['a', 's', 'z', 'c', 's', 'z', 's', 'z'], ['add'], {}, { domain: 'com.microsoft' })
      .node('QLinearGlobalAveragePool', ['add', 's', 'z', 's', 'z'], ['gap'], { channels_last: 0 }, { domain: 'com.microsoft' })
      .node('QLinearConcat', ['s', 'z', 'a', 's', 'z', 'c', 's', 'z'], ['cat'], { axis: 1 }, { domain: 'com.microsoft' })
      .node('QLinearSigmoid', ['cat', 's', 'z', 's', 'z'], ['sig'], {}, { domain: 'com.microsoft' })
      .node('QLinearLeakyRelu', ['sig', 's', 'z', 's', 'z'], ['lr'], { alpha: f(0.1) }, { domain: 'com.microsoft' }),
    expect: { add: [U8, [1, 4, 6, 6]], gap: [1, 4, 1, 1], cat: [1, 8, 6, 6], lr: [U8, [1, 8, 6, 6]] } },
  // ---- com.microsoft float ----
  { name: 'FusedConv / FusedMatMul / BiasGelu / SkipLayerNormalization', build: (b) => x4(b, [1, 3, 8, 8]).init('w', F32, [4, 3, 3, 3]).input('a', F32, [2, 5, 4]).input('c', F32, [2, 6, 4]).init('bias', F32, [6]).init('g', F32, [6])
      .node('FusedConv', ['x', 'w'], ['fc'], { activation: 'Relu' }, { domain: 'com.microsoft' })
      .node('FusedMatMul', ['a', 'c'], ['fm'], { transB: 1 }, { domain: 'com.microsoft' })
      .node('BiasGelu', ['fm', 'bias'], ['bg'], {}, { domain: 'com.microsoft' })
      .node('SkipLayerNormalization', ['bg', 'fm', 'g', 'bias'], ['sln'], {}, { domain: 'com.microsoft' }),
    expect: { fc: [1, 4, 6, 6], fm: [2, 5, 6], bg: [2, 5, 6], sln: [2, 5, 6] } },
  { name: 'Attention (com.microsoft)', build: (b) => b.input('x', F32, [2, 16, 64]).init('w', F32, [64, 192]).init('bias', F32, [192]).node('Attention', ['x', 'w', 'bias'], ['y'], { num_heads: 4 }, { domain: 'com.microsoft' }), expect: { y: [2, 16, 64] } },
  // ---- unknown ops, undefined inputs ----
  { name: 'Unknown op → unknown outputs and UNKNOWN_OP, analysis continues', build: (b) => x4(b).node('MyOp', ['x'], ['u'], {}, { domain: 'custom' }).node('Relu', ['x'], ['r']), expect: { u: null, r: [1, 3, 32, 32] }, issues: ['UNKNOWN_OP'] },
  { name: 'Undefined input → issue, not a crash', build: (b) => b.node('Relu', ['ghost'], ['r']), expect: { r: null }, issues: ['UNDEFINED_INPUT'] },
  // ---- data-dependent outputs are unknown, never guessed ----
  { name: 'NonMaxSuppression', build: (b) => b.input('bx', F32, [1, 10, 4]).input('sc', F32, [1, 1, 10]).node('NonMaxSuppression', ['bx', 'sc'], ['y']), expect: { y: [I64, [null, 3]] } },
  { name: 'Compress with axis', build: (b) => b.input('x', F32, [3, 4]).input('c', BOOL, [4]).node('Compress', ['x', 'c'], ['y'], { axis: 1 }), expect: { y: [3, null] } },
  { name: 'Unique flattened', build: (b) => b.input('x', F32, [3, 4]).node('Unique', ['x'], ['y', 'i', 'inv', 'cnt']), expect: { y: [null], inv: [I64, [12]] } },
  { name: 'symbolic spatial dims give an expression, not a guess', build: (b) => b.input('x', F32, [1, 3, 'H', 'W']).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1] }).node('Conv', ['x', 'w'], ['z']), expect: { y: [1, 4, '(floor((H-1)/2)+1)', '(floor((W-1)/2)+1)'], z: [1, 4, '(H-2)', '(W-2)'] } },
  // ---- dims pinning ----
  { name: '--dim pins symbolic batch', dims: { batch: 2 }, build: (b) => b.input('x', F32, ['batch', 3, 8, 8]).node('Flatten', ['x'], ['y']), expect: { y: [2, 192] } },
];

describe('shape inference per op', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const b = new GraphBuilder();
      row.build(b);
      const a = analyzeModel(b.model({ opset: row.opset ?? 17, opsets: { 'com.microsoft': 1 } }), row.dims ? { dims: row.dims } : {});
      for (const [name, exp] of Object.entries(row.expect)) {
        const t = a.tensors.get(name);
        assert.ok(t, `tensor ${name} missing`);
        const [dtype, shape] = Array.isArray(exp) && exp.length === 2 && typeof exp[0] === 'number' && Array.isArray(exp[1]) ? (exp as [number, readonly Dim[] | null]) : [undefined, exp as readonly Dim[] | null];
        assert.deepEqual(t.shape, shape, `shape of ${name} (${t.unknownReason ?? ''}) issues: ${JSON.stringify(a.issues)}`);
        if (dtype !== undefined) assert.equal(t.dtype, dtype, `dtype of ${name}`);
        if (shape === null || shape.some((d) => d === null)) assert.ok(t.unknownReason, `${name} unknown without a reason`);
      }
      const codes = a.issues.map((i) => i.code);
      for (const c of row.issues ?? []) assert.ok(codes.includes(c), `expected issue ${c}, got ${codes.join(',')}`);
      if (row.issues === undefined) assert.deepEqual(codes, [], `unexpected issues ${JSON.stringify(a.issues)}`);
    });
  }
});
