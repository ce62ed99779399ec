/**
 * Model runners: the side-effect boundary of parity. `OrtRunner` runs models with onnxruntime-node
 * (loaded lazily); `ExternalRunner` hands them to a user command through the external runtime protocol
 * (docs/parity.md). Tests use both; a fake can implement the same interface.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { RegularFileError, readRegularTextFile } from '../io/regular-file.js';
import { EXTERNAL_RESULT_MAX_BYTES } from '../limits.js';
import { type LoadedOrt, type OrtLoadOptions, loadOnnxruntime } from '../runtime/ort-loader.js';
import { readNpy, writeNpy } from './npy.js';
import { type KernelRun, type NodeTime, readProfile } from './profile.js';
import { type AnyTypedArray, type HostTensor, isTensorDType } from './tensor.js';
import type { DeviceProfile } from '../profiles/schema.js';
import { type HostPlatform, HostPlatformSchema, readHostPlatform } from '../runtime/host-match.js';
import { type StopRule, timeUntilStable } from './timing.js';

/** ORT graph optimization level parity uses: `all` for production, `disabled` for localization. */
export type OptimizationLevel = 'all' | 'disabled';

/** Which parity step a run belongs to (runners may use it for file names and logs). */
export type RunPurpose = 'production' | 'localization' | 'isolation' | 'latency';

export interface RunRequest {
  /** The model file to run (an edited model in the work folder). */
  readonly modelPath: string;
  readonly inputs: ReadonlyMap<string, HostTensor>;
  /** Tensors wanted back. */
  readonly outputNames: readonly string[];
  readonly optimization: OptimizationLevel;
  readonly purpose: RunPurpose;
  /** A short label, unique per request in a run (file names). */
  readonly label: string;
  /** Collect ORT's per-node profile. */
  readonly profile?: boolean;
}

export interface RunResult {
  /** Tensors produced; an external runtime may leave some out (reported as missing, never as passed). */
  readonly outputs: ReadonlyMap<string, HostTensor>;
  /** Kernels that ran, when the runner can tell. */
  readonly kernelsRun?: readonly KernelRun[];
  readonly nodeTimes?: readonly NodeTime[];
}

export interface TimingRequest {
  readonly modelPath: string;
  readonly inputs: ReadonlyMap<string, HostTensor>;
  readonly warmup: number;
  readonly runs: number;
}

/** One model of a batch timing (`calibrate --kernels`: the grid's micro-models, all in one runner call). */
export interface BatchTimingItem {
  /** Unique in the batch; the result is keyed by it. */
  readonly id: string;
  readonly modelPath: string;
  readonly inputs: ReadonlyMap<string, HostTensor>;
}

/** Timed runs of one batch item, ms: wall-clock, and process CPU time when the runtime can tell. */
export interface BatchTiming {
  readonly id: string;
  readonly timingsMs: readonly number[];
  readonly cpuTimingsMs?: readonly number[];
}

/** A batch timing: every item's runs, and what the runtime said about the machine that timed them. */
export interface BatchTimingResult {
  readonly timings: readonly BatchTiming[];
  /** The machine the runtime ran on, when it reports one (EdgeGate's own `parity runtime` does). */
  readonly host?: HostPlatform;
  readonly runtime?: { readonly name: string; readonly version?: string };
}

/** What a runner reports about itself (goes into result.json's host facts). */
export interface RunnerInfo {
  readonly kind: 'onnxruntime-node' | 'external';
  readonly ortVersion: string | null;
  readonly detail?: string;
}

/** Runs models. Implementations must not keep sessions open between calls. */
export interface ModelRunner {
  info(): Promise<RunnerInfo>;
  run(req: RunRequest): Promise<RunResult>;
  /** Wall time of each timed run of the model's own outputs, in ms (after warm-up). */
  time(req: TimingRequest): Promise<number[]>;
  /**
   * Times many models in one go, each until `rule` says its median is stable. Optional: without it callers
   * time the models one by one with `time`.
   */
  timeBatch?(items: readonly BatchTimingItem[], rule: StopRule): Promise<BatchTimingResult>;
}

/**
 * Why an external runtime's `result.json` was refused (docs/limits.md): missing, over
 * {@link EXTERNAL_RESULT_MAX_BYTES}, not a regular file inside the output folder (a directory, a FIFO,
 * a device, a symlink leaving the folder), or not JSON of the protocol's shape.
 */
export type ExternalResultProblem = 'EXTERNAL_RESULT_MISSING' | 'EXTERNAL_RESULT_TOO_LARGE' | 'EXTERNAL_RESULT_UNREADABLE' | 'EXTERNAL_RESULT_INVALID';

/** A runner failed to run a model. `code` is set when an external runtime's reply was refused (it also starts the reason). */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
  readonly code?: ExternalResultProblem;
  constructor(readonly runner: string, readonly model: string, reason: string, options?: { cause?: unknown; code?: ExternalResultProblem }) {
    super(`${runner}: ${model}: ${reason}`, options);
    if (options?.code !== undefined) this.code = options.code;
  }
}

export interface OrtRunnerOptions extends OrtLoadOptions {
  /** Folder for profile files. */
  readonly workDir: string;
  /** intraOpNumThreads; fixed so both sides compute the same way. Default 1. */
  readonly threads?: number;
}

/** onnxruntime-node, CPU execution provider, sequential execution, fixed threads. */
/**
 * True when onnxruntime-node's CPU kernels are the device's own runtime (profile `parity.runtime`), so a run
 * with them says something about the device; otherwise (an NPU) only an external runtime may stand for it.
 */
export function ortCpuRunsDevice(profile: DeviceProfile): boolean {
  return profile.parity.runtime === 'onnxruntime-cpu';
}

export class OrtRunner implements ModelRunner {
  private loaded?: LoadedOrt;
  constructor(private readonly options: OrtRunnerOptions) {}

  private async ort(): Promise<LoadedOrt> {
    this.loaded ??= await loadOnnxruntime(this.options);
    return this.loaded;
  }

  async info(): Promise<RunnerInfo> {
    const l = await this.ort();
    return { kind: 'onnxruntime-node', ortVersion: l.version, detail: `${l.source}: ${l.packageDir}` };
  }

  private sessionOptions(opt: OptimizationLevel, profilePrefix?: string): Record<string, unknown> {
    const threads = this.options.threads ?? 1;
    return {
      executionProviders: ['cpu'],
      graphOptimizationLevel: opt,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Warnings (e.g. constant folding notes) would drown the CLI output; errors still throw.
      logSeverityLevel: 3,
      ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
    };
  }

  private feeds(ort: LoadedOrt['ort'], inputs: ReadonlyMap<string, HostTensor>): Record<string, InstanceType<LoadedOrt['ort']['Tensor']>> {
    const feeds: Record<string, InstanceType<LoadedOrt['ort']['Tensor']>> = {};
    for (const [name, t] of inputs) {
      feeds[name] = new ort.Tensor(t.type, t.data as never, [...t.dims]);
    }
    return feeds;
  }

  async run(req: RunRequest): Promise<RunResult> {
    const { ort } = await this.ort();
    const prefix = req.profile ? join(this.options.workDir, `profile-${req.label}`) : undefined;
    let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
    try {
      session = await ort.InferenceSession.create(req.modelPath, this.sessionOptions(req.optimization, prefix) as never);
    } catch (cause) {
      throw new RunnerError('onnxruntime-node', req.modelPath, `session creation failed: ${msg(cause)}`, { cause });
    }
    try {
      const fetches = req.outputNames.filter((n) => session.outputNames.includes(n));
      const missing = req.outputNames.filter((n) => !session.outputNames.includes(n));
      if (missing.length > 0) throw new RunnerError('onnxruntime-node', req.modelPath, `outputs not in the model: ${missing.slice(0, 5).join(', ')}`);
      let raw: Record<string, { type: string; dims: readonly number[]; data: unknown }>;
      try {
        raw = (await session.run(this.feeds(ort, req.inputs), fetches)) as never;
      } catch (cause) {
        throw new RunnerError('onnxruntime-node', req.modelPath, `run failed: ${msg(cause)}`, { cause });
      }
      const outputs = new Map<string, HostTensor>();
      for (const [name, t] of Object.entries(raw)) outputs.set(name, fromOrt(name, t, req.modelPath));
      let kernelsRun: readonly KernelRun[] | undefined;
      let nodeTimes: readonly NodeTime[] | undefined;
      if (prefix) {
        session.endProfiling();
        await session.release();
        const file = newestProfile(this.options.workDir, basename(prefix));
        if (file) {
          const p = readProfile(file);
          kernelsRun = p.kernelsRun;
          nodeTimes = p.nodes;
        }
        return { outputs, kernelsRun, nodeTimes };
      }
      return { outputs };
    } finally {
      try {
        await session.release();
      } catch {
        // already released after profiling
      }
    }
  }

  async time(req: TimingRequest): Promise<number[]> {
    const { ort } = await this.ort();
    const session = await ort.InferenceSession.create(req.modelPath, this.sessionOptions('all') as never).catch((cause: unknown) => {
      throw new RunnerError('onnxruntime-node', req.modelPath, `session creation failed: ${msg(cause)}`, { cause });
    });
    try {
      const feeds = this.feeds(ort, req.inputs);
      for (let i = 0; i < req.warmup; i++) await session.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < req.runs; i++) {
        const t0 = process.hrtime.bigint();
        await session.run(feeds);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return times;
    } finally {
      await session.release();
    }
  }

  /** Each model in its own session, timed until stable; CPU time per run counts with one thread. */
  async timeBatch(items: readonly BatchTimingItem[], rule: StopRule): Promise<BatchTimingResult> {
    const { ort, version } = await this.ort();
    const oneThread = (this.options.threads ?? 1) === 1;
    const timings: BatchTiming[] = [];
    for (const item of items) {
      const session = await ort.InferenceSession.create(item.modelPath, this.sessionOptions('all') as never).catch((cause: unknown) => {
        throw new RunnerError('onnxruntime-node', item.modelPath, `session creation failed: ${msg(cause)}`, { cause });
      });
      try {
        const feeds = this.feeds(ort, item.inputs);
        const t = await timeUntilStable(async () => {
          const c0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          await session.run(feeds);
          const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
          const c = process.cpuUsage(c0);
          return oneThread ? { wallMs, cpuMs: (c.user + c.system) / 1e3 } : { wallMs };
        }, rule);
        timings.push({ id: item.id, timingsMs: t.wallMs, ...(t.cpuMs ? { cpuTimingsMs: t.cpuMs } : {}) });
      } finally {
        await session.release();
      }
    }
    return { timings, host: readHostPlatform({ ortVersion: version }), runtime: { name: 'onnxruntime-node', version } };
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

function newestProfile(dir: string, prefix: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0];
}

function fromOrt(name: string, t: { type: string; dims: readonly number[]; data: unknown }, model: string): HostTensor {
  if (!isTensorDType(t.type)) throw new RunnerError('onnxruntime-node', model, `output '${name}' has type ${t.type}, which parity cannot compare`);
  let data = t.data as AnyTypedArray;
  if (t.type === 'float16' && !(data instanceof Uint16Array)) {
    const d = data as unknown as { buffer: ArrayBufferLike; byteOffset: number; length: number };
    data = new Uint16Array(d.buffer, d.byteOffset, d.length);
  }
  // Copy: ORT may reuse the output buffers of a released session.
  const copy = data.slice() as AnyTypedArray;
  return { type: t.type, dims: [...t.dims], data: copy };
}

// ---------------------------------------------------------------------------------------------
// External runtime protocol

/** Protocol id written into every manifest. */
export const EXTERNAL_PROTOCOL = 'edgegate-external-runtime/1';

/** The manifest EdgeGate writes for the external command (docs/parity.md). */
export interface ExternalManifest {
  readonly protocol: typeof EXTERNAL_PROTOCOL;
  /** `run` (return outputs) or `time` (return timingsMs for the model's own outputs). */
  readonly action: 'run' | 'time';
  readonly purpose: RunPurpose;
  /** The model to run (absolute): an edited copy with the wanted tensors as graph outputs. */
  readonly model: string;
  /** Graph optimization EdgeGate would use with ORT; a hint, vendor runtimes may ignore it. */
  readonly optimization: OptimizationLevel;
  readonly inputs: readonly { readonly name: string; readonly file: string; readonly type: string; readonly dims: readonly number[] }[];
  /** Tensor names wanted back. */
  readonly outputs: readonly string[];
  /** Where the command writes `<n>.npy` files and `result.json`. */
  readonly outputDir: string;
  readonly warmup?: number;
  readonly runs?: number;
}

/**
 * The manifest of a batch timing (`action: "time-batch"`): every model with its inputs, timed one after the
 * other in one command, each until its median is stable (`StopRule`). One call instead of one per model:
 * where starting the runtime is slow (an emulator, a board reached over ssh) that start dominated.
 */
export interface ExternalBatchManifest {
  readonly protocol: typeof EXTERNAL_PROTOCOL;
  readonly action: 'time-batch';
  readonly purpose: 'latency';
  readonly optimization: OptimizationLevel;
  readonly models: readonly {
    readonly id: string;
    readonly model: string;
    readonly inputs: ExternalManifest['inputs'];
  }[];
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  readonly stableWithin: number;
  readonly outputDir: string;
}

/** `result.json` written by the external command, validated before use. */
export const ExternalResultSchema = z.object({
  protocol: z.literal(EXTERNAL_PROTOCOL).optional(),
  /** tensor name → .npy file, relative to outputDir (must stay inside it). */
  outputs: z.record(z.string(), z.string()).default({}),
  timingsMs: z.array(z.number().nonnegative()).optional(),
  kernelsRun: z.array(z.object({ op: z.string(), provider: z.string(), count: z.number().int().nonnegative() })).optional(),
  runtime: z.object({ name: z.string(), version: z.string().optional() }).optional(),
  /** `time-batch`: each model's runs, by the manifest's ids. */
  batch: z
    .array(z.object({ id: z.string(), timingsMs: z.array(z.number().nonnegative()).min(1).readonly(), cpuTimingsMs: z.array(z.number().nonnegative()).min(1).readonly().optional() }))
    .optional(),
  /** The machine the runtime ran on (optional; EdgeGate's `parity runtime` reports it). */
  host: HostPlatformSchema.optional(),
});
export type ExternalResult = z.infer<typeof ExternalResultSchema>;

export interface ExternalRunnerOptions {
  /**
   * Without `args`: a shell command line, to which EdgeGate appends the manifest path (single-quoted).
   * With `args`: an executable run without a shell, with `args` then the manifest path.
   */
  readonly command: string;
  readonly args?: readonly string[];
  /** Extra environment variables for the command. */
  readonly env?: Readonly<Record<string, string>>;
  readonly workDir: string;
  /** Per-call timeout in ms. Default 10 minutes. */
  readonly timeoutMs?: number;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs models through a user command speaking the external runtime protocol. */
export class ExternalRunner implements ModelRunner {
  private seq = 0;
  private lastRuntime?: { name: string; version?: string };
  constructor(private readonly options: ExternalRunnerOptions) {}

  async info(): Promise<RunnerInfo> {
    return { kind: 'external', ortVersion: null, detail: this.lastRuntime ? `${this.lastRuntime.name} ${this.lastRuntime.version ?? ''}`.trim() : this.options.command };
  }

  /** Writes `inputs` as `.npy` files into `inDir` (names `<prefix><i>.npy`); returns the manifest's list. */
  private static writeInputs(inDir: string, inputs: ReadonlyMap<string, HostTensor>, prefix = 'input'): ExternalManifest['inputs'] {
    mkdirSync(inDir, { recursive: true });
    return [...inputs].map(([name, t], i) => {
      const file = join(inDir, `${prefix}${i}.npy`);
      writeNpy(file, t);
      return { name, file, type: t.type, dims: [...t.dims] };
    });
  }

  private async invoke(manifest: Omit<ExternalManifest, 'protocol' | 'outputDir' | 'inputs'>, inputs: ReadonlyMap<string, HostTensor>): Promise<{ result: ExternalResult; outDir: string }> {
    return this.call(manifest.model, (dir, outDir) => ({ protocol: EXTERNAL_PROTOCOL, ...manifest, inputs: ExternalRunner.writeInputs(join(dir, 'inputs'), inputs), outputDir: outDir }));
  }

  /** One command call in a fresh folder: the manifest `build` returns, run, `result.json` validated. */
  private async call(label: string, build: (dir: string, outDir: string) => ExternalManifest | ExternalBatchManifest): Promise<{ result: ExternalResult; outDir: string }> {
    const dir = join(this.options.workDir, `ext-${String(++this.seq).padStart(4, '0')}`);
    const outDir = join(dir, 'outputs');
    mkdirSync(outDir, { recursive: true });
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify(build(dir, outDir), null, 2));
    const common = { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'], timeout: this.options.timeoutMs ?? 600_000, env: { ...process.env, ...this.options.env } };
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((res, rej) => {
      const child = this.options.args
        ? spawn(this.options.command, [...this.options.args, manifestPath], common)
        : spawn(`${this.options.command} ${shellQuote(manifestPath)}`, { ...common, shell: true });
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        if (err.length < 4000) err += b.toString('utf8');
      });
      child.on('error', rej);
      child.on('close', (c) => res({ code: c, stderr: err }));
    }).catch((cause: unknown) => {
      throw new RunnerError('external', label, `cannot start '${this.options.command}': ${msg(cause)}`, { cause });
    });
    if (code !== 0) throw new RunnerError('external', label, `command exited with ${code}: ${stderr.trim().slice(-500)}`);
    const resultFile = join(outDir, 'result.json');
    let parsed: unknown;
    try {
      // Capped, regular file only, inside outDir after symlinks: the command is not trusted with this process's memory.
      parsed = JSON.parse(readRegularTextFile(resultFile, { maxBytes: EXTERNAL_RESULT_MAX_BYTES, within: outDir, what: 'external runtime result.json' }));
    } catch (cause) {
      if (cause instanceof RegularFileError) {
        const code = cause.problem === 'MISSING' ? 'EXTERNAL_RESULT_MISSING' : cause.problem === 'TOO_LARGE' ? 'EXTERNAL_RESULT_TOO_LARGE' : 'EXTERNAL_RESULT_UNREADABLE';
        throw new RunnerError('external', label, `${code}: ${cause.message}`, { cause, code });
      }
      throw new RunnerError('external', label, `EXTERNAL_RESULT_INVALID: ${resultFile} is not JSON`, { cause, code: 'EXTERNAL_RESULT_INVALID' });
    }
    const r = ExternalResultSchema.safeParse(parsed);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new RunnerError('external', label, `EXTERNAL_RESULT_INVALID: ${resultFile}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, { code: 'EXTERNAL_RESULT_INVALID' });
    }
    if (r.data.runtime) this.lastRuntime = r.data.runtime;
    return { result: r.data, outDir };
  }

  /**
   * One `time-batch` call for all items (an empty list asks only for the runtime's host and name). A runtime
   * that answers without `batch` does not implement the action: RunnerError (callers fall back to `time`).
   */
  async timeBatch(items: readonly BatchTimingItem[], rule: StopRule): Promise<BatchTimingResult> {
    const label = `batch of ${items.length} models`;
    const { result } = await this.call(label, (dir, outDir) => ({
      protocol: EXTERNAL_PROTOCOL,
      action: 'time-batch',
      purpose: 'latency',
      optimization: 'all',
      models: items.map((it, i) => ({ id: it.id, model: resolve(it.modelPath), inputs: ExternalRunner.writeInputs(join(dir, 'inputs'), it.inputs, `m${i}-input`) })),
      warmup: rule.warmup,
      minRuns: rule.minRuns,
      maxRuns: rule.maxRuns,
      stableWithin: rule.stableWithin,
      outputDir: outDir,
    }));
    if (!result.batch) throw new RunnerError('external', label, 'the command does not implement action "time-batch" (result.json has no batch)');
    const byId = new Map(result.batch.map((b) => [b.id, b]));
    const missing = items.filter((it) => !byId.has(it.id)).map((it) => it.id);
    if (missing.length > 0) throw new RunnerError('external', label, `no timings for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    return {
      timings: items.map((it) => byId.get(it.id)!),
      ...(result.host ? { host: result.host } : {}),
      ...(result.runtime ? { runtime: result.runtime } : {}),
    };
  }

  async run(req: RunRequest): Promise<RunResult> {
    const { result, outDir } = await this.invoke(
      { action: 'run', purpose: req.purpose, model: resolve(req.modelPath), optimization: req.optimization, outputs: [...req.outputNames] },
      req.inputs,
    );
    const outputs = new Map<string, HostTensor>();
    const wanted = new Set(req.outputNames);
    for (const [name, file] of Object.entries(result.outputs)) {
      if (!wanted.has(name)) continue;
      const abs = resolve(outDir, file);
      const rel = relative(outDir, abs);
      if (isAbsolute(file) || rel.startsWith('..') || isAbsolute(rel)) {
        throw new RunnerError('external', req.modelPath, `output file '${file}' for '${name}' is outside ${outDir}`);
      }
      outputs.set(name, readNpy(abs, { within: outDir }));
    }
    return { outputs, kernelsRun: result.kernelsRun };
  }

  async time(req: TimingRequest): Promise<number[]> {
    const { result } = await this.invoke(
      { action: 'time', purpose: 'latency', model: resolve(req.modelPath), optimization: 'all', outputs: [], warmup: req.warmup, runs: req.runs },
      req.inputs,
    );
    if (!result.timingsMs || result.timingsMs.length === 0) throw new RunnerError('external', req.modelPath, 'action "time" returned no timingsMs');
    return result.timingsMs;
  }
}
