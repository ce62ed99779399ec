/**
 * Writes (or, with `--check`, verifies) `device-profiles/profiles.bundle.json`, the validated JSON form of the
 * shipped YAML profiles that the loader uses to skip YAML parsing.
 *
 *   node --import tsx src/profiles/bundle.ts          # rewrite after editing a profile
 *   node --import tsx src/profiles/bundle.ts --check  # exit 1 when the bundle is stale
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILE_BUNDLE_FILE, buildProfileBundle, defaultProfilesDir } from './load.js';

/** true when the bundle file in `dir` equals what {@link buildProfileBundle} produces now. */
export function isBundleFresh(dir: string = defaultProfilesDir()): boolean {
  const file = join(dir, PROFILE_BUNDLE_FILE);
  return existsSync(file) && readFileSync(file, 'utf8') === buildProfileBundle(dir);
}

// Run only as `node src/profiles/bundle.ts` (or build/profiles/bundle.js); never when bundled into dist/,
// where import.meta.url is the bundle's own entry file.
const entry = (process.argv[1] ?? '').replace(/\\/g, '/');
if (/\/profiles\/bundle\.(ts|js)$/.test(entry) && fileURLToPath(import.meta.url).replace(/\\/g, '/') === entry) {
  const dir = defaultProfilesDir();
  if (process.argv.includes('--check')) {
    const fresh = isBundleFresh(dir);
    process.stdout.write(fresh ? 'profiles bundle is up to date\n' : `stale: run node --import tsx src/profiles/bundle.ts\n`);
    process.exitCode = fresh ? 0 : 1;
  } else {
    writeFileSync(join(dir, PROFILE_BUNDLE_FILE), buildProfileBundle(dir));
    process.stdout.write(`wrote ${join(dir, PROFILE_BUNDLE_FILE)}\n`);
  }
}
