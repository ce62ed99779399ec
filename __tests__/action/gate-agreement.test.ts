// The done-when table of the one pipeline: for {new model, removed model, modified model, unchanged} ×
// {fail-on variants}, the CLI (`edgegate check --base`, in-process) and the real action (dist/index.js under
// Node 24, from a copy without node_modules, against the fake GitHub) agree: the CLI exit code, the CLI
// markdown headline, the action's `verdict` output and exit code, the job summary and the posted comment.
// It includes the README example: a PR adding an fp32 model with `devices: coral-edgetpu, android-nnapi`
// and `fail-on: regression,error` blocks (a new model is judged on its own).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';
import { node24OrSkip } from './support/node24.js';
import { cleanActionCopy, convNet, makeRepo, modelBytes, REPO_ROOT, runAction, runnerInputs, type Tree } from './support/e2e-harness.js';

const TOKEN = 'ghs_agreeWriteToken0123456789abcdefABCDE';
const PR = 11;
const DEVICES = ['coral-edgetpu', 'android-nnapi'];
const FAIL_ON = ['regression,parity,error', 'regression,error', 'unsupported', 'budget', 'never'] as const;
const fixture = (f: string): Buffer => readFileSync(join(REPO_ROOT, '__tests__/fixtures/models', f));
const fp32 = fixture('tiny_cnn.onnx');
const int8 = fixture('tiny_cnn.int8.qdq.onnx');
const CONFIG = 'version: 1\n';

interface Case {
  readonly name: string;
  readonly base: Tree;
  readonly pr: Tree;
  /** The models the CLI is given (what the action selects at head). */
  readonly cliModels: readonly string[];
  /** Expected action verdict per fail-on variant (anchors; agreement is checked for every cell). */
  readonly verdicts: Record<(typeof FAIL_ON)[number], 'pass' | 'fail'>;
  /** Text the comment must show. */
  readonly shows: RegExp;
}

const CASES: Case[] = [
  {
    // The README example: a new float model cannot run on the Edge TPU (device verdict fail).
    name: 'new fp32 model',
    base: { '.edgegate.yml': CONFIG, 'models/keep.onnx': int8 },
    pr: { 'models/new.onnx': fp32 },
    cliModels: ['models/new.onnx'],
    verdicts: { 'regression,parity,error': 'fail', 'regression,error': 'fail', unsupported: 'fail', budget: 'pass', never: 'pass' },
    shows: /new model/i,
  },
  {
    name: 'removed model',
    base: { '.edgegate.yml': CONFIG, 'models/keep.onnx': modelBytes(convNet(8)), 'models/old.onnx': fp32 },
    pr: { 'models/old.onnx': null, '.edgegate.yml': `${CONFIG}# touched\n` },
    cliModels: ['models/keep.onnx'],
    verdicts: { 'regression,parity,error': 'pass', 'regression,error': 'pass', unsupported: 'fail', budget: 'pass', never: 'pass' },
    shows: /old\.onnx/,
  },
  {
    name: 'modified model (4× the channels)',
    base: { '.edgegate.yml': CONFIG, 'models/m.onnx': modelBytes(convNet(8)) },
    pr: { 'models/m.onnx': modelBytes(convNet(32)) },
    cliModels: ['models/m.onnx'],
    verdicts: { 'regression,parity,error': 'fail', 'regression,error': 'fail', unsupported: 'fail', budget: 'pass', never: 'pass' },
    shows: /m\.onnx/,
  },
  {
    name: 'unchanged model (only the config changed)',
    base: { '.edgegate.yml': CONFIG, 'models/m.onnx': int8 },
    pr: { '.edgegate.yml': `${CONFIG}# touched\n` },
    cliModels: ['models/m.onnx'],
    verdicts: { 'regression,parity,error': 'pass', 'regression,error': 'pass', unsupported: 'pass', budget: 'pass', never: 'pass' },
    shows: /m\.onnx/,
  },
];

const headline = (md: string): string => md.split('\n').find((l) => l.startsWith('### ')) ?? '(no headline)';
const EXIT = { pass: 0, 'not-run': 0, fail: 1, error: 2 } as const;

let node: string | undefined;
let skipReason: string | undefined;
let actionDir: string;
const cleanups: string[] = [];
const cwd = process.cwd();

before(() => {
  const found = node24OrSkip();
  node = found.node;
  if (found.node === undefined) skipReason = found.skipReason;
  actionDir = cleanActionCopy();
  cleanups.push(actionDir);
});
after(() => {
  process.chdir(cwd);
  for (const d of cleanups) rmSync(d, { recursive: true, force: true });
});

/** The CLI in-process, in the PR's workspace: exit code and markdown. */
async function cli(workspace: string, baseSha: string, models: readonly string[], failOn: string): Promise<{ code: number; markdown: string }> {
  const out = join(mkdtempSync(join(tmpdir(), 'edgegate-agree-')), 'comment.md');
  cleanups.push(join(out, '..'));
  process.chdir(workspace);
  try {
    const code = await main(['check', ...models, ...DEVICES.flatMap((d) => ['--device', d]), '--fail-on', failOn, '--base', baseSha, '--format', 'markdown', '--out', out]);
    return { code, markdown: readFileSync(out, 'utf8') };
  } finally {
    process.chdir(cwd);
  }
}

describe('CLI and action agree (scenario × fail-on)', { concurrency: 1 }, () => {
  for (const c of CASES) {
    describe(c.name, { concurrency: 1 }, () => {
      let gh: FakeGitHub;
      let repo: ReturnType<typeof makeRepo>;
      before(async () => {
        repo = makeRepo(c.base, c.pr);
        cleanups.push(repo.root);
        gh = await startFakeGitHub({
          repo: 'acme/vision',
          tokens: { [TOKEN]: 'write' },
          pulls: [{ number: PR, headSha: repo.headSha, baseSha: repo.baseSha, baseRef: 'main', headRef: 'pr', fork: false, labels: [], files: [] }],
          comments: [],
        });
      });
      after(async () => gh?.close());

      for (const failOn of FAIL_ON) {
        it(`fail-on: ${failOn}`, async (t) => {
          if (skipReason) return t.skip(skipReason);
          const r = await runAction({
            node: node!,
            actionDir,
            gh,
            workspace: repo.workspace,
            event: gh.pullRequestEvent(PR),
            sha: repo.headSha,
            inputs: runnerInputs(TOKEN, { devices: DEVICES.join(','), 'fail-on': failOn }),
          });
          const verdict = r.outputs.verdict;
          assert.equal(verdict, c.verdicts[failOn], `action verdict\n${r.stdout.slice(-2000)}`);
          assert.equal(r.code, verdict === 'fail' ? 1 : 0, 'action exit code');
          const comments = gh.commentsOn(PR);
          assert.equal(comments.length, 1, 'one sticky comment');
          const posted = comments[0]!.body;
          const { code, markdown } = await cli(repo.workspace, repo.baseSha, c.cliModels, failOn);
          assert.equal(code, EXIT[verdict as keyof typeof EXIT], 'CLI exit code');
          const h = headline(posted);
          assert.equal(headline(markdown), h, 'CLI markdown headline = posted comment headline');
          assert.equal(headline(r.summary), h, 'job summary headline = posted comment headline');
          assert.equal(/blocks the merge/.test(h), verdict === 'fail', `headline says what the verdict says: ${h}`);
          // Paths carry <wbr> break points in the comment (so long paths wrap at their separators).
          assert.match(posted.replaceAll('<wbr>', ''), c.shows);
          const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8')) as { gate: { verdict: string; blocking: { model?: string }[] } };
          assert.equal(report.gate.verdict, verdict);
          assert.ok(!report.gate.blocking.some((f) => f.model === 'models/old.onnx'), 'a removed model never blocks');
        });
      }
    });
  }
});
