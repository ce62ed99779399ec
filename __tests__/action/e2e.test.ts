// End-to-end: the committed dist/index.js, under Node 24, from a copy of the repo without node_modules,
// against the fake GitHub on 127.0.0.1, on a temp git repo with a base commit and a PR commit.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { faults, otherComments, startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';
import { node24OrSkip } from './support/node24.js';
import { cleanActionCopy, convNet, makeRepo, modelBytes, runAction, runnerInputs, type RunResult, type Tree } from './support/e2e-harness.js';

const RW = 'ghs_e2eWriteToken0123456789abcdefABCDEF';
const RO = 'ghs_e2eReadOnlyToken0123456789abcdefABCD';
const PR = 7;
const DEVICES = 'raspberry-pi-4,raspberry-pi-5';
const MARKER = '<!-- edgegate:sticky-comment key="" -->';

let node: string | undefined;
let skipReason: string | undefined;
let actionDir: string;
const cleanups: string[] = [];

before(() => {
  const found = node24OrSkip();
  node = found.node;
  if (found.node === undefined) skipReason = found.skipReason;
  actionDir = cleanActionCopy();
  cleanups.push(actionDir);
});
after(() => {
  for (const d of cleanups) rmSync(d, { recursive: true, force: true });
});

interface Scenario {
  readonly base: Tree;
  readonly pr: Tree;
  readonly token?: string;
  readonly fork?: boolean;
  readonly labels?: readonly string[];
  readonly seedOthers?: number;
  readonly inputs?: Record<string, string>;
  readonly shallow?: boolean;
  readonly files?: { filename: string; status?: 'added' | 'removed' | 'modified' | 'renamed'; previousFilename?: string }[];
}

async function scenario(s: Scenario): Promise<{ gh: FakeGitHub; run: (extra?: Record<string, string>) => Promise<RunResult> }> {
  const repo = makeRepo(s.base, s.pr, { shallow: s.shallow ?? false });
  cleanups.push(repo.root);
  const gh = await startFakeGitHub({
    repo: 'acme/vision',
    tokens: { [RW]: 'write', [RO]: 'read' },
    pulls: [{ number: PR, headSha: repo.headSha, baseSha: repo.baseSha, baseRef: 'main', headRef: 'pr', fork: s.fork ?? false, labels: s.labels ?? [], files: s.files ?? [] }],
    comments: s.seedOthers ? otherComments(PR, s.seedOthers) : [],
  });
  const run = (extra: Record<string, string> = {}): Promise<RunResult> =>
    runAction({
      node: node!,
      actionDir,
      gh,
      workspace: repo.workspace,
      event: gh.pullRequestEvent(PR),
      sha: repo.headSha,
      inputs: runnerInputs(s.token ?? RW, { devices: DEVICES, ...(s.inputs ?? {}), ...extra }),
    });
  return { gh, run };
}

const small = modelBytes(convNet(8));
const big = modelBytes(convNet(32));
const other = modelBytes(convNet(4));

function noLeak(gh: FakeGitHub, r: RunResult): void {
  const all = [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs), readFileSync(r.outputs.report!, 'utf8')].join('\n');
  assert.deepEqual(gh.findLeaks(all), []);
  assert.ok(!all.includes(RW) && !all.includes(RO));
}

describe('e2e: dist/index.js on the fake GitHub', { concurrency: 1 }, () => {
  it('first run creates the comment; second run updates it in place', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': small, 'models/b.onnx': other }, pr: { 'models/a.onnx': modelBytes(convNet(9)) }, inputs: { 'max-latency-regression': '1000%', 'max-ram-regression': '1000%', 'max-flash-regression': '1000%' } });
    try {
      const r1 = await run();
      assert.equal(r1.code, 0, r1.stdout + r1.stderr);
      const comments = gh.commentsOn(PR);
      assert.equal(comments.length, 1);
      assert.ok(comments[0]!.body.startsWith(MARKER));
      assert.equal(r1.outputs['comment-id'], String(comments[0]!.id));
      assert.equal(r1.outputs.verdict, 'pass');
      assert.equal(r1.outputs.summary, comments[0]!.body);
      // Only the changed model is checked, on every device, named by path and profile id.
      // A model row, then its device rows.
      assert.match(comments[0]!.body.replace(/<wbr>/g, ''), /\| \*\*<code>models\/a\.onnx<\/code>\*\* \|[^\n]*\n\| <code>raspberry-pi-4<\/code> \|[^\n]*\n\| <code>raspberry-pi-5<\/code> \|/);
      assert.ok(!comments[0]!.body.replace(/<wbr>/g, '').includes('models/b.onnx'));
      assert.ok(r1.summary.includes('models/a.onnx'));
      noLeak(gh, r1);

      const r2 = await run({ 'max-latency-regression': '999%' });
      assert.equal(r2.code, 0, r2.stdout + r2.stderr);
      assert.equal(gh.commentsOn(PR).length, 1, 'never a duplicate');
      assert.equal(r2.outputs['comment-id'], r1.outputs['comment-id']);
      assert.equal(gh.requestsTo('POST /repos/{owner}/{repo}/issues/{issue_number}/comments').length, 1);
    } finally {
      await gh.close();
    }
  });

  it('with 70 other comments before it (page 3), a later run finds and updates it', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': small }, pr: { 'models/a.onnx': big }, seedOthers: 70, inputs: { 'fail-on': 'never' } });
    try {
      const r1 = await run();
      assert.equal(r1.code, 0, r1.stdout + r1.stderr);
      assert.equal(gh.commentsOn(PR).length, 71);
      gh.commentsOn(PR).at(-1)!.body = `${MARKER}\nstale`;
      const r2 = await run();
      assert.equal(r2.code, 0, r2.stdout + r2.stderr);
      const ours = gh.commentsOn(PR).filter((c) => c.body.includes(MARKER));
      assert.equal(ours.length, 1);
      assert.equal(gh.commentsOn(PR).length, 71);
      assert.ok(!ours[0]!.body.includes('stale'));
      assert.equal(String(ours[0]!.id), r2.outputs['comment-id']);
      const pages = gh.requestsTo('GET /repos/{owner}/{repo}/issues/{issue_number}/comments').map((q) => q.path);
      assert.ok(pages.some((p) => /[?&]page=3\b/.test(p)), `listing followed Link headers to page 3: ${pages.join(', ')}`);
    } finally {
      await gh.close();
    }
  });

  it('a regression fails the run and lists the reason', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': small }, pr: { 'models/a.onnx': big } });
    try {
      const r = await run();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.outputs.verdict, 'fail');
      assert.match(r.stdout, /::error::EdgeGate blocked the merge/);
      assert.match(r.stdout, /(LATENCY|RAM|FLASH)|estimated latency|peak RAM|flash/);
      const body = gh.commentsOn(PR)[0]!.body.replace(/<wbr>/g, '');
      assert.match(body, /EdgeGate blocks the merge/);
      assert.match(body, /s \(\+\d+(\.\d)?%\)/);
      noLeak(gh, r);
    } finally {
      await gh.close();
    }
  });

  it('the accept-regression label turns the same regression into a pass that shows what was accepted', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': small }, pr: { 'models/a.onnx': big }, labels: ['edgegate:accept-regression'] });
    try {
      const r = await run();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.outputs.verdict, 'pass');
      assert.match(gh.commentsOn(PR)[0]!.body, /\*\*Accepted\*\*:[\s\S]*accepted \(label\)/);
    } finally {
      await gh.close();
    }
  });

  it('an improvement passes', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': big }, pr: { 'models/a.onnx': small } });
    try {
      const r = await run();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.outputs.verdict, 'pass');
      assert.match(gh.commentsOn(PR)[0]!.body, /s \(\u2212\d+(\.\d)?%\)/);
    } finally {
      await gh.close();
    }
  });

  it('a fork PR (read-only token) writes the summary, warns once, and does not fail', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': big }, pr: { 'models/a.onnx': small }, token: RO, fork: true });
    try {
      const r = await run();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(gh.commentsOn(PR).length, 0);
      assert.equal(r.outputs['comment-id'], '');
      assert.equal(r.outputs.verdict, 'pass');
      assert.ok(r.summary.includes('models/a.onnx'));
      assert.equal(r.stdout.match(/::warning::/g)?.length, 1, r.stdout);
      assert.match(r.stdout, /::warning::EdgeGate could not comment on PR #7 .*read-only/);
      // The fork's 403 is final: one POST, no retry.
      assert.equal(gh.requestsTo('POST /repos/{owner}/{repo}/issues/{issue_number}/comments').length, 1);
      noLeak(gh, r);
    } finally {
      await gh.close();
    }
  });

  it('injected 5xx and 403 Retry-After faults are retried', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({ base: { 'models/a.onnx': big }, pr: { 'models/a.onnx': small } });
    try {
      gh.injectFaults('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', [faults.serverError(502)]);
      gh.injectFaults('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', [faults.retryAfter(1), faults.serverError(503)]);
      const r = await run();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(gh.commentsOn(PR).length, 1);
      assert.equal(gh.requestsTo('POST /repos/{owner}/{repo}/issues/{issue_number}/comments').length, 3);
      assert.equal(gh.pendingFaults('POST /repos/{owner}/{repo}/issues/{issue_number}/comments'), 0);
      assert.match(r.stdout, /got 502; retry 1/);
      assert.match(r.stdout, /got 403; retry 1/);
    } finally {
      await gh.close();
    }
  });

  it('a broken model is reported (verdict error) while the others are still checked', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({
      base: { 'models/a.onnx': big },
      pr: { 'models/a.onnx': small, 'models/broken.onnx': small.subarray(0, 57) },
    });
    try {
      const r = await run();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.outputs.verdict, 'error');
      assert.match(r.stdout, /verdict: error, not a gate failure/);
      const body = gh.commentsOn(PR)[0]!.body.replace(/<wbr>/g, '');
      assert.match(body, /\| \*\*<code>models\/broken\.onnx<\/code>\*\*( 🆕 new model)? \| 💥 error \|/);
      assert.match(body, /\| \*\*<code>models\/a\.onnx<\/code>\*\* \|[^\n]*\n\| <code>raspberry-pi-4<\/code> \|/);
      const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8')) as { models: { path: string; devices: unknown[] }[] };
      assert.equal(report.models.find((m) => m.path === 'models/a.onnx')?.devices.length, 2);
    } finally {
      await gh.close();
    }
  });

  it('a depth-1 clone: EdgeGate fetches the base commit and lists changes with the files API', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({
      base: { 'models/a.onnx': small, 'models/b.onnx': other },
      pr: { 'models/a.onnx': big },
      shallow: true,
      files: [{ filename: 'models/a.onnx', status: 'modified' }],
    });
    try {
      const r = await run();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.outputs.verdict, 'fail');
      assert.match(r.stdout, /using the PR files API/);
      assert.equal(gh.requestsTo('GET /repos/{owner}/{repo}/pulls/{pull_number}/files').length, 1);
      assert.match(gh.commentsOn(PR)[0]!.body, /s \(\+\d+(\.\d)?%\)/);
    } finally {
      await gh.close();
    }
  });

  it('renamed and deleted models are reported as such', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { gh, run } = await scenario({
      base: { 'models/a.onnx': small, 'models/old.onnx': other, 'models/gone.onnx': big },
      pr: { 'models/old.onnx': null, 'models/new.onnx': other, 'models/gone.onnx': null },
    });
    try {
      const r = await run();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const body = gh.commentsOn(PR)[0]!.body.replace(/<wbr>/g, '');
      assert.match(body, /\| \*\*<code>models\/gone\.onnx<\/code>\*\* \| ➖ removed \|/);
      assert.match(body, /\| \*\*<code>models\/new\.onnx<\/code>\*\* renamed from <code>models\/old\.onnx<\/code> \|/);
      assert.ok(!body.includes('<code>models/a.onnx</code>'));
    } finally {
      await gh.close();
    }
  });
});
