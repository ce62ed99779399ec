/**
 * `edgegate parity run`: on the device, runs both passes and kernel isolation against a reference
 * dump, compares, times plain inference, and returns a small `result.json`. The large tensors never
 * leave the device.
 */
import { sha256File } from '../onnx/hash.js';
import { OrtUnavailableError } from '../runtime/ort-loader.js';
import type { DeviceProfile } from '../profiles/schema.js';
import { type PlatformMatch, matchPlatform, readHostPlatform } from '../runtime/host-match.js';
import { collectHostFacts } from './host.js';
import { type TensorMetrics, type ToleranceConfig, compareTensors, isQuantizedDtype, toleranceFor } from './metrics.js';
import { PASS_OPTIMIZATION, WorkDir, runIsolatedUnit, runLocalizationPass, runProductionPass } from './passes.js';
import { type ParityPlan, planParity } from './plan.js';
import { readProtoModel } from './proto-model.js';
import { NpyFormatError } from './npy.js';
import { ReferenceDump } from './reference.js';
import {
  type KernelResult,
  PARITY_RESULT_SCHEMA_VERSION,
  type ParityReason,
  type ParityResult,
  type TensorResult,
  ArtifactValidationError,
} from './result-schema.js';
import { RunnerError, type ModelRunner } from './runner.js';
import type { HostTensor } from './tensor.js';

export interface RunParityOptions {
  readonly referenceDir: string;
  readonly runner: ModelRunner;
  /** Device id recorded in the result. Default `host-<arch>`. */
  readonly device?: string;
  readonly tolerances?: ToleranceConfig;
  /** Latency timing; `runs: 0` skips it. Defaults: warmup 3, runs 10. */
  readonly latency?: { readonly warmup?: number; readonly runs?: number };
  readonly workDir?: string;
  /** Path recorded in the result. Default: the reference manifest's model path. */
  readonly modelLabel?: string;
  /** Skip the localization pass (its tensors are informational; kernels decide the verdict). */
  readonly skipLocalization?: boolean;
  /**
   * The device's profile. With onnxruntime-node as the runner, the host must match its declared platform
   * (src/runtime/host-match.ts), else the result is `not-run` / `HOST_MISMATCH`. Absent: `device` is only a
   * label for this machine. An external runtime stands for the device by configuration and is not checked.
   */
  readonly profile?: DeviceProfile;
  /** Run on a host that does not match `profile` anyway; the result then carries `forced: true`. */
  readonly force?: boolean;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Compares one tensor. The rmse/scale limit applies to isolated kernels only: there every kernel
 * sees the same inputs on both sides, so a systematic one-step shift means a wrong kernel. Through a
 * whole network, legitimate one-step differences accumulate (measured: up to 9 steps in mnasnet
 * s8s8 intermediates on arm64 while every kernel was within 1 step), so pass tensors are judged
 * elementwise only.
 */
function compareOne(plan: ParityPlan, name: string, actual: HostTensor, ref: HostTensor, tol: ToleranceConfig | undefined, isolated = false): TensorMetrics {
  const dq = plan.dequantScale.get(name);
  const full = toleranceFor(name, ref.type, tol, dq);
  const { maxRmseSteps, ...elementwise } = full;
  const tolerance = isolated ? full : elementwise;
  void maxRmseSteps;
  const scale = isQuantizedDtype(ref.type) ? 1 : dq;
  return compareTensors(actual, ref, { tolerance, ...(scale !== undefined ? { scale } : {}) });
}

function tensorEntry(plan: ParityPlan, name: string, stage: TensorResult['stage'], m: TensorMetrics, dtype: string, modelOutputs: ReadonlySet<string>): TensorResult {
  return {
    name,
    node: plan.producer.get(name) ?? null,
    stage,
    dtype,
    elements: m.elements,
    maxAbs: m.maxAbs,
    meanAbs: m.meanAbs,
    relL2: m.relL2,
    cosine: m.cosine,
    snrDb: m.snrDb,
    ...(m.rmseOverScale !== undefined ? { rmseOverScale: m.rmseOverScale } : {}),
    atol: m.atol,
    rtol: m.rtol,
    pass: m.pass,
    identical: m.identical,
    failing: m.failing,
    modelOutput: modelOutputs.has(name),
    ...(m.reason ? { reason: m.reason } : {}),
  };
}

/** A result that says nothing ran, with a reason. Never a pass. */
export function notRunResult(model: string, device: string, verdict: 'not-run' | 'error', reason: ParityReason, detail?: string): ParityResult {
  return {
    schemaVersion: PARITY_RESULT_SCHEMA_VERSION,
    model,
    modelSha256: null,
    device,
    verdict,
    reason,
    ...(detail ? { detail } : {}),
    firstDivergingNode: null,
    worstTensor: null,
    kernelsFailing: 0,
    kernelsSkipped: [],
    warnings: [],
    tensors: [],
    kernels: [],
    passes: {},
    latencyMs: null,
    profile: null,
    host: null,
    createdAt: new Date().toISOString(),
  };
}

/** Runs parity for one model against a reference dump. Errors become an `error` verdict, not a throw. */
export async function runParity(modelPath: string, options: RunParityOptions): Promise<ParityResult> {
  const device = options.device ?? `host-${process.arch}`;
  let dump: ReferenceDump;
  try {
    dump = ReferenceDump.open(options.referenceDir);
  } catch (cause) {
    return notRunResult(options.modelLabel ?? modelPath, device, 'error', 'REFERENCE_INVALID', cause instanceof Error ? cause.message : String(cause));
  }
  const label = options.modelLabel ?? dump.manifest.model.path;
  const sha = sha256File(modelPath);
  if (sha !== dump.manifest.model.sha256) {
    return { ...notRunResult(label, device, 'error', 'MODEL_MISMATCH', `model sha256 ${sha.slice(0, 12)} differs from the reference's ${dump.manifest.model.sha256.slice(0, 12)}`), modelSha256: sha };
  }
  let host: PlatformMatch | undefined;
  try {
    host = await hostMatch(options);
  } catch (cause) {
    return { ...notRunResult(label, device, 'error', errorReason(cause), cause instanceof Error ? cause.message : String(cause)), modelSha256: sha };
  }
  if (host?.status === 'mismatch' && !options.force) {
    return {
      ...notRunResult(label, device, 'not-run', 'HOST_MISMATCH', `${host.summary}. Run it on the device, or pass --force to measure here anyway (the result is then marked forced).`),
      modelSha256: sha,
      hostMatch: matchRecord(host),
    };
  }
  const model = readProtoModel(modelPath);
  const plan = planParity(model);
  const gap = coverageProblem(plan, dump);
  if (gap) return { ...notRunResult(label, device, 'error', 'REFERENCE_INVALID', gap.message), modelSha256: sha };
  const work = new WorkDir(model, options.workDir);
  try {
    const result = await runChecked(plan, dump, options, device, label, sha, work);
    if (!host) return result;
    return { ...result, hostMatch: matchRecord(host), ...(host.status === 'mismatch' ? { forced: true as const } : {}) };
  } catch (cause) {
    return { ...notRunResult(label, device, 'error', errorReason(cause), cause instanceof Error ? cause.message : String(cause)), modelSha256: sha };
  } finally {
    work.dispose();
  }
}

/**
 * Checks that the reference covers what the model's plan compares, and names nothing else: every
 * model input and output, only known intermediates, and every isolated unit either with reference
 * outputs (of that unit) or a recorded skip. A reference that would make the run compare less than
 * the plan says is invalid, never a quieter pass.
 */
export function coverageProblem(plan: ParityPlan, dump: ReferenceDump): ArtifactValidationError | undefined {
  const m = dump.manifest;
  const file = `${dump.dir}/manifest.json`;
  const bad = (field: string, reason: string): ArtifactValidationError => new ArtifactValidationError(file, field, reason);
  for (const i of plan.model.inputs) if (!Object.hasOwn(m.inputs, i.name)) return bad(`inputs`, `has no value for model input '${i.name}'`);
  const inputNames = new Set(plan.model.inputs.map((i) => i.name));
  for (const name of Object.keys(m.inputs)) if (!inputNames.has(name)) return bad(`inputs.${name}`, 'is not an input of the model');
  const production = new Set(plan.productionOutputs);
  for (const name of Object.keys(m.production)) if (!production.has(name)) return bad(`production.${name}`, 'is not an output the production pass compares');
  for (const o of plan.model.outputs) if (!Object.hasOwn(m.production, o.name)) return bad('production', `has no reference for model output '${o.name}'`);
  const localization = new Set(plan.localizationOutputs.filter((n) => !plan.uncompared.has(n)));
  for (const name of Object.keys(m.localization)) if (!localization.has(name)) return bad(`localization.${name}`, 'is not an intermediate tensor of the model');
  const units = new Map(plan.isolation.map((iso) => [String(iso.unit.target), iso]));
  for (const [target, outs] of Object.entries(m.isolation)) {
    const iso = units.get(target);
    if (!iso) return bad(`isolation.${target}`, 'is not an isolated unit of the model');
    const names = Object.keys(outs);
    if (names.length === 0) return bad(`isolation.${target}`, 'lists no outputs');
    for (const name of names) if (!iso.unit.outputs.includes(name)) return bad(`isolation.${target}.${name}`, 'is not an output of that unit');
  }
  for (const iso of plan.isolation) {
    const t = String(iso.unit.target);
    if (!Object.hasOwn(m.isolation, t) && !Object.hasOwn(m.isolationSkipped, t)) return bad('isolation', `has no reference and no recorded skip for unit ${t} (${plan.model.nodes[iso.unit.target]?.opType ?? '?'})`);
  }
  return undefined;
}

function errorReason(cause: unknown): ParityReason {
  if (cause instanceof OrtUnavailableError) return 'ORT_UNAVAILABLE';
  if (cause instanceof RunnerError) return 'RUNNER_FAILED';
  return cause instanceof ArtifactValidationError || cause instanceof NpyFormatError ? 'REFERENCE_INVALID' : 'INTERNAL';
}

/** Compares this host with the profile when onnxruntime-node here is what measures; undefined otherwise. */
async function hostMatch(options: RunParityOptions): Promise<PlatformMatch | undefined> {
  if (!options.profile) return undefined;
  const info = await options.runner.info();
  if (info.kind !== 'onnxruntime-node') return undefined;
  return matchPlatform(options.profile, readHostPlatform({ ortVersion: info.ortVersion }));
}

function matchRecord(m: PlatformMatch): NonNullable<ParityResult['hostMatch']> {
  return { status: m.status, reasons: [...m.reasons], emulated: m.emulated, summary: m.summary };
}

async function runChecked(plan: ParityPlan, dump: ReferenceDump, options: RunParityOptions, device: string, label: string, sha: string, work: WorkDir): Promise<ParityResult> {
  const m = dump.manifest;
  const runner = options.runner;
  const inputs = dump.inputs();
  const modelOutputs = new Set(plan.model.outputs.map((o) => o.name));
  const tensors: TensorResult[] = [];

  const prod = await runProductionPass(plan, runner, inputs, work);
  const prodMissing: string[] = [];
  let prodFailing = 0;
  for (const [name, id] of Object.entries(m.production)) {
    const ref = dump.tensor(id);
    const got = prod.outputs.get(name);
    if (!got) {
      prodMissing.push(name);
      continue;
    }
    const r = compareOne(plan, name, got, ref, options.tolerances);
    if (!r.pass) prodFailing++;
    tensors.push(tensorEntry(plan, name, 'production', r, ref.type, modelOutputs));
  }

  let locInfo: NonNullable<ParityResult['passes']['localization']> | undefined;
  if (!options.skipLocalization) {
    const loc = await runLocalizationPass(plan, runner, inputs, work);
    const missing: string[] = [];
    let failing = 0;
    for (const [name, id] of Object.entries(m.localization)) {
      const got = loc.outputs.get(name);
      if (!got) {
        missing.push(name);
        continue;
      }
      const ref = dump.tensor(id);
      const r = compareOne(plan, name, got, ref, options.tolerances);
      if (!r.pass) failing++;
      tensors.push(tensorEntry(plan, name, 'localization', r, ref.type, modelOutputs));
    }
    locInfo = { optimization: PASS_OPTIMIZATION.localization, outputs: plan.localizationOutputs.length, compared: Object.keys(m.localization).length - missing.length, failing, kernelsRun: [...loc.kernelsRun], missing };
  }

  // Kernel isolation, fed with the reference's own values of every unit input.
  const refValue = (name: string): HostTensor | undefined => {
    const id = m.inputs[name] ?? m.localization[name];
    return id ? dump.tensor(id) : undefined;
  };
  const kernels: KernelResult[] = [];
  const kernelsSkipped: ParityResult['kernelsSkipped'] = [];
  for (const iso of plan.isolation) {
    const target = plan.model.nodes[iso.unit.target]!;
    const refOuts = m.isolation[String(iso.unit.target)];
    if (!refOuts) {
      kernelsSkipped.push({ index: target.index, op: target.opType, reason: m.isolationSkipped[String(iso.unit.target)] ?? 'NO_REFERENCE' });
      continue;
    }
    const out = await runIsolatedUnit(plan, iso, runner, refValue, work);
    if ('skipped' in out) {
      kernelsSkipped.push({ index: target.index, op: target.opType, reason: out.skipped });
      continue;
    }
    let maxAbs: number | null = 0;
    let rmseOverScale: number | undefined;
    let failing = 0;
    let pass = true;
    let reason: string | undefined;
    const compared: string[] = [];
    for (const [name, id] of Object.entries(refOuts)) {
      const got = out.outputs.get(name);
      if (!got) {
        reason = 'OUTPUT_MISSING';
        continue;
      }
      const r = compareOne(plan, name, got, dump.tensor(id), options.tolerances, true);
      compared.push(name);
      maxAbs = maxAbs === null || r.maxAbs === null ? null : Math.max(maxAbs, r.maxAbs);
      if (r.rmseOverScale !== undefined) rmseOverScale = Math.max(rmseOverScale ?? 0, r.rmseOverScale);
      failing += r.failing;
      if (!r.pass) {
        pass = false;
        reason ??= r.reason;
      }
    }
    if (compared.length === 0) {
      kernelsSkipped.push({ index: target.index, op: target.opType, reason: 'OUTPUT_MISSING' });
      continue;
    }
    kernels.push({
      index: target.index,
      name: target.name,
      op: target.opType,
      position: iso.position,
      unit: iso.unit.kind,
      nodes: [...iso.unit.nodes],
      maxAbs,
      ...(rmseOverScale !== undefined ? { rmseOverScale } : {}),
      failing,
      pass,
      outputs: compared,
      ...(reason ? { reason } : {}),
    });
  }
  kernels.sort((a, b) => a.position - b.position);
  const firstBad = kernels.find((k) => !k.pass);

  let latencyMs: ParityResult['latencyMs'] = null;
  const runs = options.latency?.runs ?? 10;
  if (runs > 0) {
    const warmup = options.latency?.warmup ?? 3;
    const samples = await runner.time({ modelPath: plan.model.file, inputs, warmup, runs });
    latencyMs = { median: median(samples), runs: samples.length, warmup, samples };
  }

  const info = await runner.info();
  // A quantized model output can drift by a few steps through a network whose every kernel is within
  // tolerance (measured: mobilenet_v3 int8 on arm64, 3 steps at the output, each kernel ≤ 1 step).
  // That is the model's quantization sensitivity, not a wrong kernel: QDQ fusions stay inside units,
  // which isolation checks, so it is a warning. Float outputs have no such excuse and fail.
  const isQuantizedOutput = (t: TensorResult): boolean => plan.dequantScale.has(t.name) || ['int8', 'uint8', 'int16', 'uint16'].includes(t.dtype);
  const badOutputs = tensors.filter((t) => t.stage === 'production' && t.modelOutput && !t.pass);
  const outputFail = badOutputs.some((t) => !isQuantizedOutput(t));
  const warnings: ParityResult['warnings'] = badOutputs.length > 0 && !outputFail ? ['OUTPUT_DRIFT'] : [];
  const kernelsFailing = kernels.filter((k) => !k.pass).length;
  const worst = [...tensors].sort((a, b) => score(b) - score(a))[0];
  if (tensors.length === 0 && kernels.length === 0) {
    // Nothing compared is not a pass: the runtime returned none of the tensors the reference holds.
    const missing = prodMissing.length + (locInfo?.missing.length ?? 0);
    return { ...notRunResult(label, device, 'error', 'RUNNER_FAILED', `nothing was compared: the runtime returned none of the ${missing} reference tensors and no isolated kernel ran`), modelSha256: sha };
  }
  const verdict = kernelsFailing > 0 || outputFail ? 'fail' : 'pass';
  return {
    schemaVersion: PARITY_RESULT_SCHEMA_VERSION,
    model: label,
    modelSha256: sha,
    device,
    verdict,
    firstDivergingNode: firstBad ? { index: firstBad.index, name: firstBad.name, op: firstBad.op } : null,
    worstTensor: worst ? { name: worst.name, stage: worst.stage, maxAbs: worst.maxAbs, pass: worst.pass } : null,
    kernelsFailing,
    kernelsSkipped,
    warnings,
    tensors,
    kernels,
    passes: {
      production: { optimization: PASS_OPTIMIZATION.production, outputs: plan.productionOutputs.length, compared: Object.keys(m.production).length - prodMissing.length, failing: prodFailing, kernelsRun: [...prod.kernelsRun], missing: prodMissing },
      ...(locInfo ? { localization: locInfo } : {}),
      isolation: { units: kernels.length, skipped: kernelsSkipped.length, optimization: PASS_OPTIMIZATION.isolation },
    },
    latencyMs,
    profile: prod.nodeTimes.length > 0 ? { source: 'production-pass', nodes: prod.nodeTimes.map((n) => ({ index: n.index, name: n.name, op: n.op, provider: n.provider, meanUs: n.meanUs })) } : null,
    host: collectHostFacts(info.ortVersion, info.kind === 'external' ? `external: ${info.detail ?? ''}` : `onnxruntime-node ${info.ortVersion ?? ''}`),
    createdAt: new Date().toISOString(),
  };
}

/** Badness for "worst layer": failing first, then the error relative to the tolerance. */
function score(t: TensorResult): number {
  if (t.maxAbs === null) return Number.MAX_VALUE;
  const rel = t.maxAbs / Math.max(t.atol, 1e-30);
  return (t.pass ? 0 : 1e12) + rel;
}
