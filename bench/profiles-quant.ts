/**
 * Quantization verdicts (issue 3 "Done when: Quantization"): the int8 QDQ and QOperator models in
 * ../shared/models and the tiny_cnn int8 fixtures on coral-edgetpu, arm-ethos-u55 and qualcomm-htp, with the
 * detected scheme and the most frequent reasons. Regenerates the table in docs/profiles.md.
 *
 *   node --import tsx bench/profiles-quant.ts
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readModelSync } from '../src/onnx/reader.js';
import { analyzeModel } from '../src/graph/analyze.js';
import { loadProfile } from '../src/profiles/load.js';
import { placeModel } from '../src/profiles/engine.js';

const ROOT = resolve(import.meta.dirname, '..');
const ids = ['coral-edgetpu', 'arm-ethos-u55', 'qualcomm-htp'];
const models = [
  '../shared/models/squeezenet1_0.int8.qdq.onnx',
  '../shared/models/squeezenet1_0.int8.qop.onnx',
  '../shared/models/mnasnet1_0.s8s8.qdq.onnx',
  '../shared/models/mobilenet_v3_large.int8.qdq.onnx',
  '__tests__/fixtures/models/tiny_cnn.int8.qdq.onnx',
  '__tests__/fixtures/models/tiny_cnn.int8.qop.onnx',
];
console.log('| model | device | scheme | verdict | accelerated | accepted | top reasons |');
console.log('|---|---|---|---|---|---|---|');
for (const rel of models) {
  const path = resolve(ROOT, rel);
  if (!existsSync(path)) {
    console.log(`| ${rel} | - | absent | - | - | - | - |`);
    continue;
  }
  const a = analyzeModel(readModelSync(path));
  for (const id of ids) {
    const pl = placeModel(a, loadProfile(id).profile);
    const reasons = new Map<string, number>();
    for (const n of pl.nodes) if (n.placement !== 'accelerated') reasons.set(`${n.op} ${n.reason}`, (reasons.get(`${n.op} ${n.reason}`) ?? 0) + 1);
    const top = [...reasons].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, v]) => `${v}× ${k}`).join(', ');
    const q = pl.quantization;
    const mac = pl.macsAcceleratedFraction === null ? '?' : `${Math.round(pl.macsAcceleratedFraction * 100)}%`;
    console.log(`| ${rel.split('/').pop()!.replace(/\.onnx$/, '')} | ${id} | ${q.scheme} ${q.activationDtypes.join('/')} act, ${q.weightDtypes.join('/')} ${q.weightGranularity.join('+')} w | ${pl.verdict} | ${pl.nodesAccelerated}/${pl.nodesTotal}, ${pl.partitions.length} part., ${mac} MACs | ${q.accepted ? 'yes' : 'no'} | ${top || '-'} |`);
  }
}
