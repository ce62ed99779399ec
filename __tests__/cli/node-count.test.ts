/**
 * Memory scales with what a model holds (issue 12, item 2): a 100,000-node chain of Relu nodes (a 3 MB
 * model) is checked on two devices (an onnxruntime target and a TFLite Micro one, so both placed graphs
 * and both memory planners run) by the built CLI in a process whose JavaScript heap is capped at 128 MB,
 * and must come back with a complete JSON report. It needs about 160 MB of heap now.
 *
 * Before, the reader, the analysis, placement and cost kept several objects, maps and arrays per node
 * (and per device), and the report was one JSON string: the same check ran out of heap even with a
 * 256 MB cap (V8 abort, no report), and took about 60 s with 512 MB. No time is asserted; the run takes
 * a few seconds (bench/memory-nodes.ts measures time and RSS). Needs `npm run build` (npm test does it).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildModel } from '../support/onnx-builder.js';

const NODES = 100_000;
const HEAP_MB = 192;

describe('a 100,000-node model', () => {
  it(`is checked on two devices within a ${HEAP_MB} MB JavaScript heap, with a complete JSON report`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgegate-node-count-'));
    try {
      const model = join(dir, 'relu_chain.onnx');
      buildModel(
        {
          inputs: [{ name: 'x', dims: [1, 16] }],
          outputs: [{ name: 'y' }],
          nodes: Array.from({ length: NODES }, (_, i) => ({ op: 'Relu', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [i === NODES - 1 ? 'y' : `t${i}`], name: `r${i}` })),
        },
        model,
      );
      const out = join(dir, 'report.json');
      const r = spawnSync(
        process.execPath,
        [`--max-old-space-size=${HEAP_MB}`, resolve('bin/edgegate.js'), 'check', model, '--device', 'raspberry-pi-4', '--device', 'cortex-m7-tflm', '--format', 'json', '--out', out, '--fail-on', 'never'],
        { encoding: 'utf8', cwd: dir, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 300_000 },
      );
      assert.equal(r.status, 0, `exit ${r.status} (signal ${r.signal}): ${r.stderr.slice(-2000)}`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as {
        errors: unknown[];
        models: { nodes: number; errors: unknown[]; devices: { device: string; verdict: string; nodesTotal: number; nodes: { index: number; placement: string }[] }[] }[];
      };
      assert.deepEqual(report.errors, []);
      assert.equal(report.models.length, 1);
      const [m] = report.models;
      assert.equal(m!.nodes, NODES);
      assert.deepEqual(m!.errors, []);
      assert.deepEqual(m!.devices.map((d) => d.device), ['raspberry-pi-4', 'cortex-m7-tflm']);
      for (const d of m!.devices) {
        assert.notEqual(d.verdict, 'error', d.device);
        assert.equal(d.nodesTotal, NODES, d.device);
        assert.equal(d.nodes.length, NODES, d.device);
        assert.equal(d.nodes[NODES - 1]!.index, NODES - 1, d.device);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
