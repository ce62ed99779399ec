/**
 * Engine unit tests: the partitioning algorithm, the three partition policies, minimum partition size,
 * verdict thresholds, and quantization-scheme classification of the int8 fixtures and shared models.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildModel, type ModelSpec } from '../support/onnx-builder.js';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { loadProfile } from '../../src/profiles/load.js';
import { placeModel, PlacementError, checkerSuitability } from '../../src/profiles/engine.js';
import { createSupportedPartitionGroups, type PartitionUnit } from '../../src/profiles/partition.js';
import type { DeviceProfile } from '../../src/profiles/schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = join(ROOT, '__tests__/fixtures/models');
const SHARED = resolve(ROOT, '../shared/models');
const CI = process.env['CI'] === 'true';
const dir = mkdtempSync(join(tmpdir(), 'edgegate-engine-'));
let seq = 0;

function analyze(spec: ModelSpec) {
  const path = join(dir, `m${seq++}.onnx`);
  buildModel(spec, path);
  return analyzeModel(readModelSync(path));
}

const u = (producers: number[], supported: boolean): PartitionUnit => ({ nodes: [0], producers, supported });

describe('CreateSupportedPartitionNodeGroups port', () => {
  const cases: { name: string; units: PartitionUnit[]; groups: number[][] }[] = [
    { name: 'all supported chain → one group', units: [u([], true), u([0], true), u([1], true)], groups: [[0, 1, 2]] },
    { name: 'unsupported in the middle splits', units: [u([], true), u([0], false), u([1], true)], groups: [[0], [2]] },
    { name: 'no supported unit → no group', units: [u([], false), u([0], false)], groups: [] },
    // 0 → 1(unsupported) → 3 ; 0 → 2 → 3 : the unsupported node on the border defers 3 to the next wave
    { name: 'diamond with one unsupported branch', units: [u([], true), u([0], false), u([0], true), u([1, 2], true)], groups: [[0, 2], [3]] },
    // independent unsupported root does not split a group that does not consume it
    { name: 'unsupported node off the border does not split', units: [u([], true), u([], false), u([0], true), u([1], true)], groups: [[0, 2, 3]] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(createSupportedPartitionGroups(c.units), c.groups));
  }
  it('checker suitability thresholds', () => {
    assert.equal(checkerSuitability(1, 0.8), 'YES');
    assert.equal(checkerSuitability(1, 0.6), 'MAYBE');
    assert.equal(checkerSuitability(2, 0.8), 'MAYBE');
    assert.equal(checkerSuitability(2, 0.7), 'NO');
    assert.equal(checkerSuitability(3, 1), 'NO');
  });
});

/** Conv → Relu → HardSigmoid → Relu: NNAPI has no HardSigmoid, so the graph splits around it. */
function splitModel(): ModelSpec {
  return {
    inputs: [{ name: 'x', dims: [1, 2, 8, 8] }],
    outputs: [{ name: 'y' }],
    initializers: [{ name: 'w', dims: [4, 2, 3, 3], values: new Array(72).fill(0.1) }],
    nodes: [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3] } },
      { op: 'Relu', name: 'relu1', inputs: ['c'], outputs: ['r'] },
      { op: 'HardSigmoid', name: 'hsig', inputs: ['r'], outputs: ['s'] },
      { op: 'Relu', name: 'relu2', inputs: ['s'], outputs: ['y'] },
    ],
  };
}

function withPolicy(p: DeviceProfile, policy: 'multi' | 'single_prefix' | 'none', min?: number): DeviceProfile {
  return { ...p, partition: { ...p.partition, policy, ...(min !== undefined ? { minNodesPerPartition: min } : {}) } };
}

describe('partition policies', () => {
  const nnapi = loadProfile('android-nnapi').profile;
  const a = analyze(splitModel());
  const byName = (pl: ReturnType<typeof placeModel>, n: string) => pl.nodes.find((x) => x.name === n)!;

  it('multi: unsupported node falls back, two partitions', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'multi'));
    assert.equal(byName(pl, 'hsig').placement, 'cpu-fallback');
    assert.equal(byName(pl, 'hsig').reason, 'OP_NOT_LISTED');
    assert.equal(pl.partitions.length, 2);
    assert.equal(pl.nodesAccelerated, 3);
    assert.equal(byName(pl, 'relu2').partition, 1);
  });
  it('single_prefix: everything after the first unsupported node is on the CPU', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'single_prefix'));
    assert.equal(byName(pl, 'relu2').placement, 'cpu-fallback');
    assert.equal(byName(pl, 'relu2').reason, 'AFTER_FIRST_UNSUPPORTED');
    assert.match(byName(pl, 'relu2').detail ?? '', /HardSigmoid 'hsig'/);
    assert.equal(pl.partitions.length, 1);
    assert.equal(pl.nodesAccelerated, 2);
  });
  it('none: an unsupported node fails the model', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'none'));
    assert.equal(byName(pl, 'hsig').placement, 'unsupported');
    assert.equal(pl.verdict, 'fail');
  });
  it('minNodesPerPartition: a too-small partition runs on the CPU', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'multi', 2));
    assert.equal(byName(pl, 'relu2').placement, 'cpu-fallback');
    assert.equal(byName(pl, 'relu2').reason, 'PARTITION_TOO_SMALL');
    assert.equal(pl.partitions.length, 1);
  });
  it('MACs are summed through sourceNodes: the Conv carries all of them', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'multi'));
    assert.ok(pl.macsTotal !== null && pl.macsTotal > 0);
    assert.equal(pl.macsAccelerated, pl.macsTotal);
    assert.equal(pl.macsAcceleratedFraction, 1);
  });
  it('a node the fallback CPU has no kernel for is unsupported, and fails the target', () => {
    const spec = splitModel();
    spec.nodes[2] = { op: 'SwiGLU', name: 'swiglu', inputs: ['r'], outputs: ['s'] };
    const pl = placeModel(analyze(spec), nnapi);
    const n = byName(pl, 'swiglu');
    assert.equal(n.placement, 'unsupported');
    assert.match(n.detail ?? '', /fallback .* has no kernel for SwiGLU/);
    assert.equal(pl.verdict, 'fail');
  });
  it('a known rewrite gives a hint', () => {
    const pl = placeModel(a, withPolicy(nnapi, 'multi'));
    assert.match(byName(pl, 'hsig').hint ?? '', /Clip/);
  });
  it('op-names mode needs a checker block', () => {
    const { checker: _c, ...noChecker } = nnapi;
    assert.throws(() => placeModel(a, noChecker as DeviceProfile, { ruleMode: 'op-names' }), PlacementError);
  });
});

describe('quantization scheme', () => {
  const nnapi = loadProfile('android-nnapi').profile;
  const table: { file: string; shared?: boolean; scheme: string; act: string[]; weights: string[]; gran: string[] }[] = [
    { file: 'tiny_cnn.onnx', scheme: 'float32', act: [], weights: [], gran: [] },
    { file: 'tiny_cnn.int8.qdq.onnx', scheme: 'qdq', act: ['uint8'], weights: ['int8'], gran: ['per-channel', 'per-tensor'] },
    { file: 'tiny_cnn.int8.qop.onnx', scheme: 'qoperator', act: ['uint8'], weights: ['int8'], gran: ['per-channel'] },
    { file: 'tiny_cnn.dynamic.onnx', scheme: 'dynamic', act: ['uint8'], weights: ['uint8'], gran: ['per-tensor'] },
    { file: 'squeezenet1_0.int8.qdq.onnx', shared: true, scheme: 'qdq', act: ['uint8'], weights: ['int8'], gran: ['per-channel'] },
    { file: 'squeezenet1_0.int8.qop.onnx', shared: true, scheme: 'qoperator', act: ['uint8'], weights: ['int8'], gran: ['per-channel'] },
    { file: 'mnasnet1_0.s8s8.qdq.onnx', shared: true, scheme: 'qdq', act: ['int8'], weights: ['int8'], gran: ['per-channel'] },
    { file: 'mobilenet_v3_large.int8.qdq.onnx', shared: true, scheme: 'qdq', act: ['uint8'], weights: ['int8'], gran: ['per-channel'] },
  ];
  for (const c of table) {
    it(`${c.file} is ${c.scheme}, ${c.act.join('/') || '-'} activations, ${c.weights.join('/') || '-'} ${c.gran.join('+')} weights`, (t) => {
      const path = c.shared ? join(SHARED, c.file) : join(FIX, c.file);
      if (!existsSync(path)) {
        if (c.shared && !CI) return t.skip('../shared/models absent');
        assert.fail(`${path} missing`);
      }
      const q = placeModel(analyzeModel(readModelSync(path)), nnapi).quantization;
      assert.equal(q.scheme, c.scheme);
      assert.deepEqual(q.activationDtypes, c.act);
      assert.deepEqual(q.weightDtypes, c.weights);
      assert.deepEqual(q.weightGranularity, c.gran);
      if (c.scheme !== 'float32' && c.scheme !== 'dynamic') assert.equal(q.symmetricWeights, true);
    });
  }

  it('a float model on a full-int8 target: 0 accelerated, and the sentence says why', () => {
    const coral = loadProfile('coral-edgetpu').profile;
    const pl = placeModel(analyze(splitModel()), coral);
    assert.equal(pl.nodesAccelerated, 0);
    assert.equal(pl.quantization.accepted, false);
    assert.match(pl.quantization.message, /this model is float32, so 0 of 4 nodes are accelerated/);
    assert.ok(pl.nodes.every((n) => n.reason === 'QUANT_REQUIRED' || n.reason === 'AFTER_FIRST_UNSUPPORTED'));
  });
});
