/**
 * Corrupt parity inputs: every corruption of a reference folder is `error` / `REFERENCE_INVALID`
 * naming the file and the reason (never INTERNAL, never a pass, never a read of /dev/urandom), and
 * every self-contradicting result.json is refused by `parity report` as INVALID_RESULT.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReference } from '../../src/parity/reference.js';
import { runParity } from '../../src/parity/run.js';
import { OrtRunner } from '../../src/parity/runner.js';
import { parseParityResult } from '../../src/parity/result-schema.js';
import { parityCommand } from '../../src/cli/parity-command.js';
import { REFERENCE_CORRUPTIONS, RESULT_CORRUPTIONS } from '../support/parity-corruptions.js';
import { fixture } from './helpers/paths.js';

let tmp: string;
let ort: OrtRunner;
let good: string;
let passResult: string;
const model = fixture('tiny_cnn.onnx');

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-corrupt-'));
  ort = new OrtRunner({ workDir: tmp });
  good = join(tmp, 'good');
  await makeReference(model, { outDir: good, runner: ort });
  const r = await runParity(model, { referenceDir: good, runner: ort, latency: { runs: 0 } });
  assert.equal(r.verdict, 'pass', r.detail);
  passResult = JSON.stringify(r);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('corrupt reference folders', () => {
  it('the uncorrupted copy passes (control)', async () => {
    const dir = join(tmp, 'control');
    cpSync(good, dir, { recursive: true });
    const r = await runParity(model, { referenceDir: dir, runner: ort, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass', r.detail);
  });
  REFERENCE_CORRUPTIONS.forEach((c, i) => {
    it(`${c.name}: error REFERENCE_INVALID naming the file and why`, async () => {
      const dir = join(tmp, `case-${i}`);
      cpSync(good, dir, { recursive: true });
      c.apply(dir);
      const r = await runParity(model, { referenceDir: dir, runner: ort, latency: { runs: 0 } });
      assert.equal(r.verdict, 'error', `${c.name}: verdict ${r.verdict}`);
      assert.equal(r.reason, 'REFERENCE_INVALID', `${c.name}: ${r.reason}: ${r.detail}`);
      assert.match(r.detail ?? '', c.detail);
      assert.ok((r.detail ?? '').includes(dir), `names the folder: ${r.detail}`);
    });
  });
});

describe('self-contradicting result.json', () => {
  it('the valid pass result is accepted (control)', () => {
    assert.equal(parseParityResult(JSON.parse(passResult)).verdict, 'pass');
  });
  RESULT_CORRUPTIONS.forEach((c, i) => {
    it(`${c.name}: parity report shows error INVALID_RESULT`, async () => {
      const r = JSON.parse(passResult);
      c.apply(r);
      const file = join(tmp, `result-${i}.json`);
      writeFileSync(file, JSON.stringify(r));
      assert.throws(() => parseParityResult(r, file), c.detail);
      let out = '';
      const code = await parityCommand(['report', file, '--format', 'json'], { stdout: { write: (s: string) => void (out += s) }, stderr: { write: () => undefined } });
      const parsed = JSON.parse(out) as { results: { verdict: string; reason?: string; detail?: string }[]; blocks: boolean };
      assert.equal(parsed.results[0]!.verdict, 'error');
      assert.equal(parsed.results[0]!.reason, 'INVALID_RESULT');
      assert.match(parsed.results[0]!.detail ?? '', c.detail);
      assert.equal(parsed.blocks, true);
      assert.notEqual(code, 0);
    });
  });
});
