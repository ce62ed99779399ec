import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OnnxFunction } from '../../src/onnx/types.js';
import { analyzeModel, topologicalOrder } from '../../src/graph/analyze.js';
import { GraphError } from '../../src/graph/errors.js';
import { BOOL, F32, GraphBuilder, I64 } from './builder.js';

describe('topological order', () => {
  it('orders by dependencies, ties by graph.node index', () => {
    const b = new GraphBuilder()
      .input('x', F32, [4])
      .node('Relu', ['b'], ['c']) // 0: needs node 2
      .node('Relu', ['x'], ['a']) // 1
      .node('Relu', ['a'], ['b']) // 2
      .node('Relu', ['x'], ['d']); // 3: ready at start, after 1
    assert.deepEqual(topologicalOrder(b.graph()), [1, 2, 0, 3]);
    assert.deepEqual(analyzeModel(b.model()).order, [1, 2, 0, 3]);
  });

  it('counts a body reading an outer tensor as a dependency of its node', () => {
    const thenG = new GraphBuilder('then').node('Identity', ['late'], ['o']).output('o');
    const elseG = new GraphBuilder('else').node('Identity', ['late'], ['o2']).output('o2');
    const b = new GraphBuilder()
      .input('x', F32, [2])
      .input('cond', BOOL, [])
      .node('If', ['cond'], ['y'], { then_branch: thenG.graph(), else_branch: elseG.graph() })
      .node('Relu', ['x'], ['late']);
    assert.deepEqual(topologicalOrder(b.graph()), [1, 0]);
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('y')?.shape, [2]);
    assert.deepEqual(a.tensors.get('late')?.consumers, [0]);
  });

  const errors: { name: string; build: (b: GraphBuilder) => void; code: string; nodes: number[] }[] = [
    {
      name: 'a cycle names the nodes on it',
      build: (b) => b.input('x', F32, [1]).node('Relu', ['x'], ['ok']).node('Add', ['ok', 'q'], ['p'], {}, { name: 'p_node' }).node('Relu', ['p'], ['q'], {}, { name: 'q_node' }),
      code: 'GRAPH_CYCLE',
      nodes: [1, 2],
    },
    {
      name: 'a self loop',
      build: (b) => b.node('Relu', ['s'], ['s']),
      code: 'GRAPH_CYCLE',
      nodes: [0],
    },
    {
      name: 'a tensor produced twice',
      build: (b) => b.input('x', F32, [1]).node('Relu', ['x'], ['t']).node('Sigmoid', ['x'], ['t']),
      code: 'DUPLICATE_PRODUCER',
      nodes: [0, 1],
    },
    {
      name: 'a node output shadowing a graph input',
      build: (b) => b.input('x', F32, [1]).node('Relu', ['x'], ['x']),
      code: 'DUPLICATE_PRODUCER',
      nodes: [0],
    },
  ];
  for (const e of errors) {
    it(e.name, () => {
      const b = new GraphBuilder();
      e.build(b);
      assert.throws(
        () => analyzeModel(b.model()),
        (err: unknown) => {
          assert.ok(err instanceof GraphError);
          assert.equal(err.name, 'GraphError');
          assert.equal(err.code, e.code);
          assert.deepEqual(err.nodes.map((n) => n.index).sort(), e.nodes);
          return true;
        },
      );
    });
  }
});

describe('subgraphs and functions', () => {
  it('Loop with a constant trip count: scan outputs stacked, body cost × trips, nodes counted', () => {
    const body = new GraphBuilder('body')
      .input('i', I64, [])
      .input('c', BOOL, [])
      .input('acc', F32, [1, 4])
      .node('Identity', ['c'], ['c_out'])
      .node('MatMul', ['acc', 'W'], ['acc_out'])
      .node('Relu', ['acc_out'], ['scan_out'])
      .output('c_out')
      .output('acc_out')
      .output('scan_out');
    const b = new GraphBuilder()
      .input('x', F32, [1, 4])
      .init('W', F32, [4, 4])
      .init('M', I64, [], [5])
      .node('Loop', ['M', '', 'x'], ['final', 'stacked'], { body: body.graph() });
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('final')?.shape, [1, 4]);
    assert.deepEqual(a.tensors.get('stacked')?.shape, [5, 1, 4]);
    assert.equal(a.nodeFacts[0].macs, 5 * 16);
    assert.equal(a.nodeFacts[0].subgraphNodes, 3);
    assert.equal(a.totals.subgraphNodes, 3);
    assert.equal(a.totals.macs, 80);
  });

  it('Loop with a condition input: trip count unknown, MACs unknown with a reason', () => {
    const body = new GraphBuilder('body')
      .input('i', I64, [])
      .input('c', BOOL, [])
      .input('acc', F32, [1, 4])
      .node('Identity', ['c'], ['c_out'])
      .node('MatMul', ['acc', 'W'], ['acc_out'])
      .output('c_out')
      .output('acc_out')
      .output('acc_out');
    const b = new GraphBuilder()
      .input('x', F32, [1, 4])
      .input('cond', BOOL, [])
      .init('W', F32, [4, 4])
      .init('M', I64, [], [5])
      .node('Loop', ['M', 'cond', 'x'], ['final', 'stacked'], { body: body.graph() });
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('stacked')?.shape, [null, 1, 4]);
    assert.equal(a.nodeFacts[0].macs, null);
    assert.match(a.nodeFacts[0].unknownReason ?? '', /iteration count/);
    assert.equal(a.totals.macs, null);
    assert.ok(a.totals.unknownReasons?.macs);
  });

  it('Scan: scan outputs get the sequence axis, cost × sequence length', () => {
    const body = new GraphBuilder('body')
      .input('h', F32, [8])
      .input('xt', F32, [8])
      .node('Add', ['h', 'xt'], ['h2'])
      .node('Relu', ['h2'], ['yt'])
      .output('h2')
      .output('yt');
    const b = new GraphBuilder()
      .input('h0', F32, [8])
      .input('xs', F32, [10, 8])
      .node('Scan', ['h0', 'xs'], ['hN', 'ys'], { body: body.graph(), num_scan_inputs: 1 });
    const a = analyzeModel(b.model({ opset: 16 }));
    assert.deepEqual(a.tensors.get('hN')?.shape, [8]);
    assert.deepEqual(a.tensors.get('ys')?.shape, [10, 8]);
    assert.equal(a.nodeFacts[0].otherOps, 10 * 16);
  });

  it('If with different branch shapes merges to unknown dims, cost is the costlier branch', () => {
    const thenG = new GraphBuilder('then').node('MatMul', ['x', 'W'], ['o']).output('o');
    const elseG = new GraphBuilder('else').node('Slice', ['x', 'st', 'en', 'ax'], ['o2']).output('o2');
    const b = new GraphBuilder()
      .input('x', F32, [2, 4])
      .input('cond', BOOL, [])
      .init('W', F32, [4, 4])
      .init('st', I64, [1], [0])
      .init('en', I64, [1], [1])
      .init('ax', I64, [1], [0])
      .node('If', ['cond'], ['y'], { then_branch: thenG.graph(), else_branch: elseG.graph() });
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('y')?.shape, [null, 4]);
    assert.ok(a.tensors.get('y')?.unknownReason);
    assert.equal(a.nodeFacts[0].macs, 32);
  });

  it('model-local function: inlined for shapes and costs, ref attributes bound', () => {
    const fn: OnnxFunction = {
      name: 'ScaledMatMul',
      domain: 'local',
      overload: '',
      inputs: ['A', 'B'],
      outputs: ['Y'],
      attributes: ['perm'],
      opsetImports: new Map([['', 17]]),
      nodes: new GraphBuilder()
        .node('MatMul', ['A', 'B'], ['M'])
        .node('Transpose', ['M'], ['Y'], { perm: { type: 'ref', refAttrName: 'perm' } }).nodes,
    };
    const b = new GraphBuilder()
      .input('a', F32, [3, 4])
      .init('w', F32, [4, 5])
      .node('ScaledMatMul', ['a', 'w'], ['y'], { perm: [1, 0] }, { domain: 'local' });
    const a = analyzeModel(b.model({ opsets: { local: 1 }, functions: [fn] }));
    assert.deepEqual(a.tensors.get('y')?.shape, [5, 3]);
    assert.equal(a.nodeFacts[0].macs, 60);
    assert.deepEqual(a.issues, []);
  });
});

describe('value_info is a cross-check only', () => {
  it('a contradicting value_info is reported, never copied', () => {
    const b = new GraphBuilder().input('x', F32, [1, 8]).node('Relu', ['x'], ['y']).info('y', F32, [1, 9]).output('y', F32, [1, 8]);
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('y')?.shape, [1, 8]);
    assert.equal(a.valueInfoMismatches.length, 1);
    assert.equal(a.valueInfoMismatches[0].tensor, 'y');
    assert.ok(a.issues.some((i) => i.code === 'VALUE_INFO_MISMATCH'));
  });

  it('renamed symbolic dims are not a mismatch; value_info does not fill unknown shapes', () => {
    const b = new GraphBuilder()
      .input('x', F32, ['batch', 8])
      .input('s', I64, [2])
      .node('Relu', ['x'], ['y'])
      .node('Reshape', ['x', 's'], ['z'])
      .info('y', F32, ['unk__0', 8])
      .info('z', F32, [2, 'batch'])
      .output('y');
    const a = analyzeModel(b.model());
    assert.equal(a.valueInfoMismatches.length, 0);
    assert.deepEqual(a.tensors.get('z')?.shape, [null, null]);
  });

  it('an unused --dim is reported', () => {
    const b = new GraphBuilder().input('x', F32, ['batch', 8]).node('Relu', ['x'], ['y']);
    const a = analyzeModel(b.model(), { dims: { seq: 4 } });
    assert.ok(a.issues.some((i) => i.code === 'UNUSED_DIM'));
  });
});

describe('options', () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    it(`dims value ${bad} is a RangeError`, () => {
      const b = new GraphBuilder().input('x', F32, ['batch', 8]).node('Relu', ['x'], ['y']);
      assert.throws(() => analyzeModel(b.model(), { dims: { batch: bad } }), RangeError);
    });
  }
});

describe('If with a folded condition', () => {
  it('takes the shape and cost of the branch that runs', () => {
    const thenG = new GraphBuilder('then').node('MatMul', ['x', 'W'], ['o']).output('o');
    const elseG = new GraphBuilder('else').node('Relu', ['x'], ['o2']).output('o2');
    const b = new GraphBuilder()
      .input('x', F32, [2, 4])
      .init('W', F32, [4, 3])
      .init('cond', BOOL, [], [0])
      .node('If', ['cond'], ['y'], { then_branch: thenG.graph(), else_branch: elseG.graph() });
    const a = analyzeModel(b.model());
    assert.deepEqual(a.tensors.get('y')?.shape, [2, 4]);
    assert.equal(a.nodeFacts[0].macs, 0);
    assert.equal(a.nodeFacts[0].otherOps, 8);
  });
});

describe('a recursive model-local function', () => {
  it('is not expanded forever: RECURSIVE_FUNCTION, outputs unknown', () => {
    const fn: OnnxFunction = {
      name: 'Rec',
      domain: 'local',
      overload: '',
      inputs: ['A'],
      outputs: ['Y'],
      attributes: [],
      opsetImports: new Map([['', 17], ['local', 1]]),
      nodes: new GraphBuilder().node('Rec', ['A'], ['Y'], {}, { domain: 'local' }).nodes,
    };
    const b = new GraphBuilder().input('a', F32, [3]).node('Rec', ['a'], ['y'], {}, { domain: 'local' });
    const a = analyzeModel(b.model({ opsets: { local: 1 }, functions: [fn] }));
    assert.equal(a.tensors.get('y')?.shape, null);
    assert.ok(a.issues.some((i) => i.code === 'RECURSIVE_FUNCTION'));
  });
});
