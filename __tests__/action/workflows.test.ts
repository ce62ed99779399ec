// The example workflows in docs/workflows are valid YAML, use only inputs/outputs that action.yml
// declares, and the config they show validates against the config schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { REPO_ROOT } from './support/e2e-harness.js';

const dir = join(REPO_ROOT, 'docs', 'workflows');
const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
type Step = { uses?: string; with?: Record<string, unknown>; id?: string };
type Workflow = { on: unknown; permissions?: Record<string, string>; jobs: Record<string, { steps: Step[] }> };

describe('docs/workflows', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  it('has the basic, monorepo and two-stage fork-safe examples', () => {
    assert.deepEqual(files.sort(), ['fork-safe-check.yml', 'fork-safe-comment.yml', 'monorepo-budgets.yml', 'parity.yml', 'pr-check.yml']);
  });
  for (const f of files) {
    it(`${f}: only declared inputs and outputs, explicit permissions`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const wf = parse(text) as Workflow;
      assert.ok(wf.permissions, 'a permissions: block');
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps) {
          if (!step.uses?.startsWith('edgegate/edgegate')) continue;
          for (const k of Object.keys(step.with ?? {})) assert.ok(k in action.inputs, `unknown input ${k}`);
        }
      }
      for (const m of text.matchAll(/steps\.edgegate\.outputs\.([\w-]+)/g)) assert.ok(m[1]! in action.outputs, `unknown output ${m[1]}`);
    });
  }
  it('the fork-safe comment stage never checks out code and verifies the head sha', () => {
    const text = readFileSync(join(dir, 'fork-safe-comment.yml'), 'utf8');
    assert.ok(!text.includes('actions/checkout'));
    assert.match(text, /artifactSha !== headSha/);
    assert.match(text, /workflow_run:/);
  });
  it('the config shown in the monorepo example validates', () => {
    const text = readFileSync(join(dir, 'monorepo-budgets.yml'), 'utf8');
    const block = text.split('\n').filter((l) => l.startsWith('#   ')).map((l) => l.slice(4)).join('\n');
    const r = parseConfigText(block, 'monorepo-budgets.yml#config');
    assert.deepEqual(r.errors, []);
    assert.equal(r.config.budgets?.length, 1);
    assert.equal(r.config.waivers?.length, 1);
  });
});
