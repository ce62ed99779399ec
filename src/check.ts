/**
 * The core of `edgegate check`: gather (read models, profiles, config) → decide (analysis, placement,
 * cost, budgets) → a typed `Report`. Pure with respect to GitHub: the CLI and the action both call it,
 * and it never logs or posts. One broken model, profile or config never stops the others.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { readModel } from './onnx/reader.js';
import { hashFilesInBackground } from './onnx/hash.js';
import { ModelReadError } from './onnx/errors.js';
import { analyzeModel } from './graph/analyze.js';
import { GraphError } from './graph/errors.js';
import type { GraphAnalysis } from './graph/types.js';
import { domainLabel, dtypeName, type Shape } from './onnx/types.js';
import { REPORT_SCHEMA_VERSION, type FoldingReport, type ModelReport, type Report, type ReportError } from './report/types.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { evaluateDevices, loadDeviceContext, type DeviceContext } from './devices.js';
import { foldingSummary } from './profiles/ort-basic.js';

export interface CheckOptions {
  /** Model files to check. */
  readonly models: readonly string[];
  /** Device profile ids (`raspberry-pi-4`) or paths to profile files. */
  readonly devices: readonly string[];
  /** Symbolic dimension values from the CLI/action (`batch=1`); they win over the config's `dims`. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Config file path (`.edgegate.yml`). A missing default config is not an error; a missing explicit one is. */
  readonly configPath?: string;
  /** True when `configPath` was given explicitly (so a missing file is an error). */
  readonly configExplicit?: boolean;
  /** Paths in the report are made relative to this folder when inside it (default: cwd). */
  readonly repoRoot?: string;
  /** Folder of shipped device profiles (default: the package's device-profiles/). */
  readonly profilesDir?: string;
  /** Rule semantics: `full` (default) evaluates every condition; `op-names` reproduces ORT's checker. */
  readonly ruleMode?: 'full' | 'op-names';
  /** Current date for waiver expiry (tests pin it). */
  readonly now?: Date;
  /** Budget limits from CLI flags or action inputs; they win over the config and profile defaults. */
  readonly budgetOverrides?: Partial<Record<'latencyMs' | 'ramBytes' | 'flashBytes' | 'acceleratedFraction', number>>;
}

/** Report path for a file: repo-relative when it is inside `root`, else as given. */
export function displayPath(file: string, root: string): string {
  const abs = resolve(file);
  const rel = relative(resolve(root), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file;
}

/** Turns any model-stage failure into report errors that name the file. */
function modelError(file: string, err: unknown): ReportError {
  if (err instanceof ModelReadError) {
    return { code: err.code, file: displayPath(err.file, '.'), ...(err.fieldPath ? { fieldPath: err.fieldPath } : {}), message: err.message };
  }
  if (err instanceof GraphError) {
    return { code: err.code, file, message: `${file}: ${err.message}` };
  }
  return { code: 'INTERNAL', file, message: `${file}: analysis failed: ${(err as Error).message ?? String(err)}` };
}

function emptyModelReport(path: string, errors: ModelReport['errors']): ModelReport {
  return {
    path,
    sha256: null,
    fileSize: null,
    nodes: null,
    params: null,
    macs: null,
    otherOps: null,
    weightBytes: null,
    peakActivationBytes: null,
    activationLowerBoundBytes: null,
    errors,
    devices: [],
    unknownReason: 'the model could not be read',
  };
}

const copyShape = (s: Shape): (string | number | null)[] | null => (s ? [...s] : null);

/** Model-level facts of the report from an analysis. */
export function modelFacts(path: string, a: GraphAnalysis): ModelReport {
  const t = a.totals;
  const folding = foldingReport(a);
  const report: ModelReport = {
    path,
    sha256: a.model.sha256 || null,
    fileSize: a.model.fileSize,
    irVersion: a.model.irVersion,
    producer: [a.model.producerName, a.model.producerVersion].filter(Boolean).join(' '),
    opsets: Object.fromEntries([...a.model.opsetImports].map(([d, v]) => [domainLabel(d), v])),
    nodes: t.nodes,
    subgraphNodes: t.subgraphNodes,
    nodesAfterFolding: folding.nodesAfterFolding,
    folding,
    functions: a.model.functions.length,
    params: t.params,
    macs: t.macs,
    otherOps: t.otherOps,
    weightBytes: t.weightBytes,
    weightBytesByDtype: t.weightBytesByDtype,
    activationBytes: t.activationBytes,
    // A plan that left tensors out would understate the peak: report it as unknown instead.
    peakActivationBytes: a.memory.unknownTensors > 0 ? null : a.memory.peakBytes,
    activationLowerBoundBytes: a.memory.unknownTensors > 0 ? null : a.memory.lowerBoundBytes,
    inputs: a.model.graph.inputs
      .filter((i) => !a.model.graph.initializers.has(i.name))
      .map((i) => ({ name: i.name, dtype: dtypeName(i.dtype), shape: copyShape(a.tensors.get(i.name)?.shape ?? i.shape) })),
    pinnedDims: a.pinnedDims,
    errors: [],
    devices: [],
    warnings: a.issues.map((i) => ({ code: i.code, message: i.message, ...(i.node ? { node: i.node } : {}) })),
  };
  const symbolic = [...new Set(a.model.graph.inputs.flatMap((i) => (a.tensors.get(i.name)?.shape ?? []).filter((d): d is string => typeof d === 'string')))];
  if (t.macs === null || a.memory.unknownTensors > 0) {
    report.unknownReason = symbolic.length > 0
      ? `shapes depend on symbolic dims (${symbolic.join(', ')}); pin them with --dim ${symbolic[0]}=1 or \`dims\` in .edgegate.yml`
      : 'some tensor shapes could not be inferred (see warnings)';
  } else if (a.memory.notPlanned !== undefined) report.unknownReason = a.memory.notPlanned;
  return report;
}

/** The folding stage's counts for the model line, with a note when symbolic dims kept shape arithmetic. */
function foldingReport(a: GraphAnalysis): FoldingReport {
  const s = foldingSummary(a);
  const f = { ...s, symbolicDims: [...s.symbolicDims] };
  if (f.symbolicShapeNodes === 0) return f;
  const dims = f.symbolicDims.length > 0 ? f.symbolicDims : ['a symbolic dim'];
  const pin = f.symbolicDims.length > 0 ? `; pin ${f.symbolicDims.length === 1 ? 'it' : 'them'} with --dim ${f.symbolicDims[0]}=1 or \`dims\` in .edgegate.yml` : '';
  const n = f.symbolicShapeNodes;
  return { ...f, note: `${n} shape-computation node${n === 1 ? '' : 's'} not folded: ${n === 1 ? 'it depends' : 'they depend'} on ${dims.join(', ')}${pin}` };
}

/** Runs the whole check and returns the report. Never throws for bad input; errors go into the report. */
export async function runCheck(options: CheckOptions): Promise<Report> {
  const root = options.repoRoot ?? process.cwd();
  const errors: ReportError[] = [];
  // Hashing runs on another core while this thread analyzes; the digests are filled in at the end.
  const digests = hashFilesInBackground(options.models);
  const ctx: DeviceContext = await loadDeviceContext(options, errors);
  const models: ModelReport[] = [];
  const hashed: [index: number, file: string][] = [];
  for (const file of options.models) {
    const path = displayPath(file, root);
    let analysis: GraphAnalysis;
    try {
      const model = await readModel(file, { skipHash: true });
      analysis = analyzeModel(model, { dims: ctx.dimsFor(path) });
    } catch (err) {
      const e = modelError(path, err);
      errors.push(e);
      models.push(emptyModelReport(path, [{ code: e.code, message: e.message, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) }]));
      continue;
    }
    const report = modelFacts(path, analysis);
    report.devices.push(...evaluateDevices(analysis, path, ctx, report));
    hashed.push([models.length, file]);
    models.push(report);
  }
  const digestOf = await digests;
  for (const [index, file] of hashed) models[index] = { ...models[index]!, sha256: digestOf.get(file) ?? null };
  return { schemaVersion: REPORT_SCHEMA_VERSION, tool: { name: TOOL_NAME, version: TOOL_VERSION }, errors, models, ...ctx.reportExtras() };
}
