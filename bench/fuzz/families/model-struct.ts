/**
 * Structural mutations: the model is decoded, edited as a message and re-encoded. Dims, dtypes, dangling
 * inputs, cycles, opsets, attributes of the wrong type, external-data tricks, deep subgraphs, huge ranks,
 * short node chains (bench/fuzz/families/model-scale.ts has the long ones).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type onnxProtoNs from 'onnx-proto';
import type { FuzzFamily, Rng } from '../types.js';
import { baseModels, checkCase, EDGE_INTS, onnx, valueInfo as vi, type ModelProto } from './model-common.js';

type Graph = onnxProtoNs.onnx.IGraphProto;
type Node = onnxProtoNs.onnx.INodeProto;
type Attribute = onnxProtoNs.onnx.IAttributeProto;

const AT = onnx.AttributeProto.AttributeType;

function decodeBase(rng: Rng): { name: string; model: ModelProto } {
  const base = rng.pick(baseModels());
  return { name: base.name, model: onnx.ModelProto.decode(base.bytes) };
}

function nodesOf(g: Graph): Node[] {
  return (g.node ??= []);
}

type Edit = (rng: Rng, m: ModelProto, dir: string) => string;

function wrongAttribute(rng: Rng): Attribute {
  const kind = rng.int(9);
  const name = 'x';
  switch (kind) {
    case 0: return { name, type: AT.FLOAT, f: rng.pick([NaN, Infinity, -1.5, 1e30]) };
    case 1: return { name, type: AT.INT, i: rng.pick(EDGE_INTS) };
    case 2: return { name, type: AT.STRING, s: Buffer.from(rng.pick(['', 'SAME_UPPER', 'x'.repeat(300), '\u0000'])) };
    case 3: return { name, type: AT.INTS, ints: Array.from({ length: rng.range(0, 9) }, () => rng.pick(EDGE_INTS)) };
    case 4: return { name, type: AT.FLOATS, floats: [NaN, 1.5, -2] };
    case 5: return { name, type: AT.STRINGS, strings: [Buffer.from('a')] };
    case 6: return { name, type: AT.TENSOR, t: { dims: [rng.pick(EDGE_INTS)], dataType: rng.range(0, 30) } };
    case 7: return { name, type: AT.GRAPH, g: { name: 'g', node: [] } };
    default: return { name, type: rng.range(0, 40) }; // a type code with no value at all
  }
}

const ATTR_NAMES = ['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad', 'output_shape', 'output_padding', 'hidden_size', 'activations', 'direction', 'axis', 'axes', 'perm', 'to', 'value', 'split', 'num_outputs', 'body', 'then_branch', 'num_scan_inputs', 'scan_input_axes', 'blocksize', 'transA', 'keepdims', 'mode', 'repeats', 'starts', 'ends', 'sizes', 'scales', 'k', 'layout', 'equation', 'batch_dims', 'allowzero'];

function fifo(path: string): boolean {
  return spawnSync('mkfifo', [path]).status === 0;
}

/** External-data tricks on one initializer (the first that has raw data, or a new one). */
function externalTrick(rng: Rng, m: ModelProto, dir: string): string {
  const g = m.graph!;
  const inits = (g.initializer ??= []);
  let t = inits.find((x) => x.rawData && x.rawData.length > 0);
  if (t === undefined) {
    t = { name: 'ext_w', dims: [4], dataType: 1, rawData: new Uint8Array(16) };
    inits.push(t);
  }
  const bytes = t.rawData!;
  delete t.rawData;
  t.dataLocation = 1;
  const trick = rng.int(14);
  let location = 'w.bin';
  // A second external-data edit in the same case starts from a clean folder entry.
  rmSync(join(dir, location), { recursive: true, force: true });
  rmSync(join(dir, 'sub'), { recursive: true, force: true });
  const entries = (extra: Record<string, string>): void => {
    t!.externalData = [{ key: 'location', value: location }, ...Object.entries(extra).map(([key, value]) => ({ key, value }))];
  };
  switch (trick) {
    case 0:
      if (!fifo(join(dir, location))) writeFileSync(join(dir, location), bytes);
      entries({});
      return 'external data is a named pipe';
    case 1:
      mkdirSync(join(dir, location));
      entries({});
      return 'external data is a directory';
    case 2:
      symlinkSync('/dev/zero', join(dir, location));
      entries({ length: String(rng.pick([0, 16, 2 ** 31, 2 ** 40])) });
      return 'external data is a symlink to /dev/zero';
    case 3:
      symlinkSync('/dev/urandom', join(dir, location));
      entries({});
      return 'external data is a symlink to /dev/urandom';
    case 4:
      location = rng.pick(['/dev/zero', '/etc/passwd', '../../../../etc/passwd', 'C:\\x.bin', '\\\\host\\share', '']);
      entries({});
      return `external location '${location}'`;
    case 5:
      writeFileSync(join(dir, location), bytes);
      entries({ offset: String(rng.pick(EDGE_INTS)), length: String(rng.pick(EDGE_INTS)) });
      return 'external offset/length edge values';
    case 6:
      writeFileSync(join(dir, location), bytes.subarray(0, Math.floor(bytes.length / 2)));
      entries({});
      return 'external file shorter than the tensor';
    case 7:
      writeFileSync(join(dir, location), Buffer.concat([bytes, Buffer.alloc(64)]));
      entries({ length: String(bytes.length + 64) });
      return 'external length longer than the tensor';
    case 8:
      entries({});
      return 'external file missing';
    case 9:
      mkdirSync(join(dir, 'sub'));
      symlinkSync('..', join(dir, 'sub', 'up'));
      location = 'sub/up/good.onnx';
      entries({});
      return 'external location through a symlink to the parent folder';
    case 10:
      writeFileSync(join(dir, location), bytes);
      entries({ offset: rng.pick(['abc', '-0', '1e3', '0x10', ' 4', 'NaN', 'Infinity']), length: '4' });
      return 'external offset not a number';
    case 11:
      writeFileSync(join(dir, location), bytes);
      t.dims = [rng.pick(EDGE_INTS), 4];
      entries({});
      return `external tensor with dims [${t.dims.join(',')}]`;
    case 12:
      symlinkSync('good.onnx', join(dir, location));
      entries({});
      return 'external data is a symlink inside the folder';
    default:
      writeFileSync(join(dir, location), bytes);
      t.externalData = [{ key: 'location', value: location }, { key: 'location', value: '/dev/zero' }];
      return 'external location given twice';
  }
}

/** `depth` nested If nodes around a Relu (only then_branch nests: sharing both would double the size per level). */
function deepIf(depth: number): Graph {
  const leaf = (d: number): Graph => ({ name: `l${d}`, node: [{ opType: 'Relu', input: ['x'], output: [`y${d}`] }], output: [vi(`y${d}`, [1, 4])] });
  let inner = leaf(0);
  for (let d = 1; d <= depth; d++) {
    inner = {
      name: `b${d}`,
      node: [{ opType: 'If', input: ['c'], output: [`y${d}`], attribute: [{ name: 'then_branch', type: AT.GRAPH, g: inner }, { name: 'else_branch', type: AT.GRAPH, g: leaf(d) }] }],
      output: [vi(`y${d}`, [1, 4])],
    };
  }
  return inner;
}

const EDITS: readonly Edit[] = [
  (rng, m) => {
    const inits = m.graph!.initializer ?? [];
    const vis = [...(m.graph!.input ?? []), ...(m.graph!.valueInfo ?? []), ...(m.graph!.output ?? [])];
    if (inits.length > 0 && rng.chance(0.6)) {
      const t = rng.pick(inits);
      const dims = (t.dims ?? []).map(Number);
      if (dims.length === 0 || rng.chance(0.3)) dims.push(rng.pick(EDGE_INTS));
      else dims[rng.int(dims.length)] = rng.pick(EDGE_INTS);
      t.dims = dims;
      return `initializer '${t.name}' dims [${dims.join(',')}]`;
    }
    const v = vis.length > 0 ? rng.pick(vis) : undefined;
    const dim = v?.type?.tensorType?.shape?.dim;
    if (!v || !dim) return 'no value_info to edit';
    const val = rng.pick(EDGE_INTS);
    if (dim.length === 0 || rng.chance(0.3)) dim.push({ dimValue: val });
    else dim[rng.int(dim.length)] = { dimValue: val };
    return `value '${v.name}' dim ${val}`;
  },
  (rng, m) => {
    const code = rng.pick([0, 8, 14, 15, 17, 21, 23, 25, 26, 27, 99, 2 ** 31 - 1]);
    const inits = m.graph!.initializer ?? [];
    if (inits.length > 0 && rng.chance(0.5)) {
      const t = rng.pick(inits);
      t.dataType = code;
      return `initializer '${t.name}' dtype ${code}`;
    }
    const v = rng.pick([...(m.graph!.input ?? []), ...(m.graph!.output ?? [])]);
    if (v?.type?.tensorType) v.type.tensorType.elemType = code;
    return `value '${v?.name}' dtype ${code}`;
  },
  (rng, m) => {
    const nodes = nodesOf(m.graph!);
    if (nodes.length === 0) return 'no nodes';
    const n = rng.pick(nodes);
    const ins = (n.input ??= []);
    if (ins.length === 0 || rng.chance(0.3)) ins.push('dangling_tensor');
    else ins[rng.int(ins.length)] = rng.pick(['dangling_tensor', '', 'x'.repeat(5000)]);
    return `dangling input on ${n.opType}`;
  },
  (rng, m) => {
    const nodes = nodesOf(m.graph!);
    if (nodes.length < 1) return 'no nodes';
    const a = rng.int(nodes.length);
    const b = rng.range(a, nodes.length - 1);
    const out = nodes[b]!.output?.[0];
    if (out) (nodes[a]!.input ??= []).push(out);
    if (rng.chance(0.3) && nodes[b]!.output?.length) nodes[a]!.output = [...(nodes[a]!.output ?? []), out ?? 'dup'];
    return `cycle/duplicate producer between nodes ${a} and ${b}`;
  },
  (rng, m) => {
    const choice = rng.int(5);
    if (choice === 0) m.opsetImport = [];
    else if (choice === 1) m.opsetImport = [{ domain: '', version: rng.pick([0, 1, 6, 7, 99, 2 ** 31, -1]) }];
    else if (choice === 2) m.opsetImport = [...(m.opsetImport ?? []), { domain: 'ai.onnx', version: 1 }];
    else if (choice === 3) m.opsetImport = [{ domain: 'com.microsoft', version: 1 }];
    else m.irVersion = rng.pick([0, -1, 99, 2 ** 40]);
    return `opset edit ${choice}: ${JSON.stringify(m.opsetImport)} ir ${m.irVersion}`;
  },
  (rng, m) => {
    const nodes = nodesOf(m.graph!);
    if (nodes.length === 0) return 'no nodes';
    const n = rng.pick(nodes);
    const attrs = (n.attribute ??= []);
    const a = wrongAttribute(rng);
    a.name = attrs.length > 0 && rng.chance(0.6) ? rng.pick(attrs).name : rng.pick(ATTR_NAMES);
    const at = attrs.findIndex((x) => x.name === a.name);
    if (at >= 0) attrs[at] = a;
    else attrs.push(a);
    return `${n.opType} attribute '${a.name}' as type ${a.type}`;
  },
  (rng, m, dir) => externalTrick(rng, m, dir),
  (rng, m) => {
    const depth = rng.pick([3, 15, 17, 40, 200]);
    m.graph = { name: 'deep', input: [vi('x', [1, 4]), vi('c', [], 9)], output: [vi(`y${depth}`, [1, 4])], node: deepIf(depth).node };
    return `If nested ${depth} deep`;
  },
  (rng, m) => {
    const op = rng.pick(['ConstantOfShape', 'Expand', 'Reshape', 'Tile', 'Range', 'Resize']);
    const n = rng.pick([2 ** 31, 2 ** 24, 65, 2 ** 40, 2 ** 53]);
    const ins = op === 'ConstantOfShape' ? ['s'] : op === 'Range' ? ['a', 'b', 'c'] : op === 'Resize' ? ['x', '', '', 's'] : ['x', 's'];
    m.opsetImport = [{ domain: '', version: 17 }];
    m.graph = {
      name: 'huge',
      input: [vi('x', [1, 4]), vi('s', [n], 7), vi('a', [], 7), vi('b', [], 7), vi('c', [], 7)],
      output: [vi('y', [])],
      initializer: rng.chance(0.5) ? [{ name: 's', dims: [2], dataType: 7, int64Data: [n, n] }] : [],
      node: [{ opType: op, input: ins, output: ['y'] }],
    };
    return `${op} with shape input of ${n}`;
  },
  (rng, m) => {
    // Short enough to keep the family fast; model-scale has the long ones.
    const count = rng.pick([50, 300, 1000]);
    const nodes: Node[] = [];
    for (let i = 0; i < count; i++) nodes.push({ opType: 'Relu', input: [i === 0 ? 'x' : `t${i - 1}`], output: [i === count - 1 ? 'y' : `t${i}`], name: `r${i}` });
    m.opsetImport = [{ domain: '', version: 17 }];
    m.graph = { name: 'chain', input: [vi('x', [1, 16])], output: [vi('y', [1, 16])], node: nodes };
    return `${count}-node Relu chain`;
  },
];

export const modelStruct: FuzzFamily = {
  name: 'model-struct',
  group: 'model',
  make(rng, dir, index) {
    const { name, model } = decodeBase(rng);
    const notes: string[] = [];
    const rounds = rng.range(1, 2);
    for (let i = 0; i < rounds; i++) notes.push(rng.pick(EDITS)(rng, model, dir));
    writeFileSync(join(dir, 'm.onnx'), onnx.ModelProto.encode(model).finish());
    return checkCase(rng, dir, 'model-struct', index, `${name}: ${notes.join('; ')}`);
  },
};
