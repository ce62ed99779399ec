import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventPayloadError, parseEvent } from '../../src/action/context.js';
import { listModelFiles, pullFilesToNameStatus, selectModels } from '../../src/action/select.js';

const present = ['models/a.onnx', 'models/b.onnx', 'models/ext/m.onnx'];
const globs = ['**/*.onnx'];

describe('selectModels (table)', () => {
  const cases: { name: string; diff?: Parameters<typeof selectModels>[0]['diff']; want: string[]; all?: boolean }[] = [
    { name: 'push: every model, unchanged', want: ['models/a.onnx:unchanged', 'models/b.onnx:unchanged', 'models/ext/m.onnx:unchanged'] },
    { name: 'PR: only changed models', diff: [{ status: 'M', path: 'models/a.onnx' }, { status: 'M', path: 'README.md' }], want: ['models/a.onnx:modified'] },
    { name: 'PR: added, deleted, renamed', diff: [{ status: 'A', path: 'models/n.onnx' }, { status: 'D', path: 'models/d.onnx' }, { status: 'R', path: 'models/r2.onnx', oldPath: 'models/r.onnx' }], want: ['models/d.onnx:deleted', 'models/n.onnx:added', 'models/r2.onnx:renamed<models/r.onnx'] },
    { name: 'PR: renamed out of the globs counts as deleted', diff: [{ status: 'R', path: 'archive/a.bin', oldPath: 'models/a.onnx' }], want: ['models/a.onnx:deleted'] },
    { name: 'PR: config change checks every model', diff: [{ status: 'M', path: '.edgegate.yml' }, { status: 'M', path: 'models/b.onnx' }], want: ['models/a.onnx:unchanged', 'models/b.onnx:modified', 'models/ext/m.onnx:unchanged'], all: true },
    { name: 'PR: profile change checks every model', diff: [{ status: 'M', path: 'profiles/board.yaml' }], want: ['models/a.onnx:unchanged', 'models/b.onnx:unchanged', 'models/ext/m.onnx:unchanged'], all: true },
    { name: 'PR: a change of external weights changes the model', diff: [{ status: 'M', path: 'models/ext/data/w.bin' }], want: ['models/ext/m.onnx:modified'] },
    { name: 'PR: nothing relevant', diff: [{ status: 'M', path: 'src/x.py' }], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = selectModels({ globs, present, diff: c.diff, triggers: ['.edgegate.yml', 'profiles/board.yaml'], externalDataOf: (m) => (m === 'models/ext/m.onnx' ? ['models/ext/data/w.bin'] : []) });
      assert.deepEqual(s.changes.map((x) => `${x.path}:${x.kind}${x.oldPath ? `<${x.oldPath}` : ''}`), c.want);
      assert.equal(s.allBecause !== undefined, c.all ?? false);
    });
  }

  it('maps the files API statuses', () => {
    assert.deepEqual(pullFilesToNameStatus([{ filename: 'a', status: 'removed' }, { filename: 'b', status: 'renamed', previous_filename: 'c' }, { filename: 'd', status: 'unchanged' }]), [
      { status: 'D', path: 'a' },
      { status: 'R', path: 'b', oldPath: 'c' },
    ]);
  });

  it('lists matching files and skips node_modules and .git', () => {
    const root = mkdtempSync(join(tmpdir(), 'edgegate-sel-'));
    for (const f of ['m/a.onnx', 'm/deep/b.onnx', 'node_modules/x/c.onnx', '.git/d.onnx', 'm/e.txt']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), '');
    }
    assert.deepEqual(listModelFiles(root, ['**/*.onnx']), ['m/a.onnx', 'm/deep/b.onnx']);
    assert.deepEqual(listModelFiles(root, ['m/*.onnx']), ['m/a.onnx']);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('parseEvent', () => {
  const pr = { number: 7, pull_request: { number: 7, labels: [{ name: 'x' }], base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'o/r' } }, head: { sha: 'h'.repeat(40), repo: { full_name: 'fork/r', fork: true } } } };
  it('reads a pull_request payload, fork and labels included', () => {
    assert.deepEqual(parseEvent('pull_request', pr, 'm'.repeat(40)), { kind: 'pull_request', eventName: 'pull_request', number: 7, baseSha: 'b'.repeat(40), headSha: 'h'.repeat(40), baseRef: 'main', labels: ['x'], fork: true });
  });
  it('treats push, merge_group and workflow_dispatch as "all models"', () => {
    for (const e of ['push', 'merge_group', 'workflow_dispatch']) assert.deepEqual(parseEvent(e, {}, 's'), { kind: 'all', eventName: e, sha: 's' });
  });
  it('names the missing field', () => {
    assert.throws(() => parseEvent('pull_request', { pull_request: { number: 1, base: {}, head: { sha: 'x' } } }, ''), (e: unknown) => e instanceof EventPayloadError && e.field === 'pull_request.base.sha');
  });
});
