import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateCommand } from '../../src/cli/calibrate-command.js';
import { loadProfile } from '../../src/profiles/load.js';

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
  it('needs --device (usage error)', async () => {
    await assert.rejects(calibrateCommand(['__tests__/fixtures/models/tiny_cnn.onnx']), { name: 'UsageError' });
  });
  it('a missing model file is an input error (exit 2)', async () => {
    const code = await calibrateCommand(['does-not-exist.onnx', '--device', 'host-x64', '--out', join(tmpdir(), 'x.yaml')]);
    assert.equal(code, 2);
  });
});
