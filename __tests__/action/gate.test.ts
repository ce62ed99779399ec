import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareReports, metricDelta } from '../../src/gate/compare.js';
import { decide, failureMessage } from '../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS, type GateOptions, type ModelChange } from '../../src/gate/types.js';
import { device, model, node, report } from './report-factory.js';

const changes: ModelChange[] = [{ path: 'm/a.onnx', kind: 'modified' }];

function gate(head: ReturnType<typeof report>, base: ReturnType<typeof report> | undefined, o: Partial<GateOptions> = {}, ch = changes) {
  const cmp = compareReports(head, base, ch, 'abc');
  return { cmp, d: decide(head, cmp, { ...DEFAULT_GATE_OPTIONS, ...o }) };
}

describe('metricDelta', () => {
  const cases: [number | null, number | null, number | 'Infinity' | null][] = [
    [10, 11, 0.1],
    [10, 9, -0.1],
    [0, 0, 0],
    [0, 5, 'Infinity'],
    [null, 5, null],
    [5, null, null],
  ];
  for (const [b, h, r] of cases) {
    it(`${b} → ${h} gives ratio ${r}`, () => {
      const d = metricDelta(b, h);
      if (r === null) assert.equal(d.ratio, null);
      else if (r === 'Infinity') assert.equal(d.ratio, 'Infinity');
      else assert.ok(Math.abs((d.ratio as number) - r) < 1e-12);
    });
  }
});

describe('gate: regression rules (table)', () => {
  const cases: { name: string; base: Parameters<typeof device>[1]; head: Parameters<typeof device>[1]; codes: string[] }[] = [
    { name: 'unchanged passes', base: {}, head: {}, codes: [] },
    { name: 'latency +9% passes at 10%', base: { latency: 10 }, head: { latency: 10.9 }, codes: [] },
    { name: 'latency +11% fails', base: { latency: 10 }, head: { latency: 11.1 }, codes: ['LATENCY_REGRESSION'] },
    { name: 'latency improvement passes', base: { latency: 10 }, head: { latency: 5 }, codes: [] },
    { name: 'ram +6% fails at 5%', base: { ram: 1000 }, head: { ram: 1060 }, codes: ['RAM_REGRESSION'] },
    { name: 'flash +4% passes at 5%', base: { flash: 1000 }, head: { flash: 1040 }, codes: [] },
    { name: 'flash +6% fails', base: { flash: 1000 }, head: { flash: 1060 }, codes: ['FLASH_REGRESSION'] },
    {
      name: 'a newly unsupported node fails at max 0',
      base: { nodes: [node(0, 'Conv', 'accelerated')] },
      head: { nodes: [node(0, 'Conv', 'accelerated'), node(1, 'Erf', 'cpu-fallback')] },
      codes: ['NEW_UNSUPPORTED'],
    },
    {
      name: 'an already unsupported node is not new',
      base: { nodes: [node(1, 'Erf', 'cpu-fallback')] },
      head: { nodes: [node(1, 'Erf', 'cpu-fallback')] },
      codes: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { d } = gate(report([model('m/a.onnx', [device('rpi4', c.head)])]), report([model('m/a.onnx', [device('rpi4', c.base)])]));
      assert.deepEqual(d.blocking.map((f) => f.code), c.codes);
      assert.equal(d.verdict, c.codes.length > 0 ? 'fail' : 'pass');
      assert.equal(d.failed, c.codes.length > 0);
    });
  }
});

describe('gate decision', () => {
  const regressed = () => gate(report([model('m/a.onnx', [device('rpi4', { latency: 20 })])]), report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]));

  it('lists each blocking reason in the failure message', () => {
    const { d } = regressed();
    const msg = failureMessage(d);
    assert.match(msg, /blocked the merge \(1 reason\)/);
    assert.match(msg, /m\/a\.onnx on rpi4: estimated latency 10\.0 ms → 20\.0 ms \(\+100%, limit \+10%\)/);
  });

  it('a new model has no baseline and cannot regress', () => {
    const head = report([model('m/a.onnx', [device('rpi4', { latency: 100 })])]);
    const { cmp, d } = gate(head, undefined, {}, [{ path: 'm/a.onnx', kind: 'added' }]);
    assert.equal(cmp.models[0]!.devices[0]!.status, 'new');
    assert.equal(d.verdict, 'pass');
  });

  it('a renamed model compares against its old path', () => {
    const head = report([model('m/b.onnx', [device('rpi4', { latency: 20 })])]);
    const base = report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]);
    const { cmp, d } = gate(head, base, {}, [{ path: 'm/b.onnx', kind: 'renamed', oldPath: 'm/a.onnx' }]);
    assert.equal(cmp.models[0]!.devices[0]!.status, 'compared');
    assert.equal(d.blocking[0]!.code, 'LATENCY_REGRESSION');
  });

  it('the accept label moves regressions to accepted with the reason', () => {
    const head = report([model('m/a.onnx', [device('rpi4', { latency: 20 })])]);
    const base = report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]);
    const { d } = gate(head, base, { acceptLabel: { label: 'edgegate:accept-regression', pr: 7 } });
    assert.equal(d.verdict, 'pass');
    assert.equal(d.accepted.length, 1);
    assert.equal(d.accepted[0]!.accepted!.by, 'label');
    assert.match(d.accepted[0]!.accepted!.reason, /edgegate:accept-regression on PR #7/);
  });

  it('a waiver accepts a matching regression; an expired one does not and is remarked', () => {
    const head = report([model('m/a.onnx', [device('rpi4', { latency: 20 })])]);
    const base = report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]);
    const ok = gate(head, base, { today: '2026-11-26', waivers: [{ model: 'm/*.onnx', metric: 'latency', reason: 'bigger backbone, approved', expires: '2027-01-01' }] }).d;
    assert.equal(ok.verdict, 'pass');
    assert.equal(ok.accepted[0]!.accepted!.reason, 'bigger backbone, approved');
    const other = gate(head, base, { today: '2026-11-26', waivers: [{ model: 'm/*.onnx', metric: 'ram', reason: 'x' }] }).d;
    assert.equal(other.verdict, 'fail');
    const expired = gate(head, base, { today: '2026-11-26', waivers: [{ metric: 'latency', reason: 'old', expires: '2026-01-01' }] }).d;
    assert.equal(expired.verdict, 'fail');
    assert.match(expired.remarks[0]!, /expired on 2026-01-01/);
  });

  it('fail-on without regression reports regressions as notices only', () => {
    const head = report([model('m/a.onnx', [device('rpi4', { latency: 20 })])]);
    const base = report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]);
    const { d } = gate(head, base, { failOn: new Set(['error']) });
    assert.equal(d.verdict, 'pass');
    assert.equal(d.notices.length, 1);
  });

  it('unsupported and budget conditions block only when in fail-on', () => {
    const dev = device('coral', { nodes: [node(0, 'Erf', 'unsupported')], budgets: [{ name: 'ram', limit: 10, value: 20, unit: 'bytes', verdict: 'fail' }] });
    const head = report([model('m/a.onnx', [dev])]);
    assert.equal(decide(head, undefined, DEFAULT_GATE_OPTIONS).verdict, 'pass');
    const d = decide(head, undefined, { ...DEFAULT_GATE_OPTIONS, failOn: new Set(['unsupported', 'budget']) });
    assert.deepEqual(d.blocking.map((f) => f.code).sort(), ['BUDGET', 'UNSUPPORTED']);
  });

  it('broken models give verdict error, kept apart from gate failures', () => {
    const head = report([
      model('m/broken.onnx', [], [{ code: 'TRUNCATED', message: 'file ends inside field 7' }]),
      model('m/a.onnx', [device('rpi4', { latency: 20 })]),
    ]);
    const base = report([model('m/a.onnx', [device('rpi4', { latency: 10 })])]);
    const { d } = gate(head, base, {}, [{ path: 'm/a.onnx', kind: 'modified' }, { path: 'm/broken.onnx', kind: 'modified' }]);
    assert.equal(d.verdict, 'error');
    assert.equal(d.failed, true);
    assert.equal(d.errors.length, 1);
    assert.equal(d.blocking.length, 1);
    const msg = failureMessage(d);
    assert.match(msg, /blocked the merge \(1 reason\)/);
    assert.match(msg, /could not check everything \(1 error; verdict: error, not a gate failure\)/);
    assert.match(msg, /TRUNCATED.*m\/broken\.onnx/);
  });

  it('fail-on never fails on nothing, not even errors', () => {
    const head = report([model('m/broken.onnx', [], [{ code: 'TRUNCATED', message: 'x' }])]);
    const d = decide(head, undefined, { ...DEFAULT_GATE_OPTIONS, failOn: new Set() });
    assert.equal(d.verdict, 'error');
    assert.equal(d.failed, false);
  });

  it('no checked model gives not-run, never pass', () => {
    assert.equal(decide(report([]), undefined, DEFAULT_GATE_OPTIONS).verdict, 'not-run');
  });

  it('a broken base model gives no baseline rather than a false delta', () => {
    const head = report([model('m/a.onnx', [device('rpi4', { latency: 20 })])]);
    const base = report([model('m/a.onnx', [], [{ code: 'TRUNCATED', message: 'x' }])]);
    const { cmp, d } = gate(head, base);
    assert.equal(cmp.models[0]!.devices[0]!.status, 'new-device');
    assert.equal(d.verdict, 'pass');
  });
});
