/**
 * The JSON report contract (docs/report-schema.json). Field names are part of the public contract:
 * add fields freely, never rename. A value that cannot be known is `null` with an `unknownReason`.
 */

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportError {
  /** Stable machine code, e.g. `TRUNCATED`, `LFS_POINTER`, `PROFILE_INVALID`. */
  readonly code: string;
  /** File the error is about (model, external data, profile, config). */
  readonly file: string;
  /** Dotted/indexed path inside the file, e.g. `graph.node[3].input[1]` or `rules[2].when.dtype`. */
  readonly fieldPath?: string;
  readonly message: string;
}

export type Placement = 'accelerated' | 'cpu-fallback' | 'unsupported' | 'unknown';

export interface NodePlacementReport {
  /** Position in `graph.node` of the graph that was placed (see `DeviceReport.placedGraph`). */
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly placement: Placement;
  /** Reason code, e.g. `OP_NOT_LISTED`, `DTYPE`, `ATTRIBUTE`; `OK` when accelerated. */
  readonly reason: string;
  readonly detail?: string;
  readonly hint?: string;
  /** Source-graph node indices this placed node came from (after runtime rewrites). */
  readonly sourceNodes?: readonly number[];
  /** Filled by the cost model. */
  latencyMs?: number | null;
  unit?: string;
}

export type DeviceVerdict = 'pass' | 'warn' | 'fail' | 'error';

export interface BudgetReport {
  readonly name: string;
  readonly limit: number;
  readonly value: number | null;
  readonly unit: string;
  readonly verdict: 'pass' | 'fail' | 'unknown' | 'waived';
  readonly headroom?: number | null;
  readonly headroomPercent?: number | null;
  readonly source?: string;
  readonly unknownReason?: string;
  /** Finding code of a failure (`BUDGET_LATENCY`, `BUDGET_RAM`, ...), the key waivers use. */
  readonly code?: string;
  /** `max` (value must stay at or below the limit) or `min` (accelerated fraction: at or above). */
  readonly kind?: 'max' | 'min';
  /** The waiver that turned a failure into `waived`. */
  readonly waivedBy?: { readonly reason: string; readonly expires: string };
  /** Matching waivers past their expiry: reported, no longer waiving. */
  readonly expiredWaivers?: readonly { readonly reason: string; readonly expires: string }[];
}

export interface DeviceReport {
  readonly device: string;
  verdict: DeviceVerdict;
  readonly partitions: number;
  readonly nodesTotal: number;
  readonly nodesAccelerated: number;
  readonly macsAcceleratedFraction: number | null;
  readonly quantization: Record<string, unknown>;
  readonly nodes: NodePlacementReport[];
  latencyMs?: { estimate: number; low: number; high: number } | null;
  peakRamBytes?: number | null;
  flashBytes?: number | null;
  budgets?: BudgetReport[];
  [extra: string]: unknown;
}

export interface ModelReport {
  /** Repo-relative path where possible. */
  readonly path: string;
  readonly sha256: string | null;
  readonly fileSize: number | null;
  readonly nodes: number | null;
  readonly params: number | null;
  readonly macs: number | null;
  readonly otherOps: number | null;
  readonly weightBytes: number | null;
  readonly peakActivationBytes: number | null;
  readonly activationLowerBoundBytes: number | null;
  readonly errors: { readonly code: string; readonly message: string; readonly fieldPath?: string }[];
  readonly devices: DeviceReport[];
  unknownReason?: string;
  [extra: string]: unknown;
}

export interface Report {
  readonly schemaVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly errors: ReportError[];
  readonly models: ModelReport[];
  [extra: string]: unknown;
}
