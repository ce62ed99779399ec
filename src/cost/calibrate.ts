/**
 * Calibration: fit a profile's op-class efficiencies, memory bandwidth and per-node overhead of one compute
 * unit to measurements (onnxruntime-node runs on this machine, or edge-runner timings from parity), and
 * record where the figures came from in a `calibration` block.
 *
 * Method (docs/cost-model.md): each measured time (a source-node group from the per-node profile, or the
 * whole model when only a total is known) is modelled as Σ nodes max(compute, memory) + kernels × overhead,
 * with compute = work ÷ (peak × efficiency_class,dtype). With each node's bound fixed, that is linear in the
 * multipliers y = prior/new efficiency, bandwidth and overhead; a bounded, weighted least-squares fit
 * (coordinate descent, ridge toward the prior) solves it, then bounds are re-decided and it is re-fitted.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { QuietRecord } from './quiet.js';
import type { DevicePlacement, PlacedNode } from '../profiles/placement.js';
import type { Calibration, ComputeDtype, ComputeUnit, DeviceProfile, Figure, OpClass } from '../profiles/schema.js';
import { estimateCost, peakFor, efficiencyFor, workOptionsFor } from './estimate.js';
import { sourceWork, type SourceWork } from './work.js';
import { fitKernelCurves, kernelCurveTime, ownKernelSeconds, profileResolves, type KernelPoint } from './kernel-curves.js';
import { computeDtypeBytes } from './op-class.js';

export interface CalibrationMeasurement {
  /** Model file as recorded in the calibration block. */
  readonly model: string;
  readonly sha256?: string;
  readonly analysis: GraphAnalysis;
  /** Default: every node on the fitted unit (a CPU host). */
  readonly placement?: DevicePlacement;
  /** Median end-to-end latency, ms. */
  readonly measuredMs: number;
  /** Per source-node group kernel time (one run), ms, from the per-node profile. */
  readonly groups?: readonly {
    readonly sourceNodes: readonly number[];
    readonly ms: number;
    /** Runtime kernels (profile events per run) in the group; default: the cost model's kernels in it. */
    readonly kernels?: number;
  }[];
  /** Sum of profiled kernel times for one run, ms (to separate per-inference overhead). */
  readonly kernelSumMs?: number;
  /** Share of profiled time mapped to source groups. */
  readonly coverage?: number;
}

export interface FitOptions {
  readonly runtime: { readonly name: string; readonly version: string; readonly options?: Record<string, string | number | boolean> };
  readonly host?: string;
  /** YYYY-MM-DD (default today). */
  readonly date?: string;
  /** Default `edgegate`. */
  readonly tool?: string;
  /** Unit to fit (default the profile's fallback unit). */
  readonly unit?: string;
  /** Efficiency bounds (default [0.002, 1]). */
  readonly efficiencyBounds?: readonly [number, number];
  /** Where the calibrated file will live (recorded in the source note). */
  readonly output?: string;
  /**
   * Move only the figures the profile marks `estimate: true` (or lacks); a documented figure (a datasheet,
   * a STREAM run) stays. For measurements that are not the profile's own runtime on the device, such as
   * other runtimes' published figures, which can explain a runtime's difference with any free figure.
   */
  readonly onlyEstimates?: boolean;
  /**
   * Keep the per-node overhead. Whole-model times of networks with 50-300 nodes hardly tell it apart from
   * kernel efficiency, yet it dominates the small models they do not cover.
   */
  readonly holdPerNodeOverhead?: boolean;
}

/** Calibration cannot run (no usable measurement, unit missing). */
export class CalibrationError extends Error {
  override readonly name = 'CalibrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A placement with every node on the CPU fallback unit (calibration on a CPU host). */
export function cpuPlacement(analysis: GraphAnalysis, profileId: string): DevicePlacement {
  const nodes: PlacedNode[] = analysis.model.graph.nodes.map((n) => ({
    index: n.index,
    name: n.name,
    op: n.opType,
    domain: n.domain,
    placement: 'cpu-fallback',
    reason: 'OK',
    sourceNodes: [n.index],
    partition: null,
  }));
  return {
    profileId,
    placedGraph: 'source',
    countBasis: `${nodes.length} nodes of the model as stored`,
    nodes,
    partitions: [],
    nodesTotal: nodes.length,
    nodesAccelerated: 0,
    macsTotal: analysis.totals.macs,
    macsAccelerated: 0,
    macsAcceleratedFraction: 0,
    verdict: 'pass',
    verdictReason: 'calibration placement: every node on the CPU',
    quantization: {
      scheme: 'float32',
      activationDtypes: [],
      weightDtypes: [],
      weightGranularity: [],
      symmetricWeights: null,
      quantizedNodeShare: 0,
      accepted: true,
      message: '',
    },
  };
}

interface NodeTerm {
  readonly key: string;
  readonly opClass: OpClass;
  readonly dtype: ComputeDtype;
  /** Seconds at the prior efficiency. */
  readonly c0: number;
  /** Seconds at the prior bandwidth: weights (DRAM) and activations (possibly cache), and their sum. */
  readonly mW0: number;
  readonly mA0: number;
  readonly m0: number;
}

interface Row {
  readonly model: number;
  readonly terms: NodeTerm[];
  /** Kernels (per-node overheads) in the row. */
  readonly kernels: number;
  /** Measured seconds. */
  readonly t: number;
}

function nodeTerms(m: CalibrationMeasurement, profile: DeviceProfile, unit: ComputeUnit): Map<number, NodeTerm> {
  const works = sourceWork(m.analysis, workOptionsFor(profile));
  const out = new Map<number, NodeTerm>();
  const bwW = unit.memoryBandwidthBytesPerSecond.value;
  const bwA = profile.calibration?.activationBandwidthBytesPerSecond?.[unit.id] ?? bwW;
  for (const w of works) {
    if (w.free || w.mergedAs !== undefined) continue;
    const eff = efficiencyFor(profile, unit, w.opClass, w.dtype).value;
    const peak = peakFor(unit, w.dtype).value;
    const total = w.bytes ?? 0;
    const wb = Math.min(w.weightBytes, total);
    const mW0 = wb / bwW;
    const mA0 = (total - wb) / bwA;
    // A matrix product that uses each weight once or twice (a batch-1 classifier Gemm: a GEMV) is bound by
    // reading its weights, whatever the kernel's arithmetic rate: it gets a fit-only key so that it cannot
    // set the class's compute efficiency, which GEMM-shaped products (attention, MLPs on tokens) need.
    const elem = computeDtypeBytes(w.dtype);
    const reuse = w.weightBytes > 0 && w.macs !== null ? w.macs / (w.weightBytes / elem) : Infinity;
    out.set(w.index, {
      key: w.opClass === 'matmul' && reuse < GEMV_MAX_REUSE ? `${w.opClass}/${w.dtype}/gemv` : `${w.opClass}/${w.dtype}`,
      opClass: w.opClass,
      dtype: w.dtype,
      c0: (w.work ?? 0) / (peak * eff),
      mW0,
      mA0,
      m0: mW0 + mA0,
    });
  }
  return out;
}

/**
 * Profiling adds a fixed cost to every kernel event (timestamps, the event record): short kernels look
 * longer in the profile than they run, an additive bias that a proportional rescale would leave in the
 * dispatch-bound groups (and from there in the per-node overhead). Across the profiled models,
 * `Σ kernels − measured = events × profiler − perInference`; a least-squares line through the models
 * (weighted by 1/measured², i.e. in relative terms) gives both. With fewer than three profiled models:
 * no profiler correction, and the per-inference overhead is the lower quartile of `measured − Σ kernels`.
 * @returns seconds per kernel event and per inference (both ≥ 0).
 */
export function profilerAndPerInference(models: readonly { measuredMs: number; kernelSumMs?: number; kernels: number }[]): { profilerS: number; perInferenceS: number } {
  const pts = models.filter((m) => m.kernelSumMs !== undefined && m.kernels > 0 && m.measuredMs > 0);
  const distinctCounts = new Set(pts.map((m) => m.kernels)).size;
  if (pts.length >= 3 && distinctCounts >= 2) {
    let sxx = 0, sx = 0, s1 = 0, sxy = 0, sy = 0;
    for (const m of pts) {
      const w = 1 / (m.measuredMs * m.measuredMs);
      const y = m.kernelSumMs! - m.measuredMs;
      sxx += w * m.kernels * m.kernels;
      sx += w * m.kernels;
      s1 += w;
      sxy += w * m.kernels * y;
      sy += w * y;
    }
    const det = sxx * s1 - sx * sx;
    if (det > 0) {
      const p = (sxy * s1 - sx * sy) / det;
      const b = (sxx * sy - sx * sxy) / det;
      if (p >= 0 && b <= 0) return { profilerS: p / 1e3, perInferenceS: -b / 1e3 };
      if (p >= 0) return { profilerS: Math.max(0, sxy / sxx) / 1e3, perInferenceS: 0 };
    }
  }
  const gaps = pts.map((m) => Math.max(0, m.measuredMs - m.kernelSumMs!)).sort((a, b) => a - b);
  return { profilerS: 0, perInferenceS: gaps.length > 0 ? gaps[Math.floor((gaps.length - 1) / 4)]! / 1e3 : 0 };
}

/** Weight reuse (MACs per weight element) below which a matmul counts as a GEMV in the fit. */
export const GEMV_MAX_REUSE = 2;

/**
 * The related class whose calibration correction an op class inherits when the calibration set does not
 * exercise it (same unit, same dtype). MatMul/Gemm and ConvTranspose run on the same MLAS GEMM kernels as
 * Conv (im2col + MlasGemm; docs/cost-model.md); Softmax, normalization, reductions and pooling are streaming
 * vector loops like the elementwise kernels.
 */
export const UNOBSERVED_CLASS_REFERENCE: Readonly<Partial<Record<OpClass, OpClass>>> = {
  matmul: 'conv',
  convtranspose: 'conv',
  softmax: 'elementwise',
  norm: 'elementwise',
  reduce: 'elementwise',
  pool: 'elementwise',
};

/**
 * Evidence a fit needs before it replaces a class's prior: the class's compute time, as a share of the
 * measured groups it is in, summed over groups, must reach one whole group.
 */
export const MIN_EVIDENCE = 1;

/** Bounded least squares by cyclic coordinate descent on the normal equations (small problems). */
function boxLeastSquares(H: number[][], g: number[], lo: number[], hi: number[], x0: number[]): number[] {
  const x = x0.slice();
  const n = x.length;
  for (let it = 0; it < 2000; it++) {
    let change = 0;
    for (let k = 0; k < n; k++) {
      if (H[k]![k]! <= 0) continue;
      let s = g[k]!;
      for (let j = 0; j < n; j++) if (j !== k) s -= H[k]![j]! * x[j]!;
      const v = Math.min(hi[k]!, Math.max(lo[k]!, s / H[k]![k]!));
      change = Math.max(change, Math.abs(v - x[k]!) / Math.max(1e-9, Math.abs(x[k]!)));
      x[k] = v;
    }
    if (change < 1e-9) break;
  }
  return x;
}

export interface FitDetail {
  readonly models: { model: string; measuredMs: number; estimatedMs: number }[];
  readonly efficiencies: Record<string, number>;
  readonly overheadUs: number;
  readonly bandwidth: number;
  readonly activationBandwidth: number;
  readonly perInferenceOverheadUs: number;
  /** Profiler cost per kernel event removed from the profiled group times, µs. */
  readonly profilerOverheadUs: number;
  readonly sigma: Record<string, number>;
  readonly residualSigma: number;
}

/**
 * Fits `profile`'s figures for one unit to the measurements and returns the calibrated profile (a new
 * object; the input is not changed) with a `calibration` block.
 * @throws CalibrationError when there is nothing to fit.
 */
export function fitCalibration(
  measurements: readonly CalibrationMeasurement[],
  profile: DeviceProfile,
  options: FitOptions = { runtime: { name: 'unknown', version: 'unknown' } },
): DeviceProfile {
  return fitCalibrationDetailed(measurements, profile, options).profile;
}

/** `fitCalibration` plus the fitted numbers (for the CLI's summary and the bench). */
export function fitCalibrationDetailed(
  measurements: readonly CalibrationMeasurement[],
  profile: DeviceProfile,
  options: FitOptions,
): { profile: DeviceProfile; detail: FitDetail } {
  const unitId = options.unit ?? profile.hardware.fallbackUnit;
  const unit = profile.hardware.units.find((u) => u.id === unitId);
  if (!unit) throw new CalibrationError(`profile ${profile.id} has no unit '${unitId}'`);
  const usable = measurements.filter((m) => m.measuredMs > 0 && Number.isFinite(m.measuredMs));
  if (usable.length === 0) throw new CalibrationError('no usable measurement (every measured latency is missing or zero)');
  const [effLo, effHi] = options.efficiencyBounds ?? [0.002, 1];

  const termsPerModel = usable.map((m) => nodeTerms(m, profile, unit));
  const kernelsOf = (g: { sourceNodes: readonly number[]; kernels?: number }, mi: number): number =>
    g.kernels ?? g.sourceNodes.filter((i) => termsPerModel[mi]!.has(i)).length;
  const { profilerS, perInferenceS } = profilerAndPerInference(usable.map((m, mi) => ({
    measuredMs: m.measuredMs,
    kernelSumMs: m.kernelSumMs,
    kernels: m.groups ? m.groups.reduce((s, g) => s + kernelsOf(g, mi), 0) : 0,
  })));
  const rows: Row[] = [];
  usable.forEach((m, mi) => {
    const terms = termsPerModel[mi]!;
    if (m.groups && m.groups.length > 0) {
      // The profile gives the split between groups; the unprofiled median gives the total (profiling
      // adds its own cost, and contention inflates both): scale the groups to the measured total.
      // Each event first loses the profiler's own cost (see profilerAndPerInference).
      const adjusted = m.groups.map((g) => Math.max(0.1 * g.ms, g.ms - kernelsOf(g, mi) * profilerS * 1e3));
      const sum = adjusted.reduce((a, x) => a + x, 0);
      const scale = sum > 0 ? Math.min(4, Math.max(0.25, (m.measuredMs - perInferenceS * 1e3) / sum)) : 1;
      m.groups.forEach((g, gi) => {
        const ts = g.sourceNodes.map((i) => terms.get(i)).filter((t): t is NodeTerm => t !== undefined);
        if (ts.length === 0 || g.ms <= 0) return;
        rows.push({ model: mi, terms: ts, kernels: ts.length, t: (adjusted[gi]! * scale) / 1e3 });
      });
    } else {
      const ts = [...terms.values()];
      rows.push({ model: mi, terms: ts, kernels: ts.length, t: Math.max(1e-7, m.measuredMs / 1e3 - perInferenceS) });
    }
  });
  if (rows.length === 0) throw new CalibrationError('no measured node group maps to a node with a kernel');

  const keys = [...new Set(rows.flatMap((r) => r.terms.map((t) => t.key)))].sort();
  const idx = new Map(keys.map((k, i) => [k, i]));
  const nK = keys.length;
  const iMem = nK;
  const iOv = nK + 1;
  const iAct = nK + 2;
  const n = nK + 3;
  const ov0 = Math.max(unit.perNodeOverheadUs.value, 0.1) * 1e-6;
  const effPrior = new Map<string, number>();
  for (const r of rows) for (const t of r.terms) if (!effPrior.has(t.key)) effPrior.set(t.key, efficiencyFor(profile, unit, t.opClass, t.dtype).value);
  const lo = [...keys.map((k) => effPrior.get(k)! / effHi), 0.1, 0, 0.05];
  const hi = [...keys.map((k) => effPrior.get(k)! / effLo), 10, 200e-6 / ov0, 10];
  let y = new Array<number>(n).fill(1);
  // Per-node overhead straight from the data when there is enough of it: single-kernel groups whose work
  // and bytes explain under a fifth of their time are pure dispatch. Fitting it jointly instead lets it
  // soak up whatever the model misses (e.g. Q/DQ kernels ORT keeps in int8 graphs).
  const dispatch = rows
    .filter((r) => r.kernels === 1 && r.terms.every((t) => Math.max(t.c0, t.m0) < 0.2 * r.t))
    .map((r) => r.t - Math.max(r.terms[0]!.c0, r.terms[0]!.m0))
    .sort((a, b) => a - b);
  if (dispatch.length >= 5) {
    const v = Math.min(hi[iOv]!, dispatch[dispatch.length >> 1]! / ov0);
    lo[iOv] = v;
    hi[iOv] = v;
    y[iOv] = v;
  }
  // Variables held at the prior: their figures stay as the profile documents them.
  const held = new Set<number>();
  const fix = (i: number): void => {
    held.add(i);
    lo[i] = 1;
    hi[i] = 1;
    y[i] = 1;
  };
  if (options.holdPerNodeOverhead) fix(iOv);
  if (options.onlyEstimates) {
    keys.forEach((k, i) => {
      const [cls, dt] = k.split('/') as [OpClass, ComputeDtype];
      const fig = unit.efficiency[cls]?.[dt];
      if (fig !== undefined && fig.estimate !== true) fix(i);
    });
    if (unit.memoryBandwidthBytesPerSecond.estimate !== true) fix(iMem);
    if (unit.perNodeOverheadUs.estimate !== true) fix(iOv);
  }

  for (let iter = 0; iter < 8; iter++) {
    const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const g = new Array<number>(n).fill(0);
    for (const r of rows) {
      const a = new Array<number>(n).fill(0);
      for (const t of r.terms) {
        const k = idx.get(t.key)!;
        if (t.c0 * y[k]! >= t.mW0 * y[iMem]! + t.mA0 * y[iAct]!) a[k] += t.c0;
        else {
          a[iMem] += t.mW0;
          a[iAct] += t.mA0;
        }
      }
      a[iOv] = r.kernels * ov0;
      // Relative weighting, made robust (IRLS toward least absolute relative error) so that groups the
      // model cannot represent (kernels ORT keeps that we count as fused) do not drag every figure.
      let pred = 0;
      for (let i = 0; i < n; i++) pred += a[i]! * y[i]!;
      const rel = Math.abs(pred - r.t) / r.t;
      const w = (1 / Math.max(r.t, 20e-6)) * (iter === 0 ? 1 : 1 / Math.max(rel, 0.1));
      for (let i = 0; i < n; i++) {
        if (a[i] === 0) continue;
        g[i] += w * a[i]! * r.t;
        for (let j = 0; j < n; j++) H[i]![j] += w * a[i]! * a[j]!;
      }
    }
    // Ridge toward the prior (y = 1), small against the data; keeps unobserved variables at the prior.
    let tr = 0;
    for (let i = 0; i < n; i++) tr += H[i]![i]!;
    const lambda = (1e-4 * tr) / n + 1e-30;
    for (let i = 0; i < n; i++) {
      H[i]![i] += lambda;
      g[i] += lambda;
    }
    y = boxLeastSquares(H, g, lo, hi, y);
  }

  // Fitted time per node, per model and key, and σ per key from per-model ratios measured/fitted.
  const fitted = (t: NodeTerm): number => Math.max(t.c0 * y[idx.get(t.key)!]!, t.mW0 * y[iMem]! + t.mA0 * y[iAct]!);
  const perModelKey = usable.map(() => new Map<string, { F: number; M: number }>());
  const modelFit = usable.map(() => 0);
  usable.forEach((_, mi) => {
    let tot = 0;
    for (const t of termsPerModel[mi]!.values()) tot += fitted(t) + ov0 * y[iOv]!;
    modelFit[mi] = tot + perInferenceS;
  });
  for (const r of rows) {
    const tot = r.terms.reduce((s, t) => s + fitted(t), 0) + r.kernels * ov0 * y[iOv]!;
    if (tot <= 0) continue;
    for (const t of r.terms) {
      const share = (fitted(t) + ov0 * y[iOv]!) / tot;
      const e = perModelKey[r.model]!.get(t.key) ?? { F: 0, M: 0 };
      e.F += fitted(t) + ov0 * y[iOv]!;
      e.M += r.t * share;
      perModelKey[r.model]!.set(t.key, e);
    }
  }
  // Evidence per key: how much measured time its compute-bound terms explain (in whole groups).
  const evidence = new Map<string, number>();
  for (const r of rows) {
    for (const t of r.terms) {
      const c = t.c0 * y[idx.get(t.key)!]!;
      if (c >= t.mW0 * y[iMem]! + t.mA0 * y[iAct]! && r.t > 0) evidence.set(t.key, (evidence.get(t.key) ?? 0) + Math.min(1, c / r.t));
    }
  }
  const observed = (k: string): boolean => (evidence.get(k) ?? 0) >= MIN_EVIDENCE;
  const sigma: Record<string, number> = {};
  for (const k of keys) {
    if (k.split('/').length !== 2) continue;
    const logs: number[] = [];
    usable.forEach((_, mi) => {
      const e = perModelKey[mi]!.get(k);
      if (e && e.F > 0 && e.M > 0 && e.F >= 0.02 * modelFit[mi]!) logs.push(Math.log(e.M / e.F));
    });
    if (logs.length === 0) continue;
    const rms = Math.sqrt(logs.reduce((s, v) => s + v * v, 0) / logs.length);
    // One model says little about the spread: never below ln 1.25 then; never below ln 1.1 at all.
    sigma[k] = Math.max(rms, logs.length === 1 ? Math.log(1.25) : Math.log(1.1));
  }
  const resLogs = usable.map((m, mi) => Math.log(m.measuredMs / 1e3 / modelFit[mi]!));
  // In-sample residuals understate the error on a model the fit has not seen: divide by the degrees of freedom
  // left (models - fitted parameters: the observed efficiencies, two bandwidths, the overhead), not by the count.
  const fittedParameters = keys.filter((k) => k.split('/').length === 2 && observed(k)).length + 3;
  const residualSigma = Math.sqrt(resLogs.reduce((s, v) => s + v * v, 0) / Math.max(1, resLogs.length - fittedParameters));

  // Build the calibrated profile.
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  const sourceId = 'edgegate-calibration';
  const modelsNote = usable.map((m) => m.model).join(', ');
  const out = structuredClone(profile) as DeviceProfile & { sources?: Record<string, unknown> };
  out.sources = {
    ...(out.sources ?? {}),
    [sourceId]: {
      path: options.output ?? 'calibrated profile',
      version: `${options.tool ?? 'edgegate'}; ${options.runtime.name} ${options.runtime.version}`,
      retrieved: date,
      section: 'calibration',
      note: `fitted by edgegate calibrate from measurements of: ${modelsNote}`.slice(0, 2000),
    },
  };
  const u = out.hardware.units.find((x) => x.id === unitId)!;
  const priors = recordPriors(profile, unit);
  const efficiencies: Record<string, number> = {};
  const fittedEff = (k: string): number => Math.min(effHi, Math.max(effLo, effPrior.get(k)! / y[idx.get(k)!]!));
  for (const k of keys) {
    const [cls, dt, sub] = k.split('/') as [OpClass, ComputeDtype, string | undefined];
    if (sub !== undefined || !observed(k) || held.has(idx.get(k)!)) continue;
    const v = fittedEff(k);
    efficiencies[k] = v;
    const byClass = (u.efficiency[cls] ??= {});
    byClass[dt] = { value: Number(v.toPrecision(4)), source: sourceId, note: `fitted (prior ${Number(effPrior.get(k)!.toPrecision(3))})` };
  }
  // Classes the measurements do not exercise keep their prior, corrected by the factor calibration found
  // for the related class on the same unit and dtype (UNOBSERVED_CLASS_REFERENCE), rather than a number
  // the fit could not see.
  const derivedSigma: Record<string, number> = {};
  for (const [cls, byDtype] of Object.entries(unit.efficiency) as [OpClass, Partial<Record<ComputeDtype, { value: number }>>][]) {
    for (const [dt, prior] of Object.entries(byDtype) as [ComputeDtype, { value: number }][]) {
      const k = `${cls}/${dt}`;
      if (observed(k) || !prior || (options.onlyEstimates && (prior as Figure).estimate !== true)) continue;
      const refCls = UNOBSERVED_CLASS_REFERENCE[cls];
      const ref = refCls ? `${refCls}/${dt}` : undefined;
      const byClass = (u.efficiency[cls] ??= {});
      if (ref && observed(ref) && idx.has(ref)) {
        const factor = fittedEff(ref) / effPrior.get(ref)!;
        const v = Math.min(effHi, Math.max(effLo, prior.value * factor));
        efficiencies[k] = v;
        byClass[dt] = { value: Number(v.toPrecision(4)), source: sourceId, note: `not exercised by the calibration models: prior ${Number(prior.value.toPrecision(3))} x ${Number(factor.toPrecision(3))}, the correction fitted for ${ref}` };
        derivedSigma[k] = Math.sqrt((sigma[ref] ?? Math.log(1.5)) ** 2 + Math.log(1.5) ** 2);
      } else if (idx.has(k)) {
        // In the fit but without evidence: the prior stands.
        byClass[dt] = { ...byClass[dt]!, value: prior.value };
      }
    }
  }
  for (const cls of Object.keys(u.efficiency) as OpClass[]) {
    for (const dt of Object.keys(u.efficiency[cls] ?? {}) as ComputeDtype[]) {
      if (u.efficiency[cls]?.[dt]?.source === sourceId) priors.keep(cls, dt);
    }
  }
  for (const [k, v] of Object.entries(derivedSigma)) sigma[k] = v;
  for (const k of Object.keys(sigma)) if (!observed(k) && derivedSigma[k] === undefined) delete sigma[k];
  const bandwidth = unit.memoryBandwidthBytesPerSecond.value / y[iMem]!;
  const actPrior = profile.calibration?.activationBandwidthBytesPerSecond?.[unitId] ?? unit.memoryBandwidthBytesPerSecond.value;
  const activationBandwidth = actPrior / y[iAct]!;
  if (!held.has(iMem)) u.memoryBandwidthBytesPerSecond = { value: Math.round(bandwidth), source: sourceId, note: `fitted (prior ${unit.memoryBandwidthBytesPerSecond.value})` };
  const overheadUs = ov0 * y[iOv]! * 1e6;
  if (!held.has(iOv)) u.perNodeOverheadUs = { value: Number(overheadUs.toPrecision(4)), source: sourceId, note: `fitted (prior ${unit.perNodeOverheadUs.value})` };
  const uncertainty: Calibration['uncertainty'] = { [unitId]: {} };
  for (const [k, s] of Object.entries(sigma)) {
    const [cls, dt] = k.split('/') as [OpClass, ComputeDtype];
    const byClass = (uncertainty[unitId]![cls] ??= {});
    byClass[dt] = Number(s.toPrecision(4));
  }
  const calibration: Calibration = {
    date,
    tool: options.tool ?? 'edgegate',
    runtime: { name: options.runtime.name, version: options.runtime.version, ...(options.runtime.options ? { options: options.runtime.options } : {}) },
    ...(options.host ? { host: options.host } : {}),
    method: `bounded weighted least squares per op class x dtype over source-node groups; profiler cost ${(profilerS * 1e6).toFixed(2)} us per kernel event removed (docs/cost-model.md)`,
    models: usable.map((m) => ({
      file: m.model,
      ...(m.sha256 ? { sha256: m.sha256 } : {}),
      measuredMs: Number(m.measuredMs.toPrecision(5)),
      ...(m.coverage !== undefined ? { coverage: Number(m.coverage.toFixed(4)) } : {}),
    })),
    perInferenceOverheadUs: Number((perInferenceS * 1e6).toPrecision(4)),
    activationBandwidthBytesPerSecond: { [unitId]: Math.round(activationBandwidth) },
    uncertainty,
    overheadSigma: { [unitId]: Math.log(1.3), 'per-inference': Math.log(1.5) },
    residualSigma: Number(residualSigma.toPrecision(4)),
    priors: priors.block(),
  };
  out.calibration = calibration;
  // Record the calibrated profile's own (in-sample) estimate for each model.
  const models = usable.map((m) => {
    const est = estimateCost(m.analysis, m.placement ?? cpuPlacement(m.analysis, profile.id), out).latencyMs?.estimate ?? NaN;
    return { model: m.model, measuredMs: m.measuredMs, estimatedMs: est };
  });
  out.calibration = {
    ...calibration,
    models: calibration.models.map((c, i) => ({ ...c, estimatedMs: Number((models[i]!.estimatedMs || 0).toPrecision(5)) })),
  };
  return {
    profile: out,
    detail: { models, efficiencies, overheadUs, bandwidth, activationBandwidth, perInferenceOverheadUs: perInferenceS * 1e6, profilerOverheadUs: profilerS * 1e6, sigma, residualSigma },
  };
}

type UnitPriors = NonNullable<Calibration['priors']>[string];

/**
 * The figures of `unit` before this fit replaces them: an earlier calibration's recorded priors win (they are
 * the original figures), else the figure as it stands. Bandwidth and overhead are always replaced; an
 * efficiency only when the fit `keep`s it.
 */
function recordPriors(profile: DeviceProfile, unit: ComputeUnit): { keep(cls: OpClass, dt: ComputeDtype): void; block(): NonNullable<Calibration['priors']> } {
  const earlier = profile.calibration?.priors ?? {};
  const before: UnitPriors = earlier[unit.id] ?? {};
  const efficiency: NonNullable<UnitPriors['efficiency']> = structuredClone(before.efficiency ?? {});
  return {
    keep(cls, dt) {
      const original = unit.efficiency[cls]?.[dt];
      if (original === undefined || efficiency[cls]?.[dt] !== undefined) return;
      (efficiency[cls] ??= {})[dt] = structuredClone(original);
    },
    block() {
      const mine: UnitPriors = {
        efficiency,
        memoryBandwidthBytesPerSecond: structuredClone(before.memoryBandwidthBytesPerSecond ?? unit.memoryBandwidthBytesPerSecond),
        perNodeOverheadUs: structuredClone(before.perNodeOverheadUs ?? unit.perNodeOverheadUs),
      };
      return { ...structuredClone(earlier), [unit.id]: mine };
    },
  };
}

/**
 * The profile with its calibration undone: every figure a calibration replaced is back to its recorded prior,
 * and the `calibration` block is gone. A profile without recorded priors loses only the block (calibrations
 * written before priors were recorded cannot be undone further). The input is not changed.
 */
export function uncalibrated(profile: DeviceProfile): DeviceProfile {
  if (!profile.calibration) return profile;
  const out = structuredClone(profile);
  for (const [unitId, p] of Object.entries(out.calibration!.priors ?? {})) {
    const u = out.hardware.units.find((x) => x.id === unitId);
    if (!u) continue;
    for (const [cls, byDtype] of Object.entries(p.efficiency ?? {}) as [OpClass, Partial<Record<ComputeDtype, Figure>>][]) {
      for (const [dt, fig] of Object.entries(byDtype) as [ComputeDtype, Figure][]) (u.efficiency[cls] ??= {})[dt] = fig;
    }
    if (p.memoryBandwidthBytesPerSecond) u.memoryBandwidthBytesPerSecond = p.memoryBandwidthBytesPerSecond;
    if (p.perNodeOverheadUs) u.perNodeOverheadUs = p.perNodeOverheadUs;
  }
  delete (out as { calibration?: unknown }).calibration;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Kernel calibration (calibrate --kernels): per-kernel curves from the generated grid
// ---------------------------------------------------------------------------------------------------

export interface KernelCalibrationInput {
  /** The timed grid (src/cost/kernel-measure.ts). */
  readonly points: readonly KernelPoint[];
  /** Grid size and where it ran, e.g. `full on host` (recorded). */
  readonly grid: string;
  /** Wall-clock seconds the timing took (recorded). */
  readonly seconds?: number;
  /** What the speed sentinel saw while the host timed the grid (recorded; src/cost/quiet.ts). */
  readonly quiet?: QuietRecord;
}

export interface KernelCalibrationDetail {
  readonly perInferenceOverheadUs: number;
  readonly perNodeOverheadUs: number;
  /** What profiling added per kernel event (removed from the grid's profiled kernel times), µs. */
  readonly profilerOverheadUs: number;
  readonly curves: number;
  readonly points: number;
  readonly skipped: { id: string; reason: string }[];
  /** Whole-model measurements (generated networks, user models, parity results): measured vs the calibrated estimate. */
  readonly models: { model: string; measuredMs: number; estimatedMs: number }[];
  /** Per curve key: the in-network correction those measurements set (keys without one are left out). */
  readonly context: Record<string, number>;
}

/** Residual σ of a kernel-calibrated profile that no whole-model measurement checked. */
const KERNEL_ONLY_RESIDUAL_SIGMA = Math.log(1.1);

/**
 * Ridge toward "no correction" of the per-variant in-network factors, against squared relative errors of
 * whole models: a variant that makes up a share s of a model's time weighs s² there, so one that takes half
 * of a model (0.25) is fitted, one that takes a twentieth (0.0025) keeps its curve.
 */
const CONTEXT_RIDGE = 0.05;
/** Bounds of an in-network factor: the grid's micro-models are what the curves stand on. */
const CONTEXT_BOUNDS: readonly [number, number] = [0.5, 2];

/**
 * Per-variant in-network factors m_k from whole-model rows: each row's measured time M is modelled as
 * O + Σ_k m_k·T_k (T_k: the curve time of the row's variant-k kernels, O: the rest of its estimate), and the
 * factors minimise Σ ((M − O − Σ m_k·T_k) / M)² + CONTEXT_RIDGE · Σ (m_k − 1)² within CONTEXT_BOUNDS.
 * @returns key → factor, for the keys that occur in a row.
 */
export function fitContextFactors(rows: readonly { measuredS: number; otherS: number; byKey: ReadonlyMap<string, number> }[]): Map<string, number> {
  const keys = [...new Set(rows.flatMap((r) => [...r.byKey.keys()]))].sort();
  const n = keys.length;
  if (n === 0) return new Map();
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const g = new Array<number>(n).fill(0);
  for (const r of rows) {
    if (!(r.measuredS > 0)) continue;
    const a = keys.map((k) => (r.byKey.get(k) ?? 0) / r.measuredS);
    const b = (r.measuredS - r.otherS) / r.measuredS;
    for (let i = 0; i < n; i++) {
      g[i]! += a[i]! * b;
      for (let j = 0; j < n; j++) H[i]![j]! += a[i]! * a[j]!;
    }
  }
  for (let i = 0; i < n; i++) {
    H[i]![i]! += CONTEXT_RIDGE;
    g[i]! += CONTEXT_RIDGE;
  }
  const m = boxLeastSquares(H, g, keys.map(() => CONTEXT_BOUNDS[0]), keys.map(() => CONTEXT_BOUNDS[1]), keys.map(() => 1));
  return new Map(keys.map((k, i) => [k, m[i]!]));
}

/**
 * Calibrates `profile` from the timed kernel grid, and from whole-model measurements when there are any
 * (the grid's generated networks; local models, or `--result` timings of the parity job):
 * - per-kernel curves by shape from the grid's micro-models (src/cost/kernel-curves.ts, src/cost/curve-fit.ts),
 *   with the per-node and per-inference overheads from its overhead chains;
 * - op-class figures for ops no curve covers, fitted as by `fitCalibrationDetailed` over the micro-models
 *   and the whole models;
 * - per curve variant, the in-network factor the whole models support (`fitContextFactors`: a variant that
 *   they hardly exercise keeps its curve; no correction is shared by all variants), and the residual σ.
 */
export function fitKernelCalibration(
  kernels: KernelCalibrationInput,
  userModels: readonly CalibrationMeasurement[],
  profile: DeviceProfile,
  options: FitOptions & {
    readonly forced?: { host: string; reason: string };
    /** The timing machine's last-level cache, when the grid ran on it (written as the unit's `cacheBytes`). */
    readonly lastLevelCacheBytes?: number;
    /** The timing machine's level-2 cache, when the grid ran on it (written as the unit's `coreCacheBytes`). */
    readonly level2CacheBytes?: number;
  },
): { profile: DeviceProfile; detail: KernelCalibrationDetail } {
  const unitId = options.unit ?? profile.hardware.fallbackUnit;
  const unit = profile.hardware.units.find((u) => u.id === unitId);
  if (!unit) throw new CalibrationError(`profile ${profile.id} has no unit '${unitId}'`);
  const prior = { perInferenceS: (profile.calibration?.perInferenceOverheadUs ?? 0) * 1e-6, perNodeS: unit.perNodeOverheadUs.value * 1e-6 };
  const works = (a: GraphAnalysis): readonly SourceWork[] => sourceWork(a, workOptionsFor(profile));
  const fit = fitKernelCurves(kernels.points, unit, works, prior);
  if (fit.curves.length === 0) throw new CalibrationError('the kernel grid gave no usable timing (every case was skipped)');
  // Op-class figures (for ops without a curve): each case stands for its own kernel and dispatch.
  // Generated networks join like whole models.
  const composites: CalibrationMeasurement[] = kernels.points.filter((p) => p.composite).map((p) => ({ model: `kernel:${p.id}`, analysis: p.analysis, measuredMs: p.measuredMs }));
  const models: readonly CalibrationMeasurement[] = [...composites, ...userModels];
  // A case whose profile does not resolve its kernel (within twice the profiler's cost per event) sets no
  // op-class figure either, as it sets no curve: the subtraction left such cases 15-490x too fast.
  const micro: CalibrationMeasurement[] = kernels.points
    .filter((p) => p.overheadChain === undefined && !p.stream && !p.composite && !p.layoutTransposes && profileResolves(p, fit.profilerS) && works(p.analysis).filter((w) => !w.free && w.mergedAs === undefined && w.opType !== 'Slice').length === 1)
    .map((p) => ({ model: `kernel:${p.id}`, analysis: p.analysis, measuredMs: Math.max(1e-6, (ownKernelSeconds(p, fit) + fit.perNodeS) * 1e3) }));
  const base = fitCalibrationDetailed([...micro, ...models], profile, options).profile;
  const out = structuredClone(base);
  const u = out.hardware.units.find((x) => x.id === unitId)!;
  u.perNodeOverheadUs = { value: Number((fit.perNodeS * 1e6).toPrecision(4)), source: 'edgegate-calibration', note: `measured: chains of 1…N kernels (prior ${unit.perNodeOverheadUs.value})` };
  // The other cases run with hot caches; weights of a real model stream from DRAM at the stream case's rate.
  if (fit.weightBandwidth !== undefined) {
    u.memoryBandwidthBytesPerSecond = { value: Math.round(fit.weightBandwidth), source: 'edgegate-calibration', note: `measured: a GEMV over 64 MiB of weights (prior ${unit.memoryBandwidthBytesPerSecond.value})` };
  }
  if (fit.coldWeightStall) {
    u.coldWeightStall = {};
    for (const [dtype, st] of Object.entries(fit.coldWeightStall)) {
      const note = `measured: ${st.points.length} chains of ${dtype} 1x1 convolutions with 48 MiB of weights against one convolution alone (${st.points.map((q) => `${(q.weightBytes / 2 ** 20).toFixed(3)} MiB: ${q.coldS >= q.hotS ? '+' : ''}${((q.coldS - q.hotS) * 1e6).toFixed(1)} us`).join(', ')})`;
      u.coldWeightStall[dtype as ComputeDtype] = {
        perKernelUs: { value: Number((st.perKernelS * 1e6).toPrecision(4)), source: 'edgegate-calibration', note },
        perMebibyteUs: { value: Number((st.perByteS * 2 ** 20 * 1e6).toPrecision(4)), source: 'edgegate-calibration', note },
        fromMebibytes: { value: Number((st.fromBytes / 2 ** 20).toPrecision(4)), source: 'edgegate-calibration', note: "the smallest chain's weights per convolution" },
      };
    }
  }
  if (options.lastLevelCacheBytes !== undefined) {
    u.cacheBytes = { value: options.lastLevelCacheBytes, source: 'edgegate-calibration', note: `read from /sys/devices/system/cpu/cpu0/cache of the machine that timed the grid (prior ${unit.cacheBytes?.value ?? 'none'})` };
  }
  if (options.level2CacheBytes !== undefined) {
    u.coreCacheBytes = { value: options.level2CacheBytes, source: 'edgegate-calibration', note: `level 2 of the machine that timed the grid (/sys/devices/system/cpu/cpu0/cache, else getconf LEVEL2_CACHE_SIZE) (prior ${unit.coreCacheBytes?.value ?? 'none'})` };
  }
  const quiet = kernels.quiet
    ? { ...kernels.quiet, floorMs: Number(kernels.quiet.floorMs.toPrecision(4)), withoutQuietSample: [...kernels.quiet.withoutQuietSample] }
    : undefined;
  const grid = { grid: kernels.grid, cases: kernels.points.length, ...(kernels.seconds !== undefined ? { seconds: Number(kernels.seconds.toFixed(1)) } : {}), ...(quiet ? { quiet } : {}), curves: fit.curves };
  const cal = out.calibration!;
  out.calibration = {
    ...cal,
    method: `kernel curves by shape: ${fit.curves.length} variants from ${kernels.points.length} generated single-op models (per variant: fixed cost + work at an efficiency log-linear in the log2 shape, ridge; grid residuals added back near their points; profiler cost ${(fit.profilerS * 1e6).toFixed(2)} us per event removed); in-network factor per variant from whole models; op-class figures for other ops by ${cal.method}`,
    perInferenceOverheadUs: Number((fit.perInferenceS * 1e6).toPrecision(4)),
    kernels: { [unitId]: grid },
    residualSigma: KERNEL_ONLY_RESIDUAL_SIGMA,
    ...(options.forced ? { forced: options.forced } : {}),
  };
  const estimate = (m: CalibrationMeasurement, p: DeviceProfile): number =>
    estimateCost(m.analysis, m.placement ?? cpuPlacement(m.analysis, p.id), p).latencyMs?.estimate ?? NaN;
  // Whole models join per variant: each variant's curve time in each model, the rest of its estimate, and
  // the factors that bring the models closest to their measurements.
  const uOut = out.hardware.units.find((x) => x.id === unitId)!;
  const usable = models.filter((m) => m.measuredMs > 0 && Number.isFinite(estimate(m, out)));
  // The grid's generated networks check the curves (their error is in calibration.models and the residual
  // σ) but set no factor: three networks cannot tell one variant's correction from another's, and they run
  // their 1x1 convolutions faster than both the micro-models and real models (docs/cost-model.md).
  const rows = usable.filter((m) => !m.model.startsWith('kernel:')).map((m) => {
    const byKey = new Map<string, number>();
    for (const w of sourceWork(m.analysis, workOptionsFor(out))) {
      if (w.free || w.mergedAs !== undefined) continue;
      const c = kernelCurveTime(out, uOut, m.analysis, w);
      if (!c) continue;
      const key = c.effKey.slice(`${unitId}/kernel/`.length);
      byKey.set(key, (byKey.get(key) ?? 0) + Math.max(c.computeS, c.memoryS));
    }
    const totalS = estimate(m, out) / 1e3;
    return { measuredS: m.measuredMs / 1e3, otherS: totalS - [...byKey.values()].reduce((a, v) => a + v, 0), byKey };
  });
  const context: Record<string, number> = {};
  for (const [k, f] of fitContextFactors(rows)) if (Math.abs(f - 1) >= 0.01) context[k] = Number(f.toPrecision(4));
  if (Object.keys(context).length > 0) {
    out.calibration.kernels![unitId] = { ...grid, curves: fit.curves.map((c) => (context[c.key] !== undefined ? { ...c, context: context[c.key]! } : c)) };
  }
  // Every case's estimate with the final curves, made once (the residual σ set below moves only the range).
  const all = [...micro, ...models];
  const finalMs = new Map(all.map((m) => [m, estimate(m, out)]));
  if (usable.length > 0) {
    const res = usable.map((m) => Math.log(m.measuredMs / finalMs.get(m)!));
    const dof = Math.max(1, res.length - Object.keys(context).length);
    out.calibration.residualSigma = Number(Math.max(KERNEL_ONLY_RESIDUAL_SIGMA, Math.sqrt(res.reduce((s, v) => s + v * v, 0) / dof)).toPrecision(4));
  }
  out.calibration.models = out.calibration.models.map((c, i) => ({ ...c, estimatedMs: Number((finalMs.get(all[i]!) || 0).toPrecision(5)) }));
  return {
    profile: out,
    detail: {
      perInferenceOverheadUs: fit.perInferenceS * 1e6,
      perNodeOverheadUs: fit.perNodeS * 1e6,
      profilerOverheadUs: fit.profilerS * 1e6,
      curves: fit.curves.length,
      points: fit.curves.reduce((s, c) => s + c.points.length, 0),
      skipped: fit.skipped,
      models: usable.map((m) => ({ model: m.model, measuredMs: m.measuredMs, estimatedMs: finalMs.get(m)! })),
      context,
    },
  };
}
