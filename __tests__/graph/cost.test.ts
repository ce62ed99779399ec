import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/graph/analyze.js';
import { F32, GraphBuilder, I32, I64, I8, U8 } from './builder.js';

interface Row {
  name: string;
  build: (b: GraphBuilder) => void;
  /** node index → expected facts (only the fields given are checked). */
  nodes: Record<number, { macs?: number | null; otherOps?: number | null; params?: number }>;
  totals?: { params?: number; macs?: number | null; weightBytes?: number; weightBytesByDtype?: Record<string, number> };
}

const ROWS: Row[] = [
  {
    name: 'Conv: N·Cout·out spatial·Cin/groups·kernel, bias into otherOps',
    build: (b) => b.input('x', F32, [2, 4, 8, 8]).init('w', F32, [6, 2, 3, 3]).init('bias', F32, [6]).node('Conv', ['x', 'w', 'bias'], ['y'], { group: 2, pads: [1, 1, 1, 1] }),
    nodes: { 0: { macs: 2 * 6 * 64 * 2 * 9, otherOps: 2 * 6 * 64, params: 6 * 2 * 9 + 6 } },
  },
  {
    name: 'ConvTranspose: input elements × Cout/group × kernel',
    build: (b) => b.input('x', F32, [1, 4, 5, 5]).init('w', F32, [4, 3, 2, 2]).node('ConvTranspose', ['x', 'w'], ['y'], { strides: [2, 2] }),
    nodes: { 0: { macs: 100 * 3 * 4, otherOps: 0 } },
  },
  {
    name: 'Gemm transB with bias',
    build: (b) => b.input('a', F32, [3, 64]).init('w', F32, [10, 64]).init('c', F32, [10]).node('Gemm', ['a', 'w', 'c'], ['y'], { transB: 1 }),
    nodes: { 0: { macs: 3 * 10 * 64, otherOps: 30, params: 650 } },
  },
  {
    name: 'Gemm transA takes K from the first dim',
    build: (b) => b.input('a', F32, [64, 3]).init('w', F32, [64, 10]).node('Gemm', ['a', 'w'], ['y'], { transA: 1 }),
    nodes: { 0: { macs: 3 * 10 * 64 } },
  },
  {
    name: 'MatMul batched',
    build: (b) => b.input('a', F32, [2, 4, 5, 6]).input('c', F32, [6, 7]).node('MatMul', ['a', 'c'], ['y']),
    nodes: { 0: { macs: 2 * 4 * 5 * 7 * 6, params: 0 } },
  },
  {
    name: 'Einsum bmm counts the iteration space',
    build: (b) => b.input('a', F32, [2, 3, 4]).input('c', F32, [2, 4, 5]).node('Einsum', ['a', 'c'], ['y'], { equation: 'bij,bjk->bik' }),
    nodes: { 0: { macs: 2 * 3 * 4 * 5 } },
  },
  {
    name: 'LSTM: T·N·dirs·4·H·(I+H)',
    build: (b) => b.input('x', F32, [30, 1, 16]).init('w', F32, [1, 128, 16]).init('r', F32, [1, 128, 32]).init('bb', F32, [1, 256]).node('LSTM', ['x', 'w', 'r', 'bb'], ['y', 'yh', 'yc'], { hidden_size: 32 }),
    nodes: { 0: { macs: 30 * 4 * 32 * 48, otherOps: 30 * 12 * 32, params: 128 * 16 + 128 * 32 + 256 } },
  },
  {
    name: 'GRU bidirectional batch-first',
    build: (b) => b.input('x', F32, [2, 50, 32]).init('w', F32, [2, 144, 32]).init('r', F32, [2, 144, 48]).node('GRU', ['x', 'w', 'r'], ['y'], { hidden_size: 48, direction: 'bidirectional', layout: 1 }),
    nodes: { 0: { macs: 50 * 2 * 2 * 3 * 48 * (32 + 48) } },
  },
  {
    name: 'RNN',
    build: (b) => b.input('x', F32, [10, 1, 8]).init('w', F32, [1, 16, 8]).init('r', F32, [1, 16, 16]).node('RNN', ['x', 'w', 'r'], ['y'], { hidden_size: 16 }),
    nodes: { 0: { macs: 10 * 16 * 24 } },
  },
  {
    name: 'QDQ Conv has the float MACs; the int8 weight is counted once at its DequantizeLinear',
    build: (b) =>
      b.input('x', F32, [1, 3, 8, 8]).init('xs', F32, [], [0.1]).init('xz', U8, [], [0]).init('wq', I8, [4, 3, 3, 3]).init('ws', F32, [4]).init('wz', I8, [4]).init('bq', I32, [4]).init('bs', F32, [4])
        .node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq'])
        .node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd'])
        .node('DequantizeLinear', ['wq', 'ws', 'wz'], ['wd'], { axis: 0 })
        .node('DequantizeLinear', ['bq', 'bs'], ['bd'])
        .node('Conv', ['xd', 'wd', 'bd'], ['y']),
    nodes: { 0: { macs: 0, otherOps: 384, params: 0 }, 2: { macs: 0, params: 108 }, 3: { params: 4 }, 4: { macs: 4 * 36 * 27, params: 0 } },
    totals: { params: 112, macs: 3888, weightBytesByDtype: { float: 4 + 16 + 16, uint8: 1, int8: 108 + 4, int32: 16 } },
  },
  {
    name: 'QLinearConv and ConvInteger have the float MACs',
    build: (b) =>
      b.input('x', U8, [1, 3, 8, 8]).init('s', F32, [], [0.1]).init('z', U8, [], [0]).init('w', I8, [4, 3, 3, 3]).init('wz', I8, [], [0]).init('bias', I32, [4])
        .node('QLinearConv', ['x', 's', 'z', 'w', 's', 'wz', 's', 'z', 'bias'], ['y'])
        .node('ConvInteger', ['x', 'w'], ['y2']),
    nodes: { 0: { macs: 4 * 36 * 27, params: 112 }, 1: { macs: 4 * 36 * 27, params: 108 } },
    totals: { params: 112 },
  },
  {
    name: 'pools: kernel area per output; global: input elements; elementwise: 1 per element',
    build: (b) =>
      b.input('x', F32, [1, 2, 8, 8])
        .node('MaxPool', ['x'], ['p'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })
        .node('GlobalAveragePool', ['p'], ['g'])
        .node('Relu', ['x'], ['r'])
        .node('Sum', ['x', 'r', 'x'], ['s'])
        .node('Softmax', ['x'], ['sm'])
        .node('Reshape', ['x', 'shape'], ['rs'])
        .init('shape', I64, [1], [-1]),
    nodes: { 0: { otherOps: 32 * 9 }, 1: { otherOps: 32 }, 2: { otherOps: 128 }, 3: { otherOps: 256 }, 4: { otherOps: 512 }, 5: { otherOps: 0, params: 0 } },
  },
  {
    name: 'a shared initializer counts once in totals',
    build: (b) => b.input('a', F32, [2, 8]).init('w', F32, [8, 8]).node('MatMul', ['a', 'w'], ['h']).node('MatMul', ['h', 'w'], ['y']),
    nodes: { 0: { params: 64 }, 1: { params: 64 } },
    totals: { params: 64, weightBytes: 256 },
  },
  {
    name: 'Constant-node weights count; shape constants are not parameters',
    build: (b) => b.input('a', F32, [2, 8]).constant('w', F32, [8, 4], new Array(32).fill(1)).constant('s', I64, [2], [4, 2]).node('MatMul', ['a', 'w'], ['h']).node('Reshape', ['h', 's'], ['y']),
    nodes: { 2: { params: 32 }, 3: { params: 0 } },
    totals: { params: 32, weightBytes: 128 + 16, weightBytesByDtype: { float: 128, int64: 16 } },
  },
  {
    name: 'unknown shapes give null MACs with a reason, totals null',
    build: (b) => b.input('x', F32, null).init('w', F32, [4, 3, 3, 3]).node('Conv', ['x', 'w'], ['y']),
    nodes: { 0: { macs: null } },
    totals: { macs: null },
  },
];

describe('node facts and totals', () => {
  for (const r of ROWS) {
    it(r.name, () => {
      const b = new GraphBuilder();
      r.build(b);
      const a = analyzeModel(b.model({ opsets: { 'com.microsoft': 1 } }));
      for (const [idx, exp] of Object.entries(r.nodes)) {
        const f = a.nodeFacts[Number(idx)];
        for (const [k, v] of Object.entries(exp)) assert.equal(f[k as keyof typeof f], v, `node ${idx} ${k} (${f.unknownReason ?? ''})`);
        if (f.macs === null) assert.ok(f.unknownReason, 'null MACs need a reason');
      }
      if (r.totals) {
        for (const [k, v] of Object.entries(r.totals)) assert.deepEqual(a.totals[k as keyof typeof a.totals], v, `totals.${k}`);
        if (r.totals.macs === null) assert.ok(a.totals.unknownReasons?.macs);
      }
    });
  }
});
