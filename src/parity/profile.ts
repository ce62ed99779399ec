/**
 * onnxruntime's profile file (Chrome-trace JSON, onnxruntime/core/common/profiler.cc). Each node has
 * three `cat:"Node"` events (`_fence_before`, `_kernel_time`, `_fence_after`); only `*_kernel_time`
 * counts, keyed by `args.node_index` because unnamed nodes all produce `_kernel_time` (https://github.com/microsoft/onnxruntime/issues/1297).
 * Node indices refer to the graph ORT ran (after optimization), not to the source model.
 */
import { readFileSync } from 'node:fs';

/** A kernel that ran: operator and execution provider, with how many nodes used it. */
export interface KernelRun {
  readonly op: string;
  readonly provider: string;
  readonly count: number;
}

/** Time of one node of the executed graph, summed and averaged over the profiled runs. */
export interface NodeTime {
  /** `args.node_index`: the node's index in the graph ORT executed. */
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly provider: string;
  /** Number of `_kernel_time` events (one per run). */
  readonly calls: number;
  readonly totalUs: number;
  readonly meanUs: number;
}

export interface ParsedProfile {
  /** Distinct (op, provider) pairs over the nodes that ran, sorted by op. */
  readonly kernelsRun: readonly KernelRun[];
  readonly nodes: readonly NodeTime[];
}

/** The profile file is not the JSON array ORT writes. */
export class ProfileFormatError extends Error {
  override readonly name = 'ProfileFormatError';
  constructor(readonly file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: not an onnxruntime profile: ${reason}`, options);
  }
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string; node_index?: string | number };
}

/** Parses profile JSON text (an array of trace events). */
export function parseProfile(text: string, file = '<profile>'): ParsedProfile {
  let events: unknown;
  try {
    events = JSON.parse(text);
  } catch (cause) {
    throw new ProfileFormatError(file, 'invalid JSON', { cause });
  }
  if (!Array.isArray(events)) throw new ProfileFormatError(file, 'expected a JSON array');
  const byNode = new Map<number, { name: string; op: string; provider: string; calls: number; totalUs: number }>();
  for (const e of events as TraceEvent[]) {
    if (e === null || typeof e !== 'object' || e.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith('_kernel_time')) continue;
    const idx = Number(e.args?.node_index);
    if (!Number.isInteger(idx)) continue;
    const cur = byNode.get(idx) ?? {
      name: e.name.slice(0, -'_kernel_time'.length),
      op: e.args?.op_name ?? '',
      provider: e.args?.provider ?? '',
      calls: 0,
      totalUs: 0,
    };
    cur.calls++;
    cur.totalUs += typeof e.dur === 'number' ? e.dur : 0;
    byNode.set(idx, cur);
  }
  const nodes: NodeTime[] = [...byNode.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([index, v]) => ({ index, name: v.name, op: v.op, provider: v.provider, calls: v.calls, totalUs: v.totalUs, meanUs: v.totalUs / v.calls }));
  const counts = new Map<string, KernelRun>();
  for (const n of nodes) {
    const key = `${n.op}\u0000${n.provider}`;
    const c = counts.get(key);
    counts.set(key, { op: n.op, provider: n.provider, count: (c?.count ?? 0) + 1 });
  }
  const kernelsRun = [...counts.values()].sort((x, y) => (x.op === y.op ? x.provider.localeCompare(y.provider) : x.op.localeCompare(y.op)));
  return { kernelsRun, nodes };
}

/** Reads and parses a profile file. */
export function readProfile(file: string): ParsedProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ProfileFormatError(file, 'cannot read the file', { cause });
  }
  return parseProfile(text, file);
}
