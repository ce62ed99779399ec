/**
 * Broadcasting elementwise ops, unary activations and casts. Small constant inputs are folded (shape
 * arithmetic), and rank-0/1 integer "shape vectors" carry symbolic dims through Add/Sub/Mul/Div.
 */
import { DataType, type Dim } from '../../onnx/types.js';
import { addDim, broadcastAll, floorDivDim, mulDim, subDim } from '../dims.js';
import { broadcastMap, castNumber, isIntDtype } from '../values.js';
import type { ConstValue } from '../types.js';
import {
  attrFloat,
  attrInt,
  attrString,
  type InferCtx,
  type OutFact,
  type ShapeRule,
  req,
  unknown,
} from './context.js';

/** Folded values of all given inputs when every one is known; undefined otherwise (no big loads). */
export function allValues(ctx: InferCtx, indices?: readonly number[]): ConstValue[] | undefined {
  const idx = indices ?? ctx.inputs.map((_, i) => i);
  const vals: ConstValue[] = [];
  for (const i of idx) {
    const f = ctx.inputs[i];
    if (f === undefined) return undefined;
    if (f.value === undefined && !f.isConstant) return undefined;
    const v = ctx.value(i);
    if (v === undefined) return undefined;
    vals.push(v);
  }
  return vals;
}

/** Symbolic elements of a rank-0/1 integer input, from its value or its tracked dims. */
export function symOf(ctx: InferCtx, i: number): readonly Dim[] | undefined {
  const f = ctx.inputs[i];
  if (f === undefined) return undefined;
  if (f.sym !== undefined) return f.sym;
  if (f.value !== undefined && f.value.dims.length <= 1 && isIntDtype(f.value.dtype)) return f.value.values;
  if (f.isConstant && f.shape !== null && f.shape.length <= 1) {
    const v = ctx.value(i);
    if (v !== undefined && isIntDtype(v.dtype)) return v.values;
  }
  return undefined;
}

type NumFn = (...xs: number[]) => number;

function binary(
  outDtype: (ctx: InferCtx) => number,
  fn?: NumFn,
  symFn?: (a: Dim, b: Dim) => Dim,
): ShapeRule {
  return (ctx) => {
    const a = req(ctx, 0);
    const b = req(ctx, 1);
    const dtype = outDtype(ctx);
    const shape = broadcastAll([a.shape, b.shape]);
    const o: OutFact = { dtype, shape };
    if (fn !== undefined) {
      const vals = allValues(ctx, [0, 1]);
      if (vals !== undefined) {
        const v = broadcastMap(vals, dtype, fn);
        if (v !== undefined && v !== null) o.value = v;
      }
    }
    if (o.value === undefined && symFn !== undefined && shape !== null && shape.length <= 1) {
      const sa = symOf(ctx, 0);
      const sb = symOf(ctx, 1);
      const n = shape.length === 0 ? 1 : shape[0];
      if (sa !== undefined && sb !== undefined && typeof n === 'number') {
        const pick = (s: readonly Dim[], k: number): Dim => (s.length === 1 ? s[0] : s[k]);
        o.sym = Array.from({ length: n }, (_, k) => symFn(pick(sa, k), pick(sb, k)));
      }
    }
    if (shape === null) o.unknownReason = 'input rank unknown';
    return [o];
  };
}

function variadic(fn?: NumFn): ShapeRule {
  return (ctx) => {
    const facts = ctx.inputs.filter((f) => f !== undefined);
    if (facts.length === 0) return [unknown(0, 'no inputs')];
    const shape = broadcastAll(facts.map((f) => f.shape));
    const o: OutFact = { dtype: facts[0].dtype, shape };
    if (fn !== undefined) {
      const vals = allValues(ctx);
      if (vals !== undefined) {
        const v = broadcastMap(vals, o.dtype, fn);
        if (v !== null) o.value = v;
      }
    }
    return [o];
  };
}

/** Same shape and dtype as input 0 (plus optional folding of the value). */
export function unary(fn?: NumFn, dtypeOf?: (ctx: InferCtx) => number): ShapeRule {
  return (ctx) => {
    const x = req(ctx, 0);
    const dtype = dtypeOf ? dtypeOf(ctx) : x.dtype;
    const o: OutFact = { dtype, shape: x.shape };
    if (fn !== undefined) {
      const vals = allValues(ctx, [0]);
      if (vals !== undefined) {
        const v = broadcastMap(vals, dtype, fn);
        if (v !== null) o.value = v;
      }
    }
    return [o];
  };
}

const same = (ctx: InferCtx): number => req(ctx, 0).dtype;
const bool = (): number => DataType.BOOL;

/** ONNX integer Div truncates toward zero; float Div is IEEE. */
function divFor(ctx: InferCtx): NumFn {
  return isIntDtype(req(ctx, 0).dtype) ? (a, b) => (b === 0 ? 0 : Math.trunc(a / b)) : (a, b) => a / b;
}

const identity: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const o: OutFact = { dtype: x.dtype, shape: x.shape };
  const v = x.value ?? (x.isConstant ? ctx.value(0) : undefined);
  if (v !== undefined) o.value = v;
  if (x.sym !== undefined) o.sym = x.sym;
  return [o];
};

const cast: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const to = attrInt(ctx.node, 'to', 0);
  const o: OutFact = { dtype: to, shape: x.shape };
  const vals = allValues(ctx, [0]);
  if (vals !== undefined) {
    o.value = { dtype: to, dims: vals[0].dims, values: vals[0].values.map((v) => castNumber(v, to)) };
  } else if (x.sym !== undefined && isIntDtype(to)) o.sym = x.sym;
  return [o];
};

const castLike: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  const to = req(ctx, 1).dtype;
  const o: OutFact = { dtype: to, shape: x.shape };
  const vals = allValues(ctx, [0]);
  if (vals !== undefined) {
    o.value = { dtype: to, dims: vals[0].dims, values: vals[0].values.map((v) => castNumber(v, to)) };
  } else if (x.sym !== undefined && isIntDtype(to)) o.sym = x.sym;
  return [o];
};

const where: ShapeRule = (ctx) => {
  const c = req(ctx, 0);
  const x = req(ctx, 1);
  const y = req(ctx, 2);
  const shape = broadcastAll([c.shape, x.shape, y.shape]);
  const o: OutFact = { dtype: x.dtype, shape };
  const vals = allValues(ctx, [0, 1, 2]);
  if (vals !== undefined) {
    const v = broadcastMap(vals, x.dtype, (cc, a, b) => (cc ? a : b));
    if (v !== null) o.value = v;
  } else if (shape !== null && shape.length <= 1 && typeof (shape[0] ?? 1) === 'number') {
    const cv = allValues(ctx, [0]);
    const sx = symOf(ctx, 1);
    const sy = symOf(ctx, 2);
    if (cv !== undefined && sx !== undefined && sy !== undefined) {
      const n = (shape.length === 0 ? 1 : shape[0]) as number;
      const pick = <T>(s: readonly T[], k: number): T => (s.length === 1 ? s[0] : s[k]);
      o.sym = Array.from({ length: n }, (_, k) => (pick(cv[0].values, k) ? pick(sx, k) : pick(sy, k)));
    }
  }
  return [o];
};

const dropout: ShapeRule = (ctx) => {
  const x = req(ctx, 0);
  return [
    { dtype: x.dtype, shape: x.shape },
    { dtype: DataType.BOOL, shape: x.shape },
  ];
};

const mod: ShapeRule = (ctx) => {
  const fmod = attrInt(ctx.node, 'fmod', 0);
  const fn: NumFn =
    fmod === 1 ? (a, b) => a % b : (a, b) => (b === 0 ? 0 : a - b * Math.floor(a / b));
  return binary(same, fn)(ctx);
};

const div: ShapeRule = (ctx) => binary(same, divFor(ctx), floorDivDim)(ctx);

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26; folding only needs this for constant chains, which never feed shapes.
  const s = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return s * y;
}

/** ai.onnx elementwise rules. */
export const ELEMENTWISE_RULES: Readonly<Record<string, ShapeRule>> = {
  Add: binary(same, (a, b) => a + b, addDim),
  Sub: binary(same, (a, b) => a - b, subDim),
  Mul: binary(same, (a, b) => a * b, mulDim),
  Div: div,
  Pow: binary(same, (a, b) => a ** b),
  Mod: mod,
  BitShift: (ctx) => {
    const left = attrString(ctx.node, 'direction', 'RIGHT') === 'LEFT';
    return binary(same, left ? (a, b) => a * 2 ** b : (a, b) => Math.floor(a / 2 ** b))(ctx);
  },
  BitwiseAnd: binary(same, (a, b) => a & b),
  BitwiseOr: binary(same, (a, b) => a | b),
  BitwiseXor: binary(same, (a, b) => a ^ b),
  BitwiseNot: unary((a) => ~a),
  PRelu: binary(same),
  Equal: binary(bool, (a, b) => (a === b ? 1 : 0)),
  Less: binary(bool, (a, b) => (a < b ? 1 : 0)),
  LessOrEqual: binary(bool, (a, b) => (a <= b ? 1 : 0)),
  Greater: binary(bool, (a, b) => (a > b ? 1 : 0)),
  GreaterOrEqual: binary(bool, (a, b) => (a >= b ? 1 : 0)),
  And: binary(bool, (a, b) => (a && b ? 1 : 0)),
  Or: binary(bool, (a, b) => (a || b ? 1 : 0)),
  Xor: binary(bool, (a, b) => (!!a !== !!b ? 1 : 0)),
  Max: variadic((...xs) => Math.max(...xs)),
  Min: variadic((...xs) => Math.min(...xs)),
  Sum: variadic((...xs) => xs.reduce((s, x) => s + x, 0)),
  Mean: variadic((...xs) => xs.reduce((s, x) => s + x, 0) / xs.length),
  Where: where,
  Identity: identity,
  Cast: cast,
  CastLike: castLike,
  Not: unary((a) => (a ? 0 : 1), bool),
  IsNaN: unary((a) => (Number.isNaN(a) ? 1 : 0), bool),
  IsInf: unary(undefined, bool),
  Neg: unary((a) => -a),
  Abs: unary(Math.abs),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Round: unary((a) => {
    const r = Math.round(a);
    return Math.abs(a % 1) === 0.5 ? 2 * Math.round(a / 2) : r;
  }),
  Sign: unary(Math.sign),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((a) => 1 / a),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Relu: unary((a) => Math.max(0, a)),
  Sigmoid: unary(sigmoid),
  Tanh: unary(Math.tanh),
  Erf: unary(erf),
  Sin: unary(Math.sin),
  Cos: unary(Math.cos),
  Tan: unary(Math.tan),
  Asin: unary(Math.asin),
  Acos: unary(Math.acos),
  Atan: unary(Math.atan),
  Sinh: unary(Math.sinh),
  Cosh: unary(Math.cosh),
  Asinh: unary(Math.asinh),
  Acosh: unary(Math.acosh),
  Atanh: unary(Math.atanh),
  LeakyRelu: unary(),
  HardSigmoid: unary(),
  HardSwish: unary(),
  Gelu: unary(),
  Elu: unary(),
  Selu: unary(),
  Celu: unary(),
  Softplus: unary(),
  Softsign: unary(),
  Mish: unary(),
  ThresholdedRelu: unary(),
  Shrink: unary(),
  Clip: (ctx) => {
    // Opset < 11 carries min/max as attributes; folding is only needed for shape chains, so attrs suffice.
    const lo = ctx.opset < 11 ? attrFloat(ctx.node, 'min', -Infinity) : -Infinity;
    const hi = ctx.opset < 11 ? attrFloat(ctx.node, 'max', Infinity) : Infinity;
    return unary(ctx.opset < 11 ? (a) => Math.min(hi, Math.max(lo, a)) : undefined)(ctx);
  },
  Dropout: dropout,
};
