/** Paths shared by the parity tests. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO, '__tests__', 'fixtures', 'models');
export const fixture = (name: string): string => join(FIXTURES, name);
export const SHARED_MODELS = resolve(REPO, '..', 'shared', 'models');
export const STAND_IN = join(REPO, '__tests__', 'parity', 'helpers', 'stand-in-runtime.mjs');

/**
 * Whether ../shared is usable. Absent → skip locally; under CI=true a missing ../shared must fail,
 * so this throws there.
 */
export function sharedModelsOrSkip(): string | false {
  if (existsSync(join(SHARED_MODELS, 'manifest.json'))) return SHARED_MODELS;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${SHARED_MODELS} is missing`);
  return false;
}
