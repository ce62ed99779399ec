/**
 * Memory bench for node count: peak RSS of `edgegate check` on a chain of 100,000 tiny Relu nodes
 * (a ~3 MB model), by stage (read, analysis, each device's placement+cost) and for the whole CLI run with
 * one device and with every shipped profile. Target: under 300 MB. An empty node process is printed as
 * the baseline it is measured against.
 *
 *   node --import tsx bench/memory-nodes.ts [--nodes 100000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildModel } from '../__tests__/support/onnx-builder.js';

const args = process.argv.slice(2);
const n = Number(args.includes('--nodes') ? args[args.indexOf('--nodes') + 1] : 100_000);
const dir = mkdtempSync(join(tmpdir(), 'edgegate-bench-nodes-'));
const model = join(dir, 'relu_chain.onnx');
buildModel({
  inputs: [{ name: 'x', dims: [1, 16] }],
  outputs: [{ name: 'y' }],
  nodes: Array.from({ length: n }, (_, i) => ({ op: 'Relu', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [i === n - 1 ? 'y' : `t${i}`], name: `r${i}` })),
}, model);
const profiles = readdirSync(resolve('device-profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));

function run(script: string): { rssMb: number; lines: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 900_000 });
  const kb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { rssMb: kb / 1024, lines: r.stdout.trim() + (Number.isNaN(kb) ? r.stderr.slice(-500) : '') };
}

const src = (p: string): string => JSON.stringify(resolve('src', p));
const stages = run(`
import { readModel } from ${src('onnx/reader.ts')};
import { analyzeModel } from ${src('graph/analyze.ts')};
const mb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const m = await readModel(${JSON.stringify(model)}, { skipHash: true }); console.log('  after read      peak RSS ' + mb() + ' MB');
analyzeModel(m); console.log('  after analysis  peak RSS ' + mb() + ' MB');
process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n');`);
const baseline = run(`process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n')`);
const check = (devices: string[]) => run(`
import { main } from ${src('cli/main.ts')};
const code = await main(['check', ${JSON.stringify(model)}, ${devices.map((d) => `'--device', '${d}'`).join(', ')}${devices.length ? ',' : ''} '--format', 'json', '--out', '/dev/null']);
process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n');`);
console.log(`${n}-node Relu chain; node ${process.version}; empty node process (with tsx) peak RSS ${baseline.rssMb.toFixed(0)} MB; target < 300 MB`);
console.log(stages.lines);
const one = check(['raspberry-pi-4']);
console.log(`check, 1 device:             peak RSS ${one.rssMb.toFixed(0)} MB`);
const all = check(profiles);
console.log(`check, ${profiles.length} shipped profiles:   peak RSS ${all.rssMb.toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
