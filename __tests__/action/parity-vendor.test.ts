// dist/vendor/node_modules: the onnxruntime-node that GitHub's runners load beside dist/index.js
// (no npm install there). It must match the version in package-lock/node_modules, hold the linux x64
// and arm64 binaries only, and be byte-identical to them. Rebuild with `npm run bundle`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/e2e-harness.js';

const vendored = join(REPO_ROOT, 'dist', 'vendor', 'node_modules');
const installed = join(REPO_ROOT, 'node_modules');
const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('dist/vendor (onnxruntime-node beside the bundle)', () => {
  it('has onnxruntime-node and onnxruntime-common at the installed versions', () => {
    for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
      assert.ok(existsSync(join(vendored, pkg, 'package.json')), `${pkg} is vendored (run npm run bundle)`);
      assert.equal(version(join(vendored, pkg)), version(join(installed, pkg)), `${pkg} version`);
    }
  });

  it('carries the linux x64 and arm64 binaries only, identical to the installed ones', () => {
    const bin = join(vendored, 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(bin), ['linux']);
    assert.deepEqual(readdirSync(join(bin, 'linux')).sort(), ['arm64', 'x64']);
    for (const arch of ['x64', 'arm64']) {
      for (const f of readdirSync(join(bin, 'linux', arch))) {
        assert.equal(sha(join(bin, 'linux', arch, f)), sha(join(installed, 'onnxruntime-node', 'bin', 'napi-v6', 'linux', arch, f)), `linux/${arch}/${f}`);
      }
      assert.ok(existsSync(join(bin, 'linux', arch, 'onnxruntime_binding.node')));
    }
  });
});
