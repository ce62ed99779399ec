/**
 * `edgegate calibrate MODEL... --device ID|PATH [--out FILE] [--id ID] [--threads N] [--runs N] [--rounds N]
 *                    [--dim NAME=VALUE]... [--result result.json]... [--force]`
 * `edgegate calibrate --kernels --device ID|PATH [--grid full|small] [--runtime onnxruntime-node|external:CMD]
 *                    [MODEL...] [--result result.json]... [--out FILE] [--id ID] [--force]`
 *
 * With `--kernels` no user model is needed: a grid of generated single-operator models (src/cost/kernel-grid.ts)
 * is timed on the device and per-kernel efficiency curves by shape are fitted (src/cost/kernel-curves.ts);
 * models and `--result` timings given as well join the same fit. Without it, at least three models are needed.
 *
 * Timing on this machine is refused (exit 2) when the machine is not the profile's declared platform
 * (src/runtime/host-match.ts), or is an emulator, unless `--force`, which the calibrated profile then records.
 * The calibrated profile gets the id `<id>-calibrated` (or `--id`), so it loads beside the shipped one.
 *
 * Runs each model with onnxruntime-node on this machine (graph optimizations 'all', sequential, the given
 * intra-op threads), profiles it per node, fits the device profile's op-class efficiencies, bandwidth and
 * per-node overhead (src/cost/calibrate.ts) and writes a calibrated profile with a `calibration` block
 * naming the models and the onnxruntime version. Exit codes: 0 written, 2 usage/input error.
 *
 * `--result` feeds measurements taken elsewhere — the parity job's result.json from an edge runner, which
 * times plain inference of the production pass on the device itself — into the same fit: a model with a
 * matching result (by sha256, else by path) takes its median from there instead of being run here.
 *
 * Each local model is measured in `--rounds` sessions (default 3; 6 for the host's kernel grid) and the fastest session's median counts:
 * interference on a shared machine (other tenants, SMT siblings, clock changes) only adds time, and it comes
 * in bursts that slow a whole session (docs/cost-model.md).
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { stringify } from 'yaml';
import { readModel } from '../onnx/reader.js';
import { analyzeModel } from '../graph/analyze.js';
import { loadProfile } from '../profiles/load.js';
import { DeviceProfileSchema } from '../profiles/schema.js';
import { measureModel, type ModelMeasurement } from '../cost/measure.js';
import { fitCalibrationDetailed, fitKernelCalibration, type CalibrationMeasurement } from '../cost/calibrate.js';
import { kernelGrid, type GridSize } from '../cost/kernel-grid.js';
import { describeQuiet, type QuietRecord } from '../cost/quiet.js';
import { casesToTime, readLastLevelCacheBytes, readLevel2CacheBytes, timeKernelsHost, timeKernelsRunner, type TimedKernel } from '../cost/kernel-measure.js';
import { DEFAULT_STOP_RULE } from '../parity/timing.js';
import { sourceWork } from '../cost/work.js';
import { workOptionsFor } from '../cost/estimate.js';
import { type HostPlatform, matchPlatform, readHostPlatform } from '../runtime/host-match.js';
import { ExternalRunner, RunnerError } from '../parity/runner.js';
import type { DeviceProfile, OpClass } from '../profiles/schema.js';
import type { GraphAnalysis } from '../graph/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { readParityResult, type ParityResult } from '../parity/result-schema.js';
import { parseDims, UsageError } from './main.js';
import { COMMAND_HELP, wantsHelp } from './args.js';

function positiveInt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} expects a positive integer, got '${raw}'`);
  return Number(raw);
}

/** Minimum number of models a calibration without `--kernels` needs (the profiler-cost line needs three). */
export const MIN_MODELS_WITHOUT_KERNELS = 3;

/** Op classes whose figures a model-only calibration should see exercised (the rest keep their priors). */
const CORE_CLASSES: readonly OpClass[] = ['conv', 'depthwise', 'matmul', 'elementwise', 'pool'];

/** Op classes the analyses exercise with a kernel of their own (for the coverage message). */
export function exercisedClasses(analyses: readonly GraphAnalysis[], profile: DeviceProfile): Set<OpClass> {
  const out = new Set<OpClass>();
  for (const a of analyses) for (const w of sourceWork(a, workOptionsFor(profile))) if (!w.free && w.mergedAs === undefined) out.add(w.opClass);
  return out;
}

/**
 * Why timings taken on this machine may not stand for `profile` (null: they may), from the shared
 * host-vs-profile matcher. An emulator computes the core's numbers but not its timings.
 */
export function hostRefusal(profile: DeviceProfile, ortVersion: string | null, read = readHostPlatform): { host: string; reason: string } | null {
  const host = read({ ortVersion });
  const m = matchPlatform(profile, host);
  const hostLine = `${host.os}/${host.arch} ${host.cpu.model ?? ''}`.trim();
  if (m.status === 'mismatch') return { host: hostLine, reason: m.summary };
  if (m.emulated) return { host: hostLine, reason: `this machine runs under ${m.emulated}: its timings are the emulator's, not ${profile.id}'s` };
  return null;
}

interface Flags {
  readonly device: string;
  readonly out?: string;
  readonly id?: string;
  readonly threads: number;
  readonly runs: number;
  readonly rounds: number;
  readonly dims: Record<string, number>;
  readonly results: readonly string[];
  readonly kernels: boolean;
  readonly grid: GridSize;
  readonly runtime: string;
  readonly force: boolean;
  readonly models: readonly string[];
}

export function parseFlags(argv: readonly string[]): Flags {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      device: { type: 'string', short: 'd' },
      out: { type: 'string', short: 'o' },
      id: { type: 'string' },
      threads: { type: 'string' },
      runs: { type: 'string' },
      rounds: { type: 'string' },
      dim: { type: 'string', multiple: true },
      result: { type: 'string', multiple: true },
      kernels: { type: 'boolean' },
      grid: { type: 'string' },
      runtime: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  const kernels = values.kernels === true;
  if (!values.device) throw new UsageError('calibrate needs --device ID|PATH (the profile to calibrate)');
  if (!kernels && positionals.length === 0) throw new UsageError('calibrate needs MODEL files, or --kernels to time generated single-operator models instead');
  if (values.grid !== undefined && !kernels) throw new UsageError('--grid only applies with --kernels');
  if (values.grid !== undefined && values.grid !== 'full' && values.grid !== 'small') throw new UsageError(`--grid expects full or small, got '${values.grid}'`);
  if (values.id !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(values.id)) throw new UsageError(`--id expects a kebab-case id, got '${values.id}'`);
  const runtime = values.runtime ?? 'onnxruntime-node';
  if (runtime !== 'onnxruntime-node' && !(runtime.startsWith('external:') && runtime.length > 'external:'.length)) {
    throw new UsageError(`--runtime '${runtime}' must be onnxruntime-node or external:COMMAND`);
  }
  if (runtime !== 'onnxruntime-node' && !kernels) throw new UsageError('--runtime external:COMMAND only applies with --kernels');
  return {
    device: values.device,
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.id !== undefined ? { id: values.id } : {}),
    threads: positiveInt('threads', values.threads, 1),
    runs: positiveInt('runs', values.runs, kernels ? 20 : 30),
    // The host's kernel grid takes 6 rounds by default: across three calibrations of one machine the 13 bench
    // models' estimates spread by a median 5.5 % (tiny_vit 32 %) with 3 rounds and 2.8 % (6.6 %) with 6, in
    // ~55 s instead of ~35 s (docs/cost-model.md). An external runtime decides its own runs per case.
    rounds: positiveInt('rounds', values.rounds, kernels && runtime === 'onnxruntime-node' ? 6 : 3),
    dims: parseDims(values.dim ?? []),
    results: values.result ?? [],
    kernels,
    grid: (values.grid ?? 'full') as GridSize,
    runtime,
    force: values.force === true,
    models: positionals,
  };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Measures (or takes from parity results) every user model; returns the measurements. */
async function measureModels(f: Flags, results: readonly ParityResult[]): Promise<{ measurements: CalibrationMeasurement[]; ortVersion?: string; remoteHost?: string; local: number }> {
  const measurements: CalibrationMeasurement[] = [];
  let ortVersion: string | undefined;
  let remoteHost: string | undefined;
  let local = 0;
  // One thread: CPU time per run is the idle-core latency even on a busy machine; else wall-clock.
  const latencyOf = (x: ModelMeasurement): number => (f.threads === 1 ? x.cpuMedianMs : x.medianMs);
  for (const file of f.models) {
    const model = await readModel(file);
    const analysis = analyzeModel(model, { dims: f.dims });
    const remote = results.find((r) => r.latencyMs && (r.modelSha256 === model.sha256 || r.model === file));
    if (remote?.latencyMs) {
      if (remote.forced && !f.force) {
        throw new Error(`${file}: its parity result was forced on a host that is not ${remote.device} (${remote.hostMatch?.summary ?? 'host mismatch'}); its timing is not the device's (pass --force to use it anyway)`);
      }
      measurements.push({ model: file, ...(model.sha256 ? { sha256: model.sha256 } : {}), analysis, measuredMs: remote.latencyMs.median });
      ortVersion = remote.host?.ortVersion ?? ortVersion;
      remoteHost = remote.host ? `${remote.host.platform}/${remote.host.arch} ${remote.host.cpu ?? ''}`.trim() : remoteHost;
      log(`${file}: ${remote.latencyMs.median.toFixed(3)} ms (median of ${remote.latencyMs.runs} on ${remote.device}, from its parity result)`);
      continue;
    }
    local++;
    const opts = { threads: f.threads, runs: f.runs };
    const m = await measureModel(file, analysis, opts);
    ortVersion = m.ortVersion;
    const roundMs = [latencyOf(m)];
    for (let r = 1; r < f.rounds; r++) roundMs.push(latencyOf(await measureModel(file, analysis, { ...opts, profile: false })));
    const measuredMs = Math.min(...roundMs);
    measurements.push({
      model: file,
      ...(model.sha256 ? { sha256: model.sha256 } : {}),
      analysis,
      measuredMs,
      ...(m.mapping ? { groups: m.mapping.groups.map((g) => ({ sourceNodes: g.sourceNodes, ms: g.us / 1e3 })), coverage: m.mapping.coverage.timeShare } : {}),
      ...(m.kernelSumMs !== undefined ? { kernelSumMs: m.kernelSumMs } : {}),
    });
    const c = m.mapping?.coverage;
    log(
      `${file}: ${measuredMs.toFixed(3)} ms (${f.threads === 1 ? 'CPU time' : 'wall'}, fastest of ${f.rounds} round medians of ${f.runs} runs: ${roundMs.map((x) => x.toFixed(3)).join(' / ')}); profile: ${c ? `${c.eventsMapped}/${c.events} kernels, ${(c.timeShare * 100).toFixed(1)}% of kernel time mapped to ${m.mapping!.groups.length} source groups` : 'none'}`,
    );
  }
  return { measurements, ...(ortVersion ? { ortVersion } : {}), ...(remoteHost ? { remoteHost } : {}), local };
}

/** Times the kernel grid on this machine or through an external runtime. */
async function timeGrid(f: Flags, runner: ExternalRunner | undefined): Promise<{ points: TimedKernel[]; seconds: number; where: string; runtimeName?: string; quiet?: QuietRecord }> {
  const grid = kernelGrid(f.grid);
  const cases = casesToTime(grid, runner !== undefined);
  if (cases.length < grid.length) log(`left out ${grid.length - cases.length} layout-Transpose cases: ${f.runtime} times whole runs, and only a per-node profile tells their Transposes from their Conv`);
  const dir = mkdtempSync(join(tmpdir(), 'edgegate-kernels-'));
  const t0 = process.hrtime.bigint();
  try {
    log(`timing ${cases.length} generated single-operator models (${f.grid} grid) ${runner ? `with ${f.runtime}` : `with onnxruntime-node, ${f.threads} thread(s)`}`);
    const opts = { runs: f.runs, rounds: f.rounds, threads: f.threads, log };
    if (runner) {
      const r = await timeKernelsRunner(cases, dir, runner, opts);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { points: r.points, seconds, where: `${f.runtime} (${r.mode === 'batch' ? 'one time-batch call' : 'one call per case'})`, ...(r.runtime ? { runtimeName: `${r.runtime.name} ${r.runtime.version ?? ''}`.trim() } : {}) };
    }
    const { points, quiet } = await timeKernelsHost(cases, dir, opts);
    return { points, seconds: Number(process.hrtime.bigint() - t0) / 1e9, where: 'onnxruntime-node on this machine', quiet };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The machine behind an external runtime, when the runtime reports it (EdgeGate's own `parity runtime`
 * does, in answer to an empty `time-batch`): null when it does not say (or does not know `time-batch`).
 */
async function runtimeHost(runner: ExternalRunner): Promise<HostPlatform | null> {
  try {
    return (await runner.timeBatch([], DEFAULT_STOP_RULE)).host ?? null;
  } catch (err) {
    if (err instanceof RunnerError) return null;
    throw err;
  }
}

/** Runs the calibrate command; returns the exit code. */
export async function calibrateCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(COMMAND_HELP.calibrate);
    return 0;
  }
  const f = parseFlags(argv);
  let profile: DeviceProfile;
  let results: ParityResult[];
  try {
    profile = loadProfile(f.device).profile;
    results = f.results.map((r) => readParityResult(r));
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  }
  const id = f.id ?? `${profile.id}-calibrated`;
  const out = f.out ?? `${id}.yaml`;
  // Which timings will be taken on this machine: then this machine must be the device. An external runtime
  // that says which machine it runs on is checked the same way; one that does not stands for the device.
  const { loadOnnxruntime } = await import('../runtime/ort-loader.js');
  const timesHere = (f.kernels && f.runtime === 'onnxruntime-node') || f.models.some((m) => !results.some((r) => r.model === m && r.latencyMs));
  const runnerDir = f.kernels && f.runtime.startsWith('external:') ? mkdtempSync(join(tmpdir(), 'edgegate-runner-')) : undefined;
  const runner = runnerDir ? new ExternalRunner({ command: f.runtime.slice('external:'.length), workDir: runnerDir, timeoutMs: 60 * 60_000 }) : undefined;
  try {
    let forced: { host: string; reason: string } | undefined;
    const refusals: { where: string; refusal: { host: string; reason: string } }[] = [];
    if (timesHere) {
      const version = await loadOnnxruntime().then((l) => l.version, () => null);
      const refusal = hostRefusal(profile, version);
      if (refusal) refusals.push({ where: 'here', refusal });
    }
    if (runner) {
      const host = await runtimeHost(runner);
      const refusal = host ? hostRefusal(profile, host.runtime?.version ?? null, () => host) : null;
      if (refusal) refusals.push({ where: `with ${f.runtime}`, refusal });
    }
    for (const { where, refusal } of refusals) {
      if (!f.force) {
        process.stderr.write(`edgegate: refusing to calibrate ${profile.id} ${where}: ${refusal.reason}. Run it on the device (or its parity runner), or pass --force to record these timings anyway (the profile then says so).\n`);
        return 2;
      }
      forced = refusal;
      log(`--force: calibrating ${profile.id} on a machine that does not match it (${refusal.reason}); recorded in calibration.forced`);
    }
    return await calibrateWith(f, profile, results, id, out, forced, runner);
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  } finally {
    if (runnerDir) rmSync(runnerDir, { recursive: true, force: true });
  }
}

/** The measuring and fitting half of the command, once the machines are checked. */
async function calibrateWith(
  f: Flags,
  profile: DeviceProfile,
  results: readonly ParityResult[],
  id: string,
  out: string,
  forced: { host: string; reason: string } | undefined,
  runner: ExternalRunner | undefined,
): Promise<number> {
  let models: Awaited<ReturnType<typeof measureModels>>;
  try {
    models = await measureModels(f, results);
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  }
  if (!f.kernels && models.measurements.length < MIN_MODELS_WITHOUT_KERNELS) {
    const seen = exercisedClasses(models.measurements.map((m) => m.analysis), profile);
    const missing = CORE_CLASSES.filter((c) => !seen.has(c));
    process.stderr.write(
      `edgegate: calibrating from ${models.measurements.length} model(s) fits ${models.measurements.length} measured number(s), which says nothing about the spread: give at least ${MIN_MODELS_WITHOUT_KERNELS} models${missing.length > 0 ? ` (none of these exercises ${missing.join(', ')})` : ''}, or use --kernels (generated single-operator models; no models needed)\n`,
    );
    return 2;
  }
  const host = models.remoteHost && models.local === 0 && !f.kernels ? models.remoteHost : `${process.platform}/${process.arch} ${cpus()[0]?.model ?? ''}`.trim();
  const renamed: DeviceProfile = { ...profile, id };
  let calibrated: DeviceProfile;
  const summary: string[] = [];
  try {
    if (f.kernels) {
      const grid = await timeGrid(f, runner);
      // Timed here: this machine's last-level cache is the device's (an external runtime's is not known).
      const llc = runner ? null : readLastLevelCacheBytes();
      const l2 = runner ? null : readLevel2CacheBytes();
      const ortVersion = grid.runtimeName ?? grid.points.find((p) => p.ortVersion)?.ortVersion ?? models.ortVersion ?? 'unknown';
      const r = fitKernelCalibration({ points: grid.points, grid: `${f.grid} grid, ${grid.where}`, seconds: grid.seconds, ...(grid.quiet ? { quiet: grid.quiet } : {}) }, models.measurements, renamed, {
        runtime: runtimeOf(f, ortVersion),
        host,
        tool: `${TOOL_NAME} ${TOOL_VERSION}`,
        output: out,
        ...(forced ? { forced } : {}),
        ...(llc !== null ? { lastLevelCacheBytes: llc } : {}),
        ...(l2 !== null ? { level2CacheBytes: l2 } : {}),
      });
      calibrated = r.profile;
      summary.push(`  ${grid.points.length} kernels timed in ${grid.seconds.toFixed(1)} s; ${r.detail.curves} curves from ${r.detail.points} points${r.detail.skipped.length > 0 ? `; skipped: ${r.detail.skipped.map((s) => `${s.id} (${s.reason})`).join(', ')}` : ''}`);
      if (grid.quiet) summary.push(`  ${describeQuiet(grid.quiet)}`);
      summary.push(`  per-inference overhead ${r.detail.perInferenceOverheadUs.toFixed(2)} us, per-node overhead ${r.detail.perNodeOverheadUs.toFixed(2)} us, profiler cost per event ${r.detail.profilerOverheadUs.toFixed(2)} us (removed)`);
      for (const m of r.detail.models) summary.push(`  ${m.model}: measured ${m.measuredMs.toFixed(3)} ms, calibrated estimate ${m.estimatedMs.toFixed(3)} ms`);
      const ctx = Object.entries(r.detail.context);
      if (r.detail.models.length > 0) summary.push(`  in-network factors by variant: ${ctx.length > 0 ? ctx.map(([k, v]) => `${k} x${v.toFixed(3)}`).join(', ') : 'none (the curves stand)'}`);
    } else {
      const r = fitCalibrationDetailed(models.measurements, renamed, { runtime: runtimeOf(f, models.ortVersion ?? 'unknown'), host, tool: `${TOOL_NAME} ${TOOL_VERSION}`, output: out });
      calibrated = forced ? { ...r.profile, calibration: { ...r.profile.calibration!, forced } } : r.profile;
      for (const m of r.detail.models) summary.push(`  ${m.model}: measured ${m.measuredMs.toFixed(3)} ms, calibrated estimate ${m.estimatedMs.toFixed(3)} ms`);
      summary.push(`  per-node overhead ${r.detail.overheadUs.toFixed(2)} us, bandwidth ${(r.detail.bandwidth / 1e9).toFixed(1)} GB/s`);
      for (const [k, v] of Object.entries(r.detail.efficiencies)) summary.push(`  efficiency ${k}: ${v.toFixed(3)}`);
    }
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  }
  calibrated = { ...calibrated, name: `${profile.name} (calibrated)` };
  const check = DeviceProfileSchema.safeParse(calibrated);
  if (!check.success) {
    process.stderr.write(`edgegate: internal error: the calibrated profile does not validate: ${check.error.issues[0]?.path.join('.')}: ${check.error.issues[0]?.message}\n`);
    return 2;
  }
  writeFileSync(out, `# Calibrated by ${TOOL_NAME} ${TOOL_VERSION}; see the calibration block.\n${stringify(calibrated, { lineWidth: 120 })}`);
  process.stdout.write(`wrote ${out} (profile id ${id})\n${summary.join('\n')}\n`);
  return 0;
}

function runtimeOf(f: Flags, version: string): { name: string; version: string; options: Record<string, string | number | boolean> } {
  if (f.runtime.startsWith('external:')) return { name: 'external runtime', version, options: { command: f.runtime.slice('external:'.length) } };
  return { name: 'onnxruntime-node', version, options: { graphOptimizationLevel: 'all', intraOpNumThreads: f.threads, executionMode: 'sequential' } };
}
