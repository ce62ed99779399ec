/**
 * Fault injection for testing parity itself: a runner wrapper that behaves like a device with one
 * wrong kernel, by scaling one initializer (a node's weights) in every model it is asked to run.
 * Used by the fault-localization test and bench.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readProtoModel, withScaledInitializer } from './proto-model.js';
import type { ModelRunner, RunRequest, RunResult, RunnerInfo, TimingRequest } from './runner.js';
import type { ProtoModel, ProtoNode } from './proto-model.js';
import type { ParityPlan } from './plan.js';

/** Wraps a runner so that `initializer` is multiplied by `factor` wherever a model holds it. */
export class FaultInjectingRunner implements ModelRunner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'edgegate-fault-'));
  private n = 0;
  constructor(private readonly inner: ModelRunner, readonly initializer: string, readonly factor: number) {}

  info(): Promise<RunnerInfo> {
    return this.inner.info();
  }

  private rewrite(modelPath: string): string {
    const m = readProtoModel(modelPath);
    if (!m.initializers.has(this.initializer)) return modelPath;
    // Write beside the original so relative external data still resolves.
    const out = join(dirname(modelPath), `fault-${++this.n}-${basename(modelPath)}`);
    writeFileSync(out, withScaledInitializer(m, this.initializer, this.factor));
    return out;
  }

  run(req: RunRequest): Promise<RunResult> {
    return this.inner.run({ ...req, modelPath: this.rewrite(req.modelPath) });
  }

  time(req: TimingRequest): Promise<number[]> {
    // The original model may sit in a read-only folder: time the faulty copy from our own folder.
    const m = readProtoModel(req.modelPath);
    if (!m.initializers.has(this.initializer)) return this.inner.time(req);
    const out = join(this.dir, `fault-${++this.n}-${basename(req.modelPath)}`);
    writeFileSync(out, withScaledInitializer(m, this.initializer, this.factor));
    return this.inner.time({ ...req, modelPath: out });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Nodes whose weights can be scaled to inject a fault: a node reading a dense float32 initializer of
 * at least `minElements` elements that is not a quantization scale feeding a Q node. For DequantizeLinear
 * of weights, the scale initializer (input 1) is the one scaled, which scales the dequantized weights.
 */
export function injectableNodes(model: ProtoModel, minElements = 2): { node: ProtoNode; initializer: string }[] {
  const out: { node: ProtoNode; initializer: string }[] = [];
  const consumers = new Map<string, number>();
  for (const n of model.nodes) for (const x of n.inputs) consumers.set(x, (consumers.get(x) ?? 0) + 1);
  for (const n of model.nodes) {
    if (n.opType === 'DequantizeLinear') {
      const w = model.initializers.get(n.inputs[0] ?? '');
      const s = model.initializers.get(n.inputs[1] ?? '');
      // Weights DQ only (constant quantized input), scale owned by this node alone.
      // Weights are rank ≥ 2 (a 1-D bias is not "the node's weights" and moves outputs by < 1 step).
      if (w && !w.sparse && w.dims.length >= 2 && s && s.dtype === 1 && !s.sparse && s.externalLocation === null && consumers.get(s.name) === 1) out.push({ node: n, initializer: s.name });
      continue;
    }
    if (n.opType === 'QuantizeLinear') continue;
    if (n.opType === 'QLinearConv' || n.opType === 'QLinearMatMul') {
      // QOperator: scaling w_scale (input 4) scales the dequantized weights.
      const s = model.initializers.get(n.inputs[4] ?? '');
      if (s && s.dtype === 1 && !s.sparse && s.externalLocation === null && consumers.get(s.name) === 1) out.push({ node: n, initializer: s.name });
      continue;
    }
    for (const x of n.inputs) {
      const init = model.initializers.get(x);
      if (!init || init.sparse || init.dtype !== 1 || init.externalLocation !== null) continue;
      if (init.dims.reduce((a, b) => a * b, 1) < minElements) continue;
      if (consumers.get(x) !== 1) continue;
      out.push({ node: n, initializer: x });
      break;
    }
  }
  return out;
}


/**
 * The isolation units in which a fault injected at `nodeIndex` should show: the unit that contains
 * the node, or (for a constant node such as a weight DequantizeLinear left outside any unit, which
 * isolation computes inside its consumers' models) every unit whose nodes read its output.
 */
export function expectedUnitTargets(plan: ParityPlan, nodeIndex: number): Set<number> {
  const out = new Set<number>();
  for (const iso of plan.isolation) {
    if (iso.unit.nodes.includes(nodeIndex) || iso.constNodes.includes(nodeIndex)) out.add(iso.unit.target);
  }
  return out;
}
