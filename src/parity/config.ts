/**
 * Maps the `parity` section of `.edgegate.yml` (src/config/schema.ts) to parity options for one model
 * and device. Kept structural (no import of the config module) so the parity core stays independent.
 */
import picomatch from 'picomatch';
import type { InputGenSpec, InputOptions } from './inputs.js';
import { DEFAULT_TOLERANCES, type Tolerance, type ToleranceConfig } from './metrics.js';
import type { ExternalRunnerOptions } from './runner.js';
import { type TensorDType, isTensorDType } from './tensor.js';

/** The fields of the config's `parity` section this module reads. */
export interface ParityConfigLike {
  readonly tolerances?: Readonly<Record<string, { atol?: number; rtol?: number; atolRange?: number; maxRmseSteps?: number }>>;
  readonly inputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `[min, max]`, both inclusive, per model glob then input name. */
  readonly integerRanges?: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>>;
  readonly maxArtifactBytes?: number;
  readonly seed?: number;
  readonly external?: Readonly<Record<string, { command: string; args?: readonly string[]; env?: Readonly<Record<string, string>>; timeoutSeconds?: number }>>;
}

/** ONNX spellings accepted in the config besides onnxruntime's. */
const DTYPE_ALIASES: Readonly<Record<string, TensorDType>> = { float: 'float32', double: 'float64', half: 'float16' };

/** A config value parity cannot use. */
export class ParityConfigError extends Error {
  override readonly name = 'ParityConfigError';
  constructor(readonly fieldPath: string, message: string) {
    super(`parity.${fieldPath}: ${message}`);
  }
}

export interface ResolvedParityOptions {
  readonly inputs: InputOptions;
  readonly tolerances?: ToleranceConfig;
  readonly sizeCapBytes?: number;
  /** Set when the config names an external runtime for this device. */
  readonly external?: Omit<ExternalRunnerOptions, 'workDir'>;
}

/** Options for `modelPath` (repo-relative, `/` separators) on `device`. Later globs win. */
export function resolveParityOptions(config: ParityConfigLike | undefined, modelPath: string, device: string, baseDir = '.'): ResolvedParityOptions {
  const perInput: Record<string, InputGenSpec> = {};
  for (const [glob, files] of Object.entries(config?.inputs ?? {})) {
    if (!picomatch(glob, { dot: true })(modelPath)) continue;
    for (const [name, file] of Object.entries(files)) perInput[name] = { ...perInput[name], file: file.startsWith('/') ? file : `${baseDir}/${file}` };
  }
  for (const [glob, ranges] of Object.entries(config?.integerRanges ?? {})) {
    if (!picomatch(glob, { dot: true })(modelPath)) continue;
    for (const [name, [lo, hi]] of Object.entries(ranges)) perInput[name] = { ...perInput[name], distribution: 'uniform', low: lo, high: hi + 1 };
  }
  let tolerances: ToleranceConfig | undefined;
  if (config?.tolerances) {
    const byDtype: Partial<Record<TensorDType, Tolerance>> = {};
    for (const [name, t] of Object.entries(config.tolerances)) {
      const dt = DTYPE_ALIASES[name] ?? name;
      if (!isTensorDType(dt)) throw new ParityConfigError(`tolerances.${name}`, `unknown dtype '${name}'`);
      byDtype[dt] = { ...DEFAULT_TOLERANCES[dt], ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) };
    }
    tolerances = { byDtype };
  }
  const ext = config?.external?.[device];
  return {
    inputs: { seed: config?.seed ?? 0, perInput },
    ...(tolerances ? { tolerances } : {}),
    ...(config?.maxArtifactBytes !== undefined ? { sizeCapBytes: config.maxArtifactBytes } : {}),
    ...(ext
      ? { external: { command: ext.command, ...(ext.args ? { args: ext.args } : {}), ...(ext.env ? { env: ext.env } : {}), ...(ext.timeoutSeconds ? { timeoutMs: ext.timeoutSeconds * 1000 } : {}) } }
      : {}),
  };
}
