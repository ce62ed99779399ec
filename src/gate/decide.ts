/**
 * The gate decision: from a report, an optional baseline comparison and the gate options to a verdict
 * and the list of reasons. Pure; never logs or posts.
 */
import picomatch from 'picomatch';
import { describeBudget, humanBytes, humanChange, humanMs } from '../report/humane.js';
import { ratioValue } from './compare.js';
import type { DeviceReport, Report } from '../report/types.js';
import { FAIL_ON_CONDITIONS } from './types.js';
import type {
  Comparison,
  DeviceComparison,
  Finding,
  GateDecision,
  FailOnCondition,
  GateOptions,
  MetricDelta,
  RegressionMetric,
  RegressionWaiver,
} from './types.js';

/** One relative-growth regression rule: which delta, which threshold, how to print it. */
interface RegressionRule {
  readonly metric: Exclude<RegressionMetric, 'unsupported'>;
  readonly code: string;
  readonly label: string;
  readonly pick: (c: DeviceComparison) => MetricDelta;
  readonly threshold: (o: GateOptions) => number;
  readonly format: (v: number) => string;
}

/** The relative regression rules, as data. */
export const REGRESSION_RULES: readonly RegressionRule[] = [
  { metric: 'latency', code: 'LATENCY_REGRESSION', label: 'estimated latency', pick: (c) => c.latencyMs, threshold: (o) => o.maxLatencyRegression, format: humanMs },
  { metric: 'ram', code: 'RAM_REGRESSION', label: 'peak RAM', pick: (c) => c.peakRamBytes, threshold: (o) => o.maxRamRegression, format: humanBytes },
  { metric: 'flash', code: 'FLASH_REGRESSION', label: 'flash', pick: (c) => c.flashBytes, threshold: (o) => o.maxFlashRegression, format: humanBytes },
];

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The first waiver that covers the finding, or undefined; also whether it expired. */
export function findWaiver(
  waivers: readonly RegressionWaiver[],
  f: Pick<Finding, 'model' | 'device' | 'metric' | 'code'>,
  today: string,
): { waiver: RegressionWaiver; expired: boolean } | undefined {
  for (const w of waivers) {
    if (w.code === undefined && w.metric === undefined) continue;
    if (w.model !== undefined && (f.model === undefined || !picomatch(w.model as string | string[], { dot: true })(f.model))) continue;
    if (w.device !== undefined && (f.device === undefined || !picomatch(w.device, { dot: true })(f.device))) continue;
    if (w.code !== undefined && w.code !== f.code) continue;
    if (w.metric !== undefined && w.metric !== f.metric) continue;
    return { waiver: w, expired: w.expires !== undefined && w.expires < today };
  }
  return undefined;
}

/** Regression findings for one compared model × device, before acceptance. */
export function regressionFindings(model: string, c: DeviceComparison, o: GateOptions): Finding[] {
  if (c.status !== 'compared') return [];
  const out: Finding[] = [];
  for (const rule of REGRESSION_RULES) {
    const d = rule.pick(c);
    const ratio = ratioValue(d.ratio);
    if (ratio === null || d.base === null || d.head === null) continue;
    const limit = rule.threshold(o);
    if (ratio > limit) {
      out.push({
        condition: 'regression',
        code: rule.code,
        model,
        device: c.device,
        metric: rule.metric,
        message: `${rule.label} ${rule.format(d.base)} → ${rule.format(d.head)} (${humanChange(ratio)}, limit +${(limit * 100).toFixed(limit * 100 < 10 ? 1 : 0)}%)`,
      });
    }
  }
  if (c.newUnsupported.length > o.maxNewUnsupported) {
    const ops = [...new Set(c.newUnsupported.map((n) => n.op))].join(', ');
    out.push({
      condition: 'regression',
      code: 'NEW_UNSUPPORTED',
      model,
      device: c.device,
      metric: 'unsupported',
      message: `${c.newUnsupported.length} node(s) newly off the accelerator (${ops}), limit ${o.maxNewUnsupported}`,
    });
  }
  return out;
}

/**
 * Findings that do not need a baseline: errors, unsupported nodes, failed device verdicts and budgets.
 * Those of models in `newModels` (added by the PR) are marked `newModel`: they also block under
 * `regression`, because a new model has nothing to regress from and its own verdict stands.
 */
export function reportFindings(report: Report, newModels: ReadonlySet<string> = new Set()): Finding[] {
  const out: Finding[] = [];
  for (const e of report.errors) {
    out.push({ condition: 'error', code: e.code, model: e.file, message: `${e.file}: ${e.message}` });
  }
  for (const m of report.models) {
    for (const e of m.errors) out.push({ condition: 'error', code: e.code, model: m.path, message: `${m.path}: ${e.message}` });
    for (const d of m.devices) {
      if (d.verdict === 'error') {
        out.push({ condition: 'error', code: 'DEVICE_ERROR', model: m.path, device: d.device, message: `${m.path} on ${d.device}: the check could not complete` });
        continue;
      }
      out.push(...deviceFindings(m.path, d, newModels.has(m.path)));
    }
  }
  return out;
}

function deviceFindings(model: string, d: DeviceReport, isNew: boolean): Finding[] {
  const out: Finding[] = [];
  const newModel = isNew ? { newModel: true as const } : {};
  // The profile's own verdict (partition count, accelerated node/MAC share thresholds) failed.
  if (d.verdict === 'fail') {
    const why = d.verdictReason ? `: ${d.verdictReason}` : '';
    out.push({ condition: 'unsupported', code: 'DEVICE_VERDICT', model, device: d.device, message: `verdict fail on ${d.device}${why}`, ...newModel });
  }
  const unsupported = d.nodes.filter((n) => n.placement === 'unsupported');
  if (unsupported.length > 0) {
    const ops = [...new Set(unsupported.map((n) => n.op))].join(', ');
    out.push({ condition: 'unsupported', code: 'UNSUPPORTED', model, device: d.device, message: `${unsupported.length} unsupported node(s): ${ops}` });
  }
  for (const b of d.budgets ?? []) {
    if (b.verdict === 'fail') {
      out.push({ condition: 'budget', code: 'BUDGET', model, device: d.device, message: `budget: ${describeBudget(b)}`, ...newModel });
    }
  }
  return out;
}

/**
 * The `fail-on` condition a finding blocks under, or undefined when it is only a notice: its own
 * condition when listed, else `regression` for a new model's device verdict or budget.
 */
export function blockingCondition(f: Finding, failOn: ReadonlySet<FailOnCondition>): FailOnCondition | undefined {
  if (failOn.has(f.condition)) return f.condition;
  if (f.newModel && failOn.has('regression') && (f.code === 'DEVICE_VERDICT' || f.code === 'BUDGET')) return 'regression';
  return undefined;
}

/**
 * Decides the gate. `extra` carries findings from other stages (the report job adds `parity` ones).
 * Verdict: `error` when any error finding exists; else `fail` when anything blocks; else `not-run`
 * when no model × device was checked; else `pass`. Models the comparison marks `new` are judged on
 * their own (see `reportFindings`).
 */
export function decide(report: Report, comparison: Comparison | undefined, o: GateOptions, extra: readonly Finding[] = []): GateDecision {
  const today = o.today ?? todayIso();
  const newModels = new Set((comparison?.models ?? []).filter((m) => m.status === 'new').map((m) => m.path));
  const findings: Finding[] = [...reportFindings(report, newModels)];
  for (const m of comparison?.models ?? []) for (const d of m.devices) findings.push(...regressionFindings(m.path, d, o));
  findings.push(...extra);

  const errors: Finding[] = [];
  const blocking: Finding[] = [];
  const accepted: Finding[] = [];
  const notices: Finding[] = [];
  const remarks = new Set<string>();
  for (const f of findings) {
    if (f.condition === 'error') {
      errors.push(f);
      continue;
    }
    const under = blockingCondition(f, o.failOn);
    if (!under) {
      notices.push(f);
      continue;
    }
    const g: Finding = { ...f, blockedUnder: under };
    if (under === 'regression') {
      const w = findWaiver(o.waivers ?? [], g, today);
      if (w && !w.expired) {
        accepted.push({ ...g, accepted: { by: 'waiver', reason: w.waiver.reason } });
        continue;
      }
      if (w?.expired) remarks.add(`Waiver for ${[w.waiver.model ?? 'all models'].flat().join(', ')} expired on ${w.waiver.expires}: ${w.waiver.reason}`);
      if (o.acceptLabel) {
        accepted.push({ ...g, accepted: { by: 'label', reason: `label ${o.acceptLabel.label} on PR #${o.acceptLabel.pr}` } });
        continue;
      }
    }
    blocking.push(g);
  }
  const checked = report.models.some((m) => m.devices.length > 0);
  const verdict = errors.length > 0 ? 'error' : blocking.length > 0 ? 'fail' : checked ? 'pass' : 'not-run';
  const failed = blocking.length > 0 || (errors.length > 0 && o.failOn.has('error'));
  const failOn = FAIL_ON_CONDITIONS.filter((c) => o.failOn.has(c));
  return { verdict, failed, failOn, blocking, errors, accepted, notices, remarks: [...remarks] };
}

/**
 * The message for core.setFailed (and the CLI): gate failures and errors in separate sections,
 * one line per reason.
 */
export function failureMessage(d: GateDecision): string {
  const parts: string[] = [];
  if (d.blocking.length > 0) {
    parts.push(`EdgeGate blocked the merge (${d.blocking.length} reason${d.blocking.length === 1 ? '' : 's'}):`);
    for (const f of d.blocking) parts.push(`  - [${f.condition}] ${f.model ?? ''}${f.device ? ` on ${f.device}` : ''}: ${f.message}`);
  }
  if (d.errors.length > 0) {
    parts.push(`EdgeGate could not check everything (${d.errors.length} error${d.errors.length === 1 ? '' : 's'}; verdict: error, not a gate failure):`);
    for (const f of d.errors) parts.push(`  - [${f.code}] ${f.message}`);
  }
  return parts.join('\n');
}
