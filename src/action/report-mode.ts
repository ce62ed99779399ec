/**
 * `mode: report` (the third job; run it with `if: always()`): download the check job's
 * report and every parity result of the run, validate them by schema, re-render the whole sticky
 * comment from both, and gate with `fail-on: parity`. A matrix cell without a valid result is
 * `not-run` (or `error`), never `pass`. No @actions/* import.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { readRegularTextFile } from '../io/regular-file.js';
import { REPORT_ARTIFACT_MAX_BYTES } from '../limits.js';
import { decide } from '../gate/decide.js';
import { renderJsonChunks } from '../pipeline.js';
import { writeFileChunks } from '../io/write-chunks.js';
import type { Finding, GateDecision } from '../gate/types.js';
import { collectResults } from '../parity/report.js';
import { readParityResult, type ParityResult } from '../parity/result-schema.js';
import { notRunResult } from '../parity/run.js';
import { renderMarkdown, type RenderInput } from '../report/markdown.js';
import { renderParitySection } from '../report/parity-markdown.js';
import { parseReport } from '../report/schema.js';
import type { Report } from '../report/types.js';
import type { ArtifactInfo, ArtifactStore } from './artifacts.js';
import { gateOptions, PARITY_SECTION_TITLE, publish, type CheckModeContext } from './check-mode.js';
import { expectedRuns, ParityPlanSchema, REPORT_ARTIFACT_FILE, reportArtifactName, RESULT_ARTIFACT_FILE, resultArtifactName, type ParityPlan } from './parity-shared.js';

/** The check job's report artifact is missing or invalid: nothing to re-render. */
export class ReportArtifactError extends Error {
  override readonly name = 'ReportArtifactError';
  constructor(
    readonly artifact: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${artifact}: ${reason}`, options);
  }
}

export interface ReportOutcome {
  readonly decision: GateDecision;
  readonly results: readonly ParityResult[];
  readonly body: string;
  readonly commentId?: number;
}

/** Parity findings for the gate: fail and error always; not-run only when `parity-gate-not-run`. */
export function parityFindings(results: readonly ParityResult[], notRunBlocks: boolean): Finding[] {
  const out: Finding[] = [];
  for (const r of results) {
    const base = { condition: 'parity' as const, model: r.model, device: r.device };
    if (r.verdict === 'fail') {
      const f = r.firstDivergingNode;
      const where = f ? `first diverging kernel ${f.op} #${f.index} '${f.name}'` : 'a model output is out of tolerance';
      out.push({ ...base, code: 'PARITY_FAIL', message: `parity failed on the device: ${where}; ${r.kernelsFailing} of ${r.kernels.length} kernels out of tolerance` });
    } else if (r.verdict === 'error') {
      out.push({ ...base, code: 'PARITY_ERROR', message: `the parity run failed (${r.reason ?? 'INTERNAL'})${r.detail ? `: ${r.detail}` : ''}` });
    } else if (r.verdict === 'not-run' && notRunBlocks) {
      out.push({ ...base, code: 'PARITY_NOT_RUN', message: `parity did not run (${r.reason ?? 'NO_RESULT'})${r.detail ? `: ${r.detail}` : ''}` });
    }
  }
  return out;
}

async function fetchReport(store: ArtifactStore, artifacts: readonly ArtifactInfo[], name: string, dir: string): Promise<{ report: Report; plan: ParityPlan }> {
  const found = artifacts.find((a) => a.name === name);
  if (!found) throw new ReportArtifactError(name, 'the check job did not upload its report in this workflow run (did it run, with parity enabled and the same comment-key?)');
  await store.download(found.id, dir);
  const file = join(dir, REPORT_ARTIFACT_FILE);
  let data: unknown;
  try {
    data = JSON.parse(readRegularTextFile(file, { maxBytes: REPORT_ARTIFACT_MAX_BYTES, what: 'report artifact' }));
  } catch (cause) {
    throw new ReportArtifactError(name, `${REPORT_ARTIFACT_FILE} is missing, not a regular file within the size limit, or not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseReport(data, `${name}/${REPORT_ARTIFACT_FILE}`);
  if (!parsed.ok) throw new ReportArtifactError(name, parsed.errors.map((e) => e.message).join('; '));
  const plan = ParityPlanSchema.safeParse((data as { parity?: unknown }).parity);
  if (!plan.success) {
    const i = plan.error.issues[0];
    throw new ReportArtifactError(name, `parity: ${i ? `${i.path.join('.') || '(the plan)'}: ${i.message}` : 'invalid'}`);
  }
  return { report: parsed.report, plan: plan.data };
}

/** Downloads and validates one cell's result; anything wrong becomes an `error` result, never a pass. */
async function fetchResult(store: ArtifactStore, artifacts: readonly ArtifactInfo[], cell: { model: string; device: string }, root: string): Promise<ParityResult | undefined> {
  const name = resultArtifactName(cell.model, cell.device);
  const found = artifacts.find((a) => a.name === name);
  if (!found) return undefined;
  const dir = join(root, name);
  try {
    await store.download(found.id, dir);
    const r = readParityResult(join(dir, RESULT_ARTIFACT_FILE));
    if (r.model !== cell.model || r.device !== cell.device) {
      return notRunResult(cell.model, cell.device, 'error', 'INVALID_RESULT', `${name} holds a result for ${r.model} on ${r.device}`);
    }
    return r;
  } catch (err) {
    return notRunResult(cell.model, cell.device, 'error', 'INVALID_RESULT', `${name}: ${(err as Error).message}`);
  }
}

/** Runs `mode: report`. */
export async function runReportMode(ctx: CheckModeContext): Promise<ReportOutcome> {
  const { inputs, event, ports } = ctx;
  const store = ctx.parity?.artifacts;
  if (!store) throw new ReportArtifactError(reportArtifactName(inputs.commentKey), 'no artifact service (ACTIONS_RUNTIME_TOKEN is not set)');
  const root = join(ctx.tempDir, 'edgegate-report-job');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const artifacts = await store.list();
  const { report, plan } = await fetchReport(store, artifacts, reportArtifactName(inputs.commentKey), join(root, 'report'));

  const arrived: ParityResult[] = [];
  for (const cell of plan.cells) {
    const r = await fetchResult(store, artifacts, cell, root);
    if (r) arrived.push(r);
  }
  const results = [...collectResults(expectedRuns(plan), arrived), ...plan.decided];
  for (const r of results) ports.info(`Parity ${r.model} on ${r.device}: ${r.verdict}${r.reason ? ` (${r.reason})` : ''}`);

  // The report job may not check out the repository: a missing config file is not an error here.
  const config = loadConfig(resolve(ctx.workspace, inputs.config), { required: false }).config;
  // Validated by parseReport (ReportSchema declares both), so typed reads of the parsed report.
  const comparison = report.baseline;
  const changes = report.changes ?? [];
  const decision = decide(report, comparison, gateOptions(inputs, config, event), parityFindings(results, inputs.parityGateNotRun));
  const section = renderParitySection({ results, report, notes: plan.notes });
  const input: RenderInput = { report, comparison, decision, changes, commentKey: inputs.commentKey, extraSections: [{ title: PARITY_SECTION_TITLE, markdown: section }] };
  const body = renderMarkdown(input, { summaryUrl: ctx.runUrl });

  const outDir = join(ctx.tempDir, 'edgegate');
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, 'report-with-parity.json');
  // The report job's decide stage: the check job's comparison, plus the parity findings.
  writeFileChunks(reportPath, renderJsonChunks({ report: { ...report, parityResults: results }, ...(comparison ? { comparison } : {}), decision }));
  const commentId = await publish(ctx, input, body, reportPath, decision, changes);
  rmSync(join(root), { recursive: true, force: true });
  return { decision, results, body, ...(commentId !== undefined ? { commentId } : {}) };
}
