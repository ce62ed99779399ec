/**
 * Which parts of the config apply to a model × device: glob matching (picomatch, `dot: true`, against
 * repo-relative paths with `/`), merging of matching entries (later entries win, field by field), and
 * waiver lookup with expiry. Pure.
 */
import picomatch from 'picomatch';
import type { BudgetEntry, EdgegateConfig, Waiver } from './schema.js';

const matcherCache = new Map<string, (s: string) => boolean>();

/** True when `value` matches the glob (or any glob of a list). An absent glob matches everything. */
export function matchesGlob(glob: string | readonly string[] | undefined, value: string): boolean {
  if (glob === undefined) return true;
  const list = typeof glob === 'string' ? [glob] : glob;
  const v = value.split('\\').join('/');
  return list.some((g) => {
    let m = matcherCache.get(g);
    if (!m) {
      m = picomatch(g, { dot: true });
      matcherCache.set(g, m);
    }
    // A bare file-name glob (`*.onnx`) also matches in any folder, as users expect from .gitignore-style globs.
    return m(v) || (!g.includes('/') && m(v.slice(v.lastIndexOf('/') + 1)));
  });
}

/** Symbolic dims for a model from the config's `dims` (every matching glob, in file order; later wins). */
export function dimsFor(config: EdgegateConfig, modelPath: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [glob, values] of Object.entries(config.dims ?? {})) {
    if (matchesGlob(glob, modelPath)) Object.assign(out, values);
  }
  return out;
}

export const BUDGET_FIELDS = ['latencyMs', 'ramBytes', 'flashBytes', 'acceleratedFraction'] as const;
export type BudgetField = (typeof BUDGET_FIELDS)[number];

/** A budget limit and where it came from. */
export interface ResolvedLimit {
  readonly limit: number;
  /** `cli` (flag or action input), `config` (with the entry index), or `profile` (device default). */
  readonly source: string;
}

export type ResolvedBudgets = Partial<Record<BudgetField, ResolvedLimit>>;

/** Config budget limits for one model × device: every matching entry in order, later entries win per field. */
export function configBudgetsFor(config: EdgegateConfig, device: string, modelPath: string): ResolvedBudgets {
  const out: ResolvedBudgets = {};
  (config.budgets ?? []).forEach((b: BudgetEntry, i) => {
    if (b.device !== undefined && !matchesGlob(b.device, device)) return;
    if (!matchesGlob(b.model, modelPath)) return;
    for (const f of BUDGET_FIELDS) {
      const v = b[f];
      if (v !== undefined) out[f] = { limit: v, source: `config budgets[${i}]` };
    }
  });
  return out;
}

export interface BudgetResolutionInput {
  readonly config: EdgegateConfig;
  readonly device: string;
  readonly modelPath: string;
  /** CLI flags / action inputs: they win over everything. */
  readonly overrides?: Partial<Record<BudgetField, number>>;
  /** The profile's RAM and storage, used when neither overrides nor config set a RAM/flash budget. */
  readonly profileDefaults?: { readonly ramBytes?: number; readonly flashBytes?: number };
}

/** Precedence: CLI flag / action input > config > profile defaults (the device's RAM and flash). */
export function resolveBudgets(input: BudgetResolutionInput): ResolvedBudgets {
  const out: ResolvedBudgets = {};
  if (input.profileDefaults?.ramBytes !== undefined) out.ramBytes = { limit: input.profileDefaults.ramBytes, source: `profile ${input.device} hardware.ramBytes` };
  if (input.profileDefaults?.flashBytes !== undefined) out.flashBytes = { limit: input.profileDefaults.flashBytes, source: `profile ${input.device} hardware.storageBytes` };
  Object.assign(out, configBudgetsFor(input.config, input.device, input.modelPath));
  for (const f of BUDGET_FIELDS) {
    const v = input.overrides?.[f];
    if (v !== undefined) out[f] = { limit: v, source: 'cli' };
  }
  return out;
}

/** What a waiver is checked against. Absent fields only match waivers that leave them open. */
export interface WaiverSubject {
  readonly model: string;
  readonly device: string;
  readonly index?: number;
  readonly name?: string;
  readonly code?: string;
  readonly metric?: string;
}

export interface WaiverMatch {
  readonly waiver: Waiver;
  /** Position in `waivers:` (for messages). */
  readonly position: number;
  /** True once `today` is after `expires`: the waiver is reported and no longer waives. */
  readonly expired: boolean;
}

/** Today's date as YYYY-MM-DD (UTC). */
export function isoDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Waivers covering a subject. A waiver's given fields must all match (index, name, code and metric are
 * compared exactly; model and device as globs). `expires` is inclusive: a waiver expiring today still waives.
 */
export function matchWaivers(waivers: readonly Waiver[] | undefined, subject: WaiverSubject, today: string = isoDay()): WaiverMatch[] {
  const out: WaiverMatch[] = [];
  (waivers ?? []).forEach((w, position) => {
    if (!matchesGlob(w.model, subject.model)) return;
    if (w.device !== undefined && !matchesGlob(w.device, subject.device)) return;
    if (w.index !== undefined && w.index !== subject.index) return;
    if (w.name !== undefined && w.name !== subject.name) return;
    if (w.code !== undefined && w.code !== subject.code) return;
    if (w.metric !== undefined && w.metric !== subject.metric) return;
    out.push({ waiver: w, position, expired: w.expires < today });
  });
  return out;
}

/** The first active (unexpired) waiver among matches, plus the expired ones to report. */
export function activeWaiver(matches: readonly WaiverMatch[]): { active?: WaiverMatch; expired: WaiverMatch[] } {
  const active = matches.find((m) => !m.expired);
  return { ...(active ? { active } : {}), expired: matches.filter((m) => m.expired) };
}
