/**
 * Wall time of readModel + analyzeModel per model in one process (warm: each model is analyzed `REPEAT`
 * times and the median is reported), and the process's peak RSS. Models: ../shared/models, examples/ and
 * __tests__/fixtures/models. Run: node --import tsx bench/analysis-speed.ts [REPEAT] [--build]
 * `--build` times the compiled `build/` output (run `npm run build` first) instead of tsx-transpiled src/,
 * which is what the `edgegate` bin runs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

type Reader = typeof import('../src/onnx/reader.js');
type Analyzer = typeof import('../src/graph/analyze.js');
const useBuild = process.argv.includes('--build');
const { readModel } = (await import(useBuild ? '../build/onnx/reader.js' : '../src/onnx/reader.js')) as Reader;
const { analyzeModel } = (await import(useBuild ? '../build/graph/analyze.js' : '../src/graph/analyze.js')) as Analyzer;

const repo = resolve(import.meta.dirname, '..');
const dirs = [resolve(repo, '..', 'shared', 'models'), join(repo, 'examples'), join(repo, '__tests__', 'fixtures', 'models')];
const repeat = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const files = dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.onnx')).map((f) => join(d, f)));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let firstPassTotal = 0;
console.log('| model | nodes | read ms | analyze ms | first pass ms |');
console.log('|---|---|---|---|---|');
for (const f of files) {
  const reads: number[] = [];
  const analyses: number[] = [];
  let nodes = 0;
  let first = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    let model;
    try {
      model = await readModel(f);
    } catch {
      break; // fixtures of malformed input are not this bench's business
    }
    const t1 = performance.now();
    const a = analyzeModel(model);
    const t2 = performance.now();
    if (i === 0) first = t2 - t0;
    nodes = a.totals.nodes;
    reads.push(t1 - t0);
    analyses.push(t2 - t1);
  }
  if (reads.length === 0) continue;
  firstPassTotal += first;
  console.log(`| ${f.replace(`${repo}/`, '').replace(resolve(repo, '..') + '/', '../')} | ${nodes} | ${median(reads).toFixed(1)} | ${median(analyses).toFixed(1)} | ${first.toFixed(1)} |`);
}
console.log(`\n${useBuild ? 'build/' : 'src/ via tsx'}: ${files.length} models, first pass total ${firstPassTotal.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
