/**
 * Shared pieces of the parity families: one valid reference dump and one valid `pass` result.json of a
 * small fixture model, made once per process with the built CLI (real onnxruntime-node), and a random
 * JSON mutator.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PARITY_MODEL = join(ROOT, '__tests__', 'fixtures', 'models', 'tiny_cnn.onnx');

let base: { dir: string; ref: string; result: string } | null = null;

/** A valid reference dump (`ref/`) and the `pass` result of running against it (`result.json`). */
export function parityBase(): { ref: string; result: string } {
  if (base) return base;
  const dir = mkdtempSync(join(tmpdir(), 'edgegate-fuzz-parity-base-'));
  const cli = join(ROOT, 'bin', 'edgegate.js');
  const ref = join(dir, 'ref');
  const result = join(dir, 'result.json');
  const run = (args: string[]): void => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    if (!existsSync(args[args.indexOf('--out') + 1]!)) throw new Error(`fuzz base: edgegate ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  };
  run(['parity', 'reference', PARITY_MODEL, '--out', ref]);
  run(['parity', 'run', PARITY_MODEL, '--reference', ref, '--out', result, '--runs', '0']);
  const verdict = (JSON.parse(readFileSync(result, 'utf8')) as { verdict: string }).verdict;
  if (verdict !== 'pass') throw new Error(`fuzz base: the reference run gave ${verdict}, not pass`);
  base = { dir, ref, result };
  return base;
}

/** Copies the base dump into `dir/ref`. */
export function copyRef(dir: string): string {
  const to = join(dir, 'ref');
  cpSync(parityBase().ref, to, { recursive: true });
  return to;
}

type J = unknown;
/** All [parent, key] pairs of a JSON value, for picking a place to mutate. */
function places(v: J, out: [Record<string, J> | J[], string | number, string][] = [], path = ''): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i, `${path}[${i}]`]), places(x, out, `${path}[${i}]`)));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push([v as Record<string, J>, k, `${path}.${k}`]), places(x, out, `${path}.${k}`);
  return out;
}

const ODD: readonly J[] = [null, -1, 0, 1e308, -1e-308, 2 ** 53 + 2, '', 'x'.repeat(1000), [], {}, true, false, [[[[]]]], { pass: true }, 'NaN'];

/** One random edit of a JSON value: delete, retype, flip, negate, empty, duplicate. Returns the path edited. */
export function mutateJson(rng: Rng, root: J): string {
  const all = places(root);
  if (all.length === 0) return '(nothing)';
  const [parent, key, path] = rng.pick(all);
  const p = parent as Record<string | number, J>;
  const op = rng.int(6);
  if (op === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete p[key];
    return `deleted ${path}`;
  }
  const v = p[key];
  if (op === 1 && typeof v === 'boolean') return (p[key] = !v), `flipped ${path}`;
  if (op === 2 && typeof v === 'number') return (p[key] = rng.pick([-v, v + 1, v * 1000, -1, 0])), `changed number ${path}`;
  if (op === 3 && Array.isArray(v) && v.length > 0) return v.push(structuredClone(v[rng.int(v.length)])), `duplicated an entry of ${path}`;
  if (op === 4 && v && typeof v === 'object') return (p[key] = Array.isArray(v) ? [] : {}), `emptied ${path}`;
  p[key] = structuredClone(rng.pick(ODD));
  return `set ${path} to ${JSON.stringify(p[key]).slice(0, 20)}`;
}
