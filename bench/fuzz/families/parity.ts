/**
 * Parity families. `parity-reference`: a valid reference dump of a small model, corrupted (every named
 * corruption of __tests__/support/parity-corruptions.ts, npy header and payload bit flips, truncations,
 * random manifest edits), then `parity run` against it. `parity-result`: a valid `pass` result.json,
 * contradicted or randomly edited (or replaced by a device, FIFO, directory or oversized file), then
 * `parity report`. A corrupt input reported as pass is `corrupt-pass`; INTERNAL anywhere is `internal`.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_CORRUPTIONS, RESULT_CORRUPTIONS } from '../../../__tests__/support/parity-corruptions.js';
import type { CaseOutput, FuzzCase, FuzzFamily, Outcome, Rng } from '../types.js';
import { fifo, sparseFile } from './file-tricks.js';
import { copyRef, mutateJson, PARITY_MODEL, parityBase } from './parity-common.js';

/** The verdicts a command reported (result.json of `parity run`, or `parity report --format json`). */
function verdicts(out: string | undefined): string[] {
  if (!out) return [];
  try {
    const j = JSON.parse(out) as { verdict?: string; results?: { verdict: string }[] };
    return j.results ? j.results.map((r) => r.verdict) : j.verdict ? [j.verdict] : [];
  } catch {
    return [];
  }
}

function judgeCorrupt(c: FuzzCase, out: CaseOutput): Outcome | undefined {
  return c.corrupt && verdicts(out.out).includes('pass') ? 'corrupt-pass' : undefined;
}

type RefGen = (rng: Rng, ref: string) => { note: string; corrupt: boolean };

const npyFiles = (ref: string): string[] => readdirSync(ref).filter((f) => f.endsWith('.npy'));
const flip = (file: string, rng: Rng, from: number, to: number, n: number): void => {
  const b = readFileSync(file);
  for (let i = 0; i < n && to > from; i++) b[from + rng.int(Math.min(to, b.length) - from)] ^= 1 << rng.int(8);
  writeFileSync(file, b);
};

const REF_GENS: readonly RefGen[] = [
  ...REFERENCE_CORRUPTIONS.map(
    (c): RefGen =>
      (_rng, ref) => (c.apply(ref), { note: c.name, corrupt: true }),
  ),
  (rng, ref) => {
    const f = join(ref, rng.pick(npyFiles(ref)));
    const n = rng.range(1, 6);
    flip(f, rng, 0, 10 + readFileSync(f).readUInt16LE(8), n);
    return { note: `${n} bit flips in an npy header`, corrupt: false };
  },
  (rng, ref) => {
    const f = join(ref, rng.pick(npyFiles(ref)));
    const b = readFileSync(f);
    flip(f, rng, 10 + b.readUInt16LE(8), b.length, rng.range(1, 6));
    return { note: 'bit flips in an npy payload', corrupt: false };
  },
  (rng, ref) => {
    const f = join(ref, rng.pick(npyFiles(ref)));
    const b = readFileSync(f);
    writeFileSync(f, b.subarray(0, rng.int(b.length)));
    return { note: 'npy truncated', corrupt: true };
  },
  (rng, ref) => {
    const f = join(ref, rng.pick(npyFiles(ref)));
    writeFileSync(f, Buffer.concat([readFileSync(f), Buffer.from(rng.bytes(rng.range(1, 128)))]));
    return { note: 'bytes appended to an npy', corrupt: true };
  },
  (rng, ref) => {
    const file = join(ref, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const notes: string[] = [];
    for (let i = rng.range(1, 3); i > 0; i--) notes.push(mutateJson(rng, m));
    writeFileSync(file, JSON.stringify(m));
    return { note: `manifest: ${notes.join('; ')}`, corrupt: false };
  },
];

export const parityReference: FuzzFamily = {
  name: 'parity-reference',
  group: 'parity',
  make(rng, dir, index): FuzzCase {
    copyFileSync(PARITY_MODEL, join(dir, 'm.onnx'));
    const ref = copyRef(dir);
    const g = REF_GENS[index % REF_GENS.length]!(rng, ref);
    return {
      id: `parity-reference#${index}`,
      family: 'parity-reference',
      argv: ['parity', 'run', 'm.onnx', '--reference', 'ref', '--out', '{out}', '--runs', '0'],
      corrupt: g.corrupt,
      note: g.note,
    };
  },
  judge: judgeCorrupt,
};

type ResultGen = (rng: Rng, dir: string, r: Record<string, unknown> & { tensors: Record<string, unknown>[]; kernels: Record<string, unknown>[] }) => { note: string; corrupt: boolean; write?: false };
const RESULT = 'result.json';

const RESULT_GENS: readonly ResultGen[] = [
  ...RESULT_CORRUPTIONS.map((c): ResultGen => (_rng, _dir, r) => (c.apply(r), { note: c.name, corrupt: true })),
  (rng, _dir, r) => {
    const notes: string[] = [];
    for (let i = rng.range(1, 3); i > 0; i--) notes.push(mutateJson(rng, r));
    return { note: notes.join('; '), corrupt: false };
  },
  (rng, _dir, r) => {
    const t = rng.pick(r.kernels);
    Object.assign(t, { pass: false, failing: rng.range(1, 100) });
    return { note: 'one kernel out of tolerance, verdict left at pass', corrupt: true };
  },
  (_rng, _dir, r) => (Object.assign(r, { schemaVersion: 99 }), { note: 'schemaVersion 99', corrupt: true }),
  (rng, dir) => (symlinkSync(rng.pick(['/dev/zero', '/dev/urandom']), join(dir, RESULT)), { note: 'result is a symlink to a device', corrupt: true, write: false }),
  (_rng, dir) => (fifo(join(dir, RESULT)), { note: 'result is a FIFO', corrupt: true, write: false }),
  (_rng, dir) => (mkdirSync(join(dir, RESULT)), { note: 'result is a directory', corrupt: true, write: false }),
  (rng, dir) => (sparseFile(join(dir, RESULT), rng.pick([65 * 1024 * 1024, 2 ** 33])), { note: 'oversized (sparse) result', corrupt: true, write: false }),
  (rng, dir) => {
    const d = rng.pick([1000, 100_000, 1_000_000]);
    writeFileSync(join(dir, RESULT), '['.repeat(d) + ']'.repeat(d));
    return { note: `JSON nested ${d} deep`, corrupt: true, write: false };
  },
];

export const parityResult: FuzzFamily = {
  name: 'parity-result',
  group: 'parity',
  make(rng, dir, index): FuzzCase {
    const r = JSON.parse(readFileSync(parityBase().result, 'utf8')) as Parameters<ResultGen>[2];
    const g = RESULT_GENS[index % RESULT_GENS.length]!(rng, dir, r);
    if (g.write !== false) writeFileSync(join(dir, RESULT), JSON.stringify(r));
    return {
      id: `parity-result#${index}`,
      family: 'parity-result',
      argv: ['parity', 'report', RESULT, '--format', 'json', '--out', '{out}'],
      corrupt: g.corrupt,
      note: g.note,
    };
  },
  judge: judgeCorrupt,
};
