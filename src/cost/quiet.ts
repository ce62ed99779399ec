/**
 * Timing on a shared machine: which samples were taken while the machine ran at its undisturbed speed.
 *
 * On a 2-vCPU cloud VM another tenant (most likely on the sibling hardware thread) slows this core in phases
 * of one to thirty seconds: a 3×3 conv grid kernel read 0.095 ms in one phase and 0.125–0.135 ms
 * (+30 %) in the next, mnasnet1_0 4.7 and 5.5 ms (+15 %), with no steal time in /proc/stat and no change in
 * the load average. The fastest of three rounds then still lands in a slow phase for about one grid case in
 * eight, and a calibration of one phase compared with measurements of another misses by 25 % either way. A
 * *sentinel* (one hot grid kernel, a few runs) read before and after each sample says which phase the
 * sample ran in: its fastest reading is the machine's undisturbed speed, and a sample whose sentinel read
 * more than `QUIET_TOLERANCE` above it ran on a disturbed machine. A subject with no undisturbed sample is
 * sampled again, so that every subject had a chance at an undisturbed phase. The fastest sample counts either
 * way: load only adds time, and a readings-based choice picked a slower sample over a faster one whose
 * sentinel readings straddled a phase change (ShuffleNet 1.46 ms "undisturbed" against 0.95 ms). The sentinel
 * lives in the core's caches: other tenants' use of the shared L3 and DRAM, which slowed whole networks by
 * another 7-22 %, passes it by (docs/cost-model.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeModel } from '../graph/analyze.js';
import { readModel } from '../onnx/reader.js';
import { loadOnnxruntime } from '../runtime/ort-loader.js';
import { sentinelCase } from './kernel-grid.js';
import { makeFeeds, measureSessionOptions } from './measure.js';

/**
 * How far above its fastest reading the sentinel may read for a sample to count as undisturbed. In the quiet
 * phase the sentinel's 7-run median spread over 0.091–0.106 ms (+15 % over its minimum), the disturbed
 * phases read 0.110 ms and 0.12–0.14 ms.
 */
export const QUIET_TOLERANCE = 0.15;

/** A sample and the slower of the sentinel's readings around it (ms). */
export interface SentinelledSample<T> {
  readonly value: T;
  readonly sentinelMs: number;
}

/** Whether a sentinel reading is within `tolerance` of the fastest reading (`floorMs`). */
export function isQuiet(sentinelMs: number, floorMs: number, tolerance = QUIET_TOLERANCE): boolean {
  return Number.isFinite(floorMs) && sentinelMs <= floorMs * (1 + tolerance);
}

/** What the sentinel saw over a timing run, for the calibration's record and the bench. */
export interface QuietRecord {
  /** The sentinel kernel (a grid case id). */
  readonly sentinel: string;
  /** Its fastest reading, ms (the undisturbed machine). */
  readonly floorMs: number;
  readonly tolerance: number;
  /** Samples taken, and how many of them on a disturbed machine. */
  readonly samples: number;
  readonly disturbed: number;
  /** Extra rounds spent on subjects that had no undisturbed sample yet. */
  readonly extraRounds: number;
  /** Subjects timed only on a disturbed machine. */
  readonly withoutQuietSample: readonly string[];
}

/** One line for a record (`what`: the samples' noun, e.g. "samples", "model rounds"). */
export function describeQuiet(record: QuietRecord, what = 'samples'): string {
  const never = record.withoutQuietSample.length ? `; never undisturbed: ${record.withoutQuietSample.join(', ')}` : '';
  return `speed sentinel ${record.sentinel}: fastest ${record.floorMs.toFixed(4)} ms; ${record.disturbed} of ${record.samples} ${what} taken while it read more than ${Math.round(record.tolerance * 100)} % slower, ${record.extraRounds} extra round(s)${never}`;
}

/** A speed sentinel: one hot grid kernel in its own session, read as the median CPU time of a few runs. */
export interface SpeedSentinel {
  readonly id: string;
  /** The sentinel's median CPU time now, ms; also lowers `floorMs`. */
  read(): Promise<number>;
  /** The fastest reading so far, ms. */
  readonly floorMs: number;
  release(): Promise<void>;
}

const SENTINEL_RUNS = 7;
const SENTINEL_WARMUP = 2;

/** Opens the sentinel with onnxruntime-node, one intra-op thread (as the timed samples run). */
export async function openSpeedSentinel(threads = 1): Promise<SpeedSentinel> {
  const kase = sentinelCase();
  const dir = mkdtempSync(join(tmpdir(), 'edgegate-sentinel-'));
  const file = join(dir, `${kase.id}.onnx`);
  writeFileSync(file, kase.bytes);
  const { ort } = await loadOnnxruntime();
  const analysis = analyzeModel(await readModel(file));
  const session = await ort.InferenceSession.create(file, measureSessionOptions(threads));
  const feeds = makeFeeds(ort, analysis, file);
  for (let i = 0; i < 3; i++) await session.run(feeds);
  let floorMs = Infinity;
  return {
    id: kase.id,
    get floorMs() {
      return floorMs;
    },
    async read() {
      // Untimed first: a sample that swept the caches (the 64 MiB stream case) left the sentinel's own weights
      // and session cold, and its next run read 10-18 % slow on a quiet machine.
      for (let i = 0; i < SENTINEL_WARMUP; i++) await session.run(feeds);
      const cpu: number[] = [];
      for (let i = 0; i < SENTINEL_RUNS; i++) {
        const c0 = process.cpuUsage();
        await session.run(feeds);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e3);
      }
      cpu.sort((a, b) => a - b);
      const ms = cpu[cpu.length >> 1]!;
      floorMs = Math.min(floorMs, ms);
      return ms;
    },
    async release() {
      await session.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Takes `rounds` sentinelled samples of every subject (rounds outside, subjects inside: a phase of load hits
 * one round of many subjects), then up to `maxExtraRounds` more rounds of the subjects that have no quiet
 * sample yet. Returns each subject's samples and the record.
 */
export async function sampleQuietly<S, T>(
  subjects: readonly S[],
  idOf: (s: S) => string,
  sample: (s: S) => Promise<T>,
  sentinel: SpeedSentinel,
  options: { readonly rounds: number; readonly maxExtraRounds?: number; readonly tolerance?: number; readonly log?: (line: string) => void },
): Promise<{ samples: Map<string, SentinelledSample<T>[]>; record: QuietRecord }> {
  const tolerance = options.tolerance ?? QUIET_TOLERANCE;
  const samples = new Map<string, SentinelledSample<T>[]>(subjects.map((s) => [idOf(s), []]));
  const take = async (s: S): Promise<void> => {
    const before = await sentinel.read();
    const value = await sample(s);
    const after = await sentinel.read();
    samples.get(idOf(s))!.push({ value, sentinelMs: Math.max(before, after) });
  };
  for (let r = 0; r < options.rounds; r++) for (const s of subjects) await take(s);
  const pending = (): S[] => subjects.filter((s) => !samples.get(idOf(s))!.some((x) => isQuiet(x.sentinelMs, sentinel.floorMs, tolerance)));
  let extraRounds = 0;
  for (let todo = pending(); todo.length > 0 && extraRounds < (options.maxExtraRounds ?? options.rounds); todo = pending()) {
    options.log?.(`${todo.length} of ${subjects.length} timed only while the machine ran slower than its fastest (sentinel over ${sentinel.floorMs.toFixed(4)} ms + ${Math.round(tolerance * 100)} %): timing them again`);
    for (const s of todo) await take(s);
    extraRounds++;
  }
  const all = [...samples.values()].flat();
  const record: QuietRecord = {
    sentinel: sentinel.id,
    floorMs: sentinel.floorMs,
    tolerance,
    samples: all.length,
    disturbed: all.filter((x) => !isQuiet(x.sentinelMs, sentinel.floorMs, tolerance)).length,
    extraRounds,
    withoutQuietSample: pending().map(idOf),
  };
  return { samples, record };
}
