/**
 * One kernel variant's time as a function of its shape, fitted from timed grid points (`calibrate
 * --kernels`). The model, per variant:
 *
 *     time = fixed + work ÷ (rate × efficiency(x)),   ln efficiency(x) = c₀ + Σⱼ cⱼ·xⱼ  (+ local residual)
 *
 * `x` are the variant's shape features (log2 sizes, small integers such as the stride), `rate` the unit's
 * peak MAC/s (or its DRAM bandwidth for data movement), `fixed` the kernel's own start-up cost (argument
 * checks, buffer set-up, thread-pool partitioning), which dominates small kernels and which no efficiency
 * can express. The linear part in log space is a ridge regression (so a variant with few points keeps a
 * nearly constant efficiency rather than a wild slope); `fixed` is chosen among fractions of the smallest
 * timing by leave-one-out error; what the line leaves at each grid point is kept and added back near that
 * point (inverse-distance weighted, fading within about one doubling of a size), so a node whose shape is a
 * grid case gets that case's time, and a node between cases moves smoothly from one to the next.
 *
 * Pure: numbers in, numbers out.
 */

/** A timed grid point of one variant. */
export interface CurveSample {
  /** Shape features (the variant's `features` names, in order). */
  readonly x: readonly number[];
  /** Work (MACs or other ops; bytes for data movement) of the kernel. */
  readonly work: number;
  /** The rate `work` is measured against: peak MAC/s, or bytes/s. */
  readonly rate: number;
  /** The kernel's own time, seconds. */
  readonly seconds: number;
}

/** A fitted curve, as stored in a calibrated profile (`calibration.kernels.<unit>.curves[]`). */
export interface FittedCurve {
  /** Fixed cost per kernel call, µs. */
  readonly fixedUs: number;
  /** c₀, c₁…c_d of ln efficiency (efficiency net of the fixed cost). */
  readonly coefficients: number[];
  /** Grid points as [x…, efficiency net of the fixed cost]. */
  readonly points: number[][];
  /** Leave-one-out RMS of ln(time) over the points (at least ln 1.1; ln 1.25 with fewer than 3 points). */
  readonly sigma: number;
}

/** Ridge penalty on the slopes (features are log2 sizes; a penalty of 1 per point-equivalent). */
const RIDGE = 1;
/** Fractions of the smallest timing tried as the fixed cost. */
const FIXED_FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
/** Neighbours whose residuals are added back. */
const K_NEAREST = 4;
/** How far the line may be extrapolated beyond the efficiencies seen: ln 2 either side. */
const EXTRAPOLATION = Math.log(2);

/** Solves the small symmetric system A·b = y (Gaussian elimination with partial pivoting). */
function solve(A: number[][], y: number[]): number[] {
  const n = y.length;
  const M = A.map((row, i) => [...row, y[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const d = M[c]![c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / d;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

/** Ridge regression of y on [1, x]: the intercept is free, the slopes shrink toward 0. */
export function ridgeLine(xs: readonly (readonly number[])[], ys: readonly number[], ridge = RIDGE): number[] {
  const d = xs[0]?.length ?? 0;
  const A = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
  const b = new Array<number>(d + 1).fill(0);
  xs.forEach((x, i) => {
    const row = [1, ...x];
    for (let r = 0; r <= d; r++) {
      b[r]! += row[r]! * ys[i]!;
      for (let c = 0; c <= d; c++) A[r]![c]! += row[r]! * row[c]!;
    }
  });
  for (let j = 1; j <= d; j++) A[j]![j]! += ridge;
  return solve(A, b);
}

const dot = (c: readonly number[], x: readonly number[]): number => x.reduce((s, v, j) => s + c[j + 1]! * v, c[0]!);

function dist2(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < b.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/**
 * ln efficiency at `x` from a fitted line and its points' residuals: the line (clamped to ln 2 beyond the
 * efficiencies the points span), plus the residuals of the nearest points, inverse-distance weighted and
 * faded with distance (a point one log2 unit away passes on 61 % of its residual, two units 14 %).
 * `skip` leaves one point out (leave-one-out error).
 */
export function predictLnEfficiency(coefficients: readonly number[], points: readonly (readonly number[])[], x: readonly number[], skip = -1): number {
  const d = x.length;
  const ys = points.filter((_, i) => i !== skip).map((p) => Math.log(p[d]!));
  let line = dot(coefficients, x);
  if (ys.length > 0) line = Math.min(Math.max(...ys) + EXTRAPOLATION, Math.max(Math.min(...ys) - EXTRAPOLATION, line));
  const near = points
    .map((p, i) => ({ i, d2: dist2(p, x), r: Math.log(p[d]!) - dot(coefficients, p.slice(0, d)) }))
    .filter((n) => n.i !== skip && points[n.i]!.length === d + 1)
    .sort((a, b) => a.d2 - b.d2)
    .slice(0, K_NEAREST);
  let wsum = 0;
  let rsum = 0;
  for (const n of near) {
    const w = 1 / (n.d2 + 0.01);
    wsum += w;
    rsum += w * n.r * Math.exp(-n.d2 / 2);
  }
  return line + (wsum > 0 ? rsum / wsum : 0);
}

/** Time of a kernel from a fitted curve, seconds. */
export function curveSeconds(curve: Pick<FittedCurve, 'fixedUs' | 'coefficients' | 'points'>, x: readonly number[], work: number, rate: number): number {
  return curve.fixedUs * 1e-6 + work / (rate * Math.exp(predictLnEfficiency(curve.coefficients, curve.points, x)));
}

/** Slopes are only fitted with a few points per coefficient; below that the efficiency is one number. */
function slopesAllowed(n: number, d: number): boolean {
  return n >= d + 3;
}

function fitAt(samples: readonly CurveSample[], fixedS: number, skip = -1): { coefficients: number[]; points: number[][] } {
  const use = samples.filter((_, i) => i !== skip);
  const d = samples[0]!.x.length;
  const ys = use.map((s) => Math.log(s.work / (s.rate * (s.seconds - fixedS))));
  const coefficients = slopesAllowed(use.length, d)
    ? ridgeLine(use.map((s) => s.x), ys)
    : [ys.reduce((a, v) => a + v, 0) / ys.length, ...new Array<number>(d).fill(0)];
  return { coefficients, points: use.map((s, i) => [...s.x, Math.exp(ys[i]!)]) };
}

function looLnError(samples: readonly CurveSample[], fixedS: number): number {
  if (samples.length < 3) return 0;
  let s2 = 0;
  samples.forEach((s, i) => {
    const f = fitAt(samples, fixedS, i);
    const t = fixedS + s.work / (s.rate * Math.exp(predictLnEfficiency(f.coefficients, f.points, s.x)));
    s2 += Math.log(t / s.seconds) ** 2;
  });
  return Math.sqrt(s2 / samples.length);
}

/**
 * Fits one variant's curve to its timed grid points.
 * @throws RangeError when there is no sample, or a sample has no positive work, rate or time.
 */
export function fitCurve(samples: readonly CurveSample[]): FittedCurve {
  if (samples.length === 0) throw new RangeError('fitCurve needs at least one sample');
  for (const s of samples) if (!(s.work > 0 && s.rate > 0 && s.seconds > 0)) throw new RangeError(`fitCurve: sample at [${s.x.join(', ')}] has no positive work, rate and time`);
  const tMin = Math.min(...samples.map((s) => s.seconds));
  // A fixed cost needs points to tell it from the efficiency: at least two per coefficient it competes with.
  const fractions = samples.length >= 4 ? FIXED_FRACTIONS : [0];
  let best = { fixedS: 0, err: Infinity };
  for (const q of fractions) {
    const err = looLnError(samples, q * tMin);
    if (err < best.err - 1e-9) best = { fixedS: q * tMin, err };
  }
  const f = fitAt(samples, best.fixedS);
  const sigma = samples.length < 3 ? Math.log(1.25) : Math.max(Math.log(1.1), best.err);
  return {
    fixedUs: Number((best.fixedS * 1e6).toPrecision(4)),
    coefficients: f.coefficients.map((c) => Number(c.toPrecision(5))),
    points: f.points.map((p) => [...p.slice(0, -1).map((v) => Number(v.toFixed(4))), Number(p[p.length - 1]!.toPrecision(4))]),
    sigma: Number(sigma.toPrecision(4)),
  };
}
