/**
 * Fault localization bench (issue 6, "Done when"): the "edge" side runs each model with one node's
 * weights scaled (×1.1, ×1.01, ×1.001) through FaultInjectingRunner; parity must detect it and name
 * the injected node as the first diverging kernel. Trials are (model, node) pairs drawn with a fixed
 * seed from ../shared/models. Default tolerances throughout. Identical runs must report zero failures.
 *
 *   node --import tsx bench/parity-fault-localization.ts [--trials 60] [--seed 1] [--models a,b]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FaultInjectingRunner, expectedUnitTargets, injectableNodes } from '../src/parity/fault.js';
import { mulberry32 } from '../src/parity/inputs.js';
import { planParity } from '../src/parity/plan.js';
import { readProtoModel } from '../src/parity/proto-model.js';
import { makeReference } from '../src/parity/reference.js';
import { runParity } from '../src/parity/run.js';
import { OrtRunner } from '../src/parity/runner.js';

const args = process.argv.slice(2);
const opt = (n: string, d: string): string => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1]! : d;
};
const trials = Number(opt('trials', '60'));
const seed = Number(opt('seed', '1'));
const verbose = args.includes('--verbose');
const FACTORS = [1.1, 1.01, 1.001];
const shared = resolve(import.meta.dirname ?? '.', '..', '..', 'shared', 'models');
if (!existsSync(join(shared, 'manifest.json'))) {
  console.error(`${shared} is missing`);
  process.exit(process.env['CI'] === 'true' ? 1 : 0);
}
const manifest = JSON.parse(readFileSync(join(shared, 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
const models = opt('models', Object.keys(manifest).join(',')).split(',');

const tmp = mkdtempSync(join(tmpdir(), 'edgegate-bench-fault-'));
const ort = new OrtRunner({ workDir: tmp });
const rnd = mulberry32(seed);

interface Prepared {
  file: string;
  ref: string;
  candidates: ReturnType<typeof injectableNodes>;
  plan: ReturnType<typeof planParity>;
}
const prepared = new Map<string, Prepared>();
const t0 = Date.now();
for (const name of models) {
  const file = join(shared, manifest[name]!.file);
  const m = readProtoModel(file);
  const candidates = injectableNodes(m);
  if (candidates.length === 0) continue;
  const ref = join(tmp, `ref-${name}`);
  await makeReference(file, { outDir: ref, runner: ort, sizeCapBytes: 2 ** 31 });
  prepared.set(name, { file, ref, candidates, plan: planParity(m) });
}

// Identical runs: zero failures expected.
let identicalFailures = 0;
for (const [name, p] of prepared) {
  const r = await runParity(p.file, { referenceDir: p.ref, runner: ort, latency: { runs: 0 } });
  const bad = r.kernelsFailing + r.tensors.filter((t) => !t.pass).length + (r.verdict === 'pass' ? 0 : 1);
  identicalFailures += bad;
  console.log(`identical ${name}: verdict ${r.verdict}, ${r.kernels.length} kernels, ${r.tensors.length} tensors, failures ${bad}`);
}

const names = [...prepared.keys()];
const stats = new Map(FACTORS.map((f) => [f, { detected: 0, localized: 0, trials: 0, onlyInjectedFails: 0 }]));
const perModel = new Map<string, number>();
for (let t = 0; t < trials; t++) {
  const name = names[Math.floor(rnd() * names.length)]!;
  const p = prepared.get(name)!;
  const c = p.candidates[Math.floor(rnd() * p.candidates.length)]!;
  perModel.set(name, (perModel.get(name) ?? 0) + 1);
  const expected = expectedUnitTargets(p.plan, c.node.index);
  for (const f of FACTORS) {
    const faulty = new FaultInjectingRunner(ort, c.initializer, f);
    try {
      const r = await runParity(p.file, { referenceDir: p.ref, runner: faulty, latency: { runs: 0 }, skipLocalization: true });
      const s = stats.get(f)!;
      s.trials++;
      if (r.verdict === 'fail') s.detected++;
      if (r.firstDivergingNode && expected.has(r.firstDivergingNode.index)) s.localized++;
      if (r.kernels.filter((k) => !k.pass).every((k) => expected.has(k.index)) && r.kernelsFailing > 0) s.onlyInjectedFails++;
      if (r.verdict === 'error') console.log(`  error ${name} node ${c.node.index}: ${r.detail}`);
      else if (verbose && !(r.firstDivergingNode && expected.has(r.firstDivergingNode.index))) {
        const k = r.kernels.filter((x) => expected.has(x.index)).map((x) => `${x.op}#${x.index} maxAbs ${x.maxAbs} rmse/scale ${x.rmseOverScale} failing ${x.failing}`);
        console.log(`  miss ×${f} ${name} node ${c.node.index} ${c.node.opType} (${c.initializer}): verdict ${r.verdict}, first ${JSON.stringify(r.firstDivergingNode)}, expected ${[...expected].join(',')}: ${k.join('; ')}`);
      }
    } finally {
      faulty.dispose();
    }
  }
}
console.log(`\n${trials} trials (seed ${seed}) over ${[...perModel].map(([m, n]) => `${m}×${n}`).join(', ')}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log('| factor | detected | first diverging kernel = injected node | only the injected unit fails |');
console.log('|---|---|---|---|');
for (const [f, s] of stats) {
  const pct = (x: number): string => `${x}/${s.trials} (${((100 * x) / s.trials).toFixed(1)}%)`;
  console.log(`| ×${f} | ${pct(s.detected)} | ${pct(s.localized)} | ${pct(s.onlyInjectedFails)} |`);
}
console.log(`identical runs: ${identicalFailures} failures`);
rmSync(tmp, { recursive: true, force: true });
