/**
 * Synthetic single-op models: every op EdgeGate has a shape rule for, with random input ranks, dtypes,
 * constant inputs (negative, zero and huge values) and attributes of random types.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type onnxProtoNs from 'onnx-proto';
import { SHAPE_RULES } from '../../../src/graph/rules/index.js';
import type { FuzzFamily, Rng } from '../types.js';
import { checkCase, EDGE_INTS, onnx } from './model-common.js';

const AT = onnx.AttributeProto.AttributeType;
const OPS: readonly [string, string][] = Object.entries(SHAPE_RULES).flatMap(([domain, table]) => Object.keys(table).map((op): [string, string] => [domain, op]));
const ATTRS = ['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad', 'output_shape', 'output_padding', 'hidden_size', 'activations', 'direction', 'axis', 'axes', 'perm', 'to', 'value', 'split', 'num_outputs', 'then_branch', 'else_branch', 'body', 'num_scan_inputs', 'scan_input_axes', 'scan_output_axes', 'blocksize', 'transA', 'transB', 'keepdims', 'mode', 'starts', 'ends', 'k', 'layout', 'batch_dims', 'allowzero', 'num_heads', 'qkv_hidden_sizes', 'N', 'K', 'block_size', 'bits', 'detect_negative', 'linear_before_reset', 'input_forget', 'clip', 'seed', 'dtype', 'shape', 'value_int', 'value_ints', 'value_float', 'value_floats', 'equation', 'p', 'storage_order', 'ceil_mode'];
const DTYPES = [1, 1, 1, 7, 7, 6, 2, 3, 9, 10, 11, 0, 8, 16, 99];

function dims(rng: Rng): number[] {
  const rank = rng.pick([0, 1, 2, 3, 4, 4, 4, 5, 6]);
  return Array.from({ length: rank }, () => (rng.chance(0.9) ? rng.range(1, 8) : rng.pick(EDGE_INTS)));
}

function randomAttribute(rng: Rng, name: string): onnxProtoNs.onnx.IAttributeProto {
  const small = (): number => (rng.chance(0.8) ? rng.range(-2, 4) : rng.pick(EDGE_INTS));
  switch (rng.int(8)) {
    case 0: return { name, type: AT.INT, i: small() };
    case 1: return { name, type: AT.INTS, ints: Array.from({ length: rng.range(0, 8) }, small) };
    case 2: return { name, type: AT.FLOAT, f: rng.pick([0.5, -1, NaN, Infinity, 2]) };
    case 3: return { name, type: AT.FLOATS, floats: Array.from({ length: rng.range(0, 4) }, () => rng.pick([0.5, -1, NaN, 2])) };
    case 4: return { name, type: AT.STRING, s: Buffer.from(rng.pick(['SAME_UPPER', 'VALID', 'NOTSET', 'bidirectional', 'Tanh', 'nearest', 'ij,jk->ik', '', 'zzz'])) };
    case 5: return { name, type: AT.STRINGS, strings: [Buffer.from(rng.pick(['Tanh', 'Sigmoid', 'x']))] };
    case 6: return { name, type: AT.TENSOR, t: { name: 't', dims: dims(rng).slice(0, 2), dataType: rng.pick(DTYPES), rawData: new Uint8Array(rng.range(0, 64)) } };
    default: return { name, type: AT.GRAPH, g: { name: 'body', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], output: [{ name: 'y' }] } };
  }
}

export const modelOps: FuzzFamily = {
  name: 'model-ops',
  group: 'model',
  make(rng, dir, index) {
    const [domain, op] = rng.pick(OPS);
    const nIn = rng.range(0, 6);
    const nOut = rng.range(1, 3);
    const inputs: onnxProtoNs.onnx.IValueInfoProto[] = [];
    const initializer: onnxProtoNs.onnx.ITensorProto[] = [];
    const names: string[] = [];
    for (let i = 0; i < nIn; i++) {
      const name = `i${i}`;
      if (rng.chance(0.1)) {
        names.push('');
        continue;
      }
      names.push(name);
      const d = dims(rng);
      const dtype = rng.pick(DTYPES);
      if (rng.chance(0.45)) {
        const count = d.reduce((a, b) => a * Math.max(b, 0), 1);
        const n = Number.isSafeInteger(count) && count <= 64 ? count : rng.range(0, 8);
        const values = Array.from({ length: n }, () => (rng.chance(0.7) ? rng.range(-3, 8) : rng.pick(EDGE_INTS)));
        initializer.push(dtype === 7 ? { name, dims: d, dataType: 7, int64Data: values } : { name, dims: d, dataType: dtype === 8 ? 1 : dtype, floatData: dtype === 1 ? values : undefined, rawData: dtype === 1 ? undefined : new Uint8Array(n * 4) });
      } else {
        inputs.push({ name, type: { tensorType: { elemType: dtype, shape: { dim: d.map((v) => (rng.chance(0.1) ? { dimParam: 'n' } : { dimValue: v })) } } } });
      }
    }
    const attribute = Array.from({ length: rng.range(0, 4) }, () => randomAttribute(rng, rng.pick(ATTRS)));
    const outputs = Array.from({ length: nOut }, (_, i) => `o${i}`);
    const opsets = [{ domain: '', version: rng.pick([7, 11, 13, 17, 18, 21]) }];
    if (domain !== '') opsets.push({ domain, version: 1 });
    const model: onnxProtoNs.onnx.IModelProto = {
      irVersion: 8,
      opsetImport: opsets,
      graph: { name: 'op', node: [{ name: 'n', opType: op, domain, input: names, output: outputs, attribute }], input: inputs, initializer, output: outputs.map((name) => ({ name })) },
    };
    writeFileSync(join(dir, 'm.onnx'), onnx.ModelProto.encode(model).finish());
    return checkCase(rng, dir, 'model-ops', index, `${domain || 'ai.onnx'}::${op} with ${nIn} inputs, attrs ${attribute.map((a) => `${a.name}:${a.type}`).join(',')}`);
  },
};
