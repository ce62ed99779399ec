/**
 * Per-kernel efficiency curves by shape (`edgegate calibrate --kernels`), in the spirit of nn-Meter's
 * kernel-level latency prediction: the efficiency a kernel reaches depends on its shape (a 1×1 conv with 16
 * channels on a 7×7 map is far from peak, a 3×3 conv with 128 does better), which one figure per op class
 * cannot say. Each kernel variant (`conv/float/k1`, `depthwise/int8/dw`, `elementwise/float/Sigmoid`, ...)
 * gets a curve fitted to the timed points of the calibration grid (src/cost/curve-fit.ts: a fixed cost per
 * call plus work at an efficiency log-linear in the log2 shape features, and the residual of each grid point
 * added back near it); a node's time is read off its variant's curve at its shape.
 *
 * Pure: shapes come from the graph analysis, points from the calibrated profile's `calibration.kernels`.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { ComputeDtype, ComputeUnit, DeviceProfile, KernelCurve } from '../profiles/schema.js';
import { VIEW_OPS, type LayoutTranspose, type SourceWork } from './work.js';
import { peakFor } from './estimate.js';
import { curveSeconds, fitCurve, type CurveSample } from './curve-fit.js';
import { computeDtypeBytes } from './op-class.js';

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

/**
 * Channels a vector-blocked layout wastes, log2(channels rounded up to 16 ÷ channels): onnxruntime's NCHWc
 * convolutions on AVX-512 compute 16 channels at a time (24 channels cost 32). A feature, not a rule: where
 * the device's kernels do not pad, the fit gives it no weight.
 */
const blockPad = (c: number): number => Number(Math.log2((Math.ceil(c / 16) * 16) / Math.max(1, c)).toFixed(4));

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
      // Conv1d runs as a 2-D convolution of height 1 without the blocked (NCHWc) layout: a variant of its own.
      if (wt && wt.length === 3 && out.length === 3 && w.opClass === 'conv') {
        return { key: `${base}/1d`, names: ['reduction', 'outChannels', 'length'], features: [lg(wt[1]! * wt[2]!), lg(wt[0]!), lg(out[2]!)] };
      }
      if (!wt || wt.length !== 4 || out.length !== 4) return null;
      const k = wt[2]! * wt[3]!;
      const stride = Math.max(...(intsAttr(analysis, w.index, 'strides') ?? [1]));
      const hw = out[2]! * out[3]!;
      if (w.opClass === 'depthwise') return { key: `${base}/dw`, names: ['channels', 'pixels', 'kernel', 'stride', 'channelPad'], features: [lg(out[1]!), lg(hw), Math.sqrt(k), stride, blockPad(out[1]!)] };
      // A 1×1 convolution of a 1×1 map (a squeeze-excite FC written as a Conv) reads each weight once: a GEMV in
      // convolution form, dominated by its start-up cost and weights; the k1 curve's small end (16×16 maps)
      // charged MobileNetV3's 6-7 us SE convolutions 2 us.
      if (k === 1 && hw === 1) return { key: `${base}/k1-1px`, names: ['reduction', 'outChannels'], features: [lg(wt[1]!), lg(wt[0]!)] };
      return {
        key: `${base}/${k === 1 ? 'k1' : 'kxk'}`,
        names: ['reduction', 'outChannels', 'pixels', 'stride', 'inPad', 'outPad'],
        features: [lg(wt[1]! * k), lg(wt[0]!), lg(hw), stride, blockPad(wt[1]!), blockPad(wt[0]!)],
      };
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
      // A product with constant weights and one row (a batch-1 classifier head) reads each weight once: a GEMV,
      // bound by streaming its weights, a regime of its own rather than the small end of the GEMM curve.
      const variant = constant ? (rows === 1 ? 'gemv' : 'gemm') : 'matmul';
      return { key: `${base}/${variant}`, names: ['rows', 'reduction', 'cols', 'batch'], features: [lg(rows / batch), lg(k), lg(n), lg(batch)] };
    }
    case 'rnn': {
      if (!x || x.length !== 3) return null;
      const hidden = out[out.length - 1]!;
      return { key: `${base}/${node.opType}`, names: ['steps', 'input', 'hidden'], features: [lg(x[0]!), lg(x[2]!), lg(hidden)] };
    }
    case 'softmax':
    case 'norm': {
      const cols = out[out.length - 1]!;
      return { key: `${base}/${qdqName(node.opType)}`, names: ['rows', 'cols'], features: [lg(prod(out) / cols), lg(cols)] };
    }
    case 'pool':
    case 'reduce':
      if (!x) return null;
      return { key: `${base}/${qdqName(node.opType)}`, names: ['inElements', 'outElements'], features: [lg(prod(x)), lg(prod(out))] };
    case 'elementwise': {
      const op = qdqName(node.opType);
      const ins = node.inputs.filter((i) => i !== '' && analysis.tensors.get(i)?.isConstant !== true).map((i) => dimsOf(analysis, i));
      const bcast = ins.length > 1 && ins.some((d) => d !== null && prod(d) < prod(out));
      return { key: `${base}/${op}${bcast ? '-bcast' : ''}`, names: ['elements'], features: [lg(prod(out))] };
    }
    case 'data_movement':
      if (['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Shape', 'Size', 'Constant'].includes(node.opType)) return null;
      // A Transpose next to an image tensor (a channel shuffle, a patch embedding's flatten) sits where a
      // convolution's blocked layout (NCHWc) ends or starts, and pays its reorders: a variant of its own.
      // Token and sequence transposes (attention heads, RNN time-major swaps) do not.
      if (node.opType === 'Transpose') return { key: `${base}/Transpose${imageSide(analysis, w.index) ? '-image' : ''}`, names: ['elements', 'rank'], features: [lg(prod(out)), out.length] };
      return { key: `${base}/${qdqName(node.opType)}`, names: ['elements'], features: [lg(prod(out))] };
    default:
      return null;
  }
}

/**
 * The QDQ op a QOperator kernel stands for (`QLinearAdd` → `Add`, `QLinearConcat` → `Concat`): onnxruntime
 * runs a QDQ unit and its QOperator twin on the same kernel, so both read the same curve.
 */
function qdqName(opType: string): string {
  return /^QLinear[A-Z]/.test(opType) && opType !== 'QLinearConv' && opType !== 'QLinearMatMul' ? opType.slice('QLinear'.length) : opType;
}

/** Ops that run on images in a convolution's blocked layout (NCHWc) when a convolution is next to them. */
const CONV_LIKE = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'QLinearConv']);

/**
 * True when a 4-D tensor is an image of a convolutional network: a convolution-like op produces or reads
 * it, or does so within `depth` hops through other 4-D ops (a Concat or Split between convolutions).
 * Attention's 4-D head tensors come from and go to MatMuls: not images.
 */
function convImage(analysis: GraphAnalysis, name: string | undefined, depth = 3, seen = new Set<string>()): boolean {
  if (name === undefined || seen.has(name)) return false;
  seen.add(name);
  const d = dimsOf(analysis, name);
  const t = analysis.tensors.get(name);
  if (d === null || d.length !== 4 || !t) return false;
  const near = [...(t.producer !== null ? [t.producer] : []), ...t.consumers].map((i) => analysis.nodes[i]!).filter(Boolean);
  if (near.some((n) => CONV_LIKE.has(n.opType))) return true;
  if (depth <= 0) return false;
  return near.some((n) => !VIEW_OPS.has(n.opType) && [...n.inputs, ...n.outputs].some((x) => x !== name && convImage(analysis, x, depth - 1, seen)));
}

/** True when the node's input or output is a convolutional image, directly or through one view op. */
function imageSide(analysis: GraphAnalysis, index: number): boolean {
  const node = analysis.nodes[index];
  if (!node) return false;
  const inName = node.inputs[0];
  const producer = inName !== undefined ? analysis.tensors.get(inName)?.producer : null;
  const before = producer !== null && producer !== undefined && VIEW_OPS.has(analysis.nodes[producer]?.opType ?? '') ? analysis.nodes[producer]!.inputs[0] : undefined;
  const outName = node.outputs[0];
  const after = (outName !== undefined ? analysis.tensors.get(outName)?.consumers ?? [] : [])
    .filter((c) => VIEW_OPS.has(analysis.nodes[c]?.opType ?? ''))
    .map((c) => analysis.nodes[c]!.outputs[0]);
  return [inName, before, outName, ...after].some((x) => convImage(analysis, x));
}

/** True for classes whose curve is a bandwidth efficiency (bytes ÷ bandwidth) rather than a compute one. */
export function isMemoryCurve(key: string): boolean {
  return key.startsWith('data_movement/');
}

/** Neighbours used by the prediction. */
const K_NEAREST = 4;

/**
 * Inverse-distance-weighted mean of log-efficiency over the nearest points; null when there are none. The
 * reading of curves without `coefficients` (profiles calibrated before curves were fitted).
 */
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
  if (!profile.calibration?.kernels?.[unit.id]) return null;
  const shape = kernelShapeOf(analysis, w);
  if (!shape) return null;
  const memory = isMemoryCurve(shape.key);
  return readCurve(profile, unit, shape, memory ? (w.bytes ?? 0) : (w.work ?? 0), memory ? unit.memoryBandwidthBytesPerSecond.value : peakFor(unit, w.dtype).value);
}

/** Time of `num` (work, or bytes on a memory curve) at `shape` on its curve; null without a curve. */
function readCurve(profile: DeviceProfile, unit: ComputeUnit, shape: KernelShape, num: number, defaultRate: number): CurveTime | null {
  const block = profile.calibration?.kernels?.[unit.id];
  const curve = block ? curveFor(profile, unit.id, shape.key) : undefined;
  if (!block || !curve || num <= 0) return null;
  const rate = curve.rate ?? defaultRate;
  let seconds: number;
  if (curve.coefficients) seconds = curveSeconds({ fixedUs: curve.fixedUs ?? 0, coefficients: curve.coefficients, points: curve.points }, shape.features, num, rate);
  else {
    const logEff = predictLogEfficiency(curve.points, shape.features);
    if (logEff === null) return null;
    seconds = num / (rate * Math.exp(logEff));
  }
  // `scale`: the one whole-model correction earlier calibrations wrote (no longer fitted); `context`: this
  // variant's in-network correction (fitKernelCalibration).
  seconds *= (block.scale ?? 1) * (curve.context ?? 1);
  const effKey = `${unit.id}/kernel/${shape.key}`;
  return isMemoryCurve(shape.key) ? { computeS: 0, memoryS: seconds, effKey, sigma: curve.sigma } : { computeS: seconds, memoryS: 0, effKey, sigma: curve.sigma };
}

/**
 * The curve variant of a runtime-inserted NCHW <-> NHWC Transpose (src/cost/work.ts): one curve, timed on
 * uint8 tensors, read at the Transpose's byte size (onnxruntime 1.30 on mnasnet1_0 s8s8: a float
 * [1,24,56,56] took 16 µs, a uint8 [1,72,56,56] 15 µs) and channel count (a 3-channel model input moves
 * its bytes at about a third of the rate of a 16-channel map).
 */
export function layoutTransposeShape(dtype: ComputeDtype, elements: number, channels: number): KernelShape {
  return { key: 'data_movement/int8/Transpose-nhwc', names: ['bytes', 'channels'], features: [lg(layoutTransposeBytes(dtype, elements) / 2), lg(Math.max(1, channels))] };
}

/** Bytes a layout Transpose reads and writes. */
export function layoutTransposeBytes(dtype: ComputeDtype, elements: number): number {
  return 2 * elements * computeDtypeBytes(dtype);
}

/** The calibrated time of one layout Transpose on `unit`, or null without a `Transpose-nhwc` curve. */
export function layoutTransposeCurveTime(profile: DeviceProfile, unit: ComputeUnit, t: LayoutTranspose): CurveTime | null {
  return readCurve(profile, unit, layoutTransposeShape(t.dtype, t.elements, t.channels), layoutTransposeBytes(t.dtype, t.elements), unit.memoryBandwidthBytesPerSecond.value);
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
  /** A cold chain (src/cost/kernel-grid.ts): `count` convolutions whose weights come from DRAM; `hotId` times one alone. */
  readonly coldChain?: { readonly count: number; readonly hotId: string };
  /** A generated network timed whole: it joins the fit like a whole-model measurement, not as a point. */
  readonly composite?: boolean;
  /**
   * The case's own kernels are `count` layout Transposes of `elements` each that the runtime inserts (no
   * ONNX node stands for them): one point of the `Transpose-nhwc` curve per Transpose, from the profile.
   */
  readonly layoutTransposes?: { readonly elements: number; readonly channels: number; readonly count: number };
  readonly analysis: GraphAnalysis;
  /** Time per run of the whole micro-model, ms (the device's latency figure: CPU time on the host). */
  readonly measuredMs: number;
  /**
   * The per-node profile, when there is one: the case's own kernel time and all kernels' time (µs, one run).
   * Layout kernels the runtime adds (NCHWc reorders) and the grid's output Slice are not the case's own.
   * Without it (edge runners time whole runs only) the whole run less the per-inference cost counts.
   */
  readonly profiled?: {
    readonly ownUs: number;
    readonly totalUs: number;
    /** Profile events per run in all, and in the own part (default 1 and 1). */
    readonly events?: number;
    readonly ownEvents?: number;
  };
}

export interface KernelFit {
  /** Per-inference (session run) cost and per-kernel dispatch cost, seconds. */
  readonly perInferenceS: number;
  readonly perNodeS: number;
  readonly curves: KernelCurve[];
  /** What profiling adds to each kernel event beyond the kernel's share of an unprofiled run, seconds. */
  readonly profilerS: number;
  /** Bytes/s weights stream at from DRAM (the stream case), when measured. */
  readonly weightBandwidth?: number;
  /** Per dtype, what a compute-bound kernel pays for weights from DRAM rather than its core's cache (the cold chains). */
  readonly coldWeightStall?: Partial<Record<ComputeDtype, ColdWeightStall>>;
  /** Cases that gave no point, with the reason. */
  readonly skipped: { id: string; reason: string }[];
}

/**
 * The case's own kernel time, seconds. Profiled: the kernel's profiled time less what the profiler adds to
 * each event (`profilerS`, measured on the overhead chains), scaled down when the profiled kernels still add
 * up to more than the measured run (a profiled session on a busy machine runs slower); a measured run longer
 * than its kernels is per-inference cost, not kernel time. Not profiled: the run less the per-inference and
 * one per-node cost per kernel (`kernels`: 1, or a cold chain's convolutions).
 */
export function ownKernelSeconds(p: KernelPoint, line: { perInferenceS: number; perNodeS: number; profilerS?: number }, kernels = 1): number {
  const run = p.measuredMs / 1e3 - line.perInferenceS;
  if (p.profiled && p.profiled.totalUs > 0) {
    const x = line.profilerS ?? 0;
    const own = Math.max(0.1 * p.profiled.ownUs * 1e-6, p.profiled.ownUs * 1e-6 - x * (p.profiled.ownEvents ?? 1));
    const total = Math.max(0.1 * p.profiled.totalUs * 1e-6, p.profiled.totalUs * 1e-6 - x * (p.profiled.events ?? 1));
    return Math.max(1e-9, own * Math.min(1, Math.max(run, 0) / total));
  }
  return Math.max(run - kernels * line.perNodeS, 0.1 * run, 1e-9);
}

/**
 * Whether a case's profile times its own kernel: what profiling adds to each event (`profilerS`, itself
 * measured to within about a microsecond: 2.6 and 3.6 µs in two calibrations of one machine) must be at most
 * half of the kernel's profiled time. Below that the subtraction leaves mostly the error of the profiler
 * cost, and a 1 µs Gather or GEMV came out 10-100x faster than its own larger cases. Whole-run points (edge
 * runners) always resolve.
 */
export function profileResolves(p: Pick<KernelPoint, 'profiled'>, profilerS: number): boolean {
  if (!p.profiled || p.profiled.totalUs <= 0) return true;
  return p.profiled.ownUs * 1e-6 >= 2 * profilerS * (p.profiled.ownEvents ?? 1);
}

/**
 * A variant's samples with the unresolved ones (see `profileResolves`) held to the highest efficiency its
 * resolved cases reach: a kernel smaller than those is not faster per unit of work (it has the same start-up
 * cost for less work), so the bound only removes what the profiler subtraction invented. Null when no case of
 * the variant resolves: the op-class figures cost it then.
 */
export function boundUnresolved<S extends CurveSample & { readonly resolved: boolean }>(samples: readonly S[]): S[] | null {
  const resolved = samples.filter((s) => s.resolved);
  if (resolved.length === 0) return null;
  const top = Math.max(...resolved.map((s) => s.work / (s.rate * s.seconds)));
  return samples.map((s) => (s.resolved ? s : { ...s, seconds: Math.max(s.seconds, s.work / (s.rate * top)) }));
}

/**
 * What profiling adds per kernel event beyond the node's share of an unprofiled run, from profiled overhead
 * chains (n tiny kernels: Σ profiled events − (run − per-inference) = n × excess): the median over chains,
 * never below 0. 0 without a profiled chain.
 */
export function profilerExcess(points: readonly KernelPoint[], perInferenceS: number): number {
  const xs = points
    .filter((p) => p.overheadChain !== undefined && p.profiled && (p.profiled.events ?? 0) > 0)
    .map((p) => (p.profiled!.totalUs * 1e-6 - (p.measuredMs / 1e3 - perInferenceS)) / p.profiled!.events!)
    .sort((a, b) => a - b);
  return xs.length === 0 ? 0 : Math.max(0, xs[xs.length >> 1]!);
}

/** Least-squares line y = intercept + slope × x with both ≥ 0; null without two distinct x. */
function nonNegativeLine(points: readonly { x: number; y: number }[]): { intercept: number; slope: number } | null {
  if (new Set(points.map((p) => p.x)).size < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const slope = Math.max(0, sxy / sxx);
  return { slope, intercept: Math.max(0, my - slope * mx) };
}

/** Least-squares line through the overhead chains: time = perInference + nodes × perNode (both ≥ 0). */
export function fitOverheadLine(chains: readonly { nodes: number; seconds: number }[]): { perInferenceS: number; perNodeS: number } | null {
  const l = nonNegativeLine(chains.map((c) => ({ x: c.nodes, y: c.seconds })));
  return l && { perInferenceS: l.intercept, perNodeS: l.slope };
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
  const overhead = fitOverheadLine(chains) ?? prior;
  const line = { ...overhead, profilerS: profilerExcess(points, overhead.perInferenceS) };
  const byKey = new Map<string, { names: readonly string[]; rate: number; samples: (CurveSample & { id: string; resolved: boolean })[] }>();
  const skipped: { id: string; reason: string }[] = [];
  let weightBandwidth: number | undefined;
  // One point of a variant's curve: `num` work (or bytes) at `rate` took `seconds`.
  const addSample = (p: KernelPoint, shape: KernelShape, num: number, rate: number, seconds: number): void => {
    const e = byKey.get(shape.key) ?? { names: shape.names, rate, samples: [] };
    e.samples.push({ x: shape.features, work: num, rate, seconds, id: p.id, resolved: profileResolves(p, line.profilerS) });
    byKey.set(shape.key, e);
  };
  for (const p of points) {
    if (p.overheadChain !== undefined || p.composite || p.coldChain) continue;
    if (p.layoutTransposes) {
      // Only a per-node profile tells the Transposes from the Conv they wrap (edge runners time whole runs).
      if (!p.profiled) {
        skipped.push({ id: p.id, reason: 'its layout Transposes need a per-node profile to be told from its Conv' });
        continue;
      }
      const { elements, channels, count } = p.layoutTransposes;
      addSample(p, layoutTransposeShape('int8', elements, channels), layoutTransposeBytes('int8', elements), unit.memoryBandwidthBytesPerSecond.value, ownKernelSeconds(p, line) / count);
      continue;
    }
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
    const memory = isMemoryCurve(shape.key);
    const num = memory ? (w.bytes ?? 0) : (w.work ?? 0);
    if (num <= 0) {
      skipped.push({ id: p.id, reason: `${w.opType} has no ${memory ? 'bytes' : 'work'} to relate its time to` });
      continue;
    }
    addSample(p, shape, num, memory ? unit.memoryBandwidthBytesPerSecond.value : peakFor(unit, w.dtype).value, ownKernelSeconds(p, line));
  }
  const curves: KernelCurve[] = [];
  for (const [key, e] of [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const samples = boundUnresolved(e.samples);
    if (!samples) {
      for (const s of e.samples) skipped.push({ id: s.id, reason: `its own kernel time is within twice the profiler's cost per event (${(line.profilerS * 1e6).toFixed(2)} us), and no case of ${key} is longer` });
      continue;
    }
    curves.push({ key, features: [...e.names], rate: e.rate, ...fitCurve(samples) });
  }
  const coldWeightStall = fitColdWeightStall(points, line, works, skipped);
  return { ...line, curves, skipped, ...(weightBandwidth !== undefined ? { weightBandwidth } : {}), ...(coldWeightStall ? { coldWeightStall } : {}) };
}

/**
 * Cold-weight stall of one kernel: `perKernelS` + `perByteS` × its weight bytes (both ≥ 0), from `fromBytes`
 * (the smallest chain's weights) up; below, in proportion to the weights (no weights, no stall).
 */
export interface ColdWeightStall {
  readonly perKernelS: number;
  readonly perByteS: number;
  readonly fromBytes: number;
  /** The chains it was fitted from: weight bytes per convolution, seconds cold and hot per convolution. */
  readonly points: readonly { readonly id: string; readonly weightBytes: number; readonly coldS: number; readonly hotS: number }[];
}

/**
 * The cold chains against their convolution alone: per convolution, time in the chain (weights from DRAM)
 * less time alone (weights hot), as a line in its weight bytes, per dtype. On the 2-vCPU EPYC reference host
 * (2026-12-07) fp32 gave +4 µs at 64 KiB and +75 µs at 4 MiB, about half of the weights' time at the DRAM
 * rate (the rest hidden behind the arithmetic); int8 +10 µs at 64 KiB and +106 µs at 4 MiB. A dtype without
 * two chains of different weight sizes and their cases alone gets no line; null when none has one.
 */
export function fitColdWeightStall(
  points: readonly KernelPoint[],
  line: { perInferenceS: number; perNodeS: number; profilerS?: number },
  works: (analysis: GraphAnalysis) => readonly SourceWork[],
  skipped: { id: string; reason: string }[],
): Partial<Record<ComputeDtype, ColdWeightStall>> | null {
  const byId = new Map(points.map((p) => [p.id, p]));
  const pairs = new Map<ComputeDtype, { id: string; weightBytes: number; coldS: number; hotS: number }[]>();
  for (const p of points) {
    if (!p.coldChain) continue;
    const hot = byId.get(p.coldChain.hotId);
    const convs = works(p.analysis).filter((w) => !w.free && w.mergedAs === undefined && w.opType === 'Conv');
    if (!hot || convs.length !== p.coldChain.count) {
      skipped.push({ id: p.id, reason: hot ? `the cost model sees ${convs.length} convolutions in it, not ${p.coldChain.count}` : `its convolution alone (${p.coldChain.hotId}) was not timed` });
      continue;
    }
    const coldS = ownKernelSeconds(p, line, p.coldChain.count) / p.coldChain.count;
    const dtype = convs[0]!.dtype;
    pairs.set(dtype, [...(pairs.get(dtype) ?? []), { id: p.id, weightBytes: convs[0]!.weightBytes, coldS, hotS: ownKernelSeconds(hot, line) }]);
  }
  const out: Partial<Record<ComputeDtype, ColdWeightStall>> = {};
  for (const [dtype, ps] of pairs) {
    const fitted = nonNegativeLine(ps.map((q) => ({ x: q.weightBytes, y: Math.max(0, q.coldS - q.hotS) })));
    if (fitted) out[dtype] = { perKernelS: fitted.intercept, perByteS: fitted.slope, fromBytes: Math.min(...ps.map((q) => q.weightBytes)), points: ps };
  }
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * The stall, seconds, of a kernel with `weightBytes` of weights from DRAM: the measured line from the
 * smallest chain's weights up, and below it a straight line to zero (the line's intercept is a fit over
 * 64 KiB–4 MiB chains, not a cost measured on a kernel with a few kB of weights).
 */
export function coldWeightStallSeconds(st: { perKernelUs: number; perMebibyteUs: number; fromMebibytes: number }, weightBytes: number): number {
  const mib = weightBytes / 2 ** 20;
  const at = (x: number): number => (st.perKernelUs + st.perMebibyteUs * x) * 1e-6;
  return mib >= st.fromMebibytes || st.fromMebibytes <= 0 ? at(mib) : (at(st.fromMebibytes) * mib) / st.fromMebibytes;
}
