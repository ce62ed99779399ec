/** Shared pieces of the model families: base models, the batch command line, protobuf helpers. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import type { FuzzCase, Rng } from '../types.js';

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.IModelProto;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = join(ROOT, '__tests__', 'fixtures', 'models');
export const PROFILE_IDS = readdirSync(join(ROOT, 'device-profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));

let bases: { name: string; bytes: Buffer }[] | null = null;
/** Small committed models (all under 120 KB) that the mutations start from. */
export function baseModels(): { name: string; bytes: Buffer }[] {
  bases ??= readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((f) => ({ name: f, bytes: readFileSync(join(FIXTURES, f)) }));
  return bases;
}

/** The model every batch carries beside the mutated one: its report must always be there. */
export const GOOD_MODEL = 'tiny_cnn.onnx';

/**
 * `check mutated.onnx good.onnx` with 1-3 shipped profiles, JSON out. Both models must be in the report,
 * whatever the mutated one does.
 */
export function checkCase(rng: Rng, dir: string, family: string, index: number, note: string, mutated = 'm.onnx'): FuzzCase {
  writeFileSync(join(dir, 'good.onnx'), baseModels().find((b) => b.name === GOOD_MODEL)!.bytes);
  const devices: string[] = [];
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) devices.push('--device', rng.pick(PROFILE_IDS));
  const order = rng.chance(0.5) ? [mutated, 'good.onnx'] : ['good.onnx', mutated];
  return {
    id: `${family}#${index}`,
    family,
    argv: ['check', ...order, ...devices, '--format', 'json', '--out', '{out}', '--fail-on', 'error'],
    expectModels: order,
    note,
  };
}

/** A tensor value_info (float unless `elemType` says otherwise); string dims are symbolic. */
export function valueInfo(name: string, dims: (number | string)[], elemType = 1): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** Protobuf varint bytes of a non-negative bigint. */
export function varint(v: bigint): number[] {
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Interesting integers for dims, lengths and attribute values. */
export const EDGE_INTS = [0, 1, -1, -2, 2, 3, 7, 255, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 31), 1e15, -(2 ** 53) + 1];
