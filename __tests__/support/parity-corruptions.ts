/**
 * Named corruptions of a parity reference folder and of a result.json, as a pull request or a
 * self-hosted runner could produce them. Used by the regression tests and the fuzz bench
 * (bench/fuzz-families/parity.ts). Each reference corruption edits a copy of a valid dump in place.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;
export interface Manifest extends Json {
  files: Record<string, { file: string; type: string; dims: number[]; bytes: number }>;
  inputs: Record<string, string>;
  production: Record<string, string>;
  localization: Record<string, string>;
  isolation: Record<string, Record<string, string>>;
  sizeBytes: number;
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
export const writeManifest = (dir: string, m: Manifest): void => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));

/** The file id of the first model input (always present, always read first). */
export function inputId(m: Manifest): string {
  return Object.values(m.inputs)[0]!;
}
export function inputFile(dir: string, m = readManifest(dir)): string {
  return join(dir, m.files[inputId(m)]!.file);
}

/** Re-records a file's size in the manifest (so only the npy content is wrong, not its listed size). */
export function relist(dir: string, id: string): void {
  const m = readManifest(dir);
  const f = m.files[id]!;
  const size = readFileSync(join(dir, f.file)).length;
  m.sizeBytes += size - f.bytes;
  f.bytes = size;
  writeManifest(dir, m);
}

/** An .npy with the given header dict text and payload (version byte and padding as numpy writes them). */
export function npyBytes(dict: string, payload: Uint8Array, major = 1): Buffer {
  const pre = major === 1 ? 10 : 12;
  const total = pre + dict.length + 1;
  const padded = Math.ceil(total / 64) * 64;
  const header = dict + ' '.repeat(padded - total) + '\n';
  const out = Buffer.alloc(pre + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, pre, 'latin1');
  out.set(payload, pre + header.length);
  return out;
}

/** Payload of an .npy file written by encodeNpy (version 1). */
export function npyPayload(bytes: Buffer): Buffer {
  return bytes.subarray(10 + bytes.readUInt16LE(8));
}

function rewriteInput(dir: string, make: (payload: Buffer, bytes: Buffer) => Buffer): void {
  const m = readManifest(dir);
  const file = inputFile(dir, m);
  const bytes = readFileSync(file);
  writeFileSync(file, make(npyPayload(bytes), bytes));
  relist(dir, inputId(m));
}

function editManifest(dir: string, edit: (m: Manifest) => void): void {
  const m = readManifest(dir);
  edit(m);
  writeManifest(dir, m);
}

export interface ReferenceCorruption {
  readonly name: string;
  /** Edits the dump folder in place. */
  readonly apply: (dir: string) => void;
  /** What the error detail must say. */
  readonly detail: RegExp;
}

const f4 = (shape: string): string => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;

/** Every corruption here must give `error` / `REFERENCE_INVALID`, never INTERNAL and never a pass. */
export const REFERENCE_CORRUPTIONS: readonly ReferenceCorruption[] = [
  { name: 'empty npy', apply: (d) => rewriteInput(d, () => Buffer.alloc(0)), detail: /\.npy.*empty/ },
  { name: 'bad magic', apply: (d) => rewriteInput(d, (_p, b) => Buffer.concat([Buffer.from('XNUMPY'), b.subarray(6)])), detail: /\.npy.*magic/ },
  { name: 'non-dict header', apply: (d) => rewriteInput(d, (p) => npyBytes('[1, 2, 3]', p)), detail: /\.npy.*not a NumPy dict/ },
  { name: 'header with an extra key', apply: (d) => rewriteInput(d, (p) => npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }`, p)), detail: /\.npy.*not a NumPy dict/ },
  { name: 'format version 9', apply: (d) => rewriteInput(d, (_p, b) => Buffer.concat([b.subarray(0, 6), Buffer.from([9, 0]), b.subarray(8)])), detail: /\.npy.*version 9/ },
  ...['|O', '<U4', '>f4'].map((descr) => ({
    name: `dtype ${descr}`,
    apply: (d: string) => rewriteInput(d, (p, b) => npyBytes(headerText(b).replace(/'descr': '[^']+'/, `'descr': '${descr}'`), p)),
    detail: /\.npy.*element type/,
  })),
  { name: 'Fortran order', apply: (d) => rewriteInput(d, (p, b) => npyBytes(headerText(b).replace('False', 'True'), p)), detail: /\.npy.*Fortran/ },
  { name: 'payload shorter than its shape', apply: (d) => rewriteInput(d, (p, b) => npyBytes(headerText(b), p.subarray(0, p.length >> 1))), detail: /\.npy.*payload has/ },
  { name: 'shape claiming 2 GB', apply: (d) => rewriteInput(d, (p) => npyBytes(f4('(536870912,)'), p)), detail: /\.npy.*payload has/ },
  { name: 'shape claiming 40 GB', apply: (d) => rewriteInput(d, (p) => npyBytes(f4('(10000, 1000000)'), p)), detail: /\.npy.*payload has/ },
  { name: '64 junk bytes after the payload', apply: (d) => rewriteInput(d, (_p, b) => Buffer.concat([b, Buffer.alloc(64, 0x41)])), detail: /\.npy.*payload has/ },
  {
    name: 'npy is a directory',
    apply: (d) => {
      const f = inputFile(d);
      rmSync(f);
      mkdirSync(f);
    },
    detail: /\.npy.*directory/,
  },
  { name: 'npy missing', apply: (d) => rmSync(inputFile(d)), detail: /\.npy.*does not exist/ },
  {
    name: 'npy symlink to /dev/urandom',
    apply: (d) => {
      const f = inputFile(d);
      rmSync(f);
      symlinkSync('/dev/urandom', f);
    },
    detail: /\.npy.*outside/,
  },
  {
    name: 'npy symlink out of the folder',
    apply: (d) => {
      const f = inputFile(d);
      const outside = join(d, '..', `${d.split('/').pop()}-outside.npy`);
      writeFileSync(outside, readFileSync(f));
      rmSync(f);
      symlinkSync(outside, f);
    },
    detail: /\.npy.*outside/,
  },
  { name: 'dtype differs from the manifest', apply: (d) => editManifest(d, (m) => void (m.files[inputId(m)]!.type = 'int32')), detail: /\.npy.*manifest says int32/ },
  { name: 'shape differs from the manifest', apply: (d) => editManifest(d, (m) => void m.files[inputId(m)]!.dims.push(1)), detail: /\.npy.*manifest says/ },
  { name: 'manifest names an unlisted file id', apply: (d) => editManifest(d, (m) => void (m.production[Object.keys(m.production)[0]!] = 'feedfacefeedfacefeed')), detail: /manifest\.json.*feedfacefeedfacefeed.*does not list/ },
  {
    name: 'wrong files[].bytes',
    apply: (d) =>
      editManifest(d, (m) => {
        m.files[inputId(m)]!.bytes += 8;
        m.sizeBytes += 8;
      }),
    detail: /\.npy.*manifest says/,
  },
  { name: 'negative sizeBytes', apply: (d) => editManifest(d, (m) => void (m.sizeBytes = -1)), detail: /manifest\.json.*sizeBytes/ },
  { name: 'sizeBytes that does not add up', apply: (d) => editManifest(d, (m) => void (m.sizeBytes += 1)), detail: /manifest\.json.*sizeBytes/ },
  { name: 'file type not a tensor dtype', apply: (d) => editManifest(d, (m) => void (m.files[inputId(m)]!.type = 'object')), detail: /manifest\.json.*type/ },
  { name: 'file name with a path', apply: (d) => editManifest(d, (m) => void (m.files[inputId(m)]!.file = '../x.npy')), detail: /manifest\.json.*file/ },
  { name: '"production": {}', apply: (d) => editManifest(d, (m) => void (m.production = {})), detail: /manifest\.json.*production.*model output/ },
  {
    name: 'unknown production output name',
    apply: (d) => editManifest(d, (m) => void (m.production['no_such_tensor'] = Object.values(m.production)[0]!)),
    detail: /manifest\.json.*no_such_tensor.*not an output/,
  },
  { name: '"isolation": {}', apply: (d) => editManifest(d, (m) => void (m.isolation = {})), detail: /manifest\.json.*isolation.*no reference and no recorded skip/ },
  {
    name: 'isolation unit with no outputs',
    apply: (d) => editManifest(d, (m) => void (m.isolation[Object.keys(m.isolation)[0]!] = {})),
    detail: /manifest\.json.*isolation.*lists no outputs/,
  },
  { name: '"inputs": {}', apply: (d) => editManifest(d, (m) => void (m.inputs = {})), detail: /manifest\.json.*inputs/ },
  { name: 'manifest is not JSON', apply: (d) => writeFileSync(join(d, 'manifest.json'), '{"schemaVersion": 1,'), detail: /manifest\.json.*not valid JSON/ },
  {
    name: 'manifest is a directory',
    apply: (d) => {
      rmSync(join(d, 'manifest.json'));
      mkdirSync(join(d, 'manifest.json'));
    },
    detail: /manifest\.json.*directory/,
  },
];

function headerText(npy: Buffer): string {
  return npy.subarray(10, 10 + npy.readUInt16LE(8)).toString('latin1').trim();
}

export interface ResultCorruption {
  readonly name: string;
  /** Edits a parsed, valid `pass` result.json in place. */
  readonly apply: (r: Json & { tensors: Json[]; kernels: Json[] }) => void;
  readonly detail: RegExp;
}

/** Self-contradicting results: each must be refused as INVALID_RESULT by `parity report` and the action's report mode. */
export const RESULT_CORRUPTIONS: readonly ResultCorruption[] = [
  { name: 'pass with a model output pass:false', apply: (r) => void Object.assign(r.tensors.find((t) => t['modelOutput'] === true && t['stage'] === 'production')!, { pass: false, failing: 3 }), detail: /verdict.*out of tolerance|failing/ },
  { name: 'pass with kernelsFailing 5', apply: (r) => void (r['kernelsFailing'] = 5), detail: /kernelsFailing/ },
  { name: 'pass with firstDivergingNode set', apply: (r) => void (r['firstDivergingNode'] = { index: 0, name: 'x', op: 'Conv' }), detail: /firstDivergingNode/ },
  { name: 'pass with a kernel pass:false', apply: (r) => void (r.kernels[0]!['pass'] = false), detail: /kernelsFailing|verdict/ },
  { name: 'pass that compared nothing', apply: (r) => Object.assign(r, { tensors: [], kernels: [], passes: {} }), detail: /no tensor or kernel was compared/ },
  { name: 'tensor pass:true with failing elements', apply: (r) => void (r.tensors[0]!['failing'] = 7), detail: /failing elements/ },
  { name: 'isolation units not the kernels listed', apply: (r) => void ((r['passes'] as { isolation: { units: number } }).isolation.units += 1), detail: /isolation\.units/ },
  { name: 'error verdict without a reason', apply: (r) => void (r['verdict'] = 'error'), detail: /reason/ },
  { name: 'fail with nothing out of tolerance', apply: (r) => void (r['verdict'] = 'fail'), detail: /within tolerance/ },
  { name: 'OUTPUT_DRIFT with no output out of tolerance', apply: (r) => void (r['warnings'] = ['OUTPUT_DRIFT']), detail: /OUTPUT_DRIFT/ },
];
