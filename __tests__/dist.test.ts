// check-dist: the committed dist/index.js must be exactly what `npm run bundle` builds from src/
// (as actions/typescript-action's check-dist workflow does), and must carry no machine-specific paths.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

describe('dist/', () => {
  it('is up to date with src/ (rebuild and compare)', () => {
    const out = mkdtempSync(join(tmpdir(), 'edgegate-dist-'));
    try {
      const file = join(out, 'index.js');
      execFileSync(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '--config', 'rollup.config.js', '--silent'], {
        cwd: root,
        env: { ...process.env, EDGEGATE_DIST_OUT: file },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const built = readFileSync(file, 'utf8');
      const committed = readFileSync(join(root, 'dist', 'index.js'), 'utf8');
      if (built !== committed) {
        const a = built.split('\n');
        const b = committed.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        assert.fail(`dist/index.js is stale: first difference at line ${line + 1}. Run \`npm run bundle\` and commit dist/.\n  built:     ${a[line]?.slice(0, 160)}\n  committed: ${b[line]?.slice(0, 160)}`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('contains no absolute path of the build machine', () => {
    const committed = readFileSync(join(root, 'dist', 'index.js'), 'utf8');
    assert.equal(committed.includes(root), false, `dist/index.js mentions ${root}`);
  });

  it('bundles no onnxruntime code (onnxruntime-node is external and loaded lazily by src/runtime/)', () => {
    const committed = readFileSync(join(root, 'dist', 'index.js'), 'utf8');
    // onnxruntime-common's backend registry and onnxruntime-node's binding loader (`require(\`../bin/napi-v6/…/onnxruntime_binding.node\`)`)
    // would show up if bundled. src/runtime/ort-loader.ts names the binding file only to check that it exists.
    assert.equal(/registerBackend|\/onnxruntime_binding\.node/.test(committed), false);
  });
});
