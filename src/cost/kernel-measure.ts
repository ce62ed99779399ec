/**
 * Timing the kernel grid (the side-effect half of `calibrate --kernels`): writes each micro-model to a work
 * folder and times it, either with onnxruntime-node on this machine (CPU time per run with one thread,
 * plus a profiled session that says how much of the time is the case's own kernel), or through a parity
 * model runner (an edge device's external runtime: whole-run wall-clock times only).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFileToEnd } from '../io/regular-file.js';
import { readModel } from '../onnx/reader.js';
import { analyzeModel } from '../graph/analyze.js';
import { type BatchTimingResult, type ModelRunner, RunnerError } from '../parity/runner.js';
import { DEFAULT_STOP_RULE, type StopRule } from '../parity/timing.js';
import type { HostTensor } from '../parity/tensor.js';
import type { KernelCase } from './kernel-grid.js';
import type { KernelPoint } from './kernel-curves.js';
import { measureModel, type ModelMeasurement } from './measure.js';
import { describeQuiet, openSpeedSentinel, type QuietRecord, sampleQuietly } from './quiet.js';

export interface KernelTimingOptions {
  /** Timed runs per session (default 20). */
  readonly runs?: number;
  /** Sessions per case; the fastest session's median counts (default 3). */
  readonly rounds?: number;
  readonly warmup?: number;
  /** intraOpNumThreads for the host (default 1; the latency is then the CPU time per run). */
  readonly threads?: number;
  /** Progress lines (one per case). */
  readonly log?: (line: string) => void;
}

/** A timed case: the fit's point plus what was measured, for the CLI's summary. */
export interface TimedKernel extends KernelPoint {
  readonly file: string;
  readonly ortVersion?: string;
}

/**
 * Kernels that are not the case's own: the runtime's layout kernels (onnxruntime's NCHWc reorders, NHWC
 * transposes) and the grid's one-element output Slice (src/cost/kernel-grid.ts).
 */
const LAYOUT_OPS = new Set(['ReorderInput', 'ReorderOutput', 'Transpose', 'Slice']);

/**
 * The case's own kernel time and all kernels' time in a per-node profile (µs per run), with their event
 * counts. `ownLayout`: everything the runtime runs between the first and the last context kernel (in
 * execution order) is the timed op's own, NCHWc reorders and views included: a channel shuffle between
 * convolutions pays them in a real model (the reorders at the case's own input and output do not count).
 */
export function ownKernelTime(
  kernels: ModelMeasurement['kernels'],
  caseOp: string,
  context: readonly string[] = [],
  ownLayout = false,
): { ownUs: number; totalUs: number; ownEvents: number; events: number } | undefined {
  if (!kernels || kernels.length === 0) return undefined;
  const totalUs = kernels.reduce((s, k) => s + k.medianUs, 0);
  const contextOps = new Set(context.flatMap((op) => CONTEXT_KERNELS[op] ?? [op]));
  let own: typeof kernels;
  if (ownLayout) {
    const isContext = kernels.map((k) => contextOps.has(k.op) && k.op !== caseOp);
    const first = isContext.indexOf(true);
    const last = isContext.lastIndexOf(true);
    own = kernels.filter((_, i) => i > first && i < last && !isContext[i]);
  } else {
    const notOwn = new Set([...LAYOUT_OPS, ...contextOps]);
    own = kernels.filter((k) => !notOwn.has(k.op) || k.op === caseOp);
  }
  const ownUs = own.reduce((s, k) => s + k.medianUs, 0);
  return totalUs > 0 ? { ownUs, totalUs, ownEvents: own.length, events: kernels.length } : undefined;
}

/** Kernel names onnxruntime gives a context op after fusion. */
const CONTEXT_KERNELS: Readonly<Record<string, readonly string[]>> = { Conv: ['Conv', 'QLinearConv', 'FusedConv'] };

/** The fit's view of a case: timed op, overhead chain length, stream case. */
function roleOf(c: KernelCase): Pick<KernelPoint, 'op' | 'overheadChain' | 'stream' | 'composite' | 'layoutTransposes' | 'coldChain'> {
  if (c.family === 'overhead') return { overheadChain: c.nodes };
  if (c.family === 'composite') return { composite: true };
  return { op: c.op, ...(c.family === 'stream' ? { stream: true } : {}), ...(c.layoutTransposes ? { layoutTransposes: c.layoutTransposes } : {}), ...(c.coldChain ? { coldChain: c.coldChain } : {}) };
}

async function prepare(c: KernelCase, dir: string): Promise<{ file: string; analysis: ReturnType<typeof analyzeModel> }> {
  const file = join(dir, `${c.id}.onnx`);
  writeFileSync(file, c.bytes);
  return { file, analysis: analyzeModel(await readModel(file)) };
}

type OwnTime = NonNullable<ReturnType<typeof ownKernelTime>>;
/** One timed session of a case: its median run time (ms) and, when profiled, its own kernel time. */
type CaseSample = { readonly ms: number; readonly own?: OwnTime };

/** The host's timing of the grid: the points, and what the speed sentinel saw while they were taken. */
export interface HostTiming {
  readonly points: TimedKernel[];
  readonly quiet: QuietRecord;
}

/**
 * Times the cases with onnxruntime-node here (see measureModel): `rounds` rounds (rounds outside, cases
 * inside), each sample between two readings of the speed sentinel (src/cost/quiet.ts), and more rounds for
 * cases that had no sample on the undisturbed machine. A case's time is the fastest round's median CPU time;
 * its profile the round's whose kernels took least (one profiled round let a burst of load turn a 1 µs
 * Gather into 4 µs and its curve's slope wild).
 */
export async function timeKernelsHost(cases: readonly KernelCase[], dir: string, options: KernelTimingOptions = {}): Promise<HostTiming> {
  mkdirSync(dir, { recursive: true });
  const runs = options.runs ?? 20;
  const rounds = options.rounds ?? 3;
  const threads = options.threads ?? 1;
  const warmup = options.warmup ?? 3;
  const prepared = [];
  for (const c of cases) prepared.push({ c, ...(await prepare(c, dir)) });
  let ortVersion: string | undefined;
  const sentinel = await openSpeedSentinel(threads);
  const { samples, record } = await sampleQuietly(
    prepared,
    (p) => p.c.id,
    async (p): Promise<CaseSample> => {
      const m = await measureModel(p.file, p.analysis, { runs, warmup, threads, profile: p.c.family !== 'composite', profileRuns: 8 });
      ortVersion = m.ortVersion;
      const own = ownKernelTime(m.kernels, p.c.op, p.c.context, p.c.ownLayout);
      return { ms: threads === 1 ? m.cpuMedianMs : m.medianMs, ...(own ? { own } : {}) };
    },
    sentinel,
    { rounds, ...(options.log ? { log: options.log } : {}) },
  ).finally(() => sentinel.release());
  const points = prepared.map((p) => {
    const taken = samples.get(p.c.id)!.map((s) => s.value);
    const measuredMs = Math.min(...taken.map((s) => s.ms));
    const profiled = taken.reduce<OwnTime | undefined>((best, s) => (s.own && (!best || s.own.totalUs < best.totalUs) ? s.own : best), undefined);
    options.log?.(`${p.c.id}: ${measuredMs.toFixed(4)} ms (profiled: ${profiled ? `own kernel ${(profiled.ownUs / 1e3).toFixed(4)} of ${(profiled.totalUs / 1e3).toFixed(4)} ms` : 'none'})${record.withoutQuietSample.includes(p.c.id) ? ' (timed only while the machine was disturbed)' : ''}`);
    const point: TimedKernel = { id: p.c.id, file: p.file, analysis: p.analysis, measuredMs, ...(profiled ? { profiled } : {}), ortVersion, ...roleOf(p.c) };
    return point;
  });
  options.log?.(describeQuiet(record));
  return { points, quiet: record };
}

function zeroInputs(c: KernelCase): Map<string, HostTensor> {
  const m = new Map<string, HostTensor>();
  for (const i of c.inputs) {
    const n = i.dims.reduce((a, b) => a * b, 1);
    m.set(i.name, i.elemType === 2 ? { type: 'uint8', dims: i.dims, data: new Uint8Array(n).fill(128) } : { type: 'float32', dims: i.dims, data: new Float32Array(n).fill(0.5) });
  }
  return m;
}

/**
 * The grid cases worth timing where: a runner (an edge device through `parity runtime`) times whole runs,
 * and a layout-Transpose case's Transposes cannot be told from the Conv they wrap without a per-node profile.
 */
export function casesToTime(grid: readonly KernelCase[], onRunner: boolean): KernelCase[] {
  return onRunner ? grid.filter((c) => !c.layoutTransposes) : [...grid];
}

/** A runner's timing of the grid, and what the runtime said about the machine it ran on. */
export interface RunnerTiming {
  readonly points: TimedKernel[];
  readonly host?: BatchTimingResult['host'];
  readonly runtime?: BatchTimingResult['runtime'];
  /** How the cases were sent: all in one `time-batch` call, or one `time` call each. */
  readonly mode: 'batch' | 'per-model';
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Times the cases through a parity model runner (the device's own runtime), whole runs only: in one
 * `time-batch` call, each case until its median is stable (`stop`), when the runner implements it; else one
 * `time` call per case with `options.runs` runs. The latency is the median CPU time per run when the runtime
 * reports it (one thread: the idle-core latency), else the median wall-clock time.
 */
export async function timeKernelsRunner(cases: readonly KernelCase[], dir: string, runner: ModelRunner, options: KernelTimingOptions & { readonly stop?: StopRule } = {}): Promise<RunnerTiming> {
  mkdirSync(dir, { recursive: true });
  const prepared: (Awaited<ReturnType<typeof prepare>> & { c: KernelCase })[] = [];
  for (const c of cases) prepared.push({ c, ...(await prepare(c, dir)) });
  const point = (p: (typeof prepared)[number], measuredMs: number): TimedKernel => ({ id: p.c.id, file: p.file, analysis: p.analysis, measuredMs, ...roleOf(p.c) });
  const stop = options.stop ?? { ...DEFAULT_STOP_RULE, ...(options.runs ? { maxRuns: options.runs } : {}) };
  if (runner.timeBatch) {
    try {
      const b = await runner.timeBatch(prepared.map((p) => ({ id: p.c.id, modelPath: p.file, inputs: zeroInputs(p.c) })), stop);
      const byId = new Map(b.timings.map((t) => [t.id, t]));
      const points = prepared.map((p) => {
        const t = byId.get(p.c.id)!;
        const cpu = t.cpuTimingsMs !== undefined;
        const measuredMs = median(t.cpuTimingsMs ?? t.timingsMs);
        options.log?.(`${p.c.id}: ${measuredMs.toFixed(4)} ms (${cpu ? 'CPU time' : 'wall'}, median of ${t.timingsMs.length} runs, runner)`);
        return point(p, measuredMs);
      });
      return { points, mode: 'batch', ...(b.host ? { host: b.host } : {}), ...(b.runtime ? { runtime: b.runtime } : {}) };
    } catch (err) {
      // A runtime written before `time-batch` fails on it or answers without `batch`: one call per case then.
      if (!(err instanceof RunnerError)) throw err;
      options.log?.(`the runtime did not time the batch (${err.message}); timing the cases one by one`);
    }
  }
  const points: TimedKernel[] = [];
  for (const p of prepared) {
    const times = await runner.time({ modelPath: p.file, inputs: zeroInputs(p.c), warmup: options.warmup ?? 3, runs: options.runs ?? 20 });
    const measuredMs = median(times);
    options.log?.(`${p.c.id}: ${measuredMs.toFixed(4)} ms (wall, runner)`);
    points.push(point(p, measuredMs));
  }
  return { points, mode: 'per-model' };
}

/** `size` of a Linux cache description (`2048K`, `491520K`, `32M`) in bytes; null when unreadable. */
export function parseCacheSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMG]?)/i.exec(text);
  if (!m) return null;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

/**
 * The last-level cache of this machine's first CPU, from Linux's cache description
 * (/sys/devices/system/cpu/cpu0/cache/index<N>/{level,type,size}): the largest data or unified level. Null
 * where it cannot be read (another OS, a container hiding /sys). Calibration on this machine records it:
 * a model whose weights fit in it finds them there at the next inference, as the grid's cases do.
 */
export function readLastLevelCacheBytes(root = '/sys/devices/system/cpu/cpu0/cache'): number | null {
  const levels = readDataCacheLevels(root);
  return levels.length > 0 ? levels[levels.length - 1]!.bytes : null;
}

/**
 * The level-2 data or unified cache of this machine's first CPU (same source), else what `fallback` finds
 * (glibc's `getconf LEVEL2_CACHE_SIZE`, read from CPUID: Firecracker VMs expose no cache description under
 * /sys, and calibrating on one recorded no cache at all); null where neither says. Calibration records it as
 * the unit's `coreCacheBytes`: the grid's cases run with their weights hot in it, and a model whose weights
 * exceed it reads them from further out on every inference. (The last level has no such fallback: CPUID
 * gives the whole package's L3, 508 MiB on a 2-vCPU EPYC VM, not what one core shares.)
 */
export function readLevel2CacheBytes(root = '/sys/devices/system/cpu/cpu0/cache', fallback: () => number | null = level2FromGetconf): number | null {
  return readDataCacheLevels(root).find((l) => l.level === 2)?.bytes ?? fallback();
}

/** `getconf LEVEL2_CACHE_SIZE` on Linux, in bytes; null elsewhere, when getconf is missing or answers 0/empty. */
export function level2FromGetconf(run: () => string = () => execFileSync('getconf', ['LEVEL2_CACHE_SIZE'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] })): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const text = run().trim();
    const bytes = /^\d+$/.test(text) ? Number(text) : NaN;
    return bytes > 0 ? bytes : null;
  } catch {
    return null;
  }
}

/** Data and unified cache levels of cpu0, lowest level first; empty where /sys cannot be read. */
function readDataCacheLevels(root: string): { level: number; bytes: number }[] {
  const levels: { level: number; bytes: number }[] = [];
  try {
    for (const d of readdirSync(root).filter((x) => /^index\d+$/.test(x))) {
      const read = (f: string): string => readRegularFileToEnd(join(root, d, f), { maxBytes: 4096, what: `${d}/${f}` }).toString('utf8').trim();
      if (read('type') === 'Instruction') continue;
      const level = Number(read('level'));
      const bytes = parseCacheSize(read('size'));
      if (bytes !== null && Number.isFinite(level)) levels.push({ level, bytes });
    }
  } catch {
    return [];
  }
  return levels.sort((a, b) => a.level - b.level);
}
