/**
 * Gate options from their sources, in one place for the action and the CLI: an explicit value (action
 * input or CLI flag) wins over the config's `regression` section, which wins over the defaults.
 */
import type { EdgegateConfig } from '../config/schema.js';
import { DEFAULT_GATE_OPTIONS, type FailOnCondition, type GateOptions, type RegressionWaiver } from './types.js';

/** Explicit settings (action inputs or CLI flags); absent = not given. */
export interface GateSettings {
  readonly failOn: ReadonlySet<FailOnCondition>;
  readonly maxLatencyRegression?: number;
  readonly maxRamRegression?: number;
  readonly maxFlashRegression?: number;
  readonly maxNewUnsupported?: number;
  /** The accept-regression label name, when given explicitly. */
  readonly acceptRegressionLabel?: string;
}

/** Default accept-regression label. */
export const DEFAULT_ACCEPT_LABEL = 'edgegate:accept-regression';

/**
 * Merges the settings with the config. `pr` is the pull request (number and labels) when there is one:
 * its accept-regression label turns blocking regressions into accepted ones.
 */
export function mergeGateOptions(settings: GateSettings, config: EdgegateConfig, pr?: { readonly number: number; readonly labels: readonly string[] }, today?: string): GateOptions {
  const r = config.regression ?? {};
  const label = settings.acceptRegressionLabel ?? r.acceptLabel ?? DEFAULT_ACCEPT_LABEL;
  return {
    failOn: settings.failOn,
    maxLatencyRegression: settings.maxLatencyRegression ?? r.maxLatencyRegression ?? DEFAULT_GATE_OPTIONS.maxLatencyRegression,
    maxRamRegression: settings.maxRamRegression ?? r.maxRamRegression ?? DEFAULT_GATE_OPTIONS.maxRamRegression,
    maxFlashRegression: settings.maxFlashRegression ?? r.maxFlashRegression ?? DEFAULT_GATE_OPTIONS.maxFlashRegression,
    maxNewUnsupported: settings.maxNewUnsupported ?? r.maxNewUnsupported ?? DEFAULT_GATE_OPTIONS.maxNewUnsupported,
    ...(pr && pr.labels.includes(label) ? { acceptLabel: { label, pr: pr.number } } : {}),
    waivers: (config.waivers ?? []) as readonly RegressionWaiver[],
    ...(today ? { today } : {}),
  };
}
