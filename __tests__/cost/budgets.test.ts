import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBudgets, type BudgetValues } from '../../src/cost/budgets.js';
import { parseConfigText } from '../../src/config/load.js';
import { resolveBudgets } from '../../src/config/match.js';
import { exitCodeFor } from '../../src/cli/main.js';
import type { Report, BudgetReport } from '../../src/report/types.js';

const CONFIG = `
budgets:
  - device: rpi-4
    latencyMs: 25
    ramBytes: 1KiB
    acceleratedFraction: 0.8
waivers:
  - model: "models/slow.onnx"
    code: BUDGET_LATENCY
    reason: accepted until the rewrite lands
    expires: 2026-12-31
  - model: "models/old.onnx"
    code: BUDGET_LATENCY
    reason: old waiver
    expires: 2026-01-01
`;

function reportWith(budgets: BudgetReport[], errors: Report['errors'] = []): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'edgegate', version: 't' },
    errors,
    models: [
      {
        path: 'm.onnx', sha256: null, fileSize: null, nodes: null, params: null, macs: null, otherOps: null, weightBytes: null,
        peakActivationBytes: null, activationLowerBoundBytes: null, errors: [],
        devices: [{ device: 'rpi-4', verdict: 'pass', partitions: 0, nodesTotal: 0, nodesAccelerated: 0, macsAcceleratedFraction: null, quantization: {}, nodes: [], budgets }],
      },
    ],
  };
}

describe('budget verdicts from .edgegate.yml (table)', () => {
  const { config, errors } = parseConfigText(CONFIG, '.edgegate.yml');
  assert.deepEqual(errors, []);
  const base: BudgetValues = { latencyMs: 20, ramBytes: 512, flashBytes: 1000, acceleratedFraction: 0.9 };
  const cases: { name: string; model: string; values: Partial<BudgetValues>; today?: string; expect: Record<string, string>; exit: number }[] = [
    { name: 'all within budget', model: 'models/a.onnx', values: {}, expect: { latency: 'pass', ram: 'pass', flash: 'pass', acceleratedFraction: 'pass' }, exit: 0 },
    { name: 'latency over budget fails', model: 'models/a.onnx', values: { latencyMs: 30 }, expect: { latency: 'fail' }, exit: 1 },
    { name: 'RAM over the 1KiB string budget fails', model: 'models/a.onnx', values: { ramBytes: 1025 }, expect: { ram: 'fail' }, exit: 1 },
    { name: 'exactly at the limit passes', model: 'models/a.onnx', values: { ramBytes: 1024 }, expect: { ram: 'pass' }, exit: 0 },
    { name: 'accelerated fraction is a minimum', model: 'models/a.onnx', values: { acceleratedFraction: 0.5 }, expect: { acceleratedFraction: 'fail' }, exit: 1 },
    { name: 'flash over the profile default fails', model: 'models/a.onnx', values: { flashBytes: 5000 }, expect: { flash: 'fail' }, exit: 1 },
    { name: 'unknown value is unknown, not pass', model: 'models/a.onnx', values: { latencyMs: null }, expect: { latency: 'unknown' }, exit: 0 },
    { name: 'active waiver turns a failure into waived', model: 'models/slow.onnx', values: { latencyMs: 30 }, today: '2026-11-26', expect: { latency: 'waived' }, exit: 0 },
    { name: 'waiver on its expiry day still waives', model: 'models/slow.onnx', values: { latencyMs: 30 }, today: '2026-12-31', expect: { latency: 'waived' }, exit: 0 },
    { name: 'expired waiver no longer waives', model: 'models/old.onnx', values: { latencyMs: 30 }, today: '2026-11-26', expect: { latency: 'fail' }, exit: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const limits = resolveBudgets({ config, device: 'rpi-4', modelPath: c.model, profileDefaults: { ramBytes: 4096, flashBytes: 4096 } });
      const budgets = evaluateBudgets({ limits, values: { ...base, ...c.values }, model: c.model, device: 'rpi-4', config, today: c.today ?? '2026-11-26' });
      for (const [name, verdict] of Object.entries(c.expect)) assert.equal(budgets.find((b) => b.name === name)?.verdict, verdict, name);
      assert.equal(exitCodeFor(reportWith(budgets)), c.exit);
    });
  }

  it('headroom is absolute and percent of the limit', () => {
    const limits = resolveBudgets({ config, device: 'rpi-4', modelPath: 'models/a.onnx' });
    const b = evaluateBudgets({ limits, values: { ...base, latencyMs: 30 }, model: 'models/a.onnx', device: 'rpi-4', config });
    const lat = b.find((x) => x.name === 'latency')!;
    assert.equal(lat.headroom, -5);
    assert.equal(lat.headroomPercent, -20);
    assert.equal(lat.source, 'config budgets[0]');
    const acc = b.find((x) => x.name === 'acceleratedFraction')!;
    assert.ok(Math.abs(acc.headroom! - 0.1) < 1e-12);
  });

  it('an expired waiver is reported on the failing budget', () => {
    const limits = resolveBudgets({ config, device: 'rpi-4', modelPath: 'models/old.onnx' });
    const b = evaluateBudgets({ limits, values: { ...base, latencyMs: 30 }, model: 'models/old.onnx', device: 'rpi-4', config, today: '2026-11-26' });
    assert.deepEqual(b.find((x) => x.name === 'latency')?.expiredWaivers, [{ reason: 'old waiver', expires: '2026-01-01' }]);
  });

  it('a config error makes the exit code 2 even when budgets fail', () => {
    const { errors: cfgErrors } = parseConfigText('budgets:\n  - devcie: x\n', '.edgegate.yml');
    const limits = resolveBudgets({ config, device: 'rpi-4', modelPath: 'models/a.onnx' });
    const b = evaluateBudgets({ limits, values: { ...base, latencyMs: 30 }, model: 'models/a.onnx', device: 'rpi-4', config });
    assert.equal(exitCodeFor(reportWith(b, cfgErrors)), 2);
  });
});

describe('costDevice: estimate + budgets in one call', async () => {
  const { costDevice } = await import('../../src/cost/index.js');
  const { makeAnalysis, makePlacement, makeProfile } = await import('./fixtures.js');
  it('uses the profile RAM/flash as default budgets and a config latency budget', () => {
    const a = makeAnalysis({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], macs: 1e9, weightBytes: 4000 }], tensors: [{ name: 'w', shape: [8, 8, 3, 3], constant: true }], inputs: ['x'], outputs: ['y'] });
    const { config } = parseConfigText('budgets:\n  - device: test\n    latencyMs: 10\n', 'c.yml');
    const r = costDevice({ analysis: a, placement: makePlacement(a, ['cpu-fallback']), profile: makeProfile({ singleUnit: true }), modelPath: 'm.onnx', config });
    // Conv: 20.01 ms > 10 ms → fail; RAM 8 (x,y 4 B each → 16-aligned 32) … under the profile's 1e6; flash 4000 + 2000.
    assert.equal(r.budgets.find((b) => b.name === 'latency')?.verdict, 'fail');
    assert.equal(r.budgets.find((b) => b.name === 'ram')?.source, 'profile test hardware.ramBytes');
    assert.equal(r.budgets.find((b) => b.name === 'flash')?.value, 6000);
    assert.equal(r.reportFields.flashBytes, 6000);
    assert.equal(r.cost.perNode[0]?.unit, 'cpu');
  });
});
