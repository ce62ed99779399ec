/**
 * Typed data of the decide stage: a baseline comparison and a gate decision. Pure data, no I/O.
 */

/** Conditions that can block a merge (the `fail-on` input). */
export const FAIL_ON_CONDITIONS = ['unsupported', 'budget', 'regression', 'parity', 'error'] as const;
export type FailOnCondition = (typeof FAIL_ON_CONDITIONS)[number];

/** How a model file changed between the base and the head of a PR. */
export type ModelChangeKind = 'added' | 'modified' | 'renamed' | 'deleted' | 'unchanged';

/** One model selected for checking, or reported as deleted. Paths are repo-relative with `/`. */
export interface ModelChange {
  readonly path: string;
  readonly kind: ModelChangeKind;
  /** Path at the base commit, for renamed models. */
  readonly oldPath?: string;
}

/** A metric at base and at head. `ratio` is (head − base) / base; null when either side is unknown. */
export interface MetricDelta {
  readonly base: number | null;
  readonly head: number | null;
  readonly delta: number | null;
  readonly ratio: number | null;
}

/** A node that does not run on the accelerator (unsupported or CPU fallback). */
export interface NodeRef {
  /** Position in the placed graph (names are optional and not unique). */
  readonly index?: number;
  readonly name: string;
  readonly op: string;
  readonly placement: string;
  readonly reason: string;
}

/** Head vs base for one model × device. */
export interface DeviceComparison {
  readonly device: string;
  /** `new`: no baseline for this model; `new-device`: the model had a baseline but not this device. */
  readonly status: 'compared' | 'new' | 'new-device';
  readonly latencyMs: MetricDelta;
  readonly peakRamBytes: MetricDelta;
  readonly flashBytes: MetricDelta;
  /** Accelerated fraction (0..1); `delta` is in fraction points. */
  readonly acceleratedFraction: MetricDelta;
  readonly newUnsupported: readonly NodeRef[];
  readonly removedUnsupported: readonly NodeRef[];
}

export interface ModelComparison {
  readonly path: string;
  readonly change: ModelChange;
  readonly devices: readonly DeviceComparison[];
}

/** The baseline comparison of a PR. */
export interface Comparison {
  readonly baseSha: string;
  readonly models: readonly ModelComparison[];
}

/**
 * A waiver from the config (`waivers:`, src/config/schema.ts `Waiver`), as the gate reads it. It covers
 * a regression finding when model, device, `code` and `metric` all match (absent = any) and it names at
 * least a `code` or a `metric`; node-level waivers (`index`/`name` only) are the placement engine's.
 */
export interface RegressionWaiver {
  /** Glob(s) of the model path; absent = every model. */
  readonly model?: string | readonly string[];
  /** Device id or glob; absent = every device. */
  readonly device?: string;
  /** Finding code, e.g. `LATENCY_REGRESSION`. */
  readonly code?: string;
  /** `latency`, `ram`, `flash`, `unsupported`, ... */
  readonly metric?: string;
  readonly reason: string;
  /** Last day the waiver applies (inclusive), YYYY-MM-DD; after it the waiver is reported, not applied. */
  readonly expires?: string;
}

export const REGRESSION_METRICS = ['latency', 'ram', 'flash', 'unsupported'] as const;
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

/** Everything the gate decision depends on besides the report. */
export interface GateOptions {
  /** Conditions that block; empty = never. */
  readonly failOn: ReadonlySet<FailOnCondition>;
  /** Allowed relative growth (0.1 = 10%). */
  readonly maxLatencyRegression: number;
  readonly maxRamRegression: number;
  readonly maxFlashRegression: number;
  /** Allowed newly non-accelerated nodes per model × device. */
  readonly maxNewUnsupported: number;
  /** Set when the PR carries the accept-regression label. */
  readonly acceptLabel?: { readonly label: string; readonly pr: number };
  readonly waivers?: readonly RegressionWaiver[];
  /** For waiver expiry; defaults to the current date. */
  readonly today?: string;
}

/** Defaults of the action inputs. */
export const DEFAULT_GATE_OPTIONS: GateOptions = {
  failOn: new Set<FailOnCondition>(['regression', 'parity', 'error']),
  maxLatencyRegression: 0.1,
  maxRamRegression: 0.05,
  maxFlashRegression: 0.05,
  maxNewUnsupported: 0,
};

/** Why a finding does not block although its condition is in fail-on. */
export interface Acceptance {
  readonly by: 'label' | 'waiver';
  readonly reason: string;
}

/** One thing the gate found. */
export interface Finding {
  readonly condition: FailOnCondition;
  /** Stable code, e.g. `LATENCY_REGRESSION`, `BUDGET`, `UNSUPPORTED`, `MODEL_ERROR`. */
  readonly code: string;
  readonly model?: string;
  readonly device?: string;
  readonly metric?: RegressionMetric;
  /** Plain text (not escaped); the renderer escapes it. */
  readonly message: string;
  readonly accepted?: Acceptance;
}

export type Verdict = 'pass' | 'fail' | 'error' | 'not-run';

/** The gate decision. `blocking` and `errors` are kept apart so messages and outputs can say which. */
export interface GateDecision {
  readonly verdict: Verdict;
  /** True when the step must fail: blocking findings, or errors with `error` in fail-on. */
  readonly failed: boolean;
  /** Gate failures: findings whose condition is in fail-on and that nobody accepted. */
  readonly blocking: readonly Finding[];
  /** Config errors and broken models (condition `error`). */
  readonly errors: readonly Finding[];
  /** Findings accepted by label or waiver. */
  readonly accepted: readonly Finding[];
  /** Findings whose condition is not in fail-on. */
  readonly notices: readonly Finding[];
  /** Expired waivers and similar remarks. */
  readonly remarks: readonly string[];
}
