import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParityConfigError, resolveParityOptions } from '../../src/parity/config.js';
import { DEFAULT_TOLERANCES } from '../../src/parity/metrics.js';
import { parityResultJsonSchema } from '../../src/parity/result-schema.js';

describe('parity config mapping', () => {
  const cfg = {
    seed: 5,
    inputs: { 'models/kws*.onnx': { audio: 'fixtures/kws.npy' } },
    integerRanges: { 'models/**': { ids: [0, 30521] as [number, number] } },
    tolerances: { float: { atol: 1e-3 }, int8: { maxRmseSteps: 0.2 } },
    maxArtifactBytes: 1000,
    external: { 'coral-edgetpu': { command: 'edgetpu-run', args: ['--fast'], timeoutSeconds: 30 } },
  };

  it('matches model globs, makes integer ranges half-open, merges tolerances over the defaults', () => {
    const r = resolveParityOptions(cfg, 'models/kws_small.onnx', 'coral-edgetpu', '/repo');
    assert.equal(r.inputs.seed, 5);
    assert.deepEqual(r.inputs.perInput, { audio: { file: '/repo/fixtures/kws.npy' }, ids: { distribution: 'uniform', low: 0, high: 30522 } });
    assert.deepEqual(r.tolerances?.byDtype?.float32, { ...DEFAULT_TOLERANCES.float32, atol: 1e-3 });
    assert.deepEqual(r.tolerances?.byDtype?.int8, { ...DEFAULT_TOLERANCES.int8, maxRmseSteps: 0.2 });
    assert.equal(r.sizeCapBytes, 1000);
    assert.deepEqual(r.external, { command: 'edgetpu-run', args: ['--fast'], timeoutMs: 30000 });
  });

  it('other models and devices get only what matches them', () => {
    const r = resolveParityOptions(cfg, 'other/m.onnx', 'rpi4');
    assert.deepEqual(r.inputs.perInput, {});
    assert.equal(r.external, undefined);
  });

  it('an unknown dtype is a named error with the field path', () => {
    assert.throws(() => resolveParityOptions({ tolerances: { floaty: { atol: 1 } } }, 'm.onnx', 'd'), (e: unknown) => e instanceof ParityConfigError && /parity\.tolerances\.floaty/.test(e.message));
  });

  it('result.json has a JSON Schema export with the fixed field names', () => {
    type ObjectSchema = { properties: Record<string, unknown>; required: string[] };
    const root = parityResultJsonSchema() as ObjectSchema & { $ref?: string; $defs?: Record<string, ObjectSchema> };
    // The contract's named schemas export as a root $ref into $defs (#/$defs/ParityResult).
    const s = root.$ref ? root.$defs![root.$ref.replace('#/$defs/', '')]! : root;
    for (const k of ['schemaVersion', 'model', 'device', 'verdict', 'firstDivergingNode', 'tensors', 'kernels', 'passes', 'latencyMs', 'host']) assert.ok(k in s.properties, k);
  });
});
