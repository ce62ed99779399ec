/**
 * Parity core: reference dumps, device runs, comparison and rendering. Pure of `@actions/*`;
 * the action's `parity`/`report` modes and the CLI call these.
 */
export { makeReference, ReferenceDump, DumpTooLargeError, DEFAULT_SIZE_CAP_BYTES } from './reference.js';
export { runParity, notRunResult, median } from './run.js';
export { OrtRunner, ExternalRunner, RunnerError, EXTERNAL_PROTOCOL } from './runner.js';
export type { ModelRunner, RunRequest, RunResult, TimingRequest, RunnerInfo, ExternalManifest, OrtRunnerOptions, ExternalRunnerOptions } from './runner.js';
export { collectResults, renderParityMarkdown, parityBlocks } from './report.js';
export type { ExpectedRun } from './report.js';
export { compareDumps } from './compare-dumps.js';
export { resolveParityOptions, ParityConfigError } from './config.js';
export type { ParityConfigLike, ResolvedParityOptions } from './config.js';
export {
  ParityResultSchema,
  ReferenceManifestSchema,
  readParityResult,
  parseParityResult,
  readReferenceManifest,
  parityResultJsonSchema,
  ArtifactValidationError,
  PARITY_RESULT_SCHEMA_VERSION,
  PARITY_REASONS,
  PARITY_VERDICTS,
} from './result-schema.js';
export type { ParityResult, ParityVerdict, ParityReason, ReferenceManifest, TensorResult, KernelResult, HostFacts } from './result-schema.js';
export { DEFAULT_TOLERANCES, compareTensors, toleranceFor } from './metrics.js';
export type { Tolerance, ToleranceConfig, TensorMetrics } from './metrics.js';
