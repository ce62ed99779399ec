/**
 * `edgegate parity reference`: runs both passes and kernel isolation on this machine and writes a
 * reference dump (inputs, tensors, manifest). Tensors are stored content-addressed, so a value that
 * is the same in several passes (most of them) is written once. Constant-only tensors are left out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256File } from '../onnx/hash.js';
import { collectHostFacts } from './host.js';
import { type InputOptions, makeInputs } from './inputs.js';
import { encodeNpy, inspectNpy, NpyFormatError, readNpy } from './npy.js';
import { WorkDir, runIsolatedUnit, runLocalizationPass, runProductionPass } from './passes.js';
import { planParity } from './plan.js';
import { readProtoModel } from './proto-model.js';
import { ArtifactValidationError, REFERENCE_SCHEMA_VERSION, type ReferenceManifest, readReferenceManifest } from './result-schema.js';
import type { ModelRunner } from './runner.js';
import { type HostTensor, type TensorDType, tensorBytes } from './tensor.js';

/** Default dump size cap: measured dumps are 37–48 MB per fp32 model and ~99 MB for mobilenet QDQ. */
export const DEFAULT_SIZE_CAP_BYTES = 256 * 1024 * 1024;

/** The dump would exceed its size cap. */
export class DumpTooLargeError extends Error {
  override readonly name = 'DumpTooLargeError';
  constructor(readonly dir: string, readonly capBytes: number, readonly neededBytes: number) {
    super(`${dir}: reference dump exceeds its size cap of ${capBytes} bytes (at least ${neededBytes} needed); raise parity.size-cap or leave the model out`);
  }
}

/** Writes tensors content-addressed into a folder. */
export class TensorStore {
  readonly files: Record<string, { file: string; type: TensorDType; dims: number[]; bytes: number }> = {};
  size = 0;
  constructor(readonly dir: string, readonly capBytes: number) {}

  put(t: HostTensor): string {
    const h = createHash('sha256');
    h.update(`${t.type}|${t.dims.join(',')}|`);
    h.update(tensorBytes(t));
    const id = h.digest('hex').slice(0, 20);
    if (this.files[id]) return id;
    const bytes = encodeNpy(t);
    if (this.size + bytes.byteLength > this.capBytes) throw new DumpTooLargeError(this.dir, this.capBytes, this.size + bytes.byteLength);
    writeFileSync(join(this.dir, `${id}.npy`), bytes);
    this.size += bytes.byteLength;
    this.files[id] = { file: `${id}.npy`, type: t.type, dims: [...t.dims], bytes: bytes.byteLength };
    return id;
  }
}

export interface ReferenceOptions {
  readonly outDir: string;
  readonly runner: ModelRunner;
  readonly inputs?: InputOptions;
  /** intraOpNumThreads used (recorded; the runner applies it). Default 1. */
  readonly threads?: number;
  readonly sizeCapBytes?: number;
  /** Keep edited models here instead of a temporary folder. */
  readonly workDir?: string;
  /** Path recorded in the manifest (repo-relative where possible). Default: the path given. */
  readonly modelLabel?: string;
}

/** Makes a reference dump. Returns its manifest (also written to `outDir/manifest.json`). */
export async function makeReference(modelPath: string, options: ReferenceOptions): Promise<ReferenceManifest> {
  // Streamed: the model's bytes are only needed for its identity, and ORT reads the file itself.
  const modelSha256 = sha256File(modelPath);
  const modelBytes = statSync(modelPath).size;
  const model = readProtoModel(modelPath);
  const plan = planParity(model);
  const outDir = resolve(options.outDir);
  if (existsSync(join(outDir, 'manifest.json'))) rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const store = new TensorStore(outDir, options.sizeCapBytes ?? DEFAULT_SIZE_CAP_BYTES);
  const work = new WorkDir(model, options.workDir);
  try {
    const inputs = makeInputs(model.inputs, options.inputs);
    const inputIds: Record<string, string> = {};
    for (const [name, t] of inputs) inputIds[name] = store.put(t);

    const prod = await runProductionPass(plan, options.runner, inputs, work);
    const production: Record<string, string> = {};
    for (const name of plan.productionOutputs) {
      const t = prod.outputs.get(name);
      if (t) production[name] = store.put(t);
    }
    const loc = await runLocalizationPass(plan, options.runner, inputs, work);
    const localization: Record<string, string> = {};
    for (const name of plan.localizationOutputs) {
      if (plan.uncompared.has(name)) continue;
      const t = loc.outputs.get(name);
      if (t) localization[name] = store.put(t);
    }
    const lookup = (name: string): HostTensor | undefined => inputs.get(name) ?? loc.outputs.get(name);
    const isolation: Record<string, Record<string, string>> = {};
    const isolationSkipped: Record<string, string> = {};
    for (const iso of plan.isolation) {
      const r = await runIsolatedUnit(plan, iso, options.runner, lookup, work);
      if ('skipped' in r) {
        isolationSkipped[String(iso.unit.target)] = r.skipped;
        continue;
      }
      const outs: Record<string, string> = {};
      for (const [name, t] of r.outputs) outs[name] = store.put(t);
      isolation[String(iso.unit.target)] = outs;
    }
    const info = await options.runner.info();
    const manifest: ReferenceManifest = {
      schemaVersion: REFERENCE_SCHEMA_VERSION,
      kind: 'edgegate-parity-reference',
      model: { path: options.modelLabel ?? modelPath, sha256: modelSha256, bytes: modelBytes },
      createdAt: new Date().toISOString(),
      seed: options.inputs?.seed ?? 0,
      threads: options.threads ?? 1,
      host: collectHostFacts(info.ortVersion, info.kind),
      files: store.files,
      inputs: inputIds,
      production,
      localization,
      isolation,
      isolationSkipped,
      kernelsRun: { production: [...prod.kernelsRun], localization: [...loc.kernelsRun] },
      omitted: {
        constantOnly: plan.localizationOutputs.filter((n) => plan.uncompared.has(n)).length,
        nonTensor: model.nodes.filter((n) => n.opType !== 'Constant').flatMap((n) => n.outputs).filter((o) => o !== '').length - plan.localizationOutputs.length,
      },
      sizeBytes: store.size,
      sizeCapBytes: store.capBytes,
    };
    writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1));
    return manifest;
  } finally {
    work.dispose();
  }
}

function checkListed(file: string, ref: ReferenceManifest['files'][string], got: { readonly type: string; readonly dims: readonly number[] }): void {
  if (got.type !== ref.type || got.dims.length !== ref.dims.length || got.dims.some((d, i) => d !== ref.dims[i])) {
    throw new NpyFormatError(file, `holds ${got.type}[${got.dims.join(',')}], the manifest says ${ref.type}[${ref.dims.join(',')}]`);
  }
}

/** A reference dump opened for reading: manifest plus lazy tensor access. */
export class ReferenceDump {
  private readonly cache = new Map<string, HostTensor>();
  constructor(readonly dir: string, readonly manifest: ReferenceManifest) {}

  /**
   * Opens a dump and validates it before use: the manifest (schema, every file id it names is listed,
   * sizes add up) and every listed `.npy` header (a regular file inside the folder, dtype and shape as
   * listed, exactly `bytes` long). Payloads are read later, on demand.
   * @throws ArtifactValidationError or NpyFormatError naming the file and the reason.
   */
  static open(dir: string): ReferenceDump {
    const root = resolve(dir);
    const manifest = readReferenceManifest(join(root, 'manifest.json'), root);
    const dump = new ReferenceDump(root, manifest);
    for (const id of Object.keys(manifest.files)) dump.checkFile(id);
    return dump;
  }

  private checkFile(id: string): void {
    const ref = this.manifest.files[id]!;
    const file = join(this.dir, ref.file);
    const h = inspectNpy(file, { within: this.dir, maxBytes: ref.bytes });
    if (h.fileBytes !== ref.bytes) throw new NpyFormatError(file, `is ${h.fileBytes} bytes, the manifest says ${ref.bytes}`);
    checkListed(file, ref, h);
  }

  /** The tensor stored under a file id. */
  tensor(id: string): HostTensor {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const ref = this.manifest.files[id];
    if (!ref) throw new ArtifactValidationError(join(this.dir, 'manifest.json'), 'files', `names file id '${id}' that it does not list`);
    const file = join(this.dir, ref.file);
    // The size cap is the listed size: a file swapped since open() cannot make this read more.
    const t = readNpy(file, { within: this.dir, maxBytes: ref.bytes });
    checkListed(file, ref, t);
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(id, t);
    return t;
  }

  inputs(): Map<string, HostTensor> {
    return new Map(Object.entries(this.manifest.inputs).map(([n, id]) => [n, this.tensor(id)]));
  }
}
