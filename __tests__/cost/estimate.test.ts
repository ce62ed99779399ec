import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost, rangeFrom } from '../../src/cost/estimate.js';
import { opClassOf, computeDtypeForElement } from '../../src/cost/op-class.js';
import { makeAnalysis, makePlacement, makeProfile } from './fixtures.js';

const close = (actual: number, expected: number, tol = 1e-9): void => {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
};

describe('roofline per node (table, hand-computed)', () => {
  // CPU: 1e11 MAC/s float, 4e11 int8, 1e10 B/s, 10 µs/node; efficiencies conv 0.5, depthwise 0.25, elementwise 0.1.
  const cases = [
    { name: 'compute-bound conv: 1e9 / (1e11·0.5) = 20 ms + 10 µs', node: { op: 'Conv', macs: 1e9, bytesIn: 1e6 }, ms: 20.01, bound: 'compute', cls: 'conv' },
    { name: 'memory-bound elementwise: 12e6 B / 1e10 = 1.2 ms + 10 µs', node: { op: 'Exp', otherOps: 1e6, bytesIn: 8e6, bytesOut: 4e6 }, ms: 1.21, bound: 'memory', cls: 'elementwise' },
    { name: 'overhead-bound tiny node', node: { op: 'Exp', otherOps: 10, bytesIn: 4, bytesOut: 4 }, ms: 0.01 + 1e-9 * 1e3 + 8e-10 * 1e3 * 0, bound: 'overhead', cls: 'elementwise' },
    { name: 'depthwise conv (group = out channels): 1e8 / (1e11·0.25) = 4 ms', node: { op: 'Conv', macs: 1e8, attrs: { group: 8 } }, ms: 4.01, bound: 'compute', cls: 'depthwise' },
    // onnxruntime's CPU EP runs it channels-last between two layout Transposes (graph input and output):
    // each 2 × 128 int8 bytes at 1e10 B/s = 2.56e-5 ms, plus its dispatch.
    { name: 'QLinearConv computes in int8: 1e9 / (4e11·0.5) = 5 ms, + 2 layout Transposes, 3 dispatches', node: { op: 'QLinearConv', macs: 1e9, attrs: { group: 1 } }, ms: 5 + 3 * 0.01 + 2 * 2.56e-5, bound: 'compute', cls: 'conv', u8: true },
    { name: 'view op (Reshape) moves no bytes: overhead only', node: { op: 'Reshape', otherOps: 0, bytesIn: 1e9, bytesOut: 1e9 }, ms: 0.01, bound: 'overhead', cls: 'data_movement' },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const a = makeAnalysis({
        nodes: [{ ...c.node, inputs: ['x', 'w'], outputs: ['y'] }],
        tensors: [
          { name: 'x', shape: [1, 8, 4, 4], dtype: 'u8' in c ? 2 : 1 },
          { name: 'w', shape: [8, 1, 3, 3], constant: true },
          { name: 'y', shape: [1, 8, 4, 4], dtype: 'u8' in c ? 2 : 1 },
        ],
        inputs: ['x'],
        outputs: ['y'],
      });
      const est = estimateCost(a, makePlacement(a, ['cpu-fallback']), makeProfile({ singleUnit: true }));
      const n = est.perNode[0]!;
      close(n.latencyMs, c.ms, 1e-6);
      assert.equal(n.bound, c.bound);
      assert.equal(n.opClass, c.cls);
      assert.equal(n.unit, 'cpu');
    });
  }
});

describe('runtime fusion', () => {
  it('a Relu right after a Conv is an epilogue (no kernel, no cost)', () => {
    const a = makeAnalysis({
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], macs: 1e9 },
        { op: 'Relu', inputs: ['c'], outputs: ['r'], otherOps: 1e6, bytesIn: 4e6, bytesOut: 4e6 },
      ],
      tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }],
      inputs: ['x'],
      outputs: ['r'],
    });
    const est = estimateCost(a, makePlacement(a, ['cpu-fallback', 'cpu-fallback']), makeProfile({ singleUnit: true }));
    close(est.perNode[1]!.latencyMs, 0);
    close(est.latencyMs!.estimate, 20.01, 1e-6);
  });
  it('a Relu whose input has two readers is not fused', () => {
    const a = makeAnalysis({
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], macs: 1e9 },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'Exp', inputs: ['c'], outputs: ['e'] },
      ],
      tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }],
      inputs: ['x'],
      outputs: ['r', 'e'],
    });
    const est = estimateCost(a, makePlacement(a, ['cpu-fallback', 'cpu-fallback', 'cpu-fallback']), makeProfile({ singleUnit: true }));
    close(est.perNode[1]!.latencyMs, 0.01, 1e-6);
  });
});

describe('transfers and what-if (two units)', () => {
  it('costs bytes ÷ bandwidth + fixed per crossing, including graph input and output', () => {
    // x [1,1000] f32 = 4000 B; y [1,250000] f32 = 1e6 B.
    const a = makeAnalysis({
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e9 },
        { op: 'Exp', inputs: ['y'], outputs: ['z'] },
      ],
      tensors: [
        { name: 'x', shape: [1, 1000] },
        { name: 'y', shape: [1, 250000] },
        { name: 'z', shape: [1, 250000] },
        { name: 'w', shape: [8, 8, 3, 3], constant: true },
      ],
      inputs: ['x'],
      outputs: ['z'],
    });
    const est = estimateCost(a, makePlacement(a, ['accelerated', 'cpu-fallback']), makeProfile());
    // NPU conv: 1e9 / (1e12·0.5) = 2 ms + 5 µs. CPU Exp: 10 µs. x cpu→npu: 4 µs + 50 µs; y npu→cpu: 1 ms + 50 µs.
    close(est.perNode[0]!.latencyMs, 2.005, 1e-6);
    assert.equal(est.perNode[0]!.unit, 'npu');
    assert.deepEqual(est.transfers.map((t) => [t.tensor, t.from, t.to]), [['x', 'cpu', 'npu'], ['y', 'npu', 'cpu']]);
    close(est.transferMs, 0.054 + 1.05, 1e-6);
    close(est.latencyMs!.estimate, 2.005 + 0.01 + 1.104, 1e-6);
    assert.deepEqual(est.whatIf, []);
  });

  it('reports the saving of accelerating a costly fallback node, with the rule hint', () => {
    const a = makeAnalysis({
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e6 },
        { op: 'Conv', inputs: ['y', 'w2'], outputs: ['z'], macs: 1e10 },
      ],
      tensors: [
        { name: 'x', shape: [1, 10] },
        { name: 'y', shape: [1, 10] },
        { name: 'z', shape: [1, 10] },
        { name: 'w', shape: [8, 8, 3, 3], constant: true },
        { name: 'w2', shape: [8, 8, 3, 3], constant: true },
      ],
      inputs: ['x'],
      outputs: ['z'],
    });
    const est = estimateCost(a, makePlacement(a, ['accelerated', 'cpu-fallback'], { 1: 'use a plain 3x3 conv' }), makeProfile());
    // Base: 0.002+0.005 (npu) + 200+0.01 (cpu) + 2 transfers of 40 B (0.04 µs + 50 µs each).
    const t = 0.04e-3 + 0.05;
    close(est.latencyMs!.estimate, 0.007 + 200.01 + 2 * t, 1e-6);
    assert.equal(est.whatIf.length, 1);
    const w = est.whatIf[0]!;
    // Accelerated: 1e10 / (1e12·0.5) = 20 ms + 5 µs; transfers x→npu and z→host.
    close(w.acceleratedMs, 0.007 + 20.005 + 2 * t, 1e-6);
    close(w.savingMs, 180.005, 1e-6);
    close(w.nodeSpeedup!, 200.01 / 20.005, 1e-6);
    assert.equal(w.hint, 'use a plain 3x3 conv');
  });
});

describe('range', () => {
  it('one group with σ = ln 2 and z = 2 gives ×4 either side', () => {
    const r = rangeFrom({ totalS: 1, groups: new Map([['a', { s: 1, sigma: Math.log(2) }]]), unknownDeltaS: 0 }, 0, 2);
    close(r.estimate, 1000);
    close(r.low, 250, 1e-9);
    close(r.high, 4000, 1e-9);
  });
  it('two independent equal groups shrink σ by √2', () => {
    const r = rangeFrom({ totalS: 1, groups: new Map([['a', { s: 0.5, sigma: Math.log(2) }], ['b', { s: 0.5, sigma: Math.log(2) }]]), unknownDeltaS: 0 }, 0, 2);
    close(r.high, 1000 * 2 ** Math.SQRT2, 1e-9);
  });
  it('calibrated uncertainty narrows the range', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e9 }], tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }], inputs: ['x'], outputs: ['y'] });
    const p = makeProfile({ singleUnit: true, estimate: true });
    const wide = estimateCost(a, makePlacement(a, ['cpu-fallback']), p).latencyMs!;
    const cal = { ...p, calibration: { date: '2026-11-26', tool: 't', runtime: { name: 'r', version: '1' }, method: 'm', models: [{ file: 'f', measuredMs: 1 }], uncertainty: { cpu: { conv: { float: 0.05 } } }, overheadSigma: { cpu: 0.05 }, residualSigma: 0.02 } };
    const narrow = estimateCost(a, makePlacement(a, ['cpu-fallback']), cal).latencyMs!;
    assert.ok(narrow.high - narrow.low < (wide.high - wide.low) / 5, `${JSON.stringify(narrow)} vs ${JSON.stringify(wide)}`);
    assert.ok(narrow.low <= narrow.estimate && narrow.estimate <= narrow.high);
  });
  it('unknown shapes give a null latency with a reason', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }], tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }], inputs: ['x'], outputs: ['y'] });
    (a.nodeFacts[0] as { macs: number | null }).macs = null;
    (a.nodeFacts[0] as { otherOps: number | null }).otherOps = null;
    const est = estimateCost(a, makePlacement(a, ['cpu-fallback']), makeProfile({ singleUnit: true }));
    assert.equal(est.latencyMs, null);
    assert.match(est.unknownReason ?? '', /unknown shapes/);
  });
});

describe('memory and flash (hand-computed plans)', () => {
  // x 100 B → a 200 B → b 100 B → c 40 B (graph output).
  const chain = () =>
    makeAnalysis({
      nodes: [
        { op: 'Exp', inputs: ['x'], outputs: ['a'], weightBytes: 4000 },
        { op: 'Exp', inputs: ['a'], outputs: ['b'] },
        { op: 'Exp', inputs: ['b'], outputs: ['c'] },
      ],
      tensors: [
        { name: 'x', shape: [25] },
        { name: 'a', shape: [50] },
        { name: 'b', shape: [25] },
        { name: 'c', shape: [10] },
      ],
      inputs: ['x'],
      outputs: ['c'],
    });
  const cases = [
    // Greedy, 16-byte alignment: a(208)@0, x(112)@208, b(112)@208, c(48)@0 → 320; + runtime 1000.
    { name: 'greedy (TFLM), weights in flash', p: { planner: 'greedy' as const, weightsInRam: false }, act: 320, ram: 1320, flash: 6000 },
    // ORT trace, 64-byte alignment: x(128)@0, a(256)@128 → 384; b fits x's freed gap; c after b → peak 384. Weights 4000 in RAM.
    { name: 'ORT arena, weights in RAM', p: { planner: 'ort-arena' as const, weightsInRam: true }, act: 384, ram: 384 + 4000 + 1000, flash: 6000 },
    // Full-integer target: 4000 B of float weights become 1000 B of int8.
    { name: 'converted int8 target stores weights as int8', p: { planner: 'greedy' as const, weightsInRam: false, quantRequired: true }, act: 320, ram: 1320, flash: 1000 + 2000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = chain();
      const est = estimateCost(a, makePlacement(a, ['cpu-fallback', 'cpu-fallback', 'cpu-fallback']), makeProfile({ singleUnit: true, ...c.p }));
      assert.equal(est.ram?.activationBytes, c.act);
      assert.equal(est.peakRamBytes, c.ram);
      assert.equal(est.flashBytes, c.flash);
    });
  }
});

describe('op classes and dtypes', () => {
  const table = [
    ['Conv', { group: 1 }, [16, 8, 3, 3], 'conv'],
    ['Conv', { group: 16 }, [16, 1, 3, 3], 'depthwise'],
    ['Conv', { group: 2 }, [16, 4, 3, 3], 'conv'],
    ['MatMul', {}, null, 'matmul'],
    ['LSTM', {}, null, 'rnn'],
    ['GlobalAveragePool', {}, null, 'pool'],
    ['Softmax', {}, null, 'softmax'],
    ['Transpose', {}, null, 'data_movement'],
    ['SomethingNew', {}, null, 'other'],
  ] as const;
  for (const [op, attrs, w, cls] of table) {
    it(`${op} ${JSON.stringify(attrs)} → ${cls}`, () => {
      const node = { opType: op, attributes: new Map(Object.entries(attrs).map(([k, v]) => [k, { type: 'int' as const, value: v }])) };
      assert.equal(opClassOf(node, w), cls);
    });
  }
  it('element types map to compute dtypes', () => {
    assert.deepEqual([1, 2, 3, 5, 10, 16, 7].map(computeDtypeForElement), ['float', 'int8', 'int8', 'int16', 'float16', 'bfloat16', 'float']);
  });
});

describe('QDQ units as the runtime runs them', () => {
  // xq (uint8) → DQ → op → Q → yq: one unit.
  const unit = (op: string) =>
    makeAnalysis({
      nodes: [
        { op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['x'], otherOps: 1000, bytesIn: 1000, bytesOut: 4000 },
        { op, inputs: ['x'], outputs: ['y'], otherOps: 1000, bytesIn: 4000, bytesOut: 4000 },
        { op: 'QuantizeLinear', inputs: ['y', 's', 'z'], outputs: ['yq'], otherOps: 1000, bytesIn: 4000, bytesOut: 1000 },
      ],
      tensors: [
        { name: 'xq', shape: [1000], dtype: 2 },
        { name: 'x', shape: [1000] },
        { name: 'y', shape: [1000] },
        { name: 'yq', shape: [1000], dtype: 2 },
        { name: 's', shape: [], constant: true },
        { name: 'z', shape: [], constant: true, dtype: 2 },
      ],
      inputs: ['xq'],
      outputs: ['yq'],
    });
  const kernels = (op: string, ep: string): number => {
    const a = unit(op);
    const p = makeProfile({ singleUnit: true });
    (p.runtime as { executionProvider?: string }).executionProvider = ep;
    return estimateCost(a, makePlacement(a, ['cpu-fallback', 'cpu-fallback', 'cpu-fallback']), p).perNode.filter((n) => n.latencyMs > 0).length;
  };
  const cases: [string, string, number][] = [
    ['Sigmoid', 'CPU', 1], // QLinearSigmoid: one integer kernel
    ['HardSigmoid', 'CPU', 3], // no QLinear kernel on the CPU EP: DQ, float op, Q
    ['HardSigmoid', 'QNN', 1], // an accelerator EP takes the unit whole
  ];
  for (const [op, ep, n] of cases) it(`${op} on ${ep}: ${n} kernel(s)`, () => assert.equal(kernels(op, ep), n));

  // xq → DQ → x, read by two units: a Mul (x · x2, fused on the CPU EP) and `other`. onnxruntime gives each
  // reader its own DQ copy; the copy of a reader that is not a fused unit runs as a DequantizeLinear kernel.
  const shared = (other: string) =>
    makeAnalysis({
      nodes: [
        { op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['x'], otherOps: 1000, bytesIn: 1000, bytesOut: 4000 },
        { op: 'DequantizeLinear', inputs: ['x2q', 's', 'z'], outputs: ['x2'], otherOps: 1000, bytesIn: 1000, bytesOut: 4000 },
        { op: 'Mul', inputs: ['x', 'x2'], outputs: ['m'], otherOps: 1000, bytesIn: 8000, bytesOut: 4000 },
        { op: 'QuantizeLinear', inputs: ['m', 's', 'z'], outputs: ['mq'], otherOps: 1000, bytesIn: 4000, bytesOut: 1000 },
        { op: other, inputs: ['x'], outputs: ['h'], otherOps: 1000, bytesIn: 4000, bytesOut: 4000 },
        { op: 'QuantizeLinear', inputs: ['h', 's', 'z'], outputs: ['hq'], otherOps: 1000, bytesIn: 4000, bytesOut: 1000 },
      ],
      tensors: [
        ...['xq', 'x2q', 'mq', 'hq'].map((name) => ({ name, shape: [1000], dtype: 2 })),
        ...['x', 'x2', 'm', 'h'].map((name) => ({ name, shape: [1000] })),
        { name: 's', shape: [], constant: true },
        { name: 'z', shape: [], constant: true, dtype: 2 },
      ],
      inputs: ['xq', 'x2q'],
      outputs: ['mq', 'hq'],
    });
  const sharedRows: [string, string, boolean][] = [
    ['HardSigmoid', 'an unfused float reader: the DQ runs as its own kernel', true],
    ['Sigmoid', 'two fused readers: both copies are inside QLinear kernels', false],
  ];
  for (const [other, why, runs] of sharedRows) {
    it(`a DQ shared by a fused Mul and a ${other} (${why})`, () => {
      const a = shared(other);
      const p = makeProfile({ singleUnit: true });
      (p.runtime as { executionProvider?: string }).executionProvider = 'CPU';
      const est = estimateCost(a, makePlacement(a, a.model.graph.nodes.map(() => 'cpu-fallback')), p);
      const dq = est.perNode.find((n) => n.index === 0)!;
      assert.equal(dq.latencyMs > 0, runs, JSON.stringify(dq));
      // The other DQ (read by the Mul alone) is inside the QLinearMul either way.
      assert.equal(est.perNode.find((n) => n.index === 1)!.latencyMs, 0);
    });
  }
});

describe('ORT load peak', () => {
  it('the parsed model file held during session creation counts when it exceeds the activations', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Exp', inputs: ['x'], outputs: ['y'], weightBytes: 4000 }], tensors: [{ name: 'x', shape: [25] }, { name: 'y', shape: [25] }], inputs: ['x'], outputs: ['y'] });
    (a.model as { fileSize: number }).fileSize = 5000;
    const est = estimateCost(a, makePlacement(a, ['cpu-fallback']), makeProfile({ singleUnit: true, planner: 'ort-arena', weightsInRam: true }));
    // Activations 128 + 128 = 256 < file 5000: peak = 5000 + weights 4000 + runtime 1000.
    assert.equal(est.ram?.loadTransientBytes, 5000);
    assert.equal(est.peakRamBytes, 10000);
  });
});

describe('a source node shared by several placed nodes is costed once', () => {
  // One Conv (1e9 MACs: 20 ms on the fixture CPU) that a runtime rewrite turned into several placed nodes, all
  // standing for it (MatMulAddFusion on 3-D inputs: Reshape → Gemm → Reshape). Its work lands on one owner
  // (the first that is not a view op); every other placed node pays only its dispatch (10 µs).
  const cases: { name: string; ops: string[]; owner: number }[] = [
    { name: 'Reshape → Gemm → Reshape: the Gemm owns it', ops: ['Reshape', 'Gemm', 'Reshape'], owner: 1 },
    { name: 'split into two kernels (HardSwish → HardSigmoid + Mul): the first owns it', ops: ['HardSigmoid', 'Mul'], owner: 0 },
    { name: 'only view ops: the first owns it', ops: ['Reshape', 'Reshape'], owner: 0 },
    { name: 'one placed node: unchanged', ops: ['Conv'], owner: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = makeAnalysis({
        nodes: [{ op: 'Conv', macs: 1e9, bytesIn: 1e6, inputs: ['x', 'w'], outputs: ['y'] }],
        tensors: [{ name: 'x', shape: [1, 8, 4, 4] }, { name: 'w', shape: [8, 8, 3, 3], constant: true }, { name: 'y', shape: [1, 8, 4, 4] }],
        inputs: ['x'],
        outputs: ['y'],
      });
      const one = makePlacement(a, ['cpu-fallback']);
      const placed = { ...one, nodes: c.ops.map((op, i) => ({ ...one.nodes[0]!, index: i, name: `p${i}`, op })), nodesTotal: c.ops.length };
      const est = estimateCost(a, placed, makeProfile({ singleUnit: true }));
      close(est.latencyMs!.estimate, 20.01 + 0.01 * (c.ops.length - 1), 1e-6);
      est.perNode.forEach((n, i) => close(n.latencyMs, i === c.owner ? 20.01 : 0.01, 1e-6));
    });
  }
});
