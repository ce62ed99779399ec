/**
 * The cost stage of `check` in one call, for the device stage (src/devices.ts): estimate, budgets with
 * precedence and waivers, and the cost fields of the report. Pure.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { DevicePlacement } from '../profiles/placement.js';
import type { DeviceProfile } from '../profiles/schema.js';
import type { BudgetReport, DeviceReport } from '../report/types.js';
import type { EdgegateConfig } from '../config/schema.js';
import { resolveBudgets, type BudgetField } from '../config/match.js';
import { evaluateBudgets } from './budgets.js';
import { estimateCost, type CostAssumption, type CostEstimate, type CostOptions, type WhatIf } from './estimate.js';

export { estimateCost, evaluateBudgets };
export type { CostEstimate, WhatIf };

export interface DeviceCostInput {
  readonly analysis: GraphAnalysis;
  readonly placement: DevicePlacement;
  readonly profile: DeviceProfile;
  /** Repo-relative model path (for config globs and waivers). */
  readonly modelPath: string;
  readonly config?: EdgegateConfig;
  /** CLI flags / action inputs (win over the config). */
  readonly overrides?: Partial<Record<BudgetField, number>>;
  /** YYYY-MM-DD for waiver expiry (default today, UTC). */
  readonly today?: string;
  readonly options?: CostOptions;
}

/** The `DeviceReport` fields the cost model owns, plus the full estimate. */
export interface DeviceCost {
  readonly cost: CostEstimate;
  readonly budgets: BudgetReport[];
  /** Spread into the DeviceReport: latencyMs, peakRamBytes, flashBytes, budgets, whatIf, assumptions. */
  readonly reportFields: Pick<DeviceReport, 'latencyMs' | 'peakRamBytes' | 'flashBytes' | 'budgets'> & {
    readonly whatIf: WhatIf[];
    readonly assumptions: CostAssumption[];
    readonly costUnknownReason?: string;
  };
}

/** Estimates one placed model on one device and evaluates its budgets. */
export function costDevice(input: DeviceCostInput): DeviceCost {
  const cost = estimateCost(input.analysis, input.placement, input.profile, input.options);
  const limits = resolveBudgets({
    config: input.config ?? {},
    device: input.profile.id,
    modelPath: input.modelPath,
    ...(input.overrides ? { overrides: input.overrides } : {}),
    profileDefaults: { ramBytes: input.profile.hardware.ramBytes.value, flashBytes: input.profile.hardware.storageBytes.value },
  });
  const reason = cost.unknownReason;
  const budgets = evaluateBudgets({
    limits,
    values: {
      latencyMs: cost.latencyMs?.estimate ?? null,
      ramBytes: cost.peakRamBytes,
      flashBytes: cost.flashBytes,
      acceleratedFraction: input.placement.macsAcceleratedFraction,
      ...(reason ? { unknownReason: { latencyMs: reason, ramBytes: reason } } : {}),
    },
    model: input.modelPath,
    device: input.profile.id,
    ...(input.config ? { config: input.config } : {}),
    ...(input.today ? { today: input.today } : {}),
  });
  return {
    cost,
    budgets,
    reportFields: {
      latencyMs: cost.latencyMs,
      peakRamBytes: cost.peakRamBytes,
      flashBytes: cost.flashBytes,
      budgets,
      whatIf: cost.whatIf,
      assumptions: cost.assumptionList,
      ...(reason ? { costUnknownReason: reason } : {}),
    },
  };
}
