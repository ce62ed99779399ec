import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateCommand } from '../../src/cli/calibrate-command.js';
import { loadProfile } from '../../src/profiles/load.js';
import { parityCommand } from '../../src/cli/parity-command.js';
import { readParityResult } from '../../src/parity/result-schema.js';

const quietIo = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as Parameters<typeof parityCommand>[1];

describe('edgegate calibrate', () => {
  it('measures a model with onnxruntime-node and writes a calibrated profile that loads', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-')), 'host.yaml');
    const code = await calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx', '--device', 'host-x64', '--out', out, '--runs', '5']);
    assert.equal(code, 0);
    const { profile } = loadProfile(out);
    assert.equal(profile.id, 'host-x64');
    assert.match(profile.calibration!.runtime.version, /^\d+\.\d+\.\d+/);
    assert.equal(profile.calibration!.models[0]!.file, '__tests__/fixtures/models/tiny_cnn.onnx');
    assert.ok((profile.calibration!.models[0]!.coverage ?? 0) > 0.9, 'most kernel time maps to source nodes');
  });
  it('measures --rounds sessions and keeps the fastest session\'s median', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eg-cal-rounds-')), 'host.yaml');
    const original = process.stderr.write.bind(process.stderr);
    let said = '';
    process.stderr.write = ((chunk: string | Uint8Array) => ((said += String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx', '--device', 'host-x64', '--out', out, '--runs', '3', '--rounds', '2']);
    } finally {
      process.stderr.write = original;
    }
    assert.equal(code, 0, said);
    const m = /: ([\d.]+) ms \(CPU time, fastest of 2 round medians of 3 runs: ([\d.]+) \/ ([\d.]+)\)/.exec(said);
    assert.ok(m, said);
    assert.equal(Number(m[1]), Math.min(Number(m[2]), Number(m[3])));
    const { profile } = loadProfile(out);
    assert.equal(profile.calibration!.models[0]!.measuredMs.toFixed(3), m[1]);
  });
  it('rejects --rounds 0', async () => {
    await assert.rejects(calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx', '--device', 'host-x64', '--rounds', '0']), /--rounds expects a positive integer/);
  });
  it('takes an edge runner\'s parity result.json as the measurement of its model (--result)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-cal-res-'));
    const model = '__tests__/fixtures/models/tiny_cnn.onnx';
    assert.equal(await parityCommand(['reference', model, '--out', join(dir, 'ref')], quietIo), 0);
    assert.equal(await parityCommand(['run', model, '--reference', join(dir, 'ref'), '--out', join(dir, 'result.json'), '--device', 'raspberry-pi-4', '--runs', '3', '--no-localization'], quietIo), 0);
    const result = readParityResult(join(dir, 'result.json'));
    assert.ok(result.latencyMs && result.latencyMs.median > 0);
    const out = join(dir, 'rpi4.yaml');
    const code = await calibrateCommand([model, '--device', 'raspberry-pi-4', '--result', join(dir, 'result.json'), '--out', out]);
    assert.equal(code, 0);
    const { profile } = loadProfile(out);
    assert.equal(profile.id, 'raspberry-pi-4');
    // The calibration block records figures to 5 significant digits (src/cost/calibrate.ts).
    assert.equal(profile.calibration!.models[0]!.measuredMs, Number(result.latencyMs.median.toPrecision(5)), 'the fit used the device measurement');
  });
  it('needs --device (usage error)', async () => {
    await assert.rejects(calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx']), { name: 'UsageError' });
  });
  it('a missing model file is an input error (exit 2)', async () => {
    const code = await calibrateCommand(['does-not-exist.onnx', '--device', 'host-x64', '--out', join(tmpdir(), 'x.yaml')]);
    assert.equal(code, 2);
  });
});
