/**
 * `edgegate parity …` subcommands. Exit codes: 0 ok / pass, 1 a parity verdict failed (or a compare
 * found tensors out of tolerance), 2 usage or input error.
 *
 *   edgegate parity reference MODEL --out DIR [--seed N] [--input NAME=FILE]... [--dim NAME=N]...
 *                             [--int-range NAME=LOW:HIGH]... [--threads N] [--size-cap-mb N]
 *                             [--runtime external:CMD] [--ort-path DIR]
 *   edgegate parity run MODEL --reference DIR --out result.json [--runtime external:CMD] [--device ID]
 *                       [--device-class cpu|accelerator] [--runs N] [--warmup N] [--threads N]
 *                       [--atol|--rtol|--atol-range|--max-rmse-steps DTYPE=X]... [--no-localization] [--force]
 *   edgegate parity report result.json... [--format markdown|json] [--expect MODEL@DEVICE]...
 *   edgegate parity compare REF_DIR OTHER_DIR [--format markdown|json]
 *   edgegate parity runtime MANIFEST.json [--ort-path DIR] [--threads N] [--work-dir DIR]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compareDumps } from '../parity/compare-dumps.js';
import type { InputGenSpec } from '../parity/inputs.js';
import { DEFAULT_TOLERANCES, type Tolerance, type ToleranceConfig } from '../parity/metrics.js';
import { makeReference } from '../parity/reference.js';
import { collectResults, parityBlocks, renderParityMarkdown } from '../parity/report.js';
import { type ParityResult, ArtifactValidationError, readParityResult } from '../parity/result-schema.js';
import { notRunResult, runParity } from '../parity/run.js';
import { answerManifest, readManifest } from '../parity/external-runtime.js';
import { ExternalRunner, type ModelRunner, OrtRunner, ortCpuRunsDevice } from '../parity/runner.js';
import { FaultInjectingRunner } from '../parity/fault.js';
import { type TensorDType, isTensorDType } from '../parity/tensor.js';
import { type LoadedProfile, isProfilePath, loadProfiles } from '../profiles/load.js';
import { UsageError, wantsHelp } from './args.js';

export { UsageError };

const USAGE = `usage:
  edgegate parity reference MODEL --out DIR [--seed N] [--input NAME=FILE]... [--dim NAME=N]...
                            [--int-range NAME=LOW:HIGH]... [--threads N] [--size-cap-mb N]
                            [--runtime external:CMD] [--ort-path DIR]
  edgegate parity run MODEL --reference DIR --out result.json [--runtime external:CMD] [--device ID]
                      [--device-class cpu|accelerator] [--runs N] [--warmup N] [--threads N]
                      [--atol|--rtol|--atol-range|--max-rmse-steps DTYPE=X]... [--no-localization]
                      [--ort-path DIR] [--work-dir DIR] [--inject-fault INITIALIZER=FACTOR] [--force]
  edgegate parity report RESULT.json... [--format markdown|json] [--expect MODEL@DEVICE]...
  edgegate parity compare REF_DIR OTHER_DIR [--format markdown|json]
  edgegate parity runtime MANIFEST.json [--ort-path DIR] [--threads N] [--work-dir DIR]
      (answers one external-runtime manifest with onnxruntime-node on this machine: the command behind
       --runtime external:CMD for a device reached through a command, e.g. the emulated arm64 runner)
`;

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['no-localization', 'help', 'force']);

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (BOOLEAN_FLAGS.has(name)) {
      value = 'true';
    } else {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

function one(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v?.[0];
}

function int(p: Parsed, name: string, min: number): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} '${v}' must be an integer ≥ ${min}`);
  return n;
}

function pairs(p: Parsed, name: string): [string, string][] {
  return (p.flags.get(name) ?? []).map((v) => {
    const eq = v.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} '${v}' must be NAME=VALUE`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

function checkFlags(p: Parsed, allowed: readonly string[]): void {
  for (const k of p.flags.keys()) if (!allowed.includes(k)) throw new UsageError(`unknown option --${k}`);
}

function makeRunner(p: Parsed, workDir: string): ModelRunner {
  const rt = one(p, 'runtime');
  const threads = int(p, 'threads', 1);
  if (rt === undefined || rt === 'onnxruntime-node') {
    const ortPath = one(p, 'ort-path');
    return new OrtRunner({ workDir, ...(threads ? { threads } : {}), ...(ortPath ? { path: ortPath } : {}) });
  }
  if (!rt.startsWith('external:') || rt.length <= 'external:'.length) throw new UsageError(`--runtime '${rt}' must be onnxruntime-node or external:COMMAND`);
  return new ExternalRunner({ command: rt.slice('external:'.length), workDir });
}

const TOLERANCE_FLAGS = { atol: 'atol', rtol: 'rtol', 'atol-range': 'atolRange', 'max-rmse-steps': 'maxRmseSteps' } as const;

/** `--atol DTYPE=X` etc. override one field of that dtype's default tolerance. */
function tolerances(p: Parsed): ToleranceConfig | undefined {
  const byDtype: Partial<Record<TensorDType, Tolerance>> = {};
  for (const [flag, field] of Object.entries(TOLERANCE_FLAGS)) {
    for (const [dt, v] of pairs(p, flag)) {
      if (!isTensorDType(dt)) throw new UsageError(`--${flag} '${dt}=${v}': unknown dtype '${dt}'`);
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} '${dt}=${v}': not a non-negative number`);
      byDtype[dt] = { ...(byDtype[dt] ?? DEFAULT_TOLERANCES[dt]), [field]: n };
    }
  }
  return Object.keys(byDtype).length === 0 ? undefined : { byDtype };
}

/** `--work-dir` (kept), or a temporary folder removed when the command ends. */
function workDir(p: Parsed): { path: string; dispose: () => void } {
  const given = one(p, 'work-dir');
  if (given) {
    mkdirSync(given, { recursive: true });
    return { path: resolve(given), dispose: () => undefined };
  }
  const path = mkdtempSync(join(tmpdir(), 'edgegate-parity-cli-'));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

function writeOut(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

async function cmdReference(p: Parsed, io: ParityIo): Promise<number> {
  checkFlags(p, ['out', 'seed', 'input', 'dim', 'int-range', 'threads', 'size-cap-mb', 'runtime', 'ort-path', 'work-dir']);
  const model = p.positional[0];
  const out = one(p, 'out');
  if (!model || !out || p.positional.length !== 1) throw new UsageError('parity reference needs MODEL and --out DIR');
  const perInput: Record<string, InputGenSpec> = {};
  for (const [name, file] of pairs(p, 'input')) perInput[name] = { ...perInput[name], file };
  for (const [name, range] of pairs(p, 'int-range')) {
    const m = /^(-?\d+):(-?\d+)$/.exec(range);
    if (!m) throw new UsageError(`--int-range '${name}=${range}' must be NAME=LOW:HIGH`);
    perInput[name] = { ...perInput[name], distribution: 'uniform', low: Number(m[1]), high: Number(m[2]) };
  }
  const dimValues: Record<string, number> = {};
  for (const [name, v] of pairs(p, 'dim')) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--dim '${name}=${v}' must be a positive integer`);
    dimValues[name] = n;
  }
  const cap = int(p, 'size-cap-mb', 1);
  const seed = int(p, 'seed', 0) ?? 0;
  const threads = int(p, 'threads', 1) ?? 1;
  const work = workDir(p);
  let runner: ModelRunner;
  try {
    runner = makeRunner(p, work.path);
  } catch (e) {
    work.dispose();
    throw e;
  }
  const manifest = await makeReference(model, {
    outDir: out,
    runner,
    inputs: { seed, perInput, dimValues },
    threads,
    ...(cap ? { sizeCapBytes: cap * 1024 * 1024 } : {}),
    workDir: work.path,
  }).finally(work.dispose);
  io.stdout.write(
    `reference for ${model}: ${Object.keys(manifest.production).length} production, ${Object.keys(manifest.localization).length} localization tensors, ` +
      `${Object.keys(manifest.isolation).length} isolated kernels, ${(manifest.sizeBytes / 1048576).toFixed(1)} MB in ${out}\n`,
  );
  return 0;
}

/**
 * The profile `--device` names, or undefined for a label of this machine (a name no profile has). A name
 * close to a profile id is taken for a typo, and a broken user profile is an error: either way a pass
 * must not be recorded under a name nobody meant.
 */
function deviceProfile(device: string): LoadedProfile | undefined {
  const { profiles, errors } = loadProfiles([device]);
  if (profiles[0]) return profiles[0];
  const e = errors[0];
  // Only "no profile has this id" (and nothing close to it) makes a label; a missing profiles folder does not.
  const label = e !== undefined && e.code === 'PROFILE_NOT_FOUND' && e.file === device && !isProfilePath(device) && !/ Did you mean /.test(e.detail);
  if (e && !label) throw new UsageError(`--device: ${e.message}`);
  return undefined;
}

async function cmdRun(p: Parsed, io: ParityIo): Promise<number> {
  checkFlags(p, ['reference', 'out', 'runtime', 'device', 'device-class', 'runs', 'warmup', 'threads', ...Object.keys(TOLERANCE_FLAGS), 'no-localization', 'ort-path', 'work-dir', 'inject-fault', 'force']);
  const model = p.positional[0];
  const ref = one(p, 'reference');
  const out = one(p, 'out');
  if (!model || !ref || !out || p.positional.length !== 1) throw new UsageError('parity run needs MODEL, --reference DIR and --out result.json');
  const device = one(p, 'device') ?? `host-${process.arch}`;
  // A shipped or user profile decides the class, as in the action: a CPU run reported under an NPU's name
  // would be a false pass. Unknown device names (a label for this machine) default to cpu.
  const profile = one(p, 'device') !== undefined ? deviceProfile(device) : undefined;
  const cls = one(p, 'device-class') ?? (profile && !ortCpuRunsDevice(profile.profile) ? 'accelerator' : 'cpu');
  if (cls !== 'cpu' && cls !== 'accelerator') throw new UsageError(`--device-class '${cls}' must be cpu or accelerator`);
  let result: ParityResult;
  if (cls === 'accelerator' && one(p, 'runtime')?.startsWith('external:') !== true) {
    // onnxruntime-node only has CPU kernels here: a CPU run would say nothing about the accelerator.
    result = notRunResult(model, device, 'not-run', 'EP_UNAVAILABLE', `no runtime for ${device}'s accelerator is available; configure an external runtime`);
  } else {
    const tol = tolerances(p);
    const latency = { runs: int(p, 'runs', 0) ?? 10, warmup: int(p, 'warmup', 0) ?? 3 };
    // Self-test of the parity machinery on a real device: behave like a wrong kernel (docs/parity.md).
    const fault = one(p, 'inject-fault');
    let faultSpec: { initializer: string; factor: number } | undefined;
    if (fault !== undefined) {
      const m = /^(.+)=([0-9.eE+-]+)$/.exec(fault);
      if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--inject-fault '${fault}' must be INITIALIZER=FACTOR`);
      faultSpec = { initializer: m[1]!, factor: Number(m[2]) };
    }
    const work = workDir(p);
    let runner: ModelRunner;
    try {
      runner = makeRunner(p, work.path);
    } catch (e) {
      work.dispose();
      throw e;
    }
    let faulty: FaultInjectingRunner | undefined;
    if (faultSpec) runner = faulty = new FaultInjectingRunner(runner, faultSpec.initializer, faultSpec.factor);
    result = await runParity(model, {
      referenceDir: ref,
      runner,
      device,
      latency,
      ...(tol ? { tolerances: tol } : {}),
      ...(one(p, 'no-localization') ? { skipLocalization: true } : {}),
      ...(profile ? { profile: profile.profile } : {}),
      ...(one(p, 'force') ? { force: true } : {}),
      workDir: work.path,
    }).finally(() => {
      faulty?.dispose();
      work.dispose();
    });
  }
  writeOut(out, JSON.stringify(result, null, 1) + '\n');
  const first = result.firstDivergingNode ? `, first diverging kernel ${result.firstDivergingNode.op} #${result.firstDivergingNode.index} '${result.firstDivergingNode.name}'` : '';
  const forced = result.forced ? ` FORCED on a host that is not ${result.device}` : '';
  io.stdout.write(`parity ${result.verdict}${result.reason ? ` (${result.reason})` : ''}${forced} for ${result.model} on ${result.device}${first}; ${result.kernelsFailing}/${result.kernels.length} kernels out of tolerance\n`);
  if (result.forced && result.hostMatch) io.stdout.write(`  ${result.hostMatch.summary}\n`);
  if (result.detail && result.reason !== 'HOST_MISMATCH') io.stdout.write(`  ${result.detail}\n`);
  if (result.reason === 'HOST_MISMATCH') {
    // Refused: this machine cannot speak for the device. result.json still says so for `parity report`.
    io.stderr.write(`edgegate parity: ${result.detail ?? 'host mismatch'}\n`);
    return 2;
  }
  return result.verdict === 'fail' || result.verdict === 'error' ? 1 : 0;
}

async function cmdReport(p: Parsed, io: ParityIo): Promise<number> {
  checkFlags(p, ['format', 'expect', 'out']);
  const format = one(p, 'format') ?? 'markdown';
  if (format !== 'markdown' && format !== 'json') throw new UsageError(`--format '${format}' must be markdown or json`);
  if (p.positional.length === 0 && !p.flags.has('expect')) throw new UsageError('parity report needs at least one result.json');
  const results: ParityResult[] = [];
  for (const f of p.positional) {
    try {
      results.push(readParityResult(f));
    } catch (e) {
      if (!(e instanceof ArtifactValidationError)) throw e;
      results.push(notRunResult(f, 'unknown', 'error', 'INVALID_RESULT', e.message));
    }
  }
  const expected = (p.flags.get('expect') ?? []).map((s) => {
    const at = s.lastIndexOf('@');
    if (at <= 0) throw new UsageError(`--expect '${s}' must be MODEL@DEVICE`);
    return { model: s.slice(0, at), device: s.slice(at + 1) };
  });
  const all = collectResults(expected, results);
  const text = format === 'json' ? JSON.stringify({ results: all, blocks: parityBlocks(all) }, null, 1) + '\n' : renderParityMarkdown(all);
  const out = one(p, 'out');
  if (out) writeOut(out, text);
  else io.stdout.write(text);
  return parityBlocks(all) ? 1 : 0;
}

async function cmdCompare(p: Parsed, io: ParityIo): Promise<number> {
  checkFlags(p, ['format', ...Object.keys(TOLERANCE_FLAGS)]);
  const [a, b] = p.positional;
  if (!a || !b || p.positional.length !== 2) throw new UsageError('parity compare needs REF_DIR and OTHER_DIR');
  const format = one(p, 'format') ?? 'markdown';
  if (format !== 'markdown' && format !== 'json') throw new UsageError(`--format '${format}' must be markdown or json`);
  const tol = tolerances(p);
  const c = compareDumps(a, b, tol);
  if (format === 'json') io.stdout.write(JSON.stringify(c, null, 1) + '\n');
  else {
    const worst = [...c.rows].sort((x, y) => (y.maxAbs ?? Infinity) - (x.maxAbs ?? Infinity)).slice(0, 20);
    const lines = [`${c.rows.length} tensors compared, ${c.failing} out of tolerance, ${c.onlyInOne.length} in only one dump`, '', '| Stage | Tensor | dtype | max abs err | SNR dB | Result |', '|---|---|---|---|---|---|'];
    for (const r of worst) lines.push(`| ${r.stage} | ${r.name.replace(/\|/g, '\\|')} | ${r.dtype} | ${r.maxAbs ?? '–'} | ${r.identical ? 'identical' : r.snrDb?.toFixed(1) ?? '–'} | ${r.pass ? 'ok' : 'out of tolerance'} |`);
    io.stdout.write(lines.join('\n') + '\n');
  }
  return c.failing > 0 ? 1 : 0;
}

/** `parity runtime MANIFEST`: one external-runtime manifest answered with onnxruntime-node here. */
async function cmdRuntime(p: Parsed, io: ParityIo): Promise<number> {
  checkFlags(p, ['ort-path', 'threads', 'work-dir']);
  const [file] = p.positional;
  if (!file || p.positional.length !== 1) throw new UsageError('parity runtime needs one MANIFEST.json');
  const wd = workDir(p);
  try {
    const threads = int(p, 'threads', 1);
    const ortPath = one(p, 'ort-path');
    const runner = new OrtRunner({ workDir: wd.path, ...(threads ? { threads } : {}), ...(ortPath ? { path: ortPath } : {}) });
    const r = await answerManifest(readManifest(file), runner);
    io.stderr.write(`edgegate parity runtime: answered ${file}${r.batch ? ` (${r.batch.length} models timed)` : ''}\n`);
    return 0;
  } finally {
    wd.dispose();
  }
}

/** Where the command writes; tests pass their own sinks instead of patching process streams. */
export interface ParityIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Entry point for `edgegate parity …`; `argv` starts after `parity`. Returns the exit code. */
export async function parityCommand(argv: readonly string[], io: ParityIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || wantsHelp(rest)) {
      io.stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    }
    const p = parseArgs(rest);
    switch (sub) {
      case 'reference':
        return await cmdReference(p, io);
      case 'run':
        return await cmdRun(p, io);
      case 'report':
        return await cmdReport(p, io);
      case 'compare':
        return await cmdCompare(p, io);
      case 'runtime':
        return await cmdRuntime(p, io);
      default:
        throw new UsageError(`unknown parity subcommand '${sub}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`edgegate parity: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`edgegate parity: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return 2;
  }
}
