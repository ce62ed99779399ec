/** Codes for graph-structure errors that stop the analysis of a model. */
/** RANK_LIMIT and ELEMENT_LIMIT: an inferred shape past src/limits.ts (the model is refused, not the process). */
export const GRAPH_ERROR_CODES = ['GRAPH_CYCLE', 'DUPLICATE_PRODUCER', 'RANK_LIMIT', 'ELEMENT_LIMIT'] as const;
export type GraphErrorCode = (typeof GRAPH_ERROR_CODES)[number];

/**
 * A graph that cannot be analyzed at all (a cycle, a tensor produced twice). The caller turns it into a
 * report error that names the model file; `nodes` names the nodes involved by `{index, name}`.
 */
export class GraphError extends Error {
  readonly code: GraphErrorCode;
  readonly nodes: readonly { readonly index: number; readonly name: string }[];
  /** The tensor involved (DUPLICATE_PRODUCER). */
  readonly tensor?: string;

  constructor(
    code: GraphErrorCode,
    message: string,
    details: { nodes?: readonly { index: number; name: string }[]; tensor?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GraphError';
    this.code = code;
    this.nodes = details.nodes ?? [];
    if (details.tensor !== undefined) this.tensor = details.tensor;
  }
}

/**
 * Thrown by a shape rule when a node's inputs contradict its op's contract (e.g. Conv channels that do not
 * match the weight). The analysis catches it, records an issue and marks the outputs unknown.
 */
export class ShapeInferenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShapeInferenceError';
  }
}
