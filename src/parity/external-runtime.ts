/**
 * The other side of the external runtime protocol (docs/parity.md): answers one manifest with
 * onnxruntime-node on the machine this process runs on. `edgegate parity runtime MANIFEST` is then a
 * `--runtime external:CMD` for a device that EdgeGate reaches through a command (a board over ssh with a
 * shared folder, the emulated arm64 runner): `calibrate --kernels` sends the whole kernel grid in one
 * `time-batch` manifest, so the runtime starts once, not once per micro-model.
 *
 * The result also says which machine ran (`host`), so the caller can check it against the device profile
 * (src/runtime/host-match.ts) as it does for timings taken in its own process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readNpy, writeNpy } from './npy.js';
import { EXTERNAL_PROTOCOL, type ExternalResult, type ModelRunner } from './runner.js';
import type { HostTensor } from './tensor.js';
import { readHostPlatform } from '../runtime/host-match.js';

const InputsSchema = z.array(z.object({ name: z.string(), file: z.string(), type: z.string(), dims: z.array(z.number().int().nonnegative()) }));
const Common = { protocol: z.literal(EXTERNAL_PROTOCOL), outputDir: z.string(), optimization: z.enum(['all', 'disabled']) };

/** The manifests this runtime answers (`ExternalManifest`, `ExternalBatchManifest` in runner.ts). */
export const AnyManifestSchema = z.discriminatedUnion('action', [
  z.object({
    ...Common,
    action: z.enum(['run', 'time']),
    purpose: z.enum(['production', 'localization', 'isolation', 'latency']),
    model: z.string(),
    inputs: InputsSchema,
    outputs: z.array(z.string()),
    warmup: z.number().int().nonnegative().optional(),
    runs: z.number().int().positive().optional(),
  }),
  z.object({
    ...Common,
    action: z.literal('time-batch'),
    purpose: z.literal('latency'),
    models: z.array(z.object({ id: z.string(), model: z.string(), inputs: InputsSchema })),
    warmup: z.number().int().nonnegative(),
    minRuns: z.number().int().positive(),
    maxRuns: z.number().int().positive(),
    stableWithin: z.number().nonnegative(),
  }),
]);
export type AnyManifest = z.infer<typeof AnyManifestSchema>;

/** A manifest this runtime cannot answer (unreadable, another protocol, invalid fields). */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
  }
}

/** Reads and validates a manifest file. */
export function readManifest(file: string): AnyManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ManifestError(file, `not readable as JSON: ${(cause as Error).message}`, { cause });
  }
  const r = AnyManifestSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ManifestError(file, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

function readInputs(list: z.infer<typeof InputsSchema>): Map<string, HostTensor> {
  return new Map(list.map((i) => [i.name, readNpy(i.file)]));
}

/**
 * Answers `manifest` with `runner` (an OrtRunner on this machine) and writes `outputDir/result.json`
 * (plus one `.npy` per returned tensor for `run`). Returns the result written.
 */
export async function answerManifest(manifest: AnyManifest, runner: ModelRunner & Required<Pick<ModelRunner, 'timeBatch'>>): Promise<ExternalResult> {
  mkdirSync(manifest.outputDir, { recursive: true });
  const info = await runner.info();
  const runtime = { name: 'onnxruntime-node', ...(info.ortVersion ? { version: info.ortVersion } : {}) };
  const host = readHostPlatform({ ortVersion: info.ortVersion });
  let result: ExternalResult;
  if (manifest.action === 'time-batch') {
    const { warmup, minRuns, maxRuns, stableWithin } = manifest;
    const b = await runner.timeBatch(
      manifest.models.map((m) => ({ id: m.id, modelPath: m.model, inputs: readInputs(m.inputs) })),
      { warmup, minRuns, maxRuns, stableWithin },
    );
    result = { protocol: EXTERNAL_PROTOCOL, outputs: {}, batch: [...b.timings], runtime, host };
  } else if (manifest.action === 'time') {
    const timingsMs = await runner.time({ modelPath: manifest.model, inputs: readInputs(manifest.inputs), warmup: manifest.warmup ?? 3, runs: manifest.runs ?? 10 });
    result = { protocol: EXTERNAL_PROTOCOL, outputs: {}, timingsMs, runtime, host };
  } else {
    const r = await runner.run({ modelPath: manifest.model, inputs: readInputs(manifest.inputs), outputNames: manifest.outputs, optimization: manifest.optimization, purpose: manifest.purpose, label: manifest.purpose, profile: true });
    const outputs: Record<string, string> = {};
    [...r.outputs].forEach(([name, t], i) => {
      writeNpy(join(manifest.outputDir, `out${i}.npy`), t);
      outputs[name] = `out${i}.npy`;
    });
    result = { protocol: EXTERNAL_PROTOCOL, outputs, ...(r.kernelsRun ? { kernelsRun: [...r.kernelsRun] } : {}), runtime, host };
  }
  writeFileSync(join(manifest.outputDir, 'result.json'), JSON.stringify(result));
  return result;
}
