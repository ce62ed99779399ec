/**
 * The device stage of `runCheck`: loads profiles and config once, then for each analyzed model and each
 * device places the graph (compatibility engine), costs it (cost model) and checks its budgets.
 * Gathers nothing itself after loading and never logs: errors go into the report.
 */
import type { GraphAnalysis } from './graph/types.js';
import type { BudgetReport, DeviceReport, ModelReport, NodePlacementReport, ReportError } from './report/types.js';
import type { CheckOptions } from './check.js';
import { loadProfiles, type LoadedProfile } from './profiles/load.js';
import { placeModel } from './profiles/engine.js';
import type { DevicePlacement } from './profiles/placement.js';
import { estimateCost, type CostEstimate } from './cost/estimate.js';
import { evaluateBudgets } from './cost/budgets.js';
import { loadConfig } from './config/load.js';
import type { EdgegateConfig } from './config/schema.js';
import { dimsFor, resolveBudgets, type BudgetField } from './config/match.js';

export interface DeviceContext {
  /** Symbolic dims for a model path: config `dims` by glob, overridden by CLI/action dims. */
  dimsFor(modelPath: string): Record<string, number>;
  /** Extra top-level report fields (devices checked, config used). */
  reportExtras(): Record<string, unknown>;
  readonly profiles: readonly LoadedProfile[];
  readonly config: EdgegateConfig;
  readonly ruleMode: 'full' | 'op-names';
  /** CLI/action budget overrides (they win over the config). */
  readonly budgetOverrides: Partial<Record<BudgetField, number>>;
  readonly today: string;
}

export async function loadDeviceContext(options: CheckOptions, errors: ReportError[]): Promise<DeviceContext> {
  const loaded = loadConfig(options.configPath ?? '.edgegate.yml', { required: options.configExplicit === true });
  errors.push(...loaded.errors);
  const { profiles, errors: profileErrors } = loadProfiles(options.devices, { profilesDir: options.profilesDir });
  for (const e of profileErrors) {
    errors.push({ code: e.code, file: e.file, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}), message: e.message });
  }
  const pinned = { ...(options.dims ?? {}) };
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  return {
    profiles,
    config: loaded.config,
    ruleMode: options.ruleMode ?? 'full',
    budgetOverrides: options.budgetOverrides ?? {},
    today,
    dimsFor: (modelPath) => ({ ...dimsFor(loaded.config, modelPath), ...pinned }),
    reportExtras: () => ({
      devices: profiles.map((p) => ({ id: p.id, name: p.profile.name, file: p.shipped ? `device-profiles/${p.id}` : p.file })),
      config: loaded.found ? (options.configPath ?? '.edgegate.yml') : null,
    }),
  };
}

function nodeReports(placement: DevicePlacement, cost: CostEstimate | null): NodePlacementReport[] {
  const perNode = new Map((cost?.perNode ?? []).map((n) => [n.index, n]));
  return placement.nodes.map((n) => {
    const c = perNode.get(n.index);
    return {
      index: n.index,
      name: n.name,
      op: n.op,
      placement: n.placement,
      reason: n.reason,
      ...(n.detail ? { detail: n.detail } : {}),
      ...(n.hint ? { hint: n.hint } : {}),
      sourceNodes: n.sourceNodes,
      ...(n.ruleId ? { rule: n.ruleId } : {}),
      latencyMs: c ? c.latencyMs : null,
      unit: c?.unit ?? (n.placement === 'accelerated' ? 'accelerator' : 'cpu'),
    };
  });
}

/** One device: placement → cost → budgets. A failure in one device becomes that device's error verdict. */
function evaluateOne(analysis: GraphAnalysis, path: string, loaded: LoadedProfile, ctx: DeviceContext): DeviceReport {
  const profile = loaded.profile;
  let placement: DevicePlacement;
  try {
    placement = placeModel(analysis, profile, { ruleMode: ctx.ruleMode });
  } catch (err) {
    return errorDevice(loaded.id, `placement failed: ${(err as Error).message}`);
  }
  let cost: CostEstimate | null = null;
  let costError: string | undefined;
  try {
    cost = estimateCost(analysis, placement, profile);
  } catch (err) {
    costError = `cost estimate failed: ${(err as Error).message}`;
  }
  const limits = resolveBudgets({
    config: ctx.config,
    device: loaded.id,
    modelPath: path,
    overrides: ctx.budgetOverrides,
    profileDefaults: { ramBytes: profile.hardware.ramBytes.value, flashBytes: profile.hardware.storageBytes.value },
  });
  const unknown = cost?.unknownReason ?? costError ?? 'not estimated';
  const budgets: BudgetReport[] = evaluateBudgets({
    limits,
    values: {
      latencyMs: cost?.latencyMs?.estimate ?? null,
      ramBytes: cost?.peakRamBytes ?? null,
      flashBytes: cost?.flashBytes ?? null,
      acceleratedFraction: placement.macsAcceleratedFraction,
      unknownReason: { latencyMs: unknown, ramBytes: unknown, flashBytes: unknown, acceleratedFraction: 'MACs are not known' },
    },
    model: path,
    device: loaded.id,
    config: ctx.config,
    today: ctx.today,
  });
  return {
    device: loaded.id,
    verdict: placement.verdict,
    verdictReason: placement.verdictReason,
    placedGraph: placement.placedGraph,
    partitions: placement.partitions.length,
    nodesTotal: placement.nodesTotal,
    nodesAccelerated: placement.nodesAccelerated,
    nodesFallback: placement.nodes.filter((n) => n.placement === 'cpu-fallback').length,
    nodesUnsupported: placement.nodes.filter((n) => n.placement === 'unsupported').length,
    nodesUnknown: placement.nodes.filter((n) => n.placement === 'unknown').length,
    macsAcceleratedFraction: placement.macsAcceleratedFraction,
    quantization: { ...placement.quantization },
    nodes: nodeReports(placement, cost),
    latencyMs: cost?.latencyMs ?? null,
    peakRamBytes: cost?.peakRamBytes ?? null,
    flashBytes: cost?.flashBytes ?? null,
    ram: cost?.ram ?? null,
    flash: cost?.flash ?? null,
    transfers: cost?.transfers ?? [],
    whatIf: cost?.whatIf ?? [],
    assumptions: cost?.assumptions ?? [],
    budgets,
    ...(cost?.unknownReason || costError ? { unknownReason: cost?.unknownReason ?? costError } : {}),
  };
}

function errorDevice(device: string, message: string): DeviceReport {
  return {
    device,
    verdict: 'error',
    partitions: 0,
    nodesTotal: 0,
    nodesAccelerated: 0,
    macsAcceleratedFraction: null,
    quantization: {},
    nodes: [],
    error: message,
  };
}

/** Every loaded device for one model. */
export function evaluateDevices(analysis: GraphAnalysis, path: string, ctx: DeviceContext, _model: ModelReport): DeviceReport[] {
  return ctx.profiles.map((p) => evaluateOne(analysis, path, p, ctx));
}
