/**
 * `.edgegate.yml` mutations: YAML alias bombs and undefined aliases, device files, FIFOs and directories
 * in place of the file, oversized files and values, huge or duplicated device lists, deep nesting, wrong
 * types, random bytes and line edits of a valid config. Each runs `check` on a good model with the
 * config: the model's report must still be there, and a config known to be corrupt must not exit 0.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase, FuzzFamily, Rng } from '../types.js';
import { fifo, lineEdits, sparseFile } from './file-tricks.js';
import { baseModels, GOOD_MODEL, PROFILE_IDS } from './model-common.js';

const VALID = (rng: Rng): string =>
  [
    'version: 1',
    `devices: [${rng.pick(PROFILE_IDS)}, ${rng.pick(PROFILE_IDS)}]`,
    'dims:',
    "  '*.onnx': { batch: 1 }",
    'budgets:',
    `  - device: ${rng.pick(PROFILE_IDS)}`,
    `    latencyMs: ${rng.range(1, 500)}`,
    '    ramBytes: 64MB',
    'regression:',
    '  maxLatencyRegression: 10%',
    'waivers:',
    '  - model: "*.onnx"',
    '    code: OP_UNSUPPORTED',
    '    reason: fuzz',
    '    expires: 2099-01-01',
    '',
  ].join('\n');

/** n levels of k aliases each: k^n nodes once expanded. */
function aliasBomb(rng: Rng): string {
  const k = rng.range(4, 12);
  const n = rng.range(4, 10);
  const lines = [`l0: &l0 [${Array(k).fill('"lol"').join(',')}]`];
  for (let i = 1; i < n; i++) lines.push(`l${i}: &l${i} [${Array(k).fill(`*l${i - 1}`).join(',')}]`);
  lines.push(`devices: [*l${n - 1}]`);
  return lines.join('\n') + '\n';
}

type Gen = (rng: Rng, dir: string) => { note: string; corrupt: boolean; file?: string };

const write = (dir: string, text: string | Uint8Array): void => writeFileSync(join(dir, '.edgegate.yml'), text);

const GENS: readonly Gen[] = [
  (rng, dir) => (write(dir, aliasBomb(rng)), { note: 'alias bomb', corrupt: true }),
  (rng, dir) => (write(dir, `${VALID(rng)}x: *${rng.pick(['nope', 'a', 'l0'])}\n`), { note: 'undefined alias', corrupt: true }),
  (rng, dir) => (write(dir, `a: &a ${rng.pick(['x', '[1]', '{b: 1}'])}\nb: *a\n`), { note: 'alias before use, unknown keys', corrupt: true }),
  (rng, _dir) => ({ note: 'config is a device file', corrupt: true, file: rng.pick(['/dev/zero', '/dev/urandom', '/dev/null']) }),
  (rng, dir) => (symlinkSync(rng.pick(['/dev/zero', '/dev/urandom']), join(dir, '.edgegate.yml')), { note: 'config symlink to a device', corrupt: true }),
  (_rng, dir) => (fifo(join(dir, '.edgegate.yml')), { note: 'config is a FIFO', corrupt: true }),
  (_rng, dir) => (mkdirSync(join(dir, '.edgegate.yml')), { note: 'config is a directory', corrupt: true }),
  (rng, dir) => (sparseFile(join(dir, '.edgegate.yml'), rng.pick([2 * 1024 * 1024, 50 * 1024 * 1024, 2 ** 33])), { note: 'oversized (sparse) config', corrupt: true }),
  (rng, dir) => (write(dir, `devices: ["${'x'.repeat(rng.range(1, 3) * 1024 * 1024)}"]\n`), { note: 'multi-MB string value', corrupt: true }),
  (rng, dir) => {
    const n = rng.pick([1000, 20_001, 100_000, 300_000]);
    write(dir, rng.chance(0.5) ? `devices: [${Array(n).fill(rng.pick(['a', 'host-x64'])).join(',')}]\n` : `devices:\n${Array(n).fill('- a').join('\n')}\n`);
    return { note: `${n} devices`, corrupt: true };
  },
  (rng, dir) => {
    const n = rng.range(257, 2000);
    write(dir, `devices: [${Array.from({ length: n }, (_, i) => `d${i}`).join(',')}]\n`);
    return { note: `${n} distinct devices`, corrupt: true };
  },
  (rng, dir) => {
    const id = rng.pick(PROFILE_IDS);
    write(dir, `devices: [${Array(rng.range(2, 200)).fill(id).join(',')}]\n`);
    return { note: 'one device repeated', corrupt: true };
  },
  (rng, dir) => {
    const depth = rng.pick([100, 1000, 5000, 20_000]);
    write(dir, rng.chance(0.5) ? `dims: ${'['.repeat(depth)}${']'.repeat(depth)}\n` : `dims: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`);
    return { note: `nesting depth ${depth}`, corrupt: true };
  },
  (rng, dir) => {
    const field = rng.pick(['devices: 5', 'budgets: {a: 1}', 'dims: [1,2]', 'regression: "x"', 'waivers: [{}]', 'version: 99', 'parity: []', 'budgets: [{latency-ms: -1}]', 'budgets: [{ram: 1ZB}]']);
    write(dir, `${field}\n`);
    return { note: `wrong type: ${field}`, corrupt: true };
  },
  (rng, dir) => (write(dir, rng.bytes(rng.range(1, 4096))), { note: 'random bytes', corrupt: false }),
  (rng, dir) => {
    const lines = VALID(rng).split('\n');
    const n = rng.range(1, 4);
    lineEdits(rng, lines, n, [-1, 0, 1e308, 2 ** 53, NaN]);
    write(dir, lines.join('\n'));
    return { note: `${n} line edits of a valid config`, corrupt: false };
  },
  (rng, dir) => (write(dir, VALID(rng)), { note: 'valid config (control)', corrupt: false }),
];

export const configYaml: FuzzFamily = {
  name: 'config-yaml',
  group: 'config',
  make(rng, dir, index): FuzzCase {
    writeFileSync(join(dir, 'good.onnx'), baseModels().find((b) => b.name === GOOD_MODEL)!.bytes);
    const g = GENS[index % GENS.length]!(rng, dir);
    return {
      id: `config-yaml#${index}`,
      family: 'config-yaml',
      argv: ['check', 'good.onnx', '--config', g.file ?? '.edgegate.yml', '--format', 'json', '--out', '{out}', '--fail-on', 'error'],
      expectModels: ['good.onnx'],
      corrupt: g.corrupt,
      note: g.note,
    };
  },
};
