/**
 * Rule-case harness (eslint RuleTester style): each `<profile-id>.cases.ts` lists valid and invalid cases
 * per rule, each a tiny ONNX model built with onnx-builder and the reason code the engine must give the
 * node named in the case. `engine-rules.test.ts` runs them.
 */
import type { ModelSpec, NodeSpec, TensorSpec } from '../../support/onnx-builder.js';
import type { Placement } from '../../../src/report/types.js';

/** One table row. */
export interface RuleCase {
  /** Rule id (`Conv`, `CONV_2D`, `com.microsoft:QLinearAdd`) or a profile block: `quantization`, `defaults`, `opset`, `unlisted`. */
  readonly rule: string;
  /** true: the node must be accelerated (reason OK). */
  readonly valid: boolean;
  readonly name: string;
  readonly model: ModelSpec;
  /** Name of the source node whose placement is checked (default `n`). */
  readonly node?: string;
  /** Expected reason code (`OK` for valid cases). */
  readonly reason: string;
  /** Expected placement; default `accelerated` for valid cases, any non-accelerated one otherwise. */
  readonly placement?: Placement;
  /**
   * The rule id the engine must name as the one that decided (`PlacedNode.ruleId`), when it is not `rule`:
   * a profile-level block (`quantization`, `defaults`, `opset`, `unlisted`, `conversion`) or another rule.
   */
  readonly decidedBy?: string;
  /** A known profile defect this case exposes: the case runs as a TODO (reported, not failing). */
  readonly todo?: string;
}

export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
export const INT64 = 7;

const fill = (dims: readonly number[], v = 0.1): number[] => new Array(dims.reduce((a, b) => a * b, 1)).fill(v);

/** `x → op → y` with the node named `n`; `extra` adds constant inputs after x. */
export function unary(op: string, dims: (number | string)[] = [1, 3, 8, 8], attrs: NodeSpec['attrs'] = {}, extra: TensorSpec[] = [], opset = 17, dtype = FLOAT): ModelSpec {
  return {
    inputs: [{ name: 'x', dims, dtype }],
    outputs: [{ name: 'y' }],
    initializers: extra,
    opsets: [{ domain: '', version: opset }],
    nodes: [{ op, name: 'n', inputs: ['x', ...extra.map((t) => t.name)], outputs: ['y'], attrs }],
  };
}

/** `a, b → op → y`; b is a constant initializer unless `bInput`. */
export function binary(op: string, a: number[], b: number[], opts: { bInput?: boolean; attrs?: NodeSpec['attrs']; opset?: number; dtype?: number } = {}): ModelSpec {
  const dtype = opts.dtype ?? FLOAT;
  return {
    inputs: [{ name: 'a', dims: a, dtype }, ...(opts.bInput ? [{ name: 'b', dims: b, dtype }] : [])],
    outputs: [{ name: 'y' }],
    initializers: opts.bInput ? [] : [{ name: 'b', dims: b, values: fill(b), dtype }],
    opsets: [{ domain: '', version: opts.opset ?? 17 }],
    nodes: [{ op, name: 'n', inputs: ['a', 'b'], outputs: ['y'], attrs: opts.attrs ?? {} }],
  };
}

/** A float Conv `n`: x [1,C,H,W] (or given), weight [O,C/g,k...], optional constant bias. */
export function conv(opts: { x?: (number | string)[]; w?: number[]; attrs?: NodeSpec['attrs']; weightInput?: boolean; bias?: boolean; opset?: number } = {}): ModelSpec {
  const x = opts.x ?? [1, 4, 8, 8];
  const w = opts.w ?? [8, 4, 3, 3];
  const inits: TensorSpec[] = [];
  if (!opts.weightInput) inits.push({ name: 'w', dims: w, values: fill(w) });
  if (opts.bias) inits.push({ name: 'bias', dims: [w[0]!], values: fill([w[0]!]) });
  return {
    inputs: [{ name: 'x', dims: x }, ...(opts.weightInput ? [{ name: 'w', dims: w }] : [])],
    outputs: [{ name: 'y' }],
    initializers: inits,
    opsets: [{ domain: '', version: opts.opset ?? 17 }],
    nodes: [{ op: 'Conv', name: 'n', inputs: ['x', 'w', ...(opts.bias ? ['bias'] : [])], outputs: ['y'], attrs: opts.attrs ?? {} }],
  };
}

/**
 * The QDQ form of a single-node float model: every graph input gets QuantizeLinear → DequantizeLinear in the
 * activation dtype, every float initializer input becomes an int8 constant behind a DequantizeLinear
 * (per-channel on axis 0 when `perChannel`), and every output gets QuantizeLinear → DequantizeLinear.
 * The op keeps the name `n`; the Q/DQ nodes are `q_<t>` / `dq_<t>`.
 */
export function qdq(spec: ModelSpec, opts: { act?: number; perChannel?: boolean; weightZeroPoint?: number; opset?: number } = {}): ModelSpec {
  const act = opts.act ?? UINT8;
  const node = spec.nodes[0]!;
  const inits: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  const actZp = act === UINT8 ? 128 : 0;
  inits.push({ name: 'act_scale', dims: [], values: [0.05] }, { name: 'act_zp', dims: [], values: [actZp > 127 ? 127 : actZp], dtype: act });
  const newInputs = node.inputs.map((name) => {
    if (name === '') return '';
    const init = (spec.initializers ?? []).find((t) => t.name === name);
    if (init) {
      if ((init.dtype ?? FLOAT) !== FLOAT) {
        inits.push(init);
        return name;
      }
      const o = init.dims[0] ?? 1;
      const pc = opts.perChannel === true && init.dims.length > 1;
      inits.push({ name: `${name}_q`, dims: init.dims, values: fill(init.dims, 3), dtype: INT8 });
      inits.push({ name: `${name}_scale`, dims: pc ? [o] : [], values: pc ? fill([o], 0.01) : [0.01] });
      inits.push({ name: `${name}_zp`, dims: pc ? [o] : [], values: pc ? fill([o], opts.weightZeroPoint ?? 0) : [opts.weightZeroPoint ?? 0], dtype: INT8 });
      nodes.push({ op: 'DequantizeLinear', name: `dq_${name}`, inputs: [`${name}_q`, `${name}_scale`, `${name}_zp`], outputs: [`${name}_dq`], attrs: pc ? { axis: 0 } : {} });
      return `${name}_dq`;
    }
    nodes.push({ op: 'QuantizeLinear', name: `q_${name}`, inputs: [name, 'act_scale', 'act_zp'], outputs: [`${name}_q`] });
    nodes.push({ op: 'DequantizeLinear', name: `dq_${name}`, inputs: [`${name}_q`, 'act_scale', 'act_zp'], outputs: [`${name}_dq`] });
    return `${name}_dq`;
  });
  const outs = node.outputs.map((o) => `${o}_f`);
  nodes.push({ ...node, inputs: newInputs, outputs: outs });
  node.outputs.forEach((o, i) => {
    nodes.push({ op: 'QuantizeLinear', name: `q_${o}`, inputs: [outs[i]!, 'act_scale', 'act_zp'], outputs: [`${o}_q`] });
    nodes.push({ op: 'DequantizeLinear', name: `dq_${o}`, inputs: [`${o}_q`, 'act_scale', 'act_zp'], outputs: [o] });
  });
  return { ...spec, initializers: inits, nodes, ...(opts.opset ? { opsets: [{ domain: '', version: opts.opset }] } : {}) };
}

/** Shorthand for a valid case. */
export function ok(rule: string, name: string, model: ModelSpec, node = 'n'): RuleCase {
  return { rule, valid: true, name, model, node, reason: 'OK' };
}

/** Shorthand for an invalid case. */
/** The case with the block or rule that must decide it, when that is not the case's own rule. */
export function decidedBy(c: RuleCase, id: string): RuleCase {
  return { ...c, decidedBy: id };
}

export function bad(rule: string, name: string, model: ModelSpec, reason: string, placement?: Placement, node = 'n'): RuleCase {
  return { rule, valid: false, name, model, node, reason, ...(placement ? { placement } : {}) };
}

const DTYPE_CODES: Readonly<Record<string, number>> = { float: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, double: 11 };
const BINARY_OPS: ReadonlySet<string> = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual',
  'Max', 'Min', 'Mod', 'PRelu', 'MatMul', 'Sum', 'Mean', 'BitShift',
]);

/**
 * Cases generated from rules whose only condition is the dtype list of input 0 (TensorRT's support matrix
 * has ~100 of them): valid = the first listed dtype, invalid = a common dtype the list lacks → DTYPE.
 * `skip` names ops whose models need more than one plain tensor input (attributes, shape inputs).
 */
export function dtypeCases(
  rules: readonly { op?: string | undefined; when?: unknown }[],
  skip: ReadonlySet<string>,
  placement?: Placement,
  /** The profile's `dtypeCasts.map`: a dtype cast down to an allowed one is accepted (a valid case). */
  casts: Readonly<Partial<Record<string, string>>> = {},
): RuleCase[] {
  const out: RuleCase[] = [];
  for (const r of rules) {
    const w = r.when as { inputs?: { index?: number; dtypes?: string[] }[] } | undefined;
    if (!r.op || skip.has(r.op) || !w || Object.keys(w).some((k) => k !== 'inputs' && k !== 'message') || w.inputs?.length !== 1) continue;
    const c = w.inputs[0]!;
    if (c.index !== 0 || !c.dtypes || Object.keys(c).some((k) => !['index', 'dtypes', 'message'].includes(k))) continue;
    const allowed = c.dtypes.find((d) => DTYPE_CODES[d] !== undefined);
    const accepts = (d: string): boolean => c.dtypes!.includes(d) || (casts[d] !== undefined && c.dtypes!.includes(casts[d]!));
    const denied = ['float', 'int64', 'bool', 'int32', 'uint8'].find((d) => !accepts(d));
    if (allowed === undefined || denied === undefined) continue;
    const make = (dt: string): ModelSpec =>
      BINARY_OPS.has(r.op!) ? binary(r.op!, [1, 8], [1, 8], { bInput: true, dtype: DTYPE_CODES[dt]! }) : unary(r.op!, [1, 8], {}, [], 17, DTYPE_CODES[dt]!);
    out.push(ok(r.op, `input 0 ${allowed}`, make(allowed)));
    for (const [from, to] of Object.entries(casts)) {
      if (to !== undefined && !c.dtypes.includes(from) && c.dtypes.includes(to) && DTYPE_CODES[from] !== undefined) out.push(ok(r.op, `input 0 ${from}, cast down to ${to} by the runtime`, make(from)));
    }
    out.push(bad(r.op, `input 0 ${denied}`, make(denied), 'DTYPE', placement));
  }
  return out;
}
