/**
 * Agreement with onnxruntime's mobile-usability checker (issue 3 "Done when"), side by side:
 *
 *   node --import tsx bench/profiles-agreement.ts [--details]
 *
 * For every model in ../shared/models and __tests__/fixtures/models that has a committed checker output in
 * __tests__/fixtures/reference/mobile-usability/<model>.json, and for android-nnapi and apple-coreml:
 * the checker's supported/total nodes and partitions, EdgeGate's op-names mode (must be equal), and
 * EdgeGate's full mode (may be stricter, never looser), with the conditions that made it stricter.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readModelSync } from '../src/onnx/reader.js';
import { analyzeModel } from '../src/graph/analyze.js';
import { loadProfile } from '../src/profiles/load.js';
import { compareWithChecker, type StricterNode } from '../src/profiles/engine-agreement.js';

const ROOT = resolve(import.meta.dirname, '..');
const REF = join(ROOT, '__tests__/fixtures/reference/mobile-usability');
const details = process.argv.includes('--details');

function group(nodes: readonly StricterNode[]): string {
  const by = new Map<string, { n: number; example: string }>();
  for (const s of nodes) {
    const k = `${s.op} ${s.reason}`;
    const e = by.get(k);
    if (e) e.n++;
    else by.set(k, { n: 1, example: (s.detail ?? '').replace(/\s+/g, ' ').slice(0, 90) });
  }
  return [...by.entries()].map(([k, v]) => `${v.n}× ${k}${details && v.example ? ` (${v.example})` : ''}`).join('; ');
}

const profiles = ['android-nnapi', 'apple-coreml'].map((id) => loadProfile(id).profile);
const rows: string[][] = [];
let unequal = 0;
let looser = 0;
for (const f of readdirSync(REF).filter((x) => x.endsWith('.json') && x !== 'timings.json').sort()) {
  const ref = JSON.parse(readFileSync(join(REF, f), 'utf8')) as { source: string; error?: string; eps: Record<string, { asIs: { totalNodes: number; supportedNodes: number; partitions: number } }> };
  const path = resolve(ROOT, ref.source);
  if (ref.error !== undefined || !existsSync(path)) continue;
  const analysis = analyzeModel(readModelSync(path));
  for (const p of profiles) {
    const c = ref.eps[p.checker!.target]?.asIs;
    if (!c) continue;
    const r = compareWithChecker(analysis, p, c);
    if (!r.equal) unequal++;
    looser += r.looser.length;
    rows.push([
      f.replace(/\.json$/, ''),
      p.id,
      `${c.supportedNodes}/${c.totalNodes} p${c.partitions}`,
      r.equal ? '=' : `≠ ${r.opNames.supported}/${r.opNames.total} p${r.opNames.partitions}`,
      `${r.full.supported}/${r.full.total} p${r.full.partitions}`,
      [r.looser.length > 0 ? `LOOSER: ${group(r.looser)}` : '', group(r.stricter), r.checkerShapeGap.length > 0 ? `checker has no shapes for: ${group(r.checkerShapeGap)}` : ''].filter(Boolean).join('; ') || '-',
    ]);
  }
}
const head = ['model', 'profile', 'checker sup/total', 'op-names', 'EdgeGate full', 'stricter nodes (op reason)'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
console.log(`\n${rows.length} model×profile rows; op-names ≠ checker: ${unequal}; looser nodes: ${looser}`);
if (!existsSync(resolve(ROOT, '../shared/models'))) console.log('note: ../shared/models absent, only committed fixtures compared');
