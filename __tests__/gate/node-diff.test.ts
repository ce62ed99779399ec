// The node diff (src/gate/node-diff.ts): matching by name, then op order; added/removed/moved; and what
// counts as newly off the accelerator. The GRU → LSTM case runs the real check on real fixture models.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCheck } from '../../src/check.js';
import { compareReports } from '../../src/gate/compare.js';
import { decide } from '../../src/gate/decide.js';
import { diffNodes } from '../../src/gate/node-diff.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/gate/types.js';
import type { NodePlacementReport, Placement, Report } from '../../src/report/types.js';
import { ROOT } from '../report/real-reports.js';

const n = (index: number, op: string, placement: Placement, reason = placement === 'accelerated' ? 'OK' : 'OP_NOT_LISTED', name = ''): NodePlacementReport => ({ index, name, op, placement, reason });

describe('diffNodes (table)', () => {
  const cases: { name: string; base: NodePlacementReport[]; head: NodePlacementReport[]; changes: string[]; newOff: string[]; newOn: string[] }[] = [
    { name: 'identical graphs: no change', base: [n(0, 'Conv', 'accelerated'), n(1, 'Relu', 'accelerated')], head: [n(0, 'Conv', 'accelerated'), n(1, 'Relu', 'accelerated')], changes: [], newOff: [], newOn: [] },
    {
      name: 'a node inserted in the middle does not shift the ones after it (op-order match)',
      base: [n(0, 'Conv', 'accelerated'), n(1, 'Conv', 'accelerated')],
      head: [n(0, 'Conv', 'accelerated'), n(1, 'HardSwish', 'unsupported'), n(2, 'Conv', 'accelerated')],
      changes: ['added HardSwish#1'],
      newOff: ['HardSwish#1'],
      newOn: [],
    },
    {
      name: 'a node pushed off the accelerator is moved and newly off',
      base: [n(0, 'Conv', 'accelerated', 'OK', 'c0'), n(1, 'Softmax', 'accelerated', 'OK', 's')],
      head: [n(0, 'Conv', 'accelerated', 'OK', 'c0'), n(1, 'Softmax', 'cpu-fallback', 'AXIS', 's')],
      changes: ['moved Softmax#1 accelerated→cpu-fallback by name'],
      newOff: ['Softmax#1'],
      newOn: [],
    },
    {
      name: 'a removed unsupported node is never "now accelerated"',
      base: [n(0, 'Conv', 'accelerated'), n(1, 'GRU', 'unsupported')],
      head: [n(0, 'Conv', 'accelerated')],
      changes: ['removed GRU#1'],
      newOff: [],
      newOn: [],
    },
    {
      name: 'an added node off the accelerator for an op the base already had off, for the same reason, is not new',
      base: [n(0, 'Conv', 'accelerated'), n(1, 'Gelu', 'cpu-fallback')],
      head: [n(0, 'Conv', 'accelerated'), n(1, 'Gelu', 'cpu-fallback'), n(2, 'Gelu', 'cpu-fallback')],
      changes: ['added Gelu#2'],
      newOff: [],
      newOn: [],
    },
    {
      name: 'model-wide reasons: nodes added to a float model on an integer-only target are not new',
      base: [n(0, 'Conv', 'unsupported', 'QUANT_REQUIRED'), n(1, 'GRU', 'unsupported', 'QUANT_REQUIRED')],
      head: [n(0, 'Conv', 'unsupported', 'QUANT_REQUIRED'), n(1, 'LSTM', 'unsupported', 'QUANT_REQUIRED')],
      changes: ['added LSTM#1', 'removed GRU#1'],
      newOff: [],
      newOn: [],
    },
    {
      name: 'a node moving onto the accelerator is newly on',
      base: [n(0, 'Conv', 'cpu-fallback', 'DTYPE', 'a')],
      head: [n(0, 'Conv', 'accelerated', 'OK', 'a')],
      changes: ['moved Conv#0 cpu-fallback→accelerated by name'],
      newOff: [],
      newOn: ['Conv#0'],
    },
    {
      name: 'same name, another op: not the same node',
      base: [n(0, 'GRU', 'unsupported', 'OP_NOT_LISTED', 'rnn')],
      head: [n(0, 'LSTM', 'unsupported', 'OP_NOT_LISTED', 'rnn')],
      changes: ['added LSTM#0', 'removed GRU#0'],
      newOff: ['LSTM#0'],
      newOn: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = diffNodes(c.base, c.head);
      const label = (x: { op: string; index?: number }): string => `${x.op}#${x.index}`;
      assert.deepEqual(
        d.changes.map((x) => `${x.change} ${label(x.node)}${x.change === 'moved' ? ` ${x.basePlacement}→${x.node.placement} by ${x.matchedBy}` : ''}`),
        c.changes,
      );
      assert.deepEqual(d.newOff.map(label), c.newOff);
      assert.deepEqual(d.newOn.map(label), c.newOn);
    });
  }
});

describe('GRU → LSTM replacement, real check (tiny_gru.onnx at base, tiny_lstm.onnx at head)', () => {
  const devices = ['coral-edgetpu', 'android-nnapi', 'raspberry-pi-4'];
  const check = (file: string): Promise<Report> =>
    runCheck({ models: [join(ROOT, '__tests__/fixtures/models', file)], devices, configPath: join(ROOT, 'no-such.edgegate.yml'), repoRoot: join(ROOT, '__tests__/fixtures/models') });

  it('lists the GRU as removed and the LSTM as added, never the GRU as accelerated, nothing newly off on the float-only Coral', async () => {
    const base = await check('tiny_gru.onnx');
    const head = { ...(await check('tiny_lstm.onnx')) };
    head.models = head.models.map((m) => ({ ...m, path: 'tiny_gru.onnx' }));
    const cmp = compareReports(head, base, [{ path: 'tiny_gru.onnx', kind: 'modified' }], 'b'.repeat(40));
    const m = cmp.models[0]!;
    assert.equal(m.status, 'compared');
    for (const d of m.devices) {
      assert.equal(d.status, 'compared', d.device);
      assert.ok(d.nodeChanges.some((c) => c.change === 'removed' && c.node.op === 'GRU'), `${d.device}: GRU removed`);
      assert.ok(d.nodeChanges.some((c) => c.change === 'added' && c.node.op === 'LSTM'), `${d.device}: LSTM added`);
      assert.ok(!d.removedUnsupported.some((x) => x.op === 'GRU'), `${d.device}: GRU listed as now accelerated`);
    }
    const coral = m.devices.find((d) => d.device === 'coral-edgetpu')!;
    const baseCoral = base.models[0]!.devices.find((d) => d.device === 'coral-edgetpu')!;
    assert.equal(baseCoral.nodesAccelerated, 0, 'the float model was never on the Coral');
    assert.deepEqual(coral.newUnsupported, []);
    const decision = decide(head, cmp, DEFAULT_GATE_OPTIONS);
    assert.ok(!decision.blocking.some((f) => f.code === 'NEW_UNSUPPORTED' && f.device === 'coral-edgetpu'), JSON.stringify(decision.blocking));
  });
});
