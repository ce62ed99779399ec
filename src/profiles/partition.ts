/**
 * Partitioning of placed nodes into accelerator partitions, per the profile's policy:
 * - `multi`: onnxruntime's `CreateSupportedPartitionNodeGroups` (onnxruntime/core/providers/
 *   partitioning_utils.cc): a Kahn topological walk in waves; each wave grows one group of supported units
 *   and stops at unsupported units on the group's border, which start the next wave. Units are QDQ node
 *   units when the caller groups them, so a DQ → op → Q group is never split (ORT's node_unit_map).
 * - `single_prefix`: Edge TPU: the first unsupported unit in topological order, and everything after it,
 *   runs on the CPU.
 * - `none`: every unit must be supported; one group when all are.
 */
import { dagEdges, type DagEdges } from '../graph/topo.js';

/** A unit of partitioning: a single node or a QDQ node unit. */
export interface PartitionUnit {
  /** Node indices of the unit (placed graph). */
  readonly nodes: readonly number[];
  /** Units whose outputs this unit reads (indices into the unit list). */
  readonly producers: readonly number[];
  /** true when the unit can go to the accelerator. */
  readonly supported: boolean;
}

/** Groups of unit indices, in the order the walk closed them. */
export type UnitGroups = number[][];

/**
 * ORT's CreateSupportedPartitionNodeGroups over units. `producers` give the edges; the initial ready list
 * and every consumer list follow unit index order (the graph's topological order), as ORT walks
 * `GetNodesInTopologicalOrder()`.
 */
export function createSupportedPartitionGroups(units: readonly PartitionUnit[]): UnitGroups {
  return supportedPartitionGroups(dagEdges(units.length, (i, emit) => units[i]!.producers.forEach(emit)), (k) => units[k]!.supported);
}

/** {@link createSupportedPartitionGroups} over prepared edges. */
export function supportedPartitionGroups(edges: DagEdges, isSupported: (unit: number) => boolean): UnitGroups {
  const { count, producerStart, consumerStart, consumers } = edges;
  const inDegree = new Int32Array(count);
  for (let i = 0; i < count; i++) inDegree[i] = producerStart[i + 1]! - producerStart[i]!;
  let toProcess: number[] = [];
  let withNext: number[] = [];
  for (let i = 0; i < count; i++) if (inDegree[i] === 0) toProcess.push(i);
  const groups: UnitGroups = [];
  let group: number[] = [];
  let border = new Set<number>();
  const close = (): void => {
    if (group.length > 0) groups.push(group);
    group = [];
    border = new Set();
  };
  let head = 0;
  while (head < toProcess.length || withNext.length > 0) {
    if (head >= toProcess.length) {
      close();
      toProcess = withNext;
      withNext = [];
      head = 0;
      continue;
    }
    const u = toProcess[head++]!;
    const supported = isSupported(u);
    if (!supported && border.has(u)) {
      withNext.push(u);
      continue;
    }
    if (supported) {
      group.push(u);
      border.delete(u);
    }
    for (let k = consumerStart[u]!; k < consumerStart[u + 1]!; k++) {
      const c = consumers[k]!;
      if (supported) border.add(c);
      const d = inDegree[c]! - 1;
      inDegree[c] = d;
      if (d === 0) toProcess.push(c);
    }
  }
  close();
  return groups;
}

/** Index of the first unsupported unit in topological (unit) order, or -1. */
export function firstUnsupported(units: readonly PartitionUnit[]): number {
  return units.findIndex((u) => !u.supported);
}
