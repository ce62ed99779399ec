/** A small valid profile that the bad-profile table mutates, and helpers to write profiles to a temp dir. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const src = { url: 'https://example.org/doc', version: 'v1', retrieved: '2026-11-26' };
const fig = (value: number) => ({ value, source: 'doc' });

/** A fresh copy of a minimal valid profile (ONNX-consuming, policy multi, one CPU + one NPU). */
export function baseProfile(id = 'tiny-npu'): Record<string, any> {
  return structuredClone({
    schemaVersion: 1,
    id,
    name: 'Tiny NPU',
    description: 'Fixture profile for loader tests.',
    runtime: { name: 'onnxruntime', version: '1.30.0', executionProvider: 'CPU', appliesOrtBasicRewrites: true, source: 'doc' },
    sources: { doc: src },
    partition: { policy: 'multi', source: 'doc' },
    verdict: { pass: [{ maxPartitions: 1, acceleratedNodeShare: { gt: 0.75 } }], warn: [] },
    opset: { 'ai.onnx': { min: 7, max: 21 } },
    quantization: {
      required: false,
      formats: ['qdq'],
      activationDtypes: ['uint8'],
      weightDtypes: ['int8'],
      weightGranularity: { default: ['per-tensor'], perChannelOps: ['Conv'] },
      symmetricWeights: true,
      constantScales: true,
      completeQdqGroups: true,
      floatIoOnlyAtEdges: false,
      source: 'doc',
    },
    rules: [
      {
        op: 'Conv',
        opset: { min: 11 },
        when: {
          attributes: { kernel_shape: { each: { range: [1, 8] } } },
          inputs: [{ index: 1, constant: true }],
        },
        source: 'doc',
      },
      { op: 'Relu', source: { ref: 'doc', section: 'Relu row' } },
      { op: 'QLinearAdd', domain: 'com.microsoft', source: src },
    ],
    hardware: {
      summary: 'one CPU, one NPU',
      units: [
        {
          id: 'cpu',
          kind: 'cpu',
          name: 'CPU',
          clockHz: fig(1e9),
          peakMacsPerSecond: { float: fig(8e9) },
          memoryBandwidthBytesPerSecond: fig(4e9),
          perNodeOverheadUs: fig(5),
          efficiency: { conv: { float: { value: 0.5, source: 'doc', estimate: true, reasoning: 'guess' } } },
        },
        {
          id: 'npu',
          kind: 'npu',
          name: 'NPU',
          clockHz: fig(1e9),
          peakMacsPerSecond: { int8: fig(1e12) },
          memoryBandwidthBytesPerSecond: fig(8e9),
          perNodeOverheadUs: fig(10),
          efficiency: {},
        },
      ],
      acceleratorUnit: 'npu',
      fallbackUnit: 'cpu',
      ramBytes: fig(1e9),
      storageBytes: fig(8e9),
      transfers: [{ from: 'cpu', to: 'npu', bytesPerSecond: fig(1e9), fixedUs: fig(100) }],
      memoryPlanner: 'ort-arena',
      weightsInRam: true,
      runtimeOverheadBytes: fig(1e6),
      runtimeBinaryBytes: fig(1e6),
    },
    parity: { runtime: 'onnxruntime-cpu', runnerLabels: ['self-hosted'] },
  });
}

/** A new temp dir (removed by the OS; tests never write into the repo). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'edgegate-profiles-'));
}

/** Writes `profile` as YAML (or raw text) to `dir/name` and returns the path. */
export function writeProfileFile(dir: string, name: string, profile: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof profile === 'string' ? profile : stringify(profile));
  return file;
}
