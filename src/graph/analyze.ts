/**
 * Graph analysis: execution order, shape/dtype inference (our own rules, never copied from value_info),
 * per-node costs and parameters, model totals and an activation memory plan.
 */
import {
  type AttributeValue,
  type Dim,
  byteSize,
  DataType,
  domainLabel,
  dtypeName,
  type OnnxFunction,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type Shape,
  type TensorRef,
  type ValueInfo,
} from '../onnx/types.js';
import { MODEL_MAX_ELEMENTS, MODEL_MAX_RANK, MODEL_MAX_SUBGRAPH_DEPTH } from '../limits.js';
import { validateNode } from './attr-schema.js';
import { nodeCost, type Cost } from './cost.js';
import { BroadcastError, formatShape, numElements, pinShape } from './dims.js';
import { GraphError, ShapeInferenceError } from './errors.js';
import { liveLowerBound, planGreedyBySize, planLimitReason, planOrtArena, type Buffer } from './memory.js';
import { isParamSlot, paramElements } from './params.js';
import { attrGraph, type InFact, type InferCtx, type OutFact, type SubgraphResult } from './rules/context.js';
import { loopTripCount, scanLength } from './rules/control.js';
import { findShapeRule } from './rules/index.js';
import { isIntDtype, loadTensorValue, MAX_FOLD_ELEMENTS } from './values.js';
import { executionSteps, stableTopoOrder } from './topo.js';
import type {
  AnalysisIssue,
  ConstValue,
  GraphAnalysis,
  MemoryPlan,
  NodeFacts,
  TensorFacts,
  ValueInfoMismatch,
} from './types.js';

/** Options for `analyzeModel`. */
export interface AnalyzeOptions {
  /** Values for symbolic dims (`{ batch: 1 }`), applied to graph inputs before inference. */
  readonly dims?: Readonly<Record<string, number>>;
}

/** How deep If/Loop/Scan bodies and model-local functions may nest before we stop expanding. */
const MAX_DEPTH = MODEL_MAX_SUBGRAPH_DEPTH;

const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

interface Env {
  readonly model: OnnxModel;
  readonly pins: Readonly<Record<string, number>>;
  readonly issues: AnalysisIssue[];
  readonly mismatches: ValueInfoMismatch[];
  readonly functions: ReadonlyMap<string, OnnxFunction>;
  /** Root constants counted as parameters anywhere (a shared initializer counts once). */
  readonly paramTensors: Map<TensorRef | TensorFacts, number>;
  /** Attempted lazy value loads (so a failing load is not retried). */
  readonly loadTried: WeakSet<TensorFacts>;
  /** Functions being expanded right now: a function that calls itself is not expanded again. */
  readonly activeFunctions: Set<OnnxFunction>;
  /** One array per distinct inferred shape (shapes are read-only): a model's tensors share a few shapes. */
  readonly shapes: Map<string, readonly Dim[]>;
}

/** The shared array equal to `shape` (short shapes only; longer ones are kept as they are). */
function internShape(env: Env, shape: Shape): Shape {
  if (shape === null || shape.length > 8) return shape;
  let key = '';
  for (const d of shape) key += typeof d === 'number' ? `${d},` : d === null ? '?,' : `${JSON.stringify(d)},`;
  const hit = env.shapes.get(key);
  if (hit !== undefined) return hit;
  env.shapes.set(key, shape);
  return shape;
}

/** Result of running one graph (top level, a body, or a function body). */
interface GraphRun {
  readonly order: number[];
  readonly tensors: Map<string, TensorFacts>;
  readonly nodeFacts: NodeFacts[];
  readonly outputs: OutFact[];
  /** Nodes in nested bodies (recursive). */
  readonly nestedNodes: number;
}

type Lookup = (name: string) => TensorFacts | undefined;

// ---- structure ---------------------------------------------------------------------------------------

const NO_GRAPHS: readonly OnnxGraph[] = Object.freeze([]);
const NO_RUNS: ReadonlyMap<OnnxGraph, GraphRun> = new Map();

function subgraphsOf(node: Pick<OnnxNode, 'attributes'>): OnnxGraph[] {
  const out: OnnxGraph[] = [];
  for (const a of node.attributes.values()) {
    if (a.type === 'graph') out.push(a.value);
    else if (a.type === 'graphs') out.push(...a.value);
  }
  return out;
}

const freeNameCache = new WeakMap<OnnxGraph, ReadonlySet<string>>();

/** Names a body reads from enclosing scopes (recursively), i.e. its implicit inputs. */
export function freeNames(graph: OnnxGraph): ReadonlySet<string> {
  const cached = freeNameCache.get(graph);
  if (cached !== undefined) return cached;
  const defined = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') defined.add(o);
  const free = new Set<string>();
  const use = (name: string): void => {
    if (name !== '' && !defined.has(name)) free.add(name);
  };
  for (const n of graph.nodes) {
    n.inputs.forEach(use);
    for (const g of subgraphsOf(n)) freeNames(g).forEach(use);
  }
  graph.outputs.forEach((o) => use(o.name));
  freeNameCache.set(graph, free);
  return free;
}

/**
 * Names a node's If/Loop/Scan bodies read from enclosing scopes (recursively): implicit inputs that
 * order the node after their producers, in any graph whose nodes carry ONNX attributes.
 */
export function implicitInputs(node: Pick<OnnxNode, 'attributes'>): string[] {
  const names: string[] = [];
  for (const g of subgraphsOf(node)) for (const f of freeNames(g)) names.push(f);
  return names;
}

function nodeRef(n: OnnxNode): { index: number; name: string } {
  return { index: n.index, name: n.name };
}

function describe(n: OnnxNode): string {
  return `#${n.index}${n.name ? ` '${n.name}'` : ''} (${n.opType})`;
}

/** Every name a node reads, explicit inputs then its bodies' implicit inputs. */
function readsOf(n: OnnxNode): string[] {
  return [...n.inputs.filter((x) => x !== ''), ...implicitInputs(n)];
}

/**
 * Kahn's algorithm, stable by node index (graph/topo.ts). Throws GraphError GRAPH_CYCLE naming
 * the nodes on one cycle, or DUPLICATE_PRODUCER for a tensor produced twice.
 */
export function topologicalOrder(graph: OnnxGraph): number[] {
  const nodes = graph.nodes;
  const producer = new Map<string, number>();
  const declared = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  nodes.forEach((n, pos) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      const prev = producer.get(o);
      if (prev !== undefined) {
        throw new GraphError('DUPLICATE_PRODUCER', `tensor '${o}' is produced by node ${describe(nodes[prev])} and again by node ${describe(n)}`, {
          nodes: [nodeRef(nodes[prev]), nodeRef(n)],
          tensor: o,
        });
      }
      if (declared.has(o)) {
        throw new GraphError('DUPLICATE_PRODUCER', `tensor '${o}' is a graph input or initializer and is also produced by node ${describe(n)}`, {
          nodes: [nodeRef(n)],
          tensor: o,
        });
      }
      producer.set(o, pos);
    }
  });
  const deps: number[][] = nodes.map((n) => {
    const s = new Set<number>();
    for (const name of readsOf(n)) {
      const p = producer.get(name);
      if (p !== undefined) s.add(p);
    }
    return [...s];
  });
  const order = stableTopoOrder(deps);
  if (order.length < nodes.length) {
    const cycle = findCycle(deps, new Set(order));
    const names = cycle.map((i) => describe(nodes[i]));
    throw new GraphError('GRAPH_CYCLE', `graph '${graph.name}' has a cycle: ${[...names, names[0]].join(' → ')}`, {
      nodes: cycle.map((i) => nodeRef(nodes[i])),
    });
  }
  return order;
}

/** One cycle among the nodes Kahn could not order (iterative DFS, so long chains cannot overflow the stack). */
function findCycle(deps: number[][], done: ReadonlySet<number>): number[] {
  const state = new Map<number, 1 | 2>();
  for (let root = 0; root < deps.length; root++) {
    if (done.has(root) || state.has(root)) continue;
    const path: number[] = [root];
    const next: number[] = [0];
    state.set(root, 1);
    while (path.length > 0) {
      const v = path[path.length - 1];
      const k = next[next.length - 1]++;
      if (k >= deps[v].length) {
        state.set(v, 2);
        path.pop();
        next.pop();
        continue;
      }
      const p = deps[v][k];
      if (done.has(p)) continue;
      const s = state.get(p);
      if (s === 1) return path.slice(path.indexOf(p)).reverse();
      if (s === undefined) {
        state.set(p, 1);
        path.push(p);
        next.push(0);
      }
    }
  }
  return [];
}

// ---- inference ---------------------------------------------------------------------------------------

function isRoot(f: TensorFacts): boolean {
  return f.origin === 'initializer' || f.origin === 'constant-node';
}

function toInFact(f: TensorFacts): InFact {
  const x: { -readonly [K in keyof InFact]: InFact[K] } = { dtype: f.dtype, shape: f.shape, isConstant: f.isConstant };
  if (f.value !== undefined) x.value = f.value;
  if (f.sym !== undefined) x.sym = f.sym;
  return x;
}

function tensorBytes(f: { dtype: number; shape: Shape }): number | null {
  const n = numElements(f.shape);
  return n === null ? null : byteSize(f.dtype, n);
}

function constantTensor(node: OnnxNode): { ref?: TensorRef; bytes: number; dtype: number } | null {
  for (const [name, a] of node.attributes) {
    if (a.type === 'ref') continue;
    if (a.type === 'tensor' || a.type === 'sparse_tensor') return { ref: a.value, bytes: a.value.byteLength ?? 0, dtype: a.value.dtype };
    if (name === 'value_float') return { bytes: 4, dtype: DataType.FLOAT };
    if (name === 'value_floats') return { bytes: 4 * (a.value as number[]).length, dtype: DataType.FLOAT };
    if (name === 'value_int') return { bytes: 8, dtype: DataType.INT64 };
    if (name === 'value_ints') return { bytes: 8 * (a.value as number[]).length, dtype: DataType.INT64 };
  }
  return null;
}

function fnKey(domain: string, name: string): string {
  return `${domain}::${name}`;
}

/** Replaces `ref_attr_name` attributes of a function body node with the caller's attribute values. */
function bindFunctionAttrs(body: OnnxNode, caller: OnnxNode): OnnxNode {
  let changed = false;
  const attrs = new Map<string, AttributeValue>();
  for (const [k, v] of body.attributes) {
    if (v.type === 'ref') {
      changed = true;
      const actual = caller.attributes.get(v.refAttrName);
      if (actual !== undefined) attrs.set(k, actual);
    } else attrs.set(k, v);
  }
  return changed ? { ...body, attributes: attrs } : body;
}

function runGraph(
  graph: OnnxGraph,
  opsets: ReadonlyMap<string, number>,
  outer: Lookup | null,
  formal: readonly (InFact | undefined)[] | null,
  env: Env,
  depth: number,
  where: string,
): GraphRun {
  const order = topologicalOrder(graph);
  const tensors = new Map<string, TensorFacts>();
  const lookup: Lookup = (name) => tensors.get(name) ?? (outer === null ? undefined : outer(name));
  const issue = (code: string, message: string, node?: OnnxNode): void => {
    env.issues.push({
      code,
      message: where === '' ? message : `${where}: ${message}`,
      ...(node !== undefined ? { node: { index: node.index, name: node.name, opType: node.opType } } : {}),
    });
  };

  // Initializers first: an input that also has an initializer (IR < 4 style) is a constant with a default.
  for (const [name, ref] of graph.initializers) {
    tensors.set(name, {
      name,
      dtype: ref.dtype,
      shape: ref.dims,
      origin: 'initializer',
      producer: null,
      consumers: [],
      isConstant: true,
      tensor: ref,
    });
  }
  graph.inputs.forEach((vi, k) => {
    if (tensors.has(vi.name)) return;
    const given = formal?.[k];
    const f: TensorFacts = {
      name: vi.name,
      dtype: given?.dtype ?? vi.dtype,
      shape: given !== undefined ? given.shape : pinShape(vi.shape, env.pins),
      origin: 'input',
      producer: null,
      consumers: [],
      isConstant: given?.isConstant ?? false,
    };
    if (given?.value !== undefined) f.value = given.value;
    if (given?.sym !== undefined) f.sym = given.sym;
    if (vi.kind !== 'tensor') f.unknownReason = `input is a ${vi.kind}, not a tensor`;
    else if (f.shape === null) f.unknownReason = 'input rank not declared';
    tensors.set(vi.name, f);
  });

  const nodeFacts = new Array<NodeFacts>(graph.nodes.length);
  let nestedNodes = 0;

  for (const pos of order) {
    const node = graph.nodes[pos];
    const inputFacts: (TensorFacts | undefined)[] = node.inputs.map((name) => {
      if (name === '') return undefined;
      let f = lookup(name);
      if (f === undefined) {
        issue('UNDEFINED_INPUT', `node ${describe(node)} reads '${name}', which no node, input or initializer defines`, node);
        f = { name, dtype: 0, shape: null, origin: 'undefined', producer: null, consumers: [], isConstant: false, unknownReason: 'never defined' };
        tensors.set(name, f);
      }
      return f;
    });
    const inFacts = inputFacts.map((f) => (f === undefined ? undefined : toInFact(f)));
    // Most nodes have no bodies: their (empty) map of body runs is shared.
    let subRuns: Map<OnnxGraph, GraphRun> | undefined;
    const bodies = node.attributes.size === 0 ? NO_GRAPHS : subgraphsOf(node);
    let fnRun: GraphRun | undefined;
    const domain = node.domain;
    const opset = opsets.get(domain) ?? 1;
    const ctx: InferCtx = {
      node,
      opset,
      inputs: inFacts,
      value: (i) => {
        const f = inputFacts[i];
        if (f === undefined) return undefined;
        if (f.value !== undefined) return f.value;
        if (f.tensor !== undefined && !env.loadTried.has(f)) {
          env.loadTried.add(f);
          const v = loadTensorValue(f.tensor);
          if (v !== null) {
            f.value = v;
            const inf = inFacts[i] as { value?: ConstValue } | undefined;
            if (inf !== undefined) inf.value = v;
          }
        }
        return f.value;
      },
      inferSubgraph: (g, inputs): SubgraphResult => {
        if (depth + 1 > MAX_DEPTH) {
          return { outputs: g.outputs.map(() => ({ dtype: 0, shape: null, unknownReason: 'subgraph nesting too deep' })) };
        }
        const run = runGraph(g, opsets, lookup, inputs, env, depth + 1, `${where === '' ? '' : `${where} › `}${node.opType} ${describe(node)} body '${g.name}'`);
        (subRuns ??= new Map()).set(g, run);
        return { outputs: run.outputs };
      },
    };

    let outs: OutFact[] | null = null;
    let reason: string | undefined;
    const fn = env.functions.get(fnKey(domain, node.opType));
    const rule = fn !== undefined && (domain !== '' || findShapeRule(domain, node.opType) === undefined) ? undefined : findShapeRule(domain, node.opType);
    try {
      if (fn !== undefined && rule === undefined) {
        if (depth + 1 > MAX_DEPTH) {
          reason = `function calls and bodies nest more than ${MAX_DEPTH} deep`;
          issue('DEPTH_LIMIT', `node ${describe(node)}: ${reason} (docs/limits.md); its outputs are unknown`, node);
        } else if (env.activeFunctions.has(fn)) {
          reason = `function ${fn.domain}::${fn.name} calls itself`;
          issue('RECURSIVE_FUNCTION', `node ${describe(node)}: ${reason}; its outputs are unknown`, node);
        } else {
          const body: OnnxGraph = {
            name: fn.name,
            nodes: fn.nodes.map((n) => bindFunctionAttrs(n, node)),
            inputs: fn.inputs.map((name): ValueInfo => ({ name, kind: 'tensor', dtype: 0, shape: null })),
            outputs: fn.outputs.map((name): ValueInfo => ({ name, kind: 'tensor', dtype: 0, shape: null })),
            valueInfo: [],
            initializers: new Map(),
          };
          const fnOpsets = new Map(opsets);
          for (const [d, v] of fn.opsetImports) fnOpsets.set(d, v);
          env.activeFunctions.add(fn);
          try {
            fnRun = runGraph(body, fnOpsets, null, inFacts, env, depth + 1, `${where === '' ? '' : `${where} › `}function ${fn.domain}::${fn.name} called by ${describe(node)}`);
          } finally {
            env.activeFunctions.delete(fn);
          }
          outs = fnRun.outputs;
        }
      } else if (rule === undefined) {
        reason = `no shape rule for ${domainLabel(domain)}::${node.opType}`;
        issue('UNKNOWN_OP', `node ${describe(node)}: EdgeGate has no shape rule for ${domainLabel(domain)}::${node.opType}; its outputs are unknown`, node);
      } else {
        const problem = validateNode(node, inFacts);
        if (problem !== null) {
          reason = problem.message;
          issue(problem.code, `node ${describe(node)}: ${problem.message}; its outputs are unknown`, node);
        } else outs = rule(ctx);
      }
      if (outs !== null) {
        const bad = checkOutFacts(outs);
        if (bad !== null) {
          reason = bad;
          issue('SHAPE_ERROR', `node ${describe(node)}: ${bad}`, node);
          outs = null;
        }
      }
    } catch (e) {
      if (e instanceof GraphError && (e.code === 'RANK_LIMIT' || e.code === 'ELEMENT_LIMIT') && e.nodes.length === 0) {
        throw new GraphError(e.code, `node ${describe(node)}${where === '' ? '' : ` in ${where}`}: ${e.message}`, { nodes: [nodeRef(node)], cause: e });
      }
      if (e instanceof GraphError) throw e;
      if (e instanceof ShapeInferenceError || e instanceof BroadcastError) {
        reason = `shape inference failed: ${e.message}`;
        issue('SHAPE_ERROR', `node ${describe(node)}: ${e.message}`, node);
      } else if (e instanceof RangeError || e instanceof TypeError) {
        // A rule that failed on input the schema let through is EdgeGate's bug: say so, for this node only.
        reason = 'internal error in the shape rule';
        issue('INTERNAL', `node ${describe(node)}: internal error in EdgeGate's ${node.opType} shape rule (${e.name}: ${e.message}); its outputs are unknown. Please report it with the model.`, node);
      } else throw e;
      outs = null;
    }

    const constantOut =
      node.opType === 'Constant' && domain === ''
        ? true
        : inputFacts.some((f) => f !== undefined) &&
          inputFacts.every((f) => f === undefined || f.isConstant) &&
          bodies.length === 0 &&
          fn === undefined &&
          !NONDETERMINISTIC.has(node.opType);
    const constRef = node.opType === 'Constant' && domain === '' ? constantTensor(node) : null;

    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const o = outs?.[k];
      const f: TensorFacts = {
        name,
        dtype: o?.dtype ?? 0,
        shape: internShape(env, o?.shape ?? null),
        origin: constRef !== null ? 'constant-node' : 'node',
        producer: node.index,
        consumers: [],
        isConstant: constantOut,
      };
      if (o?.value !== undefined && o.value.values.length <= MAX_FOLD_ELEMENTS) f.value = o.value;
      if (o?.sym !== undefined) {
        f.sym = o.sym;
        // A shape vector whose tracked dims all became numbers is a plain folded value.
        const numeric = o.sym.every((d) => typeof d === 'number');
        if (f.value === undefined && numeric && isIntDtype(f.dtype) && f.shape !== null && f.shape.length <= 1) {
          f.value = { dtype: f.dtype, dims: f.shape.length === 0 ? [] : [o.sym.length], values: o.sym as number[] };
        }
      }
      if (constRef?.ref !== undefined) f.tensor = constRef.ref;
      const why = o === undefined ? (reason ?? 'shape rule gave no fact for this output') : o.unknownReason;
      if (why !== undefined) f.unknownReason = why;
      else if (f.shape === null || f.dtype === 0) f.unknownReason = 'not inferred';
      else if (f.shape.some((d) => d === null)) f.unknownReason = 'some dims unknown';
      tensors.set(name, f);
    });

    // Costs and parameters.
    for (const g of bodies) nestedNodes += countNodes(g);
    const facts = costFacts(node, inputFacts, lookup, opset, subRuns ?? NO_RUNS, fnRun, ctx, env);
    if (bodies.length > 0) facts.subgraphNodes = bodies.reduce((s, g) => s + countNodes(g), 0);
    nodeFacts[pos] = facts;
  }

  // Consumers in execution order (bodies' implicit reads count as reads by the owning node), each node
  // once per tensor. A first consumer gets an exact one-entry list: most tensors have one, and an array
  // grown by push keeps room for 17.
  for (const pos of order) {
    const node = graph.nodes[pos];
    const reads = node.attributes.size === 0 ? node.inputs : readsOf(node);
    for (const name of reads) {
      const f = name === '' ? undefined : tensors.get(name);
      if (f === undefined || f.consumers[f.consumers.length - 1] === node.index) continue;
      if (f.consumers.length === 0) f.consumers = [node.index];
      else f.consumers.push(node.index);
    }
  }

  crossCheck(graph, lookup, env, where);

  const outputs: OutFact[] = graph.outputs.map((vi) => {
    const f = lookup(vi.name);
    if (f === undefined) {
      issue('UNDEFINED_OUTPUT', `graph output '${vi.name}' is never defined`);
      return { dtype: 0, shape: null, unknownReason: 'never defined' };
    }
    const o: OutFact = { dtype: f.dtype, shape: f.shape };
    if (f.value !== undefined) o.value = f.value;
    if (f.sym !== undefined) o.sym = f.sym;
    if (f.unknownReason !== undefined) o.unknownReason = f.unknownReason;
    return o;
  });

  return { order, tensors, nodeFacts, outputs, nestedNodes };
}

/**
 * A rule's outputs must be shapes a tensor can have: a rank and element count within the limits (else
 * the model is refused: GraphError RANK_LIMIT / ELEMENT_LIMIT) and every numeric dim a non-negative
 * integer (else a per-node problem, returned as text, so NaN or -3 never reaches the next rule).
 */
function checkOutFacts(outs: readonly OutFact[]): string | null {
  for (const [k, o] of outs.entries()) {
    if (o === undefined || o.shape === null) continue;
    if (o.shape.length > MODEL_MAX_RANK) {
      throw new GraphError('RANK_LIMIT', `output ${k} would have rank ${o.shape.length}, over the limit of ${MODEL_MAX_RANK} (docs/limits.md)`);
    }
    let count = 1;
    for (const d of o.shape) {
      if (typeof d !== 'number') continue;
      if (!Number.isSafeInteger(d) || d < 0) return `output ${k} would have dim ${d} in ${formatShape(o.shape)}; inputs or attributes are invalid`;
      count *= d;
    }
    if (count > MODEL_MAX_ELEMENTS) {
      throw new GraphError('ELEMENT_LIMIT', `output ${k} would have shape ${formatShape(o.shape)}, ${count} elements, over the limit of ${MODEL_MAX_ELEMENTS} (docs/limits.md)`);
    }
  }
  return null;
}

/** Total nodes of a body, recursively. */
export function countNodes(graph: OnnxGraph): number {
  let n = graph.nodes.length;
  for (const node of graph.nodes) for (const g of subgraphsOf(node)) n += countNodes(g);
  return n;
}

function sumRun(run: GraphRun): { macs: number | null; otherOps: number | null; params: number; weightBytes: number; reason?: string } {
  let macs: number | null = 0;
  let other: number | null = 0;
  let params = 0;
  let weightBytes = 0;
  let reason: string | undefined;
  for (const f of run.nodeFacts) {
    if (f === undefined) continue;
    if (f.macs === null) {
      macs = null;
      reason ??= f.unknownReason;
    } else if (macs !== null) macs += f.macs;
    if (f.otherOps === null) {
      other = null;
      reason ??= f.unknownReason;
    } else if (other !== null) other += f.otherOps;
    params += f.params;
    weightBytes += f.weightBytes;
  }
  return { macs, otherOps: other, params, weightBytes, ...(reason !== undefined ? { reason } : {}) };
}

function costFacts(
  node: OnnxNode,
  inputFacts: readonly (TensorFacts | undefined)[],
  lookup: Lookup,
  opset: number,
  subRuns: ReadonlyMap<OnnxGraph, GraphRun>,
  fnRun: GraphRun | undefined,
  ctx: InferCtx,
  env: Env,
): NodeFacts {
  const outputs = node.outputs.map((n) => (n === '' ? undefined : lookup(n)));
  let cost: Cost;
  let params = 0;
  let weightBytes = 0;
  if (fnRun !== undefined) {
    const s = sumRun(fnRun);
    cost = { macs: s.macs, otherOps: s.otherOps, ...(s.reason ? { unknownReason: s.reason } : {}) };
    params += s.params;
    weightBytes += s.weightBytes;
  } else if (subRuns.size > 0) {
    const sums = [...subRuns.values()].map(sumRun);
    for (const s of sums) {
      params += s.params;
      weightBytes += s.weightBytes;
    }
    const cond = node.opType === 'If' ? ctx.inputs[0]?.value : undefined;
    const taken = cond !== undefined && cond.values.length === 1 ? attrGraph(node, cond.values[0] ? 'then_branch' : 'else_branch') : undefined;
    const takenRun = taken === undefined ? undefined : subRuns.get(taken);
    if (takenRun !== undefined) {
      // A folded condition: only that branch runs.
      const s = sumRun(takenRun);
      cost = { macs: s.macs, otherOps: s.otherOps, ...(s.reason ? { unknownReason: s.reason } : {}) };
    } else if (node.opType === 'If') {
      // Only one branch runs: the costlier one bounds it.
      const pick = (k: 'macs' | 'otherOps'): number | null => (sums.some((s) => s[k] === null) ? null : Math.max(...sums.map((s) => s[k] as number)));
      cost = { macs: pick('macs'), otherOps: pick('otherOps') };
      if (cost.macs === null || cost.otherOps === null) cost.unknownReason = sums.find((s) => s.reason)?.reason ?? 'branch cost unknown';
    } else {
      const s = sums[sums.length - 1];
      const times = node.opType === 'Loop' ? loopTripCount(ctx, [...subRuns.values()][subRuns.size - 1]?.outputs[0]) : node.opType === 'Scan' ? scanLength(ctx) : 1;
      if (typeof times !== 'number') {
        cost = { macs: null, otherOps: null, unknownReason: `${node.opType} iteration count not constant` };
      } else {
        cost = {
          macs: s.macs === null ? null : s.macs * times,
          otherOps: s.otherOps === null ? null : s.otherOps * times,
          ...(s.reason ? { unknownReason: s.reason } : {}),
        };
      }
    }
  } else {
    // Tensor facts carry the dtype and shape the cost rules read.
    cost = nodeCost({ node, opset, inputs: inputFacts, outputs });
  }
  inputFacts.forEach((f, slot) => {
    if (f === undefined || !isRoot(f) || f.shape === null) return;
    if (!isParamSlot(node.domain, node.opType, slot, f.dtype, f.shape.length)) return;
    const n = paramElements(node, slot, numElements(f.shape) ?? 0);
    params += n;
    weightBytes += f.tensor?.byteLength ?? byteSize(f.dtype, n) ?? 0;
    env.paramTensors.set(f.tensor ?? f, n);
  });
  const sumBytes = (fs: readonly (TensorFacts | undefined)[]): number | null => {
    let s = 0;
    for (const f of fs) {
      if (f === undefined || f.isConstant) continue;
      const b = tensorBytes(f);
      if (b === null) return null;
      s += b;
    }
    return s;
  };
  const facts: NodeFacts = {
    index: node.index,
    name: node.name,
    opType: node.opType,
    domain: node.domain,
    macs: cost.macs,
    otherOps: cost.otherOps,
    params,
    activationBytesIn: sumBytes(inputFacts),
    activationBytesOut: sumBytes(outputs),
    weightBytes,
  };
  if (cost.unknownReason !== undefined && (cost.macs === null || cost.otherOps === null)) facts.unknownReason = cost.unknownReason;
  return facts;
}

/** value_info (and declared graph outputs) as a cross-check only: rank, numeric dim and dtype contradictions. */
function crossCheck(graph: OnnxGraph, lookup: Lookup, env: Env, where: string): void {
  for (const vi of [...graph.valueInfo, ...graph.outputs]) {
    if (vi.kind !== 'tensor') continue;
    const f = lookup(vi.name);
    if (f === undefined) continue;
    const declared = pinShape(vi.shape, env.pins);
    const shapeCmp = compareLoose(f.shape, declared);
    const dtypeBad = vi.dtype !== 0 && f.dtype !== 0 && vi.dtype !== f.dtype;
    if (shapeCmp || dtypeBad) {
      env.mismatches.push({ tensor: vi.name, inferred: f.shape, declared, inferredDtype: f.dtype, declaredDtype: vi.dtype });
      env.issues.push({
        code: 'VALUE_INFO_MISMATCH',
        message: `${where === '' ? '' : `${where}: `}tensor '${vi.name}' is inferred as ${dtypeName(f.dtype)}${formatShape(f.shape)} but value_info declares ${dtypeName(vi.dtype)}${formatShape(declared)}`,
      });
    }
  }
}

/** True when two shapes provably disagree (rank, or two different numbers); symbols never disagree. */
function compareLoose(a: Shape, b: Shape): boolean {
  if (a === null || b === null) return false;
  if (a.length !== b.length) return true;
  return a.some((d, i) => typeof d === 'number' && typeof b[i] === 'number' && d !== b[i]);
}

// ---- totals ------------------------------------------------------------------------------------------

/** Every stored weight in the model (all graphs, bodies and function bodies), each once. */
function weightInventory(model: OnnxModel): { bytes: number; byDtype: Record<string, number> } {
  const seen = new Set<TensorRef>();
  const byDtype: Record<string, number> = {};
  let bytes = 0;
  const add = (dtype: number, b: number): void => {
    bytes += b;
    const k = dtypeName(dtype);
    byDtype[k] = (byDtype[k] ?? 0) + b;
  };
  const addRef = (ref: TensorRef): void => {
    if (seen.has(ref)) return;
    seen.add(ref);
    add(ref.dtype, ref.byteLength ?? 0);
  };
  const walkNodes = (nodes: readonly OnnxNode[]): void => {
    for (const n of nodes) {
      if (n.opType === 'Constant' && n.domain === '') {
        const c = constantTensor(n);
        if (c?.ref !== undefined) addRef(c.ref);
        else if (c !== null) add(c.dtype, c.bytes);
      }
      for (const g of subgraphsOf(n)) walkGraph(g);
    }
  };
  const walkGraph = (g: OnnxGraph): void => {
    for (const ref of g.initializers.values()) addRef(ref);
    walkNodes(g.nodes);
  };
  walkGraph(model.graph);
  for (const f of model.functions) walkNodes(f.nodes);
  return { bytes, byDtype };
}

function memoryPlan(graph: OnnxGraph, run: GraphRun): { plan: MemoryPlan; activationBytes: number | null } {
  const step = executionSteps(graph.nodes.length, run.order.map((pos) => graph.nodes[pos].index));
  const last = Math.max(run.order.length - 1, 0);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const buffers: Buffer[] = [];
  let unknownTensors = 0;
  let total: number | null = 0;
  for (const f of run.tensors.values()) {
    if (f.isConstant || (f.origin !== 'input' && f.origin !== 'node')) continue;
    const size = tensorBytes(f);
    if (size === null) {
      unknownTensors++;
      total = null;
      continue;
    }
    if (total !== null) total += size;
    if (size === 0) continue;
    const first = f.origin === 'input' ? 0 : (step(f.producer ?? -1) ?? 0);
    let lastUse = first;
    for (const c of f.consumers) lastUse = Math.max(lastUse, step(c) ?? first);
    if (outputs.has(f.name)) lastUse = last;
    buffers.push({ id: f.name, size, firstUse: first, lastUse });
  }
  const notPlanned = planLimitReason(buffers);
  if (notPlanned !== undefined) {
    return {
      plan: { peakBytes: null, notPlanned, lowerBoundBytes: liveLowerBound(buffers), unknownTensors, ortArenaPeakBytes: null, buffers: buffers.length },
      activationBytes: total,
    };
  }
  const greedy = planGreedyBySize(buffers, { offsets: false });
  const ort = planOrtArena(buffers, { offsets: false });
  return {
    plan: {
      peakBytes: greedy.peakBytes,
      lowerBoundBytes: liveLowerBound(buffers),
      unknownTensors,
      ortArenaPeakBytes: ort.peakBytes,
      buffers: buffers.length,
    },
    activationBytes: total,
  };
}

/**
 * Analyzes a model: execution order, every tensor's dtype and shape (inferred by EdgeGate's own rules;
 * value_info is only a cross-check), per-node MACs/other ops/parameters, totals and an activation memory
 * plan. Throws `GraphError` (GRAPH_CYCLE, DUPLICATE_PRODUCER) when the graph cannot be ordered, and
 * RangeError for a `dims` value that is not a non-negative integer; every other problem becomes an issue
 * (UNKNOWN_OP, UNDEFINED_INPUT, SHAPE_ERROR, VALUE_INFO_MISMATCH, UNUSED_DIM) and leaves the affected
 * values unknown (`null` with a reason). value_info never feeds inference; a mismatch is a different rank,
 * a different number, or a different dtype (symbolic dims never count, so renamed symbols agree).
 */
export function analyzeModel(model: OnnxModel, options: AnalyzeOptions = {}): GraphAnalysis {
  const pins = { ...(options.dims ?? {}) };
  for (const [name, v] of Object.entries(pins)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`dim ${name}=${v}: a dim value must be a non-negative integer`);
  }
  const env: Env = {
    model,
    pins,
    issues: [],
    mismatches: [],
    functions: new Map(model.functions.map((f) => [fnKey(f.domain, f.name), f])),
    paramTensors: new Map(),
    loadTried: new WeakSet(),
    activeFunctions: new Set(),
    shapes: new Map(),
  };
  const run = runGraph(model.graph, model.opsetImports, null, null, env, 0, '');
  const graph = model.graph;

  const declaredDims = new Set<string>();
  for (const vi of graph.inputs) for (const d of vi.shape ?? []) if (typeof d === 'string') declaredDims.add(d);
  for (const name of Object.keys(pins)) {
    if (!declaredDims.has(name)) {
      env.issues.push({ code: 'UNUSED_DIM', message: `--dim ${name}=${pins[name]} matches no symbolic dim of the graph inputs` });
    }
  }

  let macs: number | null = 0;
  let otherOps: number | null = 0;
  const reasons: Record<string, string> = {};
  for (const pos of run.order) {
    const f = run.nodeFacts[pos];
    if (f.macs === null) {
      macs = null;
      reasons.macs ??= `node ${describe(graph.nodes[pos])}: ${f.unknownReason ?? 'unknown'}`;
    } else if (macs !== null) macs += f.macs;
    if (f.otherOps === null) {
      otherOps = null;
      reasons.otherOps ??= `node ${describe(graph.nodes[pos])}: ${f.unknownReason ?? 'unknown'}`;
    } else if (otherOps !== null) otherOps += f.otherOps;
  }
  let params = 0;
  for (const n of env.paramTensors.values()) params += n;
  const inv = weightInventory(model);
  const { plan, activationBytes } = memoryPlan(graph, run);
  if (activationBytes === null) reasons.activationBytes = `${plan.unknownTensors} activation tensor(s) of unknown size`;
  if (plan.notPlanned !== undefined) env.issues.push({ code: 'PLAN_LIMIT', message: plan.notPlanned.replace(/^PLAN_LIMIT: /, '') });

  return {
    model,
    order: run.order.map((pos) => graph.nodes[pos].index),
    nodes: graph.nodes,
    tensors: run.tensors,
    nodeFacts: run.nodeFacts,
    pinnedDims: pins,
    valueInfoMismatches: env.mismatches,
    issues: env.issues,
    totals: {
      nodes: graph.nodes.length,
      subgraphNodes: run.nestedNodes,
      params,
      macs,
      otherOps,
      weightBytes: inv.bytes,
      weightBytesByDtype: inv.byDtype,
      activationBytes,
      ...(Object.keys(reasons).length > 0 ? { unknownReasons: reasons } : {}),
    },
    memory: plan,
  };
}
