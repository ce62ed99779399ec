/**
 * The TypeScript reproduction of onnxruntime's basic-level (level 1) graph optimizations against the
 * reference written by onnxruntime 1.30 (`__tests__/fixtures/reference/ort-basic/<model>.json`): node count
 * and op histogram must be equal for every fixture whose model is present.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { ortBasicGraph } from '../../src/profiles/ort-basic.js';

const ROOT = resolve(import.meta.dirname, '../..');
const REF = join(ROOT, '__tests__/fixtures/reference/ort-basic');
const SHARED = resolve(ROOT, '../shared/models');
const CI = process.env['CI'] === 'true';

interface OrtBasicRef {
  readonly source: string;
  readonly error?: string;
  readonly nodeCountAfter: number;
  readonly opHistogramAfter: Record<string, number>;
}

const refs = readdirSync(REF)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ref: JSON.parse(readFileSync(join(REF, f), 'utf8')) as OrtBasicRef }));

describe('ORT basic-level rewrites reproduced in TypeScript', () => {
  it('has reference fixtures to compare with', () => {
    assert.ok(refs.length >= 20, `only ${refs.length} fixtures in ${REF}`);
  });

  for (const { file, ref } of refs) {
    if (ref.error !== undefined) continue; // onnxruntime itself could not load the model
    const path = resolve(ROOT, ref.source);
    const shared = path.startsWith(SHARED);
    it(`${file}: node count and op histogram equal onnxruntime's`, (t) => {
      if (!existsSync(path)) {
        if (shared && !CI) return t.skip(`${path} absent (../shared not mounted)`);
        assert.fail(`model ${path} of fixture ${file} is missing`);
      }
      const g = ortBasicGraph(analyzeModel(readModelSync(path)));
      const hist: Record<string, number> = {};
      for (const n of g.nodes) {
        const key = n.domain === '' ? n.opType : `${n.domain}:${n.opType}`;
        hist[key] = (hist[key] ?? 0) + 1;
      }
      assert.equal(g.nodes.length, ref.nodeCountAfter, `rewrites applied: ${JSON.stringify(g.rewrites)}`);
      assert.deepEqual(hist, ref.opHistogramAfter);
      // every placed node maps back to at least one source node, except the ones ORT adds from nothing
      for (const n of g.nodes) assert.ok(n.sourceNodes.length > 0, `${n.opType} '${n.name}' has no source node`);
    });
  }

  it('keeps a function op whole when the execution provider claims it', () => {
    const path = join(SHARED, 'mobilenet_v3_large_dynamo.onnx');
    if (!existsSync(path)) {
      assert.ok(!CI, 'CI=true needs ../shared/models');
      return;
    }
    const a = analyzeModel(readModelSync(path));
    const expanded = ortBasicGraph(a);
    const kept = ortBasicGraph(a, { keepFunctionOp: (n) => n.opType === 'HardSwish' });
    assert.equal(expanded.nodes.filter((n) => n.opType === 'HardSwish').length, 0);
    assert.equal(kept.nodes.filter((n) => n.opType === 'HardSwish').length, 21);
    assert.equal(expanded.nodes.length - kept.nodes.length, 21);
  });
});
