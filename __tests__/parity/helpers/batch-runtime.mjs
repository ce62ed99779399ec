#!/usr/bin/env node
// A fake external runtime for the `time-batch` protocol tests: no model is run; every model "takes"
// FAKE_MS (default 1) ms per run. Behaviour by FAKE_MODE:
//   ok (default)  answer `time-batch` with minRuns runs per model, CPU times too, and FAKE_HOST (JSON) as host
//   no-batch      a runtime written before `time-batch`: answers every action with timingsMs only
//   drop-first    leave the first model out of `batch`
//   empty-runs    give the first model an empty timingsMs
// Usage: batch-runtime.mjs MANIFEST.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const m = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const mode = process.env.FAKE_MODE ?? 'ok';
const ms = Number(process.env.FAKE_MS ?? '1');
const result = { protocol: m.protocol, outputs: {}, runtime: { name: 'fake-batch', version: '1' } };
if (process.env.FAKE_HOST) result.host = JSON.parse(process.env.FAKE_HOST);
if (m.action === 'time-batch' && mode !== 'no-batch') {
  result.batch = m.models.map((x) => ({ id: x.id, timingsMs: Array(m.minRuns).fill(ms), cpuTimingsMs: Array(m.minRuns).fill(ms) }));
  if (mode === 'drop-first') result.batch.shift();
  if (mode === 'empty-runs' && result.batch[0]) result.batch[0].timingsMs = [];
} else {
  result.timingsMs = Array(m.runs ?? 1).fill(ms);
}
writeFileSync(join(m.outputDir, 'result.json'), JSON.stringify(result));
