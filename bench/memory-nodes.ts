/**
 * Memory and time bench for node count: peak RSS and wall time of `edgegate check` on a chain of
 * 100,000 tiny Relu nodes (a ~2.3 MB model), by stage (read, analysis) and for the whole check with one
 * device and with every shipped profile; then the wall time of a 60,000-node chain with every shipped
 * profile (the fuzz campaign counts a case over 60 s as a hang). Targets: under 300 MB RSS for the
 * 100,000-node model with one device, well under 1 GB with every profile. An empty node process is
 * printed as the baseline it is measured against. Each measurement runs in a fresh process.
 *
 *   node --import tsx bench/memory-nodes.ts [--nodes 100000] [--long-nodes 60000] [--skip-long]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildModel } from '../__tests__/support/onnx-builder.js';

const args = process.argv.slice(2);
const numArg = (name: string, dflt: number): number => Number(args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const n = numArg('--nodes', 100_000);
const longN = numArg('--long-nodes', 60_000);
const dir = mkdtempSync(join(tmpdir(), 'edgegate-bench-nodes-'));

function chain(count: number): string {
  const file = join(dir, `relu_chain_${count}.onnx`);
  buildModel({
    inputs: [{ name: 'x', dims: [1, 16] }],
    outputs: [{ name: 'y' }],
    nodes: Array.from({ length: count }, (_, i) => ({ op: 'Relu', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [i === count - 1 ? 'y' : `t${i}`], name: `r${i}` })),
  }, file);
  return file;
}
const profiles = readdirSync(resolve('device-profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));

interface Run { rssMb: number; seconds: number; lines: string }
function run(script: string): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 900_000 });
  const seconds = (performance.now() - t0) / 1000;
  const kb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { rssMb: kb / 1024, seconds, lines: r.stdout.trimEnd() + (Number.isNaN(kb) ? r.stderr.slice(-500) : '') };
}

const src = (p: string): string => JSON.stringify(resolve('src', p));
const MAXRSS = `process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n');`;
/** `edgegate check` through the CLI's main in a fresh process; the time printed is main's own. */
const check = (model: string, devices: string[]): Run => run(`
import { main } from ${src('cli/main.ts')};
import { tightenHeapGrowth } from ${src('util/heap.ts')};
tightenHeapGrowth(); // as the CLI's and the action's entry points do
const t0 = performance.now();
const code = await main(['check', ${JSON.stringify(model)}, ${devices.map((d) => `'--device', '${d}'`).join(', ')}${devices.length ? ',' : ''} '--format', 'json', '--out', '/dev/null', '--fail-on', 'never']);
process.stdout.write(((performance.now() - t0) / 1000).toFixed(2));
${MAXRSS}`);
const fmt = (r: Run): string => `peak RSS ${r.rssMb.toFixed(0)} MB, check ${r.lines} s (process ${r.seconds.toFixed(1)} s)`;

const model = chain(n);
const stages = run(`
import { readModel } from ${src('onnx/reader.ts')};
import { analyzeModel } from ${src('graph/analyze.ts')};
const mb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
let t = performance.now();
const s = () => { const d = ((performance.now() - t) / 1000).toFixed(2); t = performance.now(); return d; };
const m = await readModel(${JSON.stringify(model)}, { skipHash: true }); console.log('  read      ' + s() + ' s, peak RSS ' + mb() + ' MB');
analyzeModel(m); console.log('  analysis  ' + s() + ' s, peak RSS ' + mb() + ' MB');
${MAXRSS}`);
const baseline = run(MAXRSS);
console.log(`${n}-node Relu chain; node ${process.version}; empty node process (with tsx) peak RSS ${baseline.rssMb.toFixed(0)} MB, ${baseline.seconds.toFixed(1)} s; target < 300 MB`);
console.log(stages.lines);
console.log(`check, 1 device (raspberry-pi-4):   ${fmt(check(model, ['raspberry-pi-4']))}`);
console.log(`check, ${profiles.length} shipped profiles:      ${fmt(check(model, profiles))}`);
// The built CLI as users run it (npm run build first): bundle, entry point and all.
const bin = resolve('bin', 'edgegate.js');
const cli = (devices: string[]): string => {
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, bin, 'check', model, ...devices.flatMap((d) => ['--device', d]), '--format', 'json', '--out', '/dev/null', '--fail-on', 'never'], { encoding: 'utf8', timeout: 900_000 });
  const kb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return Number.isNaN(kb) ? `failed: ${r.stderr.slice(-300)}` : `peak RSS ${(kb / 1024).toFixed(0)} MB`;
};
console.log(`built CLI (bin/edgegate.js), 1 device: ${cli(['raspberry-pi-4'])}; ${profiles.length} profiles: ${cli(profiles)}`);
if (!args.includes('--skip-long')) {
  const long = chain(longN);
  console.log(`${longN}-node chain, ${profiles.length} profiles:   ${fmt(check(long, profiles))}; the fuzzer's hang line is 60 s`);
}
rmSync(dir, { recursive: true, force: true });
