/**
 * Git access behind a small interface: a real implementation over the git CLI (cli.ts) and an
 * in-memory fake for unit tests (fake.ts).
 */

/** One line of `git diff --name-status -M`. Paths are repo-relative with `/`. */
export interface NameStatus {
  /** A added, M modified, D deleted, R renamed, C copied, T type changed. */
  readonly status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
  readonly path: string;
  /** Source path for R and C. */
  readonly oldPath?: string;
}

/** A blob in a commit's tree. */
export interface BlobEntry {
  readonly oid: string;
  readonly size: number;
}

export interface GitClient {
  /** Changes between the merge base of `base` and `head`, and `head` (three-dot diff, renames detected). */
  diffNameStatus(base: string, head: string): Promise<NameStatus[]>;
  /** True when the commit object is in the local repository. */
  hasCommit(sha: string): Promise<boolean>;
  /** `git fetch --no-tags --depth=1 origin <sha>`. Rejects with GitCommandError on failure. */
  fetchCommit(sha: string): Promise<void>;
  /** The blob at `path` in commit `sha`, or null when the path is not a file there. */
  blobAt(sha: string, path: string): Promise<BlobEntry | null>;
  /** Streams a blob's bytes into `dest` (parent folders must exist). */
  writeBlob(oid: string, dest: string): Promise<void>;
  /** True when `git lfs` is installed. */
  lfsAvailable(): Promise<boolean>;
  /** Runs an LFS pointer file through `git lfs smudge` into `dest`. `path` is the repo path (for .gitattributes). */
  lfsSmudge(pointerFile: string, path: string, dest: string): Promise<void>;
}
