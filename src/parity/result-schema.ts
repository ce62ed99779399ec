/**
 * Reading `result.json` of a parity run (its schema is in src/report/contract.ts, with the report's) and
 * the reference dump manifest. Both cross job boundaries as artifacts, so both are validated with zod
 * before use; the TypeScript types are inferred from the schemas.
 */
import { z } from 'zod';
import { readRegularTextFile, RegularFileError } from '../io/regular-file.js';
import { REFERENCE_MANIFEST_MAX_BYTES, REFERENCE_MAX_FILES, REFERENCE_MAX_TOTAL_BYTES, RESULT_MAX_BYTES } from '../limits.js';
import { TENSOR_DTYPES } from './tensor.js';
import { HostSchema, KernelRunSchema, ParityResultSchema, type ParityResult } from '../report/contract.js';

/** Version of the reference dump manifest. */
export const REFERENCE_SCHEMA_VERSION = 1;

export {
  HostSchema,
  KernelResultSchema,
  KernelRunSchema,
  PARITY_REASONS,
  PARITY_RESULT_SCHEMA_VERSION,
  PARITY_VERDICTS,
  ParityResultSchema,
  PassInfoSchema,
  TensorResultSchema,
} from '../report/contract.js';
export type { HostFacts, KernelResult, ParityReason, ParityResult, ParityVerdict, TensorResult } from '../report/contract.js';

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
