/**
 * The device-profile format (`device-profiles/*.yaml`), as a zod 4 schema that also yields the TypeScript
 * types. Every object is strict: an unknown field is an error, so a typo never silently disables a rule.
 *
 * Reference with examples: docs/profiles.md. The loader (`load.ts`) adds the checks zod cannot express
 * locally (op names per domain, source references, unit references, duplicate rules).
 */
import { z } from 'zod';

/** Version of this format. Bump on any incompatible change; the loader rejects other versions. */
export const PROFILE_SCHEMA_VERSION = 1;

/**
 * Revision of the schema code. Bump it whenever validation or normalization changes, so a
 * `device-profiles/profiles.bundle.json` written by older code is ignored instead of trusted.
 */
export const PROFILE_FORMAT_REVISION = 2;

// ---------------------------------------------------------------------------------------------------
// Closed vocabularies
// ---------------------------------------------------------------------------------------------------

/** ONNX element types, spelled as `dtypeName()` in src/onnx/types.ts prints them (`float`, not `float32`). */
export const DTYPES = [
  'float', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'double',
  'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2',
  'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1', 'float8e8m0', 'uint2', 'int2',
] as const;
export type DtypeName = (typeof DTYPES)[number];

/** Arithmetic classes a compute unit has a peak rate for. `int8` covers both int8 and uint8. */
export const COMPUTE_DTYPES = ['float', 'float16', 'bfloat16', 'int8', 'int16', 'int4'] as const;
export type ComputeDtype = (typeof COMPUTE_DTYPES)[number];

/** Op classes the cost model keys efficiencies on. The cost model maps each op to one class. */
export const OP_CLASSES = [
  'conv', 'depthwise', 'convtranspose', 'matmul', 'elementwise', 'pool', 'reduce', 'norm', 'softmax', 'rnn',
  'data_movement', 'other',
] as const;
export type OpClass = (typeof OP_CLASSES)[number];

/** How unsupported nodes are handled. */
export const PARTITION_POLICIES = ['multi', 'single_prefix', 'none'] as const;
export type PartitionPolicy = (typeof PARTITION_POLICIES)[number];

/** Quantization formats. `dynamic` = ConvInteger/MatMulInteger/DynamicQuantizeLinear. */
export const QUANT_FORMATS = ['qdq', 'qoperator', 'dynamic'] as const;
export type QuantFormat = (typeof QUANT_FORMATS)[number];

export const QUANT_GRANULARITIES = ['per-tensor', 'per-channel'] as const;
export type QuantGranularity = (typeof QUANT_GRANULARITIES)[number];

/**
 * Reason codes a failed condition reports (the engine's `reason`). Each condition kind has a default
 * (see docs/profiles.md); a condition may override it with `reason:`.
 */
export const REASON_CODES = [
  'OK', 'OP_NOT_LISTED', 'DTYPE', 'ATTRIBUTE', 'RANK', 'SHAPE', 'DYNAMIC_SHAPE', 'NON_CONSTANT_INPUT', 'OPSET',
  'QUANT_REQUIRED', 'QUANT_FORMAT', 'QUANT_DTYPE', 'QUANT_GRANULARITY', 'QUANT_ASYMMETRIC', 'QUANT_SCALE_NOT_CONSTANT',
  'QUANT_INCOMPLETE_GROUP', 'FLOAT_IO', 'AFTER_FIRST_UNSUPPORTED', 'PATTERN_REQUIRED', 'UNVERIFIABLE',
  'CONVERSION', 'PARTITION_TOO_SMALL',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * Values derived from a node that predicates can test under `when.derived` (the engine computes them).
 * Spatial values are for the last two spatial dims (H, W) in NCHW; 1-D convs give h = 1.
 * Booleans are compared as `true`/`false`.
 */
export const DERIVED_VALUES = [
  /** Number of spatial dims (kernel_shape length, or weight rank − 2; for global pooling, input rank − 2). */
  'spatial_rank',
  /** Product of kernel dims (from kernel_shape, or the weight's dims[2:]). */
  'kernel_area',
  /** Product over spatial dims of (k − 1)·d + 1 (Vela's "dilated kernel"). */
  'dilated_kernel_area',
  'kernel_h', 'kernel_w', 'stride_h', 'stride_w', 'dilation_h', 'dilation_w',
  /** group attribute (1 when absent). */
  'group',
  /** true when group = input channels = group > 1 (depthwise conv). */
  'is_depthwise',
  /** Output channels ÷ group, for depthwise convs. */
  'depth_multiplier',
  'input_channels', 'output_channels',
  /** true when every pads begin value equals its end value. */
  'pads_symmetric',
  /** Largest pads value. */
  'pads_max',
  /** true when the pads (attribute or Pad input) are zero on the batch and channel dims (only H/W padded). */
  'pads_only_spatial',
  /** The `axis` attribute normalized to negative form (−1 = innermost), using input 0's rank. */
  'axis_from_end',
  /** Number of non-empty inputs. */
  'input_count',
  /** Rank of output 0. */
  'output_rank',
  /** true when the two first inputs' shapes differ (elementwise broadcasting happens). */
  'broadcasts',
  /** Elements of output 0. */
  'output_elements',
  /** Product of input 0's dims after N and C (H·W for NCHW): Vela's MEAN limits. */
  'input_spatial_area',
  /** Number of non-empty outputs (e.g. MaxPool with its optional Indices output gives 2). */
  'output_count',
  /** true when all outputs have the same known shape (Split into equal parts). */
  'outputs_equal_shape',
  /**
   * Resize: the common integer factor of H and W (output ÷ input; (output − 1) ÷ (input − 1) under
   * coordinate_transformation_mode align_corners); 0 when H and W scale differently or not by an integer.
   */
  'resize_scale',
  /** Einsum: true when the equation has an ellipsis (`...`). */
  'einsum_ellipsis',
  /** Einsum: true when a label repeats within one input term (a diagonal, e.g. `ii->i`). */
  'einsum_diagonal',
  /** Einsum: true when a label's dims differ between inputs (one of them broadcasts); unknown on symbolic dims. */
  'einsum_broadcasts',
  /**
   * Squeeze: true when every squeezed axis lies in the leading run of 1s of input 0, both in the source layout
   * and in the channels-last layout a converter gives it (C moved last); null when the two disagree.
   */
  'squeeze_leading_ones',
] as const;
export type DerivedValue = (typeof DERIVED_VALUES)[number];

// ---------------------------------------------------------------------------------------------------
// Provenance
// ---------------------------------------------------------------------------------------------------

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/**
 * Where a rule or figure comes from. Give `url`, or `repo` + `path` (a file in a public repository, cited at
 * `version` = tag or commit), or `path` alone (a file of this repository or of an installed package, e.g.
 * `docs/profiles.md` or `node_modules/onnxruntime-node/...`). `retrieved` is the date it was read.
 */
export const SourceSchema = z
  .strictObject({
    /** Web address of the document. */
    url: z.url().optional(),
    /** `owner/name` of a repository, with `path` inside it. */
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name').optional(),
    path: z.string().min(1).optional(),
    /** Document/software version, tag or commit the statement was read at. */
    version: z.string().min(1),
    /** Date read (YYYY-MM-DD). */
    retrieved: isoDate,
    /** Section, table or line the statement is in. */
    section: z.string().optional(),
    title: z.string().optional(),
    note: z.string().optional(),
  })
  .refine((s) => s.url !== undefined || s.path !== undefined, {
    message: 'a source needs `url` or `path` (with `repo` for another repository)',
  });
export type Source = z.infer<typeof SourceSchema>;

/**
 * A source given inline, or by the id of an entry in the profile's top-level `sources` map
 * (optionally with the section it is in: `{ ref: ort-nnapi-table, section: "Conv row" }`).
 */
export const SourceRefSchema = z.union([
  z.string().min(1),
  z.strictObject({ ref: z.string().min(1), section: z.string().optional(), note: z.string().optional() }),
  SourceSchema,
]);
export type SourceRef = z.infer<typeof SourceRefSchema>;

// ---------------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------------

const Scalar = z.union([z.number(), z.string(), z.boolean()]);
export type ScalarValue = z.infer<typeof Scalar>;

/** Shared fields of a checkable condition: what to report when it fails. */
const ConditionMeta = {
  /** Reason code when this condition fails (default depends on the condition kind). */
  reason: z.enum(REASON_CODES).optional(),
  /** Human text for the failure, e.g. the doc's own wording. */
  message: z.string().optional(),
  /** Rewrite suggestion shown beside the failure. */
  hint: z.string().optional(),
};

/**
 * A test on one value. All given keys must hold. On a list value (ints attribute), `eq`/`in` compare the
 * whole list; use `each` to test every element, or `len` to test the length.
 */
export interface Predicate {
  eq?: ScalarValue | ScalarValue[];
  ne?: ScalarValue | ScalarValue[];
  in?: (ScalarValue | ScalarValue[])[];
  notIn?: (ScalarValue | ScalarValue[])[];
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Inclusive [min, max]. */
  range?: [number, number];
  /** Length of a list value. */
  len?: Predicate;
  /** Every element of a list value. */
  each?: Predicate;
}
export const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z
    .strictObject({
      eq: z.union([Scalar, z.array(Scalar)]).optional(),
      ne: z.union([Scalar, z.array(Scalar)]).optional(),
      in: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
      notIn: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      range: z.tuple([z.number(), z.number()]).optional(),
      len: PredicateSchema.optional(),
      each: PredicateSchema.optional(),
    })
    .refine((p) => Object.keys(p).length > 0, { message: 'empty predicate' })
    .refine((p) => p.range === undefined || p.range[0] <= p.range[1], { message: 'range min > max', path: ['range'] }),
);

/** An attribute test. When the attribute is absent, `default` (the ONNX default) is tested instead. */
export const AttributeConditionSchema = z
  .strictObject({
    eq: z.union([Scalar, z.array(Scalar)]).optional(),
    ne: z.union([Scalar, z.array(Scalar)]).optional(),
    in: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
    notIn: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    range: z.tuple([z.number(), z.number()]).optional(),
    len: PredicateSchema.optional(),
    each: PredicateSchema.optional(),
    /** ONNX default used when the attribute is absent. Without it an absent attribute passes only `absent: true`. */
    default: z.union([Scalar, z.array(Scalar)]).optional(),
    /** true: the attribute must be absent (e.g. ConvTranspose `output_shape`). */
    absent: z.boolean().optional(),
    ...ConditionMeta,
  })
  .refine((p) => p.range === undefined || p.range[0] <= p.range[1], { message: 'range min > max', path: ['range'] });
export type AttributeCondition = z.infer<typeof AttributeConditionSchema>;

/** A derived-value test (see DERIVED_VALUES), with what to report on failure. */
export const DerivedConditionSchema = z
  .strictObject({
    eq: z.union([Scalar, z.array(Scalar)]).optional(),
    ne: z.union([Scalar, z.array(Scalar)]).optional(),
    in: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
    notIn: z.array(z.union([Scalar, z.array(Scalar)])).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    range: z.tuple([z.number(), z.number()]).optional(),
    ...ConditionMeta,
  })
  .refine((p) => p.range === undefined || p.range[0] <= p.range[1], { message: 'range min > max', path: ['range'] });
export type DerivedCondition = z.infer<typeof DerivedConditionSchema>;

/** An inclusive integer range; either bound may be omitted. */
export const OpsetRangeSchema = z
  .strictObject({ min: z.int().min(1).optional(), max: z.int().min(1).optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: 'opset range min > max',
    params: { profileCode: 'PROFILE_OPSET_RANGE' },
  });
export type OpsetRange = z.infer<typeof OpsetRangeSchema>;

/**
 * Shape rules on a tensor. A dim that is symbolic or unknown fails `fixed` (DYNAMIC_SHAPE); any other
 * test on an unknown dim gives `unknown` placement, never support.
 */
export const ShapeConditionSchema = z.strictObject({
  /** Every dim must be a known positive integer. Fails with DYNAMIC_SHAPE. */
  fixed: z.boolean().optional(),
  /** Rank test. Fails with RANK. */
  rank: PredicateSchema.optional(),
  /** Test on dim 0 (e.g. `{ eq: 1 }` for batch 1). Fails with SHAPE. */
  batch: PredicateSchema.optional(),
  /** Test on every dim. Fails with SHAPE. */
  dims: PredicateSchema.optional(),
  /** At most this many of the innermost dims may be > 1; all outer dims must be 1 (Edge TPU: 3). */
  innermostNonUnitMax: z.int().min(0).optional(),
  /**
   * Which layout the dims are read in: `source` (the ONNX graph, NCHW) or `converted` (after the profile's
   * conversion, e.g. NHWC). Default: `converted` when the profile has a `conversion`, else `source`.
   */
  layout: z.enum(['source', 'converted']).optional(),
  ...ConditionMeta,
});
export type ShapeCondition = z.infer<typeof ShapeConditionSchema>;

/** Conditions on one input or output (or on all of them when `index` is absent). */
export const TensorConditionSchema = z.strictObject({
  /** Position among the node's inputs/outputs. Absent: applies to every present input/output. */
  index: z.int().min(0).optional(),
  /** Allowed element types. Fails with DTYPE. For QDQ node units the quantized dtype is tested. */
  dtypes: z.array(z.enum(DTYPES)).min(1).optional(),
  /** true: must be an initializer/Constant (constant-foldable). Fails with NON_CONSTANT_INPUT. */
  constant: z.boolean().optional(),
  /** true (default): an omitted optional input passes. false: the input must be present. */
  optional: z.boolean().optional(),
  /**
   * Test on every element of a constant input's value (e.g. Pad `pads` ≥ 0, a zero point = 0). Fails with
   * ATTRIBUTE; `unknown` when the value is not constant-foldable.
   */
  values: PredicateSchema.optional(),
  shape: ShapeConditionSchema.optional(),
  ...ConditionMeta,
});
export type TensorCondition = z.infer<typeof TensorConditionSchema>;

/** Quantization conditions on one op (they narrow the profile-level `quantization` block). */
export const QuantConditionSchema = z.strictObject({
  formats: z.array(z.enum(QUANT_FORMATS)).min(1).optional(),
  activationDtypes: z.array(z.enum(DTYPES)).min(1).optional(),
  weightDtypes: z.array(z.enum(DTYPES)).min(1).optional(),
  weightGranularity: z.array(z.enum(QUANT_GRANULARITIES)).min(1).optional(),
  symmetricWeights: z.boolean().optional(),
  /** true: this op is accelerated only when quantized (a float instance falls back). */
  required: z.boolean().optional(),
  ...ConditionMeta,
});
export type QuantCondition = z.infer<typeof QuantConditionSchema>;

/**
 * A condition that cannot be checked statically. When it applies, the node's placement is `unknown` with
 * reason UNVERIFIABLE (never `accelerated`). `when` narrows it to nodes matching a condition.
 */
export interface Unverifiable {
  id: string;
  /** Why EdgeGate cannot decide, e.g. "depends on the device's NNAPI feature level". */
  reason: string;
  when?: When;
  source?: SourceRef;
}
export const UnverifiableSchema: z.ZodType<Unverifiable> = z.lazy(() =>
  z.strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
    reason: z.string().min(1),
    when: WhenSchema.optional(),
    source: SourceRefSchema.optional(),
  }),
);

/**
 * The conditions for an op to be accelerated. All given parts must hold. `anyOf` passes when one branch
 * holds; `not` passes when its condition fails. Each failing leaf reports its own reason code.
 */
export interface When {
  opset?: OpsetRange;
  inputs?: TensorCondition[];
  outputs?: TensorCondition[];
  attributes?: Record<string, AttributeCondition>;
  derived?: Partial<Record<DerivedValue, DerivedCondition>>;
  quant?: QuantCondition;
  anyOf?: When[];
  not?: When;
  unverifiable?: Unverifiable[];
  /** Reason/message/hint for a failing `anyOf`/`not` as a whole. */
  reason?: ReasonCode;
  message?: string;
  hint?: string;
}
export const WhenSchema: z.ZodType<When> = z.lazy(() =>
  z.strictObject({
    /** The model's opset for the op's domain. Fails with OPSET. */
    opset: OpsetRangeSchema.optional(),
    inputs: z.array(TensorConditionSchema).optional(),
    outputs: z.array(TensorConditionSchema).optional(),
    /** Attribute name → test. Fails with ATTRIBUTE. */
    attributes: z.record(z.string().min(1), AttributeConditionSchema).optional(),
    /** Derived value → test. Fails with ATTRIBUTE (or SHAPE for shape-derived values) unless `reason` says. */
    derived: z.partialRecord(z.enum(DERIVED_VALUES), DerivedConditionSchema).optional(),
    quant: QuantConditionSchema.optional(),
    anyOf: z.array(WhenSchema).min(2).optional(),
    not: WhenSchema.optional(),
    unverifiable: z.array(UnverifiableSchema).optional(),
    ...ConditionMeta,
  }),
);

/** One op of a fused pattern: a linear producer → consumer chain. */
export const PatternStepSchema = z.strictObject({
  op: z.string().min(1),
  domain: z.string().optional(),
  /** Marks the position the rule's own node takes (default: the first step whose op matches). */
  self: z.boolean().optional(),
});

/** Support only when the node is part of one of these chains (fails with PATTERN_REQUIRED). */
export const PatternRequirementSchema = z.strictObject({
  anyOf: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        /** Producer → consumer order; each intermediate tensor must have a single consumer. */
        chain: z.array(PatternStepSchema).min(2),
        description: z.string().optional(),
      }),
    )
    .min(1),
  ...ConditionMeta,
});
export type PatternRequirement = z.infer<typeof PatternRequirementSchema>;

// ---------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------

/**
 * One supported op. An op without a rule is not supported (OP_NOT_LISTED). ONNX-consuming profiles key
 * rules by `op` (+ `domain`); converted profiles (with `conversion`) key them by TFLite `builtin`, and the
 * engine reaches them through `conversion.opMap`.
 */
export const OpRuleSchema = z
  .strictObject({
    /** Optional stable id (default: `domain:op` or `tflite:BUILTIN`), used by rule test cases. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/).optional(),
    /** ONNX op type. */
    op: z.string().min(1).optional(),
    /** ONNX domain: "" (or `ai.onnx`) for the default domain, `com.microsoft`, `ai.onnx.ml`. */
    domain: z.string().optional(),
    /** TFLite builtin (converted profiles only). */
    builtin: z.string().min(1).optional(),
    /** Shorthand for `when.opset`: the model's opset for this op's domain. */
    opset: OpsetRangeSchema.optional(),
    when: WhenSchema.optional(),
    pattern: PatternRequirementSchema.optional(),
    /** Rewrite suggestion shown for any failure of this rule. */
    hint: z.string().optional(),
    /** The source document's caveat text, verbatim. */
    note: z.string().optional(),
    source: SourceRefSchema,
  })
  .refine((r) => (r.op === undefined) !== (r.builtin === undefined), {
    message: 'a rule needs exactly one of `op` or `builtin`',
  });
export type OpRule = z.infer<typeof OpRuleSchema>;

// ---------------------------------------------------------------------------------------------------
// Profile-level blocks
// ---------------------------------------------------------------------------------------------------

/** One pass/warn alternative. All given bounds must hold. Shares are fractions in [0, 1]. */
export const ThresholdSchema = z.strictObject({
  maxPartitions: z.int().min(0).optional(),
  acceleratedNodeShare: z.strictObject({ gt: z.number().min(0).max(1).optional(), gte: z.number().min(0).max(1).optional() }).optional(),
  acceleratedMacShare: z.strictObject({ gt: z.number().min(0).max(1).optional(), gte: z.number().min(0).max(1).optional() }).optional(),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

/**
 * Verdict: `pass` if any `pass` alternative holds, else `warn` if any `warn` alternative holds, else `fail`.
 * A node placed `unsupported` under policy `none` fails the target regardless.
 */
export const VerdictSchema = z.strictObject({
  pass: z.array(ThresholdSchema).min(1),
  warn: z.array(ThresholdSchema),
  source: SourceRefSchema.optional(),
  note: z.string().optional(),
});

/**
 * What the fallback unit can run. Without it every node that is not accelerated falls back (policy `multi`).
 * With it, a node whose op (ONNX profiles) or builtin (converted profiles) is not in `ops` is `unsupported`.
 * `opsFrom: <shipped profile id>` takes that profile's rule ops plus its own fallback ops; the loader expands
 * it into `ops`, so the engine only reads `ops`.
 */
export const FallbackSchema = z.strictObject({
  /** `Conv`, `com.microsoft:FusedConv`, or TFLite builtins for converted profiles. */
  ops: z.array(z.string().min(1)).optional(),
  opsFrom: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  source: SourceRefSchema,
  note: z.string().optional(),
});
export type Fallback = z.infer<typeof FallbackSchema>;

export const PartitionSchema = z.strictObject({
  policy: z.enum(PARTITION_POLICIES),
  fallback: FallbackSchema.optional(),
  /** Partitions with fewer accelerated nodes than this run on the CPU instead (reason PARTITION_TOO_SMALL). */
  minNodesPerPartition: z.int().min(1).optional(),
  source: SourceRefSchema,
  note: z.string().optional(),
});

/** Profile-wide quantization requirements. Per-op narrowing: rule `when.quant`. */
export const QuantizationSchema = z.strictObject({
  /** true: float nodes are never accelerated (QUANT_REQUIRED). */
  required: z.boolean(),
  /** Accepted quantized formats. */
  formats: z.array(z.enum(QUANT_FORMATS)),
  activationDtypes: z.array(z.enum(DTYPES)),
  weightDtypes: z.array(z.enum(DTYPES)),
  /** Weight granularity accepted for all ops, plus ops that also accept per-channel. */
  weightGranularity: z.strictObject({
    default: z.array(z.enum(QUANT_GRANULARITIES)).min(1),
    perChannelOps: z.array(z.string().min(1)).optional(),
  }),
  /** true: weight zero points must be 0 (QUANT_ASYMMETRIC). */
  symmetricWeights: z.boolean(),
  /**
   * true: activation zero points must be 0 (the Q/DQ rules check it per node); the quantizer fix then names
   * `extra_options={"ActivationSymmetric": True}`.
   */
  symmetricActivations: z.boolean().optional(),
  /** true: scales and zero points must be constant (QUANT_SCALE_NOT_CONSTANT). */
  constantScales: z.boolean(),
  /** true: QDQ ops are accelerated only as complete DQ → op → Q node units (QUANT_INCOMPLETE_GROUP). */
  completeQdqGroups: z.boolean(),
  /** true: float tensors may appear only at graph inputs/outputs (FLOAT_IO). */
  floatIoOnlyAtEdges: z.boolean(),
  /**
   * The dtype a QDQ node unit's op is checked at against the rules' `dtypes`. `quantized` (default): the
   * runtime runs DQ → op → Q as one integer kernel (onnxruntime's QDQ transformers, NPU compilers), so the
   * op must have an integer kernel. `dequantized`: the runtime imports each ONNX node as it stands and fuses
   * Q/DQ itself afterwards where it can (TensorRT's explicit quantization): the op is checked at the
   * DequantizeLinear's float output, and one without an integer kernel runs in float between them.
   */
  unitOpDtype: z.strictObject({ checkedAt: z.enum(['quantized', 'dequantized']), source: SourceRefSchema, note: z.string().optional() }).optional(),
  source: SourceRefSchema,
  note: z.string().optional(),
});
export type Quantization = z.infer<typeof QuantizationSchema>;

/** Defaults applied to every node before its rule (e.g. the ORT checker's fixed-shape and rank limits). */
export const DefaultsSchema = z.strictObject({
  /** Applied to every present input of every node. */
  inputs: TensorConditionSchema.omit({ index: true }).optional(),
  outputs: TensorConditionSchema.omit({ index: true }).optional(),
  unverifiable: z.array(UnverifiableSchema).optional(),
  source: SourceRefSchema,
});

export const RuntimeSchema = z.strictObject({
  name: z.enum(['onnxruntime', 'tensorrt', 'rknn', 'tflite', 'tflite-micro']),
  version: z.string().min(1),
  /** ORT execution provider (`NNAPI`, `CoreML`, `QNN`, `CPU`, ...). */
  executionProvider: z.string().optional(),
  /** EP/delegate options that matter (e.g. `ModelFormat: MLProgram`, `backend_path: libQnnHtp.so`). */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** TFLite delegate or NPU driver (`edgetpu`, `ethos-u`, `cmsis-nn`). */
  delegate: z.string().optional(),
  /** true: the runtime applies ORT's basic-level graph rewrites before partitioning, so the engine places that graph. */
  appliesOrtBasicRewrites: z.boolean(),
  source: SourceRefSchema,
});

/**
 * The machine the profile describes, as a process on it sees itself: `process.platform`, `process.arch` and
 * the CPU identification of /proc/cpuinfo. Parity and calibration compare it with the host they run on, so a
 * measurement made elsewhere is never reported under this device's name (src/runtime/host-match.ts).
 */
export const PlatformSchema = z.strictObject({
  /** `process.platform` values of the device's OS. */
  os: z.array(z.enum(['linux', 'android', 'darwin', 'win32'])).min(1),
  /** `process.arch` of the device. */
  arch: z.enum(['arm64', 'arm', 'x64']),
  cpu: z
    .strictObject({
      /** Core names, for messages (`Cortex-A72`). */
      cores: z.array(z.string().min(1)).min(1),
      /** Arm MIDR implementer as /proc/cpuinfo prints it (`0x41` = Arm Ltd). */
      implementer: z.string().regex(/^0x[0-9a-fA-F]{2}$/, 'expected 0xNN').optional(),
      /** Arm MIDR part numbers (`CPU part`), one per core type; every part a host reports must be listed. */
      parts: z.array(z.string().regex(/^0x[0-9a-fA-F]{3}$/, 'expected 0xNNN')).min(1).optional(),
      /** x86 feature flags (/proc/cpuinfo `flags`) the runtime's kernels need on the device. */
      flags: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  source: SourceRefSchema,
  note: z.string().optional(),
});
export type Platform = z.infer<typeof PlatformSchema>;

/** One ONNX op → TFLite builtin(s) alternative. The first alternative whose `when` holds is used. */
export const OpMappingSchema = z.strictObject({
  /**
   * The builtins the op becomes, in order. Every one must be supported for the node to be accelerated.
   * `[]`: the converter removes the op (Identity, Dropout), so it never blocks acceleration.
   */
  builtins: z.array(z.string().min(1)).optional(),
  when: WhenSchema.optional(),
  /** The converter's output cannot be predicted: the node is `unknown` (reason CONVERSION) with this text. */
  unknown: z.string().min(1).optional(),
  note: z.string().optional(),
  source: SourceRefSchema.optional(),
}).refine((m) => m.builtins !== undefined || m.unknown !== undefined, {
  message: 'a mapping needs `builtins` or `unknown`',
});
export type OpMapping = z.infer<typeof OpMappingSchema>;

/** How an ONNX model reaches a target that does not take ONNX (Coral, Ethos-U, TFLite Micro). */
export const ConversionSchema = z.strictObject({
  /** Converter, e.g. `onnx2tf`. */
  tool: z.string().min(1),
  version: z.string().min(1),
  layout: z.enum(['NHWC', 'NCHW']),
  format: z.enum(['tflite']),
  /** How quantization happens (e.g. full-integer post-training quantization in the converter). */
  quantization: z.string().optional(),
  /** Target compiler run after conversion (`edgetpu_compiler`, `vela`). */
  compiler: z.strictObject({ tool: z.string().min(1), version: z.string().min(1), source: SourceRefSchema }).optional(),
  source: SourceRefSchema,
  /** ONNX op (`Conv`, or `com.microsoft:QLinearAdd`) → alternatives. An op missing here is not convertible (OP_NOT_LISTED). */
  opMap: z.record(z.string().min(1), z.array(OpMappingSchema).min(1)),
});
export type Conversion = z.infer<typeof ConversionSchema>;

/** Parity: where the per-layer comparison runs. */
export const ParitySchema = z.strictObject({
  runtime: z.enum(['onnxruntime-cpu', 'external']),
  runnerLabels: z.array(z.string().min(1)),
  note: z.string().optional(),
});

/**
 * The onnxruntime mobile-usability checker's view of this target, so the engine's op-names-only mode can
 * reproduce it exactly ("agreement with ORT's checker").
 */
export const CheckerSchema = z.strictObject({
  /** Section name the checker prints (`NNAPI`, `CoreML MLProgram`). */
  target: z.string().min(1),
  /** The md table the checker reads. */
  table: SourceRefSchema,
  /** The checker requires every input to have a fixed shape. */
  requireFixedInputShapes: z.boolean(),
  /** The checker's max input rank, or null when unlimited. */
  maxInputRank: z.int().min(1).nullable(),
  /** Ops whose table key is spelled differently, so the checker never matches them (e.g. ArgMax → `Argmax`). */
  tableSpellings: z.record(z.string(), z.string()).optional(),
});

// ---------------------------------------------------------------------------------------------------
// Hardware
// ---------------------------------------------------------------------------------------------------

/**
 * A hardware figure with its provenance. `estimate: true` marks a value derived rather than read, and then
 * `reasoning` must say how (the source is then the basis of the estimate).
 */
export const FigureSchema = z
  .strictObject({
    value: z.number().min(0),
    source: SourceRefSchema,
    estimate: z.boolean().optional(),
    reasoning: z.string().optional(),
    note: z.string().optional(),
  })
  .refine((f) => f.estimate !== true || (f.reasoning !== undefined && f.reasoning.length > 0), {
    message: 'an estimate needs `reasoning`',
    path: ['reasoning'],
  });
export type Figure = z.infer<typeof FigureSchema>;

export const ComputeUnitSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
  kind: z.enum(['cpu', 'npu', 'gpu', 'dsp']),
  name: z.string().min(1),
  cores: FigureSchema.optional(),
  clockHz: FigureSchema,
  /** Peak multiply-accumulates per second for the whole unit, per arithmetic type. */
  peakMacsPerSecond: z.partialRecord(z.enum(COMPUTE_DTYPES), FigureSchema),
  /** Sustained bandwidth to the memory this unit reads activations/weights from. */
  memoryBandwidthBytesPerSecond: FigureSchema,
  /**
   * Bandwidth of the unit's on-chip memory (NPU SRAM, TCM/VTCM) where its compiler keeps the activations
   * between layers. When present, activation traffic is charged at it instead of
   * `memoryBandwidthBytesPerSecond` (which then describes the off-chip path weights stream over), and so are
   * weights inside `hardware.acceleratorWeightCacheBytes`. Absent: everything at `memoryBandwidthBytesPerSecond`.
   */
  onChipBandwidthBytesPerSecond: FigureSchema.optional(),
  /**
   * Signed int8 activations on a runtime without s8s8 kernels for these ONNX ops (onnxruntime's CPU EP on
   * x86-64: `Conv`, `MatMul`). Such a runtime first turns int8 Q -> DQ pairs into uint8 where the Q has a
   * single DQ reader; a QDQ unit whose activations then still mix types, or stay int8 for one of `ops`, is
   * not fused and runs as DequantizeLinear -> float op -> QuantizeLinear. Absent: signed units fuse like
   * unsigned ones (ARM).
   */
  signedInt8Unfused: z.strictObject({ ops: z.array(z.string().min(1)).min(1), source: SourceRefSchema, note: z.string().optional() }).optional(),
  /**
   * The arithmetic float nodes run in on this unit when the runtime converts them (QNN HTP runs float
   * graphs as fp16; NNAPI drivers relax fp32 to fp16): their peak, efficiency and bytes are those of `dtype`.
   * Absent: float nodes compute in fp32.
   */
  floatComputeDtype: z.strictObject({ dtype: z.enum(['float16', 'bfloat16']), source: SourceRefSchema, note: z.string().optional() }).optional(),
  /**
   * Last-level cache shared by the unit's cores, and the bandwidth it sustains. A node whose activations
   * (inputs and outputs together) fit in `cacheBytes` reads and writes them at `cacheBandwidthBytesPerSecond`
   * instead of `memoryBandwidthBytesPerSecond`: the producer has just written them. Absent: DRAM for all.
   */
  cacheBytes: FigureSchema.optional(),
  cacheBandwidthBytesPerSecond: FigureSchema.optional(),
  /**
   * The level-2 cache of one core (x86 servers: its own; Cortex-A boards: the cluster's, often the last
   * level). Calibrated kernel curves are timed with their weights hot in it; in a model whose weights do not
   * all fit in it, every layer's weights come back from the shared cache or DRAM on each inference, at about
   * `memoryBandwidthBytesPerSecond` (a shared L3 holds other layers', activations and other tenants' data).
   * Written by `calibrate --kernels`; absent: `cacheBytes` decides.
   */
  coreCacheBytes: FigureSchema.optional(),
  /**
   * Per compute dtype, what a kernel timed by a calibrated curve pays on top when its weights come from DRAM instead of the
   * core's cache (a model whose weights outgrow `coreCacheBytes`): `perKernelUs` + `perMebibyteUs` × its
   * weights in MiB, the part of the stream its arithmetic does not hide; below `fromMebibytes` (the smallest
   * weights measured) that falls in proportion to the weights, to nothing at none. Written by
   * `calibrate --kernels` from chains of convolutions with 48 MiB of weights against each convolution alone;
   * absent: none.
   */
  coldWeightStall: z.partialRecord(z.enum(COMPUTE_DTYPES), z.strictObject({ perKernelUs: FigureSchema, perMebibyteUs: FigureSchema, fromMebibytes: FigureSchema })).optional(),
  /** Fixed cost per node (dispatch, kernel launch). */
  perNodeOverheadUs: FigureSchema,
  /** Fraction of peak reached per op class and dtype (0..1]; the cost model calibrates these. */
  efficiency: z.partialRecord(z.enum(OP_CLASSES), z.partialRecord(z.enum(COMPUTE_DTYPES), FigureSchema)),
});
export type ComputeUnit = z.infer<typeof ComputeUnitSchema>;

export const TransferSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  bytesPerSecond: FigureSchema,
  fixedUs: FigureSchema,
});

export const HardwareSchema = z.strictObject({
  /** Board/SoC in one line. */
  summary: z.string().min(1),
  units: z.array(ComputeUnitSchema).min(1),
  /** Unit id that `accelerated` nodes run on. */
  acceleratorUnit: z.string().min(1),
  /** Unit id that `cpu-fallback` nodes run on. */
  fallbackUnit: z.string().min(1),
  ramBytes: FigureSchema,
  /**
   * SRAM on the accelerator that caches weights (Edge TPU: 8 MB). Weights beyond it are streamed from host
   * memory on every inference. Absent when the accelerator reads weights from shared DRAM.
   */
  acceleratorWeightCacheBytes: FigureSchema.optional(),
  /** Flash (MCU) or storage available for the model. */
  storageBytes: FigureSchema,
  transfers: z.array(TransferSchema),
  /** Activation planner of the runtime: TFLM-style greedy-by-size, or ORT's BFC arena. */
  memoryPlanner: z.enum(['greedy', 'ort-arena']),
  /** true: weights are copied into RAM (ORT, TensorRT); false: read in place from flash (TFLM). */
  weightsInRam: z.boolean(),
  /** RAM the runtime itself needs beyond activations and weights. */
  runtimeOverheadBytes: FigureSchema,
  /** Runtime code size that counts against storage/flash. */
  runtimeBinaryBytes: FigureSchema,
  /**
   * Fixed cost of one inference call beyond its nodes (the runtime's graph execute, an NPU's remote call
   * and graph I/O handling), from a public measurement. Absent: none (calibration may fit one).
   */
  perInferenceOverheadUs: FigureSchema.optional(),
});
export type Hardware = z.infer<typeof HardwareSchema>;

export const NoteSchema = z.strictObject({ text: z.string().min(1), source: SourceRefSchema.optional() });

/**
 * A rewrite suggestion for an op that has no rule (or fails its rule), e.g. CoreML `Pad(mode=reflect)` ->
 * Slice + Concat. Shown beside a node that is not accelerated when its op matches, `when` holds and its reason
 * is in `reasons` (default: any), unless the failing rule or condition has its own `hint`.
 */
export const HintSchema = z.strictObject({
  /** ONNX op (`Pad`, or `com.microsoft:FusedConv` for other domains). */
  op: z.string().min(1),
  when: WhenSchema.optional(),
  reasons: z.array(z.enum(REASON_CODES)).min(1).optional(),
  hint: z.string().min(1),
  source: SourceRefSchema,
});
export type Hint = z.infer<typeof HintSchema>;

// ---------------------------------------------------------------------------------------------------
// Calibration (written by `edgegate calibrate`, owned by src/cost/)
// ---------------------------------------------------------------------------------------------------

/**
 * One kernel variant's efficiency curve (`edgegate calibrate --kernels`, src/cost/kernel-curves.ts): the
 * grid points as [feature..., efficiency], features being log2 sizes named in `features`.
 */
export const KernelCurveSchema = z.strictObject({
  /** `<opClass>/<dtype>/<variant>`, e.g. `conv/float/k1`, `elementwise/float/Sigmoid`. */
  key: z.string().min(1),
  features: z.array(z.string().min(1)).min(1),
  /** Grid points as [feature..., efficiency]; with `coefficients`, the efficiency net of `fixedUs`. */
  points: z.array(z.array(z.number()).min(2)).min(1),
  /** Leave-one-out log-space error of the curve on its own points. */
  sigma: z.number().min(0),
  /** Fixed cost per kernel call, µs (src/cost/curve-fit.ts). */
  fixedUs: z.number().min(0).optional(),
  /** ln efficiency = c₀ + Σ cⱼ·featureⱼ (then each point's residual near it); absent: points only (older calibrations). */
  coefficients: z.array(z.number()).min(2).optional(),
  /** The rate efficiencies are relative to: peak MAC/s, or bytes/s for data movement (default: the unit's figure). */
  rate: z.number().positive().optional(),
  /**
   * In-network correction of this variant: measured ÷ curve time of its kernels in the generated networks
   * and whole models that joined the calibration (1 when they do not exercise it).
   */
  context: z.number().positive().optional(),
});
export type KernelCurve = z.infer<typeof KernelCurveSchema>;

/** Per unit id: the kernel curves and what the calibration run recorded about them. */
export const KernelCalibrationSchema = z.strictObject({
  /** Grid size and where it ran (`full`, `small`; host or an edge runner). */
  grid: z.string().min(1),
  /** Micro-models timed. */
  cases: z.number().int().min(0),
  /** Wall-clock seconds the grid took to time. */
  seconds: z.number().min(0).optional(),
  /**
   * One correction of every curve from whole-model measurements, written by calibrations before per-variant
   * corrections (`curves[].context`); still applied when present, no longer written.
   */
  scale: z.number().positive().optional(),
  /**
   * The speed sentinel's record of a host timing (src/cost/quiet.ts): a grid kernel read before and after every
   * sample; samples taken while it read more than `tolerance` above its fastest reading ran on a disturbed
   * machine, and cases without an undisturbed sample were timed again (`extraRounds`).
   */
  quiet: z
    .strictObject({
      sentinel: z.string().min(1),
      floorMs: z.number().positive(),
      tolerance: z.number().min(0),
      samples: z.number().int().min(0),
      disturbed: z.number().int().min(0),
      extraRounds: z.number().int().min(0),
      withoutQuietSample: z.array(z.string()),
    })
    .optional(),
  curves: z.array(KernelCurveSchema),
});

/**
 * Where a calibrated profile's hardware figures came from: the measured models, the runtime that ran
 * them, and the spread the fit left, which the cost model turns into its low–high range.
 */
export const CalibrationSchema = z.strictObject({
  /** Date of the measurements (YYYY-MM-DD). */
  date: isoDate,
  /** Tool and version that fitted the figures, e.g. `edgegate 0.1.0`. */
  tool: z.string().min(1),
  /** The runtime that produced the measurements. */
  runtime: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  /** CPU/board the measurements ran on, as the OS reports it. */
  host: z.string().optional(),
  /**
   * Set when the measurements are not the profile's runtime on the device (e.g. other runtimes' published
   * figures for the board): what they are, in a line. Every estimate on the profile lists it among its
   * assumptions.
   */
  proxy: z.string().min(1).optional(),
  /** Fitting method in one line (e.g. `nnls-per-class v1`). */
  method: z.string().min(1),
  models: z
    .array(
      z.strictObject({
        file: z.string().min(1),
        sha256: z.string().optional(),
        measuredMs: z.number().min(0),
        /** The calibrated profile's own estimate for it (in-sample). */
        estimatedMs: z.number().min(0).optional(),
        /** Share of profiled kernel time mapped back to source nodes. */
        coverage: z.number().min(0).max(1).optional(),
      }),
    )
    .min(1),
  /** Fixed cost per inference call outside the kernels (session run overhead). */
  perInferenceOverheadUs: z.number().min(0).optional(),
  /**
   * Fitted bandwidth for activation traffic per unit id (bytes/s). Activations of one layer often stay in
   * a cache while weights stream from DRAM at `memoryBandwidthBytesPerSecond`; absent = the same figure.
   */
  activationBandwidthBytesPerSecond: z.record(z.string(), z.number().positive()).optional(),
  /** Log-space standard deviation of the fitted efficiency, per unit id → op class → dtype. */
  uncertainty: z.record(z.string(), z.partialRecord(z.enum(OP_CLASSES), z.partialRecord(z.enum(COMPUTE_DTYPES), z.number().min(0)))),
  /** Log-space spread of the per-node overhead, per unit id. */
  overheadSigma: z.record(z.string(), z.number().min(0)).optional(),
  /** Log-space spread of whole-model estimates over the calibration models (in-sample residual). */
  residualSigma: z.number().min(0),
  /** Per-kernel efficiency curves by shape, per unit id (`calibrate --kernels`). */
  kernels: z.record(z.string(), KernelCalibrationSchema).optional(),
  /**
   * The figures as they were before any calibration replaced them, per unit id (only those it replaced), so
   * a calibration can be undone or redone from the original figures (`uncalibrated` in src/cost/calibrate.ts;
   * bench/cost-public.ts fits its held-out architectures from these, never from a fit that saw them).
   */
  priors: z
    .record(
      z.string(),
      z.strictObject({
        efficiency: z.partialRecord(z.enum(OP_CLASSES), z.partialRecord(z.enum(COMPUTE_DTYPES), FigureSchema)).optional(),
        memoryBandwidthBytesPerSecond: FigureSchema.optional(),
        perNodeOverheadUs: FigureSchema.optional(),
      }),
    )
    .optional(),
  /**
   * Set when the calibration ran on a machine that does not match the profile's declared platform
   * (`--force`): what the host was and what the profile declares.
   */
  forced: z.strictObject({ host: z.string().min(1), reason: z.string().min(1) }).optional(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

// ---------------------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------------------

export const DeviceProfileSchema = z.strictObject({
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  /** kebab-case; shipped profiles: equals the file name. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
  name: z.string().min(1),
  description: z.string().min(1),
  runtime: RuntimeSchema,
  /** The machine a process on the device runs on (parity and calibration check the host against it). */
  platform: PlatformSchema.optional(),
  conversion: ConversionSchema.optional(),
  checker: CheckerSchema.optional(),
  notes: z.array(NoteSchema).optional(),
  /** Named sources that `source: <id>` refers to. */
  sources: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'), SourceSchema).optional(),
  partition: PartitionSchema,
  verdict: VerdictSchema,
  /** Model opset range per domain (`ai.onnx`, `com.microsoft`, ...). Outside it: every node OPSET. */
  opset: z.record(z.string().min(1), OpsetRangeSchema).optional(),
  /**
   * Dtypes the runtime casts down before any rule sees them (TensorRT: INT64 → INT32, DOUBLE → FLOAT). A
   * `dtypes` condition that allows the target dtype passes a tensor of the source dtype.
   */
  dtypeCasts: z
    .strictObject({
      map: z.partialRecord(z.enum(DTYPES), z.enum(DTYPES)),
      note: z.string().optional(),
      source: SourceRefSchema,
    })
    .optional(),
  defaults: DefaultsSchema.optional(),
  quantization: QuantizationSchema,
  rules: z.array(OpRuleSchema),
  /** Rewrite suggestions for ops without a rule or failing it (see HintSchema). */
  hints: z.array(HintSchema).optional(),
  hardware: HardwareSchema,
  parity: ParitySchema,
  /** Present in calibrated profiles (`edgegate calibrate`). */
  calibration: CalibrationSchema.optional(),
});

/** A validated device profile (`z.infer` of the schema, after defaults). */
export type DeviceProfile = z.infer<typeof DeviceProfileSchema>;
