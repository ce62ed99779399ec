/**
 * The device stage of `runCheck`: loads profiles and config once, then for each analyzed model and each
 * device places the graph (compatibility engine), costs it (cost model) and checks its budgets.
 * Gathers nothing itself after loading and never logs: errors go into the report.
 */
import type { GraphAnalysis } from './graph/types.js';
import type { DeviceReport, ModelReport, NodePlacementReport, QuantizationReport, ReportError } from './report/types.js';
import type { CheckOptions } from './check.js';
import { loadProfiles, type LoadedProfile } from './profiles/load.js';
import { placeModel } from './profiles/engine.js';
import type { DevicePlacement } from './profiles/placement.js';
import { costDevice, type DeviceCost } from './cost/index.js';
import { loadConfig } from './config/load.js';
import type { EdgegateConfig } from './config/schema.js';
import { dimsFor, type BudgetField } from './config/match.js';
import { makeInterner } from './util/intern.js';

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
  // Devices named on the command line (or as the action input) win over the config's default list.
  const deviceIds = options.devices.length > 0 ? options.devices : (loaded.config.devices ?? []);
  const { profiles, errors: profileErrors } = loadProfiles(deviceIds, { profilesDir: options.profilesDir });
  for (const e of profileErrors) errors.push(e.toReportError());
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

/**
 * The report's entry for every placed node. A report holds these for every device until it is written,
 * so they are lean: equal detail and hint texts are one string, and `sourceNodes` is the placement's own
 * (read-only) list.
 */
function nodeReports(placement: DevicePlacement, cost: DeviceCost | null): NodePlacementReport[] {
  const once = makeInterner();
  // The estimate lists nodes in placement order.
  const table = cost?.cost.nodeCosts;
  return placement.nodes.map((n, position) => {
    const costed = table !== undefined && position < table.latencyMs.length;
    // One literal in the contract's order (optional fields spread in place): every field stays inside the object.
    return {
      index: n.index,
      name: n.name,
      op: n.op,
      placement: n.placement,
      reason: n.reason,
      ...(n.detail ? { detail: once(n.detail) } : {}),
      ...(n.hint ? { hint: once(n.hint) } : {}),
      sourceNodes: n.sourceNodes as number[],
      ...(n.ruleId ? { rule: n.ruleId } : {}),
      latencyMs: costed && cost!.cost.latencyMs !== null ? table.latencyMs[position]! : null,
      unit: costed ? table.unit[position]! : n.placement === 'accelerated' ? 'accelerator' : 'cpu',
    };
  });
}

function quantizationReport(q: DevicePlacement['quantization']): QuantizationReport {
  return {
    scheme: q.scheme,
    activationDtypes: [...q.activationDtypes],
    weightDtypes: [...q.weightDtypes],
    weightGranularity: [...q.weightGranularity],
    symmetricWeights: q.symmetricWeights,
    quantizedNodeShare: q.quantizedNodeShare,
    accepted: q.accepted,
    message: q.message,
    ...(q.fix ? { fix: q.fix } : {}),
  };
}

/** What the device stage got for one model on one device: a placement (and maybe a cost), or an error. */
export type DeviceOutcome =
  | { readonly kind: 'placed'; readonly placement: DevicePlacement; readonly cost: DeviceCost | null; readonly costError?: string }
  | { readonly kind: 'error'; readonly message: string };

/** The one constructor of a DeviceReport (the contract's shape for both outcomes). */
export function deviceReport(device: string, outcome: DeviceOutcome): DeviceReport {
  if (outcome.kind === 'error') {
    return {
      device,
      verdict: 'error',
      verdictReason: outcome.message,
      partitions: 0,
      nodesTotal: 0,
      nodesAccelerated: 0,
      macsAcceleratedFraction: null,
      quantization: {},
      nodes: [],
      error: outcome.message,
    };
  }
  const { placement, cost, costError } = outcome;
  const count = (p: NodePlacementReport['placement']): number => placement.nodes.filter((n) => n.placement === p).length;
  const f = cost?.reportFields;
  const unknownReason = deviceUnknownReason(placement, cost, costError);
  return {
    device,
    verdict: placement.verdict,
    verdictReason: placement.verdictReason,
    placedGraph: placement.placedGraph,
    countBasis: placement.countBasis,
    partitions: placement.partitions.length,
    nodesTotal: placement.nodesTotal,
    nodesAccelerated: placement.nodesAccelerated,
    nodesFallback: count('cpu-fallback'),
    nodesUnsupported: count('unsupported'),
    nodesUnknown: count('unknown'),
    macsAcceleratedFraction: placement.macsAcceleratedFraction,
    quantization: quantizationReport(placement.quantization),
    nodes: nodeReports(placement, cost),
    latencyMs: f?.latencyMs ?? null,
    peakRamBytes: f?.peakRamBytes ?? null,
    flashBytes: f?.flashBytes ?? null,
    budgets: f?.budgets ? [...f.budgets] : [],
    ...(f ? { whatIf: [...f.whatIf], assumptions: f.assumptions.map((a) => ({ ...a })) } : {}),
    ...(f?.costUnknownReason ? { costUnknownReason: f.costUnknownReason } : {}),
    ...(cost ? { ram: cost.cost.ram, flash: cost.cost.flash, transfers: [...cost.cost.transfers] } : {}),
    ...(unknownReason ? { unknownReason } : {}),
  };
}

/** One device: placement → cost → budgets. A failure in one device becomes that device's error verdict. */
function evaluateOne(analysis: GraphAnalysis, path: string, loaded: LoadedProfile, ctx: DeviceContext): DeviceReport {
  const profile = loaded.profile;
  let placement: DevicePlacement;
  try {
    placement = placeModel(analysis, profile, { ruleMode: ctx.ruleMode });
  } catch (err) {
    return deviceReport(loaded.id, { kind: 'error', message: `placement failed: ${(err as Error).message}` });
  }
  try {
    const cost = costDevice({ analysis, placement, profile, modelPath: path, config: ctx.config, overrides: ctx.budgetOverrides, today: ctx.today });
    return deviceReport(loaded.id, { kind: 'placed', placement, cost });
  } catch (err) {
    return deviceReport(loaded.id, { kind: 'placed', placement, cost: null, costError: `cost estimate failed: ${(err as Error).message}` });
  }
}

/** The one reason beside the device's null values (the contract's `unknownReason`). */
function deviceUnknownReason(placement: DevicePlacement, cost: DeviceCost | null, costError: string | undefined): string | undefined {
  return costError ?? cost?.reportFields.costUnknownReason ?? (placement.macsAcceleratedFraction === null ? 'MACs are unknown: some shapes depend on unpinned symbolic dims (--dim NAME=VALUE)' : undefined);
}

/** Every loaded device for one model. */
export function evaluateDevices(analysis: GraphAnalysis, path: string, ctx: DeviceContext, _model: ModelReport): DeviceReport[] {
  return ctx.profiles.map((p) => evaluateOne(analysis, path, p, ctx));
}
