/**
 * Output of the compatibility engine for one model on one device profile: where each node of the graph
 * the runtime partitions runs, and why. The cost model and the renderers read this; neither re-decides it.
 */
import type { Placement } from '../report/types.js';

export interface PlacedNode {
  /** Index in the placed graph (equals the source index when the profile places the source graph). */
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly placement: Placement;
  /** Reason code (`OK` when accelerated), from REASON_CODES in schema.ts. */
  readonly reason: string;
  readonly detail?: string;
  readonly hint?: string;
  /** Indices in the source `graph.node` this node stands for (several when the runtime fused nodes). */
  readonly sourceNodes: readonly number[];
  /** Accelerator partition id for accelerated nodes; null for nodes on the CPU. */
  readonly partition: number | null;
  /** Id of the rule that decided, for reports and rule tests. */
  readonly ruleId?: string;
}

export interface QuantizationScheme {
  /** Model-level scheme: `float32`, `float16`, `qdq`, `qoperator`, `dynamic`, or `mixed`. */
  readonly scheme: 'float32' | 'float16' | 'qdq' | 'qoperator' | 'dynamic' | 'mixed';
  readonly activationDtypes: readonly string[];
  readonly weightDtypes: readonly string[];
  /** `per-tensor`, `per-channel`, or both. */
  readonly weightGranularity: readonly string[];
  readonly symmetricWeights: boolean | null;
  /** Quantized nodes / all compute nodes. */
  readonly quantizedNodeShare: number;
}

export interface DevicePlacement {
  readonly profileId: string;
  /**
   * `folded` (the model after constant and shape folding) or `ort-basic` (folding plus the rest of ORT's
   * basic-level rewrites, reproduced in TypeScript); `source` only in tests.
   */
  readonly placedGraph: 'source' | 'folded' | 'ort-basic';
  /** What the node count is based on, e.g. "16 nodes after folding, as onnx2tf sees them …". */
  readonly countBasis: string;
  readonly nodes: readonly PlacedNode[];
  readonly partitions: readonly { readonly id: number; readonly nodes: readonly number[] }[];
  readonly nodesTotal: number;
  readonly nodesAccelerated: number;
  readonly macsTotal: number | null;
  readonly macsAccelerated: number | null;
  readonly macsAcceleratedFraction: number | null;
  readonly verdict: 'pass' | 'warn' | 'fail';
  /** One line explaining the verdict (thresholds met or missed). */
  readonly verdictReason: string;
  /**
   * `ruleMode: 'op-names'` only: nodes inside If/Loop/Scan bodies, placed and partitioned per body the way
   * onnxruntime's checker merges them into its totals (its node, supported-node and partition counts are
   * the main graph's plus these).
   */
  readonly subgraphs?: { readonly nodes: number; readonly supported: number; readonly partitionSizes: readonly number[] };
  readonly quantization: QuantizationScheme & {
    /** Whether the target accepts this scheme, and the sentence a reviewer reads. */
    readonly accepted: boolean;
    readonly message: string;
    /** When not accepted: the quantizer call that gives a model this target accepts (src/profiles/quant-fix.ts). */
    readonly fix?: string;
  };
}
