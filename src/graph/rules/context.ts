/**
 * The contract between the analysis and the per-op shape rules. A rule is a pure function of the node's
 * input facts (dtype, shape, folded value), its attributes and the opset; it returns one fact per output.
 */
import type { AttributeValue, Dim, OnnxGraph, OnnxNode, Shape } from '../../onnx/types.js';
import { MODEL_MAX_RANK } from '../../limits.js';
import { GraphError, ShapeInferenceError } from '../errors.js';
import type { ConstValue } from '../types.js';

/** What a rule knows about one input. */
export interface InFact {
  readonly dtype: number;
  readonly shape: Shape;
  /** Folded numeric value (small tensors only). */
  readonly value?: ConstValue;
  /** Elements of a rank-0/1 integer tensor as dims, symbolic where they come from symbolic shapes. */
  readonly sym?: readonly Dim[];
  readonly isConstant: boolean;
}

/** What a rule returns for one output. `dtype` 0 = unknown; `shape` null = rank unknown. */
export interface OutFact {
  dtype: number;
  shape: Shape;
  value?: ConstValue;
  sym?: readonly Dim[];
  unknownReason?: string;
}

/** Result of analyzing a subgraph body, used by the If/Loop/Scan rules. */
export interface SubgraphResult {
  readonly outputs: readonly OutFact[];
}

export interface InferCtx {
  readonly node: OnnxNode;
  /** Opset version of the node's domain. */
  readonly opset: number;
  /** One entry per declared input; undefined for an omitted optional input (`""` or absent). */
  readonly inputs: readonly (InFact | undefined)[];
  /** Folded value of input i (loads small initializers on demand). */
  value(i: number): ConstValue | undefined;
  /** Runs shape inference on a body graph with the given formal-input facts (outer scope visible). */
  inferSubgraph(graph: OnnxGraph, inputs: readonly (InFact | undefined)[]): SubgraphResult;
}

export type ShapeRule = (ctx: InferCtx) => OutFact[];

/** Per-domain table: domain ("" = ai.onnx) → op type → rule. */
export type RuleTable = Readonly<Record<string, Readonly<Record<string, ShapeRule>>>>;

// ---- attribute helpers -----------------------------------------------------------------------------

function attr(node: OnnxNode, name: string): AttributeValue | undefined {
  return node.attributes.get(name);
}

/** Integer attribute or `def`. */
export function attrInt(node: OnnxNode, name: string, def: number): number;
export function attrInt(node: OnnxNode, name: string): number | undefined;
export function attrInt(node: OnnxNode, name: string, def?: number): number | undefined {
  const a = attr(node, name);
  if (a === undefined) return def;
  if (a.type === 'int') return a.value;
  if (a.type === 'float') return Math.trunc(a.value);
  throw new ShapeInferenceError(`attribute '${name}' should be an int, got ${a.type}`);
}

/** Float attribute or `def`. */
export function attrFloat(node: OnnxNode, name: string, def: number): number {
  const a = attr(node, name);
  if (a === undefined) return def;
  if (a.type === 'float' || a.type === 'int') return a.value;
  throw new ShapeInferenceError(`attribute '${name}' should be a float, got ${a.type}`);
}

/** Ints attribute, or undefined when absent. */
export function attrInts(node: OnnxNode, name: string): readonly number[] | undefined {
  const a = attr(node, name);
  if (a === undefined) return undefined;
  if (a.type === 'ints') return a.value;
  if (a.type === 'int') return [a.value];
  throw new ShapeInferenceError(`attribute '${name}' should be ints, got ${a.type}`);
}

/** Floats attribute, or undefined when absent. */
export function attrFloats(node: OnnxNode, name: string): readonly number[] | undefined {
  const a = attr(node, name);
  if (a === undefined) return undefined;
  if (a.type === 'floats' || a.type === 'ints') return a.value;
  if (a.type === 'float') return [a.value];
  throw new ShapeInferenceError(`attribute '${name}' should be floats, got ${a.type}`);
}

/** String attribute or `def`. */
export function attrString(node: OnnxNode, name: string, def: string): string {
  const a = attr(node, name);
  if (a === undefined) return def;
  if (a.type === 'string') return a.value;
  throw new ShapeInferenceError(`attribute '${name}' should be a string, got ${a.type}`);
}

/** Graph attribute (If/Loop/Scan bodies). */
export function attrGraph(node: OnnxNode, name: string): OnnxGraph | undefined {
  const a = attr(node, name);
  if (a === undefined) return undefined;
  if (a.type === 'graph') return a.value;
  throw new ShapeInferenceError(`attribute '${name}' should be a graph, got ${a.type}`);
}

// ---- output helpers --------------------------------------------------------------------------------

/**
 * A shape of `rank` unknown dims, where the rank comes from the model's data (the length of a shape
 * input): a rank past the limit refuses the model before anything of that size is allocated.
 */
export function unknownDims(rank: number): Dim[] {
  if (!Number.isSafeInteger(rank) || rank < 0 || rank > MODEL_MAX_RANK) {
    throw new GraphError('RANK_LIMIT', `its output would have rank ${rank}, over the limit of ${MODEL_MAX_RANK} (docs/limits.md)`);
  }
  return new Array<Dim>(rank).fill(null);
}

/** An output whose shape is not known, with the reason. */
export function unknown(dtype: number, reason: string, shape: Shape = null): OutFact {
  return { dtype, shape, unknownReason: reason };
}

/** A fully described output. */
export function out(dtype: number, shape: Shape, value?: ConstValue): OutFact {
  return value === undefined ? { dtype, shape } : { dtype, shape, value };
}

/** Input i, throwing when a required input is omitted. */
export function req(ctx: InferCtx, i: number): InFact {
  const f = ctx.inputs[i];
  if (f === undefined) throw new ShapeInferenceError(`${ctx.node.opType} requires input ${i}`);
  return f;
}

/** Rank of input i, or null when unknown. */
export function rankOf(f: InFact | undefined): number | null {
  return f?.shape ? f.shape.length : null;
}

/** Integer list from a constant input's folded value, or undefined when not known. */
export function intsFromInput(ctx: InferCtx, i: number): number[] | undefined {
  if (ctx.inputs[i] === undefined) return undefined;
  const v = ctx.value(i);
  return v === undefined ? undefined : [...v.values];
}
