import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parityCommand } from '../../src/cli/parity-command.js';
import { collectResults, parityBlocks, renderParityMarkdown } from '../../src/parity/report.js';
import { type ParityResult, readParityResult, ArtifactValidationError } from '../../src/parity/result-schema.js';
import { notRunResult } from '../../src/parity/run.js';
import { STAND_IN, fixture } from './helpers/paths.js';

let tmp: string;
before(() => (tmp = mkdtempSync(join(tmpdir(), 'edgegate-cli-'))));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command with its output captured (through its io parameter, not by patching streams). */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await parityCommand(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('edgegate parity CLI', () => {
  it('reference → run → report → compare on a fixture', async () => {
    const ref = join(tmp, 'ref');
    const r1 = await cli(['reference', fixture('tiny_cnn.onnx'), '--out', ref, '--seed', '3']);
    assert.equal(r1.code, 0, r1.err);
    assert.ok(existsSync(join(ref, 'manifest.json')));
    const out = join(tmp, 'result.json');
    const r2 = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', ref, '--out', out, '--runs', '2', '--device', 'host-x64']);
    assert.equal(r2.code, 0, r2.out + r2.err);
    const res = readParityResult(out);
    assert.equal(res.verdict, 'pass');
    assert.equal(res.device, 'host-x64');
    // Field names fixed by issue 6.
    for (const k of ['schemaVersion', 'model', 'device', 'verdict', 'firstDivergingNode', 'tensors', 'kernels', 'passes', 'latencyMs', 'host']) assert.ok(k in res, k);
    for (const k of ['name', 'node', 'maxAbs', 'meanAbs', 'relL2', 'cosine', 'snrDb', 'atol', 'rtol', 'pass']) assert.ok(k in res.tensors[0]!, k);
    for (const k of ['index', 'name', 'op', 'maxAbs', 'pass']) assert.ok(k in res.kernels[0]!, k);
    for (const k of ['arch', 'cpu', 'cpuFlags', 'ortVersion']) assert.ok(k in res.host!, k);
    assert.ok(res.passes.production!.kernelsRun.length > 0 && res.passes.localization!.kernelsRun.length > 0);
    const r3 = await cli(['report', out, '--format', 'markdown']);
    assert.equal(r3.code, 0);
    assert.match(r3.out, /✅ pass/);
    const ref2 = join(tmp, 'ref2');
    assert.equal((await cli(['reference', fixture('tiny_cnn.onnx'), '--out', ref2, '--seed', '3'])).code, 0);
    const r4 = await cli(['compare', ref, ref2, '--format', 'json']);
    assert.equal(r4.code, 0);
    assert.equal((JSON.parse(r4.out) as { failing: number }).failing, 0);
  });

  it('an accelerator device without an external runtime is not-run EP_UNAVAILABLE (and never runs the CPU)', async () => {
    const out = join(tmp, 'npu.json');
    const r = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', join(tmp, 'does-not-matter'), '--out', out, '--device', 'coral-edgetpu', '--device-class', 'accelerator']);
    assert.equal(r.code, 0);
    const res = readParityResult(out);
    assert.equal(res.verdict, 'not-run');
    assert.equal(res.reason, 'EP_UNAVAILABLE');
    assert.equal(res.kernels.length, 0);
  });

  for (const device of ['coral-edgetpu', 'qualcomm-htp', 'android-nnapi']) {
    it(`--device ${device} alone takes the accelerator class from its profile: not-run EP_UNAVAILABLE, not a CPU pass`, async () => {
      const out = join(tmp, `${device}.json`);
      const r = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', join(tmp, 'does-not-matter'), '--out', out, '--device', device]);
      assert.equal(r.code, 0);
      const res = readParityResult(out);
      assert.equal(res.verdict, 'not-run');
      assert.equal(res.reason, 'EP_UNAVAILABLE');
    });
  }

  it('--device raspberry-pi-4 on an x64 host is refused (HOST_MISMATCH, exit 2); --force runs it and says FORCED', { skip: process.arch !== 'x64' && 'needs an x64 host' }, async () => {
    const ref = join(tmp, 'ref-identity');
    assert.equal((await cli(['reference', fixture('tiny_cnn.onnx'), '--out', ref])).code, 0);
    const out = join(tmp, 'pi4.json');
    const r = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', ref, '--out', out, '--device', 'raspberry-pi-4', '--runs', '0']);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.out, /^parity not-run \(HOST_MISMATCH\) for .* on raspberry-pi-4;/);
    assert.doesNotMatch(r.out, /pass/);
    assert.match(r.err, /^edgegate parity: host linux\/x64 .* is not raspberry-pi-4 \(arm64, Cortex-A72\): .*--force/);
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, 'the reason once');
    const refused = readParityResult(out);
    assert.equal(`${refused.verdict}/${refused.reason}`, 'not-run/HOST_MISMATCH');

    const f = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', ref, '--out', out, '--device', 'raspberry-pi-4', '--runs', '0', '--force']);
    assert.equal(f.code, 0, f.out + f.err);
    assert.match(f.out, /^parity pass FORCED on a host that is not raspberry-pi-4 for /);
    const forced = readParityResult(out);
    assert.equal(forced.forced, true);
    assert.equal(forced.hostMatch?.status, 'mismatch');
    const md = await cli(['report', out, '--format', 'markdown']);
    assert.match(md.out, /forced/i);
  });

  it('a misspelt --device is a usage error with a suggestion, not a label', async () => {
    const r = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', join(tmp, 'x'), '--out', join(tmp, 'typo.json'), '--device', 'raspbery-pi-4']);
    assert.equal(r.code, 2);
    assert.match(r.err, /Did you mean 'raspberry-pi-4'/);
    assert.equal(existsSync(join(tmp, 'typo.json')), false);
  });

  it('an accelerator device with an external runtime runs through it', async () => {
    const ref = join(tmp, 'ref-ext');
    assert.equal((await cli(['reference', fixture('tiny_cnn.onnx'), '--out', ref])).code, 0);
    const out = join(tmp, 'npu-ext.json');
    const r = await cli(['run', fixture('tiny_cnn.onnx'), '--reference', ref, '--out', out, '--device', 'coral-edgetpu', '--device-class', 'accelerator', '--runtime', `external:${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)}`, '--runs', '1']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(readParityResult(out).verdict, 'pass');
  });

  const usage: [string, string[], RegExp][] = [
    ['no subcommand', [], /usage/],
    ['unknown subcommand', ['frobnicate'], /unknown parity subcommand/],
    ['run without --reference', ['run', 'm.onnx', '--out', 'x.json'], /--reference/],
    ['unknown option', ['report', 'x.json', '--colour', 'red'], /unknown option --colour/],
    ['bad runtime', ['run', 'm.onnx', '--reference', 'r', '--out', 'o', '--runtime', 'tflite'], /external:COMMAND/],
    ['bad tolerance dtype', ['run', 'm.onnx', '--reference', 'r', '--out', 'o', '--atol', 'float99=1'], /unknown dtype/],
  ];
  for (const [name, argv, re] of usage) {
    it(`usage error: ${name} → exit 2`, async () => {
      const r = await cli(argv);
      assert.equal(r.code, 2);
      assert.match(r.err + r.out, re);
    });
  }
});

describe('parity report', () => {
  const pass = (model: string, device: string): ParityResult => ({ ...notRunResult(model, device, 'not-run', 'NO_RESULT'), verdict: 'pass', reason: undefined });

  it('a device that never reported is not-run, never pass', () => {
    const all = collectResults([{ model: 'm.onnx', device: 'rpi4' }, { model: 'm.onnx', device: 'rpi5' }], [pass('m.onnx', 'rpi4')]);
    assert.deepEqual(all.map((r) => `${r.device}:${r.verdict}:${r.reason ?? ''}`), ['rpi4:pass:', 'rpi5:not-run:NO_RESULT']);
    assert.equal(parityBlocks(all), false);
    assert.equal(parityBlocks(all, true), true);
  });

  it('an invalid result.json is reported as error INVALID_RESULT', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, model: 'm', device: 'd', verdict: 'pass' }));
    assert.throws(() => readParityResult(bad), ArtifactValidationError);
    const r = await cli(['report', bad, '--format', 'json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { results: ParityResult[] };
    assert.equal(j.results[0]!.verdict, 'error');
    assert.equal(j.results[0]!.reason, 'INVALID_RESULT');
  });

  it('escapes user-controlled names in markdown', () => {
    const r: ParityResult = {
      ...pass('<img src=x onerror=alert(1)>.onnx', 'rpi4'),
      verdict: 'fail',
      firstDivergingNode: { index: 3, name: '@admin | <b>x</b>', op: 'Conv`' },
      kernels: [{ index: 3, name: '@admin | <b>x</b>', op: 'Conv`', position: 0, unit: 'single', nodes: [3], maxAbs: 0.5, failing: 4, pass: false, outputs: ['y'] }],
      tensors: [{ name: 'y', node: 3, stage: 'production', dtype: 'float32', elements: 4, maxAbs: 0.5, meanAbs: 0.1, relL2: 0.1, cosine: 0.99, snrDb: 20, atol: 1e-4, rtol: 1e-4, pass: false, identical: false, failing: 4, modelOutput: true }],
    };
    const md = renderParityMarkdown([r]);
    assert.ok(!md.includes('<img'), md);
    assert.ok(!md.includes('<b>x'), md);
    assert.ok(!md.includes('@admin'), 'mentions neutralized');
    assert.match(md, /❌ fail/);
    assert.match(md, /out of tolerance/);
  });
});
