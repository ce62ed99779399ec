/**
 * Control flow: If, Loop, Scan. Bodies are analyzed through `ctx.inferSubgraph` (outer-scope names are
 * visible); outputs merge what every path can produce, so a dim that differs between paths is unknown.
 */
import { ShapeInferenceError } from '../errors.js';
import { DataType, type Dim, type Shape } from '../../onnx/types.js';
import { dimEquals, normAxis } from '../dims.js';
import {
  attrGraph,
  attrInt,
  attrInts,
  type InFact,
  type InferCtx,
  out,
  type OutFact,
  type ShapeRule,
  unknown,
} from './context.js';

/** Keeps the dims two shapes agree on; different ranks give an unknown rank. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a === null || b === null || a.length !== b.length) return null;
  return a.map((d, i) => (dimEquals(d, b[i]) ? d : null));
}

function mergeFacts(a: OutFact, b: OutFact): OutFact {
  const shape = mergeShapes(a.shape, b.shape);
  const o: OutFact = { dtype: a.dtype === b.dtype ? a.dtype : 0, shape };
  const same = JSON.stringify(a.shape) === JSON.stringify(b.shape);
  if (!same) o.unknownReason = 'If branches produce different shapes';
  return o;
}

const ifRule: ShapeRule = (ctx) => {
  const thenG = attrGraph(ctx.node, 'then_branch');
  const elseG = attrGraph(ctx.node, 'else_branch');
  if (thenG === undefined || elseG === undefined) return ctx.node.outputs.map(() => unknown(0, 'If without both branches'));
  const t = ctx.inferSubgraph(thenG, []);
  const e = ctx.inferSubgraph(elseG, []);
  const cond = ctx.inputs[0] === undefined ? undefined : ctx.value(0);
  if (cond !== undefined && cond.values.length === 1) return (cond.values[0] ? t : e).outputs.map((o) => ({ ...o }));
  return ctx.node.outputs.map((_, i) => {
    const a = t.outputs[i];
    const b = e.outputs[i];
    if (a === undefined || b === undefined) return unknown(0, 'If branch has fewer outputs');
    return mergeFacts(a, b);
  });
};

/**
 * Known trip count of a Loop: M when it is constant and the loop cannot exit early — no condition input,
 * or a constant-true condition that the body provably keeps true (`bodyCond`, the body's first output
 * inferred with cond_in = true, has the folded value true).
 */
export function loopTripCount(ctx: Pick<InferCtx, 'inputs' | 'value'>, bodyCond?: OutFact): number | null {
  const m = ctx.inputs[0];
  if (m === undefined) return null;
  if (ctx.inputs[1] !== undefined) {
    const c = ctx.inputs[1].value ?? (ctx.inputs[1].isConstant ? ctx.value(1) : undefined);
    const startsTrue = c !== undefined && c.values.length === 1 && c.values[0] !== 0;
    const staysTrue = bodyCond?.value !== undefined && bodyCond.value.values.length === 1 && bodyCond.value.values[0] !== 0;
    if (!startsTrue || !staysTrue) return null;
  }
  const v = m.value ?? (m.isConstant ? ctx.value(0) : undefined);
  return v !== undefined && v.values.length === 1 ? v.values[0] : null;
}

const loop: ShapeRule = (ctx) => {
  const body = attrGraph(ctx.node, 'body');
  if (body === undefined) return ctx.node.outputs.map(() => unknown(0, 'Loop without body'));
  const carried = ctx.inputs.slice(2);
  const n = carried.length;
  const iter: InFact = { dtype: DataType.INT64, shape: [], isConstant: false };
  // A constant-true initial condition is passed in as a value so the body can show it stays true.
  const c0 = ctx.inputs[1] === undefined ? undefined : (ctx.inputs[1].value ?? (ctx.inputs[1].isConstant ? ctx.value(1) : undefined));
  const cond: InFact = c0 === undefined ? { dtype: DataType.BOOL, shape: [], isConstant: false } : { dtype: DataType.BOOL, shape: [], isConstant: false, value: c0 };
  let state: (InFact | undefined)[] = carried.map((f) => (f === undefined ? undefined : { dtype: f.dtype, shape: f.shape, isConstant: false }));
  let res = ctx.inferSubgraph(body, [iter, cond, ...state]);
  // Loop-carried shapes may change between iterations: generalize once and re-run the body.
  const merged = state.map((f, i) => {
    const o = res.outputs[i + 1];
    if (f === undefined || o === undefined) return f;
    return { dtype: f.dtype, shape: mergeShapes(f.shape, o.shape), isConstant: false };
  });
  if (merged.some((f, i) => JSON.stringify(f?.shape) !== JSON.stringify(state[i]?.shape))) {
    state = merged;
    res = ctx.inferSubgraph(body, [iter, cond, ...state]);
  }
  const trip = loopTripCount(ctx, res.outputs[0]);
  const outs: OutFact[] = [];
  for (let i = 0; i < n; i++) {
    const f = state[i];
    const o = res.outputs[i + 1];
    const shape = f === undefined ? (o?.shape ?? null) : mergeShapes(f.shape, o?.shape ?? null);
    outs.push(out(o?.dtype ?? f?.dtype ?? 0, shape));
  }
  for (let k = 1 + n; k < res.outputs.length; k++) {
    const o = res.outputs[k];
    const o2: OutFact = out(o.dtype, o.shape === null ? null : [trip, ...o.shape]);
    if (trip === null) o2.unknownReason = 'Loop trip count not constant';
    outs.push(o2);
  }
  return outs;
};

const scan: ShapeRule = (ctx) => {
  const body = attrGraph(ctx.node, 'body');
  if (body === undefined) return ctx.node.outputs.map(() => unknown(0, 'Scan without body'));
  const m = attrInt(ctx.node, 'num_scan_inputs', 0);
  // Opset 8 Scan has a leading sequence_lens input and batch dims; only opset ≥ 9 is modelled.
  if (ctx.opset < 9) return ctx.node.outputs.map(() => unknown(0, 'Scan opset 8 not modelled'));
  const all = ctx.inputs;
  const n = all.length - m;
  if (n < 0) throw new ShapeInferenceError(`num_scan_inputs is ${m} but the node has ${all.length} inputs`);
  const inAxes = attrInts(ctx.node, 'scan_input_axes') ?? new Array<number>(m).fill(0);
  let seq: Dim = null;
  const scanIns: (InFact | undefined)[] = [];
  for (let j = 0; j < m; j++) {
    const f = all[n + j];
    if (f === undefined || f.shape === null) {
      scanIns.push(f === undefined ? undefined : { dtype: f.dtype, shape: null, isConstant: false });
      continue;
    }
    const ax = normAxis(inAxes[j], f.shape.length);
    seq = seq ?? f.shape[ax];
    scanIns.push({ dtype: f.dtype, shape: f.shape.filter((_, i) => i !== ax), isConstant: false });
  }
  const states = all.slice(0, n).map((f) => (f === undefined ? undefined : { dtype: f.dtype, shape: f.shape, isConstant: false }));
  const res = ctx.inferSubgraph(body, [...states, ...scanIns]);
  const outs: OutFact[] = [];
  for (let i = 0; i < n; i++) outs.push(out(res.outputs[i]?.dtype ?? 0, mergeShapes(states[i]?.shape ?? null, res.outputs[i]?.shape ?? null)));
  const k = res.outputs.length - n;
  if (k < 0) throw new ShapeInferenceError(`the body has ${res.outputs.length} outputs, fewer than the ${n} loop-carried states`);
  const outAxes = attrInts(ctx.node, 'scan_output_axes') ?? new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    const o = res.outputs[n + j];
    if (o.shape === null) {
      outs.push(unknown(o.dtype, 'Scan body output rank unknown'));
      continue;
    }
    const r = o.shape.length + 1;
    const ax = normAxis(outAxes[j], r);
    const shape = [...o.shape];
    shape.splice(ax, 0, seq);
    outs.push(out(o.dtype, shape));
  }
  return outs;
};

/** Scan's sequence length (for costs): the scan axis of the first scan input. */
export function scanLength(ctx: Pick<InferCtx, 'inputs' | 'node'>): Dim {
  const m = attrInt(ctx.node, 'num_scan_inputs', 0);
  const n = ctx.inputs.length - m;
  const f = ctx.inputs[n];
  if (f === undefined || f.shape === null) return null;
  const axes = attrInts(ctx.node, 'scan_input_axes') ?? [0];
  return f.shape[normAxis(axes[0] ?? 0, f.shape.length)];
}

/** ai.onnx control-flow rules. */
export const CONTROL_RULES: Readonly<Record<string, ShapeRule>> = {
  If: ifRule,
  Loop: loop,
  Scan: scan,
};
