/**
 * The kernel calibration grid: single-operator ONNX micro-models that span what the cost model tells apart
 * (op class × dtype × shape), generated here in TypeScript and encoded with onnx-proto. `edgegate calibrate
 * --kernels` times each one on the device and fits per-kernel efficiency curves from them
 * (src/cost/kernel-curves.ts), in the spirit of nn-Meter's kernel-level latency prediction.
 *
 * Every micro-model has one kernel in the cost model's view (a QDQ conv is one quantized kernel), float or
 * uint8 graph inputs with fixed shapes, deterministic random weights, and declared output shapes, so the
 * runtime adds nothing but its own layout kernels. The `overhead` family (chains of 1…N tiny Adds) separates
 * the per-inference and per-node costs.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types used by the grid. */
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;

export type KernelFamily =
  | 'conv' | 'depthwise' | 'matmul' | 'rnn' | 'elementwise' | 'pool' | 'resize' | 'softmax' | 'norm' | 'data_movement' | 'quantize' | 'overhead' | 'stream' | 'composite' | 'cold';

/** One micro-model of the grid. */
export interface KernelCase {
  /** Stable id, also the file stem (`conv-k3-float-c32-64-h28-s1`). */
  readonly id: string;
  readonly family: KernelFamily;
  /** The ONNX op the case times. */
  readonly op: string;
  readonly dtype: 'float' | 'int8';
  readonly inputs: readonly { readonly name: string; readonly dims: readonly number[]; readonly elemType: number }[];
  /** The graph's output: one element sliced from the kernel's output (see `finish`). */
  readonly outputs: readonly { readonly name: string; readonly dims: readonly number[]; readonly elemType: number }[];
  /** Shape of the timed kernel's own output. */
  readonly kernelOutput: readonly number[];
  /**
   * Ops in the graph that are context, not the timed kernel: they put the timed op where it runs in a real
   * model (onnxruntime runs a uint8 MaxPool in NHWC only next to a QLinearConv; alone it takes a slow NCHW
   * path).
   */
  readonly context: readonly string[];
  /**
   * The runtime's layout kernels around the timed op (NCHWc reorders) and the views beside it are part of
   * its cost: a channel shuffle between convolutions makes onnxruntime leave and re-enter its blocked layout.
   */
  readonly ownLayout?: boolean;
  /**
   * The case times the layout Transposes onnxruntime wraps a channels-last QLinearConv in (`count` of them,
   * `elements` each), not an ONNX node of its own (src/cost/work.ts, `layoutTransposes`).
   */
  readonly layoutTransposes?: { readonly elements: number; readonly channels: number; readonly count: number };
  /** A cold chain: `count` convolutions with weights of their own; `hotId` is the grid's case of one alone. */
  readonly coldChain?: { readonly count: number; readonly hotId: string };
  /** Nodes in the graph (overhead chains: the chain length). */
  readonly nodes: number;
  /** The encoded model. */
  readonly bytes: Uint8Array;
}

/** `full`: the calibration grid; `small`: a few cases per family for tests and smoke runs. */
export type GridSize = 'full' | 'small';

// ---------------------------------------------------------------------------------------------------
// A minimal graph builder (deterministic weights)
// ---------------------------------------------------------------------------------------------------

type AttrValue = number | readonly number[] | string;

interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly elemType: number;
  readonly raw: Uint8Array;
}

class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly inits: Tensor[] = [];
  readonly inputs: { name: string; dims: number[]; elemType: number }[] = [];
  readonly outputs: { name: string; dims: number[]; elemType: number }[] = [];
  private seed: number;
  private n = 0;

  constructor(seed: number) {
    this.seed = seed >>> 0 || 1;
  }

  private next(): number {
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s >>> 0;
    return (this.seed % 1_000_003) / 1_000_003;
  }

  input(name: string, dims: number[], elemType = FLOAT): string {
    this.inputs.push({ name, dims, elemType });
    return name;
  }

  output(name: string, dims: number[], elemType = FLOAT): void {
    this.outputs.push({ name, dims, elemType });
  }

  /** Float initializer, uniform in ±scale (deterministic). */
  floats(dims: number[], scale = 0.1, name = this.fresh('w')): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (this.next() * 2 - 1) * scale;
    this.inits.push({ name, dims, elemType: FLOAT, raw: new Uint8Array(a.buffer) });
    return name;
  }

  constFloats(dims: number[], values: readonly number[]): string {
    const name = this.fresh('c');
    this.inits.push({ name, dims, elemType: FLOAT, raw: new Uint8Array(Float32Array.from(values).buffer) });
    return name;
  }

  ints(dims: number[], elemType: number, fill: (i: number) => number): string {
    const name = this.fresh('q');
    const n = dims.reduce((a, b) => a * b, 1);
    let raw: Uint8Array;
    if (elemType === INT64) raw = new Uint8Array(BigInt64Array.from({ length: n }, (_, i) => BigInt(fill(i))).buffer);
    else {
      // A plain loop: the cold chains fill 48 MiB, where `TypedArray.from` with a callback took seconds.
      const a = elemType === INT32 ? new Int32Array(n) : elemType === INT8 ? new Int8Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = fill(i);
      raw = new Uint8Array(a.buffer);
    }
    this.inits.push({ name, dims, elemType, raw });
    return name;
  }

  randomInt8(dims: number[]): string {
    return this.ints(dims, INT8, () => Math.floor(this.next() * 255) - 127);
  }

  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh('t'));
    const T = onnx.AttributeProto.AttributeType;
    this.nodes.push({
      name: `${op}_${this.nodes.length}`,
      opType: op,
      domain: '',
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([name, v]) =>
        typeof v === 'string'
          ? { name, type: T.STRING, s: new TextEncoder().encode(v) }
          : typeof v === 'number'
            ? Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v }
            : { name, type: T.INTS, ints: [...v] },
      ),
    });
    return outs;
  }

  /** Renames the last node's first output to `name` (the graph output). */
  nameLast(name: string): void {
    const last = this.nodes[this.nodes.length - 1]!;
    last.output = [name, ...(last.output ?? []).slice(1)];
  }

  encode(): Uint8Array {
    const vi = (v: { name: string; dims: readonly number[]; elemType: number }): onnxProto.onnx.IValueInfoProto => ({
      name: v.name,
      type: { tensorType: { elemType: v.elemType, shape: { dim: v.dims.map((d) => ({ dimValue: d })) } } },
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'edgegate-kernel-grid',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'kernel',
        node: this.nodes,
        input: this.inputs.map(vi),
        output: this.outputs.map(vi),
        initializer: this.inits.map((t) => ({ name: t.name, dims: [...t.dims], dataType: t.elemType, rawData: t.raw })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

// ---------------------------------------------------------------------------------------------------
// Quantization helpers (onnxruntime quantize_static's QDQ layout: u8 activations, per-channel s8 weights)
// ---------------------------------------------------------------------------------------------------

const ACT_SCALE = 0.05;

/** DequantizeLinear of a uint8 activation. */
function dqAct(g: GraphBuilder, x: string, scale = ACT_SCALE): string {
  return g.node('DequantizeLinear', [x, g.constFloats([], [scale]), g.ints([], UINT8, () => 128)])[0]!;
}

/** QuantizeLinear to uint8; returns the quantized tensor. */
function qAct(g: GraphBuilder, x: string): string {
  return g.node('QuantizeLinear', [x, g.constFloats([], [ACT_SCALE]), g.ints([], UINT8, () => 128)])[0]!;
}

/** A per-channel (axis 0) int8 weight and its DequantizeLinear; int32 bias with its DequantizeLinear. */
function dqWeights(g: GraphBuilder, dims: number[], withBias: boolean): { w: string; b?: string } {
  const m = dims[0]!;
  const wq = g.randomInt8(dims);
  const ws = g.constFloats([m], Array.from({ length: m }, () => 0.004));
  const wz = g.ints([m], INT8, () => 0);
  const w = g.node('DequantizeLinear', [wq, ws, wz], { axis: 0 })[0]!;
  if (!withBias) return { w };
  const bq = g.ints([m], INT32, (i) => (i % 17) - 8);
  const bs = g.constFloats([m], Array.from({ length: m }, () => ACT_SCALE * 0.004));
  const bz = g.ints([m], INT32, () => 0);
  return { w, b: g.node('DequantizeLinear', [bq, bs, bz], { axis: 0 })[0]! };
}

// ---------------------------------------------------------------------------------------------------
// Case builders
// ---------------------------------------------------------------------------------------------------

interface Built {
  readonly g: GraphBuilder;
  readonly outDims: number[];
}

/**
 * Ends the graph: the kernel's output goes through a Slice to one element, the graph's only output. A large
 * graph output would cost the measurement what no real model pays: onnxruntime-node allocates every output
 * as a new JS buffer on every run (measured here: ~0.9 ms of CPU per run for a 194 kB conv output, about four
 * times the kernel). The Slice copies one element; it is left out of the fit like the runtime's layout kernels.
 */
function finish(id: string, family: KernelFamily, op: string, dtype: 'float' | 'int8', b: Built, context: readonly string[] = [], ownLayout = false): KernelCase {
  const { g, outDims } = b;
  if (family === 'overhead') {
    g.nameLast('y');
    g.output('y', outDims, FLOAT);
    return { id, family, op, dtype, inputs: g.inputs, outputs: g.outputs, kernelOutput: outDims, context, nodes: g.nodes.length, bytes: g.encode() };
  }
  const declared = g.outputs.splice(0);
  const dims = declared[0]?.dims ?? outDims;
  const elemType = declared[0]?.elemType ?? (dtype === 'int8' && family !== 'quantize' ? UINT8 : FLOAT);
  const last = g.nodes[g.nodes.length - 1]!;
  const y = declared[0]?.name && last.output?.[0] === declared[0].name ? g.fresh('t') : last.output![0]!;
  if (declared[0]) last.output = [y, ...(last.output ?? []).slice(1)];
  const axes = dims.map((_, i) => i);
  const one = dims.map(() => 1);
  g.node('Slice', [y, g.ints([axes.length], INT64, () => 0), g.ints([axes.length], INT64, () => 1), g.ints([axes.length], INT64, (i) => i)]);
  g.nameLast('y');
  g.output('y', one, elemType);
  return { id, family, op, dtype, inputs: g.inputs, outputs: g.outputs, kernelOutput: dims, context, ...(ownLayout ? { ownLayout } : {}), nodes: g.nodes.length, bytes: g.encode() };
}

function seedOf(id: string): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const outSize = (h: number, k: number, s: number, p: number): number => Math.floor((h + 2 * p - k) / s) + 1;

/** Conv (dense or depthwise), float or QDQ int8, with bias; `same` padding unless `pad` says otherwise (0: patch embeddings). */
function convCase(cin: number, cout: number, h: number, k: number, s: number, depthwise: boolean, dtype: 'float' | 'int8', pad = k >> 1): KernelCase {
  const fam: KernelFamily = depthwise ? 'depthwise' : 'conv';
  const id = `${fam}-k${k}-${dtype}-c${cin}-${cout}-h${h}-s${s}`;
  const g = new GraphBuilder(seedOf(id));
  const group = depthwise ? cin : 1;
  const wd = [cout, cin / group, k, k];
  const p = pad;
  const ho = outSize(h, k, s, p);
  const attrs = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], group };
  if (dtype === 'float') {
    const x = g.input('x', [1, cin, h, h]);
    g.node('Conv', [x, g.floats(wd, 0.1), g.floats([cout], 0.01)], attrs);
  } else {
    const x = dqAct(g, g.input('x', [1, cin, h, h], UINT8));
    const { w, b } = dqWeights(g, wd, true);
    const y = g.node('Conv', [x, w, b!], attrs)[0]!;
    void qAct(g, y);
  }
  return finish(id, fam, 'Conv', dtype, { g, outDims: [1, cout, ho, ho] });
}

/** 1-D convolution (Conv1d: audio and sequence front ends) of [1, Cin, L], float, `same` padding. */
function conv1dCase(cin: number, cout: number, len: number, k: number): KernelCase {
  const id = `conv1d-k${k}-float-c${cin}-${cout}-l${len}`;
  const g = new GraphBuilder(seedOf(id));
  const x = g.input('x', [1, cin, len]);
  g.node('Conv', [x, g.floats([cout, cin, k], 0.1), g.floats([cout], 0.01)], { kernel_shape: [k], strides: [1], pads: [k >> 1, k >> 1] });
  return finish(id, 'conv', 'Conv', 'float', { g, outDims: [1, cout, len] });
}

/** Gemm with constant weights (transB = 1, as PyTorch exports Linear), or MatMul of two activations. */
function matmulCase(m: number, k: number, n: number, kind: 'gemm' | 'matmul', dtype: 'float' | 'int8', batch = 1): KernelCase {
  const id = `matmul-${kind}-${dtype}-m${m}-k${k}-n${n}${batch > 1 ? `-b${batch}` : ''}`;
  const g = new GraphBuilder(seedOf(id));
  if (kind === 'gemm') {
    if (dtype === 'float') {
      g.node('Gemm', [g.input('x', [m, k]), g.floats([n, k], 0.05), g.floats([n], 0.01)], { transB: 1 });
    } else {
      const x = dqAct(g, g.input('x', [m, k], UINT8));
      const { w, b } = dqWeights(g, [n, k], true);
      void qAct(g, g.node('Gemm', [x, w, b!], { transB: 1 })[0]!);
    }
    return finish(id, 'matmul', 'Gemm', dtype, { g, outDims: [m, n] });
  }
  const a = g.input('a', [batch, m, k]);
  const bb = g.input('b', [batch, k, n]);
  g.node('MatMul', [a, bb]);
  return finish(id, 'matmul', 'MatMul', dtype, { g, outDims: [batch, m, n] });
}

/** LSTM or GRU over a sequence, batch 1, one direction (PyTorch's export layout). */
function rnnCase(op: 'LSTM' | 'GRU', seq: number, input: number, hidden: number): KernelCase {
  const id = `rnn-${op.toLowerCase()}-float-t${seq}-i${input}-h${hidden}`;
  const g = new GraphBuilder(seedOf(id));
  const gates = op === 'LSTM' ? 4 : 3;
  const x = g.input('x', [seq, 1, input]);
  const w = g.floats([1, gates * hidden, input], 0.1);
  const r = g.floats([1, gates * hidden, hidden], 0.1);
  const b = g.floats([1, 2 * gates * hidden], 0.01);
  g.node(op, [x, w, r, b], { hidden_size: hidden, ...(op === 'GRU' ? { linear_before_reset: 1 } : {}) }, 1);
  return finish(id, 'rnn', op, 'float', { g, outDims: [seq, 1, 1, hidden] });
}

/** Elementwise op on [1, C, H, H]; binary ops take a second activation (same shape, or [1, C, 1, 1]). */
function eltCase(op: string, c: number, h: number, dtype: 'float' | 'int8', broadcast = false): KernelCase {
  const id = `elt-${op.toLowerCase()}${broadcast ? '-bcast' : ''}-${dtype}-c${c}-h${h}`;
  const g = new GraphBuilder(seedOf(id));
  const dims = [1, c, h, h];
  const binary = ['Add', 'Mul', 'Div', 'Sub'].includes(op);
  const elem = dtype === 'int8' ? UINT8 : FLOAT;
  const x = g.input('x', dims, elem);
  const y = binary ? g.input('x2', broadcast ? [1, c, 1, 1] : dims, elem) : undefined;
  const attrs: Record<string, AttrValue> = op === 'HardSigmoid' ? { alpha: 1 / 6, beta: 0.5 } : {};
  if (dtype === 'float') {
    const extra = op === 'Clip' ? [g.constFloats([], [0]), g.constFloats([], [6])] : [];
    g.node(op, [x, ...(y ? [y] : []), ...extra], attrs);
  } else {
    const xf = dqAct(g, x);
    const yf = y ? dqAct(g, y) : undefined;
    void qAct(g, g.node(op, [xf, ...(yf ? [yf] : [])], attrs)[0]!);
  }
  return finish(id, 'elementwise', op, dtype, { g, outDims: dims });
}

/**
 * QuantizeLinear (float → uint8) or DequantizeLinear (uint8 → float) on [1, C, H, H]. A DequantizeLinear
 * feeds a float HardSigmoid (context), as where quantized models leave a unit unfused: right before the
 * output Slice onnxruntime would slice first and dequantize one element.
 */
function quantizeCase(op: 'QuantizeLinear' | 'DequantizeLinear', c: number, h: number): KernelCase {
  const id = `quantize-${op === 'QuantizeLinear' ? 'q' : 'dq'}-int8-c${c}-h${h}`;
  const g = new GraphBuilder(seedOf(id));
  const dims = [1, c, h, h];
  if (op === 'QuantizeLinear') {
    qAct(g, g.input('x', dims));
    g.nameLast('y');
    g.output('y', dims, UINT8);
    return finish(id, 'quantize', op, 'int8', { g, outDims: dims });
  }
  g.node('HardSigmoid', [dqAct(g, g.input('x', dims, UINT8))], { alpha: 1 / 6, beta: 0.5 });
  g.nameLast('y');
  g.output('y', dims, FLOAT);
  return finish(id, 'quantize', op, 'int8', { g, outDims: dims }, ['HardSigmoid']);
}

/** MaxPool / AveragePool (k3 s2 p1 or k2 s2), GlobalAveragePool, ReduceMean over H, W. */
function poolCase(op: string, c: number, h: number, dtype: 'float' | 'int8', k = 3): KernelCase {
  const id = `pool-${op.toLowerCase()}-${dtype}-c${c}-h${h}${op.startsWith('Global') || op === 'ReduceMean' ? '' : `-k${k}`}`;
  const g = new GraphBuilder(seedOf(id));
  const elem = dtype === 'int8' ? UINT8 : FLOAT;
  const x0 = g.input('x', [1, c, h, h], elem);
  // MaxPool behind a 1x1 convolution, where CNNs have it and where onnxruntime runs it in the convolution's
  // layout: uint8 behind a QLinearConv in NHWC (alone it takes a slow NCHW path), float in NCHWc.
  const behindConv = op === 'MaxPool';
  const x =
    dtype === 'int8'
      ? behindConv ? dqAct(g, qAct(g, g.node('Conv', [dqAct(g, x0), dqWeights(g, [c, c, 1, 1], false).w])[0]!)) : dqAct(g, x0)
      : behindConv ? g.node('Conv', [x0, g.floats([c, c, 1, 1], 0.1)])[0]! : x0;
  let outDims: number[];
  if (op === 'GlobalAveragePool') {
    g.node(op, [x]);
    outDims = [1, c, 1, 1];
  } else if (op === 'ReduceMean') {
    g.node(op, [x], { axes: [2, 3], keepdims: 1 });
    outDims = [1, c, 1, 1];
  } else {
    const p = k === 3 ? 1 : 0;
    g.node(op, [x], { kernel_shape: [k, k], strides: [2, 2], pads: [p, p, p, p] });
    const ho = outSize(h, k, 2, p);
    outDims = [1, c, ho, ho];
  }
  if (dtype === 'int8') void qAct(g, g.nodes[g.nodes.length - 1]!.output![0]!);
  return finish(id, 'pool', op, dtype, { g, outDims }, behindConv ? ['Conv'] : []);
}

/** Resize ×2 (nearest or linear) of [1, C, H, H]. */
function resizeCase(mode: 'nearest' | 'linear', c: number, h: number): KernelCase {
  const id = `resize-${mode}-float-c${c}-h${h}`;
  const g = new GraphBuilder(seedOf(id));
  const x = g.input('x', [1, c, h, h]);
  g.node('Resize', [x, '', g.constFloats([4], [1, 1, 2, 2])], { mode });
  return finish(id, 'resize', 'Resize', 'float', { g, outDims: [1, c, 2 * h, 2 * h] });
}

/** Softmax over the last axis of [rows, cols]. */
function softmaxCase(rows: number, cols: number): KernelCase {
  const id = `softmax-float-r${rows}-c${cols}`;
  const g = new GraphBuilder(seedOf(id));
  g.node('Softmax', [g.input('x', [rows, cols])], { axis: -1 });
  return finish(id, 'softmax', 'Softmax', 'float', { g, outDims: [rows, cols] });
}

/** LayerNormalization over the last axis of [1, tokens, dim]. */
function layerNormCase(tokens: number, dim: number): KernelCase {
  const id = `norm-layernorm-float-t${tokens}-d${dim}`;
  const g = new GraphBuilder(seedOf(id));
  const x = g.input('x', [1, tokens, dim]);
  g.node('LayerNormalization', [x, g.floats([dim], 1), g.floats([dim], 0.1)], { axis: -1, epsilon: 1e-5 });
  return finish(id, 'norm', 'LayerNormalization', 'float', { g, outDims: [1, tokens, dim] });
}

/**
 * Concat of two [1, C, H, H] along channels. int8 as quantize_static writes it, DQ → Concat → Q with a scale
 * per tensor, which onnxruntime runs as QLinearConcat (requantizing each input); a plain uint8 Concat of the
 * same bytes would time a copy.
 */
function concatCase(c: number, h: number, dtype: 'float' | 'int8'): KernelCase {
  const id = `move-concat-${dtype}-c${c}-h${h}`;
  const g = new GraphBuilder(seedOf(id));
  if (dtype === 'int8') {
    const a = dqAct(g, g.input('a', [1, c, h, h], UINT8), ACT_SCALE);
    const b = dqAct(g, g.input('b', [1, c, h, h], UINT8), ACT_SCALE * 1.5);
    void qAct(g, g.node('Concat', [a, b], { axis: 1 })[0]!);
    return finish(id, 'data_movement', 'Concat', dtype, { g, outDims: [1, 2 * c, h, h] });
  }
  g.node('Concat', [g.input('a', [1, c, h, h]), g.input('b', [1, c, h, h])], { axis: 1 });
  g.nameLast('y');
  g.output('y', [1, 2 * c, h, h], FLOAT);
  return finish(id, 'data_movement', 'Concat', dtype, { g, outDims: [1, 2 * c, h, h] });
}

const int64s = (g: GraphBuilder, values: readonly number[]): string => g.ints([values.length], INT64, (i) => values[i]!);

/**
 * A Transpose where models have one, so that onnxruntime keeps it (its transpose optimizer pushes a lone
 * Transpose through the grid's output Slice, which then times nothing):
 * - `shuffle`: ShuffleNet's channel shuffle between two 1×1 convolutions, Reshape [1, 2, C/2, H, W] →
 *   Transpose (0, 2, 1, 3, 4) → Reshape back; the NCHWc reorders the runtime adds around it are its cost;
 * - `heads`: a transformer's head split, [1, T, D] → [1, T, H, D/H] → Transpose (0, 2, 1, 3) → [H, T·D/H];
 * - `seq`: an RNN's batch-first to time-first swap, [1, T, D] → Transpose (1, 0, 2) → [T, D];
 * - `qkv`: a torch.export (dynamo) attention's query/key/value split, [1, T, 3D] → [1, T, 1, 3, D] →
 *   Transpose (3, 1, 2, 0, 4) → [3, T·D]: a 5-D transpose that the 3- and 4-D cases extrapolated to 9 µs for
 *   96 kB where onnxruntime took ~1.3 µs (tiny_vit_dynamo's two).
 */
function transposeCase(kind: 'shuffle' | 'heads' | 'seq' | 'qkv', a: number, b: number, heads = 1): KernelCase {
  const id = `move-transpose-${kind}-float-${kind === 'shuffle' ? `c${a}-h${b}` : `t${a}-d${b}${kind === 'heads' ? `-x${heads}` : ''}`}`;
  const g = new GraphBuilder(seedOf(id));
  if (kind === 'shuffle') {
    const conv = (x: string): string => g.node('Conv', [x, g.floats([a, a, 1, 1], 0.1), g.floats([a], 0.01)], { kernel_shape: [1, 1] })[0]!;
    let x = conv(g.input('x', [1, a, b, b]));
    x = g.node('Reshape', [x, int64s(g, [1, 2, a / 2, b, b])])[0]!;
    x = g.node('Transpose', [x], { perm: [0, 2, 1, 3, 4] })[0]!;
    x = g.node('Reshape', [x, int64s(g, [1, a, b, b])])[0]!;
    conv(x);
    return finish(id, 'data_movement', 'Transpose', 'float', { g, outDims: [1, a, b, b] }, ['Conv'], true);
  }
  if (kind === 'qkv') {
    let q = g.input('x', [1, a, 3 * b]);
    q = g.node('Reshape', [q, int64s(g, [1, a, 1, 3, b])])[0]!;
    q = g.node('Transpose', [q], { perm: [3, 1, 2, 0, 4] })[0]!;
    g.node('Reshape', [q, int64s(g, [3, a * b])]);
    return finish(id, 'data_movement', 'Transpose', 'float', { g, outDims: [3, a * b] });
  }
  let x = g.input('x', [1, a, b]);
  if (kind === 'heads') {
    x = g.node('Reshape', [x, int64s(g, [1, a, heads, b / heads])])[0]!;
    x = g.node('Transpose', [x], { perm: [0, 2, 1, 3] })[0]!;
    g.node('Reshape', [x, int64s(g, [heads, (a * b) / heads])]);
    return finish(id, 'data_movement', 'Transpose', 'float', { g, outDims: [heads, (a * b) / heads] });
  }
  x = g.node('Transpose', [x], { perm: [1, 0, 2] })[0]!;
  g.node('Reshape', [x, int64s(g, [a, b])]);
  return finish(id, 'data_movement', 'Transpose', 'float', { g, outDims: [a, b] });
}

/**
 * The NCHW → NHWC and NHWC → NCHW Transposes around a channels-last int8 region: a uint8 QDQ 1×1 Conv C → C
 * of an H×H map, which onnxruntime runs as a channels-last QLinearConv between two Transposes of C·H·H
 * elements each; the Conv is context. A Flatten ends the region as a real model's classifier does: the
 * transpose optimizer would otherwise push the output Transpose through the grid's one-element Slice and
 * time nothing. A real model pays these where its int8 region meets its input, its float ops and its
 * classifier (src/cost/work.ts).
 */
function layoutCase(c: number, h: number): KernelCase {
  const id = `move-layout-int8-c${c}-h${h}`;
  const g = new GraphBuilder(seedOf(id));
  const x = dqAct(g, g.input('x', [1, c, h, h], UINT8));
  const { w, b } = dqWeights(g, [c, c, 1, 1], true);
  const y = qAct(g, g.node('Conv', [x, w, b!], { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1 })[0]!);
  g.node('Flatten', [y], { axis: 1 });
  const built = finish(id, 'data_movement', 'Transpose', 'int8', { g, outDims: [1, c * h * h] }, ['Conv', 'Flatten']);
  return { ...built, layoutTransposes: { elements: c * h * h, channels: c, count: 2 } };
}

/** Gather of one step along axis 1 of [1, T, D] (an RNN classifier taking its last output). */
function gatherCase(t: number, d: number): KernelCase {
  const id = `move-gather-float-t${t}-d${d}`;
  const g = new GraphBuilder(seedOf(id));
  g.node('Gather', [g.input('x', [1, t, d]), g.ints([], INT64, () => t - 1)], { axis: 1 });
  return finish(id, 'data_movement', 'Gather', 'float', { g, outDims: [1, d] });
}

/**
 * The speed sentinel (src/cost/quiet.ts): a grid case whose operands stay in the core's caches, ~0.1 ms on a
 * 2-vCPU EPYC VM, so a few runs of it say whether another tenant is slowing this core right now.
 */
export function sentinelCase(): KernelCase {
  return convCase(32, 32, 28, 3, 1, false, 'float');
}

/**
 * A GEMV whose 64 MiB of weights no cache holds: its time is the rate weights stream from DRAM, which a real
 * model pays for weights that the caches do not keep between layers (the other cases run with hot caches).
 */
function streamCase(): KernelCase {
  const c = matmulCase(1, 4096, 4096, 'gemm', 'float');
  return { ...c, id: 'stream-gemm-float-m1-k4096-n4096', family: 'stream' };
}

/**
 * Small generated networks (timed whole, never a curve point): a check of the curves on kernels in context
 * (weights and inputs partly cold, fused activations). Their measured and estimated times are recorded in
 * `calibration.models` and count in the residual σ; they set no correction (src/cost/calibrate.ts).
 */
function compositeCase(kind: 'inverted-residual' | 'conv3x3' | 'se-hardswish'): KernelCase {
  const id = `composite-${kind}-float`;
  const g = new GraphBuilder(seedOf(id));
  const conv = (x: string, cin: number, cout: number, k: number, s: number, group = 1): string =>
    g.node('Conv', [x, g.floats([cout, cin / group, k, k], 0.1), g.floats([cout], 0.01)], { kernel_shape: [k, k], strides: [s, s], pads: [k >> 1, k >> 1, k >> 1, k >> 1], group })[0]!;
  const relu = (x: string): string => g.node('Relu', [x])[0]!;
  let x = g.input('x', [1, 3, 112, 112]);
  let c = 16;
  let h = 56;
  x = relu(conv(x, 3, c, 3, 2));
  if (kind === 'conv3x3') {
    for (const [co, s] of [[16, 1], [32, 2], [32, 1], [64, 2], [64, 1], [128, 2], [128, 1]] as const) {
      const y = relu(conv(relu(conv(x, c, co, 3, s)), co, co, 3, 1));
      x = s === 1 && co === c ? g.node('Add', [x, y])[0]! : y;
      c = co;
      h = s === 2 ? Math.ceil(h / 2) : h;
    }
  } else {
    for (const [co, s] of [[16, 1], [24, 2], [24, 1], [40, 2], [40, 1], [80, 2], [80, 1], [112, 1]] as const) {
      const e = c * 4;
      let y = conv(x, c, e, 1, 1);
      y = kind === 'se-hardswish' ? g.node('HardSwish', [y])[0]! : relu(y);
      y = conv(y, e, e, kind === 'se-hardswish' ? 5 : 3, s, e);
      y = kind === 'se-hardswish' ? g.node('HardSwish', [y])[0]! : relu(y);
      if (kind === 'se-hardswish') {
        const sq = relu(conv(g.node('GlobalAveragePool', [y])[0]!, e, e / 4, 1, 1));
        y = g.node('Mul', [y, g.node('HardSigmoid', [conv(sq, e / 4, e, 1, 1)], { alpha: 1 / 6, beta: 0.5 })[0]!])[0]!;
      }
      y = conv(y, e, co, 1, 1);
      x = s === 1 && co === c ? g.node('Add', [x, y])[0]! : y;
      c = co;
      h = s === 2 ? Math.ceil(h / 2) : h;
    }
  }
  const pooled = g.node('GlobalAveragePool', [x])[0]!;
  g.node('Flatten', [pooled]);
  const flat = g.nodes[g.nodes.length - 1]!.output![0]!;
  g.node('Gemm', [flat, g.floats([100, c], 0.05), g.floats([100], 0.01)], { transB: 1 });
  void h;
  g.nameLast('y');
  g.output('y', [1, 100]);
  return { id, family: 'composite', op: 'model', dtype: 'float', inputs: g.inputs, outputs: g.outputs, kernelOutput: [1, 100], context: [], nodes: g.nodes.length, bytes: g.encode() };
}

/** Bytes of weights a cold chain holds in all: more than the shared cache of the devices EdgeGate targets. */
export const COLD_CHAIN_WEIGHT_BYTES = 48 * 2 ** 20;

/**
 * A chain of 1×1 convolutions C→C on a [1, C, H, H] map, each with weights of its own, 48 MiB in all: no
 * cache keeps a convolution's weights until the next run, so each comes back from DRAM as in a real model
 * whose weights outgrow the core's cache. The same convolution alone (`hotId`, a grid case) keeps them hot;
 * the difference per convolution is the part of the weights' DRAM stream the kernel does not hide behind
 * its arithmetic (src/cost/kernel-curves.ts, `fitColdWeightStall`).
 */
function coldChainCase(c: number, h: number, dtype: 'float' | 'int8', hotId: string): KernelCase {
  const n = Math.ceil(COLD_CHAIN_WEIGHT_BYTES / ((dtype === 'float' ? 4 : 1) * c * c));
  const id = `cold-conv-k1-${dtype}-c${c}-h${h}-n${n}`;
  const g = new GraphBuilder(seedOf(id));
  const attrs = { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0] };
  if (dtype === 'float') {
    let x = g.input('x', [1, c, h, h]);
    for (let i = 0; i < n; i++) x = g.node('Conv', [x, g.floats([c, c, 1, 1], 0.05), g.floats([c], 0.01)], attrs)[0]!;
  } else {
    let x = g.input('x', [1, c, h, h], UINT8);
    for (let i = 0; i < n; i++) {
      const { w, b } = dqWeights(g, [c, c, 1, 1], true);
      x = qAct(g, g.node('Conv', [dqAct(g, x), w, b!], attrs)[0]!);
    }
  }
  return { ...finish(id, 'cold', 'Conv', dtype, { g, outDims: [1, c, h, h] }), coldChain: { count: n, hotId } };
}

/**
 * [C, dtype] of the cold chains, on 7×7 maps (CNN stage ends): weights of 64 KiB to 4 MiB per convolution in
 * fp32 and in int8 QDQ (onnxruntime's QLinearConv pays more per kernel: 16 KiB of int8 weights took 8 µs
 * alone and 15 µs in a chain on the reference host). 11–25 ms a run.
 */
const COLD: readonly (readonly [number, 'float' | 'int8'])[] = [
  [128, 'float'], [256, 'float'], [512, 'float'], [1024, 'float'],
  [256, 'int8'], [512, 'int8'], [1024, 'int8'], [2048, 'int8'],
];

/** A chain of `n` Adds of a constant on an 8-element tensor: per-inference + n × per-node cost. */
function overheadCase(n: number): KernelCase {
  const id = `overhead-chain-float-n${n}`;
  const g = new GraphBuilder(seedOf(id));
  let x = g.input('x', [1, 8]);
  for (let i = 0; i < n; i++) x = g.node('Add', [x, g.floats([1, 8], 0.01)])[0]!;
  return finish(id, 'overhead', 'Add', 'float', { g, outDims: [1, 8] });
}

// ---------------------------------------------------------------------------------------------------
// The grid
// ---------------------------------------------------------------------------------------------------

/** [cin, cout, input H, stride] of 1×1 convolutions (MobileNet/MnasNet/SqueezeNet/ShuffleNet shapes). */
const CONV1: readonly (readonly [number, number, number, number])[] = [
  [16, 16, 112, 1], [16, 96, 112, 1], [24, 72, 56, 1], [72, 24, 56, 1], [96, 16, 55, 1], [40, 120, 28, 1], [120, 40, 28, 1],
  [64, 256, 28, 1], [80, 480, 14, 1], [480, 112, 14, 1], [256, 32, 13, 1], [160, 960, 7, 1], [960, 160, 7, 1], [512, 1000, 13, 1],
  [3, 8, 64, 1], [8, 8, 16, 1],
];
/** [cin, cout] of squeeze-excite FCs written as 1×1 convolutions of a 1×1 map (MobileNetV3, EfficientNet, MnasNet-A1). */
const CONV_SE: readonly (readonly [number, number])[] = [[72, 24], [24, 72], [120, 32], [32, 120], [480, 120], [120, 480], [960, 240], [240, 960]];
/** [cin, cout, input H, stride, k] of dense k×k convolutions. */
const CONVK: readonly (readonly [number, number, number, number, number])[] = [
  [3, 16, 224, 2, 3], [3, 96, 224, 2, 7], [3, 24, 224, 2, 3], [16, 64, 55, 1, 3], [32, 128, 27, 1, 3], [64, 256, 13, 1, 3],
  [16, 16, 56, 1, 3], [32, 32, 28, 1, 3], [64, 64, 14, 1, 3], [128, 128, 7, 1, 3], [32, 64, 28, 2, 3], [8, 8, 16, 1, 3],
  [128, 256, 8, 2, 3], [256, 256, 4, 1, 3], [256, 512, 4, 2, 3], [512, 512, 2, 1, 3],
];
/** [cin, cout, input H, patch] of ViT patch embeddings: k × k convolutions with stride k. */
const PATCH: readonly (readonly [number, number, number, number])[] = [[3, 48, 32, 4], [3, 64, 64, 8], [3, 96, 224, 4], [3, 192, 224, 16]];
/** [channels, input H, stride, k] of depthwise convolutions. */
const DW: readonly (readonly [number, number, number, number])[] = [
  [16, 112, 1, 3], [32, 112, 1, 3], [64, 112, 2, 3], [72, 56, 1, 3], [144, 56, 2, 5], [120, 28, 1, 5], [240, 28, 2, 3],
  [480, 14, 1, 3], [672, 14, 1, 5], [960, 7, 1, 5], [24, 28, 1, 3], [8, 16, 1, 3],
];

/** [rows, reduction, columns] of Gemms with constant weights: classifier GEMVs (large to tiny heads), token MLPs. */
const GEMM: readonly (readonly [number, number, number])[] = [
  [1, 1280, 1000], [1, 960, 1280], [1, 576, 1024], [1, 1024, 1000], [1, 256, 32], [1, 128, 10], [1, 48, 16], [1, 32, 8],
  [16, 128, 128], [64, 64, 64], [64, 64, 256], [64, 256, 64], [64, 128, 256], [49, 192, 192], [196, 192, 576], [256, 128, 128],
];
/**
 * [C, H] of elementwise cases on [1, C, H, H]: CNN activations (47k-225k elements) and the 1k-8k-element
 * tensors of transformer blocks and heads. Without the small ones the fit extrapolated a fixed cost of
 * 5-9 us per Add, Mul or Sigmoid from the large ones, and a tiny ViT's ~100 elementwise nodes came out 50 %
 * over its measured time.
 */
const ELT_SHAPES = [[16, 112], [72, 56], [240, 14], [960, 7], [32, 16], [64, 4]] as const;

/** [steps, input, hidden] of LSTM/GRU: keyword-spotting and sequence-classifier sizes, down to 16 hidden units. */
const RNN: readonly (readonly [number, number, number])[] = [
  [30, 16, 64], [30, 16, 128], [50, 20, 64], [25, 64, 128], [10, 32, 32],
  [20, 16, 16], [20, 16, 32], [20, 32, 32], [20, 32, 64], [40, 16, 16], [40, 16, 32], [40, 32, 32], [40, 32, 64],
];

/** The micro-models of a grid size (deterministic: the same bytes every time). */
export function kernelGrid(size: GridSize = 'full'): KernelCase[] {
  if (size === 'small') {
    // One case per variant, each long enough (tens of µs) for the profile to resolve it on a fast host: a
    // case within twice the profiler's cost per event makes no curve (src/cost/kernel-curves.ts).
    return [
      convCase(32, 64, 28, 1, 1, false, 'float'),
      convCase(16, 32, 28, 3, 1, false, 'float'),
      convCase(64, 64, 56, 3, 1, true, 'float'),
      convCase(32, 64, 28, 1, 1, false, 'int8'),
      matmulCase(1, 1024, 512, 'gemm', 'float'),
      rnnCase('LSTM', 10, 16, 32),
      eltCase('Add', 16, 112, 'float'),
      eltCase('Sigmoid', 16, 112, 'float'),
      poolCase('MaxPool', 32, 56, 'float'),
      poolCase('MaxPool', 32, 56, 'int8'),
      transposeCase('shuffle', 116, 28),
      softmaxCase(64, 256),
      overheadCase(1),
      overheadCase(8),
      overheadCase(32),
      streamCase(),
    ];
  }
  const cases: KernelCase[] = [];
  for (const dtype of ['float', 'int8'] as const) {
    for (const [ci, co, h, s] of CONV1) cases.push(convCase(ci, co, h, 1, s, false, dtype));
    for (const [ci, co] of CONV_SE) cases.push(convCase(ci, co, 1, 1, 1, false, dtype));
    for (const [ci, co, h, s, k] of CONVK) cases.push(convCase(ci, co, h, k, s, false, dtype));
    for (const [ci, co, h, k] of PATCH) cases.push(convCase(ci, co, h, k, k, false, dtype, 0));
    for (const [c, h, s, k] of DW) cases.push(convCase(c, c, h, k, s, true, dtype));
    for (const [m, k, n] of GEMM) cases.push(matmulCase(m, k, n, 'gemm', dtype));
    for (const [c, h] of ELT_SHAPES) {
      cases.push(eltCase('Add', c, h, dtype));
      cases.push(eltCase('Mul', c, h, dtype));
      cases.push(eltCase('Mul', c, h, dtype, true));
    }
    for (const [c, h] of [[24, 112], [64, 55], [96, 109], [96, 27], [256, 27], [960, 7]] as const) cases.push(poolCase('MaxPool', c, h, dtype));
    for (const [c, h] of [[64, 55], [96, 27], [960, 7]] as const) cases.push(poolCase('GlobalAveragePool', c, h, dtype));
    for (const [c, h] of [[16, 56], [48, 28], [64, 55], [128, 27], [232, 7]] as const) cases.push(concatCase(c, h, dtype));
  }
  for (const [ci, co, len, k] of [[16, 32, 64, 3], [32, 32, 64, 3], [20, 32, 100, 3], [32, 64, 128, 5], [64, 64, 32, 3], [64, 128, 256, 3]] as const) cases.push(conv1dCase(ci, co, len, k));
  for (const [b, m, k, n] of [[4, 16, 16, 16], [4, 16, 32, 16], [4, 64, 32, 64], [8, 49, 32, 49]] as const) cases.push(matmulCase(m, k, n, 'matmul', 'float', b));
  for (const [t, i, h] of RNN) {
    cases.push(rnnCase('LSTM', t, i, h));
    cases.push(rnnCase('GRU', t, i, h));
  }
  for (const op of ['Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Clip', 'Tanh', 'Erf', 'Div']) {
    for (const [c, h] of ELT_SHAPES) cases.push(eltCase(op, c, h, 'float'));
  }
  for (const [c, h] of [[16, 112], [240, 14], [960, 7]] as const) {
    cases.push(quantizeCase('QuantizeLinear', c, h));
    cases.push(quantizeCase('DequantizeLinear', c, h));
  }
  for (const [c, h] of [[40, 28], [960, 7], [64, 56]] as const) cases.push(poolCase('ReduceMean', c, h, 'float'));
  for (const [c, h] of [[16, 56], [64, 28], [128, 14]] as const) {
    cases.push(resizeCase('nearest', c, h));
    cases.push(resizeCase('linear', c, h));
  }
  for (const [r, c] of [[16, 16], [64, 64], [196, 196], [256, 1000]] as const) cases.push(softmaxCase(r, c));
  for (const [t, d] of [[16, 64], [49, 192], [196, 384], [64, 128]] as const) cases.push(layerNormCase(t, d));
  for (const [c, h] of [[48, 28], [116, 28], [96, 14], [232, 14], [192, 7], [464, 7]] as const) cases.push(transposeCase('shuffle', c, h));
  for (const [t, d, x] of [[16, 64, 2], [49, 192, 6], [196, 384, 6], [64, 128, 4]] as const) cases.push(transposeCase('heads', t, d, x));
  for (const [t, d] of [[16, 64], [64, 64], [196, 192]] as const) cases.push(transposeCase('qkv', t, d));
  for (const [t, d] of [[20, 16], [40, 32], [100, 64], [25, 128]] as const) {
    cases.push(transposeCase('seq', t, d));
    cases.push(gatherCase(t, d));
  }
  // Layout Transposes of int8 regions: the 3-channel model input, then maps of MobileNet/MnasNet stages.
  for (const [c, h] of [[3, 224], [16, 112], [32, 112], [24, 56], [72, 56], [40, 28], [120, 28], [80, 14], [480, 14], [192, 7], [1152, 7]] as const) cases.push(layoutCase(c, h));
  for (const n of [1, 16, 64, 128]) cases.push(overheadCase(n));
  cases.push(streamCase());
  for (const [c, dtype] of COLD) {
    const alone = convCase(c, c, 7, 1, 1, false, dtype);
    if (!cases.some((x) => x.id === alone.id)) cases.push(alone);
    cases.push(coldChainCase(c, 7, dtype, alone.id));
  }
  for (const kind of ['inverted-residual', 'conv3x3', 'se-hardswish'] as const) cases.push(compositeCase(kind));
  return cases;
}
