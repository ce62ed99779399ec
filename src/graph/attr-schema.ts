/**
 * What a node must look like before its shape rule runs: attribute types and value ranges, and the
 * ranks of the inputs the rule indexes into, per op, as data. The analysis checks a node against its
 * entry first; a node that does not conform becomes one ATTRIBUTE_INVALID or INPUT_INVALID issue that
 * names the node, and the rule never sees it, so rules receive well-typed values.
 *
 * Types follow the ONNX operator definitions (and onnxruntime's contrib op definitions for com.microsoft);
 * ranges are the values those definitions give meaning to (strides ≥ 1, pads ≥ 0, flags 0/1, ...).
 */
import type { AttributeValue, OnnxNode } from '../onnx/types.js';
import type { InFact } from './rules/context.js';

/** The attribute kinds a rule reads. Readers accept the listed compatible encodings too (see ACCEPTS). */
export type AttrKind = 'int' | 'ints' | 'float' | 'floats' | 'string' | 'strings' | 'tensor' | 'graph';

export interface AttrSpec {
  readonly kind: AttrKind;
  /** Lowest allowed value of an int, or of every element of ints. */
  readonly min?: number;
  /** Highest allowed value of an int, or of every element of ints. */
  readonly max?: number;
  /** Allowed values of a string. */
  readonly oneOf?: readonly string[];
  /** Required length of ints, relative to the spatial rank (rank of input 0 minus 2): 1× or 2×. */
  readonly spatialLength?: 1 | 2;
}

export interface InputSpec {
  /** The input's rank (when known) must be at least this. */
  readonly minRank?: number;
  /** The input's rank (when known) must be exactly this. */
  readonly rank?: number;
  /** The input's rank must equal the rank of this other input (when both are known). */
  readonly sameRankAs?: number;
}

export interface OpSchema {
  readonly attrs?: Readonly<Record<string, AttrSpec>>;
  readonly inputs?: Readonly<Record<number, InputSpec>>;
}

/** Which stored attribute types a reader accepts for each kind (the `attr*` helpers in rules/context.ts). */
const ACCEPTS: Readonly<Record<AttrKind, readonly AttributeValue['type'][]>> = {
  int: ['int', 'float'],
  ints: ['ints', 'int'],
  float: ['float', 'int'],
  floats: ['floats', 'ints', 'float'],
  string: ['string'],
  strings: ['strings'],
  tensor: ['tensor', 'sparse_tensor'],
  graph: ['graph'],
};

const AUTO_PAD = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];
const DIRECTION = ['forward', 'reverse', 'bidirectional'];
const BIG = 2 ** 31 - 1;

/** Conv-like window attributes. */
const WINDOW: Readonly<Record<string, AttrSpec>> = {
  kernel_shape: { kind: 'ints', min: 1, max: BIG, spatialLength: 1 },
  strides: { kind: 'ints', min: 1, max: BIG, spatialLength: 1 },
  dilations: { kind: 'ints', min: 1, max: BIG, spatialLength: 1 },
  pads: { kind: 'ints', min: 0, max: BIG, spatialLength: 2 },
  auto_pad: { kind: 'string', oneOf: AUTO_PAD },
};
const CONV: OpSchema = {
  attrs: { ...WINDOW, group: { kind: 'int', min: 1, max: BIG } },
  inputs: { 0: { minRank: 3 }, 1: { sameRankAs: 0 } },
};
const CONV_TRANSPOSE: OpSchema = {
  attrs: { ...CONV.attrs, output_padding: { kind: 'ints', min: 0, max: BIG, spatialLength: 1 }, output_shape: { kind: 'ints', min: 0, max: BIG } },
  inputs: CONV.inputs,
};
const POOL: OpSchema = {
  attrs: { ...WINDOW, ceil_mode: { kind: 'int', min: 0, max: 1 }, storage_order: { kind: 'int', min: 0, max: 1 }, count_include_pad: { kind: 'int', min: 0, max: 1 }, p: { kind: 'int', min: 1, max: BIG } },
  inputs: { 0: { minRank: 3 } },
};
const RECURRENT: OpSchema = {
  attrs: {
    hidden_size: { kind: 'int', min: 1, max: BIG },
    direction: { kind: 'string', oneOf: DIRECTION },
    layout: { kind: 'int', min: 0, max: 1 },
    activations: { kind: 'strings' },
    activation_alpha: { kind: 'floats' },
    activation_beta: { kind: 'floats' },
    clip: { kind: 'float' },
    input_forget: { kind: 'int', min: 0, max: 1 },
    linear_before_reset: { kind: 'int', min: 0, max: 1 },
  },
  inputs: { 0: { rank: 3 }, 1: { rank: 3 }, 2: { rank: 3 } },
};
const AXIS: Readonly<Record<string, AttrSpec>> = { axis: { kind: 'int', min: -BIG, max: BIG } };
const AXES: Readonly<Record<string, AttrSpec>> = { axes: { kind: 'ints', min: -BIG, max: BIG }, keepdims: { kind: 'int', min: 0, max: 1 } };
const REDUCE: OpSchema = { attrs: { ...AXES, noop_with_empty_axes: { kind: 'int', min: 0, max: 1 } } };

/** domain ("" = ai.onnx) → op → schema. Ops not listed are checked only by their rule. */
export const OP_SCHEMAS: Readonly<Record<string, Readonly<Record<string, OpSchema>>>> = {
  '': {
    Conv: CONV,
    ConvInteger: CONV,
    ConvTranspose: CONV_TRANSPOSE,
    QLinearConv: { attrs: CONV.attrs, inputs: { 0: { minRank: 3 }, 3: { sameRankAs: 0 } } },
    MaxPool: POOL,
    AveragePool: POOL,
    LpPool: POOL,
    LSTM: RECURRENT,
    GRU: RECURRENT,
    RNN: RECURRENT,
    Tile: { inputs: { 1: { rank: 1 } } },
    Expand: { inputs: { 1: { rank: 1 } } },
    Reshape: { attrs: { allowzero: { kind: 'int', min: 0, max: 1 }, shape: { kind: 'ints' } }, inputs: { 1: { rank: 1 } } },
    ConstantOfShape: { attrs: { value: { kind: 'tensor' } }, inputs: { 0: { rank: 1 } } },
    Slice: { attrs: { starts: { kind: 'ints' }, ends: { kind: 'ints' }, axes: { kind: 'ints' } }, inputs: { 1: { rank: 1 }, 2: { rank: 1 }, 3: { rank: 1 }, 4: { rank: 1 } } },
    Scan: {
      attrs: {
        body: { kind: 'graph' },
        num_scan_inputs: { kind: 'int', min: 1, max: 65536 },
        scan_input_axes: { kind: 'ints', min: -BIG, max: BIG },
        scan_output_axes: { kind: 'ints', min: -BIG, max: BIG },
        scan_input_directions: { kind: 'ints', min: 0, max: 1 },
        scan_output_directions: { kind: 'ints', min: 0, max: 1 },
      },
    },
    Loop: { attrs: { body: { kind: 'graph' } } },
    If: { attrs: { then_branch: { kind: 'graph' }, else_branch: { kind: 'graph' } } },
    Split: { attrs: { ...AXIS, split: { kind: 'ints', min: 0, max: BIG }, num_outputs: { kind: 'int', min: 1, max: 65536 } } },
    Concat: { attrs: AXIS },
    Gather: { attrs: AXIS },
    GatherElements: { attrs: AXIS },
    Flatten: { attrs: AXIS },
    Softmax: { attrs: AXIS },
    LogSoftmax: { attrs: AXIS },
    Hardmax: { attrs: AXIS },
    ArgMax: { attrs: { ...AXIS, keepdims: { kind: 'int', min: 0, max: 1 }, select_last_index: { kind: 'int', min: 0, max: 1 } } },
    ArgMin: { attrs: { ...AXIS, keepdims: { kind: 'int', min: 0, max: 1 }, select_last_index: { kind: 'int', min: 0, max: 1 } } },
    TopK: { attrs: { ...AXIS, largest: { kind: 'int', min: 0, max: 1 }, sorted: { kind: 'int', min: 0, max: 1 }, k: { kind: 'int', min: 0, max: BIG } } },
    Transpose: { attrs: { perm: { kind: 'ints', min: 0, max: BIG } } },
    Squeeze: { attrs: { axes: { kind: 'ints', min: -BIG, max: BIG } } },
    Unsqueeze: { attrs: { axes: { kind: 'ints', min: -BIG, max: BIG } } },
    ReduceMean: REDUCE,
    ReduceMax: REDUCE,
    ReduceMin: REDUCE,
    ReduceSum: REDUCE,
    ReduceProd: REDUCE,
    ReduceL1: REDUCE,
    ReduceL2: REDUCE,
    ReduceLogSum: REDUCE,
    ReduceLogSumExp: REDUCE,
    ReduceSumSquare: REDUCE,
    Cast: { attrs: { to: { kind: 'int', min: 1, max: 26 } } },
    DepthToSpace: { attrs: { blocksize: { kind: 'int', min: 1, max: BIG }, mode: { kind: 'string', oneOf: ['DCR', 'CRD'] } }, inputs: { 0: { rank: 4 } } },
    SpaceToDepth: { attrs: { blocksize: { kind: 'int', min: 1, max: BIG } }, inputs: { 0: { rank: 4 } } },
    Gemm: { attrs: { transA: { kind: 'int', min: 0, max: 1 }, transB: { kind: 'int', min: 0, max: 1 }, alpha: { kind: 'float' }, beta: { kind: 'float' } } },
    Einsum: { attrs: { equation: { kind: 'string' } } },
    OneHot: { attrs: AXIS },
    CumSum: { attrs: { exclusive: { kind: 'int', min: 0, max: 1 }, reverse: { kind: 'int', min: 0, max: 1 } } },
    LayerNormalization: { attrs: { ...AXIS, epsilon: { kind: 'float' }, stash_type: { kind: 'int' } } },
    Resize: { attrs: { mode: { kind: 'string', oneOf: ['nearest', 'linear', 'cubic'] } } },
    Pad: { attrs: { mode: { kind: 'string', oneOf: ['constant', 'reflect', 'edge', 'wrap'] }, pads: { kind: 'ints', min: -BIG, max: BIG } } },
  },
  'com.microsoft': {
    QLinearConv: { attrs: CONV.attrs, inputs: { 0: { minRank: 3 }, 3: { sameRankAs: 0 } } },
    FusedConv: { attrs: { ...CONV.attrs, activation: { kind: 'string' }, activation_params: { kind: 'floats' } }, inputs: CONV.inputs },
    NhwcConv: CONV,
    NhwcFusedConv: { attrs: { ...CONV.attrs, activation: { kind: 'string' }, activation_params: { kind: 'floats' } }, inputs: CONV.inputs },
    MatMulNBits: { attrs: { K: { kind: 'int', min: 1, max: BIG }, N: { kind: 'int', min: 1, max: BIG }, bits: { kind: 'int', min: 1, max: 8 }, block_size: { kind: 'int', min: 1, max: BIG } } },
    Attention: { attrs: { num_heads: { kind: 'int', min: 1, max: BIG }, qkv_hidden_sizes: { kind: 'ints', min: 1, max: BIG } } },
    MultiHeadAttention: { attrs: { num_heads: { kind: 'int', min: 1, max: BIG } } },
  },
};

/** Why a node does not conform; `code` is the issue code the analysis records. */
export interface NodeProblem {
  readonly code: 'ATTRIBUTE_INVALID' | 'INPUT_INVALID';
  readonly message: string;
}

function describeValue(a: AttributeValue): string {
  if (a.type === 'ref') return `a reference to '${a.refAttrName}'`;
  if (a.type === 'int' || a.type === 'float') return `${a.type} ${a.value}`;
  if (a.type === 'string') return `string '${a.value.slice(0, 40)}'`;
  if (a.type === 'ints' || a.type === 'floats') return `${a.type} [${a.value.slice(0, 8).join(', ')}${a.value.length > 8 ? ', …' : ''}]`;
  return a.type;
}

function checkAttr(name: string, spec: AttrSpec, a: AttributeValue, spatial: number | null): string | null {
  if (!ACCEPTS[spec.kind].includes(a.type)) return `attribute '${name}' must be ${spec.kind}, got ${describeValue(a)}`;
  if (spec.kind === 'int' || spec.kind === 'ints') {
    const values = a.type === 'ints' ? a.value : a.type === 'int' || a.type === 'float' ? [a.value] : [];
    for (const v of values) {
      if (!Number.isSafeInteger(v)) return `attribute '${name}' must hold integers, got ${describeValue(a)}`;
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
        return `attribute '${name}' must be in ${spec.min ?? '-∞'}..${spec.max ?? '∞'}, got ${describeValue(a)}`;
      }
    }
    if (spec.spatialLength !== undefined && spatial !== null && a.type === 'ints' && a.value.length !== spec.spatialLength * spatial) {
      return `attribute '${name}' must have ${spec.spatialLength * spatial} values for ${spatial} spatial dims, got ${describeValue(a)}`;
    }
  }
  if (spec.kind === 'float' || spec.kind === 'floats') {
    const values = a.type === 'floats' || a.type === 'ints' ? a.value : a.type === 'float' || a.type === 'int' ? [a.value] : [];
    if (values.some((v) => Number.isNaN(v))) return `attribute '${name}' must not be NaN, got ${describeValue(a)}`;
  }
  if (spec.oneOf !== undefined && a.type === 'string' && !spec.oneOf.includes(a.value)) {
    return `attribute '${name}' must be one of ${spec.oneOf.join(', ')}, got ${describeValue(a)}`;
  }
  return null;
}

function checkInputs(specs: Readonly<Record<number, InputSpec>>, inputs: readonly (InFact | undefined)[]): string | null {
  const rank = (i: number): number | null => inputs[i]?.shape?.length ?? null;
  for (const [key, spec] of Object.entries(specs)) {
    const i = Number(key);
    const r = rank(i);
    if (r === null) continue;
    if (spec.minRank !== undefined && r < spec.minRank) return `input ${i} must have rank ${spec.minRank} or more, got rank ${r}`;
    if (spec.rank !== undefined && r !== spec.rank) return `input ${i} must have rank ${spec.rank}, got rank ${r}`;
    const other = spec.sameRankAs === undefined ? null : rank(spec.sameRankAs);
    if (other !== null && r !== other) return `input ${i} must have the rank of input ${spec.sameRankAs} (${other}), got rank ${r}`;
  }
  return null;
}

/** Checks a node against its op's schema. Null when it conforms or the op has no schema. */
export function validateNode(node: Pick<OnnxNode, 'domain' | 'opType' | 'attributes'>, inputs: readonly (InFact | undefined)[]): NodeProblem | null {
  const schema = OP_SCHEMAS[node.domain]?.[node.opType];
  if (schema === undefined || !Object.hasOwn(OP_SCHEMAS[node.domain]!, node.opType)) return null;
  const x = inputs[0]?.shape;
  const spatial = x === null || x === undefined || x.length < 2 ? null : x.length - 2;
  for (const [name, spec] of Object.entries(schema.attrs ?? {})) {
    const a = node.attributes.get(name);
    if (a === undefined) continue;
    const problem = checkAttr(name, spec, a, spatial);
    if (problem !== null) return { code: 'ATTRIBUTE_INVALID', message: problem };
  }
  const bad = schema.inputs === undefined ? null : checkInputs(schema.inputs, inputs);
  return bad === null ? null : { code: 'INPUT_INVALID', message: bad };
}
