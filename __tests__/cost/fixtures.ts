/**
 * Hand-made GraphAnalysis / DevicePlacement / DeviceProfile objects for cost-model tests, so every
 * expected number can be computed by hand from the figures written here.
 */
import type { AttributeValue, OnnxGraph, OnnxModel, OnnxNode } from '../../src/onnx/types.js';
import type { GraphAnalysis, NodeFacts, TensorFacts } from '../../src/graph/types.js';
import type { DevicePlacement, PlacedNode } from '../../src/profiles/placement.js';
import type { DeviceProfile, Figure } from '../../src/profiles/schema.js';
import type { Placement } from '../../src/report/types.js';

export interface TNode {
  op: string;
  inputs: string[];
  outputs: string[];
  macs?: number;
  otherOps?: number;
  bytesIn?: number;
  bytesOut?: number;
  weightBytes?: number;
  attrs?: Record<string, number>;
  name?: string;
}

export interface TTensor {
  name: string;
  dtype?: number;
  shape: number[];
  constant?: boolean;
}

/** Builds a GraphAnalysis for nodes in execution order. Tensors not listed get shape [1] float. */
export function makeAnalysis(spec: { nodes: TNode[]; tensors: TTensor[]; inputs: string[]; outputs: string[]; weightBytesByDtype?: Record<string, number> }): GraphAnalysis {
  const nodes: OnnxNode[] = spec.nodes.map((n, index) => ({
    index,
    name: n.name ?? `${n.op}_${index}`,
    opType: n.op,
    domain: '',
    inputs: n.inputs,
    outputs: n.outputs,
    attributes: new Map<string, AttributeValue>(Object.entries(n.attrs ?? {}).map(([k, v]) => [k, { type: 'int', value: v }])),
  }));
  const tensors = new Map<string, TensorFacts>();
  const get = (name: string): TensorFacts => {
    let t = tensors.get(name);
    if (!t) {
      const s = spec.tensors.find((x) => x.name === name);
      t = {
        name,
        dtype: s?.dtype ?? 1,
        shape: s?.shape ?? [1],
        origin: s?.constant ? 'initializer' : spec.inputs.includes(name) ? 'input' : 'node',
        producer: null,
        consumers: [],
        isConstant: s?.constant ?? false,
      };
      tensors.set(name, t);
    }
    return t;
  };
  for (const n of nodes) {
    for (const x of n.inputs) get(x).consumers.push(n.index);
    for (const o of n.outputs) get(o).producer = n.index;
  }
  const nodeFacts: NodeFacts[] = spec.nodes.map((n, index) => ({
    index,
    name: nodes[index]!.name,
    opType: n.op,
    domain: '',
    macs: n.macs ?? 0,
    otherOps: n.otherOps ?? 0,
    params: 0,
    activationBytesIn: n.bytesIn ?? 0,
    activationBytesOut: n.bytesOut ?? 0,
    weightBytes: n.weightBytes ?? 0,
  }));
  const initializers = new Map(spec.tensors.filter((t) => t.constant).map((t) => [t.name, { name: t.name, dtype: t.dtype ?? 1, dims: t.shape, elementCount: t.shape.reduce((a, b) => a * b, 1), byteLength: null, payload: { kind: 'none' as const } }]));
  const graph: OnnxGraph = {
    name: 'g',
    nodes,
    inputs: spec.inputs.map((name) => ({ name, kind: 'tensor', dtype: get(name).dtype, shape: get(name).shape })),
    outputs: spec.outputs.map((name) => ({ name, kind: 'tensor', dtype: get(name).dtype, shape: get(name).shape })),
    valueInfo: [],
    initializers,
  };
  const model: OnnxModel = {
    path: 'test.onnx',
    baseDir: '.',
    fileSize: 0,
    sha256: '',
    irVersion: 8,
    producerName: 'test',
    producerVersion: '',
    opsetImports: new Map([['', 17]]),
    metadata: new Map(),
    graph,
    functions: [],
  };
  const weightBytes = spec.nodes.reduce((s, n) => s + (n.weightBytes ?? 0), 0);
  return {
    model,
    order: nodes.map((n) => n.index),
    nodes,
    tensors,
    nodeFacts,
    pinnedDims: {},
    valueInfoMismatches: [],
    issues: [],
    totals: {
      nodes: nodes.length,
      subgraphNodes: 0,
      params: 0,
      macs: nodeFacts.reduce((s, f) => s + (f.macs ?? 0), 0),
      otherOps: 0,
      weightBytes,
      weightBytesByDtype: spec.weightBytesByDtype ?? { float: weightBytes },
      activationBytes: 0,
    },
    memory: { peakBytes: 0, lowerBoundBytes: 0, unknownTensors: 0 },
  };
}

/** Placement of every node (index = source index) with the given placements and partitions. */
export function makePlacement(analysis: GraphAnalysis, placements: (Placement | [Placement, number])[], hints: Record<number, string> = {}): DevicePlacement {
  const nodes: PlacedNode[] = analysis.model.graph.nodes.map((n, i) => {
    const p = placements[i] ?? 'cpu-fallback';
    const [placement, partition] = Array.isArray(p) ? p : [p, p === 'accelerated' ? 0 : null];
    return {
      index: n.index,
      name: n.name,
      op: n.opType,
      domain: '',
      placement,
      reason: placement === 'accelerated' ? 'OK' : 'OP_NOT_LISTED',
      ...(hints[i] ? { hint: hints[i] } : {}),
      sourceNodes: [n.index],
      partition: placement === 'accelerated' ? (partition ?? 0) : null,
    };
  });
  return {
    profileId: 'test',
    placedGraph: 'source',
    countBasis: `${nodes.length} nodes of the test graph`,
    nodes,
    partitions: [],
    nodesTotal: nodes.length,
    nodesAccelerated: nodes.filter((n) => n.placement === 'accelerated').length,
    macsTotal: null,
    macsAccelerated: null,
    macsAcceleratedFraction: null,
    verdict: 'pass',
    verdictReason: '',
    quantization: { scheme: 'float32', activationDtypes: [], weightDtypes: [], weightGranularity: [], symmetricWeights: null, quantizedNodeShare: 0, accepted: true, message: '' },
  };
}

const fig = (value: number, estimate = false): Figure =>
  estimate ? { value, source: 'test', estimate: true, reasoning: 'test figure' } : { value, source: 'test' };

/**
 * A two-unit profile with round numbers: CPU 1e11 MAC/s float, 1e10 B/s, 10 µs per node; NPU 1e12 MAC/s
 * int8 and float, 1e11 B/s, 5 µs per node; transfers 1e9 B/s + 50 µs. Efficiencies 0.5 (conv), 0.1
 * (elementwise), 0.25 (depthwise), all sourced (σ = ln 1.5) unless `estimate`.
 */
export function makeProfile(overrides: { planner?: 'greedy' | 'ort-arena'; weightsInRam?: boolean; estimate?: boolean; quantRequired?: boolean; singleUnit?: boolean } = {}): DeviceProfile {
  const est = overrides.estimate ?? false;
  const eff = { conv: { float: fig(0.5, est), int8: fig(0.5, est) }, depthwise: { float: fig(0.25, est) }, elementwise: { float: fig(0.1, est) }, matmul: { float: fig(0.5, est) } };
  const cpu = {
    id: 'cpu',
    kind: 'cpu' as const,
    name: 'cpu',
    clockHz: fig(1e9),
    peakMacsPerSecond: { float: fig(1e11), int8: fig(4e11) },
    memoryBandwidthBytesPerSecond: fig(1e10),
    perNodeOverheadUs: fig(10, est),
    efficiency: eff,
  };
  const npu = {
    id: 'npu',
    kind: 'npu' as const,
    name: 'npu',
    clockHz: fig(1e9),
    peakMacsPerSecond: { float: fig(1e12), int8: fig(1e12) },
    memoryBandwidthBytesPerSecond: fig(1e11),
    perNodeOverheadUs: fig(5, est),
    efficiency: eff,
  };
  const single = overrides.singleUnit ?? false;
  return {
    schemaVersion: 1,
    id: 'test',
    name: 'test',
    description: 'test',
    runtime: { name: 'onnxruntime', version: '1', appliesOrtBasicRewrites: false, source: 'test' },
    partition: { policy: 'multi', source: 'test' },
    verdict: { pass: [{}], warn: [] },
    quantization: {
      required: overrides.quantRequired ?? false,
      formats: ['qdq'],
      activationDtypes: ['int8'],
      weightDtypes: ['int8'],
      weightGranularity: { default: ['per-tensor'] },
      symmetricWeights: false,
      constantScales: true,
      completeQdqGroups: false,
      floatIoOnlyAtEdges: false,
      source: 'test',
    },
    rules: [],
    hardware: {
      summary: 'test',
      units: single ? [cpu] : [cpu, npu],
      acceleratorUnit: single ? 'cpu' : 'npu',
      fallbackUnit: 'cpu',
      ramBytes: fig(1_000_000),
      storageBytes: fig(4_000_000),
      transfers: single ? [] : [
        { from: 'cpu', to: 'npu', bytesPerSecond: fig(1e9), fixedUs: fig(50) },
        { from: 'npu', to: 'cpu', bytesPerSecond: fig(1e9), fixedUs: fig(50) },
      ],
      memoryPlanner: overrides.planner ?? 'greedy',
      weightsInRam: overrides.weightsInRam ?? false,
      runtimeOverheadBytes: fig(1000),
      runtimeBinaryBytes: fig(2000),
    },
    parity: { runtime: 'onnxruntime-cpu', runnerLabels: [] },
  } as unknown as DeviceProfile;
}
