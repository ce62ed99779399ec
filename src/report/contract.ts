/**
 * The report contract: every object EdgeGate writes for a reader (the JSON report of `edgegate check` and
 * of the action, its baseline comparison and gate decision, and the parity `result.json`) as zod schemas.
 * The TypeScript types are derived from them (`z.infer`), docs/report-schema.json is generated from them
 * (scripts/gen-report-schema.ts), and readers validate artifacts with them (src/report/schema.ts).
 *
 * Every object is strict: a field the code writes must be declared and described here, and the JSON
 * schema allows no other. To add a field, add it here (with its description) and regenerate the schema.
 * A value that cannot be known is `null`, with a reason beside it (`unknownReason`, or
 * `costUnknownReason` for the cost model's device fields). This module imports no other stage.
 */
import { z } from 'zod';
import { RESULT_MAX_ROWS } from '../limits.js';
import { REASON_CODES } from '../profiles/schema.js';

/** Version of the JSON report; fields are only ever added within a version. */
export const REPORT_SCHEMA_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------
// Building blocks. Each takes the field's description so no field goes undocumented.

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });
/** A non-negative integer count. */
const count = (description: string) => d(z.int().min(0), description);
/** A size in bytes (non-negative integer). */
const bytes = (description: string) => d(z.int().min(0), description);
/** A finite number of milliseconds. */
const ms = (description: string) => d(z.number().min(0), description);
/** A share between 0 and 1. */
const fraction = (description: string) => d(z.number().min(0).max(1), description);
const str = (description: string) => d(z.string(), description);
const nonEmpty = (description: string) => d(z.string().min(1), description);

/** Placements a node can get. */
export const PLACEMENTS = ['accelerated', 'cpu-fallback', 'unsupported', 'unknown'] as const;
/** Device verdicts. */
export const DEVICE_VERDICTS = ['pass', 'warn', 'fail', 'error'] as const;
/** Budget verdicts. */
export const BUDGET_VERDICTS = ['pass', 'fail', 'unknown', 'waived'] as const;
/** Quantization schemes the engine classifies (src/profiles/placement.ts `QuantizationScheme`). */
export const QUANT_SCHEMES = ['float32', 'float16', 'qdq', 'qoperator', 'dynamic', 'mixed'] as const;
/** Gate verdicts (the `verdict` output). */
export const GATE_VERDICTS = ['pass', 'fail', 'error', 'not-run'] as const;
/** How a model file changed in a PR. */
export const MODEL_CHANGE_KINDS = ['added', 'modified', 'renamed', 'deleted', 'unchanged'] as const;

// ---------------------------------------------------------------------------------------------------------
// Errors and warnings

/** One error of the run (bad model, bad profile, bad config, missing baseline). */
export const ReportErrorSchema = z
  .strictObject({
    code: nonEmpty('Stable machine code, e.g. `TRUNCATED`, `EMPTY_FILE`, `LFS_POINTER`, `PROFILE_NOT_FOUND`, `PROFILE_INVALID`, `CONFIG_INVALID`, `BASELINE_UNAVAILABLE`.'),
    file: str('The file the error is about (model, external data, profile, config): repo-relative where possible, else as given. `.` for errors about the repository as a whole.'),
    fieldPath: str('Dotted/indexed path inside that file, e.g. `graph.node[3].input[1]` or `rules[2].when.dtype`. Absent when the error is about the whole file.').optional(),
    message: str('One line for a human; it names the file and the reason.'),
  })
  .meta({ id: 'ReportError', description: 'An error that stopped part of the run. The other models, devices and profiles are still checked.' });

/** An error about one model, repeated in that model's entry. */
export const ModelErrorSchema = z
  .strictObject({
    code: nonEmpty('Stable machine code, the same as in the top-level `errors[]` entry for this model.'),
    message: str('One line for a human; it names the file and the reason.'),
    fieldPath: str('Path inside the model file where the problem is, e.g. `graph.initializer[2].raw_data`. Absent when not about one field.').optional(),
  })
  .meta({ id: 'ModelError', description: 'Why this model could not be analyzed (also listed in the top-level `errors`).' });

/** A non-fatal finding of the graph analysis. */
export const AnalysisWarningSchema = z
  .strictObject({
    code: nonEmpty('Stable machine code, e.g. `VALUE_INFO_MISMATCH`, `UNUSED_DIM`.'),
    message: str('One line for a human.'),
    node: z
      .strictObject({
        index: count('Position of the node in `graph.node` of the source model.'),
        name: str('Node name (may be empty; names are not unique in ONNX).'),
        opType: str('ONNX op type, e.g. `Conv`.'),
      })
      .meta({ description: 'The node the warning is about. Absent for model-wide warnings.' })
      .optional(),
  })
  .meta({ id: 'AnalysisWarning', description: 'A non-fatal finding of the graph analysis (the numbers are still reported).' });

// ---------------------------------------------------------------------------------------------------------
// Devices

/** One node of the placed graph on one device. */
export const NodeReportSchema = z
  .strictObject({
    index: count('Position of the node in `graph.node` of the graph that was placed (`placedGraph`): the source model, or onnxruntime\'s basic-level optimized graph. Nodes are keyed by `index` and `name`.'),
    name: str('Node name (may be empty; names are not unique in ONNX).'),
    op: str('Op type, e.g. `Conv`, `QLinearConv`; fused nodes of the optimized graph carry the runtime\'s fused op name.'),
    placement: d(
      z.enum(PLACEMENTS),
      'Where the node runs: `accelerated` (on the device\'s accelerator or primary unit), `cpu-fallback` (supported only on the fallback unit, which splits partitions), `unsupported` (cannot run on this target at all), `unknown` (a condition of the rule could not be checked statically; never counted as supported).',
    ),
    reason: str(`Reason code of the deciding rule: \`OK\` when accelerated, else one of ${REASON_CODES.filter((c) => c !== 'OK').map((c) => `\`${c}\``).join(', ')}.`),
    detail: str('The condition that failed or decided, in words (e.g. which dtype or attribute). Absent when there is nothing to add.').optional(),
    hint: str('A rewrite suggestion from the profile rule (e.g. "use ReLU6 instead of HardSwish"). Absent when the rule has none.').optional(),
    sourceNodes: d(z.array(z.int().min(0)), 'Indices in the source model\'s `graph.node` this placed node stands for: one, or several when the runtime fused nodes (QDQ units, Conv+Relu).').optional(),
    rule: str('Id of the profile rule that decided (for rule tests and debugging). Absent when no rule matched.').optional(),
    latencyMs: d(
      z.number().min(0).nullable(),
      'Estimated time of this node on its unit, in milliseconds (0 for nodes folded into a neighbour\'s kernel). Null when the device\'s latency is unknown (see the device\'s `costUnknownReason`).',
    ).optional(),
    unit: str('Id of the compute unit the cost model ran the node on (profile `hardware.units[].id`, e.g. `cpu`, `npu`, `edgetpu`, `cmsis-nn`).').optional(),
  })
  .meta({ id: 'NodeReport', description: 'One node of the placed graph: where it runs, why, and what it costs.' });

/** The model's quantization as one device sees it. */
export const QuantizationReportSchema = z
  .strictObject({
    scheme: d(z.enum(QUANT_SCHEMES), 'Model-level scheme: `float32`, `float16`, `qdq` (QuantizeLinear/DequantizeLinear pairs), `qoperator` (QLinear* ops), `dynamic` (DynamicQuantizeLinear / MatMulInteger), or `mixed`.').optional(),
    activationDtypes: d(z.array(z.string()), 'Dtypes of quantized activations (e.g. `uint8`, `int8`); empty for float models.').optional(),
    weightDtypes: d(z.array(z.string()), 'Dtypes of quantized weights (e.g. `int8`, `int4`); empty for float models.').optional(),
    weightGranularity: d(z.array(z.string()), '`per-tensor`, `per-channel`, or both; empty for float models.').optional(),
    symmetricWeights: d(z.boolean().nullable(), 'True when every weight zero point is 0. Null when the model has no quantized weights or a zero point is not constant.').optional(),
    quantizedNodeShare: fraction('Quantized compute nodes ÷ all compute nodes (0 for float models).').optional(),
    accepted: d(z.boolean(), 'Whether the target accepts this scheme as it is (full-integer targets reject float models, some reject per-channel or asymmetric weights).').optional(),
    message: str('The sentence a reviewer reads about the scheme and the target.').optional(),
    fix: str('When `accepted` is false: how to get a model the target takes, in the quantizer\'s words (an `onnxruntime.quantization.quantize_static(...)` call with the arguments this target needs, or the converter\'s own quantization step).').optional(),
  })
  .meta({ id: 'QuantizationReport', description: 'The model\'s quantization scheme and whether this device accepts it. Empty (`{}`) when the device `verdict` is `error`.' });

/** Latency with its range. */
export const LatencyRangeSchema = z
  .strictObject({
    estimate: ms('Estimated latency of one inference, in milliseconds (roofline per node + per-node overhead + transfers between partitions).'),
    low: d(
      z.number(),
      'Low end of the range, in milliseconds: the estimate shrunk by the figures\' uncertainty, minus the time nodes placed `unknown` would save on the accelerator. Should be ≥ 0 but the code can currently write a small negative value (reported inconsistency); readers should clamp at 0.',
    ),
    high: ms('High end of the range, in milliseconds.'),
  })
  .meta({ id: 'LatencyRange', description: 'Estimated latency of one inference in milliseconds, with a range from the uncertainty of the profile figures (≈95 % when errors are log-normal). See docs/cost-model.md.' });

const WaiverRefSchema = z
  .strictObject({
    reason: str('Why the waiver was granted (from `.edgegate.yml` `waivers[].reason`).'),
    expires: str('Last day the waiver applies, `YYYY-MM-DD` (inclusive).'),
  })
  .meta({ description: 'A config waiver.' });

/** One budget verdict. */
export const BudgetReportSchema = z
  .strictObject({
    name: d(z.string(), 'Which budget: `latency`, `ram`, `flash` or `acceleratedFraction`.'),
    limit: d(z.number().min(0), 'The limit, in `unit`.'),
    value: d(z.number().nullable(), 'The estimate compared with the limit, in `unit`. Null when the estimate is unknown (then `verdict` is `unknown` and `unknownReason` says why).'),
    unit: str('Unit of `limit`, `value` and `headroom`: `ms`, `bytes` or `fraction`.'),
    verdict: d(z.enum(BUDGET_VERDICTS), '`pass`, `fail`, `unknown` (value not known; never counted as passed), or `waived` (a failure covered by an active waiver, see `waivedBy`).'),
    headroom: d(z.number().nullable(), 'limit − value for `max` budgets, value − limit for `min` budgets, in `unit`; negative = over budget. Null when the value is unknown.').optional(),
    headroomPercent: d(z.number().nullable(), '`headroom` ÷ `limit` × 100. Null when the value is unknown or the limit is 0.').optional(),
    source: str('Where the limit came from (precedence: CLI flag / action input, then `.edgegate.yml`, then the profile default), e.g. `profile raspberry-pi-4 hardware.ramBytes`.').optional(),
    unknownReason: str('Why `value` is null. Present only when it is.').optional(),
    code: str('Finding code of a failure, the key waivers use: `BUDGET_LATENCY`, `BUDGET_RAM`, `BUDGET_FLASH`, `BUDGET_ACCELERATED_FRACTION`.').optional(),
    kind: d(z.enum(['max', 'min']), '`max`: the value must stay at or below the limit; `min` (accelerated fraction): at or above.').optional(),
    waivedBy: WaiverRefSchema.meta({ description: 'The active waiver that turned a failure into `waived`.' }).optional(),
    expiredWaivers: d(z.array(WaiverRefSchema), 'Matching waivers past their expiry date: reported, no longer waiving.').optional(),
  })
  .meta({ id: 'BudgetReport', description: 'One budget of one model on one device, with its verdict and headroom.' });

/** Saving if one non-accelerated node ran on the accelerator. */
export const WhatIfSchema = z
  .strictObject({
    index: count('Node index in the placed graph (as in `nodes[].index`).'),
    name: str('Node name.'),
    op: str('Op type.'),
    placement: d(z.enum(PLACEMENTS), 'The node\'s current placement (`cpu-fallback`, `unsupported` or `unknown`).'),
    reason: str('The node\'s reason code (as in `nodes[].reason`).'),
    currentMs: ms('Whole-model latency estimate now, in milliseconds (transfers included).'),
    acceleratedMs: ms('Whole-model latency estimate if this node alone ran on the accelerator, in milliseconds.'),
    savingMs: ms('currentMs − acceleratedMs, in milliseconds.'),
    savingFraction: d(z.number().min(0), 'savingMs ÷ the latency estimate. Only savings above 10 % are listed.'),
    nodeSpeedup: d(z.number().min(0).nullable(), 'This node\'s own time on the fallback unit ÷ on the accelerator. Null when the accelerated time is 0.'),
    hint: str('The profile rule\'s rewrite hint, shown beside the saving. Absent when the rule has none.').optional(),
  })
  .meta({ id: 'WhatIf', description: 'A CPU-fallback decision that costs more than 10 % of the estimated latency, and what accelerating that node would save.' });

/** Peak RAM breakdown. */
export const RamBreakdownSchema = z
  .strictObject({
    activationBytes: bytes('Peak of the activation arena from the target\'s memory planner, in bytes.'),
    weightBytes: bytes('Weights held in RAM, in bytes (0 when the target executes weights in place from flash).'),
    runtimeBytes: bytes('Runtime overhead from the profile (`hardware.runtimeOverheadBytes`), in bytes.'),
    loadTransientBytes: bytes('onnxruntime holds the model file while it creates initializers: the load peak is weights + file. 0 for other runtimes.'),
    planner: d(z.enum(['greedy', 'ort-arena']), 'The memory planner modelled: `greedy` (TFLM GreedyMemoryPlanner, by size) or `ort-arena` (onnxruntime\'s best-fit arena).'),
  })
  .meta({ id: 'RamBreakdown', description: 'How `peakRamBytes` is made up: max(activationBytes, loadTransientBytes) + weightBytes + runtimeBytes.' });

/** Flash breakdown. */
export const FlashBreakdownSchema = z
  .strictObject({
    weightBytes: bytes('Weights as stored on the target, in bytes (converted to the target dtype on full-integer targets).'),
    runtimeBytes: bytes('Runtime binary size from the profile (`hardware.runtimeBinaryBytes`), in bytes.'),
    weightDtype: str('`model` (weights as stored in the ONNX file) or the dtype the target converts weights to (e.g. `int8`).'),
  })
  .meta({ id: 'FlashBreakdown', description: 'How `flashBytes` is made up: weightBytes + runtimeBytes.' });

/** A tensor crossing between units. */
export const TransferSchema = z
  .strictObject({
    tensor: str('Tensor name.'),
    from: str('Compute unit id the tensor leaves.'),
    to: str('Compute unit id the tensor enters.'),
    bytes: bytes('Tensor size in bytes (0 when unknown).'),
    latencyMs: ms('Estimated transfer time, in milliseconds.'),
  })
  .meta({ id: 'Transfer', description: 'A tensor crossing between compute units or accelerator partitions, with its cost.' });

/** What the folding stage did to a model. */
export const FoldingReportSchema = z
  .strictObject({
    sourceNodes: count('Nodes of the model as stored (`graph.node`).'),
    nodesAfterFolding: count('Nodes left after folding.'),
    folded: count('Source nodes folded into constants (Constant nodes included).'),
    symbolicShapeNodes: count('Nodes left that only compute shapes from a tensor with a symbolic dim: not folded, since folding never guesses a dim.'),
    symbolicDims: d(z.array(z.string()), 'The symbolic dims those shape computations depend on (pin them with `--dim NAME=VALUE` or the config\'s `dims`).'),
    note: str('One sentence for the reader when shape computations stayed because of symbolic dims, with the `--dim` to add.').optional(),
  })
  .meta({ id: 'Folding', description: 'What the folding stage did: how many nodes every device\'s count starts from. Absent when the model could not be read.' });

/** One model on one device. */
export const DeviceReportSchema = z
  .strictObject({
    device: nonEmpty('Device profile id (e.g. `raspberry-pi-4`), or the path of a profile file given by path.'),
    verdict: d(
      z.enum(DEVICE_VERDICTS),
      'Compatibility verdict from the profile\'s thresholds: `pass`, `warn`, `fail` (unsupported nodes, too many partitions or too little accelerated), or `error` (placement failed; see `error`). Budgets have their own verdicts in `budgets[]`.',
    ),
    verdictReason: str('One line explaining the verdict (which thresholds were met or missed). Absent when `verdict` is `error`.').optional(),
    placedGraph: d(z.enum(['source', 'folded', 'ort-basic']), 'Which graph was placed and counted: `folded` (the model after constant and shape folding, what converters and engines see), `ort-basic` (folding plus onnxruntime\'s other basic-level rewrites, reproduced in TypeScript, for onnxruntime targets) or `source` (the model as stored). Absent when `verdict` is `error`.').optional(),
    partitions: count('Number of accelerator partitions (contiguous accelerated subgraphs). 0 when nothing is accelerated or `verdict` is `error`.'),
    countBasis: str('What `nodesTotal` counts, in words: the graph after folding constants and shape arithmetic (and, for onnxruntime targets, after its other basic rewrites), with the model\'s own node count (e.g. "16 nodes after folding, as onnx2tf sees them before it converts: constants and shape arithmetic folded (of the model\'s 51)"). Absent when `verdict` is `error`.').optional(),
    nodesTotal: count('Nodes in the placed graph (0 when `verdict` is `error`).'),
    nodesAccelerated: count('Nodes placed `accelerated`.'),
    nodesFallback: count('Nodes placed `cpu-fallback`. Absent when `verdict` is `error`.').optional(),
    nodesUnsupported: count('Nodes placed `unsupported`. Absent when `verdict` is `error`.').optional(),
    nodesUnknown: count('Nodes placed `unknown`. Absent when `verdict` is `error`.').optional(),
    macsAcceleratedFraction: d(
      z.number().min(0).max(1).nullable(),
      'MACs of accelerated nodes ÷ all MACs. Null when MACs are unknown (unpinned symbolic dims: see the model\'s `unknownReason` and the device\'s `costUnknownReason`), when the model has no MACs, or when `verdict` is `error`.',
    ),
    quantization: QuantizationReportSchema,
    nodes: d(z.array(NodeReportSchema), 'Every node of the placed graph, in `graph.node` order. Empty when `verdict` is `error`.'),
    latencyMs: LatencyRangeSchema.nullable()
      .meta({ description: 'Estimated latency of one inference. Null when it cannot be known: some node\'s work is unknown (unpinned symbolic dims) — see `costUnknownReason` — or the cost model failed — see `unknownReason`. Absent when `verdict` is `error`.' })
      .optional(),
    peakRamBytes: d(
      z.int().min(0).nullable(),
      'Estimated peak RAM in bytes (activations from the target\'s planner + weights in RAM + runtime overhead; see `ram`). Null when some activation size is unknown (`costUnknownReason`) or the cost model failed (`unknownReason`). Absent when `verdict` is `error`.',
    ).optional(),
    flashBytes: d(
      z.int().min(0).nullable(),
      'Estimated flash/storage in bytes (weights in the target dtype + runtime binary; see `flash`). Null only when the cost model failed (`unknownReason`). Absent when `verdict` is `error`.',
    ).optional(),
    budgets: d(z.array(BudgetReportSchema), 'One entry per budget that has a limit (latency, ram, flash, acceleratedFraction, in that order). RAM and flash default to the profile\'s hardware. Absent when `verdict` is `error`.').optional(),
    whatIf: d(z.array(WhatIfSchema), 'Fallback decisions that each cost more than 10 % of the estimate, largest saving first. Empty when latency is unknown or the target has one unit.').optional(),
    assumptions: d(
      z.array(z.strictObject({
        subject: str('What the assumption is about: a unit\'s figure (`npu efficiency conv/float16`), a transfer, a node.'),
        assumed: str('What the cost model used instead, and why.'),
      })),
      'Everything the cost model had to assume for a missing figure or an unknown placement; each widens the range. Shown as "assumed: …" on the device line. Empty when nothing was assumed.',
    ).optional(),
    costUnknownReason: str('Why `latencyMs` and/or `peakRamBytes` (and with them `nodes[].latencyMs`) are null. Present only when one of them is.').optional(),
    unknownReason: str('Why some of this device\'s values are null: the cost model failed (`cost estimate failed: …`), shapes depend on unpinned symbolic dims (then also `costUnknownReason`), or MACs are unknown (`macsAcceleratedFraction`). Absent when every value is known.').optional(),
    ram: RamBreakdownSchema.nullable().meta({ description: 'Breakdown of `peakRamBytes`. Null when `peakRamBytes` is (see `costUnknownReason`).' }).optional(),
    flash: FlashBreakdownSchema.nullable().meta({ description: 'Breakdown of `flashBytes`.' }).optional(),
    transfers: d(z.array(TransferSchema), 'Tensors crossing between compute units or accelerator partitions, with their cost.').optional(),
    error: str('Why placement failed. Present only when `verdict` is `error`.').optional(),
  })
  .meta({ id: 'DeviceReport', description: 'One model on one device profile: placement, cost and budgets.' });

// ---------------------------------------------------------------------------------------------------------
// Models

const DimSchema = z.union([z.int(), z.string(), z.null()]).meta({ description: 'A dimension: a size, a symbolic name (e.g. `batch`), or null when unknown.' });

/** One graph input. */
export const ModelInputSchema = z
  .strictObject({
    name: str('Input name.'),
    dtype: str('Element type name as elsewhere in the report (`float`, `uint8`, `int64`, `float16`, …); `undefined` when unknown.'),
    shape: d(z.array(DimSchema).nullable(), 'Shape after inference and pinning of symbolic dims. Null when even the rank is unknown.'),
  })
  .meta({ id: 'ModelInput', description: 'A graph input that is not an initializer.' });

/** Model-level facts, then one entry per device. */
export const ModelReportSchema = z
  .strictObject({
    path: nonEmpty('Model path: repo-relative with `/` where possible, else as given.'),
    sha256: d(z.string().regex(/^[0-9a-f]{64}$/).nullable(), 'SHA-256 of the model file (hex). Null when the model could not be read (see `errors`).'),
    fileSize: d(z.int().min(0).nullable(), 'Size of the model file in bytes (external data not included). Null when the model could not be read.'),
    irVersion: count('ONNX IR version. Absent when the model could not be read.').optional(),
    producer: str('`producer_name producer_version` from the file (may be empty). Absent when the model could not be read.').optional(),
    opsets: d(z.record(z.string(), z.int()), 'Opset imports: domain → version; the default domain is written `ai.onnx`. Absent when the model could not be read.').optional(),
    nodes: d(z.int().min(0).nullable(), 'Nodes in the main graph (`graph.node`). Null when the model could not be read.'),
    subgraphNodes: count('Nodes inside If/Loop/Scan bodies (recursive). Absent when the model could not be read.').optional(),
    nodesAfterFolding: count('Nodes left after the folding stage every device goes through: Constant nodes become tensors, and nodes computing only from constants or from the static shape of a tensor are evaluated away. Absent when the model could not be read.').optional(),
    folding: FoldingReportSchema.optional(),
    functions: count('Model-local functions. Absent when the model could not be read.').optional(),
    params: d(z.int().min(0).nullable(), 'Weight elements (parameters) of the model. Null when the model could not be read.'),
    macs: d(
      z.number().min(0).nullable(),
      'Multiply-accumulates of one inference (conv, gemm, matmul, recurrent layers: the count torchvision publishes as GFLOPS × 1e9). Null when some shape is unknown (unpinned symbolic dims) or the model could not be read; see `unknownReason`.',
    ),
    otherOps: d(z.number().min(0).nullable(), 'Other arithmetic operations of one inference (elementwise, pooling, normalization, activations). Null when some shape is unknown or the model could not be read; see `unknownReason`.'),
    weightBytes: d(z.int().min(0).nullable(), 'Bytes of the constant initializers as stored (sub-byte types packed). Null when the model could not be read.'),
    weightBytesByDtype: d(z.record(z.string(), z.int().min(0)), '`weightBytes` by dtype name (`float`, `int8`, `float16`, `int4`, …). Absent when the model could not be read.').optional(),
    activationBytes: d(z.int().min(0).nullable(), 'Sum of all non-constant tensor sizes, each activation once, in bytes. Null when some size is unknown; absent when the model could not be read.').optional(),
    peakActivationBytes: d(
      z.int().min(0).nullable(),
      'Peak activation arena in bytes from a greedy-by-size planner over tensor lifetimes (TFLM\'s GreedyMemoryPlanner). Null when some tensor size is unknown or the model could not be read; see `unknownReason`.',
    ),
    activationLowerBoundBytes: d(
      z.int().min(0).nullable(),
      'Largest sum of activations alive at one execution step, in bytes: a lower bound for any planner. Null when some tensor size is unknown or the model could not be read; see `unknownReason`.',
    ),
    inputs: d(z.array(ModelInputSchema), 'Graph inputs that are not initializers. Absent when the model could not be read.').optional(),
    pinnedDims: d(z.record(z.string(), z.int()), 'Symbolic dims pinned by `--dim NAME=VALUE` or the config\'s `dims`: name → value. Absent when the model could not be read.').optional(),
    errors: d(z.array(ModelErrorSchema), 'Why the model could not be analyzed. Empty when it was.'),
    devices: d(z.array(DeviceReportSchema), 'One entry per device profile checked, in the order given. Empty when the model could not be read.'),
    warnings: d(z.array(AnalysisWarningSchema), 'Non-fatal findings of the analysis. Absent when the model could not be read.').optional(),
    unknownReason: str('Why some of the model-level values above are null (unpinned symbolic dims with the `--dim` to add, uninferable shapes, or an unreadable model). Absent when none is.').optional(),
  })
  .meta({ id: 'ModelReport', description: 'One model file: facts from the graph analysis, then one entry per device.' });

// ---------------------------------------------------------------------------------------------------------
// Decide: the baseline comparison and the gate decision (src/gate/)

/** Conditions that can block a merge (the `fail-on` input). */
export const FAIL_ON_CONDITIONS = ['unsupported', 'budget', 'regression', 'parity', 'error'] as const;
export type FailOnCondition = (typeof FAIL_ON_CONDITIONS)[number];
export const REGRESSION_METRICS = ['latency', 'ram', 'flash', 'unsupported'] as const;
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

/** A model selected for checking, or reported as deleted. */
export const ModelChangeSchema = z
  .strictObject({
    path: nonEmpty('Repo-relative model path with `/`.'),
    kind: d(z.enum(MODEL_CHANGE_KINDS), 'How the file changed between base and head: `added`, `modified`, `renamed`, `deleted` (listed, never checked nor blocking), or `unchanged` (checked because every model counts as changed, e.g. the config or a profile changed, or on push).'),
    oldPath: str('Path at the base commit, for `renamed` models.').optional(),
  })
  .meta({ id: 'ModelChange', description: 'One model the action selected, with how it changed in the PR.' });
export type ModelChange = z.infer<typeof ModelChangeSchema>;
export type ModelChangeKind = ModelChange['kind'];

export const MetricDeltaSchema = z
  .strictObject({
    base: d(z.number().nullable(), 'Value at the base commit. Null when there is no baseline or it is unknown.'),
    head: d(z.number().nullable(), 'Value at the PR head. Null when unknown.'),
    delta: d(z.number().nullable(), 'head − base. Null when either side is null.'),
    ratio: d(
      z.union([z.number(), z.literal('Infinity')]).nullable(),
      '(head − base) ÷ base, e.g. 0.12 = +12 %. The string `"Infinity"` when base is 0 and head grew. Null when either side is null.',
    ),
  })
  .meta({ id: 'MetricDelta', description: 'A metric at base and at head.' });
export type MetricDelta = z.infer<typeof MetricDeltaSchema>;

export const NodeRefSchema = z
  .strictObject({
    index: count('Position in the placed graph.').optional(),
    name: str('Node name.'),
    op: str('Op type.'),
    placement: d(z.enum(PLACEMENTS), 'Placement of the node (at head; at base for removed nodes).'),
    reason: str('Reason code of the placement.'),
  })
  .meta({ id: 'NodeRef', description: 'A node of the placed graph, as the node diff names it.' });
export type NodeRef = z.infer<typeof NodeRefSchema>;

export const NODE_CHANGE_KINDS = ['added', 'removed', 'moved'] as const;

export const NodeChangeSchema = z
  .strictObject({
    change: d(z.enum(NODE_CHANGE_KINDS), '`added` (no matching base node), `removed` (no matching head node), or `moved` (matched, and its placement changed).'),
    node: NodeRefSchema.meta({ description: 'The node at head (at base for `removed`).' }),
    basePlacement: d(z.enum(PLACEMENTS), 'Placement at base. Absent for `added` nodes.').optional(),
    matchedBy: d(z.enum(['name', 'position']), 'How the base node was matched: by node name, or by op type and position among the nodes of that op (with the same inputs, when names are missing). Absent for `added` and `removed` nodes.').optional(),
  })
  .meta({ id: 'NodeChange', description: 'One node that differs between base and head on one device.' });
export type NodeChange = z.infer<typeof NodeChangeSchema>;

export const DEVICE_COMPARISON_STATUSES = ['compared', 'new', 'new-device'] as const;

export const DeviceComparisonSchema = z
  .strictObject({
    device: nonEmpty('Device profile id.'),
    status: d(z.enum(DEVICE_COMPARISON_STATUSES), '`compared`; `new` (the model is new in the PR: judged on its own, see the gate); `new-device` (the model had a baseline but not on this device, or its baseline was broken).'),
    latencyMs: MetricDeltaSchema.meta({ description: 'Estimated latency, milliseconds.' }),
    peakRamBytes: MetricDeltaSchema.meta({ description: 'Estimated peak RAM, bytes.' }),
    flashBytes: MetricDeltaSchema.meta({ description: 'Estimated flash, bytes.' }),
    acceleratedFraction: MetricDeltaSchema.meta({ description: 'Accelerated fraction 0..1 (MAC-weighted, else by node count); `delta` is in fraction points.' }),
    newUnsupported: d(
      z.array(NodeRefSchema),
      'Nodes newly off the accelerator (see docs/gate.md "Node diff"): matched nodes that ran on the accelerator at base and do not at head, and added nodes off the accelerator for a cause the base did not have. Empty unless `status` is `compared`.',
    ),
    removedUnsupported: d(z.array(NodeRefSchema), 'Nodes newly on the accelerator: matched nodes that were off the accelerator at base and are accelerated at head. Removed nodes are never listed here (see `nodeChanges`).'),
    nodeChanges: d(z.array(NodeChangeSchema), 'Every node added, removed, or matched with a different placement, in head order then removed ones. Empty unless `status` is `compared`.'),
  })
  .meta({ id: 'DeviceComparison', description: 'Head vs base for one model on one device.' });
export type DeviceComparison = z.infer<typeof DeviceComparisonSchema>;

export const MODEL_COMPARISON_STATUSES = ['compared', 'new', 'no-baseline'] as const;

export const ModelComparisonSchema = z
  .strictObject({
    path: nonEmpty('Repo-relative model path at head.'),
    change: ModelChangeSchema,
    status: d(
      z.enum(MODEL_COMPARISON_STATUSES),
      '`compared` (a baseline exists); `new` (a model added by the PR: there is nothing to regress from, so under `regression` its own device verdicts and budgets gate it); `no-baseline` (the base version is missing or broken: no deltas, nothing gated as a regression).',
    ),
    devices: d(z.array(DeviceComparisonSchema), 'One entry per device of the head report.'),
  })
  .meta({ id: 'ModelComparison', description: 'Head vs base for one model.' });
export type ModelComparison = z.infer<typeof ModelComparisonSchema>;

/** The baseline comparison of a PR. */
export const ComparisonSchema = z
  .strictObject({
    baseSha: str('The base commit compared against.'),
    models: d(z.array(ModelComparisonSchema), 'One entry per head model.'),
    removed: d(z.array(ModelChangeSchema), 'Models the PR deletes: listed, never blocking.'),
  })
  .meta({ id: 'Comparison', description: 'Head vs base of a pull request, per model × device. Present only when there is a base (pull requests; `edgegate check --base`).' });
export type Comparison = z.infer<typeof ComparisonSchema>;

export const FindingSchema = z
  .strictObject({
    condition: d(z.enum(FAIL_ON_CONDITIONS), 'The `fail-on` condition the finding belongs to.'),
    code: nonEmpty('Stable code, e.g. `LATENCY_REGRESSION`, `RAM_REGRESSION`, `NEW_UNSUPPORTED`, `BUDGET`, `UNSUPPORTED`, `DEVICE_VERDICT`, `MODEL_ERROR`.'),
    model: str('Model path the finding is about.').optional(),
    device: str('Device id the finding is about.').optional(),
    metric: d(z.enum(REGRESSION_METRICS), 'Regression metric (`latency`, `ram`, `flash`, `unsupported`).').optional(),
    message: str('Plain text (not escaped).'),
    newModel: d(z.literal(true), 'The model is new in the PR: its device verdict and budgets also block under `regression` (nothing to regress from, its verdict stands).').optional(),
    blockedUnder: d(z.enum(FAIL_ON_CONDITIONS), 'The `fail-on` condition under which it blocks (or was accepted): its own `condition`, or `regression` for a new model\'s device verdict or budget. Absent for notices and errors.').optional(),
    accepted: z
      .strictObject({
        by: d(z.enum(['label', 'waiver']), 'Accepted by the PR label or by a config waiver.'),
        reason: str('Why, as the comment shows it.'),
      })
      .meta({ description: 'Why the finding does not block although its condition is in `fail-on`.' })
      .optional(),
  })
  .meta({ id: 'Finding', description: 'One thing the gate found.' });
export type Finding = z.infer<typeof FindingSchema>;
export type Acceptance = NonNullable<Finding['accepted']>;

export type Verdict = (typeof GATE_VERDICTS)[number];

/** The gate decision. `blocking` and `errors` are kept apart so messages and outputs can say which. */
export const GateDecisionSchema = z
  .strictObject({
    verdict: d(z.enum(GATE_VERDICTS), '`pass`, `fail` (a gate condition blocked), `error` (configuration errors or broken models), `not-run` (nothing was checked against a device).'),
    failed: d(z.boolean(), 'True when the step failed: blocking findings, or errors with `error` in `fail-on`.'),
    failOn: d(z.array(z.enum(FAIL_ON_CONDITIONS)), 'The `fail-on` conditions the decision was made with (empty = never).'),
    blocking: d(z.array(FindingSchema), 'Gate failures: findings whose condition is in `fail-on` and that nobody accepted.'),
    errors: d(z.array(FindingSchema), 'Configuration errors and broken models (condition `error`).'),
    accepted: d(z.array(FindingSchema), 'Findings accepted by label or waiver.'),
    notices: d(z.array(FindingSchema), 'Findings whose condition is not in `fail-on`.'),
    remarks: d(z.array(z.string()), 'Expired waivers and similar remarks.'),
  })
  .meta({ id: 'GateDecision', description: 'The merge-gate decision, with every reason.' });
export type GateDecision = z.infer<typeof GateDecisionSchema>;

// ---------------------------------------------------------------------------------------------------------
// Parity result.json (one per model × device, written by `edgegate parity run`)

/** Version of result.json; bump on incompatible change. */
export const PARITY_RESULT_SCHEMA_VERSION = 1;

export const PARITY_VERDICTS = ['pass', 'fail', 'not-run', 'error'] as const;
export type ParityVerdict = (typeof PARITY_VERDICTS)[number];

/** Reason codes for `not-run` and `error` verdicts. */
export const PARITY_REASONS = [
  /** The device's accelerator runtime is not available and no external runtime is configured. */
  'EP_UNAVAILABLE',
  /** No result arrived (runner offline, job timeout, missing artifact). */
  'NO_RESULT',
  /** A result arrived but failed schema validation. */
  'INVALID_RESULT',
  /** The model on the device is not the one the reference was made from. */
  'MODEL_MISMATCH',
  /** The reference dump is missing or invalid. */
  'REFERENCE_INVALID',
  /** onnxruntime-node could not be loaded on the device. */
  'ORT_UNAVAILABLE',
  /** A runner failed (session creation, run, external command). */
  'RUNNER_FAILED',
  /** Parity was not requested for fork PRs (`allow-fork-parity: false`). */
  'FORK_PR',
  /** The host is not the device the profile describes (platform mismatch) and the run was not forced. */
  'HOST_MISMATCH',
  /** Anything else; see `detail`. */
  'INTERNAL',
] as const;
export type ParityReason = (typeof PARITY_REASONS)[number];

const num = z.number().nullable();

export const KernelRunSchema = z.strictObject({ op: z.string(), provider: z.string(), count: z.number().int().nonnegative() });

export const TensorResultSchema = z.strictObject({
  name: z.string(),
  /** Producing node index in the source graph, or null for graph inputs. */
  node: z.number().int().nullable(),
  /** Which pass the tensor comes from. */
  stage: z.enum(['production', 'localization']),
  dtype: z.string(),
  elements: z.number().int().nonnegative(),
  maxAbs: num,
  meanAbs: num,
  relL2: num,
  cosine: num,
  snrDb: num,
  rmseOverScale: z.number().optional(),
  atol: z.number(),
  rtol: z.number(),
  pass: z.boolean(),
  identical: z.boolean(),
  failing: z.number().int().nonnegative(),
  /** A graph output of the original model. */
  modelOutput: z.boolean(),
  reason: z.string().optional(),
});
export type TensorResult = z.infer<typeof TensorResultSchema>;

export const KernelResultSchema = z.strictObject({
  /** Target node index in the source graph. */
  index: z.number().int().nonnegative(),
  name: z.string(),
  op: z.string(),
  /** Position in topological order. */
  position: z.number().int().nonnegative(),
  unit: z.enum(['single', 'qdq']),
  /** All source node indices of the unit (DQs, target, Qs). */
  nodes: z.array(z.number().int().nonnegative()),
  maxAbs: num,
  rmseOverScale: z.number().optional(),
  failing: z.number().int().nonnegative(),
  pass: z.boolean(),
  /** Outputs compared (their worst is reported above). */
  outputs: z.array(z.string()),
  reason: z.string().optional(),
});
export type KernelResult = z.infer<typeof KernelResultSchema>;

export const PassInfoSchema = z.strictObject({
  optimization: z.enum(['all', 'disabled']),
  outputs: z.number().int().nonnegative(),
  compared: z.number().int().nonnegative(),
  failing: z.number().int().nonnegative(),
  /** Kernels the runtime reported running (ORT profile); empty when it cannot tell. */
  kernelsRun: z.array(KernelRunSchema),
  /** Tensors the runtime did not return (external runtimes may not expose fused intermediates). */
  missing: z.array(z.string()).default([]),
});

export const HostSchema = z.strictObject({
  arch: z.string(),
  platform: z.string(),
  cpu: z.string().nullable(),
  cpuFlags: z.array(z.string()),
  cores: z.number().int().nonnegative(),
  ortVersion: z.string().nullable(),
  node: z.string(),
  runtime: z.string(),
  cpufreq: z
    .strictObject({ governor: z.string().nullable(), curKHz: z.number().nullable(), minKHz: z.number().nullable(), maxKHz: z.number().nullable() })
    .nullable()
    .default(null),
  throttling: z.strictObject({ source: z.string(), value: z.string() }).nullable().default(null),
  temperatureC: z.number().nullable().default(null),
  /** Set when a user-mode emulator ran the process (`qemu-user cortex-a72`): numerics of that core, not its timings. */
  emulated: z.string().optional(),
});
export type HostFacts = z.infer<typeof HostSchema>;

export const ParityResultSchema = z.strictObject({
  schemaVersion: z.literal(PARITY_RESULT_SCHEMA_VERSION),
  model: z.string(),
  modelSha256: z.string().nullable().default(null),
  device: z.string(),
  verdict: z.enum(PARITY_VERDICTS),
  reason: z.enum(PARITY_REASONS).optional(),
  detail: z.string().optional(),
  firstDivergingNode: z.strictObject({ index: z.number().int(), name: z.string(), op: z.string() }).nullable(),
  worstTensor: z.strictObject({ name: z.string(), stage: z.string(), maxAbs: num, pass: z.boolean() }).nullable().default(null),
  kernelsFailing: z.number().int().nonnegative().default(0),
  kernelsSkipped: z.array(z.strictObject({ index: z.number().int(), op: z.string(), reason: z.string() })).default([]),
  /**
   * `OUTPUT_DRIFT`: a quantized model output is out of tolerance while every kernel is within it
   * (accumulated quantization drift; not a failure).
   */
  warnings: z.array(z.enum(['OUTPUT_DRIFT'])).default([]),
  tensors: z.array(TensorResultSchema).max(RESULT_MAX_ROWS),
  kernels: z.array(KernelResultSchema).max(RESULT_MAX_ROWS),
  passes: z.strictObject({
    production: PassInfoSchema.optional(),
    localization: PassInfoSchema.optional(),
    isolation: z.strictObject({ units: z.number().int(), skipped: z.number().int(), optimization: z.enum(['all', 'disabled']) }).optional(),
  }),
  latencyMs: z.strictObject({ median: z.number(), runs: z.number().int().positive(), warmup: z.number().int().nonnegative(), samples: z.array(z.number()) }).nullable(),
  profile: z
    .strictObject({ source: z.string(), nodes: z.array(z.strictObject({ index: z.number(), name: z.string(), op: z.string(), provider: z.string(), meanUs: z.number() })) })
    .nullable()
    .default(null),
  host: HostSchema.nullable(),
  tolerances: z.record(z.string(), z.strictObject({ atol: z.number(), rtol: z.number() })).optional(),
  createdAt: z.string().optional(),
  /** The host compared with the device profile's declared platform (absent: no profile, or an external runtime). */
  hostMatch: z
    .strictObject({ status: z.enum(['match', 'mismatch']), reasons: z.array(z.string()), emulated: z.string().nullable(), summary: z.string() })
    .optional(),
  /** The host did not match the device and the run was forced (`--force`, `parity-force`): not the device's result. */
  forced: z.literal(true).optional(),
}).meta({
  id: 'ParityResult',
  title: 'EdgeGate parity result.json',
  description: 'The file `edgegate parity run` writes, one per model × device. Fields with defaults may be absent.',
});
export type ParityResult = z.infer<typeof ParityResultSchema>;

/** One cell of the parity matrix. */
export const ParityCellSchema = z
  .strictObject({
    model: nonEmpty('Repo-relative model path.'),
    device: nonEmpty('Device profile id.'),
    runsOn: d(z.array(z.string().min(1)).min(1), 'The `runs-on` labels of the edge runner.'),
  })
  .meta({ description: 'One cell of the parity matrix.' });
export type ParityCell = z.infer<typeof ParityCellSchema>;

/** The check job's plan: cells sent to runners, and cells decided at once (not-run or error). */
export const ParityPlanSchema = z
  .strictObject({
    schemaVersion: d(z.literal(1), 'Version of the plan format.'),
    cells: d(z.array(ParityCellSchema), 'Model × device cells sent to edge runners (the `parity-matrix` output).'),
    /** Results known without a runner: EP_UNAVAILABLE, FORK_PR, offline runners, reference errors. */
    decided: d(z.array(ParityResultSchema), 'Results known without a runner (`not-run` or `error`: EP_UNAVAILABLE, FORK_PR, offline runners, reference errors).'),
    references: d(
      z.array(
        z.strictObject({
          model: str('Repo-relative model path.'),
          artifact: str('Artifact name of the reference dump.'),
          bytes: bytes('Size of the dump in bytes.'),
          tensors: count('Tensors in the dump.'),
        }),
      ),
      'Reference dumps uploaded for the runners, one per model.',
    ),
    notes: d(z.array(z.string()), 'Remarks for the parity section of the comment.'),
  })
  .meta({ id: 'ParityPlan', description: 'Action only (check job with parity): the parity plan the report job completes.' });
export type ParityPlan = z.infer<typeof ParityPlanSchema>;

// ---------------------------------------------------------------------------------------------------------
// The report

/** A device profile used by the run. */
export const DeviceRefSchema = z
  .strictObject({
    id: nonEmpty('Profile id, as in `models[].devices[].device`.'),
    name: str('Human name of the device and runtime.'),
    file: str('`device-profiles/<id>` for shipped profiles, else the profile file path.'),
  })
  .meta({ id: 'DeviceRef', description: 'A device profile that loaded.' });

/** The whole report. */
export const ReportSchema = z
  .strictObject({
    schemaVersion: d(z.literal(REPORT_SCHEMA_VERSION), `Version of this format (${REPORT_SCHEMA_VERSION}). Fields are only ever added within a version.`),
    tool: z
      .strictObject({
        name: nonEmpty('`edgegate`.'),
        version: nonEmpty('EdgeGate version that wrote the report.'),
      })
      .meta({ description: 'The program that wrote the report.' }),
    errors: d(z.array(ReportErrorSchema), 'Every error of the run: unreadable models, invalid profiles or config, missing baselines. Empty when none.'),
    models: d(z.array(ModelReportSchema), 'One entry per model checked, in the order given, broken ones included.'),
    devices: d(z.array(DeviceRefSchema), 'The device profiles that loaded (profiles that failed to load are in `errors`).').optional(),
    config: d(z.string().nullable(), 'The `.edgegate.yml` used; null when none was found.').optional(),
    notes: d(z.array(z.string()), 'Remarks of the gather stage for the reader (e.g. why every model was checked). Absent when none.').optional(),
    verdict: d(z.enum(GATE_VERDICTS), 'The gate verdict (`gate.verdict`), also the action\'s `verdict` output.').optional(),
    changes: d(z.array(ModelChangeSchema), 'The models selected and how each changed (deleted models included). Absent when there is no base.').optional(),
    baseline: ComparisonSchema.optional(),
    gate: GateDecisionSchema.meta({ description: 'The gate decision with every reason.' }).optional(),
    parity: ParityPlanSchema.optional(),
    parityResults: d(z.array(ParityResultSchema), 'Action `mode: report` only: every parity result of the run (matrix cells without a valid result as `not-run` or `error`).').optional(),
  })
  .meta({
    title: 'EdgeGate check report',
    description:
      'The JSON report of `edgegate check --format json` and of the GitHub Action (the file named by its `report` output). `verdict` and `gate` come from the decide stage, `changes` and `baseline` when there is a base. Objects carry no field not listed here. A value that cannot be known is null, with a reason beside it.',
  });

/** The JSON report as written and read. */
export type Report = z.infer<typeof ReportSchema>;
export type ReportError = z.infer<typeof ReportErrorSchema>;
export type ModelReport = z.infer<typeof ModelReportSchema>;
export type ModelError = z.infer<typeof ModelErrorSchema>;
export type DeviceReport = z.infer<typeof DeviceReportSchema>;
export type NodePlacementReport = z.infer<typeof NodeReportSchema>;
export type Placement = (typeof PLACEMENTS)[number];
export type DeviceVerdict = (typeof DEVICE_VERDICTS)[number];
export type BudgetReport = z.infer<typeof BudgetReportSchema>;
export type QuantizationReport = z.infer<typeof QuantizationReportSchema>;
export type LatencyRange = z.infer<typeof LatencyRangeSchema>;
export type WhatIf = z.infer<typeof WhatIfSchema>;
export type FoldingReport = z.infer<typeof FoldingReportSchema>;
export type RamBreakdown = z.infer<typeof RamBreakdownSchema>;
export type FlashBreakdown = z.infer<typeof FlashBreakdownSchema>;
export type Transfer = z.infer<typeof TransferSchema>;
export type AnalysisWarning = z.infer<typeof AnalysisWarningSchema>;
export type DeviceRef = z.infer<typeof DeviceRefSchema>;

/**
 * The output of the decide stage and the only input of the renderers (text, markdown, job summary,
 * JSON): the gathered report, its comparison with the base (when there is one) and the gate decision.
 */
export interface CheckRun {
  readonly report: Report;
  readonly comparison?: Comparison;
  readonly decision: GateDecision;
}
