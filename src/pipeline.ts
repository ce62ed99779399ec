/**
 * The one pipeline of the CLI and the action: gather (runCheck on head, checkBaseVersions on base) →
 * decide (compare + gate: a CheckRun) → render (pure functions of the CheckRun: text, markdown comment,
 * job summary, JSON) → post (the adapters: CLI stdout and exit code; the action's comment, summary and
 * outputs). Nothing after `decideRun` decides again.
 */
import { compareReports } from './gate/compare.js';
import { decide } from './gate/decide.js';
import type { Finding, GateOptions, ModelChange } from './gate/types.js';
import type { CheckRun, Report } from './report/contract.js';

export type { CheckRun };

/** What gather hands to decide: the head report (with the run's own errors) and the base, when there is one. */
export interface Gathered {
  readonly report: Report;
  /** Present when there is a base to compare against (pull requests, `edgegate check --base`). */
  readonly base?: {
    readonly sha: string;
    /** The base versions' report; undefined when none could be checked (then nothing is `compared`). */
    readonly report: Report | undefined;
    readonly changes: readonly ModelChange[];
  };
}

/**
 * The decide stage: compares head with base (when given) and makes the gate decision, once. The report
 * carries the decision's verdict and, with a base, the model changes, so the JSON rendering is complete.
 */
export function decideRun(gathered: Gathered, options: GateOptions, extra: readonly Finding[] = []): CheckRun {
  const { base } = gathered;
  const comparison = base ? compareReports(gathered.report, base.report, base.changes, base.sha) : undefined;
  const decision = decide(gathered.report, comparison, options, extra);
  const report: Report = { ...gathered.report, ...(base ? { changes: [...base.changes] } : {}) };
  return { report, ...(comparison ? { comparison } : {}), decision };
}

/** Exit code of the CLI for a run: 2 for input errors (they win), 1 when the gate failed, else 0. */
export function exitCodeOf(run: CheckRun): 0 | 1 | 2 {
  if (run.decision.errors.length > 0) return 2;
  return run.decision.failed ? 1 : 0;
}

/** The JSON rendering (the CLI's `--format json` and the action's `report` file): the report with the decision. */
export function renderJson(run: CheckRun, indent = 2): string {
  const doc: Report = { ...run.report, verdict: run.decision.verdict, ...(run.comparison ? { baseline: run.comparison } : {}), gate: run.decision };
  return `${JSON.stringify(doc, null, indent)}\n`;
}
