/**
 * Table-driven rule tests: every shipped profile has `__tests__/profiles/rules/<id>.cases.ts` with valid
 * and invalid cases per rule, each with the reason code the engine must give. Tiny models are built with
 * onnx-builder, read, analyzed and placed exactly as the CLI does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildModel } from '../support/onnx-builder.js';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { listProfileIds, loadProfile } from '../../src/profiles/load.js';
import { placeModel } from '../../src/profiles/engine.js';
import type { RuleCase } from './rules/harness.js';

const RULES = resolve(import.meta.dirname, 'rules');
/** Profile-level pseudo rule ids a case may use instead of a rule id (as in profiles-meta.test.ts). */
const PROFILE_LEVEL_CASE_IDS = ['defaults', 'quantization', 'partition', 'opset', 'unlisted', 'conversion'];
const dir = mkdtempSync(join(tmpdir(), 'edgegate-rules-'));
let seq = 0;

for (const id of listProfileIds()) {
  describe(`rules of ${id}`, async () => {
    const file = join(RULES, `${id}.cases.ts`);
    it('has a cases file', () => assert.ok(existsSync(file), `missing ${file}`));
    if (!existsSync(file)) return;
    const { cases } = (await import(pathToFileURL(file).href)) as { cases: readonly RuleCase[] };
    const profile = loadProfile(id).profile;

    it('has valid and invalid cases', () => {
      // Per-rule completeness is the profiles meta-test's job (it lists the rules still lacking a case).
      assert.ok(cases.some((c) => c.valid), `${id}: no valid case`);
      assert.ok(cases.some((c) => !c.valid), `${id}: no invalid case`);
    });

    for (const c of cases) {
      it(`${c.rule}: ${c.valid ? 'valid' : 'invalid'}: ${c.name} → ${c.reason}`, c.todo ? { todo: c.todo } : {}, () => {
        const path = join(dir, `${id}-${seq++}.onnx`);
        buildModel(c.model, path);
        const analysis = analyzeModel(readModelSync(path));
        const src = analysis.nodes.findIndex((n) => n.name === (c.node ?? 'n'));
        assert.ok(src >= 0, `no node named ${c.node ?? 'n'}`);
        const placed = placeModel(analysis, profile);
        const candidates = placed.nodes.filter((n) => n.sourceNodes.includes(src));
        const node = candidates.find((n) => n.op === analysis.nodes[src]!.opType) ?? candidates[0];
        assert.ok(node, `source node ${src} was removed by the runtime's rewrites`);
        const where = `${node.op} '${node.name}': ${node.placement} ${node.reason} ${node.detail ?? ''}`;
        assert.equal(node.reason, c.reason, where);
        // Which rule decided: `decidedBy`, else the case's own rule. An accelerated node of a converted
        // profile names every builtin it became (`MINIMUM+MAXIMUM`); a valid case of a profile-level block
        // (`defaults`) is decided by the op's own rule.
        const expected = c.decidedBy ?? c.rule;
        const decided = node.ruleId ?? '(none)';
        if (!(c.valid && PROFILE_LEVEL_CASE_IDS.includes(expected))) {
          const ok = decided === expected || (c.valid && decided.split('+').includes(expected));
          assert.ok(ok, `${where}: decided by rule ${decided}, not ${expected}`);
        }
        if (c.valid) assert.equal(node.placement, 'accelerated', where);
        else if (c.placement) assert.equal(node.placement, c.placement, where);
        else assert.notEqual(node.placement, 'accelerated', where);
        if (!c.valid) assert.ok((node.detail ?? '').length > 0, `${where}: an invalid case needs a detail text`);
      });
    }
  });
}
