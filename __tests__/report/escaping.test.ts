// Every user-controlled string (model paths, node and op names, reasons, hints, details, device ids from
// repository profiles, waiver reasons, parity kernel names, host facts, notes, the comment key) is
// escaped in the comment: no raw HTML, no @mention or #reference, no pipe that splits a table cell,
// no code span a name can close, and the hidden marker cannot be closed early.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commentMarker, renderMarkdown } from '../../src/report/markdown.js';
import { renderParitySection } from '../../src/report/parity-markdown.js';
import { compareReports } from '../../src/gate/compare.js';
import { decide } from '../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/gate/types.js';
import { PARITY_RESULT_SCHEMA_VERSION, ParityResultSchema } from '../../src/parity/result-schema.js';
import { device, model, node, report } from '../action/report-factory.js';

const EVIL = (what: string): string => `${what}|x\`y<script>alert(1)</script>@evil #12 [l](javascript:x) </details> <img src=x>\n**b**`;

function cells(line: string): number {
  return line.replace(/^\|/, '').replace(/\|$/, '').split('|').length;
}

/** Every markdown table: all rows have the header's cell count. */
function assertTablesIntact(md: string): void {
  for (const block of md.split(/\n\n/)) {
    const rows = block.split('\n').filter((l) => l.startsWith('|'));
    if (rows.length < 2) continue;
    const n = cells(rows[0]!);
    for (const r of rows) assert.equal(cells(r), n, `row splits the table: ${r}`);
  }
}

function assertNoRawUserMarkup(md: string): void {
  assert.doesNotMatch(md, /<script|<img|<\/script/i);
  assert.doesNotMatch(md, /@evil/);
  assert.doesNotMatch(md, /(?<!&)#12/);
  assert.doesNotMatch(md, /\]\(javascript:/);
  assert.doesNotMatch(md, /`y/);
  // Our own </details> close tags are each on a line of their own.
  for (const line of md.split('\n')) if (line.includes('</details>')) assert.equal(line, '</details>');
  assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
}

describe('escaping of user-controlled strings in the comment', () => {
  const evilNode = node(1, EVIL('Op'), 'cpu-fallback', { name: EVIL('node'), latencyMs: 3, reason: EVIL('REASON'), hint: EVIL('hint'), detail: EVIL('detail') });
  const dev = device(EVIL('board'), {
    latency: 12,
    verdict: 'fail',
    nodes: [node(0, 'Conv', 'accelerated', { latencyMs: 9 }), evilNode],
    budgets: [{ name: 'latency', limit: 5, value: 12, unit: 'ms', verdict: 'waived', kind: 'max', source: 'config budgets[0]', waivedBy: { reason: EVIL('waiver'), expires: '2099-01-01' } }],
    extra: {
      verdictReason: EVIL('verdict'),
      quantization: { accepted: false, message: EVIL('quant') },
      whatIf: [{ index: 1, name: EVIL('node'), op: EVIL('Op'), reason: 'OP_NOT_LISTED', savingMs: 2, savingFraction: 0.2, hint: EVIL('wi') }],
      assumptions: [{ subject: 'cpu', assumed: EVIL('assumed') }],
    },
  });
  const path = `models/${EVIL('path')}.onnx`;
  const head = report([model(path, [dev])], [{ code: 'CONFIG_INVALID', file: EVIL('file'), message: EVIL('message') }]);
  const base = report([model(path, [device(EVIL('board'), { latency: 10, nodes: [node(0, 'Conv', 'accelerated'), node(1, 'Gelu', 'accelerated', { name: EVIL('node') })] })])]);
  const changes = [{ path, kind: 'modified' as const }, { path: `models/${EVIL('gone')}.onnx`, kind: 'deleted' as const }];
  const comparison = compareReports(head, base, changes, 'abc');
  const decision = decide(head, comparison, { ...DEFAULT_GATE_OPTIONS, failOn: new Set(['regression', 'unsupported', 'budget']) });
  const parity = ParityResultSchema.parse({
    schemaVersion: PARITY_RESULT_SCHEMA_VERSION,
    model: path,
    device: EVIL('board'),
    verdict: 'fail',
    detail: EVIL('pdetail'),
    firstDivergingNode: { index: 1, name: EVIL('node'), op: EVIL('Op') },
    worstTensor: { name: EVIL('tensor'), stage: 'isolation', maxAbs: 1, pass: false },
    kernelsFailing: 1,
    tensors: [],
    kernels: [{ index: 1, name: EVIL('kernel'), op: EVIL('Op'), position: 0, unit: 'single', nodes: [1], maxAbs: 1, failing: 1, pass: false, outputs: ['o'], reason: EVIL('kreason') }],
    passes: {},
    latencyMs: null,
    host: { arch: EVIL('arch'), platform: 'linux', cpu: EVIL('cpu'), cpuFlags: [], cores: 4, ortVersion: null, node: 'v24', runtime: EVIL('runtime') },
    forced: true,
    hostMatch: { status: 'mismatch', reasons: [], emulated: null, summary: EVIL('summary') },
  });
  const section = renderParitySection({ results: [parity], report: head, notes: [EVIL('note')], pending: [{ model: path, device: EVIL('dev2'), runsOn: [EVIL('label')] }] });
  const body = renderMarkdown({ report: head, comparison, decision, changes, notes: [EVIL('note')], extraSections: [{ title: EVIL('title'), markdown: section }] }, { maxLength: Infinity });

  it('has every string there, escaped', () => {
    for (const what of ['path', 'node', 'Op', 'REASON', 'hint', 'detail', 'board', 'waiver', 'quant', 'wi', 'assumed', 'gone', 'note', 'title', 'kernel', 'kreason', 'cpu', 'runtime', 'summary', 'label']) {
      assert.ok(body.includes(`${what}&#124;x&#96;y&lt;script&gt;`), `${what} is missing or not escaped`);
    }
  });

  it('lets no user markup through and keeps every table row whole', () => {
    assertNoRawUserMarkup(body);
    assertTablesIntact(body);
  });

  it('keeps the hidden marker closed whatever the comment key', () => {
    const marker = commentMarker('x --> <img src=x> <!--');
    assert.equal((marker.match(/-->/g) ?? []).length, 1);
    assert.ok(marker.endsWith(' -->'));
    assert.doesNotMatch(marker, /<img/);
    assert.equal(commentMarker('wf-1'), '<!-- edgegate:sticky-comment key="wf-1" -->');
  });
});
