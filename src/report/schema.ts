/**
 * Reading the report contract (src/report/contract.ts): validation of check reports that cross a job
 * boundary (the action's `report` mode downloads them) and the JSON Schema document
 * docs/report-schema.json (`npx tsx scripts/gen-report-schema.ts`). The schemas themselves live in
 * contract.ts and are re-exported here.
 */
import { z } from 'zod';
import { ReportSchema, type Report, type ReportError } from './contract.js';

export * from './contract.js';

/** The report as validated (the contract type). */
export type ValidatedReport = Report;

// ---------------------------------------------------------------------------------------------------------
// Validation

/** Formats a zod issue path as `models[0].devices[1].verdict` (non-identifier keys as `opsets["ai.onnx"]`). */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/** True when the last key of `path` is absent from its parent object in `data` (zod reports no input). */
function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return data === undefined;
  let parent: unknown = data;
  for (const p of path.slice(0, -1)) {
    if (!parent || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[p];
  }
  return !!parent && typeof parent === 'object' && !Array.isArray(parent) && !(path[path.length - 1]! in parent);
}

/** Result of `parseReport`: the typed report, or one error per problem, each naming the file and field. */
export type ParseReportResult = { readonly ok: true; readonly report: ValidatedReport } | { readonly ok: false; readonly errors: ReportError[] };

/** Most problems listed per file; a wholly wrong file would otherwise list thousands. */
export const MAX_REPORT_ISSUES = 20;

/**
 * Validates a parsed check report (for example an artifact downloaded from another job).
 * @param data the parsed JSON.
 * @param file the file it came from, named in every error.
 * @returns `{ ok: true, report }`, or `{ ok: false, errors }` with code `REPORT_INVALID`, the file, the field
 *   path (e.g. `models[0].devices[1].verdict`) and a message; at most `MAX_REPORT_ISSUES` errors.
 */
export function parseReport(data: unknown, file: string): ParseReportResult {
  const r = ReportSchema.safeParse(data);
  if (r.success) return { ok: true, report: r.data };
  const errors: ReportError[] = [];
  for (const issue of r.error.issues.slice(0, MAX_REPORT_ISSUES)) {
    const fieldPath = formatFieldPath(issue.path);
    const what = isMissing(data, issue.path) ? 'required field is missing' : issue.message;
    errors.push({
      code: 'REPORT_INVALID',
      file,
      ...(fieldPath ? { fieldPath } : {}),
      message: `${file}: not a valid EdgeGate report: ${fieldPath || '(the document)'}: ${what}`,
    });
  }
  const more = r.error.issues.length - errors.length;
  if (more > 0) errors.push({ code: 'REPORT_INVALID', file, message: `${file}: ${more} more problem(s) not listed` });
  return { ok: false, errors };
}

/** A check report failed validation. `errors` name the file and field path of each problem. */
export class ReportValidationError extends Error {
  override readonly name = 'ReportValidationError';
  constructor(
    readonly file: string,
    readonly errors: readonly ReportError[],
    options?: { cause?: unknown },
  ) {
    super(errors.length > 0 ? errors.map((e) => e.message).join('\n') : `${file}: not a valid EdgeGate report`, options);
  }
}

/** Like `parseReport`, but throws `ReportValidationError` instead of returning errors. */
export function expectReport(data: unknown, file: string): ValidatedReport {
  const r = parseReport(data, file);
  if (!r.ok) throw new ReportValidationError(file, r.errors);
  return r.report;
}

/**
 * Parses report text (a file's contents) and validates it. Invalid JSON gives one `REPORT_NOT_JSON` error.
 * @param text the file contents.
 * @param file the file name, named in every error.
 */
export function parseReportText(text: string, file: string): ParseReportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ code: 'REPORT_NOT_JSON', file, message: `${file}: not valid JSON: ${(err as Error).message}` }] };
  }
  return parseReport(data, file);
}

// ---------------------------------------------------------------------------------------------------------
// JSON Schema document

/** Key of the parity `result.json` schema under `$defs` in docs/report-schema.json. */
export const PARITY_RESULT_DEF = 'ParityResult';

type Json = Record<string, unknown>;

/** Drops zod's safe-integer bounds on integers (`maximum: 2^53 − 1`): true of every JSON number we write, noise to a reader. */
function dropSafeIntBounds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropSafeIntBounds);
  if (!v || typeof v !== 'object') return v;
  const o = v as Json;
  const out: Json = {};
  for (const [k, x] of Object.entries(o)) {
    if (o.type === 'integer' && ((k === 'maximum' && x === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && x === Number.MIN_SAFE_INTEGER))) continue;
    out[k] = dropSafeIntBounds(x);
  }
  return out;
}

/**
 * The JSON Schema (draft 2020-12) of docs/report-schema.json: the check report at the top, its parts
 * (the parity `result.json` among them, as `$defs.ParityResult`) under `$defs`; zod `io: 'input'`, so
 * fields with defaults may be absent. Deterministic: the same schemas give the same document.
 */
export function reportJsonSchema(): Json {
  const top = dropSafeIntBounds(z.toJSONSchema(ReportSchema, { target: 'draft-2020-12', io: 'input' })) as Json;
  const defs: Json = { ...((top.$defs as Json | undefined) ?? {}) };
  const { $schema, $defs: _d, title, description, ...rest } = top;
  const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
  return { $schema, title, description, ...rest, $defs: sorted };
}
