import type { Dim, OnnxModel, OnnxNode, Shape, TensorRef } from '../onnx/types.js';

/** Where a tensor comes from in the top-level graph. */
export type TensorOrigin = 'input' | 'initializer' | 'constant-node' | 'node' | 'undefined';

/**
 * Small constant values that shape inference folds (Shape → Gather → Concat → Reshape chains,
 * Slice starts, Resize sizes...). Only integer/float tensors of at most a few thousand elements.
 */
export interface ConstValue {
  readonly dtype: number;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export interface TensorFacts {
  readonly name: string;
  /** ONNX dtype code; 0 when unknown. */
  dtype: number;
  /** Inferred shape (never copied from value_info); null when even the rank is unknown. */
  shape: Shape;
  origin: TensorOrigin;
  /** Index (in `graph.node`) of the producing node, or null for inputs/initializers. */
  producer: number | null;
  /** Indices of consuming nodes, in execution order. */
  consumers: number[];
  /** True when the value depends only on initializers and Constant nodes (no graph input). */
  isConstant: boolean;
  /** Folded value, when known and small. */
  value?: ConstValue;
  /**
   * Elements of a rank-0/1 integer tensor as dims, symbolic where they come from symbolic shapes
   * (`Shape(x)` of a `[batch, 3]` tensor is `["batch", 3]`). Set only when tracked.
   */
  sym?: readonly Dim[];
  /** The initializer / Constant value reference, when there is one. */
  tensor?: TensorRef;
  /** Why the shape or dtype is not fully known. */
  unknownReason?: string;
}

export interface NodeFacts {
  /** Position in `graph.node`. */
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** Multiply-accumulates (Conv, ConvTranspose, Gemm, MatMul, Einsum, RNN cells, quantized forms). */
  macs: number | null;
  /** Other arithmetic (elementwise, pooling, normalization, softmax...). */
  otherOps: number | null;
  /** Parameters (elements of constant weight inputs that this node consumes and owns). */
  params: number;
  /** Bytes read+written through activations (non-constant inputs + outputs), for the roofline. */
  activationBytesIn: number | null;
  activationBytesOut: number | null;
  /** Bytes of constant inputs (weights) this node reads. */
  weightBytes: number;
  /** Node count of If/Loop/Scan bodies (recursive), when this node has subgraphs. */
  subgraphNodes?: number;
  unknownReason?: string;
}

/** A disagreement between our inferred shape and the model's own value_info (a cross-check only). */
export interface ValueInfoMismatch {
  readonly tensor: string;
  readonly inferred: Shape;
  readonly declared: Shape;
  readonly inferredDtype: number;
  readonly declaredDtype: number;
}

export interface AnalysisIssue {
  readonly code: string;
  readonly message: string;
  readonly node?: { readonly index: number; readonly name: string; readonly opType: string };
}

export interface MemoryPlan {
  /**
   * Peak arena size from a greedy-by-size planner over activation lifetimes (TFLM GreedyMemoryPlanner);
   * null when the plan was not made (`notPlanned` says why).
   */
  readonly peakBytes: number | null;
  /** Why no plan was made (a `PLAN_LIMIT` message, docs/limits.md). */
  readonly notPlanned?: string;
  /** Max over execution steps of the bytes live at once: a lower bound for any planner. */
  readonly lowerBoundBytes: number;
  /** Tensors whose size is unknown and were left out. */
  readonly unknownTensors: number;
  /** Peak of an onnxruntime-style online best-fit arena (MemPatternPlanner trace) over the same lifetimes. */
  readonly ortArenaPeakBytes?: number | null;
  /** Activation buffers the plans cover. */
  readonly buffers?: number;
}

export interface GraphAnalysis {
  readonly model: OnnxModel;
  /** Node indices in a valid topological (execution) order. */
  readonly order: readonly number[];
  readonly nodes: readonly OnnxNode[];
  readonly tensors: ReadonlyMap<string, TensorFacts>;
  readonly nodeFacts: readonly NodeFacts[];
  /** Symbolic dims that were pinned by the caller (`--dim batch=1`). */
  readonly pinnedDims: Readonly<Record<string, number>>;
  readonly valueInfoMismatches: readonly ValueInfoMismatch[];
  readonly issues: readonly AnalysisIssue[];
  readonly totals: {
    readonly nodes: number;
    readonly subgraphNodes: number;
    readonly params: number;
    readonly macs: number | null;
    readonly otherOps: number | null;
    readonly weightBytes: number;
    readonly weightBytesByDtype: Readonly<Record<string, number>>;
    /** Sum of all non-constant tensor sizes (every activation once). */
    readonly activationBytes: number | null;
    /** Why a total above is null (keyed by field name: `macs`, `otherOps`, `activationBytes`). */
    readonly unknownReasons?: Readonly<Record<string, string>>;
  };
  readonly memory: MemoryPlan;
}
