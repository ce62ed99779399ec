/**
 * `result.json` of a parity run (issue 6, "CLI and result format"; docs/report-schema.json) and the
 * reference dump manifest. Both cross job boundaries as artifacts, so both are validated with zod
 * before use; the TypeScript types are inferred from the schemas.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

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
  tensors: z.array(TensorResultSchema),
  kernels: z.array(KernelResultSchema),
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
  createdAt: z.string().optional(),
});
export type ParityResult = z.infer<typeof ParityResultSchema>;

const FileRef = z.object({ file: z.string().regex(/^[A-Za-z0-9_.-]+$/), type: z.string(), dims: z.array(z.number().int().nonnegative()), bytes: z.number().int().nonnegative() });

export const ReferenceManifestSchema = z.object({
  schemaVersion: z.literal(REFERENCE_SCHEMA_VERSION),
  kind: z.literal('edgegate-parity-reference'),
  model: z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int() }),
  createdAt: z.string(),
  seed: z.number().int(),
  threads: z.number().int().positive(),
  host: HostSchema.nullable(),
  /** Content-addressed tensor files (one file per distinct value). */
  files: z.record(z.string(), FileRef),
  inputs: z.record(z.string(), z.string()),
  production: z.record(z.string(), z.string()),
  localization: z.record(z.string(), z.string()),
  /** Target node index → output name → file id. */
  isolation: z.record(z.string(), z.record(z.string(), z.string())),
  isolationSkipped: z.record(z.string(), z.string()).default({}),
  kernelsRun: z.object({ production: z.array(KernelRunSchema), localization: z.array(KernelRunSchema) }),
  omitted: z.object({ constantOnly: z.number().int(), nonTensor: z.number().int() }),
  sizeBytes: z.number().int(),
  sizeCapBytes: z.number().int(),
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

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ArtifactValidationError(file, '', cause instanceof SyntaxError ? 'not valid JSON' : 'cannot read the file', { cause });
  }
}

/** Validates a parsed result.json. */
export function parseParityResult(value: unknown, file = '<result>'): ParityResult {
  return parseWith(ParityResultSchema, value, file);
}

/** Reads and validates result.json. */
export function readParityResult(file: string): ParityResult {
  return parseParityResult(readJson(file), file);
}

/** Reads and validates a reference dump manifest. */
export function readReferenceManifest(file: string): ReferenceManifest {
  return parseWith(ReferenceManifestSchema, readJson(file), file);
}

/** result.json's schema as JSON Schema (for docs/report-schema.json). */
export function parityResultJsonSchema(): unknown {
  return z.toJSONSchema(ParityResultSchema, { io: 'input' });
}
