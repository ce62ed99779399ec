/**
 * EdgeGate's latency estimate against published on-device figures (docs/cost-model.md, "Public
 * measurements"). Benchmark figures, not a test.
 *
 *   npx tsx bench/cost-public.ts [--without-on-chip] [--json out.json] [--only DEVICE]
 *
 * Models: torchvision architectures with random weights at each figure's input size, made by
 * `bench/public-models/make_public_models.py` (regenerate them with it; they are not committed), plus
 * ../shared/models. A pair whose model file is missing is listed as skipped, never dropped silently.
 *
 * Two columns per pair:
 * - `profile`: the shipped profile as is. The Raspberry Pi 4 and 5 CPU figures are fitted to these very
 *   figures (scripts/fit-public-profiles.ts; no public ONNX Runtime figures exist for the boards), so their
 *   rows in this column are in-sample; every other profile's figures come from its documents;
 * - `LOAO`: leave one architecture out. The device profile, with any calibration undone (`uncalibrated`: the
 *   figures recorded in `calibration.priors`), is calibrated (`fitCalibrationDetailed`, whole-model times, the
 *   accelerator unit) on the published figures of the device's *other* architectures, and the held-out
 *   architecture is estimated with that fit, so no figure is ever scored on a pair it was fitted to.
 * Tallies against the targets: within 2x, median |log2(estimate/published)|, published inside [low, high]
 * (the range is the estimate's P10-P90, `DEFAULT_RANGE_Z`), median high/low, and the RMS of ln(estimate/published)
 * with the width an honest P10-P90 range of that spread would have. Every mismatch between the published setup and the profile (runtime, threads,
 * precision, variant) is printed with its pair.
 *
 * `--without-on-chip` drops every unit's `onChipBandwidthBytesPerSecond` and the weight cache.
 */
import { writeFileSync } from 'node:fs';
import type { GraphAnalysis } from '../src/graph/types.js';
import { loadProfile } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';
import type { DevicePlacement } from '../src/profiles/placement.js';
import type { DeviceProfile } from '../src/profiles/schema.js';
import { estimateCost } from '../src/cost/estimate.js';
import { fitCalibrationDetailed, uncalibrated, type CalibrationMeasurement } from '../src/cost/calibrate.js';
import { PUBLIC_SOURCES, type PublicPair } from './public-models/pairs.js';
import { loadPairModels, looFitOptions, PUBLICLY_FITTED_DEVICES } from './public-models/load.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

interface Loaded {
  readonly pair: PublicPair;
  readonly analysis: GraphAnalysis;
  readonly placement: DevicePlacement;
}

interface Scored {
  readonly pair: PublicPair;
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly accelerated: number | null;
  readonly assumptions: readonly string[];
}

function stripOnChip(p: DeviceProfile): DeviceProfile {
  const profile = structuredClone(p);
  for (const u of profile.hardware.units) delete (u as { onChipBandwidthBytesPerSecond?: unknown }).onChipBandwidthBytesPerSecond;
  delete (profile.hardware as { acceleratorWeightCacheBytes?: unknown }).acceleratorWeightCacheBytes;
  return profile;
}

function score(l: Loaded, profile: DeviceProfile): Scored | null {
  const est = estimateCost(l.analysis, l.placement, profile, { whatIfThreshold: Infinity });
  const L = est.latencyMs;
  if (!L) return null;
  return { pair: l.pair, estimate: L.estimate, low: L.low, high: L.high, accelerated: l.placement.macsAcceleratedFraction, assumptions: est.assumptions };
}

/** Leave one architecture out: fit the device's profile on the other architectures' published figures. */
function loao(device: string, rows: readonly Loaded[], profile: DeviceProfile): Map<Loaded, Scored | null> {
  const out = new Map<Loaded, Scored | null>();
  const archs = [...new Set(rows.map((r) => r.pair.arch))];
  for (const arch of archs) {
    const train = rows.filter((r) => r.pair.arch !== arch);
    const test = rows.filter((r) => r.pair.arch === arch);
    if (new Set(train.map((r) => r.pair.arch)).size < 2) {
      for (const t of test) out.set(t, null);
      continue;
    }
    const measurements: CalibrationMeasurement[] = train.map((r) => ({
      model: `${r.pair.model} (${r.pair.source})`,
      analysis: r.analysis,
      placement: r.placement,
      measuredMs: r.pair.publishedMs,
    }));
    try {
      // From the figures as they were before any fit (a shipped profile fitted to these very figures by
      // scripts/fit-public-profiles.ts has seen the held-out architecture).
      const { profile: fitted } = fitCalibrationDetailed(measurements, uncalibrated(profile), {
        runtime: { name: 'published figures', version: 'n/a' },
        unit: profile.hardware.acceleratorUnit,
        ...looFitOptions(device),
        tool: 'bench/cost-public.ts',
      });
      for (const t of test) out.set(t, score(t, fitted));
    } catch (e) {
      console.error(`${device}: LOAO fit without ${arch} failed: ${(e as Error).message}`);
      for (const t of test) out.set(t, null);
    }
  }
  return out;
}

interface Tally {
  readonly n: number;
  readonly within2x: number;
  readonly medianAbsLog2: number;
  readonly inside: number;
  readonly medianSpan: number;
  /** RMS of ln(estimate / published): the spread a calibrated P10-P90 range (z 1.2816) should reflect. */
  readonly rmsLn: number;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function tally(rows: readonly Scored[]): Tally {
  const logs = rows.map((r) => Math.log2(r.estimate / r.pair.publishedMs));
  return {
    n: rows.length,
    within2x: logs.filter((x) => Math.abs(x) <= 1).length,
    medianAbsLog2: median(logs.map(Math.abs)),
    inside: rows.filter((r) => r.low <= r.pair.publishedMs && r.pair.publishedMs <= r.high).length,
    medianSpan: median(rows.map((r) => (r.low > 0 ? r.high / r.low : Infinity))),
    rmsLn: Math.sqrt(logs.reduce((a, x) => a + (x * Math.LN2) ** 2, 0) / Math.max(logs.length, 1)),
  };
}

function printTally(label: string, t: Tally): void {
  const pct = (k: number): string => `${k}/${t.n} (${((100 * k) / Math.max(t.n, 1)).toFixed(0)} %)`;
  console.log(
    `${label}: within 2x ${pct(t.within2x)} [target >= 80 %]; median |log2 ratio| ${t.medianAbsLog2.toFixed(2)} [<= 0.5]; ` +
      `inside [low, high] ${pct(t.inside)} [>= 80 %]; median high/low ${t.medianSpan.toFixed(1)} [<= 3]; ` +
      `RMS ln(estimate/published) ${t.rmsLn.toFixed(2)} (a P10-P90 range that matches it spans x${Math.exp(2 * 1.2816 * t.rmsLn).toFixed(1)})`,
  );
}

async function main(): Promise<void> {
  const withoutOnChip = process.argv.includes('--without-on-chip');
  const only = arg('--only');
  const jsonOut = arg('--json');
  const byDevice = new Map<string, Loaded[]>();
  const profiles = new Map<string, DeviceProfile>();
  const { models, skipped } = await loadPairModels((p) => !only || p.device === only);
  for (const { pair, analysis } of models) {
    if (!profiles.has(pair.device)) {
      const p = loadProfile(pair.device).profile;
      profiles.set(pair.device, withoutOnChip ? stripOnChip(p) : p);
    }
    const placement = placeModel(analysis, profiles.get(pair.device)!);
    const list = byDevice.get(pair.device) ?? [];
    list.push({ pair, analysis, placement });
    byDevice.set(pair.device, list);
  }

  const shipped: Scored[] = [];
  const held: Scored[] = [];
  const json: unknown[] = [];
  console.log('| device | model | arch | published ms | profile: estimate [low, high] | ratio | LOAO: estimate [low, high] | ratio | acc. MACs | source | mismatches |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [device, rows] of byDevice) {
    const profile = profiles.get(device)!;
    const fitted = loao(device, rows, profile);
    for (const r of rows) {
      const s = score(r, profile);
      const h = fitted.get(r) ?? null;
      if (s) shipped.push(s);
      if (h) held.push(h);
      const cell = (x: Scored | null): string => (x ? `${f(x.estimate)} [${f(x.low)}, ${f(x.high)}]` : 'n/a');
      const ratio = (x: Scored | null): string => (x ? `x${(x.estimate / r.pair.publishedMs).toFixed(2)}` : 'n/a');
      const acc = s?.accelerated;
      console.log(
        `| ${device} | ${r.pair.model} | ${r.pair.arch} | ${r.pair.publishedMs} | ${cell(s)} | ${ratio(s)} | ${cell(h)} | ${ratio(h)} | ` +
          `${acc === null || acc === undefined ? 'n/a' : `${(acc * 100).toFixed(0)}%`} | ${r.pair.source} | ${r.pair.mismatches.join('; ') || 'none'} |`,
      );
      json.push({ ...r.pair, profile: s && { estimate: s.estimate, low: s.low, high: s.high, assumptions: s.assumptions }, loao: h && { estimate: h.estimate, low: h.low, high: h.high } });
    }
  }
  console.log('');
  printTally('profile as shipped', tally(shipped));
  printTally('leave one architecture out', tally(held));
  // The shipped profiles on architectures they have not seen: a device fitted to these figures is scored
  // by its held-out fits, every other device as shipped.
  const unseen = [...shipped.filter((s) => !PUBLICLY_FITTED_DEVICES.includes(s.pair.device)), ...held.filter((s) => PUBLICLY_FITTED_DEVICES.includes(s.pair.device))];
  printTally(`shipped, ${PUBLICLY_FITTED_DEVICES.join(', ')} held out`, tally(unseen));
  const gm = (rows: readonly Scored[]): string =>
    rows.length ? `x${Math.exp(rows.reduce((a, s) => a + Math.log(s.estimate / s.pair.publishedMs), 0) / rows.length).toFixed(2)}` : 'n/a';
  const line = (label: string, rows: readonly Scored[]): string => {
    const t = tally(rows);
    return `${label} ${t.n} pairs, geometric mean estimate/published ${gm(rows)}, within 2x ${t.within2x}/${t.n}, inside ${t.inside}/${t.n}, median high/low ${t.medianSpan.toFixed(1)}`;
  };
  console.log('\nPer device (profile as shipped | leave one architecture out):');
  for (const device of byDevice.keys()) {
    console.log(`  ${device}: ${line('shipped', shipped.filter((s) => s.pair.device === device))} | ${line('LOAO', held.filter((s) => s.pair.device === device))}`);
  }
  console.log('Per source:');
  for (const source of new Set(shipped.map((s) => s.pair.source))) {
    console.log(`  ${source}: ${line('shipped', shipped.filter((s) => s.pair.source === source))} | ${line('LOAO', held.filter((s) => s.pair.source === source))}`);
  }
  for (const s of skipped) console.log(`skipped: ${s}`);
  console.log('\nSources:');
  for (const [k, v] of Object.entries(PUBLIC_SOURCES)) console.log(`- ${k}: ${v}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(json, null, 1));
}

await main();
