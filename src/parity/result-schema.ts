/**
 * `result.json` of a parity run (issue 6, "CLI and result format"; docs/report-schema.json) and the
 * reference dump manifest. Both cross job boundaries as artifacts, so both are validated with zod
 * before use; the TypeScript types are inferred from the schemas.
 */
import { z } from 'zod';
import { readRegularTextFile, RegularFileError } from '../io/regular-file.js';
import { REFERENCE_MANIFEST_MAX_BYTES, REFERENCE_MAX_FILES, REFERENCE_MAX_TOTAL_BYTES, RESULT_MAX_BYTES, RESULT_MAX_ROWS } from '../limits.js';
import { TENSOR_DTYPES } from './tensor.js';

/** Version of result.json; bump on incompatible change. */
export const PARITY_RESULT_SCHEMA_VERSION = 1;
/** Version of the reference dump manifest. */
export const REFERENCE_SCHEMA_VERSION = 1;

export const PARITY_VERDICTS = ['pass', 'fail', 'not-run', 'error'] as const;
export type ParityVerdict = (typeof PARITY_VERDICTS)[number];

/** Reason codes for `not-run` and `error` verdicts. */
export const PARITY_REASONS = [
  /** The device's accelerator runtime is not available and no external runtime is configured. */
  'EP_UNAVAILABLE',
  /** No result arrived (runner offline, job timeout, missing artifact). */
  'NO_RESULT',
  /** A result arrived but failed schema validation. */
  'INVALID_RESULT',
  /** The model on the device is not the one the reference was made from. */
  'MODEL_MISMATCH',
  /** The reference dump is missing or invalid. */
  'REFERENCE_INVALID',
  /** onnxruntime-node could not be loaded on the device. */
  'ORT_UNAVAILABLE',
  /** A runner failed (session creation, run, external command). */
  'RUNNER_FAILED',
  /** Parity was not requested for fork PRs (`allow-fork-parity: false`). */
  'FORK_PR',
  /** The host is not the device the profile describes (platform mismatch) and the run was not forced. */
  'HOST_MISMATCH',
  /** Anything else; see `detail`. */
  'INTERNAL',
] as const;
export type ParityReason = (typeof PARITY_REASONS)[number];

const num = z.number().nullable();

export const KernelRunSchema = z.object({ op: z.string(), provider: z.string(), count: z.number().int().nonnegative() });

export const TensorResultSchema = z.object({
  name: z.string(),
  /** Producing node index in the source graph, or null for graph inputs. */
  node: z.number().int().nullable(),
  /** Which pass the tensor comes from. */
  stage: z.enum(['production', 'localization']),
  dtype: z.string(),
  elements: z.number().int().nonnegative(),
  maxAbs: num,
  meanAbs: num,
  relL2: num,
  cosine: num,
  snrDb: num,
  rmseOverScale: z.number().optional(),
  atol: z.number(),
  rtol: z.number(),
  pass: z.boolean(),
  identical: z.boolean(),
  failing: z.number().int().nonnegative(),
  /** A graph output of the original model. */
  modelOutput: z.boolean(),
  reason: z.string().optional(),
});
export type TensorResult = z.infer<typeof TensorResultSchema>;

export const KernelResultSchema = z.object({
  /** Target node index in the source graph. */
  index: z.number().int().nonnegative(),
  name: z.string(),
  op: z.string(),
  /** Position in topological order. */
  position: z.number().int().nonnegative(),
  unit: z.enum(['single', 'qdq']),
  /** All source node indices of the unit (DQs, target, Qs). */
  nodes: z.array(z.number().int().nonnegative()),
  maxAbs: num,
  rmseOverScale: z.number().optional(),
  failing: z.number().int().nonnegative(),
  pass: z.boolean(),
  /** Outputs compared (their worst is reported above). */
  outputs: z.array(z.string()),
  reason: z.string().optional(),
});
export type KernelResult = z.infer<typeof KernelResultSchema>;

export const PassInfoSchema = z.object({
  optimization: z.enum(['all', 'disabled']),
  outputs: z.number().int().nonnegative(),
  compared: z.number().int().nonnegative(),
  failing: z.number().int().nonnegative(),
  /** Kernels the runtime reported running (ORT profile); empty when it cannot tell. */
  kernelsRun: z.array(KernelRunSchema),
  /** Tensors the runtime did not return (external runtimes may not expose fused intermediates). */
  missing: z.array(z.string()).default([]),
});

export const HostSchema = z.object({
  arch: z.string(),
  platform: z.string(),
  cpu: z.string().nullable(),
  cpuFlags: z.array(z.string()),
  cores: z.number().int().nonnegative(),
  ortVersion: z.string().nullable(),
  node: z.string(),
  runtime: z.string(),
  cpufreq: z
    .object({ governor: z.string().nullable(), curKHz: z.number().nullable(), minKHz: z.number().nullable(), maxKHz: z.number().nullable() })
    .nullable()
    .default(null),
  throttling: z.object({ source: z.string(), value: z.string() }).nullable().default(null),
  temperatureC: z.number().nullable().default(null),
  /** Set when a user-mode emulator ran the process (`qemu-user cortex-a72`): numerics of that core, not its timings. */
  emulated: z.string().optional(),
});
export type HostFacts = z.infer<typeof HostSchema>;

export const ParityResultSchema = z.object({
  schemaVersion: z.literal(PARITY_RESULT_SCHEMA_VERSION),
  model: z.string(),
  modelSha256: z.string().nullable().default(null),
  device: z.string(),
  verdict: z.enum(PARITY_VERDICTS),
  reason: z.enum(PARITY_REASONS).optional(),
  detail: z.string().optional(),
  firstDivergingNode: z.object({ index: z.number().int(), name: z.string(), op: z.string() }).nullable(),
  worstTensor: z.object({ name: z.string(), stage: z.string(), maxAbs: num, pass: z.boolean() }).nullable().default(null),
  kernelsFailing: z.number().int().nonnegative().default(0),
  kernelsSkipped: z.array(z.object({ index: z.number().int(), op: z.string(), reason: z.string() })).default([]),
  /**
   * `OUTPUT_DRIFT`: a quantized model output is out of tolerance while every kernel is within it
   * (accumulated quantization drift; not a failure).
   */
  warnings: z.array(z.enum(['OUTPUT_DRIFT'])).default([]),
  tensors: z.array(TensorResultSchema).max(RESULT_MAX_ROWS),
  kernels: z.array(KernelResultSchema).max(RESULT_MAX_ROWS),
  passes: z.object({
    production: PassInfoSchema.optional(),
    localization: PassInfoSchema.optional(),
    isolation: z.object({ units: z.number().int(), skipped: z.number().int(), optimization: z.enum(['all', 'disabled']) }).optional(),
  }),
  latencyMs: z.object({ median: z.number(), runs: z.number().int().positive(), warmup: z.number().int().nonnegative(), samples: z.array(z.number()) }).nullable(),
  profile: z
    .object({ source: z.string(), nodes: z.array(z.object({ index: z.number(), name: z.string(), op: z.string(), provider: z.string(), meanUs: z.number() })) })
    .nullable()
    .default(null),
  host: HostSchema.nullable(),
  tolerances: z.record(z.string(), z.object({ atol: z.number(), rtol: z.number() })).optional(),
  /** The host compared with the device profile's declared platform (absent: no profile, or an external runtime). */
  hostMatch: z
    .object({ status: z.enum(['match', 'mismatch']), reasons: z.array(z.string()), emulated: z.string().nullable(), summary: z.string() })
    .optional(),
  /** The host did not match the device and the run was forced (`--force`, `parity-force`): not the device's result. */
  forced: z.literal(true).optional(),
  createdAt: z.string().optional(),
});
export type ParityResult = z.infer<typeof ParityResultSchema>;

const FileRef = z.object({
  file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.npy$/, 'must be a plain file name ending in .npy'),
  type: z.enum(TENSOR_DTYPES),
  dims: z.array(z.number().int().nonnegative()).max(64),
  bytes: z.number().int().nonnegative().max(REFERENCE_MAX_TOTAL_BYTES),
});
const count = z.number().int().nonnegative();

export const ReferenceManifestSchema = z.object({
  schemaVersion: z.literal(REFERENCE_SCHEMA_VERSION),
  kind: z.literal('edgegate-parity-reference'),
  model: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex'), bytes: count }),
  createdAt: z.string(),
  seed: z.number().int(),
  threads: z.number().int().positive(),
  host: HostSchema.nullable(),
  /** Content-addressed tensor files (one file per distinct value). */
  files: z.record(z.string(), FileRef).refine((f) => Object.keys(f).length <= REFERENCE_MAX_FILES, `lists more than ${REFERENCE_MAX_FILES} files (docs/limits.md)`),
  inputs: z.record(z.string(), z.string()),
  production: z.record(z.string(), z.string()),
  localization: z.record(z.string(), z.string()),
  /** Target node index → output name → file id. */
  isolation: z.record(z.string(), z.record(z.string(), z.string())),
  isolationSkipped: z.record(z.string(), z.string()).default({}),
  kernelsRun: z.object({ production: z.array(KernelRunSchema), localization: z.array(KernelRunSchema) }),
  omitted: z.object({ constantOnly: count, nonTensor: count }),
  sizeBytes: count.max(REFERENCE_MAX_TOTAL_BYTES),
  sizeCapBytes: count,
});
export type ReferenceManifest = z.infer<typeof ReferenceManifestSchema>;

/** An artifact (result.json or a dump manifest) failed validation. Names the file and the field. */
export class ArtifactValidationError extends Error {
  override readonly name = 'ArtifactValidationError';
  constructor(readonly file: string, readonly fieldPath: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${reason}`, options);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new ArtifactValidationError(file, issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.'), issue.message);
}

function readJson(file: string, maxBytes: number, within?: string): unknown {
  let text: string;
  try {
    text = readRegularTextFile(file, { maxBytes, what: 'JSON file', ...(within !== undefined ? { within } : {}) });
  } catch (cause) {
    throw new ArtifactValidationError(file, '', cause instanceof RegularFileError ? cause.reason : 'cannot read the file', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ArtifactValidationError(file, '', 'not valid JSON', { cause });
  }
}

/** A problem a schema cannot see: fields that contradict each other. */
interface Contradiction {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What in a result contradicts its own tensors and kernels. The verdict is recomputed the way
 * `parity run` computes it: kernels decide, plus any model output out of tolerance unless the result
 * carries the `OUTPUT_DRIFT` warning (quantized outputs). A pass that compared nothing is a contradiction too.
 */
export function resultContradictions(r: ParityResult): Contradiction[] {
  const out: Contradiction[] = [];
  r.tensors.forEach((t, i) => {
    if (t.pass && t.failing > 0) out.push({ path: ['tensors', i, 'pass'], message: `pass is true with ${t.failing} failing elements` });
  });
  r.kernels.forEach((k, i) => {
    if (k.pass && k.failing > 0) out.push({ path: ['kernels', i, 'pass'], message: `pass is true with ${k.failing} failing elements` });
  });
  const failingKernels = r.kernels.filter((k) => !k.pass);
  if (r.kernelsFailing !== failingKernels.length) {
    out.push({ path: ['kernelsFailing'], message: `is ${r.kernelsFailing}, the kernels listed have ${failingKernels.length} out of tolerance` });
  }
  const first = [...failingKernels].sort((a, b) => a.position - b.position)[0];
  const f = r.firstDivergingNode;
  if (first === undefined ? f !== null : f === null || f.index !== first.index || f.op !== first.op || f.name !== first.name) {
    out.push({ path: ['firstDivergingNode'], message: first ? `must name the first kernel out of tolerance, ${first.op} #${first.index}` : 'is set, yet no kernel is out of tolerance' });
  }
  const badOutputs = r.tensors.filter((t) => t.stage === 'production' && t.modelOutput && !t.pass);
  if (r.warnings.includes('OUTPUT_DRIFT') && badOutputs.length === 0) out.push({ path: ['warnings'], message: 'OUTPUT_DRIFT without a model output out of tolerance' });
  if (r.verdict === 'pass') {
    if (failingKernels.length > 0) out.push({ path: ['verdict'], message: `is pass with ${failingKernels.length} kernels out of tolerance` });
    // The reader cannot tell a dequantized float output from a float one: OUTPUT_DRIFT must say so.
    if (badOutputs.length > 0 && !r.warnings.includes('OUTPUT_DRIFT')) {
      out.push({ path: ['verdict'], message: `is pass with model output '${badOutputs[0]!.name}' out of tolerance` });
    }
    if (r.kernels.length === 0 && r.tensors.length === 0) out.push({ path: ['verdict'], message: 'is pass, yet no tensor or kernel was compared' });
    if (r.reason !== undefined) out.push({ path: ['reason'], message: `a pass has no reason code (got ${r.reason})` });
  } else if (r.verdict === 'fail') {
    if (failingKernels.length === 0 && badOutputs.length === 0) out.push({ path: ['verdict'], message: 'is fail, yet every kernel and model output is within tolerance' });
  } else if (r.reason === undefined) {
    out.push({ path: ['reason'], message: `a ${r.verdict} result needs a reason code` });
  }
  const iso = r.passes.isolation;
  if (iso && iso.units !== r.kernels.length) out.push({ path: ['passes', 'isolation', 'units'], message: `is ${iso.units}, ${r.kernels.length} kernels are listed` });
  for (const stage of ['production', 'localization'] as const) {
    const info = r.passes[stage];
    if (!info) continue;
    const rows = r.tensors.filter((t) => t.stage === stage);
    if (info.compared !== rows.length) out.push({ path: ['passes', stage, 'compared'], message: `is ${info.compared}, ${rows.length} ${stage} tensors are listed` });
    const bad = rows.filter((t) => !t.pass).length;
    if (info.failing !== bad) out.push({ path: ['passes', stage, 'failing'], message: `is ${info.failing}, ${bad} listed ${stage} tensors are out of tolerance` });
  }
  return out;
}

/** result.json as `parity report` and the action's report mode accept it: schema plus {@link resultContradictions}. */
export const CheckedParityResultSchema = ParityResultSchema.superRefine((r, ctx) => {
  for (const c of resultContradictions(r)) ctx.addIssue({ code: 'custom', path: [...c.path], message: c.message });
});

/** What in a manifest names something it does not hold. */
export function manifestContradictions(m: ReferenceManifest): Contradiction[] {
  const out: Contradiction[] = [];
  const known = (path: (string | number)[], id: string): void => {
    if (!Object.hasOwn(m.files, id)) out.push({ path, message: `names file id '${id}' that files does not list` });
  };
  for (const section of ['inputs', 'production', 'localization'] as const) {
    for (const [name, id] of Object.entries(m[section])) known([section, name], id);
  }
  for (const [unit, outs] of Object.entries(m.isolation)) for (const [name, id] of Object.entries(outs)) known(['isolation', unit, name], id);
  const seen = new Set<string>();
  let total = 0;
  for (const [id, ref] of Object.entries(m.files)) {
    if (seen.has(ref.file)) out.push({ path: ['files', id, 'file'], message: `'${ref.file}' is listed twice` });
    seen.add(ref.file);
    total += ref.bytes;
  }
  if (total !== m.sizeBytes) out.push({ path: ['sizeBytes'], message: `is ${m.sizeBytes}, the files listed hold ${total} bytes` });
  if (Object.keys(m.inputs).length === 0 && Object.keys(m.production).length === 0) out.push({ path: ['production'], message: 'the reference holds no inputs and no outputs: it compares nothing' });
  return out;
}

const CheckedReferenceManifestSchema = ReferenceManifestSchema.superRefine((m, ctx) => {
  for (const c of manifestContradictions(m)) ctx.addIssue({ code: 'custom', path: [...c.path], message: c.message });
});

/** Validates a parsed result.json (schema and internal consistency). */
export function parseParityResult(value: unknown, file = '<result>'): ParityResult {
  return parseWith(CheckedParityResultSchema, value, file);
}

/** Reads and validates result.json (a regular file within {@link RESULT_MAX_BYTES}). */
export function readParityResult(file: string): ParityResult {
  return parseParityResult(readJson(file, RESULT_MAX_BYTES), file);
}

/** Reads and validates a reference dump manifest (a regular file inside `within` when given). */
export function readReferenceManifest(file: string, within?: string): ReferenceManifest {
  return parseWith(CheckedReferenceManifestSchema, readJson(file, REFERENCE_MANIFEST_MAX_BYTES, within), file);
}

/** result.json's schema as JSON Schema (for docs/report-schema.json). */
export function parityResultJsonSchema(): unknown {
  return z.toJSONSchema(ParityResultSchema, { io: 'input' });
}
