/**
 * The JSON report of `edgegate check` (and of the action's `check` mode) as a zod 4 schema: the single
 * source of `docs/report-schema.json` (`npx tsx scripts/gen-report-schema.ts`) and the validator the
 * action's `report` mode runs on check reports downloaded from other jobs before it trusts them.
 *
 * The contract (issues 2–6): keep these names, add fields freely. So every object is loose (extra fields
 * pass through untouched) while every field the code writes today is declared and described here. A value
 * that cannot be known is `null`, with a reason beside it (`unknownReason`, or `costUnknownReason` for the
 * cost model's device fields).
 */
import { z } from 'zod';
import { FAIL_ON_CONDITIONS, REGRESSION_METRICS } from '../gate/types.js';
import { ParityResultSchema } from '../parity/result-schema.js';
import { REASON_CODES } from '../profiles/schema.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportError } from './types.js';

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

/** Placements a node can get (src/report/types.ts `Placement`). */
export const PLACEMENTS = ['accelerated', 'cpu-fallback', 'unsupported', 'unknown'] as const;
/** Device verdicts (src/report/types.ts `DeviceVerdict`). */
export const DEVICE_VERDICTS = ['pass', 'warn', 'fail', 'error'] as const;
/** Budget verdicts (src/report/types.ts `BudgetReport.verdict`). */
export const BUDGET_VERDICTS = ['pass', 'fail', 'unknown', 'waived'] as const;
/** Quantization schemes the engine classifies (src/profiles/placement.ts `QuantizationScheme`). */
export const QUANT_SCHEMES = ['float32', 'float16', 'qdq', 'qoperator', 'dynamic', 'mixed'] as const;
/** Gate verdicts of the action (src/gate/types.ts `Verdict`). */
export const GATE_VERDICTS = ['pass', 'fail', 'error', 'not-run'] as const;
/** How a model file changed in a PR (src/gate/types.ts `ModelChangeKind`). */
export const MODEL_CHANGE_KINDS = ['added', 'modified', 'renamed', 'deleted', 'unchanged'] as const;

// ---------------------------------------------------------------------------------------------------------
// Errors and warnings

/** One error of the run (bad model, bad profile, bad config, missing baseline). */
export const ReportErrorSchema = z
  .looseObject({
    code: nonEmpty('Stable machine code, e.g. `TRUNCATED`, `EMPTY_FILE`, `LFS_POINTER`, `PROFILE_NOT_FOUND`, `PROFILE_INVALID`, `CONFIG_INVALID`, `BASELINE_UNAVAILABLE`.'),
    file: str('The file the error is about (model, external data, profile, config): repo-relative where possible, else as given. `.` for errors about the repository as a whole.'),
    fieldPath: str('Dotted/indexed path inside that file, e.g. `graph.node[3].input[1]` or `rules[2].when.dtype`. Absent when the error is about the whole file.').optional(),
    message: str('One line for a human; it names the file and the reason.'),
  })
  .meta({ id: 'ReportError', description: 'An error that stopped part of the run. The other models, devices and profiles are still checked.' });

/** An error about one model, repeated in that model's entry. */
export const ModelErrorSchema = z
  .looseObject({
    code: nonEmpty('Stable machine code, the same as in the top-level `errors[]` entry for this model.'),
    message: str('One line for a human; it names the file and the reason.'),
    fieldPath: str('Path inside the model file where the problem is, e.g. `graph.initializer[2].raw_data`. Absent when not about one field.').optional(),
  })
  .meta({ id: 'ModelError', description: 'Why this model could not be analyzed (also listed in the top-level `errors`).' });

/** A non-fatal finding of the graph analysis. */
export const AnalysisWarningSchema = z
  .looseObject({
    code: nonEmpty('Stable machine code, e.g. `VALUE_INFO_MISMATCH`, `UNUSED_DIM`.'),
    message: str('One line for a human.'),
    node: z
      .looseObject({
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
  .looseObject({
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
  .looseObject({
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
  .looseObject({
    estimate: ms('Estimated latency of one inference, in milliseconds (roofline per node + per-node overhead + transfers between partitions).'),
    low: d(
      z.number(),
      'Low end of the range, in milliseconds: the estimate shrunk by the figures\' uncertainty, minus the time nodes placed `unknown` would save on the accelerator. Should be ≥ 0 but the code can currently write a small negative value (reported inconsistency); readers should clamp at 0.',
    ),
    high: ms('High end of the range, in milliseconds.'),
  })
  .meta({ id: 'LatencyRange', description: 'Estimated latency of one inference in milliseconds, with a range from the uncertainty of the profile figures (≈95 % when errors are log-normal). See docs/cost-model.md.' });

const WaiverRefSchema = z
  .looseObject({
    reason: str('Why the waiver was granted (from `.edgegate.yml` `waivers[].reason`).'),
    expires: str('Last day the waiver applies, `YYYY-MM-DD` (inclusive).'),
  })
  .meta({ description: 'A config waiver.' });

/** One budget verdict. */
export const BudgetReportSchema = z
  .looseObject({
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
  .looseObject({
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
  .meta({ id: 'WhatIf', description: 'A CPU-fallback decision that costs more than 10 % of the estimated latency, and what accelerating that node would save (issue 4 "what-if").' });

/** Peak RAM breakdown. */
export const RamBreakdownSchema = z
  .looseObject({
    activationBytes: bytes('Peak of the activation arena from the target\'s memory planner, in bytes.'),
    weightBytes: bytes('Weights held in RAM, in bytes (0 when the target executes weights in place from flash).'),
    runtimeBytes: bytes('Runtime overhead from the profile (`hardware.runtimeOverheadBytes`), in bytes.'),
    loadTransientBytes: bytes('onnxruntime holds the model file while it creates initializers: the load peak is weights + file. 0 for other runtimes.'),
    planner: d(z.enum(['greedy', 'ort-arena']), 'The memory planner modelled: `greedy` (TFLM GreedyMemoryPlanner, by size) or `ort-arena` (onnxruntime\'s best-fit arena).'),
  })
  .meta({ id: 'RamBreakdown', description: 'How `peakRamBytes` is made up: max(activationBytes, loadTransientBytes) + weightBytes + runtimeBytes.' });

/** Flash breakdown. */
export const FlashBreakdownSchema = z
  .looseObject({
    weightBytes: bytes('Weights as stored on the target, in bytes (converted to the target dtype on full-integer targets).'),
    runtimeBytes: bytes('Runtime binary size from the profile (`hardware.runtimeBinaryBytes`), in bytes.'),
    weightDtype: str('`model` (weights as stored in the ONNX file) or the dtype the target converts weights to (e.g. `int8`).'),
  })
  .meta({ id: 'FlashBreakdown', description: 'How `flashBytes` is made up: weightBytes + runtimeBytes.' });

/** A tensor crossing between units. */
export const TransferSchema = z
  .looseObject({
    tensor: str('Tensor name.'),
    from: str('Compute unit id the tensor leaves.'),
    to: str('Compute unit id the tensor enters.'),
    bytes: bytes('Tensor size in bytes (0 when unknown).'),
    latencyMs: ms('Estimated transfer time, in milliseconds.'),
  })
  .meta({ id: 'Transfer', description: 'A tensor crossing between compute units or accelerator partitions, with its cost.' });

/** What the folding stage did to a model. */
export const FoldingReportSchema = z
  .looseObject({
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
  .looseObject({
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
    costAssumptions: d(z.array(z.string()), 'What the cost model had to assume (missing efficiency figures, nodes costed on the fallback unit).').optional(),
    costUnknownReason: str('Why `latencyMs` and/or `peakRamBytes` (and with them `nodes[].latencyMs`) are null. Present only when one of them is.').optional(),
    unknownReason: str('Why some of this device\'s values are null: the cost model failed (`cost estimate failed: …`), shapes depend on unpinned symbolic dims (then also `costUnknownReason`), or MACs are unknown (`macsAcceleratedFraction`). Absent when every value is known.').optional(),
    ram: RamBreakdownSchema.nullable().meta({ description: 'Breakdown of `peakRamBytes`. Null when `peakRamBytes` is (see `costUnknownReason`).' }).optional(),
    flash: FlashBreakdownSchema.nullable().meta({ description: 'Breakdown of `flashBytes`.' }).optional(),
    transfers: d(z.array(TransferSchema), 'Tensors crossing between compute units or accelerator partitions, with their cost.').optional(),
    error: str('Why placement failed. Present only when `verdict` is `error`.').optional(),
  })
  .meta({ id: 'DeviceReport', description: 'One model on one device profile: placement (issue 3), cost and budgets (issue 4).' });

// ---------------------------------------------------------------------------------------------------------
// Models

const DimSchema = z.union([z.int(), z.string(), z.null()]).meta({ description: 'A dimension: a size, a symbolic name (e.g. `batch`), or null when unknown.' });

/** One graph input. */
export const ModelInputSchema = z
  .looseObject({
    name: str('Input name.'),
    dtype: str('Element type name as elsewhere in the report (`float`, `uint8`, `int64`, `float16`, …); `undefined` when unknown.'),
    shape: d(z.array(DimSchema).nullable(), 'Shape after inference and pinning of symbolic dims. Null when even the rank is unknown.'),
  })
  .meta({ id: 'ModelInput', description: 'A graph input that is not an initializer.' });

/** Model-level facts, then one entry per device. */
export const ModelReportSchema = z
  .looseObject({
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
  .meta({ id: 'ModelReport', description: 'One model file: facts from the graph analysis (issue 2), then one entry per device.' });

// ---------------------------------------------------------------------------------------------------------
// The action's additions (src/action/check-mode.ts `writeReportFile`)

/** A model selected for checking, or reported as deleted. */
export const ModelChangeSchema = z
  .looseObject({
    path: nonEmpty('Repo-relative model path with `/`.'),
    kind: d(z.enum(MODEL_CHANGE_KINDS), 'How the file changed between base and head: `added`, `modified`, `renamed`, `deleted`, or `unchanged` (checked because every model counts as changed, e.g. the config or a profile changed, or on push).'),
    oldPath: str('Path at the base commit, for `renamed` models.').optional(),
  })
  .meta({ id: 'ModelChange', description: 'One model the action selected, with how it changed in the PR.' });

const MetricDeltaSchema = z
  .looseObject({
    base: d(z.number().nullable(), 'Value at the base commit. Null when there is no baseline or it is unknown.'),
    head: d(z.number().nullable(), 'Value at the PR head. Null when unknown.'),
    delta: d(z.number().nullable(), 'head − base. Null when either side is null.'),
    ratio: d(
      z.union([z.number(), z.literal('Infinity')]).nullable(),
      '(head − base) ÷ base, e.g. 0.12 = +12 %. The string `"Infinity"` when base is 0 and head grew. Null when either side is null (and, as JSON has no −∞, when base is 0 and head shrank).',
    ),
  })
  .meta({ id: 'MetricDelta', description: 'A metric at base and at head.' });

const NodeRefSchema = z
  .looseObject({
    index: count('Position in the placed graph.').optional(),
    name: str('Node name.'),
    op: str('Op type.'),
    placement: str('`unsupported` or `cpu-fallback`.'),
    reason: str('Reason code.'),
  })
  .meta({ id: 'NodeRef', description: 'A node that does not run on the accelerator.' });

const DeviceComparisonSchema = z
  .looseObject({
    device: nonEmpty('Device profile id.'),
    status: d(z.enum(['compared', 'new', 'new-device']), '`compared`; `new` (the model has no baseline); `new-device` (the model had a baseline but not on this device, or its baseline was broken).'),
    latencyMs: MetricDeltaSchema.meta({ description: 'Estimated latency, milliseconds.' }),
    peakRamBytes: MetricDeltaSchema.meta({ description: 'Estimated peak RAM, bytes.' }),
    flashBytes: MetricDeltaSchema.meta({ description: 'Estimated flash, bytes.' }),
    acceleratedFraction: MetricDeltaSchema.meta({ description: 'Accelerated fraction 0..1 (MAC-weighted, else by node count); `delta` is in fraction points.' }),
    newUnsupported: d(z.array(NodeRefSchema), 'Nodes off the accelerator at head that were not at base (matched as a multiset on op, name, placement).'),
    removedUnsupported: d(z.array(NodeRefSchema), 'Nodes off the accelerator at base that are not at head.'),
  })
  .meta({ id: 'DeviceComparison', description: 'Head vs base for one model on one device.' });

/** The baseline comparison of a PR. */
export const ComparisonSchema = z
  .looseObject({
    baseSha: str('The base commit compared against.'),
    models: d(
      z.array(
        z.looseObject({
          path: nonEmpty('Repo-relative model path at head.'),
          change: ModelChangeSchema,
          devices: d(z.array(DeviceComparisonSchema), 'One entry per device of the head report.'),
        }),
      ),
      'One entry per head model.',
    ),
  })
  .meta({ id: 'Comparison', description: 'Head vs base of a pull request, per model × device. Present only on `pull_request` events.' });

const FindingSchema = z
  .looseObject({
    condition: d(z.enum(FAIL_ON_CONDITIONS), 'The `fail-on` condition the finding belongs to.'),
    code: nonEmpty('Stable code, e.g. `LATENCY_REGRESSION`, `RAM_REGRESSION`, `NEW_UNSUPPORTED`, `BUDGET`, `UNSUPPORTED`, `MODEL_ERROR`.'),
    model: str('Model path the finding is about.').optional(),
    device: str('Device id the finding is about.').optional(),
    metric: d(z.enum(REGRESSION_METRICS), 'Regression metric (`latency`, `ram`, `flash`, `unsupported`).').optional(),
    message: str('Plain text (not escaped).'),
    accepted: z
      .looseObject({
        by: d(z.enum(['label', 'waiver']), 'Accepted by the PR label or by a config waiver.'),
        reason: str('Why, as the comment shows it.'),
      })
      .meta({ description: 'Why the finding does not block although its condition is in `fail-on`.' })
      .optional(),
  })
  .meta({ id: 'Finding', description: 'One thing the gate found.' });

/** The gate decision of the action. */
export const GateDecisionSchema = z
  .looseObject({
    verdict: d(z.enum(GATE_VERDICTS), 'Same as the top-level `verdict`.'),
    failed: d(z.boolean(), 'True when the step failed: blocking findings, or errors with `error` in `fail-on`.'),
    blocking: d(z.array(FindingSchema), 'Gate failures: findings whose condition is in `fail-on` and that nobody accepted.'),
    errors: d(z.array(FindingSchema), 'Configuration errors and broken models (condition `error`).'),
    accepted: d(z.array(FindingSchema), 'Findings accepted by label or waiver.'),
    notices: d(z.array(FindingSchema), 'Findings whose condition is not in `fail-on`.'),
    remarks: d(z.array(z.string()), 'Expired waivers and similar remarks.'),
  })
  .meta({ id: 'GateDecision', description: 'The merge-gate decision, with every reason.' });

// ---------------------------------------------------------------------------------------------------------
// The report

/** A device profile used by the run. */
export const DeviceRefSchema = z
  .looseObject({
    id: nonEmpty('Profile id, as in `models[].devices[].device`.'),
    name: str('Human name of the device and runtime.'),
    file: str('`device-profiles/<id>` for shipped profiles, else the profile file path.'),
  })
  .meta({ id: 'DeviceRef', description: 'A device profile that loaded.' });

/** The whole report. */
export const ReportSchema = z
  .looseObject({
    schemaVersion: d(z.literal(REPORT_SCHEMA_VERSION), `Version of this format (${REPORT_SCHEMA_VERSION}). Fields are only ever added within a version.`),
    tool: z
      .looseObject({
        name: nonEmpty('`edgegate`.'),
        version: nonEmpty('EdgeGate version that wrote the report.'),
      })
      .meta({ description: 'The program that wrote the report.' }),
    errors: d(z.array(ReportErrorSchema), 'Every error of the run: unreadable models, invalid profiles or config, missing baselines. Empty when none.'),
    models: d(z.array(ModelReportSchema), 'One entry per model checked, in the order given, broken ones included.'),
    devices: d(z.array(DeviceRefSchema), 'The device profiles that loaded (profiles that failed to load are in `errors`).').optional(),
    config: d(z.string().nullable(), 'The `.edgegate.yml` used; null when none was found.').optional(),
    verdict: d(z.enum(GATE_VERDICTS), 'Action only: the gate verdict, also the `verdict` output: `pass`, `fail` (a gate condition blocked), `error` (configuration errors or broken models), `not-run`.').optional(),
    changes: d(z.array(ModelChangeSchema), 'Action only: the models selected and how each changed (deleted models included).').optional(),
    baseline: ComparisonSchema.optional(),
    gate: GateDecisionSchema.meta({ description: 'Action only: the gate decision with every reason.' }).optional(),
  })
  .meta({
    title: 'EdgeGate check report',
    description:
      'The JSON report of `edgegate check --format json` and of the GitHub Action (the file named by its `report` output, which adds `verdict`, `changes`, `baseline` and `gate`). Objects may carry fields not listed here: readers must ignore them. A value that cannot be known is null, with a reason beside it.',
  });

/** The report as validated: assignable to the contract type `Report` (checked below at compile time). */
export type ValidatedReport = z.infer<typeof ReportSchema>;
// Compile-time guard: the schema's output must satisfy the hand-written contract in types.ts.
const _assignable: (r: ValidatedReport) => Report = (r) => r;
void _assignable;

// ---------------------------------------------------------------------------------------------------------
// Validation

/** Formats a zod issue path as `models[0].devices[1].verdict` (non-identifier keys as `opsets["ai.onnx"]`). */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/** True when the last key of `path` is absent from its parent object in `data` (zod reports no input). */
function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return data === undefined;
  let parent: unknown = data;
  for (const p of path.slice(0, -1)) {
    if (!parent || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[p];
  }
  return !!parent && typeof parent === 'object' && !Array.isArray(parent) && !(path[path.length - 1]! in parent);
}

/** Result of `parseReport`: the typed report, or one error per problem, each naming the file and field. */
export type ParseReportResult = { readonly ok: true; readonly report: ValidatedReport } | { readonly ok: false; readonly errors: ReportError[] };

/** Most problems listed per file; a wholly wrong file would otherwise list thousands. */
export const MAX_REPORT_ISSUES = 20;

/**
 * Validates a parsed check report (for example an artifact downloaded from another job).
 * @param data the parsed JSON.
 * @param file the file it came from, named in every error.
 * @returns `{ ok: true, report }`, or `{ ok: false, errors }` with code `REPORT_INVALID`, the file, the field
 *   path (e.g. `models[0].devices[1].verdict`) and a message; at most `MAX_REPORT_ISSUES` errors.
 */
export function parseReport(data: unknown, file: string): ParseReportResult {
  const r = ReportSchema.safeParse(data);
  if (r.success) return { ok: true, report: r.data };
  const errors: ReportError[] = [];
  for (const issue of r.error.issues.slice(0, MAX_REPORT_ISSUES)) {
    const fieldPath = formatFieldPath(issue.path);
    const what = isMissing(data, issue.path) ? 'required field is missing' : issue.message;
    errors.push({
      code: 'REPORT_INVALID',
      file,
      ...(fieldPath ? { fieldPath } : {}),
      message: `${file}: not a valid EdgeGate report: ${fieldPath || '(the document)'}: ${what}`,
    });
  }
  const more = r.error.issues.length - errors.length;
  if (more > 0) errors.push({ code: 'REPORT_INVALID', file, message: `${file}: ${more} more problem(s) not listed` });
  return { ok: false, errors };
}

/** A check report failed validation. `errors` name the file and field path of each problem. */
export class ReportValidationError extends Error {
  override readonly name = 'ReportValidationError';
  constructor(
    readonly file: string,
    readonly errors: readonly ReportError[],
    options?: { cause?: unknown },
  ) {
    super(errors.length > 0 ? errors.map((e) => e.message).join('\n') : `${file}: not a valid EdgeGate report`, options);
  }
}

/** Like `parseReport`, but throws `ReportValidationError` instead of returning errors. */
export function expectReport(data: unknown, file: string): ValidatedReport {
  const r = parseReport(data, file);
  if (!r.ok) throw new ReportValidationError(file, r.errors);
  return r.report;
}

/**
 * Parses report text (a file's contents) and validates it. Invalid JSON gives one `REPORT_NOT_JSON` error.
 * @param text the file contents.
 * @param file the file name, named in every error.
 */
export function parseReportText(text: string, file: string): ParseReportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ code: 'REPORT_NOT_JSON', file, message: `${file}: not valid JSON: ${(err as Error).message}` }] };
  }
  return parseReport(data, file);
}

// ---------------------------------------------------------------------------------------------------------
// JSON Schema document

/** Key of the parity `result.json` schema under `$defs` in docs/report-schema.json. */
export const PARITY_RESULT_DEF = 'ParityResult';

type Json = Record<string, unknown>;

/** Drops zod's safe-integer bounds on integers (`maximum: 2^53 − 1`): true of every JSON number we write, noise to a reader. */
function dropSafeIntBounds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropSafeIntBounds);
  if (!v || typeof v !== 'object') return v;
  const o = v as Json;
  const out: Json = {};
  for (const [k, x] of Object.entries(o)) {
    if (o.type === 'integer' && ((k === 'maximum' && x === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && x === Number.MIN_SAFE_INTEGER))) continue;
    out[k] = dropSafeIntBounds(x);
  }
  return out;
}

/** Moves a generated schema's own `$defs` under `name.` so it can live inside another document. */
function embed(schema: Json, name: string, defs: Json): Json {
  const { $schema: _s, $defs: inner, ...body } = schema;
  const rename = (ref: string): string => (ref === '#' ? `#/$defs/${name}` : ref.replace(/^#\/\$defs\//, `#/$defs/${name}.`));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? rename(x) : walk(x)]));
    }
    return v;
  };
  for (const [k, v] of Object.entries((inner as Json | undefined) ?? {})) defs[`${name}.${k}`] = walk(v);
  return walk(body) as Json;
}

/**
 * The JSON Schema (draft 2020-12) of docs/report-schema.json: the check report at the top, its parts
 * under `$defs`, and the parity `result.json` (src/parity/result-schema.ts, as written: zod `io: 'input'`)
 * under `$defs.ParityResult`. Deterministic: the same schemas give the same document.
 */
export function reportJsonSchema(): Json {
  const top = dropSafeIntBounds(z.toJSONSchema(ReportSchema, { target: 'draft-2020-12', io: 'input' })) as Json;
  const parity = dropSafeIntBounds(z.toJSONSchema(ParityResultSchema, { target: 'draft-2020-12', io: 'input' })) as Json;
  const defs: Json = { ...((top.$defs as Json | undefined) ?? {}) };
  defs[PARITY_RESULT_DEF] = {
    ...embed(parity, PARITY_RESULT_DEF, defs),
    title: 'EdgeGate parity result.json',
    description:
      'The file `edgegate parity run` writes (issue 6), one per model × device; defined in src/parity/result-schema.ts. Fields with defaults there may be absent.',
  };
  const { $schema, $defs: _d, title, description, ...rest } = top;
  const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
  return { $schema, title, description, ...rest, $defs: sorted };
}
