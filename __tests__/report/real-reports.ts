// Real reports for the schema tests: runCheck over every fixture and example model (plus broken files, a
// missing profile and a config with budgets and waivers) × every shipped device profile. Built once.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../src/check.js';
import type { Report } from '../../src/report/types.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const onnxIn = (dir: string): string[] =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((f) => join(ROOT, dir, f));

/** Every model the real-report tests check, broken ones last. */
export function realModels(scratch: string): string[] {
  const truncated = join(scratch, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(join(ROOT, '__tests__/fixtures/models/tiny_cnn.onnx')).subarray(0, 2000));
  const empty = join(scratch, 'empty.onnx');
  writeFileSync(empty, '');
  return [
    ...onnxIn('__tests__/fixtures/models'),
    join(ROOT, '__tests__/fixtures/models/external/ext_model.onnx'),
    ...onnxIn('examples'),
    truncated,
    empty,
  ];
}

/** Every shipped device profile id. */
export function shippedDevices(): string[] {
  return readdirSync(join(ROOT, 'device-profiles'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => f.replace(/\.yaml$/, ''));
}

// Budgets that fail, pass and are unknown; one active and one expired waiver.
const CONFIG = `version: 1
budgets:
  - device: raspberry-pi-4
    latencyMs: 0.001
    acceleratedFraction: 0.99
  - device: cortex-m7-tflm
    model: "**/kws_dscnn*.onnx"
    latencyMs: 1000
waivers:
  - device: raspberry-pi-4
    model: "examples/kws_dscnn.onnx"
    code: BUDGET_LATENCY
    reason: known slow, tracked elsewhere
    expires: "2099-01-01"
  - device: raspberry-pi-4
    model: "examples/vww*.onnx"
    code: BUDGET_LATENCY
    reason: an old waiver
    expires: "2020-01-01"
`;

let cached: Promise<{ report: Report; models: string[]; devices: string[] }> | undefined;

/** The real report (computed once per test process). */
export function realReport(): Promise<{ report: Report; models: string[]; devices: string[] }> {
  cached ??= (async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'edgegate-report-schema-'));
    const config = join(scratch, 'edgegate.yml');
    writeFileSync(config, CONFIG);
    const models = realModels(scratch);
    const devices = shippedDevices();
    const report = await runCheck({
      models,
      devices: [...devices, 'no-such-device'],
      configPath: config,
      configExplicit: true,
      repoRoot: ROOT,
      now: new Date('2026-11-26T00:00:00Z'),
    });
    return { report, models, devices };
  })();
  return cached;
}
