// The PR comment rendered as GitHub shows it (Debian's chromium, github-markdown-css, mermaid; see
// __tests__/support/comment-browser.ts for the width), on real check runs. Screenshots are kept in
// .test-artifacts/comment-render/ (gitignored). Skips without chromium, except under CI=true.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumAvailable, CHROMIUM, openCommentBrowser, type CommentBrowser, type RenderMeasure } from '../support/comment-browser.js';
import { FOUR_DEVICES, manyModels, parityResults, ROOT, scenario, twoModelsFourDevices, type Scenario } from './support/comment-scenarios.js';
import { renderParitySection } from '../../src/report/parity-markdown.js';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../src/report/markdown.js';

const ARTIFACTS = join(ROOT, '.test-artifacts', 'comment-render');

function body(s: Scenario): string {
  return renderMarkdown({ report: s.report, comparison: s.comparison, decision: s.decision, changes: s.changes, commentKey: '' }, { summaryUrl: 'https://github.com/acme/vision/actions/runs/1' });
}

/** Everything that must hold for any comment at GitHub's width. */
function assertFits(m: RenderMeasure, name: string): void {
  assert.ok(m.box.scrollWidth <= m.box.clientWidth, `${name}: the comment is ${m.box.scrollWidth} px wide in a ${m.box.clientWidth} px box`);
  const wide = m.tables.filter((t) => t.scrollWidth > t.clientWidth);
  assert.deepEqual(wide, [], `${name}: tables overflow the comment box`);
  assert.deepEqual(m.charts.failed, [], `${name}: mermaid blocks that did not render`);
  assert.deepEqual(m.labelOverlaps, [], `${name}: chart axis labels overlap`);
  assert.deepEqual([...new Set(m.wrappedCodeInTables)], [], `${name}: ids broken over two lines`);
}

const skipReason = chromiumAvailable() ? undefined : `${CHROMIUM} is missing`;
if (skipReason && process.env.CI === 'true') {
  it('chromium is installed (CI=true requires the browser render test)', () => assert.fail(`${skipReason}: .ci/run installs it`));
}

describe('PR comment rendered at GitHub width', { skip: skipReason }, () => {
  let browser: CommentBrowser;
  before(async () => {
    browser = await openCommentBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('2 models × 4 devices with a regression: decision first, compact table, nothing overflows', async () => {
    const s = await twoModelsFourDevices();
    const md = body(s);
    const m = await browser.render(md, join(ARTIFACTS, '2x4-regression'));
    assertFits(m, '2x4');
    assert.equal(s.decision.verdict, 'fail');
    assert.ok(md.length < 12_000, `${md.length} characters (the old layout took 16 KB)`);
    // Read top to bottom: headline, then the blocking reasons, then the table.
    const text = m.text;
    const head = text.indexOf('EdgeGate blocks the merge');
    const reason = text.indexOf('estimated latency');
    const table = text.indexOf('Model / device');
    assert.ok(head >= 0 && head < reason && reason < table, text.slice(0, 600));
    for (const d of FOUR_DEVICES) assert.ok(text.includes(d), d);
    // Details stay collapsed: one summary per model, and the not-gated findings.
    assert.equal(m.summaries.filter((x) => x.startsWith('Details:')).length, 2);
    // Humane numbers: no long decimals, no default budget of the device's whole memory, no "-0.0".
    assert.doesNotMatch(text, /\d\.\d{4,}/);
    assert.doesNotMatch(text, /\/ (4|8)\.00 GiB/);
    assert.doesNotMatch(text, /-0\.0|\(\+?0\.0 ?pp\)/);
  });

  it('with the parity section: compact table, forced and host-mismatch cells as such, one chart per cell whose axis labels do not overlap', async () => {
    const s = await twoModelsFourDevices();
    const results = parityResults(s, 'models/vww.onnx');
    const section = renderParitySection({ results, report: s.report });
    const md = renderMarkdown({ report: s.report, comparison: s.comparison, decision: s.decision, changes: s.changes, extraSections: [{ title: 'Parity on edge runners', markdown: section }] });
    const m = await browser.render(md, join(ARTIFACTS, '2x4-parity'));
    assertFits(m, 'parity');
    const cells = results.filter((r) => r.kernels.length > 0).length;
    assert.equal((md.match(/```mermaid/g) ?? []).length, cells);
    assert.equal(m.charts.rendered, cells);
    assert.match(m.text, /not run HOST_MISMATCH/);
    assert.match(m.text, /pass ⚠️ forced on another host/);
    assert.match(m.text, /was forced: host linux\/x64 is not qualcomm-htp .* It is not the device's result\./);
    // One chart per cell, and no table inside a parity cell's details.
    const cellDetails = md.split('<details>').filter((d) => /^\n<summary>models\/vww\.onnx on /.test(d));
    assert.equal(cellDetails.length, cells);
    for (const d of cellDetails) assert.doesNotMatch(d.slice(0, d.indexOf('</details>')), /^\|/m);
  });

  it('23 models × 4 devices: under 65,536 characters, every model in the table, a shortened comment says so', async () => {
    const s = await manyModels(23);
    const md = body(s);
    assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length}`);
    const m = await browser.render(md, join(ARTIFACTS, '23-models'));
    assertFits(m, '23 models');
    for (const model of s.report.models) assert.ok(m.text.includes(model.path), model.path);
    assert.ok(m.text.includes('models/old/removed_model.onnx'));
    const details = m.summaries.filter((x) => x.startsWith('Details:')).length;
    if (details < s.report.models.length) {
      assert.match(m.text, new RegExp(`Shortened to stay under GitHub's 65,536-character limit for comments: ${s.report.models.length - details} sections? left out`));
    }
    // A cap that must cut shows the same explicit note.
    const cut = renderMarkdown({ report: s.report, comparison: s.comparison, decision: s.decision, changes: s.changes }, { maxLength: 20_000 });
    assert.ok(cut.length <= 20_000);
    assert.match(cut, /left out\. The full report is in the job summary/);
  });

  it('budgets from the config get RAM and flash columns and "below the minimum", and still fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgegate-render-budgets-'));
    try {
      const config = join(dir, 'edgegate.yml');
      writeFileSync(config, 'version: 1\nbudgets:\n  - device: "*"\n    latencyMs: 0.3\n    ramBytes: 32MiB\n    flashBytes: 20MiB\n    acceleratedFraction: 0.95\n');
      const s = await scenario(
        { 'models/kws.onnx': 'examples/kws_dscnn.int8.qdq.onnx' },
        { 'models/kws.onnx': 'examples/kws_dscnn.onnx', 'models/new/vww.onnx': 'examples/vww_mobilenet_v2_035.onnx' },
        FOUR_DEVICES,
        { configPath: config, failOn: ['regression', 'budget', 'error'] },
      );
      const md = body(s);
      const m = await browser.render(md, join(ARTIFACTS, 'budgets'));
      assertFits(m, 'budgets');
      assert.match(m.text, /Peak RAM/);
      assert.match(m.text, /Flash/);
      assert.match(m.text, /below the 95% minimum/);
      assert.match(m.text, /new model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
