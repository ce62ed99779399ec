/**
 * The node diff of one model on one device, base vs head: which nodes were added, removed, or kept with
 * another placement, and which of them are newly off the accelerator. Pure.
 *
 * Matching: first by node name (names used once on each side, same op type), then the remaining nodes
 * by op type in graph order (the longest common subsequence of their op types, so an inserted node does
 * not shift the ones after it). Names are optional and not unique in ONNX, so the fallback matters.
 *
 * "Newly off the accelerator" (docs/gate.md, "Node diff"):
 * - a matched node that was not off the accelerator at base (accelerated or unknown) and is at head;
 * - an added node off the accelerator whose cause is new: the base had no node off the accelerator for
 *   the same cause. The cause is the reason code alone for model-wide reasons (the model's quantization,
 *   float I/O, nodes after the first unsupported one, too-small partitions): a node added to a float
 *   model on an integer-only target is as unaccelerated as the rest was. Otherwise it is op + reason.
 * Removed nodes are never "newly accelerated": only matched nodes that moved onto the accelerator are.
 */
import type { NodePlacementReport, Placement } from '../report/contract.js';
import type { NodeChange, NodeRef } from './types.js';

/** Placements that do not run on the accelerator. */
const OFF: ReadonlySet<Placement> = new Set<Placement>(['unsupported', 'cpu-fallback']);

/** Reasons that describe the model or the graph's structure, not the node's op. */
export const MODEL_WIDE_REASONS: ReadonlySet<string> = new Set([
  'QUANT_REQUIRED',
  'QUANT_FORMAT',
  'QUANT_DTYPE',
  'QUANT_GRANULARITY',
  'QUANT_ASYMMETRIC',
  'FLOAT_IO',
  'AFTER_FIRST_UNSUPPORTED',
  'PARTITION_TOO_SMALL',
]);

/** Above this many base × head cells the op-order fallback pairs the k-th nodes of each op instead of the LCS. */
const LCS_MAX_CELLS = 4_000_000;

export interface NodeDiff {
  readonly changes: NodeChange[];
  /** Nodes newly off the accelerator (at head). */
  readonly newOff: NodeRef[];
  /** Matched nodes newly on the accelerator (at head). */
  readonly newOn: NodeRef[];
}

type Node = NodePlacementReport;

function ref(n: Node): NodeRef {
  return { index: n.index, name: n.name, op: n.op, placement: n.placement, reason: n.reason };
}

function causeOf(n: Node): string {
  return MODEL_WIDE_REASONS.has(n.reason) ? n.reason : `${n.op}\u0000${n.reason}`;
}

/** Names used exactly once on a side. */
function uniqueNames(nodes: readonly Node[]): Map<string, Node> {
  const seen = new Map<string, Node | null>();
  for (const n of nodes) if (n.name) seen.set(n.name, seen.has(n.name) ? null : n);
  return new Map([...seen].filter((e): e is [string, Node] => e[1] !== null));
}

/** Pairs two node lists of equal op types in order: LCS on op types, or k-th occurrence when too large. */
function pairByOrder(base: readonly Node[], head: readonly Node[]): [Node, Node][] {
  const pairs: [Node, Node][] = [];
  if (base.length * head.length > LCS_MAX_CELLS) {
    const byOp = new Map<string, Node[]>();
    for (const b of base) {
      const list = byOp.get(b.op);
      if (list) list.push(b);
      else byOp.set(b.op, [b]);
    }
    for (const h of head) {
      const b = byOp.get(h.op)?.shift();
      if (b) pairs.push([b, h]);
    }
    return pairs;
  }
  const w = head.length + 1;
  const len = new Uint32Array((base.length + 1) * w);
  for (let i = base.length - 1; i >= 0; i--) {
    for (let j = head.length - 1; j >= 0; j--) {
      len[i * w + j] = base[i]!.op === head[j]!.op ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
    }
  }
  for (let i = 0, j = 0; i < base.length && j < head.length; ) {
    if (base[i]!.op === head[j]!.op) pairs.push([base[i++]!, head[j++]!]);
    else if (len[(i + 1) * w + j]! >= len[i * w + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/** Diffs the placed nodes of one device: base vs head. */
export function diffNodes(base: readonly Node[], head: readonly Node[]): NodeDiff {
  const matchOf = new Map<Node, { base: Node; by: 'name' | 'position' }>();
  const matchedBase = new Set<Node>();
  const baseNames = uniqueNames(base);
  for (const [name, h] of uniqueNames(head)) {
    const b = baseNames.get(name);
    if (b && b.op === h.op) {
      matchOf.set(h, { base: b, by: 'name' });
      matchedBase.add(b);
    }
  }
  for (const [b, h] of pairByOrder(base.filter((n) => !matchedBase.has(n)), head.filter((n) => !matchOf.has(n)))) {
    matchOf.set(h, { base: b, by: 'position' });
    matchedBase.add(b);
  }

  const baseCauses = new Set(base.filter((n) => OFF.has(n.placement)).map(causeOf));
  const changes: NodeChange[] = [];
  const newOff: NodeRef[] = [];
  const newOn: NodeRef[] = [];
  for (const h of head) {
    const m = matchOf.get(h);
    if (!m) {
      changes.push({ change: 'added', node: ref(h) });
      if (OFF.has(h.placement) && !baseCauses.has(causeOf(h))) newOff.push(ref(h));
      continue;
    }
    if (m.base.placement === h.placement) continue;
    changes.push({ change: 'moved', node: ref(h), basePlacement: m.base.placement, matchedBy: m.by });
    if (OFF.has(h.placement) && !OFF.has(m.base.placement)) newOff.push(ref(h));
    if (h.placement === 'accelerated' && OFF.has(m.base.placement)) newOn.push(ref(h));
  }
  for (const b of base) if (!matchedBase.has(b)) changes.push({ change: 'removed', node: ref(b) });
  return { changes, newOff, newOn };
}
