/**
 * What the three parity jobs agree on: artifact names, the matrix, and the parity plan the check job
 * stores in its report artifact (validated by the report job like any artifact from another job).
 */
import { createHash } from 'node:crypto';
import type { ParityCell, ParityPlan, ParityResult } from '../report/contract.js';

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

export { ParityCellSchema, ParityPlanSchema } from '../report/contract.js';
export type { ParityCell, ParityPlan } from '../report/contract.js';

/** The `parity-matrix` output for `strategy.matrix: ${{ fromJSON(...) }}`. */
export function matrixJson(cells: readonly ParityCell[]): string {
  return JSON.stringify({ include: cells.map((c) => ({ model: c.model, device: c.device, 'runs-on': c.runsOn })) });
}

/** Cells that still have to report (the expected set for collectResults). */
export function expectedRuns(plan: ParityPlan): { model: string; device: string }[] {
  return plan.cells.map((c) => ({ model: c.model, device: c.device }));
}

export type { ParityResult };
