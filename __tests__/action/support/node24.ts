/**
 * The official Node 24 binary for the e2e and dist tests: GitHub runs the action with node24, so the
 * committed dist/index.js is run under it. Fetched once with `npm pack node-linux-<arch>@24` (the npm
 * registry's package of the official binary) into a cache folder outside the repo, then reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Cache folder; EDGEGATE_NODE24_DIR overrides it (CI can cache it between runs). */
export const NODE24_CACHE = process.env.EDGEGATE_NODE24_DIR ?? join(tmpdir(), 'edgegate-node24');

/** Path of a Node 24 executable, downloading it on first use. Throws with the reason when it cannot. */
export function node24(): string {
  const bin = join(NODE24_CACHE, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux') throw new Error(`node24 for tests is fetched for linux only (this is ${process.platform})`);
  mkdirSync(NODE24_CACHE, { recursive: true });
  // Unpack into a private folder and rename into place, so parallel test files never see half a binary.
  const work = mkdtempSync(join(NODE24_CACHE, 'dl-'));
  try {
    const pkg = `node-linux-${process.arch}@24`;
    const tgz = execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', work], { cwd: work, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } })
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', join(work, tgz), '-C', work]);
    const version = execFileSync(join(work, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v24.')) throw new Error(`${pkg} gave node ${version}, not v24`);
    try {
      renameSync(join(work, 'package'), join(NODE24_CACHE, 'package'));
    } catch (err) {
      if (!existsSync(bin)) throw err; // another test file won the race
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/** True when a cached binary exists (no download). */
export function node24Cached(): boolean {
  return existsSync(join(NODE24_CACHE, 'package', 'bin', 'node'));
}

export function listCache(): string[] {
  return existsSync(NODE24_CACHE) ? readdirSync(NODE24_CACHE) : [];
}

/**
 * Node 24 for a suite's `before()`: the binary, or the reason to skip. Without CI a suite may skip (no
 * registry access); under CI=true a missing Node 24 is a failure, so this throws.
 */
export function node24OrSkip(): { readonly node: string } | { readonly node: undefined; readonly skipReason: string } {
  try {
    return { node: node24() };
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    return { node: undefined, skipReason: `Node 24 not available: ${(err as Error).message}` };
  }
}
