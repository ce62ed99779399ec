/**
 * The base side of `edgegate check --base REF`: the same base check as the action's pull requests, for
 * model files in a local git checkout. Each given model is `added` (not at REF), `unchanged` (same blob)
 * or `modified`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative, resolve } from 'node:path';
import type { CheckOptions } from '../check.js';
import type { ModelChange } from '../gate/types.js';
import type { Report, ReportError } from '../report/types.js';
import { baselineError, checkBaseVersions } from './base-check.js';
import { CliGitClient } from './cli.js';

/** `--base REF` named something git cannot resolve, or the models are outside a git work tree. */
export class BaseRefError extends Error {
  override readonly name = 'BaseRefError';
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The git blob id of a file's bytes (what `git hash-object` prints). */
function blobId(file: string): string {
  const data = readFileSync(file);
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export interface LocalBase {
  readonly sha: string;
  readonly report: Report | undefined;
  readonly changes: ModelChange[];
}

/**
 * Resolves `ref`, classifies each model against it, and checks the base versions.
 * @throws BaseRefError when `ref` is not a commit or the cwd is not in a git work tree.
 */
export async function gatherLocalBase(
  ref: string,
  models: readonly string[],
  options: { readonly devices: readonly string[]; readonly configPath: string; readonly check: (o: CheckOptions) => Promise<Report> },
  errors: ReportError[],
): Promise<LocalBase> {
  let root: string;
  let sha: string;
  try {
    root = git(process.cwd(), ['rev-parse', '--show-toplevel']);
    sha = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch (err) {
    throw new BaseRefError(`--base ${ref}: not a commit of a git repository here (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  const client = new CliGitClient({ cwd: root });
  const changes: ModelChange[] = [];
  for (const m of models) {
    const path = relative(root, resolve(m)).split('\\').join('/');
    let blob;
    try {
      blob = await client.blobAt(sha, path);
    } catch (err) {
      errors.push(baselineError(`No baseline for ${path}: ${(err as Error).message}`, path));
      continue;
    }
    let same = false;
    try {
      same = !!blob && blob.oid === blobId(m);
    } catch {
      // An unreadable head file is reported by the head check.
    }
    changes.push({ path, kind: !blob ? 'added' : same ? 'unchanged' : 'modified' });
  }
  const profileFiles = options.devices.filter((d) => /[\\/]|\.(ya?ml|json)$/i.test(d)).map((d) => relative(root, resolve(d)).split('\\').join('/'));
  const configPath = relative(root, resolve(options.configPath)).split('\\').join('/');
  const report = await checkBaseVersions({ git: client, baseSha: sha, changes, configPath, devices: options.devices, profileFiles, workspace: root, tempDir: tmpdir(), check: options.check }, errors);
  return { sha, report, changes };
}
