/**
 * What a parity run marks, dumps and isolates for one model: the decide stage, pure over the parsed
 * model. The same plan is built on the desktop (reference) and on the device (run), from the same
 * model bytes, so both sides agree on tensor names and units without shipping the plan itself.
 */
import { DataType } from '../onnx/types.js';
import { type QdqNodeUnit, getQdqNodeUnits, qdqUnitOutputs } from '../graph/qdq-units.js';
import { stableTopoOrder } from '../graph/topo.js';
import onnxProto from 'onnx-proto';
import { type InputSpec, type ProtoModel, type SubmodelSpec, scanFields } from './proto-model.js';

const { onnx } = onnxProto;

/** Ops whose outputs are sequences, maps or optionals: onnxruntime-node cannot return them. */
const NON_TENSOR_OPS: ReadonlySet<string> = new Set([
  'SequenceConstruct',
  'SequenceEmpty',
  'SequenceInsert',
  'SequenceErase',
  'SplitToSequence',
  'ZipMap',
  'Optional',
  'CastMap',
  'DictVectorizer',
]);

/** Ops whose output is random: never compared (two runs differ by design). */
const RANDOM_OPS: ReadonlySet<string> = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

/** A unit that is run alone (kernel isolation), or the reason it cannot be. */
export interface IsolationUnit {
  readonly unit: QdqNodeUnit;
  /** Position of the target in the topological order (the "first diverging" order). */
  readonly position: number;
  /** Tensors fed from the reference (graph inputs or reference intermediates). */
  readonly fed: readonly string[];
  /** Constant-only helper nodes included so constant inputs compute inside the isolated model. */
  readonly constNodes: readonly number[];
  readonly skipped?: string;
}

export interface ParityPlan {
  readonly model: ProtoModel;
  /** Node indices in topological order (stable: ties keep file order). */
  readonly order: readonly number[];
  /** Tensor → producing node index. */
  readonly producer: ReadonlyMap<string, number>;
  /** Tensors that depend only on initializers and Constant nodes. */
  readonly constantTensors: ReadonlySet<string>;
  readonly units: readonly QdqNodeUnit[];
  /** The model's own outputs followed by the Q outputs of every QDQ unit. */
  readonly productionOutputs: readonly string[];
  /** Every intermediate tensor marked in the localization pass. */
  readonly localizationOutputs: readonly string[];
  /** Tensors left out of the dump and comparison (constant-only, random). */
  readonly uncompared: ReadonlySet<string>;
  /** Units isolated (or skipped, with a reason), in topological order of their target. */
  readonly isolation: readonly IsolationUnit[];
  /** Float tensors produced by DequantizeLinear with a known per-tensor scale. */
  readonly dequantScale: ReadonlyMap<string, number>;
}

/** The shared stable topological sort (graph/topo.ts) over explicit inputs; cycle members follow in file order. */
export function topologicalOrder(model: ProtoModel): number[] {
  const producer = new Map<string, number>();
  model.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const deps = model.nodes.map((n, i) => {
    const s = new Set<number>();
    for (const x of n.inputs) {
      const p = x === '' ? undefined : producer.get(x);
      if (p !== undefined && p !== i) s.add(p);
    }
    return [...s];
  });
  const order = stableTopoOrder(deps);
  if (order.length !== model.nodes.length) {
    // A cycle: keep the remaining nodes in file order so the plan stays total.
    const seen = new Set(order);
    model.nodes.forEach((_, i) => !seen.has(i) && order.push(i));
  }
  return order;
}

/** A float32 scalar initializer's value, or undefined when it is not one. */
export function scalarFloatInitializer(model: ProtoModel, name: string): number | undefined {
  const v = scalarInitializer(model, name);
  return v && v.dtype === DataType.FLOAT ? v.values[0] : undefined;
}

/**
 * A one-element initializer of a float or 8/16-bit integer type (Q/DQ scales and zero points, Clip bounds),
 * as the QDQ grouping reads constants; undefined for anything else.
 */
export function scalarInitializer(model: ProtoModel, name: string): { dtype: number; values: number[] } | undefined {
  const init = model.initializers.get(name);
  if (!init || init.sparse || init.externalLocation !== null) return undefined;
  if (init.dims.reduce((a, b) => a * b, 1) !== 1) return undefined;
  const t = onnx.TensorProto.decode(init.raw.subarray(scanFields(init.raw, 0, init.raw.byteLength)[0]!.valueStart));
  const raw = t.rawData && t.rawData.byteLength > 0 ? Buffer.from(t.rawData) : undefined;
  let v: number | undefined;
  switch (init.dtype) {
    case DataType.FLOAT:
      v = raw && raw.byteLength >= 4 ? raw.readFloatLE(0) : t.floatData[0];
      break;
    case DataType.UINT8:
      v = raw ? raw.readUInt8(0) : t.int32Data[0];
      break;
    case DataType.INT8:
      v = raw ? raw.readInt8(0) : t.int32Data[0];
      break;
    case DataType.UINT16:
      v = raw && raw.byteLength >= 2 ? raw.readUInt16LE(0) : t.int32Data[0];
      break;
    case DataType.INT16:
      v = raw && raw.byteLength >= 2 ? raw.readInt16LE(0) : t.int32Data[0];
      break;
    default:
      return undefined;
  }
  return v === undefined ? undefined : { dtype: init.dtype, values: [v] };
}

/** Builds the parity plan of a model. */
export function planParity(model: ProtoModel): ParityPlan {
  const order = topologicalOrder(model);
  const position = new Map<number, number>(order.map((n, i) => [n, i]));
  const producer = new Map<string, number>();
  model.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const graphInputs = new Set(model.inputs.map((i) => i.name));

  const constantTensors = new Set<string>(model.initializers.keys());
  const randomTensors = new Set<string>();
  for (const i of order) {
    const n = model.nodes[i]!;
    if (RANDOM_OPS.has(n.opType)) {
      n.outputs.forEach((o) => randomTensors.add(o));
      continue;
    }
    const inputs = n.inputs.filter((x) => x !== '');
    const isConst = !n.hasSubgraph && inputs.every((x) => constantTensors.has(x) && !graphInputs.has(x)) && !inputs.some((x) => randomTensors.has(x));
    if (n.opType === 'Constant' || isConst) n.outputs.forEach((o) => o !== '' && constantTensors.add(o));
    if (inputs.some((x) => randomTensors.has(x))) n.outputs.forEach((o) => randomTensors.add(o));
  }

  const isTensorOutput = (name: string, nodeOp: string): boolean => {
    if (name === '') return false;
    if (NON_TENSOR_OPS.has(nodeOp)) return false;
    const vi = model.valueInfo.get(name);
    return !vi || vi.kind === 'tensor' || vi.kind === 'unknown';
  };

  const localizationOutputs: string[] = [];
  for (const i of order) {
    const n = model.nodes[i]!;
    if (n.opType === 'Constant') continue;
    for (const o of n.outputs) if (isTensorOutput(o, n.opType)) localizationOutputs.push(o);
  }
  const localizationSet = new Set(localizationOutputs);
  const uncompared = new Set<string>([...constantTensors].filter((t) => producer.has(t)));
  randomTensors.forEach((t) => uncompared.add(t));

  // With the model's scalar constants a Relu/Clip its Q makes redundant is isolated inside its unit, as
  // onnxruntime runs it (one QLinearConv), not as a float kernel of its own.
  const units = getQdqNodeUnits({ nodes: model.nodes, outputs: model.outputs, constantValues: (name) => scalarInitializer(model, name) });
  const modelOutputs = model.outputs.map((o) => o.name);
  const productionOutputs = [...new Set([...modelOutputs, ...qdqUnitOutputs(units)])];

  const dequantScale = new Map<string, number>();
  for (const n of model.nodes) {
    if (n.opType !== 'DequantizeLinear' || n.domain !== '') continue;
    const s = n.inputs[1] ? scalarFloatInitializer(model, n.inputs[1]) : undefined;
    if (s !== undefined && n.outputs[0]) dequantScale.set(n.outputs[0], s);
  }

  const isolation: IsolationUnit[] = [];
  for (const u of [...units].sort((a, b) => position.get(a.target)! - position.get(b.target)!)) {
    const target = model.nodes[u.target]!;
    if (target.opType === 'Constant') continue;
    if (u.outputs.every((o) => constantTensors.has(o))) continue;
    const pos = position.get(u.target)!;
    const skip = (why: string): void => void isolation.push({ unit: u, position: pos, fed: [], constNodes: [], skipped: why });
    if (u.nodes.some((i) => model.nodes[i]!.hasSubgraph)) {
      skip('SUBGRAPH');
      continue;
    }
    if (u.outputs.some((o) => randomTensors.has(o))) {
      skip('RANDOM');
      continue;
    }
    const fed = u.inputs.filter((x) => !constantTensors.has(x) || graphInputs.has(x));
    if (fed.some((x) => !graphInputs.has(x) && !localizationSet.has(x))) {
      skip('INPUT_NOT_A_TENSOR');
      continue;
    }
    if (u.outputs.some((o) => !isTensorOutput(o, model.nodes[producer.get(o)!]!.opType))) {
      skip('OUTPUT_NOT_A_TENSOR');
      continue;
    }
    // Constant-derived inputs that are not initializers: pull in their constant-only ancestors.
    const need = u.inputs.filter((x) => constantTensors.has(x) && !model.initializers.has(x) && !graphInputs.has(x));
    const constNodes = new Set<number>();
    const stack = [...need];
    while (stack.length > 0) {
      const t = stack.pop()!;
      const p = producer.get(t);
      if (p === undefined || constNodes.has(p)) continue;
      constNodes.add(p);
      for (const x of model.nodes[p]!.inputs) if (x !== '' && !model.initializers.has(x)) stack.push(x);
    }
    if ([...constNodes].some((i) => model.nodes[i]!.hasSubgraph)) {
      skip('SUBGRAPH');
      continue;
    }
    isolation.push({ unit: u, position: pos, fed, constNodes: [...constNodes].sort((a, b) => position.get(a)! - position.get(b)!) });
  }

  return { model, order, producer, constantTensors, units, productionOutputs, localizationOutputs, uncompared, isolation, dequantScale };
}

/** The submodel spec for one isolated unit, given the reference tensors' types and dims. */
export function isolationSubmodel(
  plan: ParityPlan,
  iso: IsolationUnit,
  fedTypes: ReadonlyMap<string, { readonly dtype: number; readonly dims: readonly number[] }>,
): SubmodelSpec {
  const pos = new Map(plan.order.map((n, i) => [n, i]));
  const unitNodes = [...iso.unit.nodes].sort((a, b) => pos.get(a)! - pos.get(b)!);
  const inputs: InputSpec[] = iso.fed.map((name) => {
    const t = fedTypes.get(name);
    if (!t) throw new RangeError(`no reference value for '${name}'`);
    return { name, dtype: t.dtype, dims: t.dims };
  });
  return {
    nodes: [...iso.constNodes, ...unitNodes],
    inputs,
    outputs: iso.unit.outputs.map((name) => ({ name })),
    graphName: `edgegate_isolated_${iso.unit.target}`,
  };
}
