/**
 * Typed data of the decide stage: a baseline comparison and a gate decision. Pure data, no I/O.
 */

export { FAIL_ON_CONDITIONS, REGRESSION_METRICS } from '../report/contract.js';
export type {
  Acceptance,
  Comparison,
  DeviceComparison,
  FailOnCondition,
  Finding,
  GateDecision,
  MetricDelta,
  ModelChange,
  ModelChangeKind,
  ModelComparison,
  NodeChange,
  NodeRef,
  RegressionMetric,
  Verdict,
} from '../report/contract.js';
import type { FailOnCondition } from '../report/contract.js';

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

