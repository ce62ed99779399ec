// The verdict rule: kernels decide; a float model output out of tolerance fails; a quantized model
// output out of tolerance while every kernel passes is OUTPUT_DRIFT (a warning, not a failure).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReference } from '../../src/parity/reference.js';
import { runParity } from '../../src/parity/run.js';
import { type ModelRunner, OrtRunner, type RunRequest, type RunResult } from '../../src/parity/runner.js';
import { readProtoModel } from '../../src/parity/proto-model.js';
import { scalarFloatInitializer } from '../../src/parity/plan.js';
import type { HostTensor } from '../../src/parity/tensor.js';
import { fixture } from './helpers/paths.js';

/** A device whose production pass returns `tensor` shifted by `delta` on every third element. */
class PerturbingRunner implements ModelRunner {
  constructor(private readonly inner: ModelRunner, private readonly tensor: string, private readonly delta: number) {}
  info = (): ReturnType<ModelRunner['info']> => this.inner.info();
  time = (...a: Parameters<ModelRunner['time']>): ReturnType<ModelRunner['time']> => this.inner.time(...a);
  async run(req: RunRequest): Promise<RunResult> {
    const r = await this.inner.run(req);
    if (req.purpose !== 'production') return r;
    const outputs = new Map(r.outputs);
    const t = outputs.get(this.tensor) as HostTensor;
    const data = (t.data as Float32Array).map((v, i) => (i % 3 === 0 ? v + this.delta : v));
    outputs.set(this.tensor, { ...t, data });
    return { ...r, outputs };
  }
}

let tmp: string;
let ort: OrtRunner;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-verdict-'));
  ort = new OrtRunner({ workDir: tmp });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('parity verdict', () => {
  it('a float model output out of tolerance fails even when every kernel passes', async () => {
    const ref = join(tmp, 'fp32');
    await makeReference(fixture('tiny_cnn.onnx'), { outDir: ref, runner: ort });
    const r = await runParity(fixture('tiny_cnn.onnx'), { referenceDir: ref, runner: new PerturbingRunner(ort, 'output', 0.5), latency: { runs: 0 } });
    assert.equal(r.verdict, 'fail');
    assert.equal(r.kernelsFailing, 0);
    assert.equal(r.firstDivergingNode, null);
    assert.deepEqual(r.warnings, []);
  });

  it('a dequantized model output drifting 3 steps with every kernel passing is OUTPUT_DRIFT, not fail', async () => {
    const model = 'tiny_cnn.int8.qdq.onnx';
    const m = readProtoModel(fixture(model));
    const dq = m.nodes.find((n) => n.outputs[0] === 'output' && n.opType === 'DequantizeLinear')!;
    const scale = scalarFloatInitializer(m, dq.inputs[1]!)!;
    const ref = join(tmp, 'int8');
    await makeReference(fixture(model), { outDir: ref, runner: ort });
    const r = await runParity(fixture(model), { referenceDir: ref, runner: new PerturbingRunner(ort, 'output', 3 * scale), latency: { runs: 0 } });
    assert.equal(r.verdict, 'pass');
    assert.deepEqual(r.warnings, ['OUTPUT_DRIFT']);
    assert.ok(r.tensors.some((t) => t.name === 'output' && t.stage === 'production' && !t.pass));
  });
});
