/**
 * Base-version extraction and change listing over a GitClient. Base files come from git objects at the
 * base sha, never from the working tree.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { GitCommandError, LfsPointerError, MissingCommitError } from './errors.js';
import { externalDataLocations } from './external-refs.js';
import { isLfsPointerFile } from './lfs.js';
import type { GitClient, NameStatus } from './types.js';

/**
 * Makes sure `sha` is present, fetching it with depth 1 when it is not (the default actions/checkout
 * clone has one commit). Throws MissingCommitError naming `fetch-depth: 0` when that fails.
 */
export async function ensureCommit(git: GitClient, sha: string, role: string): Promise<'present' | 'fetched'> {
  if (await git.hasCommit(sha)) return 'present';
  try {
    await git.fetchCommit(sha);
  } catch (cause) {
    throw new MissingCommitError(sha, role, { cause });
  }
  if (!(await git.hasCommit(sha))) throw new MissingCommitError(sha, role, { cause: new Error('the fetch did not bring the commit') });
  return 'fetched';
}

/** What was extracted for one base model. */
export interface ExtractedBase {
  /** Repo-relative path at the base commit. */
  readonly path: string;
  /** Absolute path of the extracted model. */
  readonly file: string;
  /** Repo-relative paths of the external-data files that were extracted. */
  readonly externalData: readonly string[];
  /** External-data locations that the base commit does not have (the base report will show the error). */
  readonly missingExternalData: readonly string[];
  /** True when LFS pointers were smudged. */
  readonly smudged: boolean;
}

async function extractBlob(git: GitClient, sha: string, path: string, dest: string): Promise<{ found: boolean; smudged: boolean }> {
  const blob = await git.blobAt(sha, path);
  if (!blob) return { found: false, smudged: false };
  mkdirSync(dirname(dest), { recursive: true });
  await git.writeBlob(blob.oid, dest);
  if (!isLfsPointerFile(dest)) return { found: true, smudged: false };
  if (!(await git.lfsAvailable())) throw new LfsPointerError(path, `at base ${sha.slice(0, 12)}; git-lfs is not installed to smudge it`);
  const tmp = `${dest}.lfs-pointer`;
  renameSync(dest, tmp);
  try {
    await git.lfsSmudge(tmp, path, dest);
  } catch (cause) {
    throw new LfsPointerError(path, `at base ${sha.slice(0, 12)}; git lfs smudge failed`, { cause });
  } finally {
    rmSync(tmp, { force: true });
  }
  if (isLfsPointerFile(dest)) throw new LfsPointerError(path, `at base ${sha.slice(0, 12)}; smudging left a pointer`);
  return { found: true, smudged: true };
}

/**
 * Extracts `path` as of `sha`, with its external-data files, under `destRoot` at the same relative
 * paths (so external locations resolve as they did in the repo). Returns null when the base commit has
 * no such file (a new model).
 */
export async function extractBaseModel(git: GitClient, sha: string, path: string, destRoot: string): Promise<ExtractedBase | null> {
  const file = join(destRoot, ...path.split('/'));
  const main = await extractBlob(git, sha, path, file);
  if (!main.found) return null;
  let smudged = main.smudged;
  let locations: string[];
  try {
    locations = externalDataLocations(file);
  } catch {
    // A malformed base model: the model reader reports it; nothing more to extract.
    locations = [];
  }
  const externalData: string[] = [];
  const missing: string[] = [];
  const dir = posix.dirname(path);
  for (const loc of locations) {
    const norm = posix.normalize(loc.replace(/\\/g, '/'));
    if (posix.isAbsolute(norm) || /^[A-Za-z]:/.test(norm) || norm === '..' || norm.startsWith('../')) {
      // Left for the model reader to report; never read outside the model's folder.
      missing.push(loc);
      continue;
    }
    const rel = dir === '.' ? norm : `${dir}/${norm}`;
    const r = await extractBlob(git, sha, rel, join(destRoot, ...rel.split('/')));
    if (r.found) externalData.push(rel);
    else missing.push(rel);
    smudged ||= r.smudged;
  }
  return { path, file, externalData, missingExternalData: missing, smudged };
}

/** Lists the PR's changed files; rethrows NoMergeBaseError for the caller's files-API fallback. */
export async function listChanges(git: GitClient, base: string, head: string): Promise<NameStatus[]> {
  return git.diffNameStatus(base, head);
}

export { GitCommandError };
