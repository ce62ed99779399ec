/**
 * Attribute and input validation before shape rules: a malformed node is one ATTRIBUTE_INVALID or
 * INPUT_INVALID issue naming the node, never a JavaScript exception message ("s is not iterable",
 * "Invalid array length", NaN dims) and never an INTERNAL issue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttributeValue, OnnxGraph } from '../../src/onnx/types.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { OP_SCHEMAS, validateNode } from '../../src/graph/attr-schema.js';
import { SHAPE_RULES } from '../../src/graph/rules/index.js';
import { F32, GraphBuilder, I64, tensor } from './builder.js';

interface Case {
  readonly name: string;
  readonly op: string;
  readonly domain?: string;
  readonly inputs: readonly [string, readonly number[]][];
  readonly consts?: readonly [string, number, readonly number[], readonly number[]][];
  readonly attrs: Record<string, AttributeValue>;
  readonly code: 'ATTRIBUTE_INVALID' | 'INPUT_INVALID';
  readonly mentions: RegExp;
}

const s = (value: string): AttributeValue => ({ type: 'string', value });
const i = (value: number): AttributeValue => ({ type: 'int', value });
const is = (value: number[]): AttributeValue => ({ type: 'ints', value });
const fl = (value: number): AttributeValue => ({ type: 'float', value });

const CASES: Case[] = [
  { name: 'Conv kernel_shape as a string', op: 'Conv', inputs: [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], attrs: { kernel_shape: s('3x3') }, code: 'ATTRIBUTE_INVALID', mentions: /'kernel_shape' must be ints, got string/ },
  { name: 'Conv group as a string', op: 'Conv', inputs: [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], attrs: { group: s('1') }, code: 'ATTRIBUTE_INVALID', mentions: /'group' must be int/ },
  { name: 'Conv strides of zero', op: 'Conv', inputs: [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], attrs: { strides: is([0, 1]) }, code: 'ATTRIBUTE_INVALID', mentions: /'strides' must be in 1\.\./ },
  { name: 'Conv pads of the wrong length', op: 'Conv', inputs: [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], attrs: { pads: is([1, 1]) }, code: 'ATTRIBUTE_INVALID', mentions: /'pads' must have 4 values for 2 spatial dims/ },
  { name: 'Conv weight of rank 1', op: 'Conv', inputs: [['x', [1, 2, 8, 8]], ['w', [4]]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 1 must have the rank of input 0 \(4\), got rank 1/ },
  { name: 'ConvTranspose output_padding as a float', op: 'ConvTranspose', inputs: [['x', [1, 2, 8, 8]], ['w', [2, 4, 3, 3]]], attrs: { output_padding: fl(1.5) }, code: 'ATTRIBUTE_INVALID', mentions: /'output_padding' must be ints, got float 1\.5/ },
  { name: 'ConvTranspose dilations as a graph', op: 'ConvTranspose', inputs: [['x', [1, 2, 8, 8]], ['w', [2, 4, 3, 3]]], attrs: { dilations: { type: 'graph', value: { name: 'g', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map() } } }, code: 'ATTRIBUTE_INVALID', mentions: /'dilations' must be ints, got graph/ },
  { name: 'LSTM direction as ints', op: 'LSTM', inputs: [['x', [5, 1, 8]], ['w', [1, 64, 8]], ['r', [1, 64, 16]]], attrs: { direction: is([1]) }, code: 'ATTRIBUTE_INVALID', mentions: /'direction' must be string, got ints/ },
  { name: 'GRU hidden_size as a string', op: 'GRU', inputs: [['x', [5, 1, 8]], ['w', [1, 48, 8]], ['r', [1, 48, 16]]], attrs: { hidden_size: s('16') }, code: 'ATTRIBUTE_INVALID', mentions: /'hidden_size' must be int, got string/ },
  { name: 'RNN activations as an int', op: 'RNN', inputs: [['x', [5, 1, 8]], ['w', [1, 16, 8]], ['r', [1, 16, 16]]], attrs: { activations: i(3) }, code: 'ATTRIBUTE_INVALID', mentions: /'activations' must be strings, got int 3/ },
  { name: 'RNN X of rank 2', op: 'RNN', inputs: [['x', [5, 8]], ['w', [1, 16, 8]], ['r', [1, 16, 16]]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 0 must have rank 3, got rank 2/ },
  { name: 'QLinearConv strides as an int with a rank-1 weight', op: 'QLinearConv', inputs: [['x', [1, 2, 8, 8]], ['xs', []], ['xz', []], ['w', [4]], ['ws', []], ['wz', []], ['ys', []], ['yz', []]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 3 must have the rank of input 0/ },
  { name: 'QLinearConv auto_pad unknown', op: 'QLinearConv', inputs: [['x', [1, 2, 8, 8]], ['xs', []], ['xz', []], ['w', [4, 2, 3, 3]], ['ws', []], ['wz', []], ['ys', []], ['yz', []]], attrs: { auto_pad: s('SAME') }, code: 'ATTRIBUTE_INVALID', mentions: /'auto_pad' must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID/ },
  { name: 'FusedConv kernel_shape as floats', op: 'FusedConv', domain: 'com.microsoft', inputs: [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], attrs: { kernel_shape: { type: 'floats', value: [NaN, 3] } }, code: 'ATTRIBUTE_INVALID', mentions: /'kernel_shape' must be ints, got floats/ },
  { name: 'Tile repeats of rank 2', op: 'Tile', inputs: [['x', [2, 3]], ['r', [1, 2]]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 1 must have rank 1, got rank 2/ },
  { name: 'Expand shape of rank 0', op: 'Expand', inputs: [['x', [2, 3]], ['s', []]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 1 must have rank 1/ },
  { name: 'Slice starts of rank 2', op: 'Slice', inputs: [['x', [2, 3]], ['a', [1, 1]], ['b', [1]]], attrs: {}, code: 'INPUT_INVALID', mentions: /input 1 must have rank 1/ },
  { name: 'Scan num_scan_inputs negative', op: 'Scan', inputs: [['x', [2, 3]]], attrs: { num_scan_inputs: i(-2), body: { type: 'graph', value: { name: 'b', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map() } } }, code: 'ATTRIBUTE_INVALID', mentions: /'num_scan_inputs' must be in 1\.\.65536, got int -2/ },
  { name: 'Split num_outputs 2^40', op: 'Split', inputs: [['x', [4, 3]]], attrs: { num_outputs: i(2 ** 40) }, code: 'ATTRIBUTE_INVALID', mentions: /'num_outputs' must be in 1\.\.65536/ },
];

function run(c: Case) {
  const b = new GraphBuilder();
  for (const [name, shape] of c.inputs) b.input(name, F32, shape);
  for (const [name, dtype, dims, values] of c.consts ?? []) b.initializers.set(name, tensor(name, dtype, dims, values));
  b.node(c.op, c.inputs.map(([n]) => n), ['y'], c.attrs, { domain: c.domain ?? '', name: 'bad_node' }).output('y');
  return analyzeModel(b.model({ opsets: c.domain ? { [c.domain]: 1 } : {} }));
}

for (const c of CASES) {
  test(`${c.name}: ${c.code} naming the node`, () => {
    const a = run(c);
    const issues = a.issues.filter((x) => x.node?.name === 'bad_node');
    assert.equal(issues.length, 1, JSON.stringify(a.issues));
    assert.equal(issues[0]!.code, c.code);
    assert.match(issues[0]!.message, c.mentions);
    assert.match(issues[0]!.message, /#0 'bad_node'/);
    assert.doesNotMatch(issues[0]!.message, /is not iterable|Invalid array length/);
  });
}

test('the same ops with well-formed attributes raise no issue', () => {
  const ok = (op: string, inputs: [string, number[]][], attrs: Record<string, AttributeValue>, domain = ''): void => {
    const b = new GraphBuilder();
    for (const [n, sh] of inputs) b.input(n, F32, sh);
    b.node(op, inputs.map(([n]) => n), ['y'], attrs, { domain, name: 'n' }).output('y');
    const a = analyzeModel(b.model({ opsets: domain ? { [domain]: 1 } : {} }));
    assert.deepEqual(a.issues.filter((x) => x.node !== undefined), [], op);
  };
  ok('Conv', [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], { kernel_shape: is([3, 3]), strides: is([1, 1]), pads: is([1, 1, 1, 1]), group: i(1), auto_pad: s('NOTSET') });
  ok('LSTM', [['x', [5, 1, 8]], ['w', [1, 64, 8]], ['r', [1, 64, 16]]], { hidden_size: i(16), direction: s('forward') });
  ok('FusedConv', [['x', [1, 2, 8, 8]], ['w', [4, 2, 3, 3]]], { kernel_shape: is([3, 3]), activation: s('Relu') }, 'com.microsoft');
});

test('an inferred dim that is not a non-negative integer stops at its node (no NaN reaches the next rule)', () => {
  const b = new GraphBuilder();
  b.input('x', F32, [1, 4]);
  b.initializers.set('s', tensor('s', I64, [2], [1, -4]));
  b.node('Expand', ['x', 's'], ['e'], {}, { name: 'expand' });
  b.node('Add', ['e', 'x'], ['y'], {}, { name: 'add' }).output('y');
  const a = analyzeModel(b.model());
  assert.deepEqual(a.issues.map((x) => [x.code, x.node?.name]), [['SHAPE_ERROR', 'expand']]);
  assert.doesNotMatch(a.issues[0]!.message, /NaN/);
});

/** Every op with a shape rule, every attribute name any schema knows, attributes of every stored type. */
test('no op turns an attribute of the wrong type or an odd input rank into an INTERNAL issue', () => {
  const names = new Set<string>(['value', 'then_branch', 'else_branch', 'body', 'to', 'axis', 'perm']);
  for (const table of Object.values(OP_SCHEMAS)) for (const sc of Object.values(table)) for (const n of Object.keys(sc.attrs ?? {})) names.add(n);
  const emptyGraph: OnnxGraph = { name: 'g', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map() };
  const wrong: AttributeValue[] = [
    fl(1.5), i(-7), i(2 ** 40), s('abc'), { type: 'floats', value: [1.5, NaN] }, is([]), is([-5, 2 ** 53]), { type: 'strings', value: ['a'] },
    { type: 'tensor', value: tensor('t', F32, [1], [0]) }, { type: 'graph', value: emptyGraph }, { type: 'graphs', value: [] }, { type: 'ref', refAttrName: 'x' },
  ];
  const shapes = [[1, 2, 8, 8], [3, 1, 4], []];
  const internal: string[] = [];
  let checked = 0;
  for (const [domain, table] of Object.entries(SHAPE_RULES)) {
    for (const op of Object.keys(table)) {
      for (const name of names) {
        for (const w of wrong) {
          for (const shp of shapes) {
            const b = new GraphBuilder();
            b.input('a', F32, shp).input('b', F32, [4, 2, 3, 3]).input('c', F32, [4]).input('d', F32, [4]);
            b.node(op, ['a', 'b', 'c', 'd'], ['y', 'z'], { [name]: w }, { domain, name: 'n' }).output('y');
            const a = analyzeModel(b.model({ opsets: domain ? { [domain]: 1 } : {} }));
            checked++;
            for (const x of a.issues) if (x.code === 'INTERNAL') internal.push(`${domain}::${op} ${name}=${w.type} on ${JSON.stringify(shp)}: ${x.message}`);
          }
        }
      }
    }
  }
  assert.ok(checked > 5_000, `${checked} nodes checked`);
  assert.deepEqual(internal.slice(0, 10), []);
});

test('validateNode leaves ops without a schema to their rule', () => {
  assert.equal(validateNode({ domain: '', opType: 'Relu', attributes: new Map([['alpha', s('x')]]) }, []), null);
  assert.equal(validateNode({ domain: '', opType: 'toString', attributes: new Map() }, []), null);
});
