/**
 * Memory bench (issue 2): peak RSS of `edgegate check` on models of at least 1 GiB, one with the weights
 * embedded in the protobuf and one with external data. Target: under 300 MB each.
 *
 *   npx tsx bench/memory.ts [--keep] [--dir DIR]
 *
 * The models are written by streaming (a 1 GiB MatMul weight), so the generator itself stays small too.
 * Each check runs in its own process, which reports its own peak RSS (getrusage ru_maxrss).
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const N = 16384; // W is N×N float32 = 1 GiB
const WEIGHT_BYTES = N * N * 4;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function tag(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

function smallGraph(external: boolean): Uint8Array {
  const vi = (name: string, dims: number[]): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'big',
    node: [{ name: 'mm', opType: 'MatMul', input: ['x', 'W'], output: ['y'] }],
    input: [vi('x', [1, N])],
    output: [vi('y', [1, N])],
    initializer: external
      ? [{ name: 'W', dims: [N, N], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'W.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: String(WEIGHT_BYTES) }] }]
      : [],
  };
  return onnx.GraphProto.encode(graph).finish();
}

function writeZeros(fd: number, total: number): void {
  const chunk = Buffer.alloc(8 << 20, 0x3c); // not all-zero, so no filesystem makes it sparse
  for (let left = total; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
}

/** Writes a ModelProto whose graph holds a 1 GiB initializer, without building it in memory. */
export function writeEmbedded(path: string): void {
  const header = Buffer.concat([tag(1, 0), varint(8)]);
  const opset = Buffer.from(onnx.OperatorSetIdProto.encode({ domain: '', version: 17 }).finish());
  const small = Buffer.from(smallGraph(false));
  const tensorHead = Buffer.from(onnx.TensorProto.encode({ name: 'W', dims: [N, N], dataType: 1 }).finish());
  const tensorLen = tensorHead.length + tag(9, 2).length + varint(WEIGHT_BYTES).length + WEIGHT_BYTES;
  const initField = Buffer.concat([tag(5, 2), varint(tensorLen)]);
  const graphLen = small.length + initField.length + tensorLen;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, Buffer.concat([header, tag(8, 2), varint(opset.length), opset, tag(7, 2), varint(graphLen), small, initField, tensorHead, tag(9, 2), varint(WEIGHT_BYTES)]));
    writeZeros(fd, WEIGHT_BYTES);
  } finally {
    closeSync(fd);
  }
}

/** Writes a small ModelProto whose 1 GiB initializer lives in W.bin beside it. */
export function writeExternal(path: string): void {
  const opset = Buffer.from(onnx.OperatorSetIdProto.encode({ domain: '', version: 17 }).finish());
  const graph = Buffer.from(smallGraph(true));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, Buffer.concat([tag(1, 0), varint(8), tag(8, 2), varint(opset.length), opset, tag(7, 2), varint(graph.length), graph]));
  } finally {
    closeSync(fd);
  }
  const wfd = openSync(join(path, '..', 'W.bin'), 'w');
  try {
    writeZeros(wfd, WEIGHT_BYTES);
  } finally {
    closeSync(wfd);
  }
}

function measure(model: string): { maxRssMb: number; seconds: number; exit: number | null; stdout: string } {
  const cli = resolve('build/cli/main.js');
  const script = `import { main } from ${JSON.stringify(cli)};
const code = await main(['check', ${JSON.stringify(model)}, '--format', 'json', '--out', '/dev/null']);
process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n');
process.exitCode = code;`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const kb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  if (!Number.isFinite(kb)) process.stderr.write(r.stderr);
  return { maxRssMb: kb / 1024, seconds, exit: r.status, stdout: r.stdout };
}

function baseline(): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n')`], { encoding: 'utf8' });
  return Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
}

const args = process.argv.slice(2);
const dir = args.includes('--dir') ? args[args.indexOf('--dir') + 1]! : join(tmpdir(), 'edgegate-bench-memory');
mkdirSync(join(dir, 'embedded'), { recursive: true });
mkdirSync(join(dir, 'external'), { recursive: true });
const embedded = join(dir, 'embedded', 'big_embedded.onnx');
const external = join(dir, 'external', 'big_external.onnx');
console.log('writing models...');
writeEmbedded(embedded);
writeExternal(external);
console.log(`node ${process.version}; empty node process peak RSS ${baseline().toFixed(1)} MB; target < 300 MB`);
console.log('model                         file size      peak RSS   wall     exit');
for (const [label, file, size] of [
  ['embedded (1 GiB in protobuf)', embedded, statSync(embedded).size],
  ['external (1 GiB in W.bin)', external, statSync(external).size + statSync(join(dir, 'external', 'W.bin')).size],
] as const) {
  const m = measure(file);
  console.log(`${label.padEnd(30)}${(size / 2 ** 20).toFixed(0).padStart(6)} MiB ${m.maxRssMb.toFixed(1).padStart(8)} MB ${m.seconds.toFixed(2).padStart(6)} s  ${m.exit}`);
}
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
