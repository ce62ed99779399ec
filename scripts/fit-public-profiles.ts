/**
 * Fits the Raspberry Pi 4 and 5 CPU figures (op-class efficiencies, DRAM bandwidth, per-node overhead) to the
 * published latencies of bench/public-models/pairs.ts and writes them into the shipped profiles, with the
 * fit's `calibration` block (its models, in-sample estimates, spread and the figures it replaced, `priors`).
 *
 *   node --import tsx scripts/fit-public-profiles.ts [--check]
 *
 * Why: the boards' efficiencies were placeholders ("until `edgegate calibrate` fits them on the target"), and
 * their estimates ran x0.7 (Pi 4) of the published figures with P10-P90 ranges of x3.8-4.8. No public ONNX
 * Runtime measurement of these boards exists; the published figures come from ncnn, TFLite (XNNPACK, ruy),
 * ArmNN and TVM, and each pair lists its mismatches. The profile says so, and `edgegate calibrate --kernels`
 * through the board's runner replaces the fit with onnxruntime's own timings.
 *
 * Every fit starts from the figures before any fit (`uncalibrated`), so rerunning gives the same profile.
 * bench/cost-public.ts scores the shipped profile (in-sample for these two boards) and, the honest figure,
 * each architecture held out of a fit made the same way. Needs the models of make_public_models.py.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { loadProfile } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';
import { fitCalibrationDetailed, uncalibrated } from '../src/cost/calibrate.js';
import type { ComputeDtype, OpClass } from '../src/profiles/schema.js';
import { TOOL_VERSION } from '../src/version.js';
import { loadPairModels, PUBLIC_FIT, PUBLICLY_FITTED_DEVICES } from '../bench/public-models/load.js';
import { PUBLIC_SOURCES } from '../bench/public-models/pairs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIT_SOURCE = 'public-figures-fit';
// Not the Raspberry Pi 5: its only published figures are ncnn's, which computes "fp32" models in fp16 on the
// A76. Fitted to them, the fp32 conv efficiency hit the 1.0 bound and the DRAM bandwidth came out at 28.7 GB/s,
// above LPDDR4X-4267's 17 GB/s on the board's 32-bit bus: figures no one could defend for onnxruntime's fp32.
const DEVICES = PUBLICLY_FITTED_DEVICES;

/** The runtimes behind a source's figures, for the estimate's assumption line. */
function runtimesOf(source: string): string[] {
  const text = PUBLIC_SOURCES[source] ?? '';
  return ['ncnn', 'XNNPACK', 'TFLite', 'ArmNN', 'TVM'].filter((r) => text.includes(r) || source.includes(r.toLowerCase()));
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const { models, skipped } = await loadPairModels((p) => DEVICES.includes(p.device));
  if (skipped.length > 0) {
    // A fit on part of the figures would silently ship a different profile.
    process.stderr.write(`fit-public-profiles: ${skipped.length} model files missing, nothing written:\n  ${skipped.join('\n  ')}\n`);
    process.exit(2);
  }
  let stale = false;
  for (const device of DEVICES) {
    const file = join(root, 'device-profiles', `${device}.yaml`);
    const base = uncalibrated(loadProfile(file).profile);
    const rows = models.filter((m) => m.pair.device === device);
    const sources = [...new Set(rows.map((r) => r.pair.source))];
    const unit = base.hardware.acceleratorUnit;
    const { profile: fitted, detail } = fitCalibrationDetailed(
      rows.map((r) => ({ model: `${r.pair.model} (${r.pair.source}, ${r.pair.arch})`, analysis: r.analysis, placement: placeModel(r.analysis, base), measuredMs: r.pair.publishedMs })),
      base,
      {
        runtime: { name: 'published figures', version: sources.join(', ') },
        unit,
        ...PUBLIC_FIT,
        tool: `scripts/fit-public-profiles.ts (edgegate ${TOOL_VERSION})`,
      },
    );
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const units = fitted.hardware.units;
    const ui = units.findIndex((u) => u.id === unit);
    const fu = units[ui]!;
    const renamed = <T extends { source: unknown }>(f: T): T => (f.source === 'edgegate-calibration' ? { ...f, source: FIT_SOURCE } : f);
    for (const [cls, byDtype] of Object.entries(fu.efficiency) as [OpClass, Partial<Record<ComputeDtype, { source: unknown }>>][]) {
      for (const [dt, fig] of Object.entries(byDtype) as [ComputeDtype, { source: unknown }][]) {
        doc.setIn(['hardware', 'units', ui, 'efficiency', cls, dt], renamed(fig));
      }
    }
    doc.setIn(['hardware', 'units', ui, 'memoryBandwidthBytesPerSecond'], renamed(fu.memoryBandwidthBytesPerSecond));
    doc.setIn(['hardware', 'units', ui, 'perNodeOverheadUs'], renamed(fu.perNodeOverheadUs));
    doc.setIn(['sources', FIT_SOURCE], {
      path: 'bench/public-models/pairs.ts',
      version: `edgegate ${TOOL_VERSION}: the pairs and sources as read ${PUBLIC_FIT.date}`,
      retrieved: PUBLIC_FIT.date,
      section: `${device} pairs: ${sources.map((s) => `${s} (${rows.filter((r) => r.pair.source === s).length})`).join(', ')}`,
      note:
        `Fitted to ${rows.length} published latencies of ${new Set(rows.map((r) => r.pair.arch)).size} architectures on this board ` +
        `(bounded least squares per op class and dtype, src/cost/calibrate.ts; in-sample residual sigma ${detail.residualSigma.toFixed(3)}): ` +
        sources.map((s) => PUBLIC_SOURCES[s]).join('; ') +
        '. No public ONNX Runtime measurement of the board was found; the runtimes differ from the profile (ncnn, TFLite/XNNPACK, ' +
        'TFLite/ruy, ArmNN, TVM: each pair lists its mismatches), so these figures describe an optimized CPU runtime on the board. ' +
        '`edgegate calibrate --kernels` through the board\'s runner measures onnxruntime itself.',
    });
    const cal = {
      ...structuredClone(fitted.calibration!),
      proxy: `figures fitted to other runtimes' published latencies on the board (${[...new Set(rows.flatMap((r) => runtimesOf(r.pair.source)))].join(', ')}), not timed with onnxruntime`,
    };
    doc.setIn(['calibration'], cal);
    const text = doc.toString({ lineWidth: 120 });
    const old = readFileSync(file, 'utf8');
    if (text !== old) {
      stale = true;
      if (!check) writeFileSync(file, text);
    }
    process.stdout.write(`${device}: ${rows.length} figures, residual sigma ${detail.residualSigma.toFixed(3)}, per-node ${detail.overheadUs.toFixed(1)} us, ` +
      `DRAM ${(detail.bandwidth / 1e9).toFixed(2)} GB/s; efficiencies ${Object.entries(detail.efficiencies).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}${check ? (text !== old ? ' (stale)' : ' (up to date)') : ''}\n`);
    for (const m of detail.models) process.stdout.write(`  ${m.model}: published ${m.measuredMs} ms, fitted ${m.estimatedMs.toFixed(2)} ms (x${(m.estimatedMs / m.measuredMs).toFixed(2)})\n`);
  }
  if (check && stale) process.exit(1);
}

await main();
