import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelGrid } from '../../src/cost/kernel-grid.js';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { sourceWork } from '../../src/cost/work.js';
import { estimateCost, peakFor, workOptionsFor } from '../../src/cost/estimate.js';
import { curveSigma, fitKernelCurves, fitOverheadLine, kernelCurveTime, predictLogEfficiency, type KernelPoint } from '../../src/cost/kernel-curves.js';
import { cpuPlacement, fitKernelCalibration } from '../../src/cost/calibrate.js';
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
  it('curveSigma is leave-one-out: 0-spread points give the floor, scattered points more', () => {
    assert.equal(curveSigma([[0, 0.2], [1, 0.2], [2, 0.2]]), Math.log(1.1));
    assert.ok(curveSigma([[0, 0.05], [1, 0.5], [2, 0.05]]) > 1);
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
  });
});
