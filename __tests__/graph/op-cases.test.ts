/**
 * Per-op conformance with onnxruntime: each case is a tiny graph that was run once in ORT
 * (`fixtures/make_op_cases.py` → `fixtures/op-cases.json`); we rebuild it and compare every output's
 * dtype and shape with what ORT produced.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '../../src/onnx/types.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { GraphBuilder } from './builder.js';

interface Spec {
  name: string;
  op: string;
  domain: string;
  opset: number;
  inputs: ({ name: string; dtype: number; shape?: number[]; dims?: number[]; init?: boolean; values?: number[] | null } | null)[];
  outputs: string[];
  attrs: Record<string, AttributeValue>;
  ort: Record<string, { dtype: number; shape: number[] }>;
}

const { cases } = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'op-cases.json'), 'utf8')) as { cases: Spec[] };

describe('single-op shapes match onnxruntime', () => {
  it('has cases', () => assert.ok(cases.length > 100));
  for (const c of cases) {
    it(`${c.domain ? `${c.domain}::` : ''}${c.op}: ${c.name}`, () => {
      const b = new GraphBuilder();
      for (const i of c.inputs) {
        if (i === null) continue;
        if (i.init) b.init(i.name, i.dtype, i.dims!, i.values ?? undefined);
        else b.input(i.name, i.dtype, i.shape!);
      }
      b.node(c.op, c.inputs.map((i) => (i === null ? '' : i.name)), c.outputs, c.attrs, { domain: c.domain });
      const a = analyzeModel(b.model({ opset: c.opset, opsets: c.domain ? { [c.domain]: 1 } : {} }));
      assert.deepEqual(a.issues, []);
      for (const [name, exp] of Object.entries(c.ort)) {
        const t = a.tensors.get(name);
        assert.ok(t, `${name} missing`);
        assert.deepEqual(t.shape, exp.shape, `shape of ${name}`);
        assert.equal(t.dtype, exp.dtype, `dtype of ${name}`);
      }
    });
  }
});
