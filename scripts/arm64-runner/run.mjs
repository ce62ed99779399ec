// Runs a Node script under the emulated arm64 Node 24:
//   node scripts/arm64-runner/run.mjs SCRIPT [ARGS...]
// Environment: EDGEGATE_ARM64_ROOT (default /work/arm64-root), EDGEGATE_ARM64_CPU (default cortex-a72,
// must match the cpuinfo the setup script wrote). Exit code is the emulated process's.
import { findArm64Runner, runArm64 } from './env.mjs';

const runner = findArm64Runner();
if (!runner.available) {
  console.error(`arm64 runner unavailable: ${runner.reason}. Build it with scripts/arm64-runner/setup.sh`);
  process.exit(3);
}
const r = await runArm64(runner, process.argv.slice(2));
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
process.exit(r.code ?? 1);
