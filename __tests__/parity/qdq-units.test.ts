import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type QdqGraphLike, getQdqNodeUnits, qdqUnitOutputs } from '../../src/graph/qdq-units.js';
import { readProtoModel } from '../../src/parity/proto-model.js';
import { fixture } from './helpers/paths.js';

/** Tiny graph builder: [op, inputs, outputs]. */
function g(nodes: [string, string[], string[]][], outputs: string[]): QdqGraphLike {
  return { nodes: nodes.map(([opType, inputs, outs], index) => ({ index, name: `n${index}`, opType, domain: '', inputs, outputs: outs })), outputs: outputs.map((name) => ({ name })) };
}

const DQ = (x: string, y: string): [string, string[], string[]] => ['DequantizeLinear', [x, `${x}_s`, `${x}_z`], [y]];
const Q = (x: string, y: string): [string, string[], string[]] => ['QuantizeLinear', [x, `${y}_s`, `${y}_z`], [y]];

interface Case {
  name: string;
  graph: QdqGraphLike;
  /** Expected units as "kind:target:nodes". */
  units: string[];
}

const cases: Case[] = [
  {
    name: 'DQ(x), DQ(w) → Conv → Q: one conv unit',
    graph: g([DQ('xq', 'x'), DQ('wq', 'w'), ['Conv', ['x', 'w'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:2:0,1,2,3'],
  },
  {
    name: 'Conv with DQ bias joins the unit',
    graph: g([DQ('xq', 'x'), DQ('wq', 'w'), DQ('bq', 'b'), ['Conv', ['x', 'w', 'b'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:3:0,1,2,3,4'],
  },
  {
    name: 'target output is a graph output: no unit (ORT: NodeProducesGraphOutput)',
    graph: g([DQ('xq', 'x'), DQ('wq', 'w'), ['Conv', ['x', 'w'], ['y']], Q('y', 'yq')], ['yq', 'y']),
    units: ['single:0:0', 'single:1:1', 'single:2:2', 'single:3:3'],
  },
  {
    name: 'output consumed by a Q and a non-Q: no unit',
    graph: g([DQ('xq', 'x'), ['Relu', ['x'], ['y']], Q('y', 'yq'), ['Neg', ['y'], ['z']]], ['yq', 'z']),
    units: ['single:0:0', 'single:1:1', 'single:2:2', 'single:3:3'],
  },
  {
    name: 'unary op: DQ → Relu → Q',
    graph: g([DQ('xq', 'x'), ['Relu', ['x'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:1:0,1,2'],
  },
  {
    name: 'binary op needs both inputs dequantized',
    graph: g([DQ('aq', 'a'), ['Add', ['a', 'b'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['single:0:0', 'single:1:1', 'single:2:2'],
  },
  {
    name: 'binary op with two DQs',
    graph: g([DQ('aq', 'a'), DQ('bq', 'b'), ['Add', ['a', 'b'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:2:0,1,2,3'],
  },
  {
    name: 'MatMul without Q is still a unit, even feeding a graph output (ORT: empty Q allowed for MatMul)',
    graph: g([DQ('aq', 'a'), DQ('bq', 'b'), ['MatMul', ['a', 'b'], ['y']]], ['y']),
    units: ['qdq:2:0,1,2'],
  },
  {
    name: 'MatMul without Q whose output is internal',
    graph: g([DQ('aq', 'a'), DQ('bq', 'b'), ['MatMul', ['a', 'b'], ['y']], ['Relu', ['y'], ['z']]], ['z']),
    units: ['qdq:2:0,1,2', 'single:3:3'],
  },
  {
    name: 'shared DQ feeding two units belongs to both (ORT duplicates it)',
    graph: g([DQ('xq', 'x'), ['Relu', ['x'], ['y1']], Q('y1', 'q1'), ['Sigmoid', ['x'], ['y2']], Q('y2', 'q2')], ['q1', 'q2']),
    units: ['qdq:1:0,1,2', 'qdq:3:0,3,4'],
  },
  {
    name: 'a DQ that is also a graph output is not grouped',
    graph: g([DQ('xq', 'x'), ['Relu', ['x'], ['y']], Q('y', 'yq')], ['yq', 'x']),
    units: ['single:0:0', 'single:1:1', 'single:2:2'],
  },
  {
    name: 'ops without a selector stay single (LSTM)',
    graph: g([DQ('xq', 'x'), ['LSTM', ['x', 'w', 'r'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['single:0:0', 'single:1:1', 'single:2:2'],
  },
  {
    name: 'drop-QDQ op (Reshape) groups with one DQ and one Q',
    graph: g([DQ('xq', 'x'), ['Reshape', ['x', 'shape'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:1:0,1,2'],
  },
  {
    name: 'variadic Concat needs every input dequantized',
    graph: g([DQ('aq', 'a'), DQ('bq', 'b'), ['Concat', ['a', 'b'], ['y']], Q('y', 'yq')], ['yq']),
    units: ['qdq:2:0,1,2,3'],
  },
  {
    name: 'non-default domain is never grouped',
    graph: { ...g([DQ('xq', 'x'), ['Relu', ['x'], ['y']], Q('y', 'yq')], ['yq']), nodes: g([DQ('xq', 'x'), ['Relu', ['x'], ['y']], Q('y', 'yq')], ['yq']).nodes.map((n) => (n.index === 1 ? { ...n, domain: 'com.example' } : n)) },
    units: ['single:0:0', 'single:1:1', 'single:2:2'],
  },
];

describe('getQdqNodeUnits', () => {
  for (const c of cases) {
    it(c.name, () => {
      const units = getQdqNodeUnits(c.graph).map((u) => `${u.kind}:${u.target}:${u.nodes.join(',')}`);
      assert.deepEqual(units, c.units);
    });
  }

  it('unit inputs and outputs are what the rest of the graph sees', () => {
    const [u] = getQdqNodeUnits(g([DQ('xq', 'x'), DQ('wq', 'w'), ['Conv', ['x', 'w'], ['y']], Q('y', 'yq')], ['yq']));
    assert.deepEqual(u!.inputs, ['xq', 'xq_s', 'xq_z', 'wq', 'wq_s', 'wq_z', 'yq_s', 'yq_z']);
    assert.deepEqual(u!.outputs, ['yq']);
  });

  it('tiny_cnn.int8.qdq: every Conv and the Gemm are QDQ units; Q outputs are the production extras', () => {
    const m = readProtoModel(fixture('tiny_cnn.int8.qdq.onnx'));
    const units = getQdqNodeUnits(m);
    const qdqOps = units.filter((u) => u.kind === 'qdq').map((u) => m.nodes[u.target]!.opType);
    assert.equal(qdqOps.filter((o) => o === 'Conv').length, 3);
    assert.ok(qdqOps.includes('Gemm'));
    // Every node is covered exactly once, except DQs shared by units.
    const covered = new Set(units.flatMap((u) => u.nodes));
    assert.equal(covered.size, m.nodes.length);
    for (const name of qdqUnitOutputs(units)) assert.ok(m.nodes.some((n) => n.opType === 'QuantizeLinear' && n.outputs[0] === name));
  });
});
