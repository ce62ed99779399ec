#!/usr/bin/env node
// A stand-in "vendor runtime" speaking EdgeGate's external runtime protocol (docs/parity.md), for
// tests. It runs the model with onnxruntime-node (CPU), so its numbers equal the reference, unless
// told to misbehave:
//   STANDIN_CORRUPT=<tensor>:<factor>  multiply that output tensor (float32) by factor
//   STANDIN_DROP=<tensor>              leave that output out (a fused intermediate it cannot expose)
//   STANDIN_FAIL=1                     exit 3 without writing anything
// Usage: stand-in-runtime.mjs MANIFEST.json
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ort = createRequire(join(repo, 'package.json'))('onnxruntime-node');

const DESCR = { float32: '<f4', float64: '<f8', int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1', float16: '<f2' };
const CTOR = { '<f4': Float32Array, '<f8': Float64Array, '|i1': Int8Array, '|u1': Uint8Array, '<i2': Int16Array, '<u2': Uint16Array, '<i4': Int32Array, '<u4': Uint32Array, '<i8': BigInt64Array, '<u8': BigUint64Array, '|b1': Uint8Array, '<f2': Uint16Array };

function readNpy(file) {
  const b = readFileSync(file);
  const major = b[6];
  const hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const h = b.subarray(start, start + hl).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(h)[1];
  const dims = /'shape'\s*:\s*\(([^)]*)\)/.exec(h)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const C = CTOR[descr];
  const n = dims.reduce((a, x) => a * x, 1);
  const bytes = Uint8Array.prototype.slice.call(b, start + hl, start + hl + n * C.BYTES_PER_ELEMENT);
  return { descr, dims, data: new C(bytes.buffer, 0, n) };
}

function writeNpy(file, type, dims, data) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let h = `{'descr': '${DESCR[type]}', 'fortran_order': False, 'shape': ${shape}, }`;
  h += ' '.repeat(64 - ((10 + h.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(h.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(h, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'));
if (manifest.protocol !== 'edgegate-external-runtime/1') {
  console.error(`unknown protocol ${manifest.protocol}`);
  process.exit(2);
}
if (process.env.STANDIN_FAIL === '1') {
  console.error('stand-in runtime: failing on purpose');
  process.exit(3);
}
const typeOf = Object.fromEntries(Object.entries(DESCR).map(([k, v]) => [v, k]));
const feeds = {};
for (const i of manifest.inputs) {
  const t = readNpy(i.file);
  feeds[i.name] = new ort.Tensor(typeOf[t.descr], t.data, t.dims);
}
const session = await ort.InferenceSession.create(manifest.model, { graphOptimizationLevel: manifest.optimization, intraOpNumThreads: 1, logSeverityLevel: 3 });
const result = { protocol: manifest.protocol, outputs: {}, runtime: { name: 'stand-in', version: '1' } };
if (manifest.action === 'time') {
  result.timingsMs = [];
  for (let i = 0; i < (manifest.warmup ?? 0); i++) await session.run(feeds);
  for (let i = 0; i < (manifest.runs ?? 1); i++) {
    const t0 = performance.now();
    await session.run(feeds);
    result.timingsMs.push(performance.now() - t0);
  }
} else {
  const [corruptName, corruptFactor] = (process.env.STANDIN_CORRUPT ?? '').split(':');
  const out = await session.run(feeds, manifest.outputs);
  let k = 0;
  for (const name of manifest.outputs) {
    if (name === process.env.STANDIN_DROP) continue;
    const t = out[name];
    let data = t.data;
    if (name === corruptName && data instanceof Float32Array) data = data.map((v) => v * Number(corruptFactor));
    const file = `out${k++}.npy`;
    writeNpy(join(manifest.outputDir, file), t.type, t.dims, data);
    result.outputs[name] = file;
  }
}
await session.release();
writeFileSync(join(manifest.outputDir, 'result.json'), JSON.stringify(result));
