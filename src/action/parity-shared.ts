/**
 * What the three parity jobs agree on: artifact names, the matrix, and the parity plan the check job
 * stores in its report artifact (validated by the report job like any artifact from another job).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ParityResultSchema, type ParityResult } from '../parity/result-schema.js';

/** Short hash of a repo-relative model path: artifact names cannot hold `/`. */
export function modelHash(modelPath: string): string {
  return createHash('sha256').update(modelPath.replace(/\\/g, '/')).digest('hex').slice(0, 12);
}

/** Inputs and reference tensors of one model (check job → parity jobs). */
export function referenceArtifactName(modelPath: string): string {
  return `edgegate-ref-${modelHash(modelPath)}`;
}

/** The small result.json of one matrix cell (parity job → report job). */
export function resultArtifactName(modelPath: string, device: string): string {
  return `edgegate-result-${modelHash(modelPath)}-${device.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** The check job's JSON report with its parity plan (check job → report job). */
export function reportArtifactName(commentKey: string): string {
  return commentKey ? `edgegate-report-${commentKey.replace(/[^A-Za-z0-9._-]/g, '_')}` : 'edgegate-report';
}

/** File name of the report inside its artifact. */
export const REPORT_ARTIFACT_FILE = 'report.json';
/** File name of a result inside its artifact. */
export const RESULT_ARTIFACT_FILE = 'result.json';
/** Retention of reference artifacts: they are only needed within the run. */
export const REFERENCE_RETENTION_DAYS = 1;

/** One cell of the parity matrix. */
export const ParityCellSchema = z.object({
  model: z.string().min(1),
  device: z.string().min(1),
  runsOn: z.array(z.string().min(1)).min(1),
});
export type ParityCell = z.infer<typeof ParityCellSchema>;

/** The check job's plan: cells sent to runners, and cells decided at once (not-run or error). */
export const ParityPlanSchema = z.object({
  schemaVersion: z.literal(1),
  cells: z.array(ParityCellSchema),
  /** Results known without a runner: EP_UNAVAILABLE, FORK_PR, offline runners, reference errors. */
  decided: z.array(ParityResultSchema),
  references: z.array(z.object({ model: z.string(), artifact: z.string(), bytes: z.number().int().nonnegative(), tensors: z.number().int().nonnegative() })),
  notes: z.array(z.string()),
});
export type ParityPlan = z.infer<typeof ParityPlanSchema>;

/** The `parity-matrix` output for `strategy.matrix: ${{ fromJSON(...) }}`. */
export function matrixJson(cells: readonly ParityCell[]): string {
  return JSON.stringify({ include: cells.map((c) => ({ model: c.model, device: c.device, 'runs-on': c.runsOn })) });
}

/** Cells that still have to report (the expected set for collectResults). */
export function expectedRuns(plan: ParityPlan): { model: string; device: string }[] {
  return plan.cells.map((c) => ({ model: c.model, device: c.device }));
}

export type { ParityResult };
