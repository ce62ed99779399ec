/**
 * The base side of the gather stage: extract the base versions of the changed models (and of the
 * config and profile files the repository holds) from git, never from the working tree, and check them
 * with the same check as the head. The action and `edgegate check --base` both use it.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckOptions } from '../check.js';
import type { ModelChange } from '../gate/types.js';
import type { Report, ReportError } from '../report/types.js';
import { ensureCommit, extractBaseModel } from './baseline.js';
import type { GitClient } from './types.js';

export interface BaseCheckInput {
  readonly git: GitClient;
  readonly baseSha: string;
  readonly changes: readonly ModelChange[];
  /** Repo-relative config path (`.edgegate.yml`). */
  readonly configPath: string;
  /** Device ids or profile paths, as given. */
  readonly devices: readonly string[];
  /** The repo-relative profile files among `devices` (the base's own versions are used). */
  readonly profileFiles: readonly string[];
  /** The repository's working tree (for profiles the base does not have). */
  readonly workspace: string;
  /** Scratch folder for the extracted files. */
  readonly tempDir: string;
  readonly check: (options: CheckOptions) => Promise<Report>;
}

/** An error about the baseline, as the report lists it. */
export function baselineError(message: string, file = '.'): ReportError {
  return { code: 'BASELINE_UNAVAILABLE', file, message };
}

/**
 * Checks the base versions of the modified, renamed and unchanged models. Problems become
 * `BASELINE_UNAVAILABLE` errors in `errors`; returns undefined when no base model could be extracted.
 */
export async function checkBaseVersions(input: BaseCheckInput, errors: ReportError[]): Promise<Report | undefined> {
  const { git, baseSha } = input;
  const wanted = input.changes.filter((c) => c.kind === 'modified' || c.kind === 'renamed' || c.kind === 'unchanged');
  if (wanted.length === 0) return undefined;
  try {
    await ensureCommit(git, baseSha, 'base');
  } catch (err) {
    errors.push(baselineError((err as Error).message));
    return undefined;
  }
  const dir = mkdtempSync(join(input.tempDir, 'edgegate-base-'));
  const files: string[] = [];
  for (const c of wanted) {
    const path = c.oldPath ?? c.path;
    try {
      const x = await extractBaseModel(git, baseSha, path, dir);
      if (x) files.push(x.file);
    } catch (err) {
      errors.push(baselineError(`No baseline for ${path}: ${(err as Error).message}`, path));
    }
  }
  if (files.length === 0) return undefined;
  // The baseline is the base commit as a whole: its own config and profile files where it has them.
  const extractFile = async (p: string): Promise<string | undefined> => {
    const blob = await git.blobAt(baseSha, p);
    if (!blob) return undefined;
    const dest = join(dir, '.edgegate-base-files', ...p.split('/'));
    mkdirSync(join(dest, '..'), { recursive: true });
    await git.writeBlob(blob.oid, dest);
    return dest;
  };
  const baseConfig = await extractFile(input.configPath);
  const devices: string[] = [];
  for (const d of input.devices) {
    const norm = d.replace(/\\/g, '/').replace(/^\.\//, '');
    devices.push(input.profileFiles.includes(norm) ? ((await extractFile(norm)) ?? resolve(input.workspace, d)) : d);
  }
  return input.check({
    models: files,
    devices,
    ...(baseConfig ? { configPath: baseConfig, configExplicit: true } : {}),
    repoRoot: dir,
  });
}
