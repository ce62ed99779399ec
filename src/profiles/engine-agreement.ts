/**
 * Side-by-side comparison of EdgeGate's placement with onnxruntime's mobile-usability checker: the
 * op-names mode must reproduce the checker's counts, and the full mode
 * may only be stricter. Used by the agreement test and `bench/profiles-agreement.ts`.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { DevicePlacement } from './placement.js';
import type { DeviceProfile } from './schema.js';
import { placeModel } from './engine.js';
import { CHECKER_GAP } from './engine-eval.js';

/** The checker's counts for one EP (`eps[target].asIs` of a committed mobile-usability fixture). */
export interface CheckerCounts {
  readonly totalNodes: number;
  readonly supportedNodes: number;
  readonly partitions: number;
}

/** Counts as the checker reports them (main graph plus If/Loop/Scan bodies). */
export interface Counts {
  readonly total: number;
  readonly supported: number;
  readonly partitions: number;
}

/** One accelerated-by-the-checker node that the full mode keeps off the accelerator, and why. */
export interface StricterNode {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly reason: string;
  readonly detail?: string;
}

export interface AgreementRow {
  readonly profileId: string;
  readonly checker: CheckerCounts;
  readonly opNames: Counts;
  readonly full: Counts;
  /** op-names counts equal the checker's. */
  readonly equal: boolean;
  /** Nodes the full mode accelerates that the checker's semantics do not support (must be empty). */
  readonly looser: readonly StricterNode[];
  /**
   * Nodes the full mode accelerates that the checker rejects only because its `onnx` shape inference has
   * no com.microsoft schemas (QOperator models): onnxruntime itself knows those shapes. Not counted as looser.
   */
  readonly checkerShapeGap: readonly StricterNode[];
  readonly stricter: readonly StricterNode[];
  /** The full placement, for callers that print more. */
  readonly placement: DevicePlacement;
}

function counts(p: DevicePlacement): Counts {
  return {
    total: p.nodesTotal + (p.subgraphs?.nodes ?? 0),
    supported: p.nodesAccelerated + (p.subgraphs?.supported ?? 0),
    partitions: p.partitions.length + (p.subgraphs?.partitionSizes.length ?? 0),
  };
}

/**
 * Compares op-names and full placements of a model with the checker's counts. Nodes are matched by name
 * and op (the two modes can place different graphs when the EP keeps a function op whole).
 */
export function compareWithChecker(analysis: GraphAnalysis, profile: DeviceProfile, checker: CheckerCounts): AgreementRow {
  const opNames = placeModel(analysis, profile, { ruleMode: 'op-names' });
  const full = placeModel(analysis, profile, { ruleMode: 'full' });
  const key = (n: { name: string; op: string; index: number }): string => (n.name !== '' ? `${n.op}|${n.name}` : `${n.op}|#${n.index}`);
  const checkerOk = new Map(opNames.nodes.map((n) => [key(n), n.placement === 'accelerated']));
  const gap = new Set(opNames.nodes.filter((n) => n.reason === 'DYNAMIC_SHAPE' && (n.detail ?? '').startsWith(CHECKER_GAP)).map(key));
  const looser: StricterNode[] = [];
  const checkerShapeGap: StricterNode[] = [];
  const stricter: StricterNode[] = [];
  for (const n of full.nodes) {
    const ok = checkerOk.get(key(n));
    const entry = { index: n.index, name: n.name, op: n.op, reason: n.reason, ...(n.detail ? { detail: n.detail } : {}) };
    if (n.placement === 'accelerated' && ok === false) (gap.has(key(n)) ? checkerShapeGap : looser).push(entry);
    if (n.placement !== 'accelerated' && ok === true) stricter.push(entry);
  }
  const o = counts(opNames);
  return {
    profileId: profile.id,
    checker,
    opNames: o,
    full: counts(full),
    equal: o.total === checker.totalNodes && o.supported === checker.supportedNodes && o.partitions === checker.partitions,
    looser,
    checkerShapeGap,
    stricter,
    placement: full,
  };
}
