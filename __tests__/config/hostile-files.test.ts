/**
 * Hostile configs and profiles: YAML alias bombs and undefined aliases, device files, FIFOs,
 * directories, files over the size caps and device lists over the device limit each give one clear
 * error with its own code naming the file — never a thrown ReferenceError, a hang or an unbounded read.
 * (Device files are only opened and fstat-ed here, never read.)
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { loadProfiles } from '../../src/profiles/load.js';
import { CONFIG_MAX_BYTES, CONFIG_MAX_ITEMS, MAX_DEVICES, PROFILE_MAX_BYTES } from '../../src/limits.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** A sparse file of `bytes` (no disk used, nothing written). */
const sparse = (name: string, bytes: number): string => {
  const p = join(dir, name);
  const fd = openSync(p, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return p;
};
const fifo = (name: string): string => {
  const p = join(dir, name);
  const r = spawnSync('mkfifo', [p]);
  assert.equal(r.status, 0, 'mkfifo');
  return p;
};

/** 9 levels of 9 aliases each: 9^9 ≈ 387 million nodes once expanded. */
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`), 'devices: [*i]', ''].join('\n');
const shippedProfile = readFileSync(resolve('device-profiles/host-x64.yaml'), 'utf8');

describe('config (.edgegate.yml)', () => {
  const cases: { name: string; path: () => string; code: string; message: RegExp }[] = [
    { name: 'YAML alias bomb', path: () => file('bomb.yml', ALIAS_BOMB), code: 'CONFIG_YAML', message: /aliases expand past the limit of 100/ },
    { name: 'undefined alias', path: () => file('alias.yml', 'devices: [*nope]\n'), code: 'CONFIG_YAML', message: /alias names no anchor.*nope/ },
    { name: '/dev/zero', path: () => '/dev/zero', code: 'CONFIG_NOT_A_FILE', message: /is a device; only regular files are read/ },
    { name: 'a named pipe (would block forever on open)', path: () => fifo('config.fifo'), code: 'CONFIG_NOT_A_FILE', message: /named pipe/ },
    { name: 'a directory', path: () => (mkdirSync(join(dir, 'cfgdir'), { recursive: true }), join(dir, 'cfgdir')), code: 'CONFIG_NOT_A_FILE', message: /directory/ },
    { name: 'a 50 MB string value (refused by the size cap before parsing)', path: () => sparse('big.yml', 50 * 1024 * 1024), code: 'CONFIG_TOO_LARGE', message: new RegExp(`over the limit of ${CONFIG_MAX_BYTES} bytes`) },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code} naming the file`, () => {
      const p = c.path();
      const { errors, config } = loadConfig(p, { required: true });
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.code, c.code);
      assert.equal(errors[0]!.file, p);
      assert.match(errors[0]!.message, c.message);
      assert.ok(errors[0]!.message.startsWith(p), errors[0]!.message);
      assert.deepEqual(config, {});
    });
  }

  it('a list of 300,000 devices: one CONFIG_TOO_LARGE from the item count, before YAML parsing', () => {
    // One-letter ids keep the file (600 KB) under the byte cap: the item count refuses it.
    const p = file('many.yml', `devices: [${Array(300_000).fill('x').join(',')}]\n`);
    const { errors } = loadConfig(p);
    assert.deepEqual(errors.map((e) => e.code), ['CONFIG_TOO_LARGE']);
    assert.match(errors[0]!.message, new RegExp(`over the limit of ${CONFIG_MAX_ITEMS}`));
  });

  it('brackets nested 20,000 deep: CONFIG_TOO_LARGE before parsing (no parser stack overflow)', () => {
    const p = file('deep.yml', `dims: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    const { errors } = loadConfig(p);
    assert.deepEqual(errors.map((e) => e.code), ['CONFIG_TOO_LARGE']);
    assert.match(errors[0]!.message, /brackets nested 20000 deep, over the limit of 64/);
  });

  it(`${MAX_DEVICES + 1} devices (under the item count): one CONFIG_INVALID at devices naming the limit`, () => {
    const p = file('many2.yml', `devices: [${Array(MAX_DEVICES + 1).fill('x').join(',')}]\n`);
    const { errors } = loadConfig(p);
    assert.deepEqual(errors.map((e) => [e.code, e.fieldPath]), [['CONFIG_INVALID', 'devices']]);
    assert.match(errors[0]!.message, new RegExp(`${MAX_DEVICES}`));
  });

  it('small anchors and aliases within the limit still work', () => {
    const p = file('ok.yml', 'devices: &d [host-x64]\nparity:\n  devices: *d\n');
    const { errors, config } = loadConfig(p);
    assert.deepEqual(errors.filter((e) => e.fieldPath !== 'parity.devices').map((e) => e.code), []);
    assert.deepEqual(config.devices ?? ['(invalid)'], errors.length === 0 ? ['host-x64'] : ['(invalid)']);
  });
});

describe('device profiles', () => {
  const cases: { name: string; path: () => string; code: string; detail: RegExp }[] = [
    { name: 'YAML alias bomb', path: () => file('bomb.yaml', `${shippedProfile}\n${ALIAS_BOMB.replace('devices:', 'x-bomb:')}`), code: 'PROFILE_PARSE', detail: /aliases expand past the limit/ },
    { name: 'undefined alias', path: () => file('alias.yaml', shippedProfile.replace(/^name: .*$/m, 'name: *nope')), code: 'PROFILE_PARSE', detail: /alias names no anchor/ },
    { name: '/dev/zero', path: () => '/dev/zero', code: 'PROFILE_NOT_A_FILE', detail: /is a device/ },
    { name: '/dev/urandom', path: () => '/dev/urandom', code: 'PROFILE_NOT_A_FILE', detail: /is a device/ },
    { name: 'a named pipe', path: () => fifo('profile.fifo'), code: 'PROFILE_NOT_A_FILE', detail: /named pipe/ },
    { name: 'a directory named .yaml', path: () => (mkdirSync(join(dir, 'dir.yaml'), { recursive: true }), join(dir, 'dir.yaml')), code: 'PROFILE_NOT_A_FILE', detail: /directory/ },
    { name: 'a file over the size cap', path: () => sparse('huge.yaml', PROFILE_MAX_BYTES + 1), code: 'PROFILE_TOO_LARGE', detail: /over the limit/ },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code} naming the file`, () => {
      const p = c.path();
      const { profiles, errors } = loadProfiles([p, 'host-x64']);
      assert.deepEqual(errors.map((e) => e.code), [c.code]);
      assert.equal(errors[0]!.file, p);
      assert.match(errors[0]!.detail, c.detail);
      assert.deepEqual(profiles.map((x) => x.id), ['host-x64'], 'the other device still loads');
    });
  }

  it(`more than ${MAX_DEVICES} devices: one PROFILE_TOO_MANY, nothing loaded`, () => {
    const { profiles, errors } = loadProfiles(Array(100_000).fill('host-x64'));
    assert.deepEqual(errors.map((e) => e.code), ['PROFILE_TOO_MANY']);
    assert.equal(profiles.length, 0);
  });

  it('a device named 50 times: loaded once, one PROFILE_DUPLICATE (not 49)', () => {
    const { profiles, errors } = loadProfiles([...Array(50).fill('host-x64'), 'raspberry-pi-4']);
    assert.deepEqual(profiles.map((p) => p.id), ['host-x64', 'raspberry-pi-4']);
    assert.deepEqual(errors.map((e) => e.code), ['PROFILE_DUPLICATE']);
    assert.match(errors[0]!.detail, /named 50 times/);
  });
});
