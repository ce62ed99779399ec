/**
 * The parity stage of `mode: check`: decide which model × device cells go
 * to self-hosted runners, decide the others at once (accelerator runtime unavailable, fork PR, no
 * online runner), make one reference dump per model on this runner and upload it. Side effects go
 * through ParityPorts; no @actions/* import.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EdgegateConfig } from '../config/schema.js';
import { resolveParityOptions } from '../parity/config.js';
import { DEFAULT_SIZE_CAP_BYTES, DumpTooLargeError, makeReference } from '../parity/reference.js';
import type { ParityReason, ParityResult } from '../parity/result-schema.js';
import { notRunResult } from '../parity/run.js';
import { OrtRunner, ortCpuRunsDevice, type ModelRunner } from '../parity/runner.js';
import { loadProfiles, type LoadedProfile } from '../profiles/load.js';
import { OrtUnavailableError } from '../runtime/ort-loader.js';
import type { Report } from '../report/types.js';
import type { ArtifactStore } from './artifacts.js';
import type { EventInfo } from './context.js';
import type { Inputs } from './inputs.js';
import { type ParityCell, type ParityPlan, REFERENCE_RETENTION_DAYS, referenceArtifactName } from './parity-shared.js';

/** A self-hosted runner as GET /repos/{owner}/{repo}/actions/runners lists it. */
export interface RunnerStatus {
  readonly name: string;
  readonly status: string;
  readonly labels: readonly string[];
}

/** Side effects of the parity flow, shared by the three modes. */
export interface ParityPorts {
  /** The run's artifacts; undefined outside Actions (no ACTIONS_RUNTIME_TOKEN). */
  readonly artifacts: ArtifactStore | undefined;
  /** Lists self-hosted runners (needs `runner-status-token`); undefined when no token was given. */
  readonly listRunners?: () => Promise<readonly RunnerStatus[]>;
  /** The model runner on this machine; default onnxruntime-node (OrtRunner). Tests substitute one. */
  readonly makeRunner?: (workDir: string) => ModelRunner;
}

export interface ParityCheckContext {
  readonly inputs: Inputs;
  readonly event: EventInfo;
  readonly workspace: string;
  readonly tempDir: string;
  readonly config: EdgegateConfig;
  readonly parity: ParityPorts;
  readonly info: (m: string) => void;
  readonly warning: (m: string) => void;
}

/** True when check mode plans parity: `parity: on`, or `auto` with a `parity:` section in the config. */
export function parityEnabled(inputs: Inputs, config: EdgegateConfig): boolean {
  return inputs.parity === 'on' || (inputs.parity === 'auto' && config.parity !== undefined);
}

/** How a device's parity runs: CPU kernels with onnxruntime-node, a configured external runtime, or not at all. */
export type DeviceRuntime = { readonly kind: 'ort' | 'external'; readonly labels: readonly string[] } | { readonly kind: 'unavailable'; readonly detail: string };

/** Decides a device's runtime from its profile and the config (rules as data: profile `parity.runtime`, config `parity.external`). */
export function deviceRuntime(p: LoadedProfile, config: EdgegateConfig): DeviceRuntime {
  const labels = config.parity?.runners?.[p.id] ?? p.profile.parity.runnerLabels;
  const external = config.parity?.external?.[p.id];
  if (external) return { kind: 'external', labels };
  if (ortCpuRunsDevice(p.profile)) return { kind: 'ort', labels };
  return {
    kind: 'unavailable',
    detail: `onnxruntime-node has CPU kernels only; a CPU run says nothing about ${p.profile.name}'s accelerator. Configure parity.external.${p.id} (external runtime protocol, docs/parity.md) to run it.`,
  };
}

/** True when an online runner carries every label (GitHub compares labels case-insensitively). */
export function hasOnlineRunner(runners: readonly RunnerStatus[], labels: readonly string[]): boolean {
  const want = labels.map((l) => l.toLowerCase());
  return runners.some((r) => r.status === 'online' && want.every((l) => r.labels.some((x) => x.toLowerCase() === l)));
}

function errorReason(err: unknown): ParityReason {
  return err instanceof OrtUnavailableError ? 'ORT_UNAVAILABLE' : err instanceof DumpTooLargeError ? 'REFERENCE_INVALID' : 'INTERNAL';
}

/** Plans parity for the checked models. Never throws for a model: failures become `error` results. */
export async function planParityRuns(ctx: ParityCheckContext, report: Report): Promise<ParityPlan> {
  const { inputs, config } = ctx;
  const notes: string[] = [];
  const decided: ParityResult[] = [];
  const deviceIds = inputs.devices.length > 0 ? inputs.devices : (config.devices ?? []);
  const { profiles } = loadProfiles(deviceIds, { cwd: ctx.workspace });
  const models = report.models.filter((m) => m.errors.length === 0 && m.devices.length > 0).map((m) => m.path);

  // Devices that could run, before fork/offline filtering.
  let runnable: { id: string; labels: readonly string[] }[] = [];
  for (const p of profiles) {
    const rt = deviceRuntime(p, config);
    if (rt.kind === 'unavailable') {
      for (const m of models) decided.push(notRunResult(m, p.id, 'not-run', 'EP_UNAVAILABLE', rt.detail));
    } else runnable.push({ id: p.id, labels: rt.labels });
  }

  if (ctx.event.kind === 'pull_request' && ctx.event.fork && !(inputs.allowForkParity || config.parity?.allowForkParity === true)) {
    const note = 'This pull request comes from a fork: parity runs are not sent to self-hosted runners (set allow-fork-parity: true to change that; see the README on why it is not a security boundary).';
    ctx.info(note);
    notes.push(note);
    for (const d of runnable) for (const m of models) decided.push(notRunResult(m, d.id, 'not-run', 'FORK_PR', 'fork pull request; allow-fork-parity is false'));
    runnable = [];
  }

  if (runnable.length > 0 && ctx.parity.listRunners) {
    try {
      const runners = await ctx.parity.listRunners();
      const online = runnable.filter((d) => hasOnlineRunner(runners, d.labels));
      for (const d of runnable.filter((x) => !online.includes(x))) {
        ctx.info(`No online self-hosted runner carries labels [${d.labels.join(', ')}]: ${d.id} is not run.`);
        for (const m of models) decided.push(notRunResult(m, d.id, 'not-run', 'NO_RESULT', `no online self-hosted runner carries the labels [${d.labels.join(', ')}] (checked with runner-status-token)`));
      }
      runnable = online;
    } catch (err) {
      ctx.warning(`Could not list self-hosted runners (${(err as Error).message}); every device stays in the parity matrix.`);
    }
  }

  const cells: ParityCell[] = [];
  const references: ParityPlan['references'] = [];
  if (runnable.length === 0 || models.length === 0) return { schemaVersion: 1, cells, decided, references, notes };

  const fail = (model: string, verdict: 'error' | 'not-run', reason: ParityReason, detail: string): void => {
    for (const d of runnable) decided.push(notRunResult(model, d.id, verdict, reason, detail));
  };
  const store = ctx.parity.artifacts;
  if (!store) {
    const detail = 'no artifact service (ACTIONS_RUNTIME_TOKEN is not set), so the reference cannot reach the edge runners';
    ctx.warning(`Parity: ${detail}.`);
    for (const m of models) fail(m, 'error', 'INTERNAL', detail);
    return { schemaVersion: 1, cells, decided, references, notes };
  }
  const capBytes = inputs.parityMaxReferenceBytes ?? config.parity?.maxArtifactBytes ?? DEFAULT_SIZE_CAP_BYTES;
  const root = join(ctx.tempDir, 'edgegate-parity');
  for (const model of models) {
    const artifact = referenceArtifactName(model);
    const outDir = join(root, artifact);
    const workDir = join(root, `${artifact}-work`);
    mkdirSync(workDir, { recursive: true });
    try {
      const opts = resolveParityOptions(config.parity, model, runnable[0]!.id, ctx.workspace);
      const runner = ctx.parity.makeRunner?.(workDir) ?? new OrtRunner({ workDir, ...(inputs.onnxruntimePath ? { path: inputs.onnxruntimePath } : {}) });
      const t0 = Date.now();
      const manifest = await makeReference(resolve(ctx.workspace, ...model.split('/')), { outDir, runner, inputs: opts.inputs, sizeCapBytes: capBytes, workDir, modelLabel: model });
      const tensors = Object.keys(manifest.files).length;
      ctx.info(`Parity reference for ${model}: ${tensors} tensors, ${(manifest.sizeBytes / 1048576).toFixed(2)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
      const up = await store.upload(artifact, outDir, { retentionDays: REFERENCE_RETENTION_DAYS });
      ctx.info(`Uploaded ${artifact} (${up.size ?? manifest.sizeBytes} bytes, retention ${REFERENCE_RETENTION_DAYS} day).`);
      references.push({ model, artifact, bytes: up.size ?? manifest.sizeBytes, tensors });
      for (const d of runnable) cells.push({ model, device: d.id, runsOn: [...d.labels] });
    } catch (err) {
      const msg = (err as Error).message;
      ctx.warning(`Parity reference for ${model} failed: ${msg}`);
      fail(model, 'error', errorReason(err), `reference on the check runner failed: ${msg}`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  return { schemaVersion: 1, cells, decided, references, notes };
}
