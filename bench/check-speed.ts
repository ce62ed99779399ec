/**
 * Speed bench (issue 2; a bench, not a test): wall time to check every model in ../shared/models,
 * measured side by side in one run:
 *   - onnxruntime's `python -m onnxruntime.tools.check_onnx_model_mobile_usability`, once per model
 *     (its only mode), and
 *   - one `edgegate check` process over all of them (static analysis, no device), plus
 *   - per model, one `edgegate check` process each, beside the checker's time for that model.
 * Target: EdgeGate at least 20x faster in total.
 *
 *   npm run build && node --import tsx bench/check-speed.ts
 *
 * Env: EDGEGATE_PYTHON (default /work/venv/bin/python, a Python with onnxruntime),
 *      EDGEGATE_MODELS (default ../shared/models).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const MODELS = resolve(ROOT, process.env['EDGEGATE_MODELS'] ?? '../shared/models');
const PYTHON = process.env['EDGEGATE_PYTHON'] ?? '/work/venv/bin/python';
if (!existsSync(MODELS)) {
  console.error(`no models folder at ${MODELS} (set EDGEGATE_MODELS)`);
  process.exit(1);
}
const models = readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(MODELS, f));

function timed(cmd: string, args: string[], cwd: string): { ms: number; status: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ms: performance.now() - t0, status: r.status, stderr: r.stderr ?? String(r.error ?? '') };
}

const edgegate = (files: string[]): ReturnType<typeof timed> =>
  timed(process.execPath, [join(ROOT, 'bin/edgegate.js'), 'check', ...files, '--format', 'json', '--out', '/dev/null'], ROOT);
const checker = (file: string): ReturnType<typeof timed> =>
  timed(PYTHON, ['-m', 'onnxruntime.tools.check_onnx_model_mobile_usability', file], '/tmp');

console.log(`node ${process.version}, ${models.length} models from ${MODELS}`);
// Both tools read the same files: read them once first, so neither run is timed against a cold page cache.
for (const m of models) readFileSync(m);
const all = edgegate(models);
if (all.status !== 0) console.error(`edgegate exited ${all.status}: ${all.stderr.slice(0, 400)}`);

const rows: [string, number, number][] = [];
let checkerTotal = 0;
let singleTotal = 0;
for (const m of models) {
  const c = checker(m);
  if (c.status !== 0) console.error(`checker failed on ${basename(m)}: ${c.stderr.split('\n').slice(-2).join(' ')}`);
  const e = edgegate([m]);
  checkerTotal += c.ms;
  singleTotal += e.ms;
  rows.push([basename(m), c.ms, e.ms]);
}

console.log('\nper model, one process each:');
console.log(`${'model'.padEnd(36)} ${'ORT checker'.padStart(12)} ${'edgegate'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const [name, c, e] of rows) {
  console.log(`${name.padEnd(36)} ${(c / 1000).toFixed(2).padStart(10)} s ${(e / 1000).toFixed(2).padStart(8)} s ${(c / e).toFixed(1).padStart(6)}x`);
}
console.log(`${'sum'.padEnd(36)} ${(checkerTotal / 1000).toFixed(2).padStart(10)} s ${(singleTotal / 1000).toFixed(2).padStart(8)} s ${(checkerTotal / singleTotal).toFixed(1).padStart(6)}x`);
console.log(`\nall models: ORT checker ${models.length} processes ${(checkerTotal / 1000).toFixed(2)} s vs one edgegate check process ${(all.ms / 1000).toFixed(2)} s → ${(checkerTotal / all.ms).toFixed(1)}x (target >= 20x)`);
