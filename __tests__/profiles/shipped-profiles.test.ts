import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBundleFresh } from '../../src/profiles/bundle.js';
import {
  defaultProfilesDir,
  fallbackOps,
  listProfileIds,
  loadProfile,
  loadShippedProfiles,
  parseProfileText,
  ruleId,
} from '../../src/profiles/load.js';
import { PROFILE_SCHEMA_VERSION } from '../../src/profiles/schema.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const TABLES = join(REPO, '__tests__/fixtures/reference/ort-checker-tables');

/** The ten targets plus host-x64. */
const REQUIRED_IDS = [
  'android-nnapi', 'apple-coreml', 'qualcomm-htp', 'coral-edgetpu', 'arm-ethos-u55', 'cortex-m7-tflm',
  'raspberry-pi-4', 'raspberry-pi-5', 'jetson-orin-nano', 'rockchip-rk3588', 'host-x64',
];

/** `domain:op` keys the ORT checker reads from one of its md tables (4 pieces when split on '|'). */
function checkerKeys(file: string): string[] {
  const keys: string[] = [];
  for (const line of readFileSync(join(TABLES, file), 'utf8').split('\n')) {
    if (!line.startsWith('|')) continue;
    const pieces = line.split('|');
    if (pieces.length !== 4) continue;
    const key = (pieces[1] ?? '').trim();
    if (key.includes(':')) keys.push(key);
  }
  return keys;
}

describe('shipped profiles', () => {
  it('the profiles folder is found relative to the module, and lists the required targets', () => {
    assert.equal(defaultProfilesDir(), join(REPO, 'device-profiles'));
    const ids = listProfileIds();
    for (const id of REQUIRED_IDS) assert.ok(ids.includes(id), `missing shipped profile ${id}`);
  });

  it('every shipped profile loads without errors (bundle path)', () => {
    const { profiles, errors } = loadShippedProfiles();
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual(profiles.map((p) => p.id).sort(), listProfileIds());
    for (const p of profiles) {
      assert.equal(p.profile.schemaVersion, PROFILE_SCHEMA_VERSION);
      assert.equal(p.shipped, true);
    }
  });

  for (const id of listProfileIds()) {
    it(`${id}: the YAML itself validates (no bundle) and equals its bundle entry`, () => {
      const file = join(defaultProfilesDir(), `${id}.yaml`);
      const parsed = parseProfileText(readFileSync(file, 'utf8'), file);
      assert.deepEqual(parsed.errors.map((e) => e.message), []);
      assert.equal(parsed.profile?.id, id);
      const viaBundle = loadProfile(id).profile;
      // The loader expands opsFrom after parsing; compare everything else.
      const { partition: a, ...restA } = viaBundle;
      const { partition: b, ...restB } = parsed.profile!;
      assert.deepEqual(restA, restB);
      assert.equal(a.policy, b.policy);
    });
  }

  it('device-profiles/profiles.bundle.json is up to date (run: node --import tsx src/profiles/bundle.ts)', () => {
    assert.ok(isBundleFresh(), 'stale bundle: run `node --import tsx src/profiles/bundle.ts` and commit the result');
  });

  it('a profile given by path loads the same as by id', () => {
    const byPath = loadProfile('device-profiles/cortex-m7-tflm.yaml', { cwd: REPO });
    assert.equal(byPath.shipped, false);
    assert.deepEqual(byPath.profile, loadProfile('cortex-m7-tflm').profile);
  });

  it('loads from an explicit profilesDir', () => {
    const p = loadProfile('host-x64', { profilesDir: join(REPO, 'device-profiles') });
    assert.equal(p.file, join(REPO, 'device-profiles', 'host-x64.yaml'));
  });

  it('android-nnapi lists exactly the ops of the checker table nnapi_supported_ops.md', () => {
    const table = checkerKeys('nnapi_supported_ops.md');
    assert.equal(table.length, 53);
    const profile = loadProfile('android-nnapi').profile;
    const listed = profile.rules.map((r) => `${r.domain === '' ? 'ai.onnx' : r.domain}:${r.op}`);
    assert.deepEqual([...listed].sort(), [...table].sort());
    assert.equal(profile.checker?.maxInputRank, null);
    assert.equal(profile.checker?.requireFixedInputShapes, true);
  });

  it('apple-coreml lists exactly the ops of coreml_supported_mlprogram_ops.md (with the Argmax spelling recorded)', () => {
    const table = checkerKeys('coreml_supported_mlprogram_ops.md');
    assert.equal(table.length, 59);
    const profile = loadProfile('apple-coreml').profile;
    const spell = profile.checker?.tableSpellings ?? {};
    const asTable = profile.rules.map((r) => `${r.domain === '' ? 'ai.onnx' : r.domain}:${spell[r.op ?? ''] ?? r.op}`);
    assert.deepEqual([...asTable].sort(), [...table].sort());
    assert.equal(spell['ArgMax'], 'Argmax');
    assert.equal(profile.checker?.maxInputRank, 5);
  });

  it('the checker caveats that can be checked statically are conditions, the others unknown', () => {
    const nnapi = loadProfile('android-nnapi').profile;
    const pad = nnapi.rules.find((r) => r.op === 'Pad');
    assert.deepEqual(pad?.when?.attributes?.['mode'], { eq: 'constant', default: 'constant', message: 'Only constant mode Pad is supported.' });
    const coreml = loadProfile('apple-coreml').profile;
    const resize = coreml.rules.find((r) => r.op === 'Resize');
    assert.equal(resize?.when?.unverifiable?.[0]?.id, 'coreml-resize-permutations');
  });

  it('ORT EP profiles fall back to the ORT CPU op set; TFLite targets to the TFLM resolver', () => {
    for (const id of ['android-nnapi', 'apple-coreml', 'qualcomm-htp']) {
      const ops = fallbackOps(loadProfile(id).profile);
      assert.ok(ops?.has('Conv') && ops.has('com.microsoft:FusedConv') && ops.has('LSTM'), id);
    }
    const tflm = fallbackOps(loadProfile('cortex-m7-tflm').profile);
    assert.ok(tflm?.has('CONV_2D') && tflm.has('HARD_SWISH') && !tflm.has('CONV_3D'));
    assert.equal(fallbackOps(loadProfile('raspberry-pi-4').profile), null);
  });

  it('partition policies match the targets', () => {
    const policy = (id: string): string => loadProfile(id).profile.partition.policy;
    assert.equal(policy('coral-edgetpu'), 'single_prefix');
    assert.equal(policy('android-nnapi'), 'multi');
    assert.equal(policy('jetson-orin-nano'), 'none');
    assert.equal(policy('host-x64'), 'none');
  });

  it('targets that do not take ONNX declare their conversion and key rules by TFLite builtin', () => {
    for (const id of ['coral-edgetpu', 'arm-ethos-u55', 'cortex-m7-tflm']) {
      const p = loadProfile(id).profile;
      assert.equal(p.conversion?.layout, 'NHWC', id);
      assert.ok(p.conversion?.opMap['Conv'], id);
      assert.ok(p.rules.every((r) => r.builtin !== undefined && r.op === undefined), id);
    }
    for (const id of ['android-nnapi', 'jetson-orin-nano', 'host-x64']) {
      assert.ok(loadProfile(id).profile.rules.every((r) => r.op !== undefined), id);
    }
  });

  it('android-nnapi notes the Android 15 deprecation', () => {
    const notes = loadProfile('android-nnapi').profile.notes ?? [];
    assert.ok(notes.some((n) => /deprecated since Android 15/.test(n.text)));
  });

  it('rule ids are unique within each profile', () => {
    for (const { id, profile } of loadShippedProfiles().profiles) {
      const ids = profile.rules.map(ruleId);
      assert.equal(new Set(ids).size, ids.length, id);
    }
  });

  it('the profiles folder holds only profiles and the bundle', () => {
    for (const f of readdirSync(defaultProfilesDir())) {
      assert.match(f, /^([a-z0-9-]+\.yaml|profiles\.bundle\.json)$/, f);
    }
    assert.ok(existsSync(join(defaultProfilesDir(), 'profiles.bundle.json')));
  });
});
