/**
 * The folding stage against onnxruntime, side by side (one run):
 *
 *   node --import tsx bench/folding-truth.ts [--details] [MODEL.onnx ...]
 *
 * Oracle: onnxruntime-node at graphOptimizationLevel 'basic' writes its optimized model
 * (optimizedModelFilePath). A source node is folded when every output of it became an initializer of the
 * optimized model, or vanished from it while every node reading it was folded too (ORT drops intermediate
 * constants nothing reads any more: Shape → Gather → Unsqueeze → Concat leaves only Concat's output).
 * ConstantSharing is disabled in the oracle session, because it renames the folded initializers it shares.
 *
 * Per model: source nodes, folded by the oracle, folded by EdgeGate's folding stage (src/profiles/ort-basic.ts
 * `foldedGraph`), the nodes only one side folded, and per shipped profile the number of oracle-folded
 * source nodes that the placed graph still sends off the accelerator (the "Done when" figure: 0 everywhere).
 * Models: ../shared/models (or /work/shared/models), __tests__/fixtures/models, examples/.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readModel } from '../src/onnx/reader.js';
import { analyzeModel } from '../src/graph/analyze.js';
import type { OnnxGraph } from '../src/onnx/types.js';
import { listProfileIds, loadProfile } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';
import { foldedGraph } from '../src/profiles/ort-basic.js';
import { loadOnnxruntime } from '../src/runtime/ort-loader.js';

const ROOT = resolve(import.meta.dirname, '..');
const details = process.argv.includes('--details');
const given = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function modelList(): string[] {
  if (given.length > 0) return given;
  const dirs = [resolve(ROOT, '../shared/models'), '/work/shared/models', join(ROOT, '__tests__/fixtures/models'), join(ROOT, '__tests__/fixtures/models/external'), join(ROOT, 'examples')];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((x) => x.endsWith('.onnx')).sort()) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(join(d, f));
    }
  }
  return out;
}

/** Source node indices onnxruntime folded (see the header for the definition). */
export function oracleFolded(source: OnnxGraph, optimized: OnnxGraph): Set<number> {
  const inits = new Set(optimized.initializers.keys());
  const referenced = new Set<string>();
  for (const n of optimized.nodes) for (const x of [...n.inputs, ...n.outputs]) referenced.add(x);
  for (const o of optimized.outputs) referenced.add(o.name);
  const consumers = new Map<string, number[]>();
  source.nodes.forEach((n, i) => n.inputs.forEach((x) => x !== '' && consumers.set(x, [...(consumers.get(x) ?? []), i])));
  const graphOutputs = new Set(source.outputs.map((o) => o.name));
  const folded = new Set<number>();
  // Reverse source order is a reverse topological order for valid models (ONNX requires sorted nodes).
  for (let i = source.nodes.length - 1; i >= 0; i--) {
    const outs = source.nodes[i]!.outputs.filter((o) => o !== '');
    const ok = outs.length > 0 && outs.every((o) => {
      if (inits.has(o)) return true;
      if (referenced.has(o) || graphOutputs.has(o)) return false;
      const cs = consumers.get(o) ?? [];
      return cs.length > 0 && cs.every((c) => folded.has(c));
    });
    if (ok) folded.add(i);
  }
  return folded;
}

const ort = (await loadOnnxruntime()).ort;
const profiles = listProfileIds().map((id) => loadProfile(id).profile);
const tmp = mkdtempSync(join(tmpdir(), 'edgegate-folding-'));
const rows: string[][] = [];
const offTotals = new Map<string, number>(profiles.map((p) => [p.id, 0]));
let agreeModels = 0;
let models = 0;
let sumOracle = 0;
let sumOurs = 0;
let disagreeOracle = 0;
let disagreeOurs = 0;
for (const path of modelList()) {
  const name = basename(path, '.onnx');
  const optPath = join(tmp, `${name}.opt.onnx`);
  // ORT's optimized model keeps external-data references relative to itself: copy the model's data files
  // beside it (copies, since the reader takes external data only from regular files).
  for (const f of readdirSync(dirname(path))) {
    const src = join(dirname(path), f);
    if (f.endsWith('.bin') && !existsSync(join(tmp, f)) && statSync(src).isFile()) copyFileSync(src, join(tmp, f));
  }
  try {
    const session = await ort.InferenceSession.create(path, {
      graphOptimizationLevel: 'basic',
      optimizedModelFilePath: optPath,
      executionProviders: ['cpu'],
      logSeverityLevel: 3,
      extra: { optimization: { disable_specified_optimizers: 'ConstantSharing' } },
    });
    await session.release();
  } catch (err) {
    rows.push([name, '-', '-', '-', '-', `onnxruntime cannot load it: ${String((err as Error).message).split('\n')[0]!.slice(0, 80)}`]);
    continue;
  }
  const model = await readModel(path, { skipHash: true });
  let optimized;
  try {
    optimized = await readModel(optPath, { skipHash: true });
  } catch (err) {
    rows.push([name, String(model.graph.nodes.length), '-', '-', '-', `optimized model unreadable: ${String((err as Error).message).slice(0, 80)}`]);
    continue;
  }
  const oracle = oracleFolded(model.graph, optimized.graph);
  const analysis = analyzeModel(model);
  const ours = new Set(foldedGraph(analysis).removedSourceNodes);
  const onlyOracle = [...oracle].filter((i) => !ours.has(i));
  // A node EdgeGate folds and the oracle does not is either gone from ORT's graph all the same (another
  // basic rewrite removed it first: Identity, x*1, and the Constants only they read) or kept and computed at
  // run time by ORT (a real disagreement).
  const producedByOrt = new Set(optimized.graph.nodes.flatMap((n) => n.outputs));
  const onlyOurs = [...ours].filter((i) => !oracle.has(i));
  const computedByOrt = onlyOurs.filter((i) => model.graph.nodes[i]!.outputs.some((o) => producedByOrt.has(o)));
  const removedOtherwise = onlyOurs.filter((i) => !computedByOrt.includes(i));
  const off: string[] = [];
  for (const p of profiles) {
    const placed = placeModel(analysis, p);
    const bad = placed.nodes.filter((n) => n.placement !== 'accelerated' && n.sourceNodes.some((s) => oracle.has(s)));
    offTotals.set(p.id, offTotals.get(p.id)! + bad.length);
    if (bad.length > 0) off.push(`${p.id}: ${bad.length} (${bad.slice(0, 3).map((n) => `${n.op} ${n.reason}`).join(', ')})`);
  }
  const desc = (ids: number[]): string => ids.slice(0, details ? 50 : 6).map((i) => model.graph.nodes[i]!.opType).join(' ') + (ids.length > (details ? 50 : 6) ? ' …' : '');
  models++;
  sumOracle += oracle.size;
  sumOurs += ours.size;
  if (onlyOracle.length === 0 && computedByOrt.length === 0) agreeModels++;
  disagreeOracle += onlyOracle.length;
  disagreeOurs += computedByOrt.length;
  rows.push([
    name,
    String(model.graph.nodes.length),
    String(oracle.size),
    String(ours.size),
    [
      onlyOracle.length ? `ORT folds, EdgeGate keeps: ${onlyOracle.length} (${desc(onlyOracle)})` : '',
      computedByOrt.length ? `EdgeGate folds, ORT computes: ${computedByOrt.length} (${desc(computedByOrt)})` : '',
      removedOtherwise.length ? `EdgeGate folds, ORT removes by another rewrite: ${removedOtherwise.length} (${desc(removedOtherwise)})` : '',
    ].filter(Boolean).join('; ') || '=',
    off.join('; ') || '0 on every profile',
  ]);
}
rmSync(tmp, { recursive: true, force: true });
const head = ['model', 'source nodes', 'folded (ORT basic)', 'folded (EdgeGate)', 'difference', 'ORT-folded nodes placed off the accelerator'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('');
console.log(`${models} models: folded nodes ORT ${sumOracle}, EdgeGate ${sumOurs}; models where the two agree (up to nodes ORT removes by another rewrite): ${agreeModels}`);
console.log(`nodes ORT folds and EdgeGate keeps: ${disagreeOracle}; nodes EdgeGate folds and ORT computes at run time: ${disagreeOurs}`);
console.log(`ORT-folded nodes placed off the accelerator, per profile: ${[...offTotals].map(([id, n]) => `${id} ${n}`).join(', ')}`);
