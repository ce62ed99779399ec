/**
 * The fuzz driver's plug-in interface (bench/fuzz.ts). A family writes one case's input files into an
 * empty folder and says which `edgegate` command line checks them; the driver runs batches of cases in a
 * child process under an address-space cap and a per-case timeout, and classifies each outcome.
 *
 * To add a family: implement `FuzzFamily` in bench/fuzz/families/<name>.ts and list it in
 * bench/fuzz/registry.ts. `make` must be deterministic in `rng` (same seed, same files).
 */

/** A seeded pseudo-random source; every case gets its own, derived from (seed, family, index). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Uint8Array;
}

/** The groups the tallies are kept by (the acceptance counts models and config/profile/parity apart). */
export const FUZZ_GROUPS = ['model', 'config', 'profile', 'parity'] as const;
export type FuzzGroup = (typeof FUZZ_GROUPS)[number];

export interface FuzzCase {
  /** `${family}#${index}`: with the seed, enough to regenerate the case (`--only ID`). */
  readonly id: string;
  readonly family: string;
  /**
   * `edgegate` argv run in-process by the child (`main(argv)` of src/cli/main.ts), with the case folder as
   * working directory. The token `{out}` is replaced by the path of a file the child reads back afterwards
   * (for example `['check', 'm.onnx', '--format', 'json', '--out', '{out}']`).
   */
  readonly argv: readonly string[];
  /** Report paths that must each appear in `models[].path` of the JSON output (batch completeness). */
  readonly expectModels?: readonly string[];
  /** True when the inputs are known corrupt: an exit code 0 is then a defect (`corrupt-pass`). */
  readonly corrupt?: boolean;
  /** One line saying what was mutated, for the tallies and for turning a finding into a fixture. */
  readonly note: string;
}

/** What the child saw for one case. */
export interface CaseOutput {
  /** `main()`'s return value, or null when it threw or the child died. */
  readonly exit: number | null;
  /** Message of an exception that escaped `main()` (the real CLI would die with a stack trace). */
  readonly thrown?: string;
  /** Content of `{out}` (truncated to 4 MB), when the command wrote it. */
  readonly out?: string;
  /** stdout+stderr the command wrote (truncated to 64 KB). */
  readonly log: string;
  /** The child's peak RSS after this case, in MB (a child is replaced once it passes the RSS cap). */
  readonly maxRssMb: number;
  readonly ms: number;
}

export const OUTCOMES = ['crash', 'hang', 'rss', 'internal', 'missing-model', 'corrupt-pass', 'ok-with-error', 'ok'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** Outcomes that are defects (the acceptance wants 0 of each). */
export const DEFECTS: ReadonlySet<Outcome> = new Set(['crash', 'hang', 'rss', 'internal', 'missing-model', 'corrupt-pass']);

export interface FuzzFamily {
  /** Kebab-case family name, unique across the registry (`model-bytes`, `config-yaml`, ...). */
  readonly name: string;
  readonly group: FuzzGroup;
  /**
   * This family's share of its group's cases, relative to the group's other families (default 1): a family
   * whose cases take seconds (huge synthetic models) gets a small weight so a campaign stays practical.
   */
  readonly weight?: number;
  /** Writes case `index`'s inputs into `dir` (an empty folder) and returns the case. */
  make(rng: Rng, dir: string, index: number): FuzzCase;
  /**
   * Optional family-specific verdict on a case that did not crash, hang or exceed RSS: return a defect
   * outcome (e.g. `corrupt-pass` for a corrupt reference reported as passed), or undefined to let the
   * generic classification decide.
   */
  judge?(c: FuzzCase, out: CaseOutput): Outcome | undefined;
}

/** A case as the child receives it. */
export interface ChildCase {
  readonly id: string;
  readonly argv: readonly string[];
  readonly dir: string;
}

/** What the driver sends bench/fuzz/child.mjs: the cases of a batch, then `go` for each `start` it registered. */
export type DriverMessage = { readonly cases: readonly ChildCase[] } | { readonly type: 'go'; readonly id: string };

/** What bench/fuzz/child.mjs sends back. */
export type ChildMessage =
  | { readonly type: 'start'; readonly id: string }
  | ({ readonly type: 'end'; readonly id: string } & CaseOutput)
  | { readonly type: 'idle' };
