/**
 * Typed action inputs, parsed once. Pure: the caller passes a getter (core.getInput in the action,
 * a map in tests), so nothing here imports @actions/*.
 */
import { FAIL_ON_CONDITIONS, type FailOnCondition } from '../gate/types.js';

/** Input names as they appear in action.yml. The one place they are spelled. */
export const INPUT_NAMES = {
  mode: 'mode',
  models: 'models',
  devices: 'devices',
  config: 'config',
  failOn: 'fail-on',
  maxLatencyRegression: 'max-latency-regression',
  maxRamRegression: 'max-ram-regression',
  maxFlashRegression: 'max-flash-regression',
  maxNewUnsupported: 'max-new-unsupported',
  comment: 'comment',
  commentKey: 'comment-key',
  githubToken: 'github-token',
  acceptRegressionLabel: 'accept-regression-label',
  parity: 'parity',
  allowForkParity: 'allow-fork-parity',
  runnerStatusToken: 'runner-status-token',
  onnxruntimePath: 'onnxruntime-path',
  parityGateNotRun: 'parity-gate-not-run',
  parityMaxReferenceMb: 'parity-max-reference-mb',
  parityLatencyRuns: 'parity-latency-runs',
  parityForce: 'parity-force',
  model: 'model',
  device: 'device',
} as const;

/** Output names as they appear in action.yml. */
export const OUTPUT_NAMES = {
  report: 'report',
  verdict: 'verdict',
  commentId: 'comment-id',
  summary: 'summary',
  parityMatrix: 'parity-matrix',
  parityNeeded: 'parity-needed',
} as const;

/**
 * Modes of the action. `check` is implemented here; the parity issue registers `parity` and `report`
 * handlers in src/action/modes.ts. Parsing accepts only modes that have a handler (see parseInputs).
 */
export const MODES = ['check', 'parity', 'report'] as const;
export type Mode = (typeof MODES)[number];

export { FAIL_ON_CONDITIONS, type FailOnCondition };

export const COMMENT_MODES = ['auto', 'always', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

/**
 * Defaults. action.yml carries the same values (a test keeps them in step), except for the inputs in
 * CONFIG_BACKED_INPUTS: those are empty in action.yml so that the config's `regression` section can
 * apply (input, then config, then this default); their descriptions state the default.
 */
export const INPUT_DEFAULTS = {
  mode: 'check',
  models: '**/*.onnx',
  config: '.edgegate.yml',
  failOn: 'regression,parity,error',
  maxLatencyRegression: '10%',
  maxRamRegression: '5%',
  maxFlashRegression: '5%',
  maxNewUnsupported: '0',
  comment: 'auto',
  commentKey: '',
  acceptRegressionLabel: 'edgegate:accept-regression',
  parity: 'auto',
  allowForkParity: 'false',
  parityGateNotRun: 'false',
  parityMaxReferenceMb: '',
  parityLatencyRuns: '10',
  parityForce: 'false',
  model: '',
  device: '',
} as const;

/** `parity` input: `auto` plans parity runs when the config has a `parity:` section. */
export const PARITY_SWITCHES = ['auto', 'on', 'off'] as const;
export type ParitySwitch = (typeof PARITY_SWITCHES)[number];

/** Inputs that the config's `regression` section can also set. */
export const CONFIG_BACKED_INPUTS = ['maxLatencyRegression', 'maxRamRegression', 'maxFlashRegression', 'maxNewUnsupported', 'acceptRegressionLabel'] as const;

/** Every input, parsed and validated. */
export interface Inputs {
  /** Which job this step is: `check` (default). */
  readonly mode: Mode;
  /** Glob patterns of model files, repo-relative; default `**\/*.onnx`. */
  readonly models: readonly string[];
  /** Device profile ids or profile file paths. Empty means the config's or the engine's default. */
  readonly devices: readonly string[];
  /** Path of the config file; default `.edgegate.yml` (a missing default file is not an error). */
  readonly config: string;
  /** True when `config` was set explicitly, so a missing file is an error. */
  readonly configExplicit: boolean;
  /** Conditions that fail the step; empty for `never`. */
  readonly failOn: ReadonlySet<FailOnCondition>;
  /** Allowed relative growth of estimated latency, as a fraction (0.1 = 10%); undefined = config or 10%. */
  readonly maxLatencyRegression: number | undefined;
  /** Allowed relative growth of peak RAM, as a fraction; undefined = config or 5%. */
  readonly maxRamRegression: number | undefined;
  /** Allowed relative growth of flash, as a fraction; undefined = config or 5%. */
  readonly maxFlashRegression: number | undefined;
  /** Allowed count of newly unsupported or CPU-fallback nodes per model × device; undefined = config or 0. */
  readonly maxNewUnsupported: number | undefined;
  /** When to post the sticky PR comment. */
  readonly comment: CommentMode;
  /** Distinguishes several EdgeGate comments on one PR; '' for the default one. */
  readonly commentKey: string;
  /** Token for the REST API. Never logged. */
  readonly githubToken: string | undefined;
  /** PR label that accepts regressions; undefined = config or `edgegate:accept-regression`. */
  readonly acceptRegressionLabel: string | undefined;
  /** Check mode: plan parity runs (`on`), never (`off`), or when the config has a `parity:` section (`auto`, default). */
  readonly parity: ParitySwitch;
  /** Send fork PRs to self-hosted parity runners; default false. Not a security boundary (README). */
  readonly allowForkParity: boolean;
  /** Token with administration read, to list self-hosted runners; never logged. */
  readonly runnerStatusToken: string | undefined;
  /** A preinstalled onnxruntime-node (package folder or a folder holding node_modules). */
  readonly onnxruntimePath: string | undefined;
  /** Whether a parity run that never reported (not-run) blocks the merge; default false. */
  readonly parityGateNotRun: boolean;
  /** Cap of the reference artifact per model in bytes; undefined = config `parity.maxArtifactBytes` or 256 MiB. */
  readonly parityMaxReferenceBytes: number | undefined;
  /** Timed runs of the production pass on the device (after 3 warm-ups); 0 skips timing. Default 10. */
  readonly parityLatencyRuns: number;
  /**
   * Parity mode: run even when this runner is not the device its profile describes (platform mismatch);
   * the result is then marked forced. Default false: such a cell is not-run / HOST_MISMATCH.
   */
  readonly parityForce: boolean;
  /** Parity mode: the model path (repo-relative), from the `parity-matrix` output. */
  readonly model: string | undefined;
  /** Parity mode: the device profile id, from the `parity-matrix` output. */
  readonly device: string | undefined;
}

/** A bad input value. `input` is the action.yml name, `value` the raw text. */
export class InputError extends Error {
  readonly input: string;
  readonly value: string;
  constructor(input: string, value: string, reason: string, options?: { cause?: unknown }) {
    super(`Input '${input}' is ${JSON.stringify(value)}: ${reason}`, options);
    this.name = 'InputError';
    this.input = input;
    this.value = value;
  }
}

/** Reads one raw input; returns '' when unset (as core.getInput does). */
export type InputGetter = (name: string) => string;

/** Splits on commas and newlines, trims, drops empties. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[,\n\r]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses `10%`, `10 %` or `10` (all percent) into a fraction. Negative values and non-numbers are errors.
 */
export function parsePercent(input: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!m) throw new InputError(input, raw, 'expected a non-negative percentage such as "10%"');
  return Number(m[1]) / 100;
}

function parseCount(input: string, raw: string): number {
  if (!/^\s*\d+\s*$/.test(raw)) throw new InputError(input, raw, 'expected a non-negative integer such as "0"');
  return Number(raw.trim());
}

function parseBool(input: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(input, raw, 'expected true or false');
}

function parsePositive(input: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (!m || Number(m[1]) <= 0) throw new InputError(input, raw, 'expected a positive number of megabytes such as "100"');
  return Number(m[1]);
}

function oneOf<T extends string>(input: string, raw: string, allowed: readonly T[]): T {
  const v = raw.trim();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new InputError(input, raw, `expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** Parses `fail-on`: a list from FAIL_ON_CONDITIONS, or `never` alone. */
export function parseFailOn(raw: string): ReadonlySet<FailOnCondition> {
  const items = splitList(raw);
  if (items.length === 0) throw new InputError(INPUT_NAMES.failOn, raw, `expected ${FAIL_ON_CONDITIONS.join(', ')} or never`);
  if (items.includes('never')) {
    if (items.length > 1) throw new InputError(INPUT_NAMES.failOn, raw, "'never' cannot be combined with other conditions");
    return new Set();
  }
  const out = new Set<FailOnCondition>();
  for (const item of items) {
    if (!(FAIL_ON_CONDITIONS as readonly string[]).includes(item)) {
      throw new InputError(INPUT_NAMES.failOn, raw, `unknown condition ${JSON.stringify(item)}; expected ${FAIL_ON_CONDITIONS.join(', ')} or never`);
    }
    out.add(item as FailOnCondition);
  }
  return out;
}

/**
 * Parses every input. `implementedModes` lists the modes that have a handler, so a mode another
 * issue has not shipped yet is an input error rather than a silent no-op.
 */
export function parseInputs(get: InputGetter, implementedModes: readonly Mode[] = MODES): Inputs {
  // An empty string means "not set": workflows often pass `${{ vars.X }}` that expands to ''.
  const opt = (name: string): string | undefined => {
    const v = get(name);
    return v.trim() === '' ? undefined : v;
  };
  const mode = oneOf(INPUT_NAMES.mode, opt(INPUT_NAMES.mode) ?? INPUT_DEFAULTS.mode, MODES);
  if (!implementedModes.includes(mode)) {
    throw new InputError(INPUT_NAMES.mode, mode, `mode '${mode}' is not available in this version; available: ${implementedModes.join(', ')}`);
  }
  const modelsRaw = opt(INPUT_NAMES.models) ?? INPUT_DEFAULTS.models;
  const models = splitList(modelsRaw);
  if (models.length === 0) throw new InputError(INPUT_NAMES.models, modelsRaw, 'expected at least one glob');
  for (const g of models) {
    if (g.startsWith('/') || /^[A-Za-z]:[\\/]/.test(g)) throw new InputError(INPUT_NAMES.models, modelsRaw, `glob ${JSON.stringify(g)} must be relative to the repository root`);
  }
  const configRaw = opt(INPUT_NAMES.config);
  return {
    mode,
    models,
    devices: splitList(opt(INPUT_NAMES.devices) ?? ''),
    config: configRaw?.trim() ?? INPUT_DEFAULTS.config,
    configExplicit: configRaw !== undefined && configRaw.trim() !== INPUT_DEFAULTS.config,
    failOn: parseFailOn(opt(INPUT_NAMES.failOn) ?? INPUT_DEFAULTS.failOn),
    maxLatencyRegression: mapOpt(opt(INPUT_NAMES.maxLatencyRegression), (v) => parsePercent(INPUT_NAMES.maxLatencyRegression, v)),
    maxRamRegression: mapOpt(opt(INPUT_NAMES.maxRamRegression), (v) => parsePercent(INPUT_NAMES.maxRamRegression, v)),
    maxFlashRegression: mapOpt(opt(INPUT_NAMES.maxFlashRegression), (v) => parsePercent(INPUT_NAMES.maxFlashRegression, v)),
    maxNewUnsupported: mapOpt(opt(INPUT_NAMES.maxNewUnsupported), (v) => parseCount(INPUT_NAMES.maxNewUnsupported, v)),
    comment: oneOf(INPUT_NAMES.comment, opt(INPUT_NAMES.comment) ?? INPUT_DEFAULTS.comment, COMMENT_MODES),
    commentKey: parseCommentKey(opt(INPUT_NAMES.commentKey) ?? INPUT_DEFAULTS.commentKey),
    githubToken: opt(INPUT_NAMES.githubToken),
    acceptRegressionLabel: opt(INPUT_NAMES.acceptRegressionLabel)?.trim(),
    parity: oneOf(INPUT_NAMES.parity, opt(INPUT_NAMES.parity) ?? INPUT_DEFAULTS.parity, PARITY_SWITCHES),
    allowForkParity: parseBool(INPUT_NAMES.allowForkParity, opt(INPUT_NAMES.allowForkParity) ?? INPUT_DEFAULTS.allowForkParity),
    runnerStatusToken: opt(INPUT_NAMES.runnerStatusToken)?.trim(),
    onnxruntimePath: opt(INPUT_NAMES.onnxruntimePath)?.trim(),
    parityGateNotRun: parseBool(INPUT_NAMES.parityGateNotRun, opt(INPUT_NAMES.parityGateNotRun) ?? INPUT_DEFAULTS.parityGateNotRun),
    parityMaxReferenceBytes: mapOpt(opt(INPUT_NAMES.parityMaxReferenceMb), (v) => Math.round(parsePositive(INPUT_NAMES.parityMaxReferenceMb, v) * 1024 * 1024)),
    parityLatencyRuns: parseCount(INPUT_NAMES.parityLatencyRuns, opt(INPUT_NAMES.parityLatencyRuns) ?? INPUT_DEFAULTS.parityLatencyRuns),
    parityForce: parseBool(INPUT_NAMES.parityForce, opt(INPUT_NAMES.parityForce) ?? INPUT_DEFAULTS.parityForce),
    model: opt(INPUT_NAMES.model)?.trim().replace(/\\/g, '/').replace(/^\.\//, ''),
    device: opt(INPUT_NAMES.device)?.trim(),
  };
}

function mapOpt<T>(v: string | undefined, f: (v: string) => T): T | undefined {
  return v === undefined ? undefined : f(v);
}

/** The key goes inside an HTML comment, so `--` and `>` would end it early. */
function parseCommentKey(raw: string): string {
  const v = raw.trim();
  if (!/^[A-Za-z0-9._:/ -]*$/.test(v) || v.includes('--')) {
    throw new InputError(INPUT_NAMES.commentKey, raw, 'use letters, digits, space and . _ : / - only (no "--")');
  }
  return v;
}
