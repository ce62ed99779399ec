/**
 * The CLI's edges through the real process (tsx): per-command help, misspelt device ids, comma-separated
 * devices, an unwritable --out, nothing to check against.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MODEL = resolve('__tests__/fixtures/models/tiny_cnn.onnx');
const ENTRY = resolve('src/cli/entry.ts');
// By URL: the CLI runs in a folder without node_modules.
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'edgegate-cli-polish-'));

function cli(args: string[], cwd = dir): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, ENTRY, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('edgegate CLI edges', () => {
  for (const argv of [['check', '--help'], ['calibrate', '--help'], ['parity', 'run', '--help'], ['check', MODEL, '-h']]) {
    it(`${argv.join(' ')}: usage on stdout, exit 0`, () => {
      const r = cli(argv);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^usage:/);
      assert.equal(r.err, '');
    });
  }

  it('a misspelt device: one error with a suggestion, no installation path', () => {
    const r = cli(['check', MODEL, '--device', 'raspbery-pi-4']);
    assert.equal(r.code, 2);
    const all = (r.out + r.err).replace(/\s+/g, ' ');
    assert.equal(all.split("Did you mean 'raspberry-pi-4'").length - 1, 1, all);
    assert.doesNotMatch(all, /device-profiles\//);
  });

  it('--device a,b checks both', () => {
    const r = cli(['check', MODEL, '--device', 'raspberry-pi-4,host-x64', '--format', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const j = JSON.parse(r.out) as { models: { devices: { device: string }[] }[] };
    assert.deepEqual(j.models[0]!.devices.map((d) => d.device), ['raspberry-pi-4', 'host-x64']);
  });

  it('--out into a missing folder: exit 2, the file named, no stack trace', () => {
    const out = join(dir, 'missing', 'x.json');
    const r = cli(['check', MODEL, '--device', 'host-x64', '--out', out]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `edgegate: cannot write ${out}: its folder does not exist\n`);
  });

  it('no device and no config: a warning and exit 2; --no-devices gives statistics, exit 0', () => {
    const r = cli(['check', MODEL]);
    assert.equal(r.code, 2);
    assert.match(r.err, /nothing was checked against a device: give --device ID/);
    const s = cli(['check', MODEL, '--no-devices']);
    assert.equal(s.code, 0, s.err);
    assert.equal(s.err, '');
    assert.match(s.out, /tiny_cnn\.onnx/);
  });
});
