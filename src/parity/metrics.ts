/**
 * Per-tensor comparison in float64: max/mean |a−b|, relative L2, cosine, SNR (dB), rmse/scale for
 * quantized tensors, and Polygraphy's elementwise pass/fail (an element fails where |a−b| > atol AND
 * |a−b| > rtol·|b|, NaN counting as failing both; b is the reference). Identical tensors give
 * `identical: true` and null SNR/cosine (both are undefined for a zero difference).
 */
import { type HostTensor, type TensorDType, toFloat64Array } from './tensor.js';

/**
 * Tolerances. An element fails where |a−b| > atolEff AND |a−b| > rtol·|b| (Polygraphy's elementwise
 * check), with atolEff = max(atol, atolRange·max|b|): the absolute tolerance grows with the tensor's
 * range, because rounding error of a kernel scales with the magnitude of what it sums, and a fixed
 * absolute tolerance hides faults in small-valued layers (deep layers of untrained or normalized nets).
 * `atolRange: 0` gives plain Polygraphy semantics.
 */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  /** Absolute tolerance as a fraction of the reference tensor's max |b|. Default 0. */
  readonly atolRange?: number;
  /** Quantized tensors: largest allowed rmse in quantization steps (catches systematic 1-step shifts). */
  readonly maxRmseSteps?: number;
}

/**
 * Default tolerances per dtype. Reasons in docs/parity.md ("Default tolerances"): float32 covers FMA vs
 * separate multiply-add rounding and different accumulation orders (measured x64 vs arm64: ≤1e-6);
 * 8/16-bit integers are quantized values, where one step is the known u8s8 saturation of AVX2 without
 * VNNI and requantization rounding; float16 allows fp16 accumulation; other integers must match.
 */
export const DEFAULT_TOLERANCES: Readonly<Record<TensorDType, Tolerance>> = {
  float32: { atol: 1e-20, rtol: 1e-4, atolRange: 1e-5 },
  float64: { atol: 1e-200, rtol: 1e-9, atolRange: 1e-12 },
  float16: { atol: 1e-7, rtol: 1e-2, atolRange: 5e-3 },
  int8: { atol: 1, rtol: 0, maxRmseSteps: 0.05 },
  uint8: { atol: 1, rtol: 0, maxRmseSteps: 0.05 },
  int16: { atol: 1, rtol: 0, maxRmseSteps: 0.05 },
  uint16: { atol: 1, rtol: 0, maxRmseSteps: 0.05 },
  int32: { atol: 0, rtol: 0 },
  uint32: { atol: 0, rtol: 0 },
  int64: { atol: 0, rtol: 0 },
  uint64: { atol: 0, rtol: 0 },
  bool: { atol: 0, rtol: 0 },
};

/** Steps of the quantization scale a dequantized float tensor may differ by (see DEFAULT_TOLERANCES.int8). */
export const DEFAULT_DEQUANT_STEPS = 1;

/** The numbers for one tensor. Values that cannot be computed are null. */
export interface TensorMetrics {
  readonly elements: number;
  readonly maxAbs: number | null;
  readonly meanAbs: number | null;
  readonly relL2: number | null;
  readonly cosine: number | null;
  readonly snrDb: number | null;
  /** RMS error in units of the quantization scale (quantized tensors only). */
  readonly rmseOverScale?: number;
  readonly identical: boolean;
  /** Elements failing the elementwise check. */
  readonly failing: number;
  readonly atol: number;
  readonly rtol: number;
  readonly pass: boolean;
  /** Why the tensor failed without an elementwise comparison (`SHAPE_MISMATCH`, `DTYPE_MISMATCH`). */
  readonly reason?: string;
}

export interface CompareOptions {
  readonly tolerance: Tolerance;
  /**
   * Quantization scale of the values compared: 1 for integer quantized tensors (differences are in
   * steps), the DequantizeLinear scale for dequantized floats. Enables `rmseOverScale`.
   */
  readonly scale?: number;
}

const EPS = 2.220446e-16;

/** Compares `actual` (the device) against `reference` (the desktop reference). */
export function compareTensors(actual: HostTensor, reference: HostTensor, options: CompareOptions): TensorMetrics {
  const { rtol } = options.tolerance;
  const atol = options.tolerance.atol;
  const elements = reference.data.length;
  const sameShape = actual.dims.length === reference.dims.length && actual.dims.every((d, i) => d === reference.dims[i]);
  if (!sameShape || actual.data.length !== reference.data.length) {
    return { elements, maxAbs: null, meanAbs: null, relL2: null, cosine: null, snrDb: null, identical: false, failing: elements, atol, rtol, pass: false, reason: 'SHAPE_MISMATCH' };
  }
  if (actual.type !== reference.type) {
    return { elements, maxAbs: null, meanAbs: null, relL2: null, cosine: null, snrDb: null, identical: false, failing: elements, atol, rtol, pass: false, reason: 'DTYPE_MISMATCH' };
  }
  const a = toFloat64Array(actual);
  const b = toFloat64Array(reference);
  let maxRef = 0;
  for (let i = 0; i < elements; i++) {
    const v = Math.abs(b[i]!);
    if (v > maxRef) maxRef = v;
  }
  const atolEff = Math.max(atol, (options.tolerance.atolRange ?? 0) * maxRef);
  let maxAbs = 0;
  let sumAbs = 0;
  let sumD2 = 0;
  let sumB2 = 0;
  let sumA2 = 0;
  let dot = 0;
  let failing = 0;
  let identical = true;
  let nanSeen = false;
  for (let i = 0; i < elements; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Object.is(x, y) || x === y) {
      // equal (including both NaN? Object.is(NaN, NaN) is true): no error
      if (Number.isNaN(x)) continue;
      sumB2 += y * y;
      sumA2 += x * x;
      dot += x * y;
      continue;
    }
    identical = false;
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) {
      nanSeen = true;
      failing++;
      continue;
    }
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
    sumD2 += d * d;
    sumB2 += y * y;
    sumA2 += x * x;
    dot += x * y;
    const rel = d / (y === 0 ? EPS : Math.abs(y));
    if (d > atolEff && rel > rtol) failing++;
  }
  const scale = options.scale;
  if (identical) {
    return {
      elements,
      maxAbs: 0,
      meanAbs: 0,
      relL2: 0,
      cosine: null,
      snrDb: null,
      ...(scale !== undefined ? { rmseOverScale: 0 } : {}),
      identical: true,
      failing: 0,
      atol: atolEff,
      rtol,
      pass: true,
    };
  }
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const rmse = Math.sqrt(sumD2 / Math.max(elements, 1));
  const rmseSteps = scale !== undefined && scale > 0 ? rmse / scale : undefined;
  const maxRmse = options.tolerance.maxRmseSteps;
  const rmseFail = maxRmse !== undefined && rmseSteps !== undefined && rmseSteps > maxRmse;
  return {
    elements,
    maxAbs: nanSeen ? null : maxAbs,
    meanAbs: nanSeen ? null : sumAbs / Math.max(elements, 1),
    relL2: sumB2 > 0 ? finite(Math.sqrt(sumD2) / Math.sqrt(sumB2)) : null,
    cosine: sumA2 > 0 && sumB2 > 0 ? finite(dot / Math.sqrt(sumA2 * sumB2)) : null,
    snrDb: sumB2 > 0 && sumD2 > 0 ? finite(10 * Math.log10(sumB2 / sumD2)) : null,
    ...(rmseSteps !== undefined ? { rmseOverScale: rmseSteps } : {}),
    identical: false,
    failing,
    atol: atolEff,
    rtol,
    pass: failing === 0 && !rmseFail,
    ...(nanSeen ? { reason: 'NAN_MISMATCH' } : rmseFail && failing === 0 ? { reason: 'RMSE_STEPS' } : {}),
  };
}

/** True for dtypes whose values parity treats as quantized (one step = 1). */
export function isQuantizedDtype(t: TensorDType): boolean {
  return t === 'int8' || t === 'uint8' || t === 'int16' || t === 'uint16';
}

/** User overrides: per dtype, and per tensor name (which wins). */
export interface ToleranceConfig {
  readonly byDtype?: Partial<Readonly<Record<TensorDType, Tolerance>>>;
  readonly byTensor?: Readonly<Record<string, Tolerance>>;
  /** Steps of the quantization scale allowed on dequantized float tensors. Default 1. */
  readonly dequantSteps?: number;
}

/**
 * The tolerance for one tensor. A float tensor produced by DequantizeLinear with a known per-tensor
 * scale gets `atol = dequantSteps·scale` (one quantization step), because its error is quantized.
 */
export function toleranceFor(name: string, type: TensorDType, config: ToleranceConfig = {}, dequantScale?: number): Tolerance {
  const t = config.byTensor?.[name];
  if (t) return t;
  const base = config.byDtype?.[type] ?? DEFAULT_TOLERANCES[type];
  if (dequantScale !== undefined && (type === 'float32' || type === 'float16' || type === 'float64')) {
    // A dequantized tensor moves in whole steps: judge it like the quantized tensor it came from.
    const q = config.byDtype?.int8 ?? DEFAULT_TOLERANCES.int8;
    return {
      // 1% of a step of slack: two float32 dequantized values one step apart differ by the scale only up
      // to float32 rounding of values up to 2^15 steps.
      atol: Math.max(base.atol, (config.dequantSteps ?? DEFAULT_DEQUANT_STEPS) * dequantScale * 1.01),
      rtol: base.rtol,
      ...(q.maxRmseSteps !== undefined ? { maxRmseSteps: q.maxRmseSteps } : {}),
    };
  }
  return base;
}
