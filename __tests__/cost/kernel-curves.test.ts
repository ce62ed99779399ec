import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelGrid } from '../../src/cost/kernel-grid.js';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { sourceWork, type SourceWork } from '../../src/cost/work.js';
import { estimateCost, peakFor, workOptionsFor } from '../../src/cost/estimate.js';
import { boundUnresolved, coldWeightStallSeconds, fitColdWeightStall, fitKernelCurves, kernelShapeOf, ownKernelSeconds, profileResolves, profilerExcess, fitOverheadLine, kernelCurveTime, predictLogEfficiency, type KernelPoint } from '../../src/cost/kernel-curves.js';
import { cpuPlacement, fitContextFactors, fitKernelCalibration } from '../../src/cost/calibrate.js';
import { level2FromGetconf, ownKernelTime, parseCacheSize, readLastLevelCacheBytes, readLevel2CacheBytes } from '../../src/cost/kernel-measure.js';
import { loadProfile } from '../../src/profiles/load.js';
import { DeviceProfileSchema } from '../../src/profiles/schema.js';

const { profile } = loadProfile('host-x64');
const unit = profile.hardware.units.find((u) => u.id === profile.hardware.fallbackUnit)!;

async function analyses(): Promise<{ id: string; op: string; nodes: number; family: string; analysis: ReturnType<typeof analyzeModel> }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-curves-'));
  const out = [];
  for (const c of kernelGrid('small')) {
    const f = join(dir, `${c.id}.onnx`);
    writeFileSync(f, c.bytes);
    out.push({ id: c.id, op: c.op, nodes: c.nodes, family: c.family, analysis: analyzeModel(await readModel(f)) });
  }
  return out;
}

describe('kernel curves', () => {
  it('fitColdWeightStall: per convolution, chain time less time alone, as a line in its weight bytes, per dtype', () => {
    // The cost model's view of a chain: `count` convolutions of `bytes` weights each (keyed by the analysis).
    const chainWorks = new Map<object, { count: number; bytes: number; dtype: string }>();
    const works = (a: object): readonly SourceWork[] => {
      const c = chainWorks.get(a);
      return c ? Array.from({ length: c.count }, () => ({ opType: 'Conv', dtype: c.dtype, weightBytes: c.bytes, free: false }) as unknown as SourceWork) : [];
    };
    const line = { perInferenceS: 20e-6, perNodeS: 1e-6 };
    const hotS = (bytes: number): number => 50e-6 + bytes * 1e-10;
    const chain = (bytes: number, count: number, stallS: number, dtype = 'float', hotId = `hot-${dtype}-${bytes}`): KernelPoint[] => {
      const a = {};
      chainWorks.set(a, { count, bytes, dtype });
      return [
        { id: `cold-${dtype}-${bytes}`, analysis: a as never, op: 'Conv', coldChain: { count, hotId }, measuredMs: (line.perInferenceS + count * (line.perNodeS + hotS(bytes) + stallS)) * 1e3 },
        { id: `hot-${dtype}-${bytes}`, analysis: {} as never, op: 'Conv', measuredMs: (line.perInferenceS + line.perNodeS + hotS(bytes)) * 1e3 },
      ];
    };
    const truth = (bytes: number): number => 3e-6 + bytes * 17e-12;
    const int8 = (bytes: number): number => 8e-6 + bytes * 24e-12;
    type Want = Record<string, { perKernelS: number; perByteS: number; fromBytes: number }> | null;
    const rows: [string, KernelPoint[], Want, number][] = [
      ['three sizes recover the line', [...chain(2 ** 18, 192, truth(2 ** 18)), ...chain(2 ** 20, 48, truth(2 ** 20)), ...chain(2 ** 22, 12, truth(2 ** 22))], { float: { perKernelS: 3e-6, perByteS: 17e-12, fromBytes: 2 ** 18 } }, 0],
      [
        'fp32 and int8 chains give a line each',
        [...chain(2 ** 18, 192, truth(2 ** 18)), ...chain(2 ** 20, 48, truth(2 ** 20)), ...chain(2 ** 16, 768, int8(2 ** 16), 'int8'), ...chain(2 ** 22, 12, int8(2 ** 22), 'int8')],
        { float: { perKernelS: 3e-6, perByteS: 17e-12, fromBytes: 2 ** 18 }, int8: { perKernelS: 8e-6, perByteS: 24e-12, fromBytes: 2 ** 16 } },
        0,
      ],
      ['one size is no line', chain(2 ** 20, 48, truth(2 ** 20)), null, 0],
      ['one size of int8 is no int8 line', [...chain(2 ** 18, 192, truth(2 ** 18)), ...chain(2 ** 20, 48, truth(2 ** 20)), ...chain(2 ** 16, 768, int8(2 ** 16), 'int8')], { float: { perKernelS: 3e-6, perByteS: 17e-12, fromBytes: 2 ** 18 } }, 0],
      ['no stall (faster in the chain) gives zero, never negative', [...chain(2 ** 18, 192, -5e-6), ...chain(2 ** 20, 48, -8e-6)], { float: { perKernelS: 0, perByteS: 0, fromBytes: 2 ** 18 } }, 0],
      ['a chain without its case alone is skipped, with the reason', [...chain(2 ** 18, 192, truth(2 ** 18)), ...chain(2 ** 20, 48, truth(2 ** 20), 'float', 'missing')], null, 1],
    ];
    for (const [name, points, want, skips] of rows) {
      const skipped: { id: string; reason: string }[] = [];
      const got = fitColdWeightStall(points, line, works as never, skipped);
      assert.equal(skipped.length, skips, `${name}: ${JSON.stringify(skipped)}`);
      if (skips) assert.match(skipped[0]!.reason, /missing.*not timed/, name);
      if (want === null) {
        assert.equal(got, null, name);
        continue;
      }
      assert.ok(got, name);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), name);
      for (const [dtype, w] of Object.entries(want)) {
        const fitted: { perKernelS: number; perByteS: number; fromBytes: number } = got[dtype as 'float' | 'int8']!;
        assert.ok(Math.abs(fitted.perKernelS - w.perKernelS) < 1e-9 && Math.abs(fitted.perByteS - w.perByteS) < 1e-14, `${name}, ${dtype}: ${fitted.perKernelS} + ${fitted.perByteS}/B`);
        assert.equal(fitted.fromBytes, w.fromBytes, `${name}, ${dtype}`);
      }
    }
    // Read back: the line from the smallest chain up, in proportion below it; never negative.
    const st = { perKernelUs: 3, perMebibyteUs: 17, fromMebibytes: 0.25 };
    const read: [number, number][] = [[0, 0], [2 ** 16, (3 + 17 * 0.25) / 4], [2 ** 18, 3 + 17 * 0.25], [2 ** 22, 3 + 17 * 4], [2 ** 24, 3 + 17 * 16]];
    for (const [bytes, us] of read) assert.ok(Math.abs(coldWeightStallSeconds(st, bytes) * 1e6 - us) < 1e-9, `${bytes} B: ${coldWeightStallSeconds(st, bytes) * 1e6} us, want ${us}`);
  });
  it('fitOverheadLine recovers per-inference and per-node cost; needs two chain lengths', () => {
    const line = fitOverheadLine([1, 16, 64].map((n) => ({ nodes: n, seconds: 20e-6 + n * 0.5e-6 })))!;
    assert.ok(Math.abs(line.perInferenceS - 20e-6) < 1e-9 && Math.abs(line.perNodeS - 0.5e-6) < 1e-12);
    assert.equal(fitOverheadLine([{ nodes: 4, seconds: 1 }, { nodes: 4, seconds: 2 }]), null);
  });
  const table: [string, number[][], number[], (v: number) => boolean][] = [
    ['exact grid point dominates', [[0, 0.5], [4, 0.1]], [0], (v) => v > 0.4 && v <= 0.5],
    ['halfway is between the neighbours', [[0, 0.5], [4, 0.1]], [2], (v) => v > 0.1 && v < 0.5],
    ['beyond the grid keeps the nearest level', [[0, 0.5], [4, 0.1], [5, 0.1]], [20], (v) => v < 0.2],
  ];
  for (const [name, pts, f, ok] of table) {
    it(`predictLogEfficiency: ${name}`, () => {
      const v = Math.exp(predictLogEfficiency(pts, f)!);
      assert.ok(ok(v), `${v}`);
    });
  }
  const sizes: [string, number | null][] = [['2048K', 2 * 1024 * 1024], ['491520K', 480 * 1024 * 1024], ['32M', 32 * 1024 * 1024], ['512', 512], ['n/a', null]];
  for (const [text, bytes] of sizes) it(`parseCacheSize('${text}')`, () => assert.equal(parseCacheSize(text), bytes));
  const trees: [string, [number, string, string][], number | null, number | null][] = [
    ['x86 server (L1d, L1i, L2 per core, shared L3)', [[1, 'Data', '32K'], [1, 'Instruction', '32K'], [2, 'Unified', '1024K'], [3, 'Unified', '32768K']], 32 << 20, 1 << 20],
    ['Cortex-A72 board (L2 is the last level)', [[1, 'Data', '32K'], [1, 'Instruction', '48K'], [2, 'Unified', '1024K']], 1 << 20, 1 << 20],
    ['no level 2', [[1, 'Data', '64K'], [1, 'Instruction', '64K']], 64 << 10, null],
    ['no cache description', [], null, null],
  ];
  for (const [name, levels, llc, l2] of trees) {
    it(`cache sizes from /sys: ${name}`, () => {
      const root = mkdtempSync(join(tmpdir(), 'eg-cache-'));
      try {
        levels.forEach(([level, type, size], i) => {
          mkdirSync(join(root, `index${i}`));
          for (const [f, v] of [['level', String(level)], ['type', type], ['size', size]]) writeFileSync(join(root, `index${i}`, f!), `${v}\n`);
        });
        assert.equal(readLastLevelCacheBytes(root), llc);
        assert.equal(readLevel2CacheBytes(root, () => null), l2);
        // Where /sys has no level 2, the fallback (getconf) answers; /sys wins where it has one.
        assert.equal(readLevel2CacheBytes(root, () => 123), l2 ?? 123);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
  const getconf: [string, () => string, number | null][] = [
    ['a size in bytes', () => '1048576\n', 1 << 20],
    ['0 (glibc could not tell)', () => '0', null],
    ['empty (undefined on this CPU)', () => '\n', null],
    ['getconf missing', () => { throw new Error('ENOENT'); }, null],
  ];
  for (const [name, run, bytes] of getconf) it(`level2FromGetconf: ${name}`, () => assert.equal(level2FromGetconf(run), process.platform === 'linux' ? bytes : null));
  it('profilerExcess: what profiling adds per event, from profiled chains (run = per-inference + n x node)', () => {
    const chain = (n: number, excessUs: number): KernelPoint => ({ id: `c${n}`, analysis: undefined as never, overheadChain: n, measuredMs: (8 + n * 0.4) / 1e3, profiled: { ownUs: n * (0.4 + excessUs), totalUs: n * (0.4 + excessUs), events: n, ownEvents: n } });
    assert.ok(Math.abs(profilerExcess([chain(1, 1.5), chain(16, 1.5), chain(64, 1.5)], 8e-6) - 1.5e-6) < 1e-12);
    assert.equal(profilerExcess([], 8e-6), 0);
  });
  const own: [string, KernelPoint, number][] = [
    ['profiled: the kernel less the profiler excess', { id: 'a', analysis: undefined as never, measuredMs: 0.1, profiled: { ownUs: 50, totalUs: 60, events: 3, ownEvents: 1 } }, 48e-6],
    ['profiled on a busy machine: scaled down to the unprofiled run', { id: 'b', analysis: undefined as never, measuredMs: 0.038, profiled: { ownUs: 50, totalUs: 66, events: 3, ownEvents: 1 } }, 48e-6 * (30 / 60)],
    ['not profiled: the run less per-inference and one per-node cost', { id: 'c', analysis: undefined as never, measuredMs: 0.05 }, 50e-6 - 8e-6 - 1e-6],
  ];
  for (const [name, p, expected] of own) {
    it(`ownKernelSeconds, ${name}`, () => {
      const t = ownKernelSeconds(p, { perInferenceS: 8e-6, perNodeS: 1e-6, profilerS: 2e-6 });
      assert.ok(Math.abs(t - expected) < 1e-9, `${t} vs ${expected}`);
    });
  }
  const resolves: [string, Pick<KernelPoint, 'profiled'>, boolean][] = [
    ['a kernel twice the profiler cost or more', { profiled: { ownUs: 6, totalUs: 9, events: 2, ownEvents: 1 } }, true],
    ['a 1 us Gather under a 3 us profiler cost', { profiled: { ownUs: 4, totalUs: 7, events: 2, ownEvents: 1 } }, false],
    ['two own events pay the cost twice', { profiled: { ownUs: 10, totalUs: 13, events: 3, ownEvents: 2 } }, false],
    ['a whole-run point (edge runner, no profile)', {}, true],
  ];
  for (const [name, p, expected] of resolves) it(`profileResolves: ${name}`, () => assert.equal(profileResolves(p, 3e-6), expected));
  it('boundUnresolved: an unresolved case is held to the resolved cases\' best efficiency; none resolved, no curve', () => {
    const s = (work: number, seconds: number, resolved: boolean) => ({ x: [Math.log2(work)], work, rate: 1e9, seconds, resolved });
    // The resolved cases reach 0.5 of the rate; the profiler subtraction left the small one at 50x that.
    const bounded = boundUnresolved([s(1e6, 2e-3, true), s(4e6, 8e-3, true), s(1e3, 2e-8, false), s(1e3, 5e-6, false)])!;
    assert.deepEqual(bounded.map((b) => Number((b.work / (b.rate * b.seconds)).toFixed(3))), [0.5, 0.5, 0.5, 0.2]);
    assert.equal(boundUnresolved([s(1e3, 2e-8, false)]), null);
  });
  it('fitKernelCurves: cases the profile cannot resolve do not make a curve\'s slope (a busy machine\'s profiler cost)', async () => {
    const cases = await analyses();
    const works = (a: ReturnType<typeof analyzeModel>) => sourceWork(a, workOptionsFor(profile));
    const chains = cases.filter((c) => c.family === 'overhead').map((c): KernelPoint => ({ id: c.id, analysis: c.analysis, overheadChain: c.nodes, measuredMs: (15e-6 + c.nodes * 0.4e-6) * 1e3, profiled: { ownUs: c.nodes * 3.4, totalUs: c.nodes * 3.4, events: c.nodes, ownEvents: c.nodes } }));
    const add = cases.find((c) => c.op === 'Add' && c.family === 'elementwise')!;
    // One Add, profiled at 3.5 us against a 3 us profiler cost: alone it made an efficiency 10x the truth.
    const tiny: KernelPoint = { id: add.id, analysis: add.analysis, op: 'Add', measuredMs: 0.016, profiled: { ownUs: 3.5, totalUs: 6.5, events: 2, ownEvents: 1 } };
    const fit = fitKernelCurves([...chains, tiny], unit, works, { perInferenceS: 0, perNodeS: 0 });
    assert.ok(Math.abs(fit.profilerS - 3e-6) < 1e-9, `${fit.profilerS}`);
    assert.equal(fit.curves.find((c) => c.key.startsWith('elementwise/float/Add')), undefined);
    assert.match(fit.skipped.find((k) => k.id === add.id)?.reason ?? '', /within twice the profiler's cost per event/);
    // Nor the op-class figures that cost a variant without a curve: the fit with the unresolved Add equals the
    // fit without it (a resolved Add, 10 us of 13, does move them).
    const conv = cases.find((c) => c.family === 'conv' && c.id.includes('float'))!;
    const convPoint: KernelPoint = { id: conv.id, analysis: conv.analysis, op: 'Conv', measuredMs: 0.2, profiled: { ownUs: 150, totalUs: 160, events: 2, ownEvents: 1 } };
    const unitFit = (extra: KernelPoint[]): unknown => {
      const out = fitKernelCalibration({ points: [...chains, convPoint, ...extra], grid: 'test' }, [], profile, { runtime: { name: 'onnxruntime-node', version: 'test' }, host: 'test', tool: 'test', output: 'x.yaml' }).profile;
      return { unit: out.hardware.units.find((u) => u.id === unit.id), act: out.calibration?.activationBandwidthBytesPerSecond };
    };
    assert.deepEqual(unitFit([tiny]), unitFit([]));
    assert.notDeepEqual(unitFit([{ ...tiny, measuredMs: 0.03, profiled: { ownUs: 10, totalUs: 13, events: 2, ownEvents: 1 } }]), unitFit([]));
  });
  it('ownKernelTime with ownLayout: what runs between the context convolutions is the shuffle\'s own', () => {
    const k = (op: string, us: number): { nodeIndex: string; name: string; op: string; provider: string; medianUs: number; runs: number } => ({ nodeIndex: op + us, name: op, op, provider: 'CPU', medianUs: us, runs: 1 });
    const profile = [k('ReorderInput', 6), k('Conv', 34), k('ReorderOutput', 8), k('Reshape', 5), k('Transpose', 6), k('Reshape', 2), k('ReorderInput', 8), k('Conv', 27), k('ReorderOutput', 7), k('Slice', 15)];
    assert.deepEqual(ownKernelTime(profile, 'Transpose', ['Conv'], true), { ownUs: 8 + 5 + 6 + 2 + 8, totalUs: 118, ownEvents: 5, events: 10 });
    // Without it only the op itself (and non-layout neighbours) counts.
    assert.deepEqual(ownKernelTime(profile, 'Transpose', ['Conv'], false)?.ownUs, 5 + 6 + 2);
  });
  const ctx: [string, { measuredS: number; otherS: number; byKey: Map<string, number> }[], Record<string, [number, number]>][] = [
    ['a variant that is most of the models and runs 1.5x its curve is corrected', [1, 2, 3].map((i) => ({ measuredS: i * 1.5e-3 + 1e-4, otherS: 1e-4, byKey: new Map([['conv/float/k1', i * 1e-3]]) })), { 'conv/float/k1': [1.45, 1.5] }],
    ['a variant that is a sliver of the models keeps its curve', [1, 2, 3].map((i) => ({ measuredS: i * 1.2e-3, otherS: i * 0.98e-3, byKey: new Map([['conv/float/k1', i * 0.2e-3], ['pool/float/MaxPool', i * 0.01e-3]]) })), { 'pool/float/MaxPool': [0.99, 1.01] }],
    ['factors stay within [0.5, 2]', [{ measuredS: 1e-2, otherS: 0, byKey: new Map([['rnn/float/GRU', 1e-3]]) }], { 'rnn/float/GRU': [2, 2] }],
  ];
  for (const [name, rows, expect] of ctx) {
    it(`fitContextFactors: ${name}`, () => {
      const f = fitContextFactors(rows);
      for (const [k, [lo, hi]] of Object.entries(expect)) assert.ok(f.get(k)! >= lo && f.get(k)! <= hi, `${k}: ${f.get(k)}`);
    });
  }
  it('a QOperator model reads the same curves as its QDQ twin (QLinearGlobalAveragePool is GlobalAveragePool)', async () => {
    const keys = async (f: string): Promise<Set<string>> => {
      const a = analyzeModel(await readModel(f));
      return new Set(sourceWork(a, workOptionsFor(profile)).filter((w) => !w.free && w.mergedAs === undefined).map((w) => kernelShapeOf(a, w)?.key ?? w.opType));
    };
    assert.deepEqual([...(await keys('__tests__/fixtures/models/tiny_cnn.int8.qop.onnx'))].sort(), [...(await keys('__tests__/fixtures/models/tiny_cnn.int8.qdq.onnx'))].sort());
  });
  it('onnxruntime keeps a DequantizeLinear of constants that no fusion takes (it runs every inference); converters fold it', async () => {
    const a = analyzeModel(await readModel('__tests__/fixtures/models/tiny_cnn.int8.qdq.onnx'));
    const constDq = (p: Parameters<typeof workOptionsFor>[0]): number =>
      sourceWork(a, workOptionsFor(p)).filter((w) => w.opType === 'DequantizeLinear' && !w.free && w.mergedAs === undefined && a.tensors.get(a.nodes[w.index]!.inputs[0]!)?.isConstant).length;
    assert.ok(constDq(profile) > 0, 'host-x64 (onnxruntime CPU EP): unfused constant DQs are kernels');
    assert.equal(constDq(loadProfile('coral-edgetpu').profile), 0, 'a converting runtime folds them');
  });
  it('fitKernelCurves recovers the efficiencies that generated the timings, and the estimate then uses them', async () => {
    const cases = await analyses();
    const works = (a: ReturnType<typeof analyzeModel>) => sourceWork(a, workOptionsFor(profile));
    const P = 15e-6;
    const D = 0.4e-6;
    const truth = 0.3;
    const points: KernelPoint[] = cases.map((c) => {
      if (c.family === 'overhead') return { id: c.id, analysis: c.analysis, overheadChain: c.nodes, measuredMs: (P + c.nodes * D) * 1e3 };
      const w = works(c.analysis).find((x) => !x.free && x.mergedAs === undefined && x.opType === c.op)!;
      if (c.family === 'stream') return { id: c.id, analysis: c.analysis, op: c.op, stream: true, measuredMs: (P + D + w.weightBytes / 12e9) * 1e3 };
      const t = c.family === 'data_movement' ? (w.bytes ?? 0) / (unit.memoryBandwidthBytesPerSecond.value * truth) : (w.work ?? 0) / (peakFor(unit, w.dtype).value * truth);
      return { id: c.id, analysis: c.analysis, op: c.op, measuredMs: (P + D + t) * 1e3 };
    });
    const fit = fitKernelCurves(points, unit, works, { perInferenceS: 0, perNodeS: 0 });
    assert.ok(Math.abs(fit.perInferenceS - P) < 1e-9 && Math.abs(fit.perNodeS - D) < 1e-10);
    assert.ok(Math.abs(fit.weightBandwidth! / 12e9 - 1) < 0.01, `stream case: ${fit.weightBandwidth}`);
    assert.deepEqual(fit.skipped, []);
    for (const c of fit.curves) for (const p of c.points) assert.ok(Math.abs(p[p.length - 1]! / truth - 1) < 0.01, `${c.key}: ${p}`);
    const { profile: cal } = fitKernelCalibration({ points, grid: 'small, synthetic' }, [], profile, { runtime: { name: 'synthetic', version: '0' } });
    assert.ok(DeviceProfileSchema.safeParse(cal).success);
    // A grid case estimated with the calibrated profile comes back at its own time.
    const conv = cases.find((c) => c.id.startsWith('conv-k3-float'))!;
    const est = estimateCost(conv.analysis, cpuPlacement(conv.analysis, cal.id), cal).latencyMs!.estimate;
    const own = points.find((p) => p.id === conv.id)!.measuredMs;
    assert.ok(Math.abs(est / own - 1) < 0.05, `${est} vs ${own}`);
    const w = works(conv.analysis).find((x) => !x.free && x.mergedAs === undefined && x.opType !== 'Slice')!;
    assert.ok(kernelCurveTime(cal, cal.hardware.units.find((u) => u.id === 'cpu')!, conv.analysis, w));
    assert.equal(kernelCurveTime(profile, unit, conv.analysis, w), null, 'no curves in the shipped profile');
    // Weights the core's level-2 cache holds (else, without that figure, the last-level cache) are read as the
    // grid case read them; weights beyond it stream.
    const cache: [string, number, number, boolean][] = [
      ['weights fit the cache', 1e9, NaN, false],
      ['weights beyond the cache', 1, NaN, true],
      ['no cache figure', NaN, NaN, true],
      ['weights fit the core cache', 1, 1e9, false],
      ['weights beyond the core cache, inside the last-level cache', 1e9, 1, true],
    ];
    for (const [name, bytes, coreBytes, streams] of cache) {
      const p = structuredClone(cal);
      const cpu = p.hardware.units.find((u) => u.id === 'cpu')!;
      cpu.memoryBandwidthBytesPerSecond = { value: 1e6, source: 'test' };
      if (Number.isNaN(bytes)) delete cpu.cacheBytes;
      else cpu.cacheBytes = { value: bytes, source: 'test' };
      if (Number.isNaN(coreBytes)) delete cpu.coreCacheBytes;
      else cpu.coreCacheBytes = { value: coreBytes, source: 'test' };
      const t = estimateCost(conv.analysis, cpuPlacement(conv.analysis, p.id), p).latencyMs!.estimate;
      assert.equal(t > 10 * est, streams, `${name}: ${t} ms vs ${est} ms`);
    }
    // The cold-weight stall (calibrate's cold chains) is added to a compute curve's kernel whose weights come
    // from DRAM, and to no kernel whose weights stay in the core's cache.
    const mib = w.weightBytes / 2 ** 20;
    const stallRows: [string, number, number, number][] = [
      ['weights beyond the core cache, above the smallest chain: the line', 1, 0, (10 + 100 * mib) * 1e-3],
      ['weights beyond the core cache, below the smallest chain: in proportion', 1, 4 * mib, ((10 + 100 * 4 * mib) / 4) * 1e-3],
      ['weights in the core cache: none', 1e9, 0, 0],
    ];
    for (const [name, coreBytes, fromMib, want] of stallRows) {
      const p = structuredClone(cal);
      const cpu = p.hardware.units.find((u) => u.id === 'cpu')!;
      cpu.coreCacheBytes = { value: coreBytes, source: 'test' };
      const base = estimateCost(conv.analysis, cpuPlacement(conv.analysis, p.id), p).latencyMs!.estimate;
      // Only the kernel's own dtype counts: an int8 line says nothing of an fp32 convolution.
      cpu.coldWeightStall = { int8: { perKernelUs: { value: 1000, source: 'test' }, perMebibyteUs: { value: 1000, source: 'test' }, fromMebibytes: { value: 0, source: 'test' } } };
      assert.equal(estimateCost(conv.analysis, cpuPlacement(conv.analysis, p.id), p).latencyMs!.estimate, base, `${name}: int8 line on an fp32 conv`);
      cpu.coldWeightStall.float = { perKernelUs: { value: 10, source: 'test' }, perMebibyteUs: { value: 100, source: 'test' }, fromMebibytes: { value: fromMib, source: 'test' } };
      const t = estimateCost(conv.analysis, cpuPlacement(conv.analysis, p.id), p).latencyMs!.estimate;
      assert.ok(Math.abs(t - base - want) < 1e-6, `${name}: ${t - base} ms added, want ${want}`);
      assert.ok(DeviceProfileSchema.safeParse(p).success, name);
    }
  });
});
