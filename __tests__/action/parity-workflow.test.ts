// docs/workflows/parity.yml: the check → parity → report shape issue 6 asks for, with the guards that
// keep an empty matrix, a missing runner and a failed parity job from hiding the result.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/e2e-harness.js';

type Step = { uses?: string; with?: Record<string, string> };
type Job = { needs?: string | string[]; if?: string; 'runs-on': unknown; 'timeout-minutes'?: number; strategy?: { matrix?: unknown }; outputs?: Record<string, string>; steps: Step[] };
const wf = parse(readFileSync(join(REPO_ROOT, 'docs', 'workflows', 'parity.yml'), 'utf8')) as { jobs: Record<string, Job> };
const modeOf = (j: Job): string | undefined => j.steps.find((s) => s.uses?.startsWith('edgegate/edgegate'))?.with?.mode;

describe('docs/workflows/parity.yml', () => {
  it('has check, parity and report jobs in the three modes', () => {
    assert.deepEqual(Object.keys(wf.jobs), ['check', 'parity', 'report']);
    assert.deepEqual(Object.values(wf.jobs).map(modeOf), ['check', 'parity', 'report']);
  });
  it('the check job exports the matrix and the guard', () => {
    const o = wf.jobs.check!.outputs!;
    assert.match(o['parity-matrix']!, /steps\.edgegate\.outputs\.parity-matrix/);
    assert.match(o['parity-needed']!, /steps\.edgegate\.outputs\.parity-needed/);
  });
  it('the parity job is guarded, bounded in time, and runs on the matrix labels', () => {
    const p = wf.jobs.parity!;
    assert.match(p.if ?? '', /needs\.check\.outputs\.parity-needed == 'true'/);
    // Without a status function `if` implies success(): a failed check gate would skip parity.
    assert.match(p.if ?? '', /!cancelled\(\)/);
    assert.ok((p['timeout-minutes'] ?? 0) > 0 && (p['timeout-minutes'] ?? 0) <= 120);
    assert.equal(p.strategy?.matrix, '${{ fromJSON(needs.check.outputs.parity-matrix) }}');
    assert.equal(p['runs-on'], '${{ matrix.runs-on }}');
    const w = p.steps.find((s) => s.uses?.startsWith('edgegate/edgegate'))!.with!;
    assert.equal(w.model, '${{ matrix.model }}');
    assert.equal(w.device, '${{ matrix.device }}');
  });
  it('the report job always runs after both', () => {
    const r = wf.jobs.report!;
    assert.deepEqual(r.needs, ['check', 'parity']);
    assert.match(r.if ?? '', /^always\(\)/);
  });
});
