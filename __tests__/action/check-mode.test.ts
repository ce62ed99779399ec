// The check-mode orchestration with a fake git, an in-memory GitHub and a stand-in for the core check
// (latency/RAM/flash proportional to the file size), so it runs without the device engine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCheckMode, type ActionPorts } from '../../src/action/check-mode.js';
import type { EventInfo } from '../../src/action/context.js';
import { parseInputs } from '../../src/action/inputs.js';
import { displayPath, type CheckOptions } from '../../src/check.js';
import { FakeGitClient } from '../../src/git/fake.js';
import type { Report } from '../../src/report/types.js';
import { device, model, report } from './report-factory.js';
import { MemoryApi } from './support/memory-api.js';

const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);

function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'edgegate-ws-'));
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), v);
  }
  return ws;
}

/** Stand-in core check: metrics from the file size; `BROKEN` files give a model error. */
function standIn(seen: { opts: CheckOptions; contents: string[] }[]) {
  return async (opts: CheckOptions): Promise<Report> => {
    const contents = opts.models.map((f) => readFileSync(f, 'utf8'));
    seen.push({ opts, contents });
    return report(
      opts.models.map((f, i) => {
        const path = displayPath(f, opts.repoRoot!);
        const c = contents[i]!;
        if (c.startsWith('BROKEN')) return model(path, [], [{ code: 'TRUNCATED', message: `${path}: file ends early` }]);
        return model(path, opts.devices.map((d) => device(d, { latency: c.length, ram: c.length * 10, flash: c.length * 100 })));
      }),
    );
  };
}

function ports() {
  const log = { info: [] as string[], warning: [] as string[], failed: [] as string[], outputs: {} as Record<string, string>, summary: '' };
  const p: ActionPorts = {
    info: (m) => log.info.push(m),
    warning: (m) => log.warning.push(m),
    setFailed: (m) => log.failed.push(m),
    setOutput: (n, v) => (log.outputs[n] = v),
    writeSummary: async (md) => {
      log.summary += md;
    },
  };
  return { p, log };
}

const prEvent = (labels: string[] = []): EventInfo => ({ kind: 'pull_request', eventName: 'pull_request', number: 7, baseSha: BASE, headSha: HEAD, baseRef: 'main', labels, fork: false });

async function go(o: {
  ws: Record<string, string>;
  base?: Record<string, string>;
  diff?: { status: 'A' | 'M' | 'D' | 'R'; path: string; oldPath?: string }[];
  baseFetchable?: boolean;
  inputs?: Record<string, string>;
  event?: EventInfo;
  api?: MemoryApi;
}) {
  const seen: { opts: CheckOptions; contents: string[] }[] = [];
  const git = new FakeGitClient({
    commits: { [HEAD]: o.ws, ...(o.baseFetchable === false ? {} : { [BASE]: o.base ?? {} }) },
    diffs: o.diff ? { [`${BASE}...${HEAD}`]: o.diff } : {},
  });
  const { p, log } = ports();
  const api = o.api ?? new MemoryApi();
  const outcome = await runCheckMode({
    inputs: parseInputs((n) => ({ devices: 'rpi4,coral', ...(o.inputs ?? {}) })[n] ?? ''),
    event: o.event ?? prEvent(),
    workspace: workspace(o.ws),
    tempDir: mkdtempSync(join(tmpdir(), 'edgegate-tmp-')),
    git,
    api,
    runUrl: 'https://github.com/o/r/actions/runs/1',
    ports: p,
    check: standIn(seen),
  });
  return { outcome, log, api, seen, git };
}

describe('check mode', () => {
  it('a regression fails, with the reason, the comment, the summary and every output', async () => {
    const { outcome, log, api, seen } = await go({
      ws: { 'm/a.onnx': 'x'.repeat(200), 'm/b.onnx': 'y'.repeat(50) },
      base: { 'm/a.onnx': 'x'.repeat(100), 'm/b.onnx': 'y'.repeat(50) },
      diff: [{ status: 'M', path: 'm/a.onnx' }],
    });
    assert.equal(outcome.decision.verdict, 'fail');
    assert.equal(log.failed.length, 1);
    assert.match(log.failed[0]!, /blocked the merge \(6 reasons\)/);
    assert.match(log.failed[0]!, /m\/a\.onnx on rpi4: estimated latency 100 ms → 200 ms \(\+100%, limit \+10%\)/);
    assert.equal(log.outputs.verdict, 'fail');
    assert.equal(log.outputs['comment-id'], '1000');
    assert.equal(log.outputs.summary, api.comments[0]!.body);
    assert.ok(JSON.parse(readFileSync(log.outputs.report!, 'utf8')).gate.blocking.length === 6);
    assert.ok(log.summary.includes('m/a.onnx'));
    // Head: only the changed model; base: the base commit's bytes, not the working tree's.
    assert.deepEqual(seen[0]!.opts.models.map((m) => m.split('/').slice(-2).join('/')), ['m/a.onnx']);
    assert.deepEqual(seen[1]!.contents, ['x'.repeat(100)]);
  });

  it('an improvement passes; the label accepts a regression and says so', async () => {
    const imp = await go({ ws: { 'm/a.onnx': 'x'.repeat(50) }, base: { 'm/a.onnx': 'x'.repeat(100) }, diff: [{ status: 'M', path: 'm/a.onnx' }] });
    assert.equal(imp.outcome.decision.verdict, 'pass');
    assert.equal(imp.log.failed.length, 0);
    const acc = await go({ ws: { 'm/a.onnx': 'x'.repeat(200) }, base: { 'm/a.onnx': 'x'.repeat(100) }, diff: [{ status: 'M', path: 'm/a.onnx' }], event: prEvent(['edgegate:accept-regression']) });
    assert.equal(acc.outcome.decision.verdict, 'pass');
    assert.match(acc.api.comments[0]!.body, /accepted \(label\): label edgegate:accept-regression on PR/);
  });

  it('thresholds: input, then the config regression section, then the default', async () => {
    const files = { 'm/a.onnx': 'x'.repeat(115), '.edgegate.yml': 'regression:\n  maxLatencyRegression: 20%\n  maxRamRegression: 20%\n  maxFlashRegression: 20%\n' };
    const viaConfig = await go({ ws: files, base: { 'm/a.onnx': 'x'.repeat(100) }, diff: [{ status: 'M', path: 'm/a.onnx' }] });
    assert.equal(viaConfig.outcome.decision.verdict, 'pass');
    const viaInput = await go({ ws: files, base: { 'm/a.onnx': 'x'.repeat(100) }, diff: [{ status: 'M', path: 'm/a.onnx' }], inputs: { 'max-latency-regression': '12%' } });
    assert.deepEqual(viaInput.outcome.decision.blocking.map((f) => f.code), ['LATENCY_REGRESSION', 'LATENCY_REGRESSION']);
  });

  it('a new model is labelled new; a broken one gives verdict error while the others are checked', async () => {
    const { outcome, log } = await go({ ws: { 'm/new.onnx': 'n'.repeat(10), 'm/bad.onnx': 'BROKEN' }, base: {}, diff: [{ status: 'A', path: 'm/new.onnx' }, { status: 'A', path: 'm/bad.onnx' }] });
    assert.equal(outcome.decision.verdict, 'error');
    assert.match(log.failed[0]!, /verdict: error, not a gate failure/);
    assert.ok(outcome.comparison!.models.find((m) => m.path === 'm/new.onnx')!.devices.every((d) => d.status === 'new'));
    assert.match(outcome.body.replace(/<wbr>/g, ''), /\| \*\*<code>m\/new\.onnx<\/code>\*\* 🆕 new model \|/);
    assert.match(outcome.body, /\| 10\.0\u00a0ms \| /);
  });

  it('without history it falls back to the PR files API', async () => {
    const api = new MemoryApi();
    api.files = [{ filename: 'm/a.onnx', status: 'modified' }];
    const { outcome, log } = await go({ ws: { 'm/a.onnx': 'x'.repeat(100), 'm/b.onnx': 'y' }, base: { 'm/a.onnx': 'x'.repeat(100) }, api });
    assert.equal(api.filesCalls, 1);
    assert.ok(log.info.some((m) => /using the PR files API/.test(m)));
    assert.deepEqual(outcome.changes.map((c) => c.path), ['m/a.onnx']);
    assert.equal(outcome.decision.verdict, 'pass');
  });

  it('a base commit that cannot be fetched is an error naming fetch-depth: 0, and the head is still checked', async () => {
    const api = new MemoryApi();
    api.files = [{ filename: 'm/a.onnx', status: 'modified' }];
    const { outcome, log } = await go({ ws: { 'm/a.onnx': 'x'.repeat(100) }, baseFetchable: false, api });
    assert.equal(outcome.decision.verdict, 'error');
    assert.ok(outcome.report.errors.some((e) => e.code === 'BASELINE_UNAVAILABLE' && /fetch-depth: 0/.test(e.message)));
    assert.equal(outcome.report.models[0]!.devices.length, 2);
    assert.match(log.failed[0]!, /BASELINE_UNAVAILABLE/);
  });

  it('a config change checks every model', async () => {
    const { outcome, log } = await go({
      ws: { 'm/a.onnx': 'a', 'm/b.onnx': 'b', '.edgegate.yml': 'devices: [rpi4]\n' },
      base: { 'm/a.onnx': 'a', 'm/b.onnx': 'b' },
      diff: [{ status: 'M', path: '.edgegate.yml' }],
    });
    assert.deepEqual(outcome.report.models.map((m) => m.path), ['m/a.onnx', 'm/b.onnx']);
    assert.ok(log.info.some((m) => /Checking every model: \.edgegate\.yml changed/.test(m)));
    assert.match(outcome.body, /Every model was checked because \.edgegate\.yml changed\./);
  });

  it('a change of a profile file named in the config checks every model', async () => {
    const { outcome } = await go({
      ws: { 'm/a.onnx': 'a', 'm/b.onnx': 'b', '.edgegate.yml': 'devices: [profiles/board.yaml]\n', 'profiles/board.yaml': 'id: board\n' },
      base: { 'm/a.onnx': 'a', 'm/b.onnx': 'b' },
      diff: [{ status: 'M', path: 'profiles/board.yaml' }],
      inputs: { devices: '' },
    });
    assert.deepEqual(outcome.report.models.map((m) => m.path), ['m/a.onnx', 'm/b.onnx']);
    assert.match(outcome.body, /Every model was checked because profiles\/board\.yaml changed/);
  });

  it('comment auto: a PR without model changes posts nothing and is not-run', async () => {
    const { outcome, api, log } = await go({ ws: { 'm/a.onnx': 'a', 'README.md': 'x' }, base: { 'm/a.onnx': 'a' }, diff: [{ status: 'M', path: 'README.md' }] });
    assert.equal(outcome.decision.verdict, 'not-run');
    assert.equal(api.creates, 0);
    assert.equal(log.outputs.verdict, 'not-run');
    assert.equal(log.failed.length, 0);
  });

  it('a read-only token (fork PR) gives one warning, the summary, and no failure', async () => {
    const api = new MemoryApi();
    api.forbid = true;
    const { log } = await go({ ws: { 'm/a.onnx': 'x' }, base: { 'm/a.onnx': 'x' }, diff: [{ status: 'M', path: 'm/a.onnx' }], api });
    // This workspace configures no device, which is its own warning.
    const warnings = log.warning.filter((m) => !m.startsWith('No device to check'));
    assert.equal(log.warning.length - warnings.length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not comment on PR #7 .*read-only.*fork-safe/);
    assert.equal(log.failed.length, 0);
    assert.equal(log.outputs['comment-id'], '');
    assert.ok(log.summary.includes('m/a.onnx'));
  });

  it('push: every matching model, no baseline, no comment', async () => {
    const { outcome, api } = await go({ ws: { 'm/a.onnx': 'a', 'm/b.onnx': 'b', 'x/c.bin': 'c' }, event: { kind: 'all', eventName: 'push', sha: HEAD } });
    assert.deepEqual(outcome.report.models.map((m) => m.path), ['m/a.onnx', 'm/b.onnx']);
    assert.equal(outcome.comparison, undefined);
    assert.equal(api.creates, 0);
  });
});
