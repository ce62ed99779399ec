#!/usr/bin/env node
// `npm run bench`: every bench in bench/, one after another, with their default arguments (the figures the
// closing notes and docs quote). Benches are measurements, not tests: they print figures and targets and
// exit 0 unless a bench itself crashes. Run one with `node --import tsx bench/NAME.ts`.
// Needs ../shared/models; the checker comparisons need a Python with onnxruntime (EDGEGATE_PYTHON).
import { spawnSync } from 'node:child_process';

const BENCHES = [
  'analysis-conformance.ts',
  'analysis-speed.ts',
  'check-speed.ts',
  'memory.ts',
  'profiles-agreement.ts',
  'folding-truth.ts',
  'profiles-quant.ts',
  'profiles-speed.ts',
  'cost-accuracy.ts',
  'parity-fault-localization.ts',
  'parity-arm64.ts',
  // ~15 min on 2 cores: 10,000 model and 1,100 config/profile/parity cases (docs/limits.md, "How the limits are tested").
  'fuzz.ts',
];

const only = process.argv.slice(2);
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const failed = [];
for (const bench of BENCHES) {
  if (only.length > 0 && !only.some((o) => bench.startsWith(o))) continue;
  console.log(`\n===== bench/${bench}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}`], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${bench} (exit ${r.status ?? r.signal})`);
}
if (failed.length > 0) {
  console.error(`\nbenches that crashed: ${failed.join(', ')}`);
  process.exit(1);
}
