/**
 * Evaluation of a profile's conditions on one node (or QDQ node unit): model opset, op lookup (directly or
 * through a converter's op map), quantization, defaults, the rule's `when` tree, fused-pattern requirements
 * and unverifiable caveats. A failed condition gives its reason code; a condition that cannot be decided
 * statically (unknown shape, unreadable value, `unverifiable`) gives `unknown`, never support.
 */
import type { AttributeValue, Shape } from '../onnx/types.js';
import { domainLabel, dtypeName, normalizeDomain } from '../onnx/types.js';
import type { GraphAnalysis } from '../graph/types.js';
import type { QdqNodeUnit } from '../graph/qdq-units.js';
import type {
  AttributeCondition,
  DerivedValue,
  DeviceProfile,
  OpRule,
  OpsetRange,
  PatternRequirement,
  Predicate,
  QuantCondition,
  QuantFormat,
  ReasonCode,
  ScalarValue,
  ShapeCondition,
  TensorCondition,
  Unverifiable,
  When,
} from './schema.js';
import type { GraphNode, PlacedGraph } from './ort-basic.js';
import type { NodeQuant } from './quant-scheme.js';
import { qOutputDtype } from './quant-scheme.js';
import { derivedValue, SHAPE_DERIVED } from './derived.js';
import { quantFixHint } from './quant-fix.js';
import { loadTensorValue } from '../graph/values.js';

/** The engine's decision for one node or unit, before partitioning. */
export interface Decision {
  readonly status: 'ok' | 'fail' | 'unknown';
  /** Reason code (`OK` when status is ok). */
  readonly reason: string;
  readonly detail?: string;
  readonly hint?: string;
  /** Id of the rule that decided (`Conv`, `com.microsoft:QLinearAdd`, `CONV_2D`, or the rule's `id`). */
  readonly ruleId?: string;
  /** Converted profiles: the TFLite builtins the node becomes (null: no known conversion). */
  readonly builtins?: readonly string[] | null;
}

const OK: Decision = { status: 'ok', reason: 'OK' };

/**
 * Known rewrites, as data: shown when a node of this op fails with one of these reasons and the profile's
 * rule gives no hint of its own.
 */
export const REWRITE_HINTS: readonly { readonly op: string; readonly reasons: readonly string[]; readonly hint: string }[] = [
  { op: 'HardSigmoid', reasons: ['OP_NOT_LISTED', 'CONVERSION'], hint: 'HardSigmoid(x) = Clip(alpha·x + beta, 0, 1): export it as Mul + Add + Clip, or keep HardSwish as one op (opset ≥ 14) where the target has HardSwish' },
  { op: 'HardSwish', reasons: ['OP_NOT_LISTED', 'CONVERSION'], hint: 'HardSwish(x) = x · Relu6(x + 3) / 6: export it as Add + Clip + Mul + Div (or swap for Relu/ReLU6) where the target lacks HardSwish' },
  { op: 'Pad', reasons: ['ATTRIBUTE'], hint: 'Pad(mode=reflect/edge) can be rewritten as Slice + Concat of the border rows/columns, which keeps the graph in one partition (onnxruntime#28022)' },
  { op: 'LSTM', reasons: ['QUANT_REQUIRED', 'QUANT_FORMAT', 'OP_NOT_LISTED'], hint: 'static QDQ quantization leaves LSTM in float; unroll it (MatMul + elementwise) before quantizing, or keep this part on the CPU' },
  { op: 'GRU', reasons: ['QUANT_REQUIRED', 'QUANT_FORMAT', 'OP_NOT_LISTED'], hint: 'static QDQ quantization leaves GRU in float; unroll it (MatMul + elementwise) before quantizing, or keep this part on the CPU' },
  { op: 'Flatten', reasons: ['OP_NOT_LISTED'], hint: 'Flatten is a Reshape: export Reshape(x, [N, -1]) instead' },
];

function rewriteHint(op: string, reason: string): string | undefined {
  return REWRITE_HINTS.find((h) => h.op === op && h.reasons.includes(reason))?.hint;
}

/** Everything a decision reads. */
export interface NodeContext {
  readonly node: GraphNode;
  readonly graph: PlacedGraph;
  readonly profile: DeviceProfile;
  readonly analysis: GraphAnalysis;
  readonly quant: NodeQuant;
  readonly unit?: QdqNodeUnit;
  readonly modelFormat: QuantFormat | null;
}

const ruleIndex = new WeakMap<DeviceProfile, Map<string, OpRule>>();

function rulesOf(profile: DeviceProfile): Map<string, OpRule> {
  let m = ruleIndex.get(profile);
  if (m === undefined) {
    m = new Map();
    for (const r of profile.rules) {
      const key = r.builtin !== undefined ? `tflite:${r.builtin}` : `${normalizeDomain(r.domain)}:${r.op}`;
      if (!m.has(key)) m.set(key, r);
    }
    ruleIndex.set(profile, m);
  }
  return m;
}

/** The rule for an ONNX node in a profile that consumes ONNX (undefined: not listed). */
export function findRule(profile: DeviceProfile, node: Pick<GraphNode, 'opType' | 'domain'>): OpRule | undefined {
  return rulesOf(profile).get(`${normalizeDomain(node.domain)}:${node.opType}`);
}

function idOf(rule: OpRule): string {
  if (rule.id !== undefined) return rule.id;
  if (rule.builtin !== undefined) return rule.builtin;
  const d = normalizeDomain(rule.domain);
  return d === '' ? rule.op ?? '' : `${d}:${rule.op ?? ''}`;
}

// ---------------------------------------------------------------------------------------------------
// op-names mode (onnxruntime's mobile usability checker)
// ---------------------------------------------------------------------------------------------------

/**
 * The checker's decision: the op is in its table (the profile's rules, minus `checker.tableSpellings`, the
 * ops the table misspells), every input has a fixed shape (an omitted optional input `""` counts as
 * dynamic, as in the checker), and no non-initializer input has a rank above `checker.maxInputRank`.
 */
export function decideOpName(node: GraphNode, graph: PlacedGraph, profile: DeviceProfile): Decision {
  const checker = profile.checker!;
  const noShapeInfo = onnxShapeInferenceGaps(graph);
  const label = `${domainLabel(node.domain)}:${node.opType}`;
  const rule = findRule(profile, node);
  const misspelt = checker.tableSpellings?.[node.opType];
  if (rule === undefined || misspelt !== undefined) {
    return {
      status: 'fail',
      reason: 'OP_NOT_LISTED',
      detail: misspelt !== undefined ? `the checker's table spells it '${misspelt}', so ${label} never matches` : `${label} is not in the checker's table`,
    };
  }
  if (checker.requireFixedInputShapes) {
    const dynamic = node.inputs.find((x) => {
      if (x === '') return true;
      const t = graph.tensors.get(x);
      if (t?.initializer) return false;
      if (noShapeInfo.has(x)) return true;
      return !t?.shape || !t.shape.every((d) => typeof d === 'number' && d > 0);
    });
    if (dynamic !== undefined) {
      const detail =
        dynamic === ''
          ? 'an omitted optional input counts as dynamic for the checker'
          : noShapeInfo.has(dynamic)
            ? `${CHECKER_GAP}: input '${dynamic}' comes from a com.microsoft op`
            : `input '${dynamic}' has no fixed shape`;
      return { status: 'fail', reason: 'DYNAMIC_SHAPE', detail, ruleId: idOf(rule) };
    }
  }
  if (checker.maxInputRank !== null) {
    const max = checker.maxInputRank;
    for (const x of node.inputs) {
      if (x === '' || noShapeInfo.has(x)) continue;
      const t = graph.tensors.get(x);
      if (t?.initializer || !t?.shape) continue;
      if (t.shape.length > max) return { status: 'fail', reason: 'RANK', detail: `input '${x}' has rank ${t.shape.length} > ${max}`, ruleId: idOf(rule) };
    }
    const perm = node.attributes.get('perm');
    if (node.opType === 'Transpose' && perm?.type === 'ints' && perm.value.length > max) {
      return { status: 'fail', reason: 'RANK', detail: `perm has ${perm.value.length} axes > ${max}`, ruleId: idOf(rule) };
    }
  }
  return { ...OK, ruleId: idOf(rule) };
}

/** Detail prefix of op-names failures caused only by the checker's shape-inference gap (contrib ops). */
export const CHECKER_GAP = 'no value_info in the checker (onnx shape inference lacks com.microsoft schemas)';

const gapCache = new WeakMap<PlacedGraph, Set<string>>();

/**
 * Tensors the checker has no value_info for: it runs the `onnx` package's shape inference, which knows no
 * com.microsoft (contrib) schemas, so their outputs, and whatever is computed from them, get none.
 */
function onnxShapeInferenceGaps(graph: PlacedGraph): Set<string> {
  let gaps = gapCache.get(graph);
  if (gaps) return gaps;
  gaps = new Set<string>();
  for (const n of graph.nodes) {
    const known = n.domain === '' || n.domain === 'ai.onnx.ml';
    const fromGap = n.inputs.some((x) => x !== '' && gaps!.has(x));
    if (!known || fromGap) for (const o of n.outputs) if (o !== '') gaps.add(o);
  }
  gapCache.set(graph, gaps);
  return gaps;
}

// ---------------------------------------------------------------------------------------------------
// full mode
// ---------------------------------------------------------------------------------------------------

type R = { status: 'ok' } | { status: 'fail' | 'unknown'; reason: string; detail: string; hint?: string };
const PASS: R = { status: 'ok' };

function fail(reason: string, detail: string, hint?: string): R {
  return hint ? { status: 'fail', reason, detail, hint } : { status: 'fail', reason, detail };
}
function unknown(reason: string, detail: string): R {
  return { status: 'unknown', reason, detail };
}

/** AND of results: the first failure, else the first unknown, else ok. */
function all(rs: Iterable<R>): R {
  let firstUnknown: R | undefined;
  for (const r of rs) {
    if (r.status === 'fail') return r;
    if (r.status === 'unknown' && firstUnknown === undefined) firstUnknown = r;
  }
  return firstUnknown ?? PASS;
}

function withMeta(r: R, meta: { reason?: ReasonCode; message?: string; hint?: string }): R {
  if (r.status === 'ok') return r;
  const out: R = { ...r };
  if (meta.reason && r.status === 'fail') out.reason = meta.reason;
  if (meta.message) out.detail = `${meta.message} (${r.detail})`;
  if (meta.hint) out.hint = meta.hint;
  return out;
}

/** The accepted decision of each rule id: one object, not one per node. */
const okByRule = new Map<string, Decision>();

/**
 * The decision for a result. `builtins` (converted profiles) goes in the same literal: copying a decision
 * into a new object with a leading spread gives every copy its own hidden class (100,000 nodes, 22 MB).
 */
function toDecision(r: R, ruleId?: string, hint?: string, builtins?: readonly string[] | null): Decision {
  if (builtins !== undefined) {
    const h = r.status === 'ok' ? undefined : (r.hint ?? hint);
    if (r.status === 'ok') return { status: 'ok', reason: 'OK', ...(ruleId ? { ruleId } : {}), builtins };
    return { status: r.status, reason: r.reason, detail: r.detail, ...(h ? { hint: h } : {}), ...(ruleId ? { ruleId } : {}), builtins };
  }
  if (r.status === 'ok') {
    if (!ruleId) return OK;
    let d = okByRule.get(ruleId);
    if (d === undefined) {
      // Rule ids come from the profiles a process loads; a long-running caller loading many never grows this without bound.
      if (okByRule.size >= 10_000) okByRule.clear();
      okByRule.set(ruleId, (d = { ...OK, ruleId }));
    }
    return d;
  }
  const h = r.hint ?? hint;
  return { status: r.status, reason: r.reason, detail: r.detail, ...(h ? { hint: h } : {}), ...(ruleId ? { ruleId } : {}) };
}

/**
 * The profile's own `hints` entry for a failed node (cited, target-specific), matched by op, domain, the
 * failure reason and the entry's `when` (which must hold, not merely be unknown).
 */
function profileHint(ctx: NodeContext, reason: string): string | undefined {
  for (const h of ctx.profile.hints ?? []) {
    const [domain, op] = h.op.includes(':') ? [normalizeDomain(h.op.slice(0, h.op.lastIndexOf(':'))), h.op.slice(h.op.lastIndexOf(':') + 1)] : ['', h.op];
    if (op !== ctx.node.opType || domain !== normalizeDomain(ctx.node.domain)) continue;
    if (h.reasons && !h.reasons.includes(reason as ReasonCode)) continue;
    if (h.when && evalWhen(h.when, ctx).status !== 'ok') continue;
    return h.hint;
  }
  return undefined;
}

/** Decides one node (the target of its unit) on a profile with every condition evaluated. */
export function decideNode(ctx: NodeContext): Decision {
  const d = decideNodeInner(ctx);
  if (d.status === 'ok' || d.hint !== undefined) return d;
  // A rule's own hint wins, then the profile's cited hints, then the generic rewrites.
  const h = profileHint(ctx, d.reason) ?? rewriteHint(ctx.node.opType, d.reason);
  return h ? { ...d, hint: h } : d;
}

function decideNodeInner(ctx: NodeContext): Decision {
  const { profile, node } = ctx;
  // Model opset per domain.
  const modelOpset = opsetOf(ctx);
  const opsetKey = domainLabel(node.domain);
  const profOpset = profile.opset?.[opsetKey] ?? (node.domain === '' ? profile.opset?.[''] : undefined);
  if (profOpset) {
    const r = checkOpset(profOpset, modelOpset, `the model's ${opsetKey} opset`);
    if (r.status !== 'ok') return toDecision(r, 'opset');
  }
  // Profile-level blocks that decide get pseudo rule ids (`opset`, `quantization`, `defaults`, `unlisted`,
  // `conversion`), so a report and a rule test can always tell which part of the profile decided.
  const early = quantGate(ctx);
  if (early.status !== 'ok') {
    const fix = early.status === 'fail' && !early.hint ? quantFixHint(profile, early.reason, early.detail) : undefined;
    return toDecision(fix ? { ...early, hint: fix } : early, 'quantization');
  }

  const defaults = profile.defaults;
  const defaultChecks: R[] = [];
  // Defaults describe activations: constant inputs (weights, scales; the converter lays them out itself) are
  // exempt, and so are Q/DQ nodes at the graph's edges, which convert between float I/O and the model.
  const edgeQdq = (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear') && ctx.unit === undefined &&
    (node.inputs.some((x) => ctx.graph.inputs.includes(x)) || node.outputs.some((o) => ctx.graph.outputs.includes(o)));
  if (defaults && !edgeQdq) {
    if (defaults.inputs) {
      node.inputs.forEach((x, i) => {
        if (x === '' || viewOf(ctx, 'input', i)?.constant === true || isParameterTensor(ctx, x, i)) return;
        defaultChecks.push(tensorCond({ ...defaults.inputs!, index: i }, ctx, 'input'));
      });
    }
    if (defaults.outputs) node.outputs.forEach((x, i) => x !== '' && defaultChecks.push(tensorCond({ ...defaults.outputs!, index: i }, ctx, 'output')));
  }

  if (profile.conversion) return decideConverted(ctx, defaultChecks);

  const rule = findRule(profile, node);
  if (rule === undefined) {
    return toDecision(fail('OP_NOT_LISTED', `${node.domain ? `${node.domain}:` : ''}${node.opType} is not in ${profile.name}'s supported ops`), 'unlisted');
  }
  const own = evalRule(rule, ctx);
  const r = all([...defaultChecks, own, ...unverifiables(defaults?.unverifiable, ctx)]);
  return toDecision(r, own.status === 'ok' && r.status !== 'ok' ? 'defaults' : idOf(rule), rule.hint);
}

/**
 * A shape, pads, starts or axes operand (a later input of int32/int64 and rank ≤ 1) is not an activation: the
 * profile's `defaults` do not apply to it, and the op's rule decides (e.g. "shape must be constant").
 */
function isParameterTensor(ctx: NodeContext, name: string, index: number): boolean {
  if (index === 0) return false;
  const t = ctx.graph.tensors.get(name);
  return t !== undefined && (t.dtype === 6 || t.dtype === 7) && t.shape !== null && t.shape.length <= 1;
}

function decideConverted(ctx: NodeContext, defaultChecks: R[]): Decision {
  const { profile, node } = ctx;
  const conv = profile.conversion!;
  const key = node.domain ? `${node.domain}:${node.opType}` : node.opType;
  const alts = conv.opMap[key];
  if (alts === undefined) {
    return toDecision(fail('OP_NOT_LISTED', `${key} has no known ${conv.tool} conversion to a TFLite builtin`), 'unlisted', undefined, null);
  }
  let chosen: (typeof alts)[number] | undefined;
  let firstMiss: R | undefined;
  for (const alt of alts) {
    const r = alt.when ? evalWhen(alt.when, ctx) : PASS;
    if (r.status === 'ok') {
      chosen = alt;
      break;
    }
    firstMiss ??= r;
  }
  if (chosen === undefined) {
    const r = firstMiss as Exclude<R, { status: 'ok' }>;
    return toDecision(r.status === 'unknown' ? r : fail(r.reason === 'OK' ? 'CONVERSION' : r.reason, `no ${conv.tool} conversion applies: ${r.detail}`, r.hint), 'conversion', undefined, null);
  }
  if (chosen.unknown !== undefined) return toDecision(unknown('CONVERSION', chosen.unknown), 'conversion', undefined, null);
  const builtins = chosen.builtins ?? [];
  const results: R[] = [...defaultChecks];
  let ruleId: string | undefined;
  let hint: string | undefined;
  for (const b of builtins) {
    const rule = rulesOf(profile).get(`tflite:${b}`);
    if (rule === undefined) {
      results.push(fail('OP_NOT_LISTED', `${key} becomes TFLite ${b}, which ${profile.name} does not support`));
      ruleId ??= 'unlisted';
      continue;
    }
    const r = evalRule(rule, ctx);
    if (r.status !== 'ok' && ruleId === undefined) {
      ruleId = idOf(rule);
      hint = rule.hint;
    }
    results.push(r.status === 'ok' ? r : { ...r, detail: `${b}: ${r.detail}` });
  }
  results.push(...unverifiables(profile.defaults?.unverifiable, ctx));
  const r = all(results);
  if (r.status !== 'ok' && ruleId === undefined) ruleId = 'defaults';
  return toDecision(r, ruleId ?? (builtins[0] !== undefined ? builtins.join('+') : undefined), hint, builtins);
}

function evalRule(rule: OpRule, ctx: NodeContext): R {
  const parts: R[] = [];
  if (rule.opset) parts.push(checkOpset(rule.opset, opsetOf(ctx), `the model's opset for ${ctx.node.opType}`));
  if (rule.when) parts.push(evalWhen(rule.when, ctx));
  if (rule.pattern) parts.push(evalPattern(rule.pattern, ctx));
  const r = all(parts);
  return r.status !== 'ok' && !r.hint && rule.hint ? { ...r, hint: rule.hint } : r;
}

function opsetOf(ctx: NodeContext): number | null {
  const imports = ctx.analysis.model.opsetImports;
  return imports.get(ctx.node.domain) ?? (ctx.node.domain === '' ? imports.get('ai.onnx') ?? null : null);
}

function checkOpset(range: OpsetRange, v: number | null, what: string): R {
  if (v === null) return unknown('OPSET', `${what} is not declared`);
  if (range.min !== undefined && v < range.min) return fail('OPSET', `${what} is ${v}, below ${range.min}`);
  if (range.max !== undefined && v > range.max) return fail('OPSET', `${what} is ${v}, above ${range.max}`);
  return PASS;
}

/** Profile-level quantization requirements (the `quantization` block). */
function quantGate(ctx: NodeContext): R {
  const q = ctx.profile.quantization;
  const { node, quant, graph } = ctx;
  const isQdqOp = node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear';
  if (isQdqOp && ctx.unit === undefined) {
    // A Q or DQ outside any node unit: a float hop unless it sits at the graph's edge.
    const atEdge = node.opType === 'QuantizeLinear' ? graph.inputs.includes(node.inputs[0]!) : node.outputs.some((o) => graph.outputs.includes(o));
    const srcInit = node.opType === 'DequantizeLinear' && graph.tensors.get(node.inputs[0]!)?.initializer;
    if (!atEdge && !srcInit && q.completeQdqGroups) {
      return fail('QUANT_INCOMPLETE_GROUP', `${node.opType} is not part of a complete DQ → op → Q node unit, so the tensor between is float`);
    }
    if (!atEdge && !srcInit && q.floatIoOnlyAtEdges) return fail('FLOAT_IO', `${node.opType} makes a float tensor inside the graph; float is allowed only at graph inputs/outputs`);
    return PASS;
  }
  if (quant.format === null) {
    if (q.required) {
      return fail('QUANT_REQUIRED', `the node computes in ${floatDtype(ctx)}; ${ctx.profile.name} runs only quantized (${q.activationDtypes.join('/') || 'integer'}) nodes`);
    }
    if (ctx.modelFormat === 'qdq' && q.completeQdqGroups && touchesQdq(ctx)) {
      return fail('QUANT_INCOMPLETE_GROUP', 'the node reads a DequantizeLinear or feeds a QuantizeLinear but does not form a complete DQ → op → Q node unit');
    }
    return PASS;
  }
  return quantFacts(quant, {
    formats: q.formats,
    activationDtypes: q.activationDtypes,
    weightDtypes: q.weightDtypes,
    weightGranularity: q.weightGranularity.default.includes('per-channel') || (q.weightGranularity.perChannelOps ?? []).includes(node.opType) ? ['per-tensor', 'per-channel'] : q.weightGranularity.default,
    symmetricWeights: q.symmetricWeights,
    constantScales: q.constantScales,
    who: ctx.profile.name,
  });
}

function floatDtype(ctx: NodeContext): string {
  const t = ctx.graph.tensors.get(ctx.node.inputs[0] ?? '');
  return t && t.dtype ? dtypeName(t.dtype) : 'float';
}

const qdqEdgeCache = new WeakMap<PlacedGraph, { dqActivations: Set<string>; qInputs: Set<string> }>();

function touchesQdq(ctx: NodeContext): boolean {
  const { graph, node } = ctx;
  let e = qdqEdgeCache.get(graph);
  if (e === undefined) {
    e = { dqActivations: new Set(), qInputs: new Set() };
    for (const n of graph.nodes) {
      if (n.opType === 'DequantizeLinear' && !graph.tensors.get(n.inputs[0]!)?.initializer) e.dqActivations.add(n.outputs[0]!);
      if (n.opType === 'QuantizeLinear') e.qInputs.add(n.inputs[0]!);
    }
    qdqEdgeCache.set(graph, e);
  }
  return node.inputs.some((x) => e!.dqActivations.has(x)) || node.outputs.some((o) => e!.qInputs.has(o));
}

function quantFacts(
  quant: NodeQuant,
  c: { formats?: readonly string[]; activationDtypes?: readonly string[]; weightDtypes?: readonly string[]; weightGranularity?: readonly string[]; symmetricWeights?: boolean; constantScales?: boolean; who: string },
): R {
  if (c.formats && quant.format && !c.formats.includes(quant.format)) return fail('QUANT_FORMAT', `quantized as ${quant.format}; ${c.who} takes ${c.formats.join('/') || 'no quantized format'}`);
  if (c.activationDtypes && quant.activationDtype && !c.activationDtypes.includes(quant.activationDtype)) {
    return fail('QUANT_DTYPE', `activations are ${quant.activationDtype}; ${c.who} takes ${c.activationDtypes.join('/') || 'none'}`);
  }
  if (c.weightDtypes && quant.weightDtype && !c.weightDtypes.includes(quant.weightDtype)) {
    return fail('QUANT_DTYPE', `weights are ${quant.weightDtype}; ${c.who} takes ${c.weightDtypes.join('/') || 'none'}`);
  }
  if (c.weightGranularity && quant.granularity && !c.weightGranularity.includes(quant.granularity)) {
    return fail('QUANT_GRANULARITY', `weights are quantized ${quant.granularity}; ${c.who} takes ${c.weightGranularity.join('/')} here`);
  }
  if (c.symmetricWeights && quant.weightDtype) {
    if (quant.symmetric === false) return fail('QUANT_ASYMMETRIC', `weight zero points are not 0; ${c.who} needs symmetric weights`);
    if (quant.symmetric === null) return unknown('QUANT_ASYMMETRIC', 'the weight zero points could not be read');
  }
  if (c.constantScales && quant.nonConstantScales.length > 0) {
    return fail('QUANT_SCALE_NOT_CONSTANT', `scale/zero point '${quant.nonConstantScales[0]}' is not a constant`);
  }
  return PASS;
}

function evalQuantCond(qc: QuantCondition, ctx: NodeContext): R {
  const quant = ctx.quant;
  let r: R;
  if (quant.format === null) {
    r = qc.required ? fail('QUANT_REQUIRED', `this op is accelerated only when quantized; the node computes in ${floatDtype(ctx)}`) : PASS;
  } else {
    r = quantFacts(quant, {
      ...(qc.formats ? { formats: qc.formats } : {}),
      ...(qc.activationDtypes ? { activationDtypes: qc.activationDtypes } : {}),
      ...(qc.weightDtypes ? { weightDtypes: qc.weightDtypes } : {}),
      ...(qc.weightGranularity ? { weightGranularity: qc.weightGranularity } : {}),
      ...(qc.symmetricWeights !== undefined ? { symmetricWeights: qc.symmetricWeights } : {}),
      who: `the ${ctx.node.opType} kernel`,
    });
  }
  return withMeta(r, qc);
}

// ---- the `when` tree ------------------------------------------------------------------------------

/** Evaluates a `when` tree on a node. */
export function evalWhen(w: When, ctx: NodeContext): R {
  const parts: R[] = [];
  if (w.opset) parts.push(checkOpset(w.opset, opsetOf(ctx), `the model's opset for ${ctx.node.opType}`));
  for (const c of w.inputs ?? []) parts.push(tensorCond(c, ctx, 'input'));
  for (const c of w.outputs ?? []) parts.push(tensorCond(c, ctx, 'output'));
  for (const [name, c] of Object.entries(w.attributes ?? {})) parts.push(attributeCond(name, c, ctx));
  for (const [key, c] of Object.entries(w.derived ?? {})) if (c) parts.push(derivedCond(key as DerivedValue, c, ctx));
  if (w.quant) parts.push(evalQuantCond(w.quant, ctx));
  if (w.anyOf) {
    const rs = w.anyOf.map((b) => evalWhen(b, ctx));
    if (rs.some((r) => r.status === 'ok')) parts.push(PASS);
    else {
      const u = rs.find((r) => r.status === 'unknown');
      const f = rs.find((r) => r.status === 'fail');
      parts.push(u ?? withMeta(fail(f && f.status !== 'ok' ? f.reason : 'ATTRIBUTE', `none of ${rs.length} alternatives holds: ${rs.map((r) => (r.status === 'ok' ? '' : r.detail)).join(' | ')}`), w));
    }
  }
  if (w.not) {
    const r = evalWhen(w.not, ctx);
    parts.push(r.status === 'ok' ? withMeta(fail('ATTRIBUTE', 'the node matches an excluded case'), w) : r.status === 'fail' ? PASS : r);
  }
  parts.push(...unverifiables(w.unverifiable, ctx));
  const r = all(parts);
  // The when's own meta applies to anyOf/not failures (handled above); keep the leaf's reason otherwise.
  return r.status !== 'ok' && w.hint && !r.hint ? { ...r, hint: w.hint } : r;
}

function unverifiables(list: readonly Unverifiable[] | undefined, ctx: NodeContext): R[] {
  const out: R[] = [];
  for (const u of list ?? []) {
    const applies = u.when ? evalWhen(u.when, ctx) : PASS;
    if (applies.status === 'fail') continue;
    out.push(unknown('UNVERIFIABLE', `${u.reason} [${u.id}]`));
  }
  return out;
}

// ---- tensors ---------------------------------------------------------------------------------------

interface TensorView {
  readonly name: string;
  readonly dtype: number;
  readonly shape: Shape;
  /** Initializer (or Constant node) in the placed graph; null when the tensor has no facts at all. */
  readonly constant: boolean | null;
  /** Dtype before dequantization (QDQ node unit input) or after quantization (unit output). */
  readonly quantized: boolean;
}

function viewOf(ctx: NodeContext, kind: 'input' | 'output', i: number): TensorView | undefined {
  const { node, graph, unit } = ctx;
  const name = kind === 'input' ? node.inputs[i] : node.outputs[i];
  if (name === undefined || name === '') return undefined;
  const t = graph.tensors.get(name);
  let dtype = t?.dtype ?? 0;
  let constant: boolean | null = t === undefined ? null : t.initializer;
  let quantized = false;
  // TensorRT-like runtimes check the op at the DequantizeLinear's float output (`unitOpDtype`).
  const atQuantized = ctx.profile.quantization?.unitOpDtype?.checkedAt !== 'dequantized';
  if (unit) {
    if (kind === 'input') {
      const dq = unit.dqNodes.map((d) => graph.nodes[d]!).find((d) => d.outputs[0] === name);
      if (dq) {
        const src = graph.tensors.get(dq.inputs[0]!);
        constant = src === undefined ? null : src.initializer;
        if (atQuantized) {
          dtype = src?.dtype ?? dtype;
          quantized = true;
        }
      }
    } else if (atQuantized) {
      const q = unit.qNodes.map((d) => graph.nodes[d]!).find((d) => d.inputs[0] === name);
      if (q) {
        dtype = qOutputDtype(graph, q);
        quantized = true;
      }
    }
  }
  return { name, dtype, shape: t?.shape ?? null, constant, quantized };
}

function tensorCond(c: TensorCondition, ctx: NodeContext, kind: 'input' | 'output'): R {
  const list = kind === 'input' ? ctx.node.inputs : ctx.node.outputs;
  const indices = c.index !== undefined ? [c.index] : list.map((_, i) => i).filter((i) => list[i] !== '');
  const rs: R[] = [];
  for (const i of indices) {
    const v = viewOf(ctx, kind, i);
    const label = v ? `${kind} ${i} '${v.name}'` : `${kind} ${i}`;
    if (v === undefined) {
      if (c.optional === false) rs.push(withMeta(fail('SHAPE', `${label} is required but absent`), c));
      continue;
    }
    if (c.dtypes) {
      const name = dtypeName(v.dtype);
      // A dtype the runtime casts down (TensorRT: int64 → int32) passes where its target dtype is allowed.
      const castTo = v.quantized ? undefined : (ctx.profile.dtypeCasts?.map as Readonly<Record<string, string>> | undefined)?.[name];
      if (v.dtype === 0) rs.push(unknown('DTYPE', `the dtype of ${label} is unknown`));
      else if (!c.dtypes.includes(name as never) && !(castTo !== undefined && c.dtypes.includes(castTo as never))) {
        rs.push(withMeta(fail('DTYPE', `${label} is ${dtypeName(v.dtype)}${v.quantized ? ' (quantized)' : ''}; allowed: ${c.dtypes.join(', ')}`), c));
      }
    }
    if (c.constant === true && v.constant !== true) rs.push(withMeta(fail('NON_CONSTANT_INPUT', `${label} must be a constant (initializer) but is computed at run time`), c));
    if (c.constant === false) {
      if (v.constant === null) rs.push(unknown('NON_CONSTANT_INPUT', `whether ${label} is a constant is unknown`));
      else if (v.constant) rs.push(withMeta(fail('NON_CONSTANT_INPUT', `${label} must not be a constant (initializer) but is one`), c));
    }
    if (c.values) {
      const vals = v.constant ? constValues(ctx, v.name) : undefined;
      if (vals === undefined) rs.push(unknown('ATTRIBUTE', `the values of ${label} are not known statically`));
      else {
        const bad = vals.find((x) => predicate(c.values!, x) !== true);
        if (bad !== undefined) rs.push(withMeta(fail('ATTRIBUTE', `${label} holds ${bad}; every value must be ${describePredicate(c.values)}`), c));
      }
    }
    if (c.shape) rs.push(withMeta(shapeCond(c.shape, v, ctx, label), c));
  }
  return all(rs);
}

/** NCHW → NHWC for rank ≥ 3 tensors, as onnx2tf lays out activations and conv weights. */
function converted(shape: readonly (number | string | null)[]): (number | string | null)[] {
  if (shape.length < 3) return [...shape];
  return [shape[0]!, ...shape.slice(2), shape[1]!];
}

function shapeCond(c: ShapeCondition, v: TensorView, ctx: NodeContext, label: string): R {
  const layout = c.layout ?? (ctx.profile.conversion ? 'converted' : 'source');
  const nhwc = layout === 'converted' && ctx.profile.conversion?.layout === 'NHWC';
  const raw = v.shape;
  const shape = raw === null ? null : nhwc ? converted(raw) : [...raw];
  const shownOf = (): string => (shape === null ? 'unknown' : `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]${nhwc ? ' (NHWC)' : ''}`);
  const rs: R[] = [];
  if (c.fixed) {
    if (shape === null || !shape.every((d) => typeof d === 'number' && d > 0)) rs.push(withMeta(fail('DYNAMIC_SHAPE', `${label} has shape ${shownOf()}, not fixed`), c));
  }
  if (c.rank) {
    if (shape === null) rs.push(unknown('RANK', `the rank of ${label} is unknown`));
    else {
      const r = predicate(c.rank, shape.length);
      if (r === false) rs.push(withMeta(fail('RANK', `${label} has rank ${shape.length} (${describePredicate(c.rank)} required)`), c));
    }
  }
  // A tensor of rank 0 or 1 has no batch dim: a shape tensor ([N, C, H, W] from Shape) is not data.
  if (c.batch && !(shape !== null && shape.length <= 1)) {
    const d = shape?.[0];
    if (typeof d !== 'number') rs.push(unknown('SHAPE', `the batch dim of ${label} is ${shape === null ? 'unknown' : String(d)}`));
    else if (predicate(c.batch, d) === false) rs.push(withMeta(fail('SHAPE', `${label} has batch ${d} (${describePredicate(c.batch)} required)`), c));
  }
  if (c.dims) {
    if (shape === null) rs.push(unknown('SHAPE', `the shape of ${label} is unknown`));
    else {
      const bad = shape.findIndex((d) => typeof d === 'number' && predicate(c.dims!, d) === false);
      if (bad >= 0) rs.push(withMeta(fail('SHAPE', `${label} has dim ${bad} = ${shape[bad]} in ${shownOf()} (${describePredicate(c.dims)} required)`), c));
      else if (shape.some((d) => typeof d !== 'number')) rs.push(unknown('SHAPE', `${label} has shape ${shownOf()} with unknown dims`));
    }
  }
  if (c.innermostNonUnitMax !== undefined) {
    const k = c.innermostNonUnitMax;
    if (shape === null) rs.push(unknown('SHAPE', `the shape of ${label} is unknown`));
    else {
      const outer = shape.slice(0, Math.max(0, shape.length - k));
      if (outer.some((d) => typeof d === 'number' && d !== 1)) rs.push(withMeta(fail('SHAPE', `${label} has shape ${shownOf()}: only the ${k} innermost dims may be > 1`), c));
      else if (outer.some((d) => typeof d !== 'number')) rs.push(unknown('SHAPE', `${label} has shape ${shownOf()}: cannot tell whether only the ${k} innermost dims are > 1`));
    }
  }
  return all(rs);
}

/** Values of a constant tensor (small ones only), or undefined. */
function constValues(ctx: NodeContext, name: string): readonly number[] | undefined {
  if (name === '') return undefined;
  const t = ctx.graph.tensors.get(name);
  if (!t?.initializer) return undefined;
  if (t.value) return t.value.values;
  if (t.tensor) return loadTensorValue(t.tensor)?.values;
  return undefined;
}

// ---- attributes and derived values -----------------------------------------------------------------

type Val = ScalarValue | readonly ScalarValue[];

function attrValue(a: AttributeValue): Val | undefined {
  switch (a.type) {
    case 'int':
    case 'float':
    case 'string':
      return a.value;
    case 'ints':
    case 'floats':
    case 'strings':
      return a.value;
    default:
      return undefined;
  }
}

function attributeCond(name: string, c: AttributeCondition, ctx: NodeContext): R {
  const a = ctx.node.attributes.get(name);
  if (c.absent === true) {
    return a === undefined ? PASS : withMeta(fail('ATTRIBUTE', `attribute ${name} must be absent`), c);
  }
  let v: Val | undefined;
  if (a === undefined) {
    if (c.default === undefined) {
      const hasTest = ['eq', 'ne', 'in', 'notIn', 'min', 'max', 'range', 'len', 'each'].some((k) => (c as Record<string, unknown>)[k] !== undefined);
      return hasTest ? withMeta(fail('ATTRIBUTE', `attribute ${name} is absent`), c) : PASS;
    }
    v = c.default;
  } else {
    v = attrValue(a);
    if (v === undefined) return unknown('ATTRIBUTE', `attribute ${name} is a ${a.type}, which EdgeGate cannot test`);
  }
  const ok = predicate(c, v);
  if (ok === null) return unknown('ATTRIBUTE', `attribute ${name} = ${show(v)} cannot be tested against ${describePredicate(c)}`);
  return ok ? PASS : withMeta(fail('ATTRIBUTE', `attribute ${name} = ${show(v)}${a === undefined ? ' (ONNX default)' : ''}; required ${describePredicate(c)}`), c);
}

function derivedCond(key: DerivedValue, c: Predicate & { reason?: ReasonCode; message?: string; hint?: string }, ctx: NodeContext): R {
  const { node, graph } = ctx;
  const shapeOf = (x: string | undefined): Shape | undefined => (x ? graph.tensors.get(x)?.shape ?? null : undefined);
  const v = derivedValue(
    {
      opType: node.opType,
      attributes: node.attributes,
      inputShapes: node.inputs.map(shapeOf),
      outputShapes: node.outputs.map(shapeOf),
      inputCount: node.inputs.filter((x) => x !== '').length,
      outputCount: node.outputs.filter((x) => x !== '').length,
      inputValue: (i) => constValues(ctx, node.inputs[i] ?? ''),
    },
    key,
  );
  const reason = SHAPE_DERIVED.has(key) ? 'SHAPE' : 'ATTRIBUTE';
  if (v === null) return unknown(reason, `${key} cannot be computed (unknown shape or attribute)`);
  const ok = predicate(c, v);
  if (ok === null) return unknown(reason, `${key} = ${String(v)} cannot be tested against ${describePredicate(c)}`);
  return ok ? PASS : withMeta(fail(reason, `${key} = ${String(v)}; required ${describePredicate(c)}`), c);
}

// ---- predicates ------------------------------------------------------------------------------------

function eqVal(a: Val, b: Val): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => eqVal(x as Val, (b as readonly ScalarValue[])[i] as Val));
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

/** true/false, or null when the value's type does not fit the predicate. */
export function predicate(p: Predicate, v: Val): boolean | null {
  if (p.eq !== undefined && !eqVal(v as Val, p.eq as Val)) return false;
  if (p.ne !== undefined && eqVal(v as Val, p.ne as Val)) return false;
  if (p.in !== undefined && !p.in.some((x) => eqVal(v as Val, x as Val))) return false;
  if (p.notIn !== undefined && p.notIn.some((x) => eqVal(v as Val, x as Val))) return false;
  const numeric = (x: unknown): boolean | null => {
    if (typeof x !== 'number') return null;
    if (p.min !== undefined && x < p.min) return false;
    if (p.max !== undefined && x > p.max) return false;
    if (p.range !== undefined && (x < p.range[0] || x > p.range[1])) return false;
    return true;
  };
  if (p.min !== undefined || p.max !== undefined || p.range !== undefined) {
    const items = Array.isArray(v) ? v : [v];
    for (const x of items) {
      const r = numeric(x);
      if (r === null) return null;
      if (!r) return false;
    }
  }
  if (p.len !== undefined) {
    if (!Array.isArray(v)) return null;
    const r = predicate(p.len, v.length);
    if (r !== true) return r;
  }
  if (p.each !== undefined) {
    if (!Array.isArray(v)) return null;
    for (const x of v) {
      const r = predicate(p.each, x as Val);
      if (r !== true) return r;
    }
  }
  return true;
}

function show(v: Val): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

/** Short human form of a predicate, for detail texts. */
export function describePredicate(p: Predicate): string {
  const parts: string[] = [];
  if (p.eq !== undefined) parts.push(`= ${show(p.eq as Val)}`);
  if (p.ne !== undefined) parts.push(`≠ ${show(p.ne as Val)}`);
  if (p.in !== undefined) parts.push(`one of ${p.in.map((x) => show(x as Val)).join(', ')}`);
  if (p.notIn !== undefined) parts.push(`none of ${p.notIn.map((x) => show(x as Val)).join(', ')}`);
  if (p.min !== undefined) parts.push(`≥ ${p.min}`);
  if (p.max !== undefined) parts.push(`≤ ${p.max}`);
  if (p.range !== undefined) parts.push(`in [${p.range[0]}, ${p.range[1]}]`);
  if (p.len !== undefined) parts.push(`length ${describePredicate(p.len)}`);
  if (p.each !== undefined) parts.push(`each ${describePredicate(p.each)}`);
  return parts.join(' and ');
}

// ---- fused patterns -------------------------------------------------------------------------------

function evalPattern(p: PatternRequirement, ctx: NodeContext): R {
  const { graph, node } = ctx;
  const consumers = (t: string): GraphNode[] => graph.nodes.filter((n) => n.inputs.includes(t));
  const producerOf = (t: string): GraphNode | undefined => graph.nodes.find((n) => n.outputs.includes(t));
  const matches = (n: GraphNode, step: { op: string; domain?: string | undefined }): boolean => n.opType === step.op && n.domain === normalizeDomain(step.domain);
  for (const chain of p.anyOf) {
    const steps = chain.chain;
    let selfAt = steps.findIndex((s) => s.self === true);
    if (selfAt < 0) selfAt = steps.findIndex((s) => matches(node, s));
    if (selfAt < 0 || !matches(node, steps[selfAt]!)) continue;
    let ok = true;
    // backwards: each earlier step produces an input of the next and its output has one consumer
    let cur = node;
    for (let k = selfAt - 1; k >= 0 && ok; k--) {
      const prev = cur.inputs.map((x) => (x ? producerOf(x) : undefined)).find((n) => n !== undefined && matches(n, steps[k]!));
      if (!prev || prev.outputs.some((o) => o !== '' && (consumers(o).length !== 1 || graph.outputs.includes(o)))) ok = false;
      else cur = prev;
    }
    cur = node;
    for (let k = selfAt + 1; k < steps.length && ok; k++) {
      const out = cur.outputs[0] ?? '';
      const cs = consumers(out);
      if (cs.length !== 1 || graph.outputs.includes(out) || !matches(cs[0]!, steps[k]!)) ok = false;
      else cur = cs[0]!;
    }
    if (ok) return PASS;
  }
  return withMeta(fail('PATTERN_REQUIRED', `accelerated only inside a fused pattern (${p.anyOf.map((c) => c.chain.map((s) => s.op).join(' → ')).join(' or ')}), which this node is not part of`), p);
}
