/**
 * `mode: check`: select models, check head and base, compare, decide, render, then post. Side effects go
 * through the ports in ActionPorts, so this file imports no @actions/* package and runs in unit tests.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCheck, type CheckOptions } from '../check.js';
import { loadConfig } from '../config/load.js';
import { mergeGateOptions } from '../gate/options.js';
import type { Comparison, GateDecision, GateOptions, ModelChange } from '../gate/types.js';
import { ensureCommit } from '../git/baseline.js';
import { baselineError, checkBaseVersions } from '../git/base-check.js';
import { NoMergeBaseError } from '../git/errors.js';
import { externalDataLocations } from '../git/external-refs.js';
import type { GitClient, NameStatus } from '../git/types.js';
import { decideRun, renderJsonChunks, type CheckRun, type Gathered } from '../pipeline.js';
import { writeFileChunks } from '../io/write-chunks.js';
import { renderMarkdown, type RenderInput } from '../report/markdown.js';
import type { Report, ReportError } from '../report/types.js';
import type { EventInfo } from './context.js';
import type { GitHubApi } from './github.js';
import type { Inputs } from './inputs.js';
import { OUTPUT_NAMES } from './inputs.js';
import { publish } from './publish.js';
import { listModelFiles, pullFilesToNameStatus, selectModels } from './select.js';
import { renderParitySection } from '../report/parity-markdown.js';
import { parityEnabled, planParityRuns, type ParityPorts } from './parity-check.js';
import { matrixJson, REPORT_ARTIFACT_FILE, reportArtifactName, type ParityPlan } from './parity-shared.js';

export { publish, postComment } from './publish.js';

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
  /** Artifacts, runner status and model runner for parity; absent = no artifact service. */
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
  /** The parity plan, when parity was planned. */
  readonly parity?: ParityPlan;
}

/** Devices given as paths to files in the repository (profiles a PR can change). */
function profileFiles(devices: readonly string[], workspace: string): string[] {
  return devices.filter((d) => /[\\/]|\.(ya?ml|json)$/i.test(d) && existsSync(resolve(workspace, d))).map((d) => d.replace(/\\/g, '/').replace(/^\.\//, ''));
}

/** The thresholds: action input, then the config's `regression` section, then the defaults. */
export function gateOptions(inputs: Inputs, config: ReturnType<typeof loadConfig>['config'], event: EventInfo, today?: string): GateOptions {
  return mergeGateOptions(inputs, config, event.kind === 'pull_request' ? event : undefined, today);
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

/** The title of the parity section in the comment. */
export const PARITY_SECTION_TITLE = 'Parity on edge runners';

function writeReportFile(ctx: CheckModeContext, run: CheckRun): string {
  const dir = join(ctx.tempDir, 'edgegate');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `report${ctx.inputs.commentKey ? `-${ctx.inputs.commentKey.replace(/[^A-Za-z0-9._-]/g, '_')}` : ''}.json`);
  writeFileChunks(file, renderJsonChunks(run));
  return file;
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
  if (toCheck.length > 0 && (head.devices ?? []).length === 0) {
    ports.warning('No device to check the models against: set the `devices` input or `devices:` in the config. The report has graph statistics only (verdict not-run).');
  }
  let base: Gathered['base'];
  if (event.kind === 'pull_request') {
    const baseReport = await checkBaseVersions(
      { git: ctx.git, baseSha: event.baseSha, changes, configPath: inputs.config, devices: inputs.devices, profileFiles: profiles, workspace, tempDir: ctx.tempDir, check: ctx.check ?? runCheck },
      errors,
    );
    base = { sha: event.baseSha, report: baseReport, changes };
  }
  const { report, comparison, decision } = decideRun({ report: { ...head, errors: [...head.errors, ...errors] }, ...(base ? { base } : {}) }, gateOptions(inputs, loaded.config, event));
  const notes = selection.allBecause ? [`Every model was checked because ${selection.allBecause}.`] : [];
  // Parity: references and the matrix; the report job gates on the results.
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
  const reportPath = writeReportFile(ctx, { report: parity ? { ...report, parity } : report, ...(comparison ? { comparison } : {}), decision });
  if (parity) await uploadReport(ctx, reportPath);

  ports.setOutput(OUTPUT_NAMES.parityMatrix, matrixJson(parity?.cells ?? []));
  ports.setOutput(OUTPUT_NAMES.parityNeeded, String((parity?.cells.length ?? 0) > 0));
  const commentId = await publish(ctx, input, body, reportPath, decision, changes);
  return { report, comparison, decision, changes, body, ...(commentId !== undefined ? { commentId } : {}), ...(parity ? { parity } : {}) };
}

/** Uploads the JSON report for the report job. A failure is a warning: the report job then says so. */
async function uploadReport(ctx: CheckModeContext, reportPath: string): Promise<void> {
  const store = ctx.parity?.artifacts;
  if (!store) return;
  const name = reportArtifactName(ctx.inputs.commentKey);
  const dir = mkdtempSync(join(ctx.tempDir, 'edgegate-report-'));
  try {
    copyFileSync(reportPath, join(dir, REPORT_ARTIFACT_FILE));
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
