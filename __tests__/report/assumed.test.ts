import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assumptionTexts } from '../../src/report/assumed.js';
import { renderText } from '../../src/report/text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { decide } from '../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/gate/types.js';
import { device, model, report } from '../action/report-factory.js';

const A = (subject: string, assumed: string) => ({ subject, assumed });

describe('assumption texts (table)', () => {
  const cases: { name: string; list: { subject: string; assumed: string }[] | undefined; want: string[] }[] = [
    { name: 'none', list: undefined, want: [] },
    { name: 'empty', list: [], want: [] },
    { name: 'one', list: [A('npu peak MAC/s for float', 'not in the profile; used the float16 peak')], want: ['npu peak MAC/s for float: not in the profile; used the float16 peak'] },
    { name: 'order kept', list: [A('a', '1'), A('b', '2')], want: ['a: 1', 'b: 2'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(assumptionTexts({ assumptions: c.list }), c.want));
});

describe('assumptions are rendered in the text output and the PR comment', () => {
  const evil = A('node 3 (Foo|`x`)', 'unsupported; costed on cpu <b>@team</b>');
  const withA = report([model('models/a.onnx', [device('rpi4', { latency: 5, extra: { assumptions: [A('cpu efficiency rnn/int8', 'not in the profile; used rnn/float (0.2)'), evil] } })])]);
  const without = report([model('models/a.onnx', [device('rpi4', { latency: 5, extra: { assumptions: [] } })])]);
  const cases: { name: string; render: (r: typeof withA) => string }[] = [
    { name: 'text', render: (r) => renderText(r) },
    { name: 'markdown', render: (r) => renderMarkdown({ report: r, decision: decide(r, undefined, DEFAULT_GATE_OPTIONS) }) },
  ];
  for (const c of cases) {
    it(`${c.name}: shows "assumed: …" for a device that assumed something`, () => {
      const out = c.render(withA);
      assert.match(out.replace(/\s+/g, ' '), /assumed: cpu efficiency rnn\/int8: not in the profile; used rnn\/float \(0\.2\)/i);
    });
    it(`${c.name}: no "assumed:" when nothing was assumed`, () => {
      assert.doesNotMatch(c.render(without), /assumed:/i);
    });
  }
  it('markdown escapes user-controlled text in assumptions', () => {
    const md = renderMarkdown({ report: withA, decision: decide(withA, undefined, DEFAULT_GATE_OPTIONS) });
    assert.doesNotMatch(md, /<b>@team<\/b>/);
    assert.match(md, /&lt;b&gt;&#64;/);
  });
});
