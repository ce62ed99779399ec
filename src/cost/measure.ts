/**
 * Measuring a model on this machine with onnxruntime-node (calibration and the accuracy bench): the
 * median latency of plain runs, and a second, profiled session whose per-node kernel times are mapped back
 * to source-node groups. onnxruntime-node is loaded lazily (src/runtime/ort-loader.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphAnalysis } from '../graph/types.js';
import { DataType } from '../onnx/types.js';
import { numElements } from '../graph/dims.js';
import { readModel } from '../onnx/reader.js';
import { loadOnnxruntime, type OrtModule } from '../runtime/ort-loader.js';
import { mapToSourceGroups, parseOrtProfile, type GroupMapping, type KernelTiming } from './ort-profile.js';

export interface MeasureOptions {
  /** intraOpNumThreads (default 1). */
  readonly threads?: number;
  /** Untimed runs before timing (default 5). */
  readonly warmup?: number;
  /** Timed runs; the median is reported (default 30). */
  readonly runs?: number;
  /** Runs of the profiled session after its own warm-up (default 10). */
  readonly profileRuns?: number;
  /** false: skip the profiled session (latency only). */
  readonly profile?: boolean;
  /** Deterministic input seed. */
  readonly seed?: number;
}

export interface ModelMeasurement {
  readonly file: string;
  readonly ortVersion: string;
  /** Median wall-clock time of `session.run`, ms. */
  readonly medianMs: number;
  readonly timesMs: readonly number[];
  /**
   * Median process CPU time (user + system) per run, ms. With one intra-op thread this is the latency on
   * an idle core: unlike wall-clock time it does not grow when other processes compete for the CPU.
   */
  readonly cpuMedianMs: number;
  readonly cpuTimesMs: readonly number[];
  readonly options: { readonly threads: number; readonly graphOptimizationLevel: 'all'; readonly runs: number };
  /** Present when profiled. */
  readonly kernels?: readonly KernelTiming[];
  readonly mapping?: GroupMapping;
  /** Sum of the kernels' median times (one run), ms. */
  readonly kernelSumMs?: number;
}

/** Errors of a measurement run (ORT missing, session failed, unknown input shapes). */
export class MeasureError extends Error {
  override readonly name = 'MeasureError';
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 1_000_000) / 1_000_000;
  };
}

/** Deterministic feeds for the graph inputs, from the analysis's pinned shapes. */
export function makeFeeds(ort: OrtModule, analysis: GraphAnalysis, file: string, seed = 1): Record<string, InstanceType<OrtModule['Tensor']>> {
  const r = rng(seed);
  const feeds: Record<string, InstanceType<OrtModule['Tensor']>> = {};
  const inits = analysis.model.graph.initializers;
  for (const vi of analysis.model.graph.inputs) {
    if (inits.has(vi.name)) continue;
    const t = analysis.tensors.get(vi.name);
    const shape = t?.shape ?? vi.shape;
    const n = numElements(shape);
    if (n === null || !shape) throw new MeasureError(file, `input '${vi.name}' has an unknown shape; pin its symbolic dims`);
    const dims = shape.map((d) => Number(d));
    const dtype = t?.dtype ?? vi.dtype;
    switch (dtype) {
      case DataType.FLOAT:
        feeds[vi.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => r() * 2 - 1), dims);
        break;
      case DataType.INT64:
        feeds[vi.name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, () => 0n), dims);
        break;
      case DataType.INT32:
        feeds[vi.name] = new ort.Tensor('int32', new Int32Array(n), dims);
        break;
      case DataType.UINT8:
        feeds[vi.name] = new ort.Tensor('uint8', Uint8Array.from({ length: n }, () => Math.floor(r() * 256)), dims);
        break;
      case DataType.INT8:
        feeds[vi.name] = new ort.Tensor('int8', Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128), dims);
        break;
      default:
        throw new MeasureError(file, `input '${vi.name}' has dtype ${dtype}, which the measurement cannot generate`);
    }
  }
  return feeds;
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface MeasureSessionOptions {
  readonly graphOptimizationLevel: 'all';
  readonly intraOpNumThreads: number;
  readonly interOpNumThreads: 1;
  readonly executionMode: 'sequential';
  readonly logSeverityLevel: 3;
}
/** The session every host measurement runs in (models, grid cases, the speed sentinel): all optimizations, sequential. */
export function measureSessionOptions(threads: number): MeasureSessionOptions {
  return { graphOptimizationLevel: 'all' as const, intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' as const, logSeverityLevel: 3 as const };
}

/**
 * Measures one model: session with `graphOptimizationLevel: 'all'`, `intraOpNumThreads` = threads,
 * sequential execution; warm-up, then `runs` timed runs (median). Then, unless `profile: false`, a second
 * session with profiling and the optimized model saved, whose kernel times are mapped to source groups.
 */
export async function measureModel(file: string, analysis: GraphAnalysis, options: MeasureOptions = {}): Promise<ModelMeasurement> {
  const threads = options.threads ?? 1;
  const warmup = options.warmup ?? 5;
  const runs = options.runs ?? 30;
  const profileRuns = options.profileRuns ?? 10;
  const { ort, version } = await loadOnnxruntime();
  const base = measureSessionOptions(threads);
  const feeds = makeFeeds(ort, analysis, file, options.seed ?? 1);
  let session: Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
  try {
    session = await ort.InferenceSession.create(file, base);
  } catch (cause) {
    throw new MeasureError(file, `onnxruntime could not load the model: ${(cause as Error).message}`, { cause });
  }
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  await session.release();
  const result = {
    file,
    ortVersion: version,
    medianMs: median(times),
    timesMs: times,
    cpuMedianMs: median(cpu),
    cpuTimesMs: cpu,
    options: { threads, graphOptimizationLevel: 'all' as const, runs },
  };
  if (options.profile === false) return result;

  const dir = mkdtempSync(join(tmpdir(), 'edgegate-prof-'));
  try {
    const optimizedPath = join(dir, 'optimized.onnx');
    const ps = await ort.InferenceSession.create(file, { ...base, enableProfiling: true, profileFilePrefix: join(dir, 'profile'), optimizedModelFilePath: optimizedPath });
    for (let i = 0; i < warmup; i++) await ps.run(feeds);
    for (let i = 0; i < profileRuns; i++) await ps.run(feeds);
    ps.endProfiling();
    await ps.release();
    // endProfiling's file name is dropped by the JS binding: find `<prefix>_<timestamp>.json`.
    const pf = readdirSync(dir).find((f) => f.startsWith('profile') && f.endsWith('.json'));
    if (!pf) throw new MeasureError(file, 'onnxruntime wrote no profile file');
    const kernels = parseOrtProfile(JSON.parse(readFileSync(join(dir, pf), 'utf8')), pf, warmup);
    const optimized = await readModel(optimizedPath);
    const mapping = mapToSourceGroups(analysis.model.graph, optimized.graph, kernels);
    const kernelSumMs = kernels.reduce((s, k) => s + k.medianUs, 0) / 1e3;
    return { ...result, kernels, mapping, kernelSumMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
