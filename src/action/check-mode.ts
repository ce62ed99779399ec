/**
 * `mode: check`: select models, check head and base, compare, decide, render, then post. Side effects go
 * through the ports in ActionPorts, so this file imports no @actions/* package and runs in unit tests.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCheck, type CheckOptions } from '../check.js';
import { loadConfig } from '../config/load.js';
import { compareReports } from '../gate/compare.js';
import { decide, failureMessage } from '../gate/decide.js';
import type { Comparison, GateDecision, GateOptions, ModelChange, RegressionWaiver } from '../gate/types.js';
import { ensureCommit, extractBaseModel } from '../git/baseline.js';
import { NoMergeBaseError } from '../git/errors.js';
import { externalDataLocations } from '../git/external-refs.js';
import type { GitClient, NameStatus } from '../git/types.js';
import { DEFAULT_COMMENT_MAX, renderMarkdown, renderSummary, type RenderInput } from '../report/markdown.js';
import type { Report, ReportError } from '../report/types.js';
import { isForbidden, isTooLong, upsertStickyComment, findStickyComment } from './comment.js';
import type { EventInfo } from './context.js';
import type { GitHubApi } from './github.js';
import { INPUT_DEFAULTS, OUTPUT_NAMES, parsePercent, type Inputs } from './inputs.js';
import { listModelFiles, pullFilesToNameStatus, selectModels } from './select.js';
import { renderParitySection } from '../report/parity-markdown.js';
import { parityEnabled, planParityRuns, type ParityPorts } from './parity-check.js';
import { matrixJson, REPORT_ARTIFACT_FILE, reportArtifactName, type ParityPlan } from './parity-shared.js';

/** Side effects of a run. main.ts implements them with @actions/core; tests with plain functions. */
export interface ActionPorts {
  readonly info: (message: string) => void;
  readonly warning: (message: string) => void;
  readonly setOutput: (name: string, value: string) => void;
  readonly setFailed: (message: string) => void;
  readonly writeSummary: (markdown: string) => Promise<void>;
}

export interface CheckModeContext {
  readonly inputs: Inputs;
  readonly event: EventInfo;
  /** The checked-out repository (GITHUB_WORKSPACE). */
  readonly workspace: string;
  /** Scratch folder (RUNNER_TEMP). */
  readonly tempDir: string;
  readonly git: GitClient;
  /** Undefined when there is no token. */
  readonly api: GitHubApi | undefined;
  /** Run page that shows the job summary. */
  readonly runUrl?: string;
  readonly ports: ActionPorts;
  /** The core check; tests substitute a stand-in. Default: runCheck from src/check.ts. */
  readonly check?: (options: CheckOptions) => Promise<Report>;
  /** Artifacts, runner status and model runner for parity (issue 6); absent = no artifact service. */
  readonly parity?: ParityPorts;
}

/** What a check run produced (also written as the `report` output file). */
export interface CheckOutcome {
  readonly report: Report;
  readonly comparison?: Comparison;
  readonly decision: GateDecision;
  readonly changes: readonly ModelChange[];
  readonly body: string;
  readonly commentId?: number;
  /** The parity plan, when parity was planned (issue 6). */
  readonly parity?: ParityPlan;
}

function baselineError(message: string, file = '.'): ReportError {
  return { code: 'BASELINE_UNAVAILABLE', file, message };
}

/** Devices given as paths to files in the repository (profiles a PR can change). */
function profileFiles(devices: readonly string[], workspace: string): string[] {
  return devices.filter((d) => /[\\/]|\.(ya?ml|json)$/i.test(d) && existsSync(resolve(workspace, d))).map((d) => d.replace(/\\/g, '/').replace(/^\.\//, ''));
}

/** The thresholds: action input, then the config's `regression` section, then the defaults. */
export function gateOptions(inputs: Inputs, config: ReturnType<typeof loadConfig>['config'], event: EventInfo, today?: string): GateOptions {
  const r = config.regression ?? {};
  const label = inputs.acceptRegressionLabel ?? r.acceptLabel ?? INPUT_DEFAULTS.acceptRegressionLabel;
  const labelled = event.kind === 'pull_request' && event.labels.includes(label);
  return {
    failOn: inputs.failOn,
    maxLatencyRegression: inputs.maxLatencyRegression ?? r.maxLatencyRegression ?? parsePercent('max-latency-regression', INPUT_DEFAULTS.maxLatencyRegression),
    maxRamRegression: inputs.maxRamRegression ?? r.maxRamRegression ?? parsePercent('max-ram-regression', INPUT_DEFAULTS.maxRamRegression),
    maxFlashRegression: inputs.maxFlashRegression ?? r.maxFlashRegression ?? parsePercent('max-flash-regression', INPUT_DEFAULTS.maxFlashRegression),
    maxNewUnsupported: inputs.maxNewUnsupported ?? r.maxNewUnsupported ?? Number(INPUT_DEFAULTS.maxNewUnsupported),
    ...(labelled && event.kind === 'pull_request' ? { acceptLabel: { label, pr: event.number } } : {}),
    waivers: (config.waivers ?? []) as readonly RegressionWaiver[],
    ...(today ? { today } : {}),
  };
}

/** The PR's changed files: three-dot git diff, the files API only when history is missing. */
async function prDiff(ctx: CheckModeContext, event: Extract<EventInfo, { kind: 'pull_request' }>, errors: ReportError[]): Promise<NameStatus[] | undefined> {
  try {
    await ensureCommit(ctx.git, event.headSha, 'head');
    await ensureCommit(ctx.git, event.baseSha, 'base');
    return await ctx.git.diffNameStatus(event.baseSha, event.headSha);
  } catch (err) {
    const why = (err as Error).message;
    if (ctx.api) {
      try {
        const files = await ctx.api.listPullFiles(event.number);
        ctx.ports.info(`git diff was not possible (${why}); using the PR files API (it lists at most 3,000 files).`);
        if (files.length >= 3000) errors.push(baselineError('The PR changes 3,000 files or more; the files API lists only the first 3,000. Set `fetch-depth: 0` on actions/checkout so EdgeGate can use git diff.'));
        return pullFilesToNameStatus(files);
      } catch (apiErr) {
        errors.push(baselineError(`Cannot list the PR's changes: ${why}; the files API failed too: ${(apiErr as Error).message}`));
        return undefined;
      }
    }
    errors.push(baselineError(err instanceof NoMergeBaseError ? err.message : `Cannot list the PR's changes: ${why}`));
    return undefined;
  }
}

/** Extracts base versions of the models (and of the config and profile files) and checks them. */
async function checkBase(
  ctx: CheckModeContext,
  baseSha: string,
  changes: readonly ModelChange[],
  profiles: readonly string[],
  errors: ReportError[],
): Promise<Report | undefined> {
  const wanted = changes.filter((c) => c.kind === 'modified' || c.kind === 'renamed' || c.kind === 'unchanged');
  if (wanted.length === 0) return undefined;
  try {
    await ensureCommit(ctx.git, baseSha, 'base');
  } catch (err) {
    errors.push(baselineError((err as Error).message));
    return undefined;
  }
  const dir = mkdtempSync(join(ctx.tempDir, 'edgegate-base-'));
  const files: string[] = [];
  for (const c of wanted) {
    const path = c.oldPath ?? c.path;
    try {
      const x = await extractBaseModel(ctx.git, baseSha, path, dir);
      if (x) files.push(x.file);
    } catch (err) {
      errors.push(baselineError(`No baseline for ${path}: ${(err as Error).message}`, path));
    }
  }
  if (files.length === 0) return undefined;
  // The baseline is the base commit as a whole: its own config and profile files where it has them.
  const extractFile = async (p: string): Promise<string | undefined> => {
    const blob = await ctx.git.blobAt(baseSha, p);
    if (!blob) return undefined;
    const dest = join(dir, '.edgegate-base-files', ...p.split('/'));
    mkdirSync(join(dest, '..'), { recursive: true });
    await ctx.git.writeBlob(blob.oid, dest);
    return dest;
  };
  const baseConfig = await extractFile(ctx.inputs.config);
  const devices: string[] = [];
  for (const d of ctx.inputs.devices) {
    const norm = d.replace(/\\/g, '/').replace(/^\.\//, '');
    devices.push(profiles.includes(norm) ? ((await extractFile(norm)) ?? resolve(ctx.workspace, d)) : d);
  }
  return (ctx.check ?? runCheck)({
    models: files,
    devices,
    ...(baseConfig ? { configPath: baseConfig, configExplicit: true } : {}),
    repoRoot: dir,
  });
}

/** The title of the parity section in the comment. */
export const PARITY_SECTION_TITLE = 'Parity on edge runners';

function writeReportFile(ctx: CheckModeContext, outcome: Omit<CheckOutcome, 'body' | 'commentId'>): string {
  const dir = join(ctx.tempDir, 'edgegate');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `report${ctx.inputs.commentKey ? `-${ctx.inputs.commentKey.replace(/[^A-Za-z0-9._-]/g, '_')}` : ''}.json`);
  const json = {
    ...outcome.report,
    verdict: outcome.decision.verdict,
    changes: outcome.changes,
    ...(outcome.comparison ? { baseline: outcome.comparison } : {}),
    gate: outcome.decision,
    ...(outcome.parity ? { parity: outcome.parity } : {}),
  };
  writeFileSync(file, `${JSON.stringify(json, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)] : v === Infinity ? 'Infinity' : v), 2)}\n`);
  return file;
}

/** Posts or updates the sticky comment per the `comment` input; a read-only token only warns. */
export async function postComment(ctx: Pick<CheckModeContext, 'inputs' | 'event' | 'api' | 'ports' | 'runUrl'>, input: RenderInput, body: string, checked: number): Promise<number | undefined> {
  const { inputs, event, api, ports } = ctx;
  if (event.kind !== 'pull_request' || inputs.comment === 'never') return undefined;
  if (!api) {
    ports.warning('No github-token: the report is in the job summary only.');
    return undefined;
  }
  try {
    if (inputs.comment === 'auto' && checked === 0) {
      // Nothing to report: only refresh a comment an earlier run left, so it does not go stale.
      const existing = await findStickyComment(api, event.number, inputs.commentKey);
      if (!existing) return undefined;
    }
    let result;
    try {
      result = await upsertStickyComment(api, event.number, inputs.commentKey, body);
    } catch (err) {
      if (!isTooLong(err)) throw err;
      // GitHub counted more than we did (it may count bytes of astral characters): halve the room once.
      const shorter = renderMarkdown(input, { maxLength: Math.floor(DEFAULT_COMMENT_MAX * 0.6), summaryUrl: ctx.runUrl });
      result = await upsertStickyComment(api, event.number, inputs.commentKey, shorter);
    }
    ports.info(`PR comment ${result.action}: id ${result.id}`);
    return result.id;
  } catch (err) {
    if (isForbidden(err)) {
      ports.warning(
        `EdgeGate could not comment on PR #${event.number} (${err.message}). The token is read-only, as on pull requests from forks; the report is in the job summary. ` +
          'To comment on fork PRs, use the two-stage workflow in docs/workflows/fork-safe.yml.',
      );
      return undefined;
    }
    ports.warning(`EdgeGate could not post the PR comment: ${(err as Error).message}. The report is in the job summary.`);
    return undefined;
  }
}

/** Runs `mode: check`. Never throws for bad models or missing history: those become report errors. */
export async function runCheckMode(ctx: CheckModeContext): Promise<CheckOutcome> {
  const { inputs, event, workspace, ports } = ctx;
  const errors: ReportError[] = [];
  const present = listModelFiles(workspace, inputs.models);
  const loaded = loadConfig(resolve(workspace, inputs.config), { required: inputs.configExplicit });
  const profiles = profileFiles(inputs.devices, workspace);
  // Profile files named by the config's `devices:` also make every model count as changed.
  const triggers = [inputs.config, ...profiles, ...profileFiles(inputs.devices.length > 0 ? [] : (loaded.config.devices ?? []), workspace)];

  let diff: NameStatus[] | undefined;
  if (event.kind === 'pull_request') diff = await prDiff(ctx, event, errors);
  const selection = selectModels({
    globs: inputs.models,
    present,
    diff,
    triggers,
    externalDataOf: (m) => {
      try {
        const dir = m.includes('/') ? m.slice(0, m.lastIndexOf('/') + 1) : '';
        return externalDataLocations(join(workspace, m)).map((l) => `${dir}${l}`);
      } catch {
        return [];
      }
    },
  });
  if (selection.allBecause) ports.info(`Checking every model: ${selection.allBecause}.`);
  const changes = selection.changes;
  const toCheck = changes.filter((c) => c.kind !== 'deleted');
  ports.info(`Models to check: ${toCheck.length}${event.kind === 'pull_request' ? ` (changed in PR #${event.number})` : ''}.`);

  const head = await (ctx.check ?? runCheck)({
    models: toCheck.map((c) => join(workspace, ...c.path.split('/'))),
    devices: inputs.devices,
    configPath: resolve(workspace, inputs.config),
    configExplicit: inputs.configExplicit,
    repoRoot: workspace,
  });
  let comparison: Comparison | undefined;
  if (event.kind === 'pull_request') {
    const base = await checkBase(ctx, event.baseSha, changes, profiles, errors);
    comparison = compareReports(head, base, changes, event.baseSha);
  }
  const report: Report = { ...head, errors: [...head.errors, ...errors] };
  const decision = decide(report, comparison, gateOptions(inputs, loaded.config, event));
  const notes = selection.allBecause ? [`Every model was checked because ${selection.allBecause}.`] : [];
  // Parity (issue 6): references and the matrix; the report job gates on the results.
  let parity: ParityPlan | undefined;
  if (parityEnabled(inputs, loaded.config)) {
    parity = await planParityRuns(
      { inputs, event, workspace, tempDir: ctx.tempDir, config: loaded.config, parity: ctx.parity ?? { artifacts: undefined }, info: ports.info, warning: ports.warning },
      report,
    );
  }
  const extraSections = parity
    ? [{ title: PARITY_SECTION_TITLE, markdown: renderParitySection({ results: parity.decided, pending: parity.cells, report, notes: parity.notes }) }]
    : [];
  const input: RenderInput = { report, comparison, decision, changes, commentKey: inputs.commentKey, notes, extraSections };
  const body = renderMarkdown(input, { summaryUrl: ctx.runUrl });
  const reportPath = writeReportFile(ctx, { report, comparison, decision, changes, ...(parity ? { parity } : {}) });
  if (parity) await uploadReport(ctx, reportPath);

  ports.setOutput(OUTPUT_NAMES.parityMatrix, matrixJson(parity?.cells ?? []));
  ports.setOutput(OUTPUT_NAMES.parityNeeded, String((parity?.cells.length ?? 0) > 0));
  const commentId = await publish(ctx, input, body, reportPath, decision, changes);
  return { report, comparison, decision, changes, body, ...(commentId !== undefined ? { commentId } : {}), ...(parity ? { parity } : {}) };
}

/**
 * The post stage shared by the check and report modes: job summary first (the one place the report
 * always reaches: fork PRs, API outages), then the sticky comment, the outputs, and the gate.
 */
export async function publish(
  ctx: CheckModeContext,
  input: RenderInput,
  body: string,
  reportPath: string,
  decision: GateDecision,
  changes: readonly ModelChange[],
): Promise<number | undefined> {
  const { ports } = ctx;
  const { report } = input;
  try {
    await ports.writeSummary(renderSummary(input, reportPath));
  } catch (err) {
    ports.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
  const checked = report.models.length + changes.filter((c) => c.kind === 'deleted').length;
  const commentId = await postComment(ctx, input, body, checked);
  ports.setOutput(OUTPUT_NAMES.report, reportPath);
  ports.setOutput(OUTPUT_NAMES.verdict, decision.verdict);
  ports.setOutput(OUTPUT_NAMES.commentId, commentId === undefined ? '' : String(commentId));
  ports.setOutput(OUTPUT_NAMES.summary, body);
  ports.info(`EdgeGate verdict: ${decision.verdict}`);
  if (decision.failed) ports.setFailed(failureMessage(decision));
  else if (decision.errors.length > 0 || decision.blocking.length > 0) ports.warning(failureMessage(decision));
  return commentId;
}

/** Uploads the JSON report for the report job. A failure is a warning: the report job then says so. */
async function uploadReport(ctx: CheckModeContext, reportPath: string): Promise<void> {
  const store = ctx.parity?.artifacts;
  if (!store) return;
  const name = reportArtifactName(ctx.inputs.commentKey);
  const dir = mkdtempSync(join(ctx.tempDir, 'edgegate-report-'));
  try {
    writeFileSync(join(dir, REPORT_ARTIFACT_FILE), readFileSync(reportPath));
    const r = await store.upload(name, dir);
    ctx.ports.info(`Uploaded ${name} (${r.size ?? '?'} bytes) for the report job.`);
  } catch (err) {
    ctx.ports.warning(`Could not upload the report artifact ${name}: ${(err as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes scratch folders; errors are ignored (the runner wipes RUNNER_TEMP anyway). */
export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
