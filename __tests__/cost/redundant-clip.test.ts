import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { sourceWork } from '../../src/cost/work.js';
import { workOptionsFor } from '../../src/cost/estimate.js';
import { measureModel } from '../../src/cost/measure.js';
import { clipMadeRedundantByQ } from '../../src/graph/qdq-units.js';
import { loadProfile } from '../../src/profiles/load.js';
import { placeModel } from '../../src/profiles/engine.js';
import { planParity } from '../../src/parity/plan.js';
import { readProtoModel } from '../../src/parity/proto-model.js';

const { onnx } = onnxProto;
const { profile: host } = loadProfile('host-x64');

/**
 * x (uint8 [1,16,14,14], zero point 128) → DQ → Conv 3×3 (int8 weights) → act → Q (uint8, scale 0.05, zero
 * point `zp`) → y. onnxruntime fuses DQ → Conv → act → Q into one QLinearConv when the Q makes `act` redundant
 * (`IsClipMadeRedundantByQ`), else it runs a float FusedConv between DequantizeLinear and QuantizeLinear.
 */
function model(act: 'Relu' | 'Clip', zp: number, clip: [number, number] = [0, 6]): Uint8Array {
  const f32 = (v: number[]): Uint8Array => new Uint8Array(new Float32Array(v).buffer);
  const C = 16;
  const init = (name: string, dataType: number, dims: number[], rawData: Uint8Array) => ({ name, dataType, dims, rawData });
  const inits = [
    init('s', 1, [], f32([0.05])),
    init('zx', 2, [], new Uint8Array([128])),
    init('zy', 2, [], new Uint8Array([zp])),
    init('wq', 3, [C, C, 3, 3], Uint8Array.from({ length: C * C * 9 }, (_, i) => (i * 7) % 11)),
    init('ws', 1, [], f32([0.01])),
    init('wz', 3, [], new Uint8Array([0])),
    init('lo', 1, [], f32([clip[0]])),
    init('hi', 1, [], f32([clip[1]])),
  ];
  const T = onnx.AttributeProto.AttributeType;
  const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) => ({ opType, input, output, name: output[0], domain: '', attribute });
  const nodes = [
    node('DequantizeLinear', ['x', 's', 'zx'], ['xf']),
    node('DequantizeLinear', ['wq', 'ws', 'wz'], ['w']),
    node('Conv', ['xf', 'w'], ['c'], [{ name: 'kernel_shape', type: T.INTS, ints: [3, 3] }, { name: 'pads', type: T.INTS, ints: [1, 1, 1, 1] }]),
    act === 'Relu' ? node('Relu', ['c'], ['r']) : node('Clip', ['c', 'lo', 'hi'], ['r']),
    node('QuantizeLinear', ['r', 's', 'zy'], ['y']),
  ];
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 2, shape: { dim: [1, C, 14, 14].map((d) => ({ dimValue: d })) } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'edgegate-test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: nodes, input: [vi('x')], output: [vi('y')], initializer: inits },
  })).finish();
}

describe('a Relu/Clip between an op and its Q, against onnxruntime-node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eg-clip-'));
  // [act, Q zero point, Clip bounds, does onnxruntime fuse it into one QLinearConv]
  const rows: ['Relu' | 'Clip', number, [number, number], boolean][] = [
    ['Relu', 0, [0, 6], true], // zero point at uint8's minimum: the Relu clips nothing the Q does not
    ['Relu', 128, [0, 6], false], // the Q keeps negative values: the Relu matters, FusedConv in float
    ['Clip', 0, [0, 20], true], // [0, 20] quantizes to [0, 400] ⊇ [0, 255]
    ['Clip', 0, [0, 6], false], // [0, 6] quantizes to [0, 120]: clips inside the range (ReLU6)
  ];
  for (const [act, zp, clip, fused] of rows) {
    it(`${act}${act === 'Clip' ? ` [${clip.join(', ')}]` : ''}, zero point ${zp}: ${fused ? 'one int8 kernel' : 'float conv between DQ and Q'}`, async () => {
      const file = join(dir, `${act}-${zp}-${clip.join('-')}.onnx`);
      writeFileSync(file, model(act, zp, clip));
      const a = analyzeModel(await readModel(file));
      const kernels = sourceWork(a, workOptionsFor(host)).filter((w) => !w.free && w.mergedAs === undefined);
      const m = await measureModel(file, a, { runs: 2, warmup: 1, profileRuns: 2 });
      const ort = (m.kernels ?? []).map((k) => k.op).filter((op) => op !== 'Transpose');
      // The oracle first: what onnxruntime ran.
      assert.deepEqual(ort.includes('QLinearConv'), fused, `onnxruntime ran ${ort.join(', ')}`);
      // The compatibility engine groups the same way: QNN takes the fused unit whole, and without the
      // redundant Relu/Clip in the unit the float Conv's input DQ and output Q fell back to the CPU.
      const placed = placeModel(a, loadProfile('qualcomm-htp').profile).nodes;
      assert.equal(placed.every((p) => p.placement === 'accelerated'), fused, placed.map((p) => `${p.op}:${p.placement}`).join(' '));
      // Parity isolates the unit as onnxruntime runs it: the Relu/Clip inside the Conv's unit, or its own.
      const conv = a.model.graph.nodes.findIndex((n) => n.opType === 'Conv');
      const actIndex = a.model.graph.nodes.findIndex((n) => n.opType === act);
      const iso = planParity(readProtoModel(file)).isolation.find((u) => u.unit.nodes.includes(conv))!;
      assert.equal(iso.unit.nodes.includes(actIndex), fused, `parity's unit of the Conv: ${iso.unit.nodes.join(', ')}`);
      // Then the cost model: one int8 Conv kernel, or a float Conv with its DQ/Q kernels.
      if (fused) assert.deepEqual(kernels.map((w) => `${w.opType}:${w.dtype}`), ['Conv:int8']);
      else assert.ok(kernels.some((w) => w.opType === 'Conv' && w.dtype === 'float') && kernels.some((w) => w.opType === 'QuantizeLinear'), kernels.map((w) => w.opType).join(', '));
    });
  }
});

describe('clipMadeRedundantByQ (table, onnxruntime IsClipMadeRedundantByQ)', () => {
  const consts: Record<string, { dtype: number; values: number[] }> = {
    s: { dtype: 1, values: [0.05] },
    u0: { dtype: 2, values: [0] },
    u7: { dtype: 2, values: [7] },
    sm128: { dtype: 3, values: [-128] },
    s0: { dtype: 3, values: [0] },
    lo0: { dtype: 1, values: [0] },
    hi6: { dtype: 1, values: [6] },
    hi20: { dtype: 1, values: [20] },
    lom7: { dtype: 1, values: [-7] },
  };
  const read = (n: string) => consts[n];
  const rows: [string, { opType: string; inputs: string[] }, string[], boolean][] = [
    ['Relu, uint8 zero point 0', { opType: 'Relu', inputs: ['c'] }, ['r', 's', 'u0'], true],
    ['Relu, uint8 zero point 7', { opType: 'Relu', inputs: ['c'] }, ['r', 's', 'u7'], false],
    ['Relu, int8 zero point -128', { opType: 'Relu', inputs: ['c'] }, ['r', 's', 'sm128'], true],
    ['Relu, int8 zero point 0 (symmetric activations)', { opType: 'Relu', inputs: ['c'] }, ['r', 's', 's0'], false],
    ['Relu, no zero point input (uint8, 0)', { opType: 'Relu', inputs: ['c'] }, ['r', 's'], true],
    ['Clip [0, 20], uint8 zp 0: [0, 400] covers [0, 255]', { opType: 'Clip', inputs: ['c', 'lo0', 'hi20'] }, ['r', 's', 'u0'], true],
    ['Clip [0, 6] (ReLU6), uint8 zp 0: [0, 120]', { opType: 'Clip', inputs: ['c', 'lo0', 'hi6'] }, ['r', 's', 'u0'], false],
    ['Clip [-7, 20], uint8 zp 0: [-140, 400]', { opType: 'Clip', inputs: ['c', 'lom7', 'hi20'] }, ['r', 's', 'u0'], true],
    ['Clip [0, 20], int8 zp 0: [0, 400] misses [-128, 0)', { opType: 'Clip', inputs: ['c', 'lo0', 'hi20'] }, ['r', 's', 's0'], false],
    ['Clip without bound inputs (opset 6 attributes or unbounded): not taken', { opType: 'Clip', inputs: ['c'] }, ['r', 's', 'u0'], false],
    ['Clip with a non-constant bound', { opType: 'Clip', inputs: ['c', 'dynamic', 'hi20'] }, ['r', 's', 'u0'], false],
  ];
  for (const [name, clip, qInputs, expected] of rows) {
    it(name, () => assert.equal(clipMadeRedundantByQ(clip, { inputs: qInputs }, read), expected));
  }
});
