/**
 * Per-kernel efficiency curves by shape (`edgegate calibrate --kernels`), in the spirit of nn-Meter's
 * kernel-level latency prediction: the efficiency a kernel reaches depends on its shape (a 1×1 conv with 16
 * channels on a 7×7 map is far from peak, a 3×3 conv with 128 does better), which one figure per op class
 * cannot say. Each kernel variant (`conv/float/k1`, `depthwise/int8/dw`, `elementwise/float/Sigmoid`, ...)
 * keeps the measured points of the calibration grid as (log2 shape features → efficiency); a node's
 * efficiency is the inverse-distance-weighted mean of log-efficiency over its nearest grid points.
 *
 * Pure: shapes come from the graph analysis, points from the calibrated profile's `calibration.kernels`.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { ComputeUnit, DeviceProfile, KernelCurve } from '../profiles/schema.js';
import type { SourceWork } from './work.js';
import { peakFor } from './estimate.js';

/** A kernel's variant key and shape features (log2 of sizes, plus small integers such as the stride). */
export interface KernelShape {
  /** `<opClass>/<dtype>/<variant>`. */
  readonly key: string;
  /** Feature names, in the order of `features`. */
  readonly names: readonly string[];
  readonly features: readonly number[];
}

/** Index of the weight input of conv/matmul-like ops (QLinear* forms carry scales and zero points first). */
const WEIGHT_INPUT: Readonly<Record<string, number>> = { QLinearConv: 3, QLinearMatMul: 3, ConvInteger: 1, MatMulInteger: 1, QGemm: 3 };

const lg = (x: number): number => Math.log2(Math.max(1, x));

function dimsOf(analysis: GraphAnalysis, name: string | undefined): number[] | null {
  if (!name) return null;
  const s = analysis.tensors.get(name)?.shape;
  if (!s || s.some((d) => typeof d !== 'number')) return null;
  return s as number[];
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function intsAttr(analysis: GraphAnalysis, index: number, name: string): number[] | undefined {
  const a = analysis.nodes[index]?.attributes.get(name);
  return a?.type === 'ints' ? a.value.map(Number) : undefined;
}

/**
 * The kernel variant and shape features of one kernel node, or null when its shapes are unknown or its class
 * has no curve (views, `other`).
 */
export function kernelShapeOf(analysis: GraphAnalysis, w: Pick<SourceWork, 'index' | 'opType' | 'opClass' | 'dtype'>): KernelShape | null {
  const node = analysis.nodes[w.index];
  if (!node) return null;
  const out = dimsOf(analysis, node.outputs[0]);
  const x = dimsOf(analysis, node.inputs[0]);
  if (!out) return null;
  const base = `${w.opClass}/${w.dtype}`;
  switch (w.opClass) {
    case 'conv':
    case 'depthwise': {
      const wt = dimsOf(analysis, node.inputs[WEIGHT_INPUT[node.opType] ?? 1]);
      if (!wt || wt.length !== 4 || out.length !== 4) return null;
      const k = wt[2]! * wt[3]!;
      const stride = Math.max(...(intsAttr(analysis, w.index, 'strides') ?? [1]));
      const hw = out[2]! * out[3]!;
      if (w.opClass === 'depthwise') return { key: `${base}/dw`, names: ['channels', 'pixels', 'kernel', 'stride'], features: [lg(out[1]!), lg(hw), Math.sqrt(k), stride] };
      return { key: `${base}/${k === 1 ? 'k1' : 'kxk'}`, names: ['reduction', 'outChannels', 'pixels', 'stride'], features: [lg(wt[1]! * k), lg(wt[0]!), lg(hw), stride] };
    }
    case 'matmul': {
      const n = out[out.length - 1]!;
      const rows = prod(out.slice(0, -1));
      const wt = dimsOf(analysis, node.inputs[WEIGHT_INPUT[node.opType] ?? 1]);
      const constant = analysis.tensors.get(node.inputs[WEIGHT_INPUT[node.opType] ?? 1] ?? '')?.isConstant === true;
      let k: number;
      if (node.opType === 'Gemm' || node.opType === 'QGemm') {
        const transB = analysis.nodes[w.index]!.attributes.get('transB');
        k = wt ? (transB?.type === 'int' && transB.value === 1 ? wt[1]! : wt[0]!) : 0;
      } else k = x ? x[x.length - 1]! : 0;
      if (!k) return null;
      const batch = out.length > 2 && !constant ? prod(out.slice(0, -2)) : 1;
      return { key: `${base}/${constant ? 'gemm' : 'matmul'}`, names: ['rows', 'reduction', 'cols', 'batch'], features: [lg(rows / batch), lg(k), lg(n), lg(batch)] };
    }
    case 'rnn': {
      if (!x || x.length !== 3) return null;
      const hidden = out[out.length - 1]!;
      return { key: `${base}/${node.opType}`, names: ['steps', 'input', 'hidden'], features: [lg(x[0]!), lg(x[2]!), lg(hidden)] };
    }
    case 'softmax':
    case 'norm': {
      const cols = out[out.length - 1]!;
      return { key: `${base}/${node.opType}`, names: ['rows', 'cols'], features: [lg(prod(out) / cols), lg(cols)] };
    }
    case 'pool':
    case 'reduce':
      if (!x) return null;
      return { key: `${base}/${node.opType}`, names: ['inElements', 'outElements'], features: [lg(prod(x)), lg(prod(out))] };
    case 'elementwise': {
      const ins = node.inputs.filter((i) => i !== '' && analysis.tensors.get(i)?.isConstant !== true).map((i) => dimsOf(analysis, i));
      const bcast = ins.length > 1 && ins.some((d) => d !== null && prod(d) < prod(out));
      return { key: `${base}/${node.opType}${bcast ? '-bcast' : ''}`, names: ['elements'], features: [lg(prod(out))] };
    }
    case 'data_movement':
      if (['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Shape', 'Size', 'Constant'].includes(node.opType)) return null;
      return { key: `${base}/${node.opType}`, names: ['elements'], features: [lg(prod(out))] };
    default:
      return null;
  }
}

/** True for classes whose curve is a bandwidth efficiency (bytes ÷ bandwidth) rather than a compute one. */
export function isMemoryCurve(key: string): boolean {
  return key.startsWith('data_movement/');
}

/** Neighbours used by the prediction. */
const K_NEAREST = 4;

/** Inverse-distance-weighted mean of log-efficiency over the nearest points; null when there are none. */
export function predictLogEfficiency(points: readonly (readonly number[])[], features: readonly number[], skip = -1): number | null {
  const d: [number, number][] = [];
  points.forEach((p, i) => {
    if (i === skip || p.length !== features.length + 1) return;
    let s = 0;
    for (let j = 0; j < features.length; j++) s += (p[j]! - features[j]!) ** 2;
    d.push([s, Math.log(p[features.length]!)]);
  });
  if (d.length === 0) return null;
  d.sort((a, b) => a[0] - b[0]);
  let wsum = 0;
  let vsum = 0;
  for (const [s, v] of d.slice(0, K_NEAREST)) {
    const w = 1 / (s + 0.25);
    wsum += w;
    vsum += w * v;
  }
  return vsum / wsum;
}

/** Leave-one-out log-space RMS error of a curve's own points (its σ); ln 1.25 with fewer than 3 points. */
export function curveSigma(points: readonly (readonly number[])[]): number {
  if (points.length < 3) return Math.log(1.25);
  let s = 0;
  points.forEach((p, i) => {
    const pred = predictLogEfficiency(points, p.slice(0, -1), i) ?? Math.log(p[p.length - 1]!);
    s += (pred - Math.log(p[p.length - 1]!)) ** 2;
  });
  return Math.max(Math.log(1.1), Math.sqrt(s / points.length));
}

/** A node's time from its kernel curve (seconds, without per-node overhead). */
export interface CurveTime {
  readonly computeS: number;
  readonly memoryS: number;
  readonly effKey: string;
  readonly sigma: number;
}

function curveFor(profile: DeviceProfile, unitId: string, key: string): KernelCurve | undefined {
  return profile.calibration?.kernels?.[unitId]?.curves.find((c) => c.key === key);
}

/**
 * The calibrated time of one kernel node on `unit` from the profile's kernel curves, or null when the profile
 * has no curve for the node's variant (the caller then uses the op-class efficiency).
 */
export function kernelCurveTime(
  profile: DeviceProfile,
  unit: ComputeUnit,
  analysis: GraphAnalysis,
  w: Pick<SourceWork, 'index' | 'opType' | 'opClass' | 'dtype' | 'work' | 'bytes'>,
): CurveTime | null {
  const block = profile.calibration?.kernels?.[unit.id];
  if (!block) return null;
  const shape = kernelShapeOf(analysis, w);
  if (!shape) return null;
  const curve = curveFor(profile, unit.id, shape.key);
  if (!curve) return null;
  const logEff = predictLogEfficiency(curve.points, shape.features);
  if (logEff === null) return null;
  const eff = Math.exp(logEff);
  const scale = block.scale ?? 1;
  const effKey = `${unit.id}/kernel/${shape.key}`;
  if (isMemoryCurve(shape.key)) {
    const bytes = w.bytes ?? 0;
    if (bytes <= 0) return null;
    return { computeS: 0, memoryS: (scale * bytes) / (unit.memoryBandwidthBytesPerSecond.value * eff), effKey, sigma: curve.sigma };
  }
  const work = w.work ?? 0;
  if (work <= 0) return null;
  return { computeS: (scale * work) / (peakFor(unit, w.dtype).value * eff), memoryS: 0, effKey, sigma: curve.sigma };
}

// ---------------------------------------------------------------------------------------------------
// Fitting the curves from timed micro-models
// ---------------------------------------------------------------------------------------------------

/** One timed micro-model of the grid. */
export interface KernelPoint {
  /** Case id (src/cost/kernel-grid.ts). */
  readonly id: string;
  /** `overhead` chains separate per-inference and per-node cost; every other case times one kernel. */
  readonly overheadChain?: number;
  /** The timed op (other kernels of the case are context, src/cost/kernel-grid.ts); default: the only one. */
  readonly op?: string;
  /** A case whose weights no cache holds: it measures the DRAM bandwidth weights stream at. */
  readonly stream?: boolean;
  /** A generated network timed whole: it joins the fit like a whole-model measurement, not as a point. */
  readonly composite?: boolean;
  readonly analysis: GraphAnalysis;
  /** Time per run of the whole micro-model, ms (the device's latency figure: CPU time on the host). */
  readonly measuredMs: number;
  /**
   * The per-node profile, when there is one: the case's own kernel time and all kernels' time (µs, one run).
   * Layout kernels the runtime adds (NCHWc reorders) and the grid's output Slice are not the case's own.
   * Without it (edge runners time whole runs only) the whole run less the per-inference cost counts.
   */
  readonly profiled?: { readonly ownUs: number; readonly totalUs: number };
}

export interface KernelFit {
  /** Per-inference (session run) cost and per-kernel dispatch cost, seconds. */
  readonly perInferenceS: number;
  readonly perNodeS: number;
  readonly curves: KernelCurve[];
  /** Bytes/s weights stream at from DRAM (the stream case), when measured. */
  readonly weightBandwidth?: number;
  /** Cases that gave no point, with the reason. */
  readonly skipped: { id: string; reason: string }[];
}

/**
 * The case's own kernel time, seconds. Profiled: the kernel's profiled time, scaled down when the profiled
 * kernels add up to more than the measured run (a profiled session on a busy machine runs slower, and the
 * profiler adds its own cost per event); a measured run longer than its kernels is per-inference cost, not
 * kernel time. Not profiled: the run less the per-inference and one per-node cost.
 */
export function ownKernelSeconds(p: KernelPoint, line: { perInferenceS: number; perNodeS: number }): number {
  const run = p.measuredMs / 1e3 - line.perInferenceS;
  if (p.profiled && p.profiled.totalUs > 0) {
    const own = p.profiled.ownUs / 1e6;
    return Math.max(1e-9, own * Math.min(1, Math.max(run, 0) / (p.profiled.totalUs / 1e6)));
  }
  return Math.max(run - line.perNodeS, 0.1 * run, 1e-9);
}

/** Least-squares line through the overhead chains: time = perInference + nodes × perNode (both ≥ 0). */
export function fitOverheadLine(chains: readonly { nodes: number; seconds: number }[]): { perInferenceS: number; perNodeS: number } | null {
  if (new Set(chains.map((c) => c.nodes)).size < 2) return null;
  const n = chains.length;
  const mx = chains.reduce((s, c) => s + c.nodes, 0) / n;
  const my = chains.reduce((s, c) => s + c.seconds, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const c of chains) {
    sxx += (c.nodes - mx) ** 2;
    sxy += (c.nodes - mx) * (c.seconds - my);
  }
  const slope = Math.max(0, sxy / sxx);
  return { perNodeS: slope, perInferenceS: Math.max(0, my - slope * mx) };
}

/**
 * Fits the kernel curves of `unit` from timed micro-models: the overhead chains give the per-inference and
 * per-node costs; every other case's own kernel time, (measured − per-inference) × main share − per-node,
 * becomes one point (shape features → efficiency = work ÷ (peak × time), or bytes ÷ (bandwidth × time) for
 * data movement) of its variant's curve. `works` gives the cost model's kernels of a case (the caller passes
 * the profile's sourceWork), so a case is read exactly as the estimate will read a model's node.
 */
export function fitKernelCurves(
  points: readonly KernelPoint[],
  unit: ComputeUnit,
  works: (analysis: GraphAnalysis) => readonly SourceWork[],
  prior: { perInferenceS: number; perNodeS: number },
): KernelFit {
  const chains = points.filter((p) => p.overheadChain !== undefined).map((p) => ({ nodes: p.overheadChain!, seconds: p.measuredMs / 1e3 }));
  const line = fitOverheadLine(chains) ?? prior;
  const byKey = new Map<string, { names: readonly string[]; points: number[][] }>();
  const skipped: { id: string; reason: string }[] = [];
  let weightBandwidth: number | undefined;
  for (const p of points) {
    if (p.overheadChain !== undefined || p.composite) continue;
    // The grid's one-element output Slice and context ops are not the case's kernel (src/cost/kernel-grid.ts).
    const kernels = works(p.analysis).filter((w) => !w.free && w.mergedAs === undefined && w.opType !== 'Slice' && (p.op === undefined || w.opType === p.op));
    if (p.stream && kernels.length === 1) {
      weightBandwidth = kernels[0]!.weightBytes / ownKernelSeconds(p, line);
      continue;
    }
    if (kernels.length !== 1) {
      skipped.push({ id: p.id, reason: `the cost model sees ${kernels.length} kernels in it, not one` });
      continue;
    }
    const w = kernels[0]!;
    const shape = kernelShapeOf(p.analysis, w);
    if (!shape) {
      skipped.push({ id: p.id, reason: `no curve for ${w.opType} (${w.opClass})` });
      continue;
    }
    const t = ownKernelSeconds(p, line);
    const memory = isMemoryCurve(shape.key);
    const num = memory ? (w.bytes ?? 0) : (w.work ?? 0);
    if (num <= 0) {
      skipped.push({ id: p.id, reason: `${w.opType} has no ${memory ? 'bytes' : 'work'} to relate its time to` });
      continue;
    }
    const rate = memory ? unit.memoryBandwidthBytesPerSecond.value : peakFor(unit, w.dtype).value;
    const eff = num / (rate * t);
    const e = byKey.get(shape.key) ?? { names: shape.names, points: [] };
    e.points.push([...shape.features.map((f) => Number(f.toFixed(4))), Number(eff.toPrecision(4))]);
    byKey.set(shape.key, e);
  }
  const curves: KernelCurve[] = [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, e]) => ({ key, features: [...e.names], points: e.points, sigma: Number(curveSigma(e.points).toPrecision(4)) }));
  return { ...line, curves, skipped, ...(weightBandwidth !== undefined ? { weightBandwidth } : {}) };
}
