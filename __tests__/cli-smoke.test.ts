import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/cli/main.js';

test('no arguments is a usage error', async () => {
  assert.equal(await main([]), 2);
});

test('a reader that closes the pipe early (`| head`) ends the CLI quietly, not with an EPIPE stack trace', async () => {
  const { spawn } = await import('node:child_process');
  const { resolve } = await import('node:path');
  // Several models × devices: the JSON report is far larger than one pipe buffer (64 KiB).
  const models = ['examples/kws_dscnn.onnx', 'examples/kws_dscnn.int8.qdq.onnx', 'examples/vww_mobilenet_v2_035.onnx'];
  const devices = ['raspberry-pi-4', 'coral-edgetpu', 'android-nnapi', 'qualcomm-htp'].flatMap((d) => ['--device', d]);
  const child = spawn(process.execPath, [resolve('bin/edgegate.js'), 'check', ...models, ...devices, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/, stderr);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});
