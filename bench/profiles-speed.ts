/**
 * Speed bench (issue 3 "Speed"; a bench, not a test): one `edgegate check` process over every model in
 * ../shared/models with every shipped profile, against onnxruntime's checker invoked once per model (it
 * covers 3 targets), measured in the same run. Target: EdgeGate ≥ 20x faster in total wall time.
 *
 *   npm run build && node --import tsx bench/profiles-speed.ts
 *
 * Env: EDGEGATE_PYTHON (default /work/venv/bin/python) — a Python with onnxruntime installed;
 *      EDGEGATE_MODELS (default ../shared/models);
 *      EDGEGATE_BIN (default bin/edgegate.js) — the CLI entry to time (e.g. a build made elsewhere).
 * Also times the engine in-process (read + analyze + placeModel for every model × profile), which is what
 * the CLI adds per device once the lead's wiring calls placeModel.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readModelSync } from '../src/onnx/reader.js';
import { analyzeModel } from '../src/graph/analyze.js';
import { loadShippedProfiles } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';

const ROOT = resolve(import.meta.dirname, '..');
const MODELS = resolve(ROOT, process.env['EDGEGATE_MODELS'] ?? '../shared/models');
const PYTHON = process.env['EDGEGATE_PYTHON'] ?? '/work/venv/bin/python';

if (!existsSync(MODELS)) {
  console.error(`no models folder at ${MODELS} (set EDGEGATE_MODELS)`);
  process.exit(1);
}
const models = readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(MODELS, f));
const { profiles, errors } = loadShippedProfiles();
for (const e of errors) console.error(`profile error: ${e.message}`);
const ids = profiles.map((p) => p.id);
console.log(`${models.length} models × ${ids.length} profiles (${ids.join(', ')})`);

// Both tools read the same files: read them once first, so neither run is timed against a cold page cache.
for (const m of models) readFileSync(m);

// 1. EdgeGate CLI: one process for everything.
const BIN = resolve(ROOT, process.env['EDGEGATE_BIN'] ?? 'bin/edgegate.js');
const args = [BIN, 'check', ...models, ...ids.flatMap((id) => ['--device', id]), '--format', 'json'];
let t0 = performance.now();
const cli = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
const cliMs = performance.now() - t0;
let placed = 0;
let notWired = false;
try {
  const report = JSON.parse(cli.stdout) as { errors: { code: string }[]; models: { devices: { nodes: unknown[] }[] }[] };
  placed = report.models.reduce((s, m) => s + m.devices.filter((d) => Array.isArray(d.nodes) && d.nodes.length > 0).length, 0);
  notWired = report.errors.some((e) => e.code === 'NOT_IMPLEMENTED');
} catch {
  console.error(`edgegate check did not print a JSON report (exit ${cli.status}): ${(cli.stderr || cli.stdout).slice(0, 400)}`);
}
console.log(`edgegate check (1 process): ${(cliMs / 1000).toFixed(2)} s, exit ${cli.status}, ${placed} model×device placements in the report${notWired ? ' — WARNING: devices not wired into the CLI yet (NOT_IMPLEMENTED)' : ''}`);

// 2. The engine in-process: what device evaluation costs on top of reading and analysis. The first pass
// also pays tsx's on-the-fly TypeScript compilation, so the second (warm) pass is the one reported.
let inprocMs = 0;
let engineMs = 0;
for (let pass = 0; pass < 2; pass++) {
  t0 = performance.now();
  engineMs = 0;
  for (const m of models) {
    const a = analyzeModel(readModelSync(m));
    const e0 = performance.now();
    for (const p of profiles) placeModel(a, p.profile);
    engineMs += performance.now() - e0;
  }
  inprocMs = performance.now() - t0;
}
console.log(`in-process read+analyze+place (warm): ${(inprocMs / 1000).toFixed(2)} s (placeModel alone ${(engineMs / 1000).toFixed(2)} s for ${models.length * profiles.length} placements)`);

// 3. onnxruntime's checker, once per model.
let checkerMs = 0;
let checkerOk = 0;
for (const m of models) {
  const c0 = performance.now();
  const r = spawnSync(PYTHON, ['-m', 'onnxruntime.tools.check_onnx_model_mobile_usability', m], { encoding: 'utf8', cwd: '/tmp' });
  checkerMs += performance.now() - c0;
  if (r.status === 0) checkerOk++;
  else console.error(`checker failed on ${m}: ${(r.stderr || r.error?.message || '').split('\n').slice(-2).join(' ')}`);
}
console.log(`onnxruntime checker (${models.length} processes, ${checkerOk} ok): ${(checkerMs / 1000).toFixed(2)} s`);
if (placed > 0 && !notWired) console.log(`ratio checker / edgegate check: ${(checkerMs / cliMs).toFixed(1)}x (target >= 20x)`);
else console.log('ratio checker / edgegate check: NOT MEASURED (the CLI did not place models on devices; run `npm run build` after the lead wires placeModel into src/devices.ts)');
console.log(`ratio checker / in-process engine: ${(checkerMs / inprocMs).toFixed(1)}x`);
