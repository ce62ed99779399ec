/**
 * Device profile mutations: a shipped profile with alias bombs, undefined aliases, line and byte edits,
 * wrong types and huge lists, and device files, FIFOs, directories and oversized files given as the
 * profile path. Each runs `check` on a good model with the mutated profile beside a shipped one: the
 * model's report must still be there, and a profile known to be corrupt must not exit 0.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzCase, FuzzFamily, Rng } from '../types.js';
import { fifo, lineEdits, sparseFile } from './file-tricks.js';
import { baseModels, GOOD_MODEL, PROFILE_IDS } from './model-common.js';

const PROFILES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'device-profiles');
const shipped = new Map<string, string>();
const text = (id: string): string => {
  if (!shipped.has(id)) shipped.set(id, readFileSync(join(PROFILES, `${id}.yaml`), 'utf8'));
  return shipped.get(id)!;
};

type Gen = (rng: Rng, dir: string, base: string) => { note: string; corrupt: boolean; path?: string };
const P = 'p.yaml';
const write = (dir: string, t: string | Uint8Array): void => writeFileSync(join(dir, P), t);

const GENS: readonly Gen[] = [
  (rng, dir, base) => {
    const k = rng.range(5, 12);
    const n = rng.range(5, 10);
    const lines = [`x-l0: &l0 [${Array(k).fill('"lol"').join(',')}]`];
    for (let i = 1; i < n; i++) lines.push(`x-l${i}: &l${i} [${Array(k).fill(`*l${i - 1}`).join(',')}]`);
    write(dir, `${base}\n${lines.join('\n')}\n`);
    return { note: 'alias bomb appended', corrupt: true };
  },
  (rng, dir, base) => (write(dir, base.replace(/^name: .*$/m, `name: *${rng.pick(['nope', 'x'])}`)), { note: 'undefined alias', corrupt: true }),
  (rng) => ({ note: 'profile path is a device', corrupt: true, path: rng.pick(['/dev/zero', '/dev/urandom', '/dev/null']) }),
  (rng, dir) => (symlinkSync(rng.pick(['/dev/zero', '/dev/urandom']), join(dir, P)), { note: 'profile symlink to a device', corrupt: true }),
  (_rng, dir) => (fifo(join(dir, P)), { note: 'profile is a FIFO', corrupt: true }),
  (_rng, dir) => (mkdirSync(join(dir, P)), { note: 'profile is a directory', corrupt: true }),
  (rng, dir) => {
    sparseFile(join(dir, P), rng.pick([2 * 1024 * 1024, 64 * 1024 * 1024, 2 ** 33]));
    return { note: 'oversized (sparse) profile', corrupt: true };
  },
  (rng, dir, base) => {
    const n = rng.pick([60_000, 200_000]);
    write(dir, `${base}\nx-list: [${Array(n).fill('1').join(',')}]\n`);
    return { note: `${n}-item list appended`, corrupt: true };
  },
  (rng, dir, base) => {
    const lines = base.split('\n');
    const n = rng.range(1, 5);
    lineEdits(rng, lines, n, [-1, 0, 1e308, 2 ** 53, -0.5, 'NaN', '.inf'], ['[]', '{}', 'null', '~', '"x"', '[[[]]]', '*a', '&a 1']);
    write(dir, lines.join('\n'));
    return { note: `${n} line edits`, corrupt: false };
  },
  (rng, dir, base) => {
    const b = Buffer.from(base);
    const n = rng.range(1, 20);
    for (let i = 0; i < n; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
    write(dir, b);
    return { note: `${n} bit flips`, corrupt: false };
  },
  (rng, dir, base) => (write(dir, base.slice(0, rng.int(base.length))), { note: 'truncated', corrupt: false }),
  (rng, dir) => (write(dir, rng.bytes(rng.range(1, 8192))), { note: 'random bytes', corrupt: true }),
  (_rng, dir, base) => (write(dir, base), { note: 'valid copy (control)', corrupt: false }),
];

export const profileYaml: FuzzFamily = {
  name: 'profile-yaml',
  group: 'profile',
  make(rng, dir, index): FuzzCase {
    writeFileSync(join(dir, 'good.onnx'), baseModels().find((b) => b.name === GOOD_MODEL)!.bytes);
    const id = rng.pick(PROFILE_IDS);
    const other = rng.pick(PROFILE_IDS.filter((x) => x !== id));
    const g = GENS[index % GENS.length]!(rng, dir, text(id));
    return {
      id: `profile-yaml#${index}`,
      family: 'profile-yaml',
      argv: ['check', 'good.onnx', '--device', g.path ?? `./${P}`, '--device', other, '--format', 'json', '--out', '{out}', '--fail-on', 'error'],
      expectModels: ['good.onnx'],
      corrupt: g.corrupt,
      note: `${id}: ${g.note}`,
    };
  },
};
