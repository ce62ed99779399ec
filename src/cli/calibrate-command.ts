/**
 * `edgegate calibrate MODEL... --device ID|PATH [--out FILE] [--threads N] [--runs N] [--rounds N]
 *                    [--dim NAME=VALUE]... [--result result.json]...`
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
 * Each local model is measured in `--rounds` sessions (default 3) and the fastest session's median counts:
 * interference on a shared machine (other tenants, SMT siblings, clock changes) only adds time, and it comes
 * in bursts that slow a whole session (docs/cost-model.md).
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { stringify } from 'yaml';
import { readModel } from '../onnx/reader.js';
import { analyzeModel } from '../graph/analyze.js';
import { loadProfile } from '../profiles/load.js';
import { DeviceProfileSchema } from '../profiles/schema.js';
import { measureModel, type ModelMeasurement } from '../cost/measure.js';
import { fitCalibrationDetailed, type CalibrationMeasurement } from '../cost/calibrate.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { readParityResult, type ParityResult } from '../parity/result-schema.js';
import { parseDims, UsageError } from './main.js';

function positiveInt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} expects a positive integer, got '${raw}'`);
  return Number(raw);
}

/** Runs the calibrate command; returns the exit code. */
export async function calibrateCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      device: { type: 'string', short: 'd' },
      out: { type: 'string', short: 'o' },
      threads: { type: 'string' },
      runs: { type: 'string' },
      rounds: { type: 'string' },
      dim: { type: 'string', multiple: true },
      result: { type: 'string', multiple: true },
    },
  });
  if (positionals.length === 0) throw new UsageError('calibrate needs at least one MODEL file');
  if (!values.device) throw new UsageError('calibrate needs --device ID|PATH (the profile to calibrate)');
  const threads = positiveInt('threads', values.threads, 1);
  const runs = positiveInt('runs', values.runs, 30);
  const rounds = positiveInt('rounds', values.rounds, 3);
  const dims = parseDims(values.dim ?? []);
  let profile;
  try {
    profile = loadProfile(values.device).profile;
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  }
  const out = values.out ?? `${profile.id}.calibrated.yaml`;
  let results: ParityResult[];
  try {
    results = (values.result ?? []).map((f) => readParityResult(f));
  } catch (err) {
    process.stderr.write(`edgegate: ${(err as Error).message}\n`);
    return 2;
  }
  const measurements: CalibrationMeasurement[] = [];
  let ortVersion = 'unknown';
  let host: string | undefined;
  // One thread: CPU time per run is the idle-core latency even on a busy machine; else wall-clock.
  const latencyOf = (x: ModelMeasurement): number => (threads === 1 ? x.cpuMedianMs : x.medianMs);
  for (const file of positionals) {
    try {
      const model = await readModel(file);
      const analysis = analyzeModel(model, { dims });
      const remote = results.find((r) => r.latencyMs && (r.modelSha256 === model.sha256 || r.model === file));
      if (remote?.latencyMs) {
        measurements.push({ model: file, ...(model.sha256 ? { sha256: model.sha256 } : {}), analysis, measuredMs: remote.latencyMs.median });
        ortVersion = remote.host?.ortVersion ?? ortVersion;
        host = remote.host ? `${remote.host.platform}/${remote.host.arch} ${remote.host.cpu ?? ''}`.trim() : host;
        process.stderr.write(`${file}: ${remote.latencyMs.median.toFixed(3)} ms (median of ${remote.latencyMs.runs} on ${remote.device}, from its parity result)\n`);
        continue;
      }
      const m = await measureModel(file, analysis, { threads, runs });
      ortVersion = m.ortVersion;
      const roundMs = [latencyOf(m)];
      for (let r = 1; r < rounds; r++) roundMs.push(latencyOf(await measureModel(file, analysis, { threads, runs, profile: false })));
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
      process.stderr.write(
        `${file}: ${measuredMs.toFixed(3)} ms (${threads === 1 ? 'CPU time' : 'wall'}, fastest of ${rounds} round medians of ${runs} runs: ${roundMs.map((x) => x.toFixed(3)).join(' / ')}); profile: ${c ? `${c.eventsMapped}/${c.events} kernels, ${(c.timeShare * 100).toFixed(1)}% of kernel time mapped to ${m.mapping!.groups.length} source groups` : 'none'}\n`,
      );
    } catch (err) {
      process.stderr.write(`edgegate: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const { profile: calibrated, detail } = fitCalibrationDetailed(measurements, profile, {
    runtime: { name: 'onnxruntime-node', version: ortVersion, options: { graphOptimizationLevel: 'all', intraOpNumThreads: threads, executionMode: 'sequential' } },
    host: host ?? `${process.platform}/${process.arch} ${cpus()[0]?.model ?? ''}`.trim(),
    tool: `${TOOL_NAME} ${TOOL_VERSION}`,
    output: out,
  });
  const check = DeviceProfileSchema.safeParse(calibrated);
  if (!check.success) {
    process.stderr.write(`edgegate: internal error: the calibrated profile does not validate: ${check.error.issues[0]?.message}\n`);
    return 2;
  }
  writeFileSync(out, `# Calibrated by ${TOOL_NAME} ${TOOL_VERSION} with onnxruntime-node ${ortVersion}; see the calibration block.\n${stringify(calibrated, { lineWidth: 120 })}`);
  process.stdout.write(`wrote ${out}\n`);
  for (const m of detail.models) {
    process.stdout.write(`  ${m.model}: measured ${m.measuredMs.toFixed(3)} ms, calibrated estimate ${m.estimatedMs.toFixed(3)} ms\n`);
  }
  process.stdout.write(`  per-node overhead ${detail.overheadUs.toFixed(2)} us, bandwidth ${(detail.bandwidth / 1e9).toFixed(1)} GB/s\n`);
  for (const [k, v] of Object.entries(detail.efficiencies)) process.stdout.write(`  efficiency ${k}: ${v.toFixed(3)}\n`);
  return 0;
}
