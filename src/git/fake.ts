/** In-memory GitClient for unit tests: commits are maps of path → bytes. */
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { GitCommandError, NoMergeBaseError } from './errors.js';
import type { BlobEntry, GitClient, NameStatus } from './types.js';

export interface FakeGitOptions {
  /** Commits present locally. */
  readonly commits: Record<string, Record<string, Buffer | string>>;
  /** Commits that `fetchCommit` can bring in. */
  readonly remote?: Record<string, Record<string, Buffer | string>>;
  /** Diff results by `base...head`; absent means "no merge base". */
  readonly diffs?: Record<string, NameStatus[]>;
  /** `lfs` maps pointer oid → content; undefined means git-lfs is not installed. */
  readonly lfs?: Record<string, Buffer | string>;
}

export class FakeGitClient implements GitClient {
  readonly calls: string[] = [];
  private readonly commits: Map<string, Map<string, Buffer>>;
  private readonly blobs = new Map<string, Buffer>();
  constructor(private readonly o: FakeGitOptions) {
    this.commits = new Map();
    for (const [sha, tree] of Object.entries(o.commits)) this.addCommit(sha, tree);
  }
  private addCommit(sha: string, tree: Record<string, Buffer | string>): void {
    const m = new Map<string, Buffer>();
    for (const [p, v] of Object.entries(tree)) {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
      m.set(p, b);
      this.blobs.set(createHash('sha1').update(b).digest('hex'), b);
    }
    this.commits.set(sha, m);
  }
  async diffNameStatus(base: string, head: string): Promise<NameStatus[]> {
    this.calls.push(`diff ${base}...${head}`);
    const d = this.o.diffs?.[`${base}...${head}`];
    if (!d) throw new NoMergeBaseError(base, head);
    return d;
  }
  async hasCommit(sha: string): Promise<boolean> {
    return this.commits.has(sha);
  }
  async fetchCommit(sha: string): Promise<void> {
    this.calls.push(`fetch ${sha}`);
    const tree = this.o.remote?.[sha];
    if (!tree) throw new GitCommandError(['fetch', '--depth=1', 'origin', sha], 128, `fatal: remote error: upload-pack: not our ref ${sha}`);
    this.addCommit(sha, tree);
  }
  async blobAt(sha: string, path: string): Promise<BlobEntry | null> {
    const b = this.commits.get(sha)?.get(path);
    if (!b) return null;
    return { oid: createHash('sha1').update(b).digest('hex'), size: b.length };
  }
  async writeBlob(oid: string, dest: string): Promise<void> {
    const b = this.blobs.get(oid);
    if (!b) throw new GitCommandError(['cat-file', 'blob', oid], 128, 'fatal: Not a valid object name');
    writeFileSync(dest, b);
  }
  async lfsAvailable(): Promise<boolean> {
    return this.o.lfs !== undefined;
  }
  async lfsSmudge(pointerFile: string, path: string, dest: string): Promise<void> {
    const { readFileSync } = await import('node:fs');
    const oid = /oid sha256:([0-9a-f]{64})/.exec(readFileSync(pointerFile, 'utf8'))?.[1];
    const content = oid ? this.o.lfs?.[oid] : undefined;
    if (content === undefined) throw new GitCommandError(['lfs', 'smudge', '--', path], 2, 'Error downloading object');
    writeFileSync(dest, content);
  }
}
