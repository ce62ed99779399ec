/**
 * Agreement with onnxruntime's `check_onnx_model_mobile_usability` (issue 3 "Done when"): with
 * `ruleMode: 'op-names'`, node count, supported-node count and partition count for NNAPI and CoreML
 * MLProgram equal the checker's committed outputs on every model that has one; with every condition
 * evaluated, EdgeGate is never looser than the checker (node by node).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { loadProfile } from '../../src/profiles/load.js';
import { compareWithChecker } from '../../src/profiles/engine-agreement.js';
import type { GraphAnalysis } from '../../src/graph/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const REF = join(ROOT, '__tests__/fixtures/reference/mobile-usability');
const SHARED = resolve(ROOT, '../shared/models');
const CI = process.env['CI'] === 'true';

interface CheckerRef {
  readonly source: string;
  readonly error?: string;
  readonly eps: Record<string, { asIs: { totalNodes: number; supportedNodes: number; partitions: number } }>;
}

const profiles = ['android-nnapi', 'apple-coreml'].map((id) => loadProfile(id).profile);
const refs = readdirSync(REF)
  .filter((f) => f.endsWith('.json') && f !== 'timings.json')
  .sort()
  .map((f) => ({ file: f, ref: JSON.parse(readFileSync(join(REF, f), 'utf8')) as CheckerRef }));

const cache = new Map<string, GraphAnalysis>();
function analysis(path: string): GraphAnalysis {
  let a = cache.get(path);
  if (!a) cache.set(path, (a = analyzeModel(readModelSync(path))));
  return a;
}

describe('agreement with onnxruntime mobile-usability checker', () => {
  it('has checker outputs for the shared models and the small fixtures', () => {
    assert.ok(refs.length >= 20, `only ${refs.length} checker outputs in ${REF}`);
  });

  for (const { file, ref } of refs) {
    if (ref.error !== undefined) continue; // the checker itself failed on this model
    const path = resolve(ROOT, ref.source);
    for (const profile of profiles) {
      const target = profile.checker!.target;
      it(`${file} on ${profile.id}: op-names counts equal the checker's; full mode never looser`, (t) => {
        if (!existsSync(path)) {
          if (path.startsWith(SHARED) && !CI) return t.skip(`${path} absent (../shared not mounted)`);
          assert.fail(`model ${path} of ${file} is missing`);
        }
        const c = ref.eps[target]?.asIs;
        assert.ok(c, `${file} has no '${target}' section`);
        const row = compareWithChecker(analysis(path), profile, c);
        assert.deepEqual(
          [row.opNames.total, row.opNames.supported, row.opNames.partitions],
          [c.totalNodes, c.supportedNodes, c.partitions],
          'op-names mode: [nodes, supported, partitions]',
        );
        assert.deepEqual(row.looser, [], 'full mode accelerates nodes the checker does not support');
        assert.ok(row.full.supported <= row.opNames.supported + row.checkerShapeGap.length);
        for (const s of row.stricter) {
          assert.notEqual(s.reason, 'OK');
          assert.ok((s.detail ?? '').length > 0, `stricter node ${s.op} '${s.name}' names no failed condition`);
        }
      });
    }
  }
});
