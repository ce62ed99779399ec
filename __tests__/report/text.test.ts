// The terminal output on real check runs: verdicts first, reasons on the device line, short lines, one
// summary line at the end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderText, shorten, TEXT_WIDTH, wrap } from '../../src/report/text.js';
import { twoModelsFourDevices } from './support/comment-scenarios.js';
import { device, model, node, report } from '../action/report-factory.js';

const chars = (s: string): number => [...s].length;

describe('text output', async () => {
  const s = await twoModelsFourDevices();
  const withGate = renderText(s.report, s.decision);
  const plain = renderText(s.report);

  it(`keeps every line within ${TEXT_WIDTH} characters`, () => {
    for (const out of [withGate, plain]) for (const line of out.split('\n')) assert.ok(chars(line) <= TEXT_WIDTH, `${chars(line)}: ${line}`);
  });

  it('starts with a table of verdicts, not graph statistics', () => {
    const [header, first] = plain.split('\n');
    assert.match(header!, /^model +device +verdict +est\. latency +off accelerator$/);
    assert.match(first!, /^models\/kws\.onnx +raspberry-pi-4 +PASS +\d/);
    assert.doesNotMatch(header!, /params|MACs/);
  });

  it('gives each FAIL its reason on the device line', () => {
    const fails = plain.split('\n').filter((l) => /^ {2}\S+: FAIL/.test(l));
    assert.equal(fails.length, 2, plain);
    for (const l of fails) assert.match(l, /FAIL: \S/);
  });

  it('marks the rows the gate blocks and ends with a one-line summary', () => {
    assert.match(withGate, /raspberry-pi-4 +BLOCKS/);
    const lines = withGate.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'gate FAIL (2 blocking reasons): 2 models, 8 model × device checks: 2 blocks, 1 fail, 5 pass');
    assert.equal(plain.trimEnd().split('\n').at(-1), '2 models, 8 model × device checks: 2 fail, 6 pass');
  });

  it('prints humane numbers only', () => {
    assert.doesNotMatch(plain, /\d\.\d{4,}/);
    assert.doesNotMatch(plain, /-0\.0/);
  });

  it('shortens long names in the middle and wraps long details', () => {
    const long = `models/${'deep/'.repeat(20)}model.onnx`;
    const r = report([model(long, [device('rpi4', { latency: 3, nodes: [node(0, 'Erf', 'cpu-fallback', { name: 'n'.repeat(150), hint: 'h '.repeat(120) })] })])]);
    const out = renderText(r);
    for (const line of out.split('\n')) assert.ok(chars(line) <= TEXT_WIDTH, `${chars(line)}: ${line}`);
    assert.match(out, /^models\/deep\/deep\/…ep\/deep\/model\.onnx  /m);
    assert.equal(shorten('abcdefghij', 5), 'ab…ij');
    assert.deepEqual(wrap('aaa bbb ccc', '> ', '  ', 9), ['> aaa bbb', '  ccc']);
    assert.deepEqual(wrap('est. 0.726 ms', '', '', 11), ['est.', '0.726 ms']);
  });
});
