// onnxruntime-node loading: lazy (the static check never loads it), and resolvable from a vendored
// copy beside a bundle or from an explicit path, without node_modules.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrtUnavailableError, loadOnnxruntime, nativeBindingPath, ortCandidates } from '../../src/runtime/ort-loader.js';
import { vendorOnnxruntime } from '../../src/runtime/vendor.js';
import { REPO, fixture } from './helpers/paths.js';

let tmp: string;
before(() => (tmp = mkdtempSync(join(tmpdir(), 'edgegate-ort-'))));
after(() => rmSync(tmp, { recursive: true, force: true }));

function childRun(script: string, cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const file = join(tmp, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd, encoding: 'utf8', env: { ...process.env, EDGEGATE_ORT_PATH: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('onnxruntime-node loading', () => {
  it('importing the parity CLI and core does not load onnxruntime-node', () => {
    const r = childRun(`
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(join(REPO, 'src/cli/parity-command.ts'))});
      await import(${JSON.stringify(join(REPO, 'src/parity/run.ts'))});
      await import(${JSON.stringify(join(REPO, 'src/parity/reference.ts'))});
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(cache.filter((k) => k.includes('onnxruntime'))));
    `);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), []);
  });

  it('and the loader does load it when asked (the check above can fail)', () => {
    const r = childRun(`
      import { createRequire } from 'node:module';
      const { loadOnnxruntime } = await import(${JSON.stringify(join(REPO, 'src/runtime/ort-loader.ts'))});
      await loadOnnxruntime();
      console.log(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('onnxruntime-node')));
    `);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').pop(), 'true');
  });

  it('a bundle run by plain node loads the vendored copy beside it, with no node_modules in reach, and runs a model', async () => {
    const dist = join(tmp, 'clean-action', 'dist');
    vendorOnnxruntime(dist, [`${process.platform}/${process.arch}`]);
    // Bundle a tiny entry with the loader into dist/index.mjs, as the action bundle does.
    const entry = join(tmp, 'entry.mts');
    writeFileSync(entry, `
      import { loadOnnxruntime } from ${JSON.stringify(join(REPO, 'src/runtime/ort-loader.ts'))};
      const l = await loadOnnxruntime();
      const s = await l.ort.InferenceSession.create(process.argv[2]);
      const x = new l.ort.Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32]);
      const out = await s.run({ [s.inputNames[0]]: x });
      console.log(JSON.stringify({ source: l.source, dir: l.packageDir, dims: out[s.outputNames[0]].dims }));
    `);
    const { build } = await import('esbuild');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dist, 'index.mjs'), external: ['onnxruntime-node'], logLevel: 'error' });
    const r = spawnSync(process.execPath, [join(dist, 'index.mjs'), fixture('tiny_cnn.onnx')], { cwd: tmp, encoding: 'utf8', env: { ...process.env, EDGEGATE_ORT_PATH: '', NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { source: string; dir: string; dims: number[] };
    // node_modules resolution from /tmp finds nothing, so this is the vendored copy.
    assert.equal(j.source, 'vendored');
    assert.ok(j.dir.startsWith(dist));
    assert.deepEqual(j.dims, [1, 10]);
  });

  it('an explicit path wins; a path without the binary for this arch is skipped with a reason', async () => {
    const fake = join(tmp, 'fake-ort');
    cpSync(join(REPO, 'node_modules/onnxruntime-node/package.json'), join(fake, 'package.json'));
    const c = ortCandidates({ path: fake });
    assert.equal(c[0]!.source, 'path');
    await assert.rejects(loadOnnxruntime({ path: fake, bundleDirs: [], noNodeModules: true }), (e: unknown) => {
      assert.ok(e instanceof OrtUnavailableError);
      assert.match(e.message, new RegExp(nativeBindingPath().replace(/[/\\.]/g, '.')));
      return true;
    });
  });

  it('nothing usable gives OrtUnavailableError listing what was tried', async () => {
    await assert.rejects(loadOnnxruntime({ bundleDirs: [join(tmp, 'nothing')], noNodeModules: true }), /vendored .*nothing.*not found/);
  });
});
