/**
 * Issue 4 "Public measurements": EdgeGate's estimate for architectures with published on-device figures
 * (docs/cost-model.md, "Public measurements"). Benchmark figures, not a test; a check only: no profile
 * figure is fitted to these numbers.
 *
 *   npx tsx bench/cost-public.ts [--without-on-chip] DEVICE=MODEL.onnx[,MODEL.onnx...] ...
 *
 * e.g. `coral-edgetpu=/tmp/mobilenet_v2.int8.qdq.onnx,../shared/models/squeezenet1_0.int8.qdq.onnx`.
 * Prints per model and device: estimate [low, high] ms, accelerated MAC share, the time split (compute
 * units, transfers, streamed weights) and the assumptions the estimate made. `--without-on-chip` drops
 * every unit's `onChipBandwidthBytesPerSecond` and the weight cache (the model before they existed), to show
 * what they change.
 */
import { readModel } from '../src/onnx/reader.js';
import { analyzeModel } from '../src/graph/analyze.js';
import { loadProfile } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';
import { estimateCost, STREAMED_WEIGHTS } from '../src/cost/estimate.js';

const f = (x: number): string => x.toFixed(x < 1 ? 3 : 2);

async function main(): Promise<void> {
  const withoutOnChip = process.argv.includes('--without-on-chip');
  const pairs = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((a) => a.split('='));
  if (pairs.length === 0 || pairs.some((p) => p.length !== 2)) {
    console.error('usage: npx tsx bench/cost-public.ts DEVICE=MODEL.onnx[,MODEL.onnx...] ...');
    process.exit(2);
  }
  console.log('| device | model | estimate ms [low, high] | accelerated MACs | units ms | transfers ms | streamed weights |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [device, models] of pairs) {
    const { profile: loaded } = loadProfile(device!);
    const profile = structuredClone(loaded);
    if (withoutOnChip) {
      for (const u of profile.hardware.units) delete (u as { onChipBandwidthBytesPerSecond?: unknown }).onChipBandwidthBytesPerSecond;
      delete (profile.hardware as { acceleratorWeightCacheBytes?: unknown }).acceleratorWeightCacheBytes;
    }
    for (const file of models!.split(',')) {
      const analysis = analyzeModel(await readModel(file));
      const placement = placeModel(analysis, profile);
      const est = estimateCost(analysis, placement, profile);
      const L = est.latencyMs;
      const byUnit = new Map<string, number>();
      for (const n of est.perNode) byUnit.set(n.unit, (byUnit.get(n.unit) ?? 0) + n.latencyMs);
      const streamed = est.transfers.filter((t) => t.tensor === STREAMED_WEIGHTS).reduce((s, t) => s + t.bytes, 0);
      const name = file.split('/').pop();
      console.log(
        `| ${device} | ${name} | ${L ? `${f(L.estimate)} [${f(L.low)}, ${f(L.high)}]` : 'unknown'} | ${placement.macsAcceleratedFraction === null ? "n/a" : `${(placement.macsAcceleratedFraction * 100).toFixed(1)}%`} | ` +
          `${[...byUnit].map(([u, ms]) => `${u} ${f(ms)}`).join(', ')} | ${f(est.transferMs)} (${est.transfers.length}) | ${streamed} B |`,
      );
      for (const a of est.assumptions.slice(0, 6)) console.log(`  - ${a}`);
    }
  }
}

await main();
