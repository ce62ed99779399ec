/** GitClient over the git CLI (child_process; no shell, so paths are never interpreted). */
import { spawn } from 'node:child_process';
import { createWriteStream, openSync, closeSync } from 'node:fs';
import { GitCommandError, NoMergeBaseError } from './errors.js';
import type { BlobEntry, GitClient, NameStatus } from './types.js';

interface RunResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Hex object ids only: the sha comes from the event payload, which a caller may not trust. */
function assertSha(sha: string): void {
  if (!/^[0-9a-f]{7,64}$/i.test(sha)) throw new TypeError(`not a commit sha: ${JSON.stringify(sha)}`);
}

/** Parses `git diff --name-status -z` output. */
export function parseNameStatusZ(out: string): NameStatus[] {
  const parts = out.split('\0');
  const res: NameStatus[] = [];
  for (let i = 0; i < parts.length; ) {
    const st = parts[i++];
    if (!st) continue;
    const letter = st[0] as NameStatus['status'];
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++]!;
      const path = parts[i++]!;
      res.push({ status: letter, path, oldPath });
    } else {
      res.push({ status: letter, path: parts[i++]! });
    }
  }
  return res;
}

export interface CliGitOptions {
  /** Working directory of the repository. */
  readonly cwd: string;
  /** The git executable; default `git`. */
  readonly git?: string;
  /** Extra environment (tests put a stand-in git-lfs on PATH). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The real GitClient. */
export class CliGitClient implements GitClient {
  private readonly git: string;
  private lfs: boolean | undefined;
  constructor(private readonly opts: CliGitOptions) {
    this.git = opts.git ?? 'git';
  }

  private run(args: readonly string[], input?: { stdinFile?: string; stdoutFile?: string }): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const stdinFd = input?.stdinFile ? openSync(input.stdinFile, 'r') : undefined;
      const child = spawn(this.git, args as string[], {
        cwd: this.opts.cwd,
        env: { ...process.env, ...this.opts.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        stdio: [stdinFd ?? 'ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      let err = '';
      let sink: ReturnType<typeof createWriteStream> | undefined;
      let sinkDone: Promise<void> = Promise.resolve();
      if (input?.stdoutFile) {
        sink = createWriteStream(input.stdoutFile);
        const s = sink;
        sinkDone = new Promise((res, rej) => {
          s.on('finish', () => res());
          s.on('error', rej);
        });
        child.stdout!.pipe(sink);
      } else child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => {
        if (err.length < 64 * 1024) err += b.toString('utf8');
      });
      child.on('error', (e) => {
        if (stdinFd !== undefined) closeSync(stdinFd);
        reject(new GitCommandError(args, null, e.message, { cause: e }));
      });
      child.on('close', (code) => {
        if (stdinFd !== undefined) closeSync(stdinFd);
        sinkDone.then(() => resolve({ code, stdout: Buffer.concat(out), stderr: err }), reject);
      });
    });
  }

  private async must(args: readonly string[], io?: { stdinFile?: string; stdoutFile?: string }): Promise<Buffer> {
    const r = await this.run(args, io);
    if (r.code !== 0) throw new GitCommandError(args, r.code, r.stderr);
    return r.stdout;
  }

  async diffNameStatus(base: string, head: string): Promise<NameStatus[]> {
    assertSha(base);
    assertSha(head);
    const args = ['-c', 'core.quotepath=off', 'diff', '--name-status', '-M', '-z', '--no-ext-diff', `${base}...${head}`, '--'];
    const r = await this.run(args);
    if (r.code !== 0) {
      if (/no merge base/i.test(r.stderr)) throw new NoMergeBaseError(base, head, { cause: new GitCommandError(args, r.code, r.stderr) });
      throw new GitCommandError(args, r.code, r.stderr);
    }
    return parseNameStatusZ(r.stdout.toString('utf8'));
  }

  async hasCommit(sha: string): Promise<boolean> {
    assertSha(sha);
    const r = await this.run(['cat-file', '-e', `${sha}^{commit}`]);
    return r.code === 0;
  }

  async fetchCommit(sha: string): Promise<void> {
    assertSha(sha);
    await this.must(['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', sha]);
  }

  async blobAt(sha: string, path: string): Promise<BlobEntry | null> {
    assertSha(sha);
    // ls-tree with -z: "<mode> SP <type> SP <oid> SP+ <size> TAB <path> NUL"
    const out = (await this.must(['ls-tree', '-l', '-z', '--full-tree', sha, '--', path])).toString('utf8');
    for (const rec of out.split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+) +(\d+|-)\t(.*)$/s.exec(rec);
      if (m && m[5] === path && m[2] === 'blob') return { oid: m[3]!, size: Number(m[4]) };
    }
    return null;
  }

  async writeBlob(oid: string, dest: string): Promise<void> {
    assertSha(oid);
    await this.must(['cat-file', 'blob', oid], { stdoutFile: dest });
  }

  async lfsAvailable(): Promise<boolean> {
    if (this.lfs === undefined) {
      try {
        this.lfs = (await this.run(['lfs', 'version'])).code === 0;
      } catch {
        this.lfs = false;
      }
    }
    return this.lfs;
  }

  async lfsSmudge(pointerFile: string, path: string, dest: string): Promise<void> {
    await this.must(['lfs', 'smudge', '--', path], { stdinFile: pointerFile, stdoutFile: dest });
  }
}
