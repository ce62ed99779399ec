/**
 * Budget verdicts for one model × device: each limit (resolved by precedence CLI > config > profile
 * defaults, see src/config/match.ts) against the cost model's value, with headroom and waivers.
 * Pure: no I/O, the date is a parameter.
 */
import type { BudgetReport } from '../report/types.js';
import type { EdgegateConfig } from '../config/schema.js';
import { activeWaiver, isoDay, matchWaivers, type BudgetField, type ResolvedBudgets } from '../config/match.js';

/** Per budget: report name, unit, direction and the finding code a waiver names. */
export const BUDGET_KINDS: Readonly<Record<BudgetField, { name: string; unit: string; kind: 'max' | 'min'; code: string }>> = {
  latencyMs: { name: 'latency', unit: 'ms', kind: 'max', code: 'BUDGET_LATENCY' },
  ramBytes: { name: 'ram', unit: 'bytes', kind: 'max', code: 'BUDGET_RAM' },
  flashBytes: { name: 'flash', unit: 'bytes', kind: 'max', code: 'BUDGET_FLASH' },
  acceleratedFraction: { name: 'acceleratedFraction', unit: 'fraction', kind: 'min', code: 'BUDGET_ACCELERATED_FRACTION' },
};

/** The measured/estimated values a budget is compared with; `null` = not known (verdict `unknown`). */
export interface BudgetValues {
  readonly latencyMs: number | null;
  readonly ramBytes: number | null;
  readonly flashBytes: number | null;
  readonly acceleratedFraction: number | null;
  /** Why a null value is unknown (shown in the report). */
  readonly unknownReason?: Partial<Record<BudgetField, string>>;
}

export interface EvaluateBudgetsInput {
  readonly limits: ResolvedBudgets;
  readonly values: BudgetValues;
  readonly model: string;
  readonly device: string;
  /** Waivers come from the config. */
  readonly config?: EdgegateConfig;
  /** Today's date, YYYY-MM-DD (default: now, UTC). */
  readonly today?: string;
}

/**
 * One `BudgetReport` per resolved limit, in the order latency, ram, flash, acceleratedFraction.
 * A `max` budget passes when value ≤ limit; a `min` budget when value ≥ limit. Headroom is limit − value
 * for `max` and value − limit for `min` (negative = over budget); `headroomPercent` is that ÷ limit × 100.
 * A failure covered by an active waiver (code `BUDGET_*` or `BUDGET`) becomes `waived`; expired matching
 * waivers are listed in `expiredWaivers` and do not waive.
 */
export function evaluateBudgets(input: EvaluateBudgetsInput): BudgetReport[] {
  const today = input.today ?? isoDay();
  const out: BudgetReport[] = [];
  for (const field of Object.keys(BUDGET_KINDS) as BudgetField[]) {
    const lim = input.limits[field];
    if (!lim) continue;
    const k = BUDGET_KINDS[field];
    const value = input.values[field];
    const base = { name: k.name, limit: lim.limit, unit: k.unit, source: lim.source, code: k.code, kind: k.kind };
    if (value === null || !Number.isFinite(value)) {
      out.push({
        ...base,
        value: null,
        verdict: 'unknown',
        headroom: null,
        headroomPercent: null,
        unknownReason: input.values.unknownReason?.[field] ?? `the ${k.name} estimate is not known`,
      });
      continue;
    }
    const headroom = k.kind === 'max' ? lim.limit - value : value - lim.limit;
    const headroomPercent = lim.limit > 0 ? (headroom / lim.limit) * 100 : null;
    const ok = headroom >= 0;
    let verdict: BudgetReport['verdict'] = ok ? 'pass' : 'fail';
    const matches = [
      ...matchWaivers(input.config?.waivers, { model: input.model, device: input.device, code: k.code }, today),
      ...matchWaivers(input.config?.waivers, { model: input.model, device: input.device, code: 'BUDGET' }, today),
    ];
    const { active, expired } = activeWaiver(matches);
    const extra: { waivedBy?: { reason: string; expires: string }; expiredWaivers?: { reason: string; expires: string }[] } = {};
    if (!ok && active) {
      verdict = 'waived';
      extra.waivedBy = { reason: active.waiver.reason, expires: active.waiver.expires };
    }
    if (!ok && expired.length > 0) extra.expiredWaivers = expired.map((m) => ({ reason: m.waiver.reason, expires: m.waiver.expires }));
    out.push({ ...base, value, verdict, headroom, headroomPercent, ...extra });
  }
  return out;
}
