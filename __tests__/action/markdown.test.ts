import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { code, escapeCell, escapeMarkdown, mermaidLabel } from '../../src/report/escape.js';
import { commentMarker, renderMarkdown, renderSummary, GITHUB_COMMENT_LIMIT } from '../../src/report/markdown.js';
import { compareReports } from '../../src/gate/compare.js';
import { decide } from '../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/gate/types.js';
import { device, model, node, report } from './report-factory.js';

/** Cells of a GFM table row, split the way GitHub splits them (on unescaped pipes). */
function cells(line: string): string[] {
  return line.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);
}

describe('escape', () => {
  const cases: [string, string][] = [
    ['a|b', 'a&#124;b'],
    ['`rm -rf`', '&#96;rm -rf&#96;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['@octocat', '&#64;&#8203;octocat'],
    ['fixes #12', 'fixes &#35;&#8203;12'],
    ['[x](http://e.vil)', '&#91;x&#93;(http://e.vil)'],
    ['**b** _i_ ~s~ $x$', '&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;s&#126; &#36;x&#36;'],
    ['a\nb', 'a b'],
    ['a\u202Eb\u0007', 'ab'],
    ['&lt;', '&amp;lt;'],
  ];
  for (const [raw, want] of cases) it(`escapeMarkdown(${JSON.stringify(raw)})`, () => assert.equal(escapeMarkdown(raw), want));

  it('escapeCell turns newlines into <br> so the row stays one line', () => {
    assert.equal(escapeCell('a\r\nb\nc'), 'a<br>b<br>c');
  });

  it('code() never emits a raw backtick', () => {
    assert.equal(code('a`b'), '<code>a&#96;b</code>');
  });

  it('mermaid labels keep a safe character set', () => {
    assert.equal(mermaidLabel('12 Conv"];click x'), '"12 Conv___click x"');
    assert.equal(mermaidLabel('x'.repeat(40)).length, 30);
  });
});

describe('renderMarkdown', () => {
  const evil = 'models/a|b`@team #1<script>\nx.onnx';
  const head = report([
    model(evil, [
      device('rpi4', { latency: 12, nodes: [node(0, 'Conv', 'accelerated', { latencyMs: 9 }), node(1, 'Erf', 'cpu-fallback', { latencyMs: 3, name: 'n|1@x', hint: 'replace Erf by <Tanh> approx' })], extra: { whatIf: [{ index: 1, name: 'n|1@x', op: 'Erf', reason: 'OP_NOT_LISTED', savingMs: 2.5, savingFraction: 0.21, hint: 'use GELU(tanh)' }] } }),
      device('coral-edgetpu', { nodes: [node(0, 'Conv', 'accelerated'), node(1, 'LSTM', 'unsupported', { reason: 'OP_NOT_LISTED' })] }),
    ]),
    model('models/new.onnx', [device('rpi4', { latency: 3 })]),
  ]);
  const base = report([model(evil, [device('rpi4', { latency: 10, nodes: [node(0, 'Conv', 'accelerated'), node(1, 'Gelu', 'accelerated')] }), device('coral-edgetpu')])]);
  const changes = [
    { path: evil, kind: 'modified' as const },
    { path: 'models/new.onnx', kind: 'added' as const },
    { path: 'models/gone.onnx', kind: 'deleted' as const },
    { path: 'models/b2.onnx', kind: 'renamed' as const, oldPath: 'models/b.onnx' },
  ];
  const comparison = compareReports(head, base, changes, '0123456789abcdef0123');
  const decision = decide(head, comparison, DEFAULT_GATE_OPTIONS);
  const body = renderMarkdown({ report: head, comparison, decision, changes, commentKey: 'wf-1' });

  it('starts with the hidden marker carrying the comment key', () => {
    assert.ok(body.startsWith(`${commentMarker('wf-1')}\n`));
    assert.equal(commentMarker('wf-1'), '<!-- edgegate:sticky-comment key="wf-1" -->');
  });

  it('has a model row and one row per device, each with the header\'s column count', () => {
    const start = body.indexOf('| Model / device |');
    const lines = body.slice(start, body.indexOf('\n\n', start)).split('\n');
    const n = cells(lines[0]!).length;
    assert.equal(n, 4);
    // 2 model rows + 3 device rows + 1 removed model.
    assert.equal(lines.length - 2, 6);
    for (const r of lines.slice(2)) assert.equal(cells(r).length, n, r);
  });

  it('escapes the user-controlled model path everywhere (no raw mention, tag, backtick or newline)', () => {
    assert.ok(!body.includes('@team'));
    assert.ok(!body.includes('<script>'));
    assert.ok(!body.includes('#1<'));
    assert.ok(!body.includes('`@'));
    assert.ok(!body.includes('a|b'));
    // In cells and lists (a long path may wrap after its separators) and in the <summary> (one line).
    assert.ok(body.includes('<code>models/<wbr>a&#124;b&#96;&#64;&#8203;team &#35;&#8203;1&lt;script&gt;<br>x.<wbr>onnx</code>'));
    assert.ok(body.includes('<summary>Details: <code>models/a&#124;b&#96;&#64;&#8203;team &#35;&#8203;1&lt;script&gt; x.onnx</code>'));
  });

  it('puts the decision and the blocking reasons before the table', () => {
    assert.match(body, /^<!--[^\n]*-->\n### ❌ EdgeGate blocks the merge: 3 reasons\n\n2 models × 2 devices · compared with base <code>0123456789ab<\/code>\n\n- /);
    assert.ok(body.indexOf('estimated latency 10.0 ms → 12.0 ms') < body.indexOf('| Model / device |'));
  });

  it('shows the verdict, the latency delta, what is off the accelerator, and new and removed models as such', () => {
    assert.match(body, /\| <code>rpi4<\/code> \| ❌\u00a0blocks \| 12\.0\u00a0ms \(\+20%\) \| 1 of 2 \(\+1 new\): Erf \|/);
    assert.match(body, /\| <code>coral-edgetpu<\/code> \| ❌\u00a0blocks \| 10\.0\u00a0ms \(same\) \| 1 of 2 \(\+1 new\): LSTM \|/);
    // Model paths in the table may wrap after their separators (<wbr>).
    const plain = body.replace(/<wbr>/g, '');
    assert.match(plain, /\| \*\*<code>models\/new\.onnx<\/code>\*\* 🆕 new model \|/);
    assert.match(plain, /\| \*\*<code>models\/gone\.onnx<\/code>\*\* \| ➖ removed \| \| not checked, never blocks \|/);
    // The new model has no delta: nothing to compare with.
    assert.match(body, /\| <code>rpi4<\/code> \| ✅\u00a0pass \| 3\.00\u00a0ms \| none \|/);
  });

  it('shows no RAM or flash column when no budget is set, and no default budget of the device', () => {
    assert.doesNotMatch(body, /Peak RAM \||Flash \|/);
    assert.doesNotMatch(body, / \/ \d+(\.\d+)? GiB/);
  });

  it('keeps findings outside fail-on collapsed, apart from the blocking reasons', () => {
    assert.match(body, /<details><summary>Not gated: 1 finding \(their condition is not in <code>fail-on<\/code>\)<\/summary>\n\n- .*1 unsupported node\(s\): LSTM/);
  });

  it('has a collapsed <details> per model with nodes grouped by reason, hints, the biggest what-if win and ONE table', () => {
    assert.equal(body.match(/<details>\n<summary>Details:/g)?.length, 2);
    assert.match(body, /- 1 node cpu-fallback \(<code>OP&#95;NOT&#95;LISTED<\/code>; Erf\)\. Hint: replace Erf by &lt;Tanh&gt; approx/);
    assert.match(body, /- Biggest win: <code>n&#124;1&#64;&#8203;x<\/code> \(Erf\) on the accelerator saves about 2\.50 ms \(21%\)\. Hint: use GELU\(tanh\)/);
    assert.doesNotMatch(body, /```mermaid/);
    assert.match(body, /\| <code>\/n0\/Conv<\/code> \| Conv \| accelerator \| 9\.00 ms \(75%\) \|/);
  });

  it('shows accepted regressions with the reason', () => {
    const d = decide(head, comparison, { ...DEFAULT_GATE_OPTIONS, acceptLabel: { label: 'edgegate:accept-regression', pr: 5 } });
    const b = renderMarkdown({ report: head, comparison, decision: d, changes });
    assert.match(b, /\*\*Accepted\*\*:/);
    assert.match(b, /accepted \(label\): label edgegate:accept-regression on PR &#35;&#8203;5/);
    assert.match(b, /### ✅ EdgeGate passed/);
    assert.match(b, /🟡\u00a0accepted/);
  });

  it('renders errors apart from gate failures', () => {
    const r = report([model('m/broken.onnx', [], [{ code: 'TRUNCATED', message: 'file ends at byte 10' }])]);
    const b = renderMarkdown({ report: r, decision: decide(r, undefined, DEFAULT_GATE_OPTIONS) });
    assert.match(b, /### 💥 EdgeGate could not check everything: 1 error/);
    assert.match(b, /\*\*Could not check\*\* \(fails the step: `error` is in fail-on\):/);
    const lenient = renderMarkdown({ report: r, decision: decide(r, undefined, { ...DEFAULT_GATE_OPTIONS, failOn: new Set(['regression']) }) });
    assert.match(lenient, /\*\*Could not check\*\* \(not a gate failure\):/);
    assert.match(b.replace(/<wbr>/g, ''), /\| \*\*<code>m\/broken\.onnx<\/code>\*\* \| 💥 error \| \| <code>TRUNCATED<\/code> \|/);
  });

  it('is deterministic', () => {
    assert.equal(renderMarkdown({ report: head, comparison, decision, changes, commentKey: 'wf-1' }), body);
  });
});

describe('length cap', () => {
  const many = report(
    Array.from({ length: 60 }, (_, i) =>
      model(`models/m${i}.onnx`, [
        device('rpi4', { nodes: Array.from({ length: 120 }, (_, j) => node(j, j % 3 === 0 ? 'Erf' : 'Conv', j % 3 === 0 ? 'cpu-fallback' : 'accelerated', { latencyMs: j + 1, reason: `R${j % 7}` })) }),
        device('coral-edgetpu'),
      ]),
    ),
  );

  it('stays under 65,536 characters with a note pointing to the job summary', () => {
    const full = renderMarkdown({ report: many, decision: decide(many, undefined, DEFAULT_GATE_OPTIONS) }, { maxLength: Infinity });
    assert.ok(full.length > GITHUB_COMMENT_LIMIT, `fixture too small: ${full.length}`);
    const body = renderMarkdown({ report: many, decision: decide(many, undefined, DEFAULT_GATE_OPTIONS) }, { summaryUrl: 'https://github.com/o/r/actions/runs/1' });
    assert.ok(body.length < GITHUB_COMMENT_LIMIT, String(body.length));
    assert.match(body, /Shortened to stay under GitHub's 65,536-character limit for comments: \d+ sections? left out\. The full report is in \[the job summary\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\)/);
    // The summary table survives whole: 60 model rows and 120 device rows.
    assert.equal(body.split('\n').filter((l) => /^\| <code>(rpi4|coral-edgetpu)<\/code> \|/.test(l)).length, 120);
    // Every <details> that was kept is closed.
    assert.equal(body.match(/<details>/g)?.length, body.match(/<\/details>/g)?.length);
  });

  it('cuts even a huge table at a line boundary', () => {
    const huge = report(Array.from({ length: 900 }, (_, i) => model(`models/${'x'.repeat(40)}${i}.onnx`, [device('rpi4')])));
    const body = renderMarkdown({ report: huge, decision: decide(huge, undefined, DEFAULT_GATE_OPTIONS) }, { maxLength: 20_000 });
    assert.ok(body.length <= 20_000);
    assert.match(body, /The full report is in the job summary/);
  });

  it('the job summary is not shortened under 1 MB', () => {
    const s = renderSummary({ report: many, decision: decide(many, undefined, DEFAULT_GATE_OPTIONS) });
    assert.ok(s.length > GITHUB_COMMENT_LIMIT);
    assert.ok(!s.includes('Shortened'));
  });
});
