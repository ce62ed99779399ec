// Real ARM kernels: runs `parity run` under the emulated arm64 Node 24 (qemu user mode, the real
// linux-arm64 onnxruntime binary) against an x64 reference made here. Skips locally when the
// emulated runner is missing; under CI=true a missing runner fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findArm64Runner, runArm64 } from '../../scripts/arm64-runner/env.mjs';
import { bundleParityCli } from '../../scripts/arm64-runner/bundle-parity.mjs';
import { makeReference } from '../../src/parity/reference.js';
import { OrtRunner } from '../../src/parity/runner.js';
import { readParityResult } from '../../src/parity/result-schema.js';
import { REPO, fixture } from './helpers/paths.js';

type Runner = ReturnType<typeof findArm64Runner>;
const runner = findArm64Runner();
if (!runner.available && process.env['CI'] === 'true') {
  throw new Error(`CI=true but the emulated arm64 runner is unavailable: ${runner.reason}`);
}

describe('parity on emulated arm64 (real linux-arm64 onnxruntime kernels)', { skip: runner.available ? false : runner.reason }, () => {
  let tmp: string;
  let bundle: string;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'edgegate-arm64-'));
    bundle = await bundleParityCli(join(tmp, 'bundle', 'parity.mjs'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const model of ['tiny_cnn.onnx', 'tiny_cnn.int8.qdq.onnx']) {
    it(`${model}: arm64 against the x64 reference, no false alarm at default tolerances`, async () => {
      const ref = join(tmp, `ref-${model}`);
      await makeReference(fixture(model), { outDir: ref, runner: new OrtRunner({ workDir: tmp }) });
      const out = join(tmp, `${model}.result.json`);
      const r = await runArm64(runner as Extract<Runner, { available: true }>, [
        bundle, 'run', fixture(model), '--reference', ref, '--out', out, '--device', 'raspberry-pi-4', '--runs', '1', '--warmup', '0',
        '--ort-path', join(REPO, 'node_modules', 'onnxruntime-node'), '--work-dir', join(tmp, `work-${model}`),
      ]);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stdout}${r.stderr}`);
      const res = readParityResult(out);
      assert.equal(res.host?.arch, 'arm64', 'really ran on arm64');
      // The emulated cortex-a72 is the Pi 4's declared core (qemu's model, the root's cpuinfo): a match, marked emulated.
      assert.equal(res.hostMatch?.status, 'match', res.hostMatch?.summary);
      assert.equal(res.hostMatch?.emulated, `qemu-user ${(runner as Extract<Runner, { available: true }>).cpu}`);
      assert.equal(res.host?.emulated, res.hostMatch?.emulated);
      assert.equal(res.forced, undefined);
      assert.equal(res.verdict, 'pass', JSON.stringify(res.kernels.filter((k) => !k.pass)));
      assert.equal(res.kernelsFailing, 0);
      const outputs = res.tensors.filter((t) => t.modelOutput && t.stage === 'production');
      assert.ok(outputs.length > 0);
      for (const t of outputs) assert.ok(t.maxAbs !== null && t.maxAbs <= (model.includes('int8') ? 1 : 1e-4), `${t.name} maxAbs ${t.maxAbs}`);
      process.stdout.write(`# ${model} arm64 vs x64: production output maxAbs ${outputs.map((t) => t.maxAbs).join(',')}, worst kernel ${Math.max(...res.kernels.map((k) => k.maxAbs ?? 0))}\n`);
    });
  }

  it('the emulated cortex-a72 is not a Raspberry Pi 5 (Cortex-A76): HOST_MISMATCH, exit 2, nothing run', async () => {
    const model = 'tiny_cnn.onnx';
    const ref = join(tmp, `ref-${model}`);
    const out = join(tmp, 'pi5.result.json');
    const r = await runArm64(runner as Extract<Runner, { available: true }>, [
      bundle, 'run', fixture(model), '--reference', ref, '--out', out, '--device', 'raspberry-pi-5', '--runs', '0',
      '--ort-path', join(REPO, 'node_modules', 'onnxruntime-node'), '--work-dir', join(tmp, 'work-pi5'),
    ]);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    const res = readParityResult(out);
    assert.equal(`${res.verdict}/${res.reason}`, 'not-run/HOST_MISMATCH');
    assert.match(res.detail ?? '', /Cortex-A72 \(0xd08\) are not the declared Cortex-A76 \(0xd0b\)/);
  });
});
