// Hand-made reports for the renderer and gate tests (runCheck's real output has the same shape).
import type { DeviceReport, ModelReport, NodePlacementReport, Report } from '../../src/report/types.js';

export function node(index: number, op: string, placement: NodePlacementReport['placement'], extra: Partial<NodePlacementReport> = {}): NodePlacementReport {
  return { index, name: `/n${index}/${op}`, op, placement, reason: placement === 'accelerated' ? 'OK' : 'OP_NOT_LISTED', ...extra };
}

export function device(id: string, opts: { latency?: number; ram?: number; flash?: number; nodes?: NodePlacementReport[]; verdict?: DeviceReport['verdict']; extra?: Record<string, unknown>; budgets?: DeviceReport['budgets'] } = {}): DeviceReport {
  const nodes = opts.nodes ?? [node(0, 'Conv', 'accelerated', { latencyMs: 1 }), node(1, 'Relu', 'accelerated', { latencyMs: 0.5 })];
  return {
    device: id,
    verdict: opts.verdict ?? 'pass',
    partitions: 1,
    nodesTotal: nodes.length,
    nodesAccelerated: nodes.filter((n) => n.placement === 'accelerated').length,
    macsAcceleratedFraction: null,
    quantization: {},
    nodes,
    latencyMs: opts.latency === undefined ? { estimate: 10, low: 8, high: 12 } : { estimate: opts.latency, low: opts.latency * 0.8, high: opts.latency * 1.2 },
    peakRamBytes: opts.ram ?? 1_000_000,
    flashBytes: opts.flash ?? 2_000_000,
    budgets: opts.budgets ?? [],
    ...(opts.extra ?? {}),
  };
}

export function model(path: string, devices: DeviceReport[], errors: ModelReport['errors'] = []): ModelReport {
  return {
    path,
    sha256: null,
    fileSize: 100,
    nodes: 2,
    params: 10,
    macs: 100,
    otherOps: 10,
    weightBytes: 40,
    peakActivationBytes: 100,
    activationLowerBoundBytes: 100,
    errors,
    devices,
  };
}

export function report(models: ModelReport[], errors: Report['errors'] = []): Report {
  return { schemaVersion: 1, tool: { name: 'edgegate', version: '0.1.0' }, errors, models };
}
