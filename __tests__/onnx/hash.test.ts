/**
 * Model digests: the worker-thread hasher that `runCheck` uses agrees with a one-shot SHA-256 of the
 * bytes, marks unreadable files as null instead of failing the run, and the report carries the digest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashFilesInBackground, sha256File } from '../../src/onnx/hash.js';
import { runCheck } from '../../src/check.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-hash-'));
const oneShot = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('digests match a one-shot SHA-256, across the 1 MiB read boundary, and missing files are null', async () => {
  const sizes = [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 7, 3 * (1 << 20) + 5];
  const files = sizes.map((n, i) => {
    const p = join(dir, `blob-${i}.bin`);
    writeFileSync(p, Buffer.from(Array.from({ length: n }, (_, k) => (k * 31 + i) & 0xff)));
    return p;
  });
  const missing = join(dir, 'does-not-exist.onnx');
  const digests = await hashFilesInBackground([...files, missing, files[0]!], { inlineFallback: false, inlineBelowBytes: 0 });
  assert.equal(digests.size, files.length + 1, 'one entry per distinct path');
  for (const p of files) {
    assert.equal(digests.get(p), oneShot(p), p);
    assert.equal(sha256File(p), oneShot(p), `inline ${p}`);
  }
  assert.equal(digests.get(missing), null);
});

test('runCheck reports each readable model with its file digest, and a broken one with null', async () => {
  const model = resolve('examples/kws_dscnn.onnx');
  const broken = join(dir, 'broken.onnx');
  writeFileSync(broken, Buffer.from([0x08, 0x07, 0x12, 0xff, 0xff]));
  const report = await runCheck({ models: [model, broken], devices: [] });
  assert.equal(report.models[0]!.sha256, oneShot(model));
  assert.equal(report.models[1]!.sha256, null);
  assert.ok(report.models[1]!.errors.length > 0);
});
