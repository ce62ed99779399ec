/**
 * How many timed runs a model needs: run until the median is known well enough, not a fixed count. Under
 * emulation (qemu) one run of a large kernel takes 100× its native time, so fixed counts sized for the
 * noisiest case waste most of a calibration; on a quiet device a few runs already agree.
 */

/** When to stop timing one model. */
export interface StopRule {
  /** Untimed runs first (session warm-up: allocations, packed weights). */
  readonly warmup: number;
  /** Timed runs at least (≥ 3: an interquartile range needs them). */
  readonly minRuns: number;
  /** Timed runs at most. */
  readonly maxRuns: number;
  /**
   * Stop once the median's approximate 95 % confidence half-width, 1.58 × IQR ÷ √n (McGill, Tukey and
   * Larsen 1978, the notch of a box plot), is at most this share of the median. 0 never stops early.
   */
  readonly stableWithin: number;
}

/** Defaults of `calibrate --kernels`: at least 3 and at most 20 runs, the median known within ±3 %. */
export const DEFAULT_STOP_RULE: StopRule = { warmup: 2, minRuns: 3, maxRuns: 20, stableWithin: 0.03 };

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The median and its relative 95 % half-width 1.58 × IQR ÷ √n ÷ median (Infinity for fewer than 3 runs). */
export function medianSpread(times: readonly number[]): { median: number; relHalfWidth: number } {
  const s = times.slice().sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, relHalfWidth: Infinity };
  const median = quantile(s, 0.5);
  if (s.length < 3) return { median, relHalfWidth: Infinity };
  const iqr = quantile(s, 0.75) - quantile(s, 0.25);
  return { median, relHalfWidth: median > 0 ? (1.58 * iqr) / Math.sqrt(s.length) / median : iqr > 0 ? Infinity : 0 };
}

/** True when `times` satisfy the rule: enough runs and a stable median, or the run budget spent. */
export function enoughRuns(times: readonly number[], rule: StopRule): boolean {
  if (times.length >= rule.maxRuns) return true;
  if (times.length < Math.max(3, rule.minRuns)) return false;
  return medianSpread(times).relHalfWidth <= rule.stableWithin;
}

/** One timed run: wall-clock ms, and the process CPU ms when the caller can tell (one thread: the latency). */
export interface RunTime {
  readonly wallMs: number;
  readonly cpuMs?: number;
}

/**
 * Times `run` under `rule`: `warmup` untimed runs, then timed runs until `enoughRuns`. The stop test reads
 * CPU times when every run reports one (on a shared machine they vary far less than wall-clock times).
 */
export async function timeUntilStable(run: () => Promise<RunTime>, rule: StopRule): Promise<{ wallMs: number[]; cpuMs?: number[] }> {
  for (let i = 0; i < rule.warmup; i++) await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  let allCpu = true;
  do {
    const t = await run();
    wall.push(t.wallMs);
    if (t.cpuMs === undefined) allCpu = false;
    else cpu.push(t.cpuMs);
  } while (!enoughRuns(allCpu ? cpu : wall, rule));
  return allCpu ? { wallMs: wall, cpuMs: cpu } : { wallMs: wall };
}
