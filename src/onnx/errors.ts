/** Why a model file could not be read. Each code maps to one class of bad input (docs/report-schema.json). */
export const MODEL_ERROR_CODES = [
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'EMPTY_FILE',
  'LFS_POINTER',
  'ZIP_FILE',
  'NOT_ONNX',
  'TRUNCATED',
  'FIELD_LENGTH_OVERRUN',
  'NO_GRAPH',
  'MODEL_TOO_LARGE',
  'EXTERNAL_DATA_ABSOLUTE',
  'EXTERNAL_DATA_ESCAPE',
  'EXTERNAL_DATA_MISSING',
  'EXTERNAL_DATA_RANGE',
  'OPSET_DOMAIN_MISSING',
  'OPSET_TOO_OLD',
  'EXTERNAL_DATA_NOT_REGULAR',
  'EXTERNAL_DATA_SIZE',
  'TENSOR_INVALID',
  'RANK_LIMIT',
  'ELEMENT_LIMIT',
  'NODE_LIMIT',
  'DEPTH_LIMIT',
  'GRAPH_CYCLE',
  'DUPLICATE_PRODUCER',
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

/** A model (or one of its external-data files) cannot be used. The message always names the file. */
export class ModelReadError extends Error {
  override readonly name = 'ModelReadError';
  constructor(
    readonly code: ModelErrorCode,
    /** The file at fault: the model, or its external-data file. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown; fieldPath?: string; offset?: number },
  ) {
    super(`${file}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.fieldPath = options?.fieldPath;
    this.offset = options?.offset;
    this.detail = message;
  }
  /** Location inside the model, e.g. `graph.initializer[3].external_data`. */
  readonly fieldPath?: string;
  /** Byte offset in the file where the problem was found. */
  readonly offset?: number;
  /** The message without the file prefix. */
  readonly detail: string;
}
