import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultInjectingRunner, expectedUnitTargets, injectableNodes } from '../../src/parity/fault.js';
import { planParity } from '../../src/parity/plan.js';
import { DumpTooLargeError, makeReference } from '../../src/parity/reference.js';
import { runParity } from '../../src/parity/run.js';
import { ExternalRunner, OrtRunner } from '../../src/parity/runner.js';
import { readProtoModel } from '../../src/parity/proto-model.js';
import { parseParityResult } from '../../src/parity/result-schema.js';
import { compareDumps } from '../../src/parity/compare-dumps.js';
import { loadProfile } from '../../src/profiles/load.js';
import { STAND_IN, fixture } from './helpers/paths.js';

let tmp: string;
let ort: OrtRunner;
const refs = new Map<string, string>();

async function reference(model: string, seed = 0): Promise<string> {
  const key = `${model}#${seed}`;
  const hit = refs.get(key);
  if (hit) return hit;
  const dir = join(tmp, `ref-${model.replace(/\W/g, '_')}-${seed}`);
  await makeReference(fixture(model), { outDir: dir, runner: ort, inputs: { seed } });
  refs.set(key, dir);
  return dir;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-parity-test-'));
  ort = new OrtRunner({ workDir: tmp });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('parity run on this machine (x64 vs itself)', () => {
  for (const model of ['tiny_cnn.onnx', 'tiny_cnn.int8.qdq.onnx', 'tiny_cnn.int8.qop.onnx', 'tiny_lstm.onnx', 'tiny_vit_micro_dynamo.onnx', 'external/ext_model.onnx']) {
    it(`${model}: identical runs give zero failures and bit-identical tensors`, async () => {
      const r = await runParity(fixture(model), { referenceDir: await reference(model), runner: ort, latency: { runs: 2, warmup: 1 } });
      assert.equal(r.verdict, 'pass', r.detail);
      assert.equal(r.kernelsFailing, 0);
      assert.ok(r.kernels.length > 0, 'kernels were isolated');
      assert.ok(r.tensors.length > 0);
      assert.deepEqual(r.tensors.filter((t) => !t.identical).map((t) => t.name), []);
      assert.equal(r.firstDivergingNode, null);
      assert.equal(r.latencyMs?.runs, 2);
      // The result is valid against its own schema (what the report job checks).
      parseParityResult(JSON.parse(JSON.stringify(r)));
    });
  }

  it('int8 QDQ: the production pass runs QLinearConv, the localization pass does not', async () => {
    const r = await runParity(fixture('tiny_cnn.int8.qdq.onnx'), { referenceDir: await reference('tiny_cnn.int8.qdq.onnx'), runner: ort, latency: { runs: 0 } });
    const prodOps = r.passes.production!.kernelsRun.map((k) => k.op);
    const locOps = r.passes.localization!.kernelsRun.map((k) => k.op);
    assert.ok(prodOps.includes('QLinearConv'), `production ran ${prodOps.join(',')}`);
    assert.ok(!locOps.includes('QLinearConv'), `localization ran ${locOps.join(',')}`);
    assert.ok(r.kernels.some((k) => k.unit === 'qdq' && k.op === 'Conv'), 'Conv isolated as a QDQ unit');
    assert.ok(r.tensors.some((t) => t.stage === 'production' && (t.dtype === 'uint8' || t.dtype === 'int8')), 'Q outputs compared');
  });

  it('a model that is not the reference\'s model gives error MODEL_MISMATCH', async () => {
    const r = await runParity(fixture('tiny_lstm.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, latency: { runs: 0 } });
    assert.equal(r.verdict, 'error');
    assert.equal(r.reason, 'MODEL_MISMATCH');
  });

  it('a missing reference gives error REFERENCE_INVALID naming the file', async () => {
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: join(tmp, 'nope'), runner: ort, latency: { runs: 0 } });
    assert.equal(r.verdict, 'error');
    assert.equal(r.reason, 'REFERENCE_INVALID');
    assert.match(r.detail ?? '', /nope.*manifest\.json/);
  });
});

describe('fault localization (fixture, always run)', () => {
  const model = 'tiny_cnn.onnx';
  for (const factor of [1.1, 1.01]) {
    it(`weights ×${factor} on each injectable node: detected, first diverging kernel is that node`, async () => {
      const m = readProtoModel(fixture(model));
      const targets = injectableNodes(m);
      assert.ok(targets.length >= 3, 'tiny_cnn has several weighted nodes');
      for (const t of targets) {
        const faulty = new FaultInjectingRunner(ort, t.initializer, factor);
        try {
          const r = await runParity(fixture(model), { referenceDir: await reference(model), runner: faulty, latency: { runs: 0 }, skipLocalization: true });
          assert.equal(r.verdict, 'fail', `node ${t.node.index} ${t.node.opType} not detected`);
          assert.equal(r.firstDivergingNode?.index, t.node.index, `first diverging ${JSON.stringify(r.firstDivergingNode)} for injected ${t.node.index}`);
          // Downstream kernels were fed reference inputs, so only the injected kernel fails.
          assert.equal(r.kernelsFailing, 1);
        } finally {
          faulty.dispose();
        }
      }
    });
  }

  it('int8 QDQ: scaling each weight DQ scale ×1.1 is found in the unit that reads it', async () => {
    const model = 'tiny_cnn.int8.qdq.onnx';
    const m = readProtoModel(fixture(model));
    const all = injectableNodes(m).filter((x) => x.node.opType === 'DequantizeLinear');
    assert.ok(all.length >= 3, 'weight DequantizeLinears exist');
    for (const t of all) {
    const faulty = new FaultInjectingRunner(ort, t.initializer, 1.1);
    try {
      const r = await runParity(fixture(model), { referenceDir: await reference(model), runner: faulty, latency: { runs: 0 } });
      assert.equal(r.verdict, 'fail');
      const expected = expectedUnitTargets(planParity(m), t.node.index);
      assert.ok(expected.size > 0);
      assert.ok(expected.has(r.firstDivergingNode!.index), `first diverging ${r.firstDivergingNode!.index}, expected one of ${[...expected].join(',')}`);
    } finally {
      faulty.dispose();
    }
    }
  });
});

describe('device identity: the host must be the profile\'s platform', () => {
  // This machine is x64 (the suite's onnxruntime-node host); raspberry-pi-4 declares linux/arm64 Cortex-A72.
  const pi4 = loadProfile('raspberry-pi-4').profile;
  const x64 = loadProfile('host-x64').profile;

  it('a Pi 4 profile on an x64 host is not-run HOST_MISMATCH, never a pass under the Pi\'s name', { skip: process.arch !== 'x64' && 'needs an x64 host' }, async () => {
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, device: 'raspberry-pi-4', profile: pi4, latency: { runs: 0 } });
    assert.equal(r.verdict, 'not-run');
    assert.equal(r.reason, 'HOST_MISMATCH');
    assert.match(r.detail ?? '', /is not raspberry-pi-4 \(arm64, Cortex-A72\): .*arch x64 ≠ arm64.*--force/);
    assert.equal(r.hostMatch?.status, 'mismatch');
    assert.equal(r.forced, undefined);
    assert.deepEqual(r.kernels, []);
    parseParityResult(JSON.parse(JSON.stringify(r)));
  });

  it('forced, it runs and the result carries forced: true with the reasons', { skip: process.arch !== 'x64' && 'needs an x64 host' }, async () => {
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, device: 'raspberry-pi-4', profile: pi4, force: true, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass');
    assert.equal(r.forced, true);
    assert.match(r.hostMatch?.reasons.join('; ') ?? '', /arch x64 ≠ arm64/);
    parseParityResult(JSON.parse(JSON.stringify(r)));
  });

  it('a matching profile (host-x64 on an AVX2 x64 host) runs normally, not forced', { skip: process.arch !== 'x64' && 'needs an x64 host' }, async () => {
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, device: 'host-x64', profile: x64, force: true, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass', r.detail);
    assert.equal(r.hostMatch?.status, 'match', r.hostMatch?.summary);
    assert.equal(r.forced, undefined, 'nothing was forced');
  });

  it('an external runtime stands for the device by configuration: no host check', async () => {
    const ext = new ExternalRunner({ command: `${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)}`, workDir: join(tmp, "ext-identity") });
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: ext, device: 'raspberry-pi-4', profile: pi4, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass', r.detail);
    assert.equal(r.hostMatch, undefined);
  });
});

describe('external runtime protocol (stand-in runtime)', () => {
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)}`;

  it('a faithful external runtime passes and reports latency', async () => {
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: new ExternalRunner({ command: cmd, workDir: tmp }), latency: { runs: 2, warmup: 0 } });
    assert.equal(r.verdict, 'pass', r.detail);
    assert.equal(r.kernelsFailing, 0);
    assert.equal(r.latencyMs?.runs, 2);
    assert.match(r.host?.runtime ?? '', /external/);
  });

  it('with args, the command runs without a shell (config form: command + args + env)', async () => {
    const runner = new ExternalRunner({ command: process.execPath, args: [STAND_IN], env: { STANDIN_DROP: 'nothing' }, workDir: tmp });
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass', r.detail);
  });

  it('a runtime that corrupts one tensor is caught at that node', async () => {
    const m = readProtoModel(fixture('tiny_cnn.onnx'));
    const conv = m.nodes.filter((n) => n.opType === 'Conv')[1]!;
    process.env['STANDIN_CORRUPT'] = `${conv.outputs[0]}:1.05`;
    try {
      const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: new ExternalRunner({ command: cmd, workDir: tmp }), latency: { runs: 0 } });
      assert.equal(r.verdict, 'fail');
      assert.equal(r.firstDivergingNode?.index, conv.index);
    } finally {
      delete process.env['STANDIN_CORRUPT'];
    }
  });

  it('a tensor the runtime does not return is listed as missing, never as passed', async () => {
    const m = readProtoModel(fixture('tiny_cnn.onnx'));
    const dropped = m.nodes.find((n) => n.opType === 'MaxPool')!.outputs[0]!;
    process.env['STANDIN_DROP'] = dropped;
    try {
      const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: new ExternalRunner({ command: cmd, workDir: tmp }), latency: { runs: 0 } });
      assert.ok(r.passes.localization!.missing.includes(dropped));
      assert.ok(!r.tensors.some((t) => t.name === dropped && t.stage === 'localization'));
      assert.ok(r.kernelsSkipped.some((k) => k.op === 'MaxPool' && k.reason === 'OUTPUT_MISSING'));
      assert.ok(!r.kernels.some((k) => k.op === 'MaxPool'));
    } finally {
      delete process.env['STANDIN_DROP'];
    }
  });

  it('a failing runtime gives verdict error RUNNER_FAILED with its stderr', async () => {
    process.env['STANDIN_FAIL'] = '1';
    try {
      const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: await reference('tiny_cnn.onnx'), runner: new ExternalRunner({ command: cmd, workDir: tmp }), latency: { runs: 0 } });
      assert.equal(r.verdict, 'error');
      assert.equal(r.reason, 'RUNNER_FAILED');
      assert.match(r.detail ?? '', /failing on purpose/);
    } finally {
      delete process.env['STANDIN_FAIL'];
    }
  });
});

describe('reference dumps', () => {
  it('leave out constant-only tensors and keep every other localization tensor', async () => {
    const dir = await reference('tiny_cnn.dynamic.onnx');
    const man = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { omitted: { constantOnly: number }; localization: Record<string, string> };
    const m = readProtoModel(fixture('tiny_cnn.dynamic.onnx'));
    const { planParity } = await import('../../src/parity/plan.js');
    const plan = planParity(m);
    for (const name of Object.keys(man.localization)) assert.ok(!plan.uncompared.has(name), `${name} is constant-only but dumped`);
    assert.equal(Object.keys(man.localization).length + man.omitted.constantOnly, plan.localizationOutputs.length);
  });

  it('respect the size cap', async () => {
    await assert.rejects(makeReference(fixture('tiny_cnn.onnx'), { outDir: join(tmp, 'capped'), runner: ort, sizeCapBytes: 10_000 }), DumpTooLargeError);
  });

  it('compare: two dumps of the same model and seed agree; different seeds do not', async () => {
    const a = await reference('tiny_cnn.onnx', 0);
    const b = join(tmp, 'again');
    await makeReference(fixture('tiny_cnn.onnx'), { outDir: b, runner: ort, inputs: { seed: 0 } });
    const same = compareDumps(a, b);
    assert.equal(same.failing, 0);
    assert.ok(same.rows.length > 10);
    const other = compareDumps(a, await reference('tiny_cnn.onnx', 7));
    assert.ok(other.failing > 0);
  });

  it('edited models keep IR-10 fields: the dynamo fixture and a local-function model load after editing', async () => {
    for (const model of ['tiny_vit_micro_dynamo.onnx', 'local_function.onnx']) {
      const r = await runParity(fixture(model), { referenceDir: await reference(model), runner: ort, latency: { runs: 0 } });
      assert.equal(r.verdict, 'pass', `${model}: ${r.detail}`);
    }
  });

  it('copying a model elsewhere keeps its sha (reference is tied to bytes, not paths)', async () => {
    const copy = join(tmp, 'copy.onnx');
    copyFileSync(fixture('tiny_cnn.onnx'), copy);
    const r = await runParity(copy, { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass');
    writeFileSync(copy, Buffer.concat([readFileSync(copy), Buffer.from([0])]));
    const r2 = await runParity(copy, { referenceDir: await reference('tiny_cnn.onnx'), runner: ort, latency: { runs: 0 } });
    assert.equal(r2.reason, 'MODEL_MISMATCH');
  });
});
