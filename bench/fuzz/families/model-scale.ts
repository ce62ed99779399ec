/**
 * Large synthetic models: what costs time and memory per node, per tensor or per name. Long chains of
 * Relu or of real Conv/Add blocks (up to 100,000 nodes, the issue's headline case), wide fan-outs into one
 * Concat, up to 100,000 small initializers, very long names, each optionally with one structural twist at a
 * random place (a cycle, a dangling input, a duplicate producer, a wrong-typed attribute). These cases take
 * seconds where the other model families take milliseconds, so the family has a small weight in the model
 * group (bench/fuzz.ts splits a group's cases by weight).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type onnxProtoNs from 'onnx-proto';
import type { FuzzFamily, Rng } from '../types.js';
import { checkCase, onnx, valueInfo } from './model-common.js';

type Node = onnxProtoNs.onnx.INodeProto;
type Tensor = onnxProtoNs.onnx.ITensorProto;
const AT = onnx.AttributeProto.AttributeType;

/** Node counts: mostly a few thousand, sometimes the 100,000 the memory target names. */
const SIZES = [1000, 2000, 5000, 5000, 20_000, 20_000, 60_000, 100_000];

interface Built {
  readonly nodes: Node[];
  readonly initializer: Tensor[];
  readonly input: onnxProtoNs.onnx.IValueInfoProto[];
  readonly output: string;
  readonly note: string;
}

function reluChain(n: number, nameBytes: number): Built {
  const pad = 'n'.repeat(nameBytes);
  const t = (i: number): string => (i < 0 ? 'x' : i === n - 1 ? 'y' : `${pad}${i}`);
  const nodes = Array.from({ length: n }, (_, i): Node => ({ opType: 'Relu', input: [t(i - 1)], output: [t(i)], name: `r${i}` }));
  return { nodes, initializer: [], input: [valueInfo('x', [1, 16])], output: 'y', note: `${n}-node Relu chain${nameBytes > 0 ? ` with ${nameBytes}-byte names` : ''}` };
}

/** Conv 1x1 + Add + Relu blocks sharing one weight: op mix that exercises placement and cost rules. */
function convChain(n: number): Built {
  const blocks = Math.max(1, Math.floor(n / 3));
  const nodes: Node[] = [];
  let prev = 'x';
  for (let b = 0; b < blocks; b++) {
    const last = b === blocks - 1;
    nodes.push({ opType: 'Conv', input: [prev, 'w', 'bias'], output: [`c${b}`], name: `conv${b}`, attribute: [{ name: 'kernel_shape', type: AT.INTS, ints: [1, 1] }] });
    nodes.push({ opType: 'Add', input: [`c${b}`, prev], output: [`a${b}`], name: `add${b}` });
    nodes.push({ opType: 'Relu', input: [`a${b}`], output: [last ? 'y' : `r${b}`], name: `relu${b}` });
    prev = `r${b}`;
  }
  const initializer: Tensor[] = [
    { name: 'w', dims: [8, 8, 1, 1], dataType: 1, rawData: new Uint8Array(8 * 8 * 4) },
    { name: 'bias', dims: [8], dataType: 1, rawData: new Uint8Array(8 * 4) },
  ];
  return { nodes, initializer, input: [valueInfo('x', [1, 8, 8, 8])], output: 'y', note: `${blocks} Conv/Add/Relu blocks` };
}

/** One input into n parallel Relus, joined by one Concat with n inputs. */
function fanOut(n: number): Built {
  const nodes: Node[] = Array.from({ length: n }, (_, i): Node => ({ opType: 'Relu', input: ['x'], output: [`f${i}`], name: `f${i}` }));
  nodes.push({ opType: 'Concat', input: nodes.map((x) => x.output![0]!), output: ['y'], name: 'cat', attribute: [{ name: 'axis', type: AT.INT, i: 1 }] });
  return { nodes, initializer: [], input: [valueInfo('x', [1, 4])], output: 'y', note: `fan-out of ${n} into one Concat` };
}

/** n small initializers, each added in a chain. */
function manyInitializers(n: number): Built {
  const nodes: Node[] = [];
  const initializer: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    initializer.push({ name: `k${i}`, dims: [1, 4], dataType: 1, floatData: [i, 1, 2, 3] });
    nodes.push({ opType: 'Add', input: [i === 0 ? 'x' : `s${i - 1}`, `k${i}`], output: [i === n - 1 ? 'y' : `s${i}`], name: `add${i}` });
  }
  return { nodes, initializer, input: [valueInfo('x', [1, 4])], output: 'y', note: `${n} initializers added in a chain` };
}

/** One structural defect at a random node of a large graph. */
function twist(rng: Rng, b: Built): string {
  const nodes = b.nodes;
  const at = rng.int(nodes.length);
  switch (rng.int(6)) {
    case 0: {
      const later = nodes[rng.range(at, nodes.length - 1)]!.output![0]!;
      nodes[at]!.input = [...(nodes[at]!.input ?? []), later];
      return `; cycle: node ${at} reads a later output`;
    }
    case 1:
      nodes[at]!.input = [...(nodes[at]!.input ?? []), 'dangling'];
      return `; dangling input at node ${at}`;
    case 2:
      nodes[at]!.output = [nodes[rng.int(nodes.length)]!.output![0]!];
      return `; node ${at} produces another node's output`;
    case 3:
      nodes[at]!.attribute = [...(nodes[at]!.attribute ?? []), { name: rng.pick(['kernel_shape', 'axis', 'strides']), type: rng.pick([AT.STRING, AT.FLOAT, AT.GRAPH]), s: Buffer.from('x'), f: 1.5, g: { name: 'g' } }];
      return `; wrong-typed attribute at node ${at}`;
    case 4:
      nodes[at]!.opType = rng.pick(['NoSuchOp', 'Conv', 'LSTM', '']);
      return `; node ${at} retyped as '${nodes[at]!.opType}'`;
    default:
      return '';
  }
}

export const modelScale: FuzzFamily = {
  name: 'model-scale',
  group: 'model',
  weight: 0.05,
  make(rng, dir, index) {
    const n = rng.pick(SIZES);
    const kind = rng.int(5);
    const built = kind === 0 ? reluChain(n, n <= 5000 && rng.chance(0.3) ? rng.pick([200, 2000]) : 0) : kind === 1 ? convChain(n) : kind === 2 ? fanOut(n) : kind === 3 ? manyInitializers(n) : reluChain(n, 0);
    const note = built.note + (rng.chance(0.5) ? twist(rng, built) : '');
    const model: onnxProtoNs.onnx.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'scale', node: built.nodes, initializer: built.initializer, input: built.input, output: [{ name: built.output }] },
    };
    writeFileSync(join(dir, 'm.onnx'), onnx.ModelProto.encode(model).finish());
    return checkCase(rng, dir, 'model-scale', index, note);
  },
};
