/**
 * Prints how EdgeGate's inferred shapes compare with onnxruntime's actual shapes for every model that has
 * an ORT shape fixture (value_info is never used): tensors, % fully known, % known up to symbolic dims,
 * disagreements. Run: node --import tsx bench/analysis-conformance.ts [--pinned]
 */
import { existsSync } from 'node:fs';
import { conformance, ortShapeFixtures } from '../__tests__/graph/reference-helpers.js';

const pinned = process.argv.includes('--pinned');
const rows: string[][] = [['model', 'tensors', 'known %', 'known up to symbols %', 'disagreements', 'issues']];
let totalTensors = 0;
let totalDisagreements = 0;
for (const { name, ref, path } of ortShapeFixtures()) {
  if (!existsSync(path)) {
    rows.push([name, 'missing', '', '', '', '']);
    continue;
  }
  const c = await conformance(name, path, ref, pinned);
  totalTensors += c.tensors;
  totalDisagreements += c.disagreements.length;
  const pct = (n: number): string => ((100 * n) / Math.max(c.tensors, 1)).toFixed(1);
  rows.push([name + (c.dynamic ? ' (dynamic)' : ''), String(c.tensors), pct(c.known), pct(c.known + c.symbolic), String(c.disagreements.length), String(c.analysis.issues.length)]);
  for (const d of c.disagreements.slice(0, 5)) rows.push(['', '', '', '', d, '']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(`| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`);
console.log(`\n${pinned ? 'dims pinned to the ORT run inputs' : 'symbolic dims unpinned'}: ${totalTensors} tensors, ${totalDisagreements} disagreements`);
