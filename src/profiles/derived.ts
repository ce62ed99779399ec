/**
 * Derived values that profile predicates test under `when.derived` (DERIVED_VALUES in schema.ts), computed
 * from a node's attributes (with ONNX defaults) and its input/output shapes. `null` = cannot be known
 * statically, which the engine turns into an `unknown` placement, never support.
 */
import type { AttributeValue, Shape } from '../onnx/types.js';
import type { DerivedValue } from './schema.js';

/** What {@link derivedValue} reads from a node. */
export interface DerivedInput {
  readonly opType: string;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** Shapes of the inputs by position (undefined/"" inputs: undefined). */
  readonly inputShapes: readonly (Shape | undefined)[];
  readonly outputShapes: readonly (Shape | undefined)[];
  /** Number of non-empty inputs. */
  readonly inputCount: number;
  /** Number of non-empty outputs. */
  readonly outputCount?: number;
  /** Folded value of constant input i (undefined when not constant or too large). */
  readonly inputValue?: (i: number) => readonly number[] | undefined;
}

/** Derived values that describe shapes (their failures default to reason SHAPE rather than ATTRIBUTE). */
export const SHAPE_DERIVED: ReadonlySet<DerivedValue> = new Set([
  'input_channels', 'output_channels', 'output_rank', 'broadcasts', 'output_elements', 'axis_from_end', 'outputs_equal_shape',
  'input_spatial_area', 'resize_scale', 'einsum_broadcasts', 'squeeze_leading_ones',
]);

function ints(attrs: ReadonlyMap<string, AttributeValue>, name: string): readonly number[] | undefined {
  const a = attrs.get(name);
  if (a === undefined) return undefined;
  if (a.type === 'ints') return a.value;
  if (a.type === 'int') return [a.value];
  return undefined;
}

function int(attrs: ReadonlyMap<string, AttributeValue>, name: string, def: number): number {
  const a = attrs.get(name);
  return a?.type === 'int' ? a.value : def;
}

function num(d: unknown): number | null {
  return typeof d === 'number' ? d : null;
}

/** Kernel dims: `kernel_shape`, else the weight's dims[2:] (Conv/ConvTranspose). */
function kernel(n: DerivedInput): (number | null)[] | null {
  const ks = ints(n.attributes, 'kernel_shape');
  if (ks) return [...ks];
  const w = n.inputShapes[1];
  if ((n.opType === 'Conv' || n.opType === 'ConvTranspose' || n.opType === 'QLinearConv' || n.opType === 'ConvInteger') && w) {
    const shape = n.opType === 'QLinearConv' ? n.inputShapes[3] : w;
    return shape ? shape.slice(2).map(num) : null;
  }
  return null;
}

/** Last two entries (H, W) of a per-spatial-dim list, padded with `fill` for 1-D ops. */
function hw(list: readonly (number | null)[] | null, fill: number): [number | null, number | null] {
  if (list === null) return [null, null];
  if (list.length === 0) return [fill, fill];
  if (list.length === 1) return [fill, list[0]!];
  return [list[list.length - 2]!, list[list.length - 1]!];
}

/** Ops whose spatial rank is that of their N×C×… input (docs/profiles.md, `spatial_rank`). */
const GLOBAL_SPATIAL_OPS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'QLinearGlobalAveragePool']);

/** See `resize_scale` in DERIVED_VALUES (schema.ts). */
function resizeScale(n: DerivedInput): number | null {
  const x = n.inputShapes[0];
  const y = n.outputShapes[0];
  if (!x || !y || x.length < 4 || y.length !== x.length) return null;
  const [ih, iw, oh, ow] = [x[x.length - 2], x[x.length - 1], y[y.length - 2], y[y.length - 1]].map(num);
  if (ih === null || iw === null || oh === null || ow === null || ih <= 0 || iw <= 0) return null;
  const mode = n.attributes.get('coordinate_transformation_mode');
  const corners = mode?.type === 'string' && mode.value === 'align_corners';
  const factor = (i: number, o: number): number => (corners ? (i > 1 ? (o - 1) / (i - 1) : Number.NaN) : o / i);
  const [fh, fw] = [factor(ih, oh), factor(iw, ow)];
  return fh === fw && Number.isInteger(fh) ? fh : 0;
}

/** Input terms of an Einsum equation (`ij,jk->ik` gives ['ij', 'jk']), or null without an equation. */
function einsumTerms(n: DerivedInput): string[] | null {
  const eq = n.attributes.get('equation');
  if (eq?.type !== 'string') return null;
  return eq.value.replace(/\s/g, '').split('->')[0]!.split(',');
}

/** See `einsum_broadcasts` in DERIVED_VALUES: a label bound to two different dims across the inputs. */
function einsumBroadcasts(n: DerivedInput, terms: readonly string[]): boolean | null {
  const dims = new Map<string, number>();
  let symbolic = false;
  for (const [i, term] of terms.entries()) {
    const shape = n.inputShapes[i];
    if (!shape || term.includes('.') || shape.length !== term.length) return null;
    for (const [j, label] of [...term].entries()) {
      const d = num(shape[j]);
      if (d === null) symbolic = true;
      else if (dims.has(label) && dims.get(label) !== d) return true;
      else dims.set(label, d);
    }
  }
  return symbolic ? null : false;
}

/** True when the axes (already non-negative) all lie in the leading run of 1s of `dims`. */
function inLeadingOnes(dims: readonly number[], axes: readonly number[]): boolean {
  const run = dims.findIndex((d) => d !== 1);
  const lead = run < 0 ? dims.length : run;
  return axes.every((a) => a < lead);
}

/** See `squeeze_leading_ones` in DERIVED_VALUES (schema.ts). */
function squeezeLeadingOnes(n: DerivedInput): boolean | null {
  const x = n.inputShapes[0];
  if (!x || x.some((d) => typeof d !== 'number')) return null;
  const dims = x as readonly number[];
  const given = n.inputValue?.(1) ?? ints(n.attributes, 'axes');
  if (n.inputCount > 1 && given === undefined) return null;
  const axes = given ? given.map((a) => (a < 0 ? a + dims.length : a)) : dims.flatMap((d, i) => (d === 1 ? [i] : []));
  const source = inLeadingOnes(dims, axes);
  if (dims.length < 3) return source;
  // channels-last: N, spatial…, C (source axis 1 moves to the end)
  const perm = [0, ...dims.map((_, i) => i).slice(2), 1];
  const converted = inLeadingOnes(perm.map((p) => dims[p]!), axes.map((a) => perm.indexOf(a)));
  return source === converted ? source : null;
}

/** The value of one derived quantity for a node, or null when unknown. */
export function derivedValue(n: DerivedInput, key: DerivedValue): number | boolean | null {
  const k = kernel(n);
  const x = n.inputShapes[0];
  // Ops without a kernel (global pooling, reductions over N×C×spatial) take it from the input: rank − 2.
  const spatial = k?.length ?? (GLOBAL_SPATIAL_OPS.has(n.opType) && x ? Math.max(0, x.length - 2) : null);
  const out0 = n.outputShapes[0];
  const group = int(n.attributes, 'group', 1);
  const strides = ints(n.attributes, 'strides') ?? (spatial !== null ? new Array<number>(spatial).fill(1) : null);
  const dil = ints(n.attributes, 'dilations') ?? (spatial !== null ? new Array<number>(spatial).fill(1) : null);
  const inC = x && x.length >= 2 ? num(x[1]) : null;
  const outC = out0 && out0.length >= 2 ? num(out0[1]) : null;
  switch (key) {
    case 'spatial_rank':
      return spatial;
    case 'kernel_area':
      return k === null || k.some((d) => d === null) ? null : k.reduce<number>((a, b) => a * (b ?? 1), 1);
    case 'dilated_kernel_area': {
      if (k === null || dil === null || k.some((d) => d === null)) return null;
      return k.reduce<number>((a, d, i) => a * (((d ?? 1) - 1) * (dil[i] ?? 1) + 1), 1);
    }
    case 'kernel_h':
      return hw(k, 1)[0];
    case 'kernel_w':
      return hw(k, 1)[1];
    case 'stride_h':
      return hw(strides, 1)[0];
    case 'stride_w':
      return hw(strides, 1)[1];
    case 'dilation_h':
      return hw(dil, 1)[0];
    case 'dilation_w':
      return hw(dil, 1)[1];
    case 'group':
      return group;
    case 'is_depthwise':
      if (group <= 1) return false;
      return inC === null ? null : inC === group;
    case 'depth_multiplier':
      return outC === null || group < 1 ? null : outC / group;
    case 'input_channels':
      return inC;
    case 'output_channels':
      return outC;
    case 'pads_symmetric': {
      const p = ints(n.attributes, 'pads');
      if (!p) return true;
      const h = p.length / 2;
      return p.slice(0, h).every((v, i) => v === p[h + i]);
    }
    case 'pads_max': {
      const p = ints(n.attributes, 'pads');
      return p && p.length > 0 ? Math.max(...p) : 0;
    }
    case 'axis_from_end': {
      if (!x) return null;
      const a = n.attributes.get('axis');
      const def = n.opType === 'Softmax' || n.opType === 'LogSoftmax' ? -1 : n.opType === 'Flatten' ? 1 : 0;
      const axis = a?.type === 'int' ? a.value : def;
      return axis < 0 ? axis : axis - x.length;
    }
    case 'pads_only_spatial': {
      if (n.opType === 'Pad') {
        const p = n.inputValue?.(1) ?? ints(n.attributes, 'pads');
        if (!p) return null;
        const r = p.length / 2;
        return p[0] === 0 && p[1] === 0 && p[r] === 0 && p[r + 1] === 0;
      }
      // a pads attribute (Conv, pools) only ever covers spatial dims
      return true;
    }
    case 'input_spatial_area': {
      // H × W of input 0 (NCHW: the dims after channel)
      if (!x || x.length < 3) return null;
      const sp = x.slice(2);
      return sp.every((d) => typeof d === 'number') ? (sp as number[]).reduce((a, b) => a * b, 1) : null;
    }
    case 'resize_scale':
      return resizeScale(n);
    case 'squeeze_leading_ones':
      return squeezeLeadingOnes(n);
    case 'einsum_ellipsis': {
      const terms = einsumTerms(n);
      return terms === null ? null : terms.some((t) => t.includes('...'));
    }
    case 'einsum_diagonal': {
      const terms = einsumTerms(n);
      return terms === null ? null : terms.some((t) => new Set(t.replace(/\.\.\./g, '')).size !== t.replace(/\.\.\./g, '').length);
    }
    case 'einsum_broadcasts': {
      const terms = einsumTerms(n);
      return terms === null ? null : einsumBroadcasts(n, terms);
    }
    case 'output_count':
      return n.outputCount ?? n.outputShapes.length;
    case 'outputs_equal_shape': {
      const shapes = n.outputShapes.filter((s): s is Shape => s !== undefined);
      if (shapes.some((s) => s === null || s.some((d) => typeof d !== 'number'))) return null;
      const first = JSON.stringify(shapes[0]);
      return shapes.every((s) => JSON.stringify(s) === first);
    }
    case 'input_count':
      return n.inputCount;
    case 'output_rank':
      return out0 ? out0.length : null;
    case 'broadcasts': {
      const a = n.inputShapes[0];
      const b = n.inputShapes[1];
      if (!a || !b) return a === undefined || b === undefined ? false : null;
      if (a.length !== b.length) return true;
      for (let i = 0; i < a.length; i++) {
        if (typeof a[i] !== 'number' || typeof b[i] !== 'number') {
          if (a[i] !== b[i]) return null;
        } else if (a[i] !== b[i]) return true;
      }
      return false;
    }
    case 'output_elements':
      if (!out0) return null;
      return out0.every((d) => typeof d === 'number') ? (out0 as number[]).reduce((p, d) => p * d, 1) : null;
    default: {
      // A derived value the schema gained and the engine does not compute yet: unknown, never support.
      const never: never = key;
      void never;
      return null;
    }
  }
}
