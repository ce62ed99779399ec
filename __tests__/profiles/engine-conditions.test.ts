/**
 * Condition kinds of the profile format, one table row each, on a synthetic profile (a shipped profile with
 * its rules replaced): attribute predicates with ONNX defaults, list predicates, derived values, anyOf/not,
 * constant inputs, input values, shapes (fixed, rank, batch, dims, innermost non-unit, NHWC), opset ranges,
 * fused-pattern requirements, unverifiable caveats, and unknown shapes giving `unknown`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type ModelSpec } from '../support/onnx-builder.js';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { loadProfile } from '../../src/profiles/load.js';
import { placeModel } from '../../src/profiles/engine.js';
import type { DeviceProfile, OpRule } from '../../src/profiles/schema.js';
import { conv, unary, INT64 } from './rules/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-cond-'));
let seq = 0;
const base = loadProfile('android-nnapi').profile;
const SRC = { url: 'https://example.com/test', version: 'test', retrieved: '2026-11-26' };

function profileWith(rules: OpRule[], extra: Partial<DeviceProfile> = {}): DeviceProfile {
  const { defaults: _d, ...rest } = base;
  return { ...rest, rules, partition: { policy: 'multi', source: SRC }, ...extra } as DeviceProfile;
}

function place(spec: ModelSpec, profile: DeviceProfile, node = 'n') {
  const path = join(dir, `m${seq++}.onnx`);
  buildModel(spec, path);
  const pl = placeModel(analyzeModel(readModelSync(path)), profile);
  const n = pl.nodes.find((x) => x.name === node);
  assert.ok(n, `node ${node} not placed`);
  return n;
}

interface Row {
  name: string;
  rule: OpRule;
  model: ModelSpec;
  reason: string;
  placement?: string;
  node?: string;
  extra?: Partial<DeviceProfile>;
}

const rows: Row[] = [
  // attributes with ONNX defaults
  { name: 'absent attribute uses its default (pass)', rule: { op: 'Conv', when: { attributes: { group: { eq: 1, default: 1 } } }, source: SRC }, model: conv(), reason: 'OK' },
  { name: 'attribute fails its predicate', rule: { op: 'Conv', when: { attributes: { strides: { each: { max: 1 } } } }, source: SRC }, model: conv({ attrs: { strides: [2, 2] } }), reason: 'ATTRIBUTE' },
  { name: 'absent attribute without default fails a test', rule: { op: 'Conv', when: { attributes: { kernel_shape: { len: { eq: 2 } } } }, source: SRC }, model: conv(), reason: 'ATTRIBUTE' },
  { name: 'absent: true rejects a present attribute', rule: { op: 'Conv', when: { attributes: { dilations: { absent: true } } }, source: SRC }, model: conv({ attrs: { dilations: [2, 2] } }), reason: 'ATTRIBUTE' },
  // derived values
  { name: 'derived kernel_area within range', rule: { op: 'Conv', when: { derived: { kernel_area: { max: 9 } } }, source: SRC }, model: conv(), reason: 'OK' },
  { name: 'derived stride_h out of range', rule: { op: 'Conv', when: { derived: { stride_h: { max: 1 } } }, source: SRC }, model: conv({ attrs: { strides: [2, 2] } }), reason: 'ATTRIBUTE' },
  { name: 'derived input_channels is a shape value', rule: { op: 'Conv', when: { derived: { input_channels: { max: 2 } } }, source: SRC }, model: conv(), reason: 'SHAPE' },
  // anyOf / not
  { name: 'anyOf passes when one branch holds', rule: { op: 'Conv', when: { anyOf: [{ attributes: { group: { eq: 2, default: 1 } } }, { inputs: [{ index: 1, constant: true }] }] }, source: SRC }, model: conv(), reason: 'OK' },
  { name: 'anyOf fails with its own reason', rule: { op: 'Conv', when: { anyOf: [{ attributes: { group: { eq: 2, default: 1 } } }, { inputs: [{ index: 1, constant: true }] }], reason: 'NON_CONSTANT_INPUT' }, source: SRC }, model: conv({ weightInput: true }), reason: 'NON_CONSTANT_INPUT' },
  { name: 'not fails when the excluded case matches', rule: { op: 'Conv', when: { not: { attributes: { group: { eq: 1, default: 1 } } }, reason: 'ATTRIBUTE' }, source: SRC }, model: conv(), reason: 'ATTRIBUTE' },
  // inputs
  { name: 'constant input required', rule: { op: 'Conv', when: { inputs: [{ index: 1, constant: true }] }, source: SRC }, model: conv({ weightInput: true }), reason: 'NON_CONSTANT_INPUT' },
  { name: 'dtype allowed', rule: { op: 'Relu', when: { inputs: [{ index: 0, dtypes: ['float'] }] }, source: SRC }, model: unary('Relu'), reason: 'OK' },
  { name: 'dtype not allowed', rule: { op: 'Relu', when: { inputs: [{ index: 0, dtypes: ['float16'] }] }, source: SRC }, model: unary('Relu'), reason: 'DTYPE' },
  { name: 'constant input values tested', rule: { op: 'Pad', when: { inputs: [{ index: 1, constant: true, values: { min: 0 } }] }, source: SRC }, model: unary('Pad', [1, 3, 8, 8], {}, [{ name: 'pads', dims: [8], values: [0, 0, -1, 1, 0, 0, 1, 1], dtype: INT64 }]), reason: 'ATTRIBUTE' },
  { name: 'required optional input absent', rule: { op: 'Conv', when: { inputs: [{ index: 2, optional: false }] }, source: SRC }, model: conv(), reason: 'SHAPE' },
  // shapes
  { name: 'rank predicate', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { rank: { max: 3 } } }] }, source: SRC }, model: unary('Relu'), reason: 'RANK' },
  { name: 'batch predicate', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { batch: { eq: 1 } } }] }, source: SRC }, model: unary('Relu', [2, 3, 8, 8]), reason: 'SHAPE' },
  { name: 'dims range', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { dims: { max: 4 } } }] }, source: SRC }, model: unary('Relu'), reason: 'SHAPE' },
  { name: 'fixed shape fails on a symbolic dim', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { fixed: true } }] }, source: SRC }, model: unary('Relu', ['batch', 3, 8, 8]), reason: 'DYNAMIC_SHAPE' },
  { name: 'a test on an unknown dim is unknown, never support', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { batch: { eq: 1 } } }] }, source: SRC }, model: unary('Relu', ['batch', 3, 8, 8]), reason: 'SHAPE', placement: 'unknown' },
  { name: 'innermost non-unit dims (source layout)', rule: { op: 'Relu', when: { inputs: [{ index: 0, shape: { innermostNonUnitMax: 2 } }] }, source: SRC }, model: unary('Relu', [1, 3, 8, 8]), reason: 'SHAPE' },
  // opset
  { name: 'rule opset range', rule: { op: 'Relu', opset: { min: 18 }, source: SRC }, model: unary('Relu'), reason: 'OPSET' },
  // unverifiable
  { name: 'unverifiable caveat gives unknown', rule: { op: 'Relu', when: { unverifiable: [{ id: 'x', reason: 'depends on the driver' }] }, source: SRC }, model: unary('Relu'), reason: 'UNVERIFIABLE', placement: 'unknown' },
  { name: 'unverifiable caveat narrowed by when does not apply', rule: { op: 'Relu', when: { unverifiable: [{ id: 'x', reason: 'only for rank 5', when: { inputs: [{ index: 0, shape: { rank: { eq: 5 } } }] } }] }, source: SRC }, model: unary('Relu'), reason: 'OK' },
];

describe('condition kinds', () => {
  for (const r of rows) {
    it(`${r.name} → ${r.reason}`, () => {
      const n = place(r.model, profileWith([r.rule], r.extra), r.node);
      const where = `${n.placement} ${n.reason} ${n.detail ?? ''}`;
      assert.equal(n.reason, r.reason, where);
      if (r.reason === 'OK') assert.equal(n.placement, 'accelerated', where);
      else assert.equal(n.placement, r.placement ?? 'cpu-fallback', where);
    });
  }

  it('a fused pattern is required: alone fails, inside the chain passes', () => {
    const rules: OpRule[] = [
      { op: 'Conv', source: SRC },
      { op: 'Relu', pattern: { anyOf: [{ id: 'conv-relu', chain: [{ op: 'Conv' }, { op: 'Relu', self: true }] }] }, source: SRC },
    ];
    const inChain: ModelSpec = { ...conv(), nodes: [{ ...conv().nodes[0]!, outputs: ['c'] }, { op: 'Relu', name: 'n', inputs: ['c'], outputs: ['y'] }] };
    assert.equal(place(inChain, profileWith(rules)).reason, 'OK');
    const alone = place(unary('Relu'), profileWith(rules));
    assert.equal(alone.reason, 'PATTERN_REQUIRED');
  });

  it('converted NHWC layout: [1, C, H, W] is read as [1, H, W, C]', () => {
    const coral = loadProfile('coral-edgetpu').profile;
    const rule: OpRule = { builtin: 'RELU', when: { inputs: [{ index: 0, shape: { dims: { max: 3 }, layout: 'converted' } }] }, source: SRC };
    const p = { ...coral, quantization: { ...coral.quantization, required: false }, defaults: undefined, rules: [rule] } as unknown as DeviceProfile;
    // NCHW [1, 3, 8, 8] → NHWC [1, 8, 8, 3]: dim 1 = 8 > 3
    const n = place(unary('Relu', [1, 3, 8, 8]), p);
    assert.equal(n.reason, 'SHAPE');
    assert.match(n.detail ?? '', /NHWC/);
  });
});
