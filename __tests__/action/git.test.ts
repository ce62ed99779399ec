import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliGitClient, parseNameStatusZ } from '../../src/git/cli.js';
import { ensureCommit, extractBaseModel } from '../../src/git/baseline.js';
import { LfsPointerError, MissingCommitError, NoMergeBaseError, redact } from '../../src/git/errors.js';
import { externalDataLocations } from '../../src/git/external-refs.js';
import { isLfsPointer } from '../../src/git/lfs.js';
import { FakeGitClient } from '../../src/git/fake.js';
import { buildModel, smallConvModel } from '../support/onnx-builder.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
}
function commitAll(cwd: string, msg: string): string {
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-q', '-m', msg);
  return git(cwd, 'rev-parse', 'HEAD');
}
function lfsPointer(content: Buffer): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${createHash('sha256').update(content).digest('hex')}\nsize ${content.length}\n`;
}

describe('git: real repository', () => {
  let root: string;
  let repo: string;
  let base: string;
  let head: string;
  const baseModel = buildModel({ ...smallConvModel(), irVersion: 8 });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'edgegate-git-'));
    repo = join(root, 'origin');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    // Base: a model with external data in two files (one in a subfolder), plus models to modify/delete/rename.
    const spec = smallConvModel();
    spec.initializers![0]!.external = { location: 'weights.bin' };
    spec.initializers![3]!.external = { location: 'data/fc.bin' };
    buildModel(spec, join(repo, 'models', 'ext', 'model.onnx'));
    writeFileSync(join(repo, 'models', 'a.onnx'), baseModel);
    writeFileSync(join(repo, 'models', 'gone.onnx'), baseModel);
    writeFileSync(join(repo, 'models', 'old name.onnx'), Buffer.concat([baseModel, Buffer.from('x')]));
    writeFileSync(join(repo, 'models', 'big.onnx'), lfsPointer(Buffer.from('REAL MODEL BYTES')));
    writeFileSync(join(repo, 'README.md'), 'hi\n');
    base = commitAll(repo, 'base');
    git(repo, 'checkout', '-q', '-b', 'pr');
    writeFileSync(join(repo, 'models', 'a.onnx'), Buffer.concat([baseModel, Buffer.from([0])]));
    rmSync(join(repo, 'models', 'gone.onnx'));
    git(repo, 'mv', 'models/old name.onnx', 'models/new näme.onnx');
    writeFileSync(join(repo, 'models', 'added.onnx'), 'a different model');
    head = commitAll(repo, 'pr');
    // The working tree differs from both commits: extraction must not read it.
    writeFileSync(join(repo, 'models', 'a.onnx'), 'WORKING TREE');
    rmSync(join(repo, 'models', 'ext', 'weights.bin'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists added, modified, deleted and renamed files with the three-dot diff', async () => {
    const changes = await new CliGitClient({ cwd: repo }).diffNameStatus(base, head);
    const byPath = Object.fromEntries(changes.map((c) => [c.path, c]));
    assert.equal(byPath['models/a.onnx']?.status, 'M');
    assert.equal(byPath['models/gone.onnx']?.status, 'D');
    assert.equal(byPath['models/added.onnx']?.status, 'A');
    assert.deepEqual(byPath['models/new näme.onnx'], { status: 'R', path: 'models/new näme.onnx', oldPath: 'models/old name.onnx' });
    assert.equal(changes.length, 4);
  });

  it('extracts the base version from git objects, not the working tree, with its external data', async () => {
    const out = mkdtempSync(join(root, 'x-'));
    const g = new CliGitClient({ cwd: repo });
    const a = await extractBaseModel(g, base, 'models/a.onnx', out);
    assert.ok(a);
    assert.deepEqual(readFileSync(a.file), Buffer.from(baseModel));
    const e = await extractBaseModel(g, base, 'models/ext/model.onnx', out);
    assert.ok(e);
    assert.deepEqual(e.externalData, ['models/ext/data/fc.bin', 'models/ext/weights.bin']);
    assert.equal(readFileSync(join(out, 'models', 'ext', 'weights.bin')).length, 72 * 4);
    assert.equal(readFileSync(join(out, 'models', 'ext', 'data', 'fc.bin')).length, 432 * 4);
  });

  it('returns null for a model the base does not have (a new model)', async () => {
    assert.equal(await extractBaseModel(new CliGitClient({ cwd: repo }), base, 'models/added.onnx', mkdtempSync(join(root, 'x-'))), null);
  });

  it('an LFS pointer without git-lfs gives an error that says lfs: true', async () => {
    const g = new CliGitClient({ cwd: repo, env: { PATH: '/usr/bin:/bin' } });
    await assert.rejects(extractBaseModel(g, base, 'models/big.onnx', mkdtempSync(join(root, 'x-'))), (e: unknown) => {
      assert.ok(e instanceof LfsPointerError);
      assert.equal(e.file, 'models/big.onnx');
      assert.match(e.message, /models\/big\.onnx is a Git LFS pointer.*Use actions\/checkout with `lfs: true`/);
      return true;
    });
  });

  it('smudges LFS pointers through git lfs when it is installed', async () => {
    // A stand-in git-lfs: serves objects from a store folder by oid, as the real one does from .git/lfs.
    const bin = join(root, 'bin');
    const store = join(root, 'lfs-store');
    mkdirSync(bin, { recursive: true });
    mkdirSync(store, { recursive: true });
    const content = Buffer.from('REAL MODEL BYTES');
    writeFileSync(join(store, createHash('sha256').update(content).digest('hex')), content);
    writeFileSync(
      join(bin, 'git-lfs'),
      `#!/bin/sh\ncase "$1" in\n version) echo "git-lfs/0.0 (stand-in)";;\n smudge) oid=$(sed -n 's/^oid sha256://p'); cat "${store}/$oid";;\n *) exit 2;;\nesac\n`,
    );
    chmodSync(join(bin, 'git-lfs'), 0o755);
    const g = new CliGitClient({ cwd: repo, env: { PATH: `${bin}:${process.env.PATH}` } });
    const out = mkdtempSync(join(root, 'x-'));
    const r = await extractBaseModel(g, base, 'models/big.onnx', out);
    assert.ok(r?.smudged);
    assert.equal(readFileSync(r.file, 'utf8'), 'REAL MODEL BYTES');
    assert.ok(!existsSync(`${r.file}.lfs-pointer`));
  });

  describe('shallow clone', () => {
    let clone: string;
    before(() => {
      clone = join(root, 'clone');
      execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'pr', `file://${repo}`, clone]);
    });

    it('a missing base commit is fetched with depth 1', async () => {
      const g = new CliGitClient({ cwd: clone });
      assert.equal(await g.hasCommit(base), false);
      assert.equal(await ensureCommit(g, base, 'base'), 'fetched');
      assert.equal(await g.hasCommit(base), true);
      assert.equal(await ensureCommit(g, base, 'base'), 'present');
    });

    it('without history the three-dot diff says no merge base and names fetch-depth: 0', async () => {
      const g = new CliGitClient({ cwd: clone });
      await assert.rejects(g.diffNameStatus(base, head), (e: unknown) => e instanceof NoMergeBaseError && /fetch-depth: 0/.test(e.message));
    });

    it('a commit the remote does not have gives MissingCommitError naming fetch-depth: 0', async () => {
      const g = new CliGitClient({ cwd: clone });
      const sha = 'deadbeef'.repeat(5);
      await assert.rejects(ensureCommit(g, sha, 'base'), (e: unknown) => {
        assert.ok(e instanceof MissingCommitError);
        assert.equal(e.sha, sha);
        assert.match(e.message, /The base commit deadbeef.* is not in the clone.*`fetch-depth: 0`.*`git fetch --depth=1 origin deadbeef/);
        return true;
      });
    });
  });

  it('rejects a sha that is not hex (no option injection)', async () => {
    await assert.rejects(new CliGitClient({ cwd: repo }).hasCommit('--upload-pack=touch /tmp/x'), TypeError);
  });
});

describe('git: helpers', () => {
  it('parses -z name-status with renames and odd names', () => {
    assert.deepEqual(parseNameStatusZ('M\0a b.onnx\0R087\0old\tx.onnx\0new\nx.onnx\0D\0gone.onnx\0'), [
      { status: 'M', path: 'a b.onnx' },
      { status: 'R', path: 'new\nx.onnx', oldPath: 'old\tx.onnx' },
      { status: 'D', path: 'gone.onnx' },
    ]);
  });

  it('detects LFS pointers and nothing else', () => {
    assert.equal(isLfsPointer(lfsPointer(Buffer.from('x'))), true);
    assert.equal(isLfsPointer('version https://git-lfs.github.com/spec/v1\n'), false);
    assert.equal(isLfsPointer(Buffer.from([8, 7, 18, 4])), false);
  });

  it('redacts credentials in git error text', () => {
    assert.equal(redact('fatal: https://x-access-token:ghs_secret@github.com/o/r'), 'fatal: https://***@github.com/o/r');
  });

  it('finds external locations in initializers, skipping embedded weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgegate-ext-'));
    const spec = smallConvModel();
    spec.initializers![1]!.external = { location: 'b.bin', write: false };
    buildModel(spec, join(dir, 'm.onnx'));
    assert.deepEqual(externalDataLocations(join(dir, 'm.onnx')), ['b.bin']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('external locations that leave the folder are never extracted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgegate-ext-'));
    const spec = smallConvModel();
    spec.initializers![1]!.external = { location: '../../secret.bin', write: false };
    const bytes = Buffer.from(buildModel(spec));
    const g = new FakeGitClient({ commits: { aaaaaaa: { 'm/x.onnx': bytes, 'secret.bin': 'S' } } });
    const r = await extractBaseModel(g, 'aaaaaaa', 'm/x.onnx', dir);
    assert.deepEqual(r?.externalData, []);
    assert.deepEqual(r?.missingExternalData, ['../../secret.bin']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fake: ensureCommit fetches what the remote has', async () => {
    const g = new FakeGitClient({ commits: {}, remote: { bbbbbbb: { 'a.onnx': 'x' } } });
    assert.equal(await ensureCommit(g, 'bbbbbbb', 'base'), 'fetched');
    await assert.rejects(ensureCommit(g, 'ccccccc', 'head'), /The head commit ccccccc is not in the clone/);
  });
});
