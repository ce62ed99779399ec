/**
 * The `.edgegate.yml` format, as a zod 4 schema that also yields the TypeScript types. Every object is
 * strict: an unknown field is an error naming its path, so a typo never silently drops a budget.
 * `docs/config-schema.json` is generated from this file (`npx tsx scripts/gen-config-schema.ts`).
 *
 * Sections: `dims` (symbolic dims per model glob), `budgets` (per device × model glob), `regression`
 * (the action's thresholds), `parity`, `waivers`.
 */
import { z } from 'zod';
import { CONFIG_MAX_LIST_ENTRIES, MAX_DEVICES } from '../limits.js';
import { parseByteSize, parsePercentage } from './units.js';

/** Version of the config format; the only accepted value today. */
export const CONFIG_VERSION = 1;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    message: 'not a calendar date',
  });

/** A glob (picomatch syntax, matched against repo-relative paths) or a list of globs. */
const Globs = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Bytes as a number, or a string such as `512KiB`, `8MB`, `1.5 GiB`. */
export const ByteSizeSchema = z
  .union([z.number().min(0), z.string().min(1)])
  .transform((v, ctx) => {
    const n = parseByteSize(v);
    if (n === undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: `expected a byte size such as 524288, "512KiB" or "8MB", got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: 'Bytes: a number, or a string with a unit B, kB, KiB, MB, MiB, GB, GiB (e.g. "512KiB", "8MB").' });

/** A percentage: `"10%"`, `"10"` or `10` all mean 10 %; parsed into a fraction (0.1). */
export const PercentSchema = z
  .union([z.number().min(0), z.string().min(1)])
  .transform((v, ctx) => {
    const n = parsePercentage(v);
    if (n === undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: `expected a non-negative percentage such as "10%", got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: 'A percentage: "10%", "10" or 10 all mean ten percent.' });

/** Symbolic dimension values: `{ batch: 1, seq: 128 }`. */
const DimValues = z.record(z.string().min(1), z.int().min(1));

/** One budget entry. Fields left out fall back to earlier matching entries, then to the profile defaults. */
export const BudgetEntrySchema = z.strictObject({
  /** Device profile id, or a glob over ids (`raspberry-pi-*`); default every device. */
  device: z.string().min(1).optional(),
  /** Model path glob(s); default every model. */
  model: Globs.optional(),
  /** Upper bound on the estimated latency, milliseconds. */
  latencyMs: z.number().positive().optional(),
  /** Upper bound on peak RAM. Default: the profile's RAM. */
  ramBytes: ByteSizeSchema.optional(),
  /** Upper bound on flash/storage. Default: the profile's storage. */
  flashBytes: ByteSizeSchema.optional(),
  /** Lower bound on the accelerated share of MACs, 0..1 (a fraction, not a percentage). */
  acceleratedFraction: z.number().min(0).max(1).optional(),
  /** Free text shown in the report beside the limits. */
  note: z.string().optional(),
});
export type BudgetEntry = z.output<typeof BudgetEntrySchema>;

/** Thresholds of the baseline comparison. Action inputs, when given, win. */
export const RegressionSchema = z.strictObject({
  maxLatencyRegression: PercentSchema.optional(),
  maxRamRegression: PercentSchema.optional(),
  maxFlashRegression: PercentSchema.optional(),
  maxNewUnsupported: z.int().min(0).optional(),
  /** PR label that accepts a regression (default `edgegate:accept-regression`). */
  acceptLabel: z.string().min(1).optional(),
});

/** Parity tolerances for one dtype (Polygraphy's rule: fail where |a−b| > atol and |a−b| > rtol·|b|). */
/** Per-dtype parity tolerances; defaults and their reasons are in docs/parity.md. */
const Tolerance = z.strictObject({
  /** Absolute tolerance (Polygraphy elementwise: fail where |a−b| > atol and > rtol·|b|). */
  atol: z.number().min(0).optional(),
  rtol: z.number().min(0).optional(),
  /** Absolute tolerance relative to the tensor's range: atol_eff = max(atol, atolRange · max|b|). */
  atolRange: z.number().min(0).optional(),
  /** Quantized tensors of isolated kernels: largest allowed rmse in quantization steps (rmse/scale). */
  maxRmseSteps: z.number().min(0).optional(),
});

/** A command that runs a model on a device's own runtime. */
const ExternalRuntime = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  /** Environment variables to set (never secrets: the config is in the repository). */
  env: z.record(z.string(), z.string()).optional(),
  timeoutSeconds: z.number().positive().optional(),
});

/** Per-layer parity. */
export const ParityConfigSchema = z.strictObject({
  /** Tolerances by dtype name (`float`, `float16`, `int8`, `uint8`, ...). */
  tolerances: z.record(z.string().min(1), Tolerance).optional(),
  /** Runner labels per device id, e.g. `{ raspberry-pi-4: [self-hosted, linux, arm64, rpi4] }`. */
  runners: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  /** Input files per model glob: `{ "models/kws*.onnx": { input: fixtures/kws.npy } }` (.npy, .pb or .json). */
  inputs: z.record(z.string().min(1), z.record(z.string().min(1), z.string().min(1))).optional(),
  /** Value ranges for integer inputs (token ids, indices), per model glob then input name: `[min, max]` inclusive. */
  integerRanges: z
    .record(z.string().min(1), z.record(z.string().min(1), z.tuple([z.int(), z.int()]).refine((r) => r[0] <= r[1], 'range min > max')))
    .optional(),
  /** Cap on the reference artifact size. */
  maxArtifactBytes: ByteSizeSchema.optional(),
  /** Allow fork PRs to be sent to self-hosted runners (default false; not a security boundary). */
  allowForkParity: z.boolean().optional(),
  /** Seed of generated inputs. */
  seed: z.int().optional(),
  /** External runtimes per device id (vendor SDKs). */
  external: z.record(z.string().min(1), ExternalRuntime).optional(),
});

/** Metrics a waiver can name instead of a node or a finding code (the gate's regression metrics). */
export const WAIVER_METRICS = ['latency', 'ram', 'flash', 'unsupported', 'acceleratedFraction'] as const;

/**
 * A waiver: what it covers (model glob, device, and a node by index/name, a finding code or a metric),
 * why, and until when. An expired waiver no longer waives and is reported.
 */
export const WaiverSchema = z
  .strictObject({
    model: Globs.optional(),
    /** Device profile id or glob. */
    device: z.string().min(1).optional(),
    /** Node index in the placed graph. */
    index: z.int().min(0).optional(),
    /** Node name. */
    name: z.string().min(1).optional(),
    /** Finding code, e.g. `OP_NOT_LISTED`, `BUDGET_LATENCY`, `LATENCY_REGRESSION`. */
    code: z.string().min(1).optional(),
    metric: z.enum(WAIVER_METRICS).optional(),
    reason: z.string().trim().min(1, 'a waiver needs a reason'),
    /** Last day the waiver applies (inclusive), YYYY-MM-DD. */
    expires: isoDate,
  })
  .refine((w) => w.index !== undefined || w.name !== undefined || w.code !== undefined || w.metric !== undefined, {
    message: 'a waiver needs at least one of `index`, `name`, `code` or `metric`',
  });
export type Waiver = z.output<typeof WaiverSchema>;

export const ConfigSchema = z
  .strictObject({
    version: z.literal(CONFIG_VERSION).optional(),
    /** Default device profile ids or paths when the CLI/action names none. */
    devices: z.array(z.string().min(1)).max(MAX_DEVICES).optional(),
    /** Symbolic dim values by model glob; every matching glob applies, later entries win. */
    dims: z.record(z.string().min(1), DimValues).optional(),
    budgets: z.array(BudgetEntrySchema).max(CONFIG_MAX_LIST_ENTRIES).optional(),
    regression: RegressionSchema.optional(),
    parity: ParityConfigSchema.optional(),
    waivers: z.array(WaiverSchema).max(CONFIG_MAX_LIST_ENTRIES).optional(),
  })
  .meta({ title: 'EdgeGate configuration (.edgegate.yml)', description: 'See docs/cost-model.md (budgets) and docs/parity.md (parity).' });

/** A validated config (after unit parsing: byte sizes in bytes, percentages as fractions). */
export type EdgegateConfig = z.output<typeof ConfigSchema>;
/** The config as written in YAML (before unit parsing). */
export type EdgegateConfigInput = z.input<typeof ConfigSchema>;

/** The config used when no file exists. */
export const EMPTY_CONFIG: EdgegateConfig = {};
