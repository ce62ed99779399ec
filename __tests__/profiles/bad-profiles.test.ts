import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ProfileError, ProfileLoadError, type ProfileErrorCode } from '../../src/profiles/errors.js';
import { loadProfile, loadProfiles, parseProfileText } from '../../src/profiles/load.js';
import { baseProfile, tempDir, writeProfileFile } from './profile-fixture.js';

interface BadCase {
  readonly name: string;
  /** Mutates a fresh base profile, or gives raw file text. */
  readonly mutate: ((p: Record<string, any>) => void) | string;
  readonly code: ProfileErrorCode;
  /** Exact field path of the expected error ('' for the whole file). */
  readonly fieldPath: string;
  /** Substring of the detail. */
  readonly detail?: string;
}

const CASES: readonly BadCase[] = [
  { name: 'wrong type', mutate: (p) => (p.hardware.ramBytes.value = 'lots'), code: 'PROFILE_SCHEMA', fieldPath: 'hardware.ramBytes.value', detail: 'expected number' },
  { name: 'wrong enum value', mutate: (p) => (p.partition.policy = 'some'), code: 'PROFILE_SCHEMA', fieldPath: 'partition.policy', detail: 'single_prefix' },
  { name: 'unknown dtype', mutate: (p) => (p.rules[0].when.inputs[0].dtypes = ['float32']), code: 'PROFILE_SCHEMA', fieldPath: 'rules[0].when.inputs[0].dtypes[0]' },
  { name: 'unknown field (typo in predicate)', mutate: (p) => (p.rules[0].when.attributes.kernel_shape.maxx = 3), code: 'PROFILE_UNKNOWN_FIELD', fieldPath: 'rules[0].when.attributes.kernel_shape.maxx', detail: "unknown field 'maxx'" },
  { name: 'unknown top-level field', mutate: (p) => (p.hardwre = {}), code: 'PROFILE_UNKNOWN_FIELD', fieldPath: 'hardwre' },
  { name: 'bad op name', mutate: (p) => (p.rules[1].op = 'Convolution'), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'rules[1].op', detail: "'Convolution' is not an op of domain 'ai.onnx'" },
  { name: 'op name with wrong case', mutate: (p) => (p.rules[1].op = 'Argmax'), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'rules[1].op', detail: "did you mean 'ArgMax'" },
  { name: 'op in the wrong domain', mutate: (p) => (p.rules[2].domain = 'ai.onnx'), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'rules[2].op' },
  { name: 'unknown domain', mutate: (p) => (p.rules[1].domain = 'com.example'), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'rules[1].op', detail: 'unknown domain' },
  { name: 'bad op in per-channel list', mutate: (p) => (p.quantization.weightGranularity.perChannelOps = ['Convv']), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'quantization.weightGranularity.perChannelOps[0]' },
  { name: 'TFLite builtin in an ONNX profile', mutate: (p) => p.rules.push({ builtin: 'CONV_2D', source: 'doc' }), code: 'PROFILE_SCHEMA', fieldPath: 'rules[3].builtin', detail: 'conversion' },
  { name: 'missing source on a rule', mutate: (p) => delete p.rules[2].source, code: 'PROFILE_MISSING_SOURCE', fieldPath: 'rules[2].source' },
  { name: 'missing source on a hardware figure', mutate: (p) => delete p.hardware.units[0].clockHz.source, code: 'PROFILE_MISSING_SOURCE', fieldPath: 'hardware.units[0].clockHz.source' },
  { name: 'source reference to nothing', mutate: (p) => (p.rules[0].source = 'nowhere'), code: 'PROFILE_BAD_REFERENCE', fieldPath: 'rules[0].source', detail: "'nowhere'" },
  { name: 'source without url or path', mutate: (p) => (p.sources.doc = { version: 'v1', retrieved: '2026-11-26' }), code: 'PROFILE_SCHEMA', fieldPath: 'sources.doc' },
  { name: 'bad retrieved date', mutate: (p) => (p.sources.doc.retrieved = '26.11.2026'), code: 'PROFILE_SCHEMA', fieldPath: 'sources.doc.retrieved' },
  { name: 'estimate without reasoning', mutate: (p) => delete p.hardware.units[0].efficiency.conv.float.reasoning, code: 'PROFILE_SCHEMA', fieldPath: 'hardware.units[0].efficiency.conv.float.reasoning' },
  { name: 'bad opset range on a rule', mutate: (p) => (p.rules[0].opset = { min: 13, max: 11 }), code: 'PROFILE_OPSET_RANGE', fieldPath: 'rules[0].opset', detail: 'min 13 > max 11' },
  { name: 'model opset beyond the latest', mutate: (p) => (p.opset['ai.onnx'].max = 99), code: 'PROFILE_OPSET_RANGE', fieldPath: 'opset["ai.onnx"].max' },
  { name: 'duplicate rule', mutate: (p) => p.rules.push({ op: 'Relu', source: 'doc' }), code: 'PROFILE_DUPLICATE', fieldPath: 'rules[3]' },
  { name: 'unit reference to nothing', mutate: (p) => (p.hardware.fallbackUnit = 'dsp'), code: 'PROFILE_BAD_REFERENCE', fieldPath: 'hardware.fallbackUnit' },
  { name: 'missing required block', mutate: (p) => delete p.hardware, code: 'PROFILE_MISSING_FIELD', fieldPath: 'hardware' },
  { name: 'rule with both op and builtin', mutate: (p) => (p.rules[1].builtin = 'RELU'), code: 'PROFILE_SCHEMA', fieldPath: 'rules[1]', detail: 'exactly one' },
  { name: 'fallback op that does not exist', mutate: (p) => (p.partition.fallback = { ops: ['Conv', 'Frobnicate'], source: 'doc' }), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'partition.fallback.ops[1]' },
  { name: 'hint for an op that does not exist', mutate: (p) => (p.hints = [{ op: 'Padd', hint: 'x', source: 'doc' }]), code: 'PROFILE_UNKNOWN_OP', fieldPath: 'hints[0].op' },
  { name: 'hint without source', mutate: (p) => (p.hints = [{ op: 'Pad', hint: 'x' }]), code: 'PROFILE_MISSING_SOURCE', fieldPath: 'hints[0].source' },
  { name: 'YAML syntax error', mutate: 'schemaVersion: 1\nid: broken\n  name: [unclosed\n', code: 'PROFILE_PARSE', fieldPath: '' },
  { name: 'empty file', mutate: '', code: 'PROFILE_SCHEMA', fieldPath: '', detail: 'empty' },
];

describe('bad profiles', () => {
  it('the fixture base profile itself is valid', () => {
    const dir = tempDir();
    const file = writeProfileFile(dir, 'base.yaml', baseProfile());
    const { profiles, errors } = loadProfiles([file]);
    assert.deepEqual(errors, []);
    assert.equal(profiles[0]?.id, 'tiny-npu');
    // ai.onnx is normalized to "" so the engine can compare with OnnxNode.domain directly.
    assert.equal(profiles[0]?.profile.rules[0]?.domain, '');
  });

  const dir = tempDir();
  for (const [i, c] of CASES.entries()) {
    it(`${c.name} -> ${c.code} at ${c.fieldPath || '(file)'}`, () => {
      let content: unknown;
      if (typeof c.mutate === 'string') content = c.mutate;
      else {
        const p = baseProfile(`bad-${i}`);
        c.mutate(p);
        content = p;
      }
      const file = writeProfileFile(dir, `bad-${i}.yaml`, content);
      const { profiles, errors } = loadProfiles([file]);
      assert.equal(profiles.length, 0, 'a bad profile must not load');
      const match = errors.find((e) => e.code === c.code && e.fieldPath === c.fieldPath);
      assert.ok(match, `expected ${c.code} at '${c.fieldPath}', got:\n${errors.map((e) => `  ${e.code} ${e.fieldPath}: ${e.detail}`).join('\n')}`);
      assert.ok(match instanceof ProfileError);
      assert.equal(match.name, 'ProfileError');
      assert.equal(match.file, file);
      assert.ok(match.message.includes(basename(file)), 'the message names the file');
      if (c.fieldPath !== '') assert.ok(match.message.includes(c.fieldPath), 'the message names the field');
      if (c.detail !== undefined) assert.ok(match.detail.includes(c.detail), `detail '${match.detail}' should contain '${c.detail}'`);
    });
  }

  it('reports the line of the offending value', () => {
    const p = baseProfile('line-test');
    p.rules[0].when.attributes.kernel_shape.maxx = 3;
    const file = writeProfileFile(dir, 'line.yaml', p);
    const err = loadProfiles([file]).errors.find((e) => e.code === 'PROFILE_UNKNOWN_FIELD');
    assert.ok(err?.line !== undefined);
    const lineText = readFileSync(file, 'utf8').split('\n')[err.line - 1] ?? '';
    assert.match(lineText, /maxx/);
    assert.match(err.message, new RegExp(`line\\.yaml:${err.line}: rules\\[0\\]`));
  });

  it('one broken profile does not stop the others', () => {
    const good = writeProfileFile(dir, 'good.yaml', baseProfile('good'));
    const bads = CASES.map((_, i) => `${dir}/bad-${i}.yaml`);
    const { profiles, errors } = loadProfiles([...bads.slice(0, 5), good, ...bads.slice(5), 'raspberry-pi-5']);
    assert.deepEqual(profiles.map((p) => p.id), ['good', 'raspberry-pi-5']);
    const badFiles = new Set(errors.map((e) => e.file));
    for (const b of bads) assert.ok(badFiles.has(b), `an error names ${b}`);
  });

  it('loadProfile throws a ProfileLoadError carrying every problem', () => {
    const p = baseProfile('many');
    p.rules[1].op = 'Convolution';
    delete p.rules[2].source;
    const file = writeProfileFile(dir, 'many.yaml', p);
    assert.throws(
      () => loadProfile(file),
      (e: unknown) => e instanceof ProfileLoadError && e.errors.length === 2 && /and 1 more problem/.test(e.message),
    );
  });

  it('an unknown id names the known ones', () => {
    const { errors } = loadProfiles(['no-such-board']);
    assert.equal(errors[0]?.code, 'PROFILE_NOT_FOUND');
    assert.match(errors[0]?.detail ?? '', /Known: .*raspberry-pi-4/);
    assert.equal(errors[0]?.file, 'no-such-board', 'named by the id given, not the installation folder');
  });

  it('a misspelt id suggests the closest ones by edit distance', () => {
    const { errors } = loadProfiles(['raspbery-pi-4']);
    assert.equal(errors[0]?.message, "raspbery-pi-4: no device profile with this id. Did you mean 'raspberry-pi-4' or 'raspberry-pi-5'? [PROFILE_NOT_FOUND]");
    // In the report the code stands in its own field (renderers print it once, beside the message).
    assert.equal(errors[0]?.toReportError().message, "raspbery-pi-4: no device profile with this id. Did you mean 'raspberry-pi-4' or 'raspberry-pi-5'?");
  });

  it('a missing path is PROFILE_NOT_FOUND', () => {
    assert.equal(loadProfiles([`${dir}/absent.yaml`]).errors[0]?.code, 'PROFILE_NOT_FOUND');
  });

  it('the same id twice in one load is PROFILE_DUPLICATE for the second', () => {
    const a = writeProfileFile(dir, 'dup-a.yaml', baseProfile('dup'));
    const b = writeProfileFile(dir, 'dup-b.yaml', baseProfile('dup'));
    const { profiles, errors } = loadProfiles([a, b]);
    assert.equal(profiles.length, 1);
    assert.equal(errors[0]?.code, 'PROFILE_DUPLICATE');
    assert.equal(errors[0]?.file, b);
  });

  it('a shipped id whose file declares another id is PROFILE_ID_MISMATCH (user paths may use any id)', () => {
    const shippedDir = tempDir();
    writeProfileFile(shippedDir, 'board-a.yaml', baseProfile('board-b'));
    const { errors } = loadProfiles(['board-a'], { profilesDir: shippedDir });
    assert.equal(errors[0]?.code, 'PROFILE_ID_MISMATCH');
    assert.equal(errors[0]?.fieldPath, 'id');
    assert.equal(loadProfiles([`${shippedDir}/board-a.yaml`]).errors.length, 0);
  });

  it('opsFrom is expanded into fallback ops, and a dangling opsFrom is PROFILE_BAD_REFERENCE', () => {
    const shippedDir = tempDir();
    writeProfileFile(shippedDir, 'base-cpu.yaml', baseProfile('base-cpu'));
    const child = baseProfile('child');
    child.rules = [child.rules[1]];
    child.partition.fallback = { opsFrom: 'base-cpu', ops: ['Sigmoid'], source: 'doc' };
    writeProfileFile(shippedDir, 'child.yaml', child);
    const loaded = loadProfile('child', { profilesDir: shippedDir });
    assert.deepEqual(loaded.profile.partition.fallback?.ops, ['Conv', 'Relu', 'Sigmoid', 'com.microsoft:QLinearAdd']);
    assert.equal(loaded.profile.partition.fallback?.opsFrom, undefined);

    child.partition.fallback = { opsFrom: 'nothing-here', source: 'doc' };
    writeProfileFile(shippedDir, 'child.yaml', child);
    const { errors } = loadProfiles(['child'], { profilesDir: shippedDir });
    assert.equal(errors[0]?.code, 'PROFILE_BAD_REFERENCE');
    assert.equal(errors[0]?.fieldPath, 'partition.fallback.opsFrom');
  });

  it('JSON profiles load too, and parse errors in them name the file', () => {
    const ok = writeProfileFile(dir, 'p.json', JSON.stringify(baseProfile('json-one')));
    assert.equal(loadProfiles([ok]).profiles[0]?.id, 'json-one');
    const r = parseProfileText('{"schemaVersion": 1,', 'broken.json');
    assert.equal(r.errors[0]?.code, 'PROFILE_PARSE');
    assert.match(r.errors[0]?.message ?? '', /^broken\.json:\d+:/);
  });
});
