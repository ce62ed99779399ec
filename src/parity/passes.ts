/**
 * The passes both sides run: production (optimizations `all`, model outputs + Q outputs),
 * localization (optimizations off, every intermediate tensor) and kernel isolation (each unit alone,
 * fed reference values of its inputs, optimizations `all` so quantized units run the fused int8 kernel
 * that ships). Models are written into a private work folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelRun, NodeTime } from './profile.js';
import { type ProtoModel, extractSubmodel, linkExternalData, withExtraOutputs } from './proto-model.js';
import { type IsolationUnit, type ParityPlan, isolationSubmodel } from './plan.js';
import type { ModelRunner, OptimizationLevel } from './runner.js';
import { type HostTensor, onnxFromDtype } from './tensor.js';

/** Optimization level per pass. Isolation runs `all` so QDQ units fuse into the shipped int8 kernels. */
export const PASS_OPTIMIZATION: Readonly<Record<'production' | 'localization' | 'isolation', OptimizationLevel>> = {
  production: 'all',
  localization: 'disabled',
  isolation: 'all',
};

/** A private folder for edited models; removed by `dispose()` unless the caller gave its own. */
export class WorkDir {
  readonly path: string;
  private readonly owned: boolean;
  constructor(model: ProtoModel, given?: string) {
    if (given) {
      mkdirSync(given, { recursive: true });
      this.path = given;
      this.owned = false;
    } else {
      this.path = mkdtempSync(join(tmpdir(), 'edgegate-parity-'));
      this.owned = true;
    }
    linkExternalData(model, this.path);
  }
  write(name: string, bytes: Uint8Array): string {
    const p = join(this.path, name);
    writeFileSync(p, bytes);
    return p;
  }
  dispose(): void {
    if (this.owned) rmSync(this.path, { recursive: true, force: true });
  }
}

export interface PassOutput {
  readonly outputs: ReadonlyMap<string, HostTensor>;
  readonly kernelsRun: readonly KernelRun[];
  readonly nodeTimes: readonly NodeTime[];
}

/** Runs the production pass. */
export async function runProductionPass(plan: ParityPlan, runner: ModelRunner, inputs: ReadonlyMap<string, HostTensor>, work: WorkDir): Promise<PassOutput> {
  const path = work.write('production.onnx', withExtraOutputs(plan.model, plan.productionOutputs.map((name) => ({ name }))));
  const r = await runner.run({ modelPath: path, inputs, outputNames: plan.productionOutputs, optimization: PASS_OPTIMIZATION.production, purpose: 'production', label: 'production', profile: true });
  return { outputs: r.outputs, kernelsRun: r.kernelsRun ?? [], nodeTimes: r.nodeTimes ?? [] };
}

/** Runs the localization pass. */
export async function runLocalizationPass(plan: ParityPlan, runner: ModelRunner, inputs: ReadonlyMap<string, HostTensor>, work: WorkDir): Promise<PassOutput> {
  const path = work.write('localization.onnx', withExtraOutputs(plan.model, plan.localizationOutputs.map((name) => ({ name }))));
  const wanted = [...new Set([...plan.model.outputs.map((o) => o.name), ...plan.localizationOutputs])];
  const r = await runner.run({ modelPath: path, inputs, outputNames: wanted, optimization: PASS_OPTIMIZATION.localization, purpose: 'localization', label: 'localization', profile: true });
  return { outputs: r.outputs, kernelsRun: r.kernelsRun ?? [], nodeTimes: r.nodeTimes ?? [] };
}

/** Where isolation gets the value of a fed tensor (graph input or reference intermediate). */
export type ReferenceLookup = (name: string) => HostTensor | undefined;

/** Result of isolating one unit: its outputs, or why it did not run. */
export type IsolationOutcome =
  | { readonly iso: IsolationUnit; readonly outputs: ReadonlyMap<string, HostTensor> }
  | { readonly iso: IsolationUnit; readonly skipped: string };

/** Runs one unit alone. */
export async function runIsolatedUnit(plan: ParityPlan, iso: IsolationUnit, runner: ModelRunner, lookup: ReferenceLookup, work: WorkDir): Promise<IsolationOutcome> {
  if (iso.skipped) return { iso, skipped: iso.skipped };
  const feeds = new Map<string, HostTensor>();
  const types = new Map<string, { dtype: number; dims: readonly number[] }>();
  for (const name of iso.fed) {
    const t = lookup(name);
    if (!t) return { iso, skipped: 'NO_REFERENCE' };
    feeds.set(name, t);
    types.set(name, { dtype: onnxFromDtype(t.type), dims: t.dims });
  }
  const spec = isolationSubmodel(plan, iso, types);
  const path = work.write(`isolated-${iso.unit.target}.onnx`, extractSubmodel(plan.model, spec));
  const r = await runner.run({
    modelPath: path,
    inputs: feeds,
    outputNames: iso.unit.outputs,
    optimization: PASS_OPTIMIZATION.isolation,
    purpose: 'isolation',
    label: `isolated-${iso.unit.target}`,
  });
  return { iso, outputs: r.outputs };
}
