/**
 * LSTM, GRU and RNN: every output (Y, Y_h, Y_c), both layouts, all directions. Omitted outputs ("") are
 * still given a fact by position; the analysis skips empty names.
 */
import type { Dim } from '../../onnx/types.js';
import { ShapeInferenceError } from '../errors.js';
import { divExact } from '../dims.js';
import { attrInt, attrString, out, type OutFact, req, type ShapeRule, unknown } from './context.js';

/** Gates per cell: LSTM 4 (i, o, f, c), GRU 3 (z, r, h), RNN 1. */
export const RNN_GATES: Readonly<Record<string, number>> = { LSTM: 4, GRU: 3, RNN: 1 };

/** Sequence length, batch, input size, hidden size and directions of a recurrent node, as dims. */
export interface RnnDims {
  seq: Dim;
  batch: Dim;
  input: Dim;
  hidden: Dim;
  directions: number;
}

/** Reads the recurrent dims from X and W shapes and the attributes. */
export function rnnDims(
  opType: string,
  node: Parameters<typeof attrInt>[0],
  x: readonly Dim[] | null,
  w: readonly Dim[] | null,
): RnnDims {
  const direction = attrString(node, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) {
    throw new ShapeInferenceError(`${opType} direction '${direction}'`);
  }
  const directions = direction === 'bidirectional' ? 2 : 1;
  const layout = attrInt(node, 'layout', 0);
  const gates = RNN_GATES[opType];
  const hiddenAttr = attrInt(node, 'hidden_size');
  const hidden: Dim = hiddenAttr ?? (w === null ? null : divExact(w[1], gates));
  const seq: Dim = x === null ? null : layout === 0 ? x[0] : x[1];
  const batch: Dim = x === null ? null : layout === 0 ? x[1] : x[0];
  const input: Dim = x === null ? (w === null ? null : w[2]) : x[2];
  return { seq, batch, input, hidden, directions };
}

function recurrent(opType: 'LSTM' | 'GRU' | 'RNN'): ShapeRule {
  return (ctx) => {
    const x = req(ctx, 0);
    const w = req(ctx, 1);
    const d = rnnDims(opType, ctx.node, x.shape, w.shape);
    const layout = attrInt(ctx.node, 'layout', 0);
    const y = layout === 0 ? [d.seq, d.directions, d.batch, d.hidden] : [d.batch, d.seq, d.directions, d.hidden];
    const yh = layout === 0 ? [d.directions, d.batch, d.hidden] : [d.batch, d.directions, d.hidden];
    const res: OutFact[] = [out(x.dtype, y), out(x.dtype, yh)];
    if (opType === 'LSTM') res.push(out(x.dtype, yh));
    if (x.shape === null) return res.map((r) => unknown(r.dtype, 'input rank unknown', r.shape));
    return res;
  };
}

/** ai.onnx recurrent rules. */
export const RNN_RULES: Readonly<Record<string, ShapeRule>> = {
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
};
