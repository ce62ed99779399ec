/**
 * x64 vs emulated arm64 parity on the models of ../shared/models (issue 6, "Real ARM kernels").
 * For each model: an x64 reference here, then `parity run` under qemu-aarch64 + arm64 Node 24 with
 * the real linux-arm64 onnxruntime binary. Prints max error per model for both passes.
 *
 *   node --import tsx bench/parity-arm64.ts [MODEL_NAME...] [--timeout-min N] [--cpu cortex-a72] [--results DIR] [--fault-trials N]
 *
 * Emulated timings say nothing about real boards; only the numbers matter here.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findArm64Runner, runArm64 } from '../scripts/arm64-runner/env.mjs';
import { bundleParityCli } from '../scripts/arm64-runner/bundle-parity.mjs';
import { makeReference } from '../src/parity/reference.js';
import { OrtRunner } from '../src/parity/runner.js';
import { readParityResult } from '../src/parity/result-schema.js';
import { expectedUnitTargets, injectableNodes } from '../src/parity/fault.js';
import { mulberry32 } from '../src/parity/inputs.js';
import { planParity } from '../src/parity/plan.js';
import { readProtoModel } from '../src/parity/proto-model.js';

const repo = resolve(import.meta.dirname ?? '.', '..');
const shared = resolve(repo, '..', 'shared', 'models');
const args = process.argv.slice(2);
const flag = (n: string): string | undefined => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const timeoutMin = Number(flag('timeout-min') ?? '20');
const cpu = flag('cpu');
const keep = flag('results');
const faultTrials = Number(flag('fault-trials') ?? '0');
const faultStats = new Map<number, { trials: number; detected: number; localized: number }>([[1.01, { trials: 0, detected: 0, localized: 0 }], [1.001, { trials: 0, detected: 0, localized: 0 }]]);
const rnd = mulberry32(7);
if (cpu) process.env['EDGEGATE_ARM64_CPU'] = cpu;
const manifest = JSON.parse(readFileSync(join(shared, 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
const names = args.length > 0 ? args : Object.keys(manifest);

const runner = findArm64Runner();
if (!runner.available) {
  console.error(`arm64 runner unavailable: ${runner.reason}`);
  process.exit(3);
}
const tmp = mkdtempSync(join(tmpdir(), 'edgegate-bench-arm64-'));
const bundle = await bundleParityCli(join(tmp, 'parity.mjs'));
console.log(`| model | verdict | prod. outputs max abs | prod. worst tensor (max abs) | localization worst max abs | kernels out of tol. / isolated | worst kernel max abs | arm64 kernels (production) | wall s |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const name of names) {
  const file = join(shared, manifest[name]!.file);
  if (!existsSync(file)) continue;
  const ref = join(tmp, `ref-${name}`);
  const t0 = Date.now();
  try {
    await makeReference(file, { outDir: ref, runner: new OrtRunner({ workDir: tmp }) });
    const out = join(tmp, `${name}.json`);
    const run = runArm64(runner, [bundle, 'run', file, '--reference', ref, '--out', out, '--device', `emulated-${runner.cpu}`, '--runs', '1', '--warmup', '0', '--ort-path', join(repo, 'node_modules', 'onnxruntime-node'), '--work-dir', join(tmp, `work-${name}`)]);
    const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timeout after ${timeoutMin} min`)), timeoutMin * 60_000).unref());
    const r = (await Promise.race([run, timeout])) as { code: number; stderr: string };
    if (!existsSync(out)) throw new Error(`no result (exit ${r.code}): ${r.stderr.slice(-300)}`);
    const res = readParityResult(out);
    if (keep) {
      mkdirSync(keep, { recursive: true });
      copyFileSync(out, join(keep, `${name}.json`));
    }
    const prod = res.tensors.filter((t) => t.stage === 'production');
    const outs = prod.filter((t) => t.modelOutput);
    const max = (xs: (number | null)[]): string => (xs.length === 0 ? '–' : xs.some((x) => x === null) ? 'NaN' : Math.max(...(xs as number[])).toExponential(2));
    const worstProd = [...prod].sort((a, b) => (b.maxAbs ?? Infinity) - (a.maxAbs ?? Infinity))[0];
    const loc = res.tensors.filter((t) => t.stage === 'localization');
    const kernelsRun = res.passes.production?.kernelsRun.filter((k) => /QLinear|Conv|MatMul|Gemm|LSTM|GRU/.test(k.op)).map((k) => `${k.op}×${k.count}`).join(' ') ?? '';
    console.log(
      `| ${name} | ${res.verdict}${res.reason ? ` ${res.reason}` : ''} | ${max(outs.map((t) => t.maxAbs))} | ${worstProd ? `${worstProd.dtype} ${worstProd.maxAbs}${worstProd.pass ? '' : ' ✗'}` : '–'} | ${max(loc.map((t) => t.maxAbs))} (${loc.filter((t) => !t.pass).length} out of tol.) | ${res.kernelsFailing} / ${res.kernels.length} | ${max(res.kernels.map((k) => k.maxAbs))} | ${kernelsRun} | ${((Date.now() - t0) / 1000).toFixed(0)} |`,
    );
    // Cross-platform fault injection: the arm64 side also has one node's weights scaled.
    const pm = readProtoModel(file);
    const cands = injectableNodes(pm);
    const plan = planParity(pm);
    for (let t = 0; t < faultTrials && cands.length > 0; t++) {
      const c = cands[Math.floor(rnd() * cands.length)]!;
      const expected = expectedUnitTargets(plan, c.node.index);
      for (const [f, st] of faultStats) {
        const fo = join(tmp, `${name}-fault.json`);
        await runArm64(runner, [bundle, 'run', file, '--reference', ref, '--out', fo, '--runs', '0', '--no-localization', '--inject-fault', `${c.initializer}=${f}`, '--ort-path', join(repo, 'node_modules', 'onnxruntime-node'), '--work-dir', join(tmp, `work-${name}`)]);
        const fr = readParityResult(fo);
        st.trials++;
        if (fr.verdict === 'fail') st.detected++;
        if (fr.firstDivergingNode && expected.has(fr.firstDivergingNode.index)) st.localized++;
        else console.error(`  arm64 fault miss ×${f} ${name} node ${c.node.index} ${c.node.opType}: ${fr.verdict} first ${JSON.stringify(fr.firstDivergingNode)}`);
      }
    }
  } catch (e) {
    console.log(`| ${name} | not measured: ${(e instanceof Error ? e.message : String(e)).replace(/\|/g, '/').slice(0, 200)} | | | | | | | ${((Date.now() - t0) / 1000).toFixed(0)} |`);
  } finally {
    rmSync(ref, { recursive: true, force: true });
  }
}
if (faultTrials > 0) {
  console.log('\n| arm64 fault factor | detected | first diverging kernel = injected node |\n|---|---|---|');
  for (const [f, st] of faultStats) console.log(`| ×${f} | ${st.detected}/${st.trials} | ${st.localized}/${st.trials} |`);
}
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
