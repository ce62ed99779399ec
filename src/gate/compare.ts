/**
 * Baseline vs head comparison. Pure: takes the head report, the report of the base versions, and the
 * list of model changes, and returns typed deltas per model × device.
 */
import type { DeviceReport, ModelReport, Report } from '../report/types.js';
import type { Comparison, DeviceComparison, MetricDelta, ModelChange, ModelComparison, NodeRef } from './types.js';

/** Builds a MetricDelta; ratio is Infinity when base is 0 and head grew. */
export function metricDelta(base: number | null | undefined, head: number | null | undefined): MetricDelta {
  const b = typeof base === 'number' && Number.isFinite(base) ? base : null;
  const h = typeof head === 'number' && Number.isFinite(head) ? head : null;
  if (b === null || h === null) return { base: b, head: h, delta: null, ratio: null };
  const delta = h - b;
  const ratio = b === 0 ? (delta === 0 ? 0 : delta > 0 ? Infinity : -Infinity) : delta / b;
  return { base: b, head: h, delta, ratio };
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

// Node names are optional and not unique, so nodes are matched as a multiset on (op, name, placement):
// a node is "new" when head has more of that key than base.
function keyOf(n: NodeRef): string {
  return `${n.op}\u0000${n.name}\u0000${n.placement}`;
}

function multisetMinus(a: readonly NodeRef[], b: readonly NodeRef[]): NodeRef[] {
  const counts = new Map<string, number>();
  for (const n of b) counts.set(keyOf(n), (counts.get(keyOf(n)) ?? 0) + 1);
  const out: NodeRef[] = [];
  for (const n of a) {
    const c = counts.get(keyOf(n)) ?? 0;
    if (c > 0) counts.set(keyOf(n), c - 1);
    else out.push(n);
  }
  return out;
}

/** Compares one device of one model; `base` undefined means there is no baseline. */
export function compareDevice(head: DeviceReport, base: DeviceReport | undefined, modelIsNew: boolean): DeviceComparison {
  const headOff = offloadedNodes(head);
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
    };
  }
  const baseOff = offloadedNodes(base);
  return {
    device: head.device,
    status: 'compared',
    latencyMs: metricDelta(base.latencyMs?.estimate, head.latencyMs?.estimate),
    peakRamBytes: metricDelta(base.peakRamBytes, head.peakRamBytes),
    flashBytes: metricDelta(base.flashBytes, head.flashBytes),
    acceleratedFraction: metricDelta(acceleratedFraction(base), acceleratedFraction(head)),
    newUnsupported: multisetMinus(headOff, baseOff),
    removedUnsupported: multisetMinus(baseOff, headOff),
  };
}

/**
 * Compares every head model that has a change entry. Base models are looked up by the change's
 * `oldPath` (renames) or its path. A model whose base report is missing or broken is treated as new
 * only when the change says `added`; otherwise its devices are `new-device` (no baseline, no deltas).
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
    if (bm && bm.errors.length === 0) for (const d of bm.devices) if (d.verdict !== 'error') baseDevices.set(d.device, d);
    models.push({
      path: hm.path,
      change,
      devices: hm.devices.map((d) => compareDevice(d, baseDevices.get(d.device), isNew)),
    });
  }
  return { baseSha, models };
}
