/**
 * Baseline vs head comparison. Pure: takes the head report, the report of the base versions, and the
 * list of model changes, and returns typed deltas per model × device, with the node diff of each.
 */
import type { DeviceReport, ModelReport, Report } from '../report/types.js';
import { diffNodes } from './node-diff.js';
import type { Comparison, DeviceComparison, MetricDelta, ModelChange, ModelComparison, NodeRef } from './types.js';

/** Builds a MetricDelta; ratio is `"Infinity"` when base is 0 and head grew. */
export function metricDelta(base: number | null | undefined, head: number | null | undefined): MetricDelta {
  const b = typeof base === 'number' && Number.isFinite(base) ? base : null;
  const h = typeof head === 'number' && Number.isFinite(head) ? head : null;
  if (b === null || h === null) return { base: b, head: h, delta: null, ratio: null };
  const delta = h - b;
  const ratio = b === 0 ? (delta === 0 ? 0 : delta > 0 ? 'Infinity' : null) : delta / b;
  return { base: b, head: h, delta, ratio };
}

/** A MetricDelta ratio as a number (`"Infinity"`, as JSON carries it, becomes Infinity). */
export function ratioValue(r: MetricDelta['ratio']): number | null {
  return r === 'Infinity' ? Infinity : r;
}

/**
 * Fraction of work on the accelerator: MAC-weighted when the engine knows MACs, else by node count.
 * Null when the device report has no nodes.
 */
export function acceleratedFraction(d: DeviceReport): number | null {
  if (typeof d.macsAcceleratedFraction === 'number' && Number.isFinite(d.macsAcceleratedFraction)) return d.macsAcceleratedFraction;
  return d.nodesTotal > 0 ? d.nodesAccelerated / d.nodesTotal : null;
}

/** Nodes that do not run on the accelerator. */
export function offloadedNodes(d: DeviceReport): NodeRef[] {
  return d.nodes
    .filter((n) => n.placement === 'unsupported' || n.placement === 'cpu-fallback')
    .map((n) => ({ index: n.index, name: n.name, op: n.op, placement: n.placement, reason: n.reason }));
}

/** Compares one device of one model; `base` undefined means there is no baseline. */
export function compareDevice(head: DeviceReport, base: DeviceReport | undefined, modelIsNew: boolean): DeviceComparison {
  if (!base) {
    const none = metricDelta(null, null);
    return {
      device: head.device,
      status: modelIsNew ? 'new' : 'new-device',
      latencyMs: metricDelta(null, head.latencyMs?.estimate),
      peakRamBytes: metricDelta(null, head.peakRamBytes),
      flashBytes: metricDelta(null, head.flashBytes),
      acceleratedFraction: { ...none, head: acceleratedFraction(head) },
      newUnsupported: [],
      removedUnsupported: [],
      nodeChanges: [],
    };
  }
  const diff = diffNodes(base.nodes, head.nodes);
  return {
    device: head.device,
    status: 'compared',
    latencyMs: metricDelta(base.latencyMs?.estimate, head.latencyMs?.estimate),
    peakRamBytes: metricDelta(base.peakRamBytes, head.peakRamBytes),
    flashBytes: metricDelta(base.flashBytes, head.flashBytes),
    acceleratedFraction: metricDelta(acceleratedFraction(base), acceleratedFraction(head)),
    newUnsupported: diff.newOff,
    removedUnsupported: diff.newOn,
    nodeChanges: diff.changes,
  };
}

/**
 * Compares every head model that has a change entry. Base models are looked up by the change's
 * `oldPath` (renames) or its path. A model the PR adds is `new` (judged on its own by the gate); a
 * model whose base report is missing or broken is `no-baseline` (its devices `new-device`, no deltas).
 * Deleted models are listed in `removed`.
 */
export function compareReports(head: Report, base: Report | undefined, changes: readonly ModelChange[], baseSha: string): Comparison {
  const baseByPath = new Map<string, ModelReport>();
  for (const m of base?.models ?? []) baseByPath.set(m.path, m);
  const changeByPath = new Map<string, ModelChange>();
  for (const c of changes) changeByPath.set(c.path, c);
  const models: ModelComparison[] = [];
  for (const hm of head.models) {
    const change = changeByPath.get(hm.path) ?? { path: hm.path, kind: 'unchanged' as const };
    const isNew = change.kind === 'added';
    const bm = isNew ? undefined : baseByPath.get(change.oldPath ?? change.path);
    const baseDevices = new Map<string, DeviceReport>();
    // A broken base model gives no baseline rather than a misleading one.
    const usable = !!bm && bm.errors.length === 0;
    if (usable) for (const d of bm.devices) if (d.verdict !== 'error') baseDevices.set(d.device, d);
    models.push({
      path: hm.path,
      change,
      status: isNew ? 'new' : usable ? 'compared' : 'no-baseline',
      devices: hm.devices.map((d) => compareDevice(d, baseDevices.get(d.device), isNew)),
    });
  }
  return { baseSha, models, removed: changes.filter((c) => c.kind === 'deleted') };
}
