/**
 * Dimension arithmetic with symbolic dims. A symbolic dim is a name (`"batch"`) or a product expression
 * built from names and integers (`"3*batch"`, `"batch*seq"`); anything else derived from names is kept as
 * an opaque parenthesized expression (`"(seq+1)"`) so that equal derivations compare equal. `null` means
 * nothing is known. Nothing here guesses: when a result cannot be derived exactly it is `null`.
 */
import { ShapeInferenceError } from './errors.js';
import type { Dim, Shape } from '../onnx/types.js';

/** A product `coef × atom1 × atom2 …` with atoms sorted, the canonical form of symbolic products. */
interface Monomial {
  coef: number;
  atoms: string[];
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function toMonomial(d: Dim): Monomial | null {
  if (d === null) return null;
  if (typeof d === 'number') return { coef: d, atoms: [] };
  let coef = 1;
  const atoms: string[] = [];
  for (const tok of splitTopLevel(d, '*')) {
    if (/^-?\d+$/.test(tok)) coef *= Number(tok);
    else if (tok.length > 0) atoms.push(tok);
    else return { coef: 1, atoms: [d] };
  }
  atoms.sort();
  return { coef, atoms };
}

function fromMonomial(m: Monomial): Dim {
  if (m.coef === 0 || m.atoms.length === 0) return m.coef;
  return m.coef === 1 ? m.atoms.join('*') : `${m.coef}*${m.atoms.join('*')}`;
}

/** True when two dims are known to be equal (same number, or the same symbolic expression). */
export function dimEquals(a: Dim, b: Dim): boolean {
  if (a === null || b === null) return false;
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  if (a === b) return true;
  const ma = toMonomial(a);
  const mb = toMonomial(b);
  return ma !== null && mb !== null && ma.coef === mb.coef && ma.atoms.join('*') === mb.atoms.join('*');
}

/** a × b. */
export function mulDim(a: Dim, b: Dim): Dim {
  if (a === 0 || b === 0) return 0;
  const ma = toMonomial(a);
  const mb = toMonomial(b);
  if (ma === null || mb === null) return null;
  return fromMonomial({ coef: ma.coef * mb.coef, atoms: [...ma.atoms, ...mb.atoms].sort() });
}

/** Product of dims; 1 for an empty list; null when any factor is unknown. */
export function prodDims(dims: readonly Dim[]): Dim {
  let acc: Dim = 1;
  for (const d of dims) acc = mulDim(acc, d);
  return acc;
}

/** a / b when it divides exactly (symbolic factors cancel); null otherwise. */
export function divExact(a: Dim, b: Dim): Dim {
  const ma = toMonomial(a);
  const mb = toMonomial(b);
  if (ma === null || mb === null || mb.coef === 0) return null;
  if (ma.coef % mb.coef !== 0) return null;
  const atoms = [...ma.atoms];
  for (const x of mb.atoms) {
    const i = atoms.indexOf(x);
    if (i < 0) return null;
    atoms.splice(i, 1);
  }
  return fromMonomial({ coef: ma.coef / mb.coef, atoms });
}

/** floor(a / b) (ONNX integer Div on non-negative sizes): exact when divisible, else an opaque expression. */
export function floorDivDim(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.floor(a / b);
  if (b === 1) return a;
  const exact = divExact(a, b);
  if (exact !== null) return exact;
  return `(${a}//${b})`;
}

/** a + b (opaque expression when symbolic). */
export function addDim(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (b === 0) return a;
  if (a === 0) return b;
  if (typeof b === 'number' && b < 0) return `(${a}-${-b})`;
  return `(${a}+${b})`;
}

/** a − b (opaque expression when symbolic; x − x = 0). */
export function subDim(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (b === 0) return a;
  if (dimEquals(a, b)) return 0;
  if (typeof b === 'number') return addDim(a, -b);
  return `(${a}-${b})`;
}

/**
 * Output size of a sliding window (Conv/Pool): floor or ceil of (in + pads − dilation·(k−1) − 1)/stride + 1.
 * With ceil, a last window that would start past the input and left pad is dropped (PyTorch, ORT and the
 * ONNX reference agree). Symbolic inputs give an opaque expression, except stride 1 (affine).
 */
export function windowOut(
  input: Dim,
  kernel: number,
  stride: number,
  dilation: number,
  padHead: number,
  padTail: number,
  ceil = false,
): Dim {
  if (input === null) return null;
  const span = dilation * (kernel - 1) + 1;
  const padTotal = padHead + padTail;
  if (typeof input === 'number') {
    const num = input + padTotal - span;
    let out = (ceil ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
    if (ceil && (out - 1) * stride >= input + padHead) out--;
    return out;
  }
  const c = padTotal - span;
  if (stride === 1) return addDim(input, c + 1);
  return `(${ceil ? 'ceil' : 'floor'}((${input}${c >= 0 ? '+' : ''}${c})/${stride})+1)`;
}

/**
 * Numpy-style broadcast of two shapes. Returns the shape, or throws when two known dims differ and neither
 * is 1. A number against a symbol gives the number (the symbol must equal it, or be 1); two different
 * symbols give null (either could be 1).
 */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    out.push(broadcastDim(da, db));
  }
  return out;
}

/** Error for shapes that cannot broadcast; the analysis turns it into a SHAPE_ERROR issue. */
export class BroadcastError extends Error {
  constructor(
    readonly a: Dim,
    readonly b: Dim,
  ) {
    super(`cannot broadcast dims ${String(a)} and ${String(b)}`);
    this.name = 'BroadcastError';
  }
}

function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === null || b === null) {
    // A known number other than 1 wins: the unknown side must be 1 or that same number in a valid model.
    const other = a === null ? b : a;
    return typeof other === 'number' ? other : null;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) throw new BroadcastError(a, b);
    return a;
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return dimEquals(a, b) ? a : null;
}

/** Broadcast of any number of shapes. */
export function broadcastAll(shapes: readonly Shape[]): Shape {
  let acc: Shape = [];
  for (const s of shapes) acc = broadcastShapes(acc, s);
  return acc;
}

/** Element count of a shape, or null when any dim is not a known number. */
export function numElements(shape: Shape): number | null {
  if (shape === null) return null;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Normalizes a possibly negative axis against `rank`; throws RangeError when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isSafeInteger(a) || a < 0 || a >= rank) throw new ShapeInferenceError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Replaces symbolic names pinned by the caller (`--dim batch=1`). */
export function pinShape(shape: Shape, pins: Readonly<Record<string, number>>): Shape {
  if (shape === null) return null;
  return shape.map((d) => (typeof d === 'string' && Object.hasOwn(pins, d) ? pins[d] : d));
}

/** Human form of a shape for messages: `[1,3,batch,?]`. */
export function formatShape(shape: Shape): string {
  if (shape === null) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/**
 * Compares two shapes up to a consistent renaming of symbolic dims (a bijection between names). Mutates
 * `renaming` (name in `a` → name in `b`) so it can be shared across tensors of one model. Null dims and
 * null ranks count as "unknown", not as disagreements: returns 'unknown' then.
 */
export function compareShapes(
  a: Shape,
  b: Shape,
  renaming: Map<string, string> = new Map(),
): 'equal' | 'unknown' | 'different' {
  if (a === null || b === null) return 'unknown';
  if (a.length !== b.length) return 'different';
  let unknown = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      unknown = true;
      continue;
    }
    if (typeof x === 'number' || typeof y === 'number') {
      if (x !== y) return 'different';
      continue;
    }
    const mapped = renaming.get(x);
    if (mapped === undefined) renaming.set(x, y);
    else if (mapped !== y) return 'different';
  }
  return unknown ? 'unknown' : 'equal';
}
