/**
 * Child process of bench/cost-accuracy.ts: peak RSS growth of one onnxruntime-node session.
 * Loads onnxruntime-node first, reads VmHWM (the baseline), creates the session (optimizations on,
 * 1 thread), runs it 3 times, and prints `{"baseline":..,"peak":..}` in bytes.
 */
import { readFileSync } from 'node:fs';
import { loadOnnxruntime } from '../src/runtime/ort-loader.js';

function vmHwm(): number {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const [file, inputsJson] = process.argv.slice(2);
const { ort } = await loadOnnxruntime();
const inputs = JSON.parse(inputsJson!) as { name: string; dtype: string; dims: number[] }[];
const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
for (const i of inputs) {
  const n = i.dims.reduce((a, b) => a * b, 1);
  feeds[i.name] = i.dtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(n), i.dims) : new ort.Tensor('float32', new Float32Array(n).fill(0.5), i.dims);
}
// Touch the feeds before the baseline so their pages count in it.
const baseline = vmHwm();
const s = await ort.InferenceSession.create(file!, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
for (let k = 0; k < 3; k++) await s.run(feeds);
const peak = vmHwm();
await s.release();
process.stdout.write(JSON.stringify({ baseline, peak }) + '\n');
