/**
 * `mode: parity`, one matrix cell on a self-hosted edge runner: download
 * the model's reference, run both passes and kernel isolation against it, compare here, and upload
 * only the small result.json. The large tensors never travel back. No @actions/* import.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { resolveParityOptions } from '../parity/config.js';
import type { ParityResult } from '../parity/result-schema.js';
import { notRunResult, runParity } from '../parity/run.js';
import { ExternalRunner, OrtRunner, type ModelRunner } from '../parity/runner.js';
import { loadProfiles } from '../profiles/load.js';
import type { DeviceProfile } from '../profiles/schema.js';
import { escapeMarkdown } from '../report/escape.js';
import { renderParitySection } from '../report/parity-markdown.js';
import type { CheckModeContext } from './check-mode.js';
import { INPUT_NAMES, InputError, OUTPUT_NAMES } from './inputs.js';
import { deviceRuntime, type DeviceRuntime } from './parity-check.js';
import { RESULT_ARTIFACT_FILE, referenceArtifactName, resultArtifactName } from './parity-shared.js';

export interface ParityOutcome {
  readonly result: ParityResult;
  /** Path of result.json on this runner. */
  readonly resultPath: string;
  /** Whether result.json reached the artifact service. */
  readonly uploaded: boolean;
}

/** The device's runtime per profile and config; an unknown device can still run an external runtime. */
function runtimeFor(ctx: CheckModeContext, config: ReturnType<typeof loadConfig>['config'], device: string): { rt: DeviceRuntime; profile?: DeviceProfile } {
  const ids = ctx.inputs.devices.length > 0 ? ctx.inputs.devices : (config.devices ?? []);
  const listed = loadProfiles(ids, { cwd: ctx.workspace }).profiles.find((p) => p.id === device);
  const profile = listed ?? loadProfiles([device], { cwd: ctx.workspace }).profiles[0];
  if (profile) return { rt: deviceRuntime(profile, config), profile: profile.profile };
  if (config.parity?.external?.[device]) return { rt: { kind: 'external', labels: [] } };
  return { rt: { kind: 'unavailable', detail: `device profile '${device}' was not found (inputs devices/config devices, or the shipped profiles)` } };
}

/** Runs `mode: parity`. Failures of the run become an `error` result that is still uploaded. */
export async function runParityMode(ctx: CheckModeContext): Promise<ParityOutcome> {
  const { inputs, ports, workspace } = ctx;
  if (!inputs.model) throw new InputError(INPUT_NAMES.model, '', 'mode parity needs the model path (model: ${{ matrix.model }})');
  if (!inputs.device) throw new InputError(INPUT_NAMES.device, '', 'mode parity needs the device id (device: ${{ matrix.device }})');
  const model = inputs.model;
  const device = inputs.device;
  const root = join(ctx.tempDir, 'edgegate-parity');
  const refDir = join(root, 'reference');
  const workDir = join(root, 'work');
  const outDir = join(root, 'result');
  for (const d of [refDir, workDir, outDir]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const config = loadConfig(resolve(workspace, inputs.config), { required: inputs.configExplicit }).config;
  const store = ctx.parity?.artifacts;

  const result = await (async (): Promise<ParityResult> => {
    const { rt, profile } = runtimeFor(ctx, config, device);
    if (rt.kind === 'unavailable') return notRunResult(model, device, 'not-run', 'EP_UNAVAILABLE', rt.detail);
    const modelPath = resolve(workspace, ...model.split('/'));
    if (!existsSync(modelPath)) return notRunResult(model, device, 'error', 'INTERNAL', `${model} is not in the workspace: check out the repository (with lfs: true for LFS models) before this step`);
    if (!store) return notRunResult(model, device, 'error', 'REFERENCE_INVALID', 'no artifact service (ACTIONS_RUNTIME_TOKEN is not set): cannot download the reference');
    const name = referenceArtifactName(model);
    try {
      const found = (await store.list()).find((a) => a.name === name);
      if (!found) return notRunResult(model, device, 'error', 'REFERENCE_INVALID', `the reference artifact ${name} is not in this workflow run (did the check job plan parity for ${model}?)`);
      await store.download(found.id, refDir);
      ports.info(`Downloaded ${name} (${found.size} bytes).`);
    } catch (err) {
      return notRunResult(model, device, 'error', 'REFERENCE_INVALID', `cannot download ${name}: ${(err as Error).message}`);
    }
    let opts: ReturnType<typeof resolveParityOptions>;
    try {
      opts = resolveParityOptions(config.parity, model, device, workspace);
    } catch (err) {
      return notRunResult(model, device, 'error', 'INTERNAL', (err as Error).message);
    }
    const runner: ModelRunner =
      ctx.parity?.makeRunner?.(workDir) ??
      (rt.kind === 'external' && opts.external
        ? new ExternalRunner({ ...opts.external, workDir })
        : new OrtRunner({ workDir, ...(inputs.onnxruntimePath ? { path: inputs.onnxruntimePath } : {}) }));
    const t0 = Date.now();
    const r = await runParity(modelPath, {
      referenceDir: refDir,
      runner,
      device,
      latency: { runs: inputs.parityLatencyRuns, warmup: 3 },
      workDir,
      modelLabel: model,
      ...(opts.tolerances ? { tolerances: opts.tolerances } : {}),
      // This runner must be the device the profile describes, unless the workflow forces it.
      ...(profile ? { profile } : {}),
      ...(inputs.parityForce ? { force: true } : {}),
    }).catch((err: unknown) => notRunResult(model, device, 'error', 'INTERNAL', (err as Error).message));
    ports.info(`Parity run took ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
    return r;
  })();

  const resultPath = join(outDir, RESULT_ARTIFACT_FILE);
  writeFileSync(resultPath, `${JSON.stringify(result, null, 1)}\n`);
  const first = result.firstDivergingNode ? `; first diverging kernel ${result.firstDivergingNode.op} #${result.firstDivergingNode.index} '${result.firstDivergingNode.name}'` : '';
  ports.info(`Parity ${result.verdict}${result.reason ? ` (${result.reason})` : ''}${result.forced ? ' (forced)' : ''} for ${model} on ${device}: ${result.kernelsFailing} of ${result.kernels.length} kernels out of tolerance${first}.`);
  if (result.hostMatch?.status === 'mismatch') ports.warning(`${result.forced ? 'Forced: ' : ''}${result.hostMatch.summary}`);
  else if (result.hostMatch) ports.info(result.hostMatch.summary);
  if (result.detail && result.reason !== 'HOST_MISMATCH') ports.info(`  ${result.detail}`);

  let uploaded = false;
  const artifact = resultArtifactName(model, device);
  if (store) {
    try {
      const up = await store.upload(artifact, outDir);
      ports.info(`Uploaded ${artifact} (${up.size ?? '?'} bytes).`);
      uploaded = true;
    } catch (err) {
      ports.setFailed(`EdgeGate could not upload ${artifact}: ${(err as Error).message}. The report job will show this cell as not run.`);
    }
  } else ports.setFailed('EdgeGate parity: no artifact service (ACTIONS_RUNTIME_TOKEN is not set); result.json stays on this runner.');

  try {
    await ports.writeSummary(`### Parity: ${escapeMarkdown(model)} on ${escapeMarkdown(device)}\n\n${renderParitySection({ results: [result] })}\n`);
  } catch (err) {
    ports.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
  ports.setOutput(OUTPUT_NAMES.report, resultPath);
  ports.setOutput(OUTPUT_NAMES.verdict, result.verdict);
  rmSync(refDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
  return { result, resultPath, uploaded };
}
