/**
 * The one pipeline of the CLI and the action: gather (runCheck on head, checkBaseVersions on base) →
 * decide (compare + gate: a CheckRun) → render (pure functions of the CheckRun: text, markdown comment,
 * job summary, JSON) → post (the adapters: CLI stdout and exit code; the action's comment, summary and
 * outputs). Nothing after `decideRun` decides again.
 */
import { compareReports } from './gate/compare.js';
import { decide } from './gate/decide.js';
import type { Finding, GateOptions, ModelChange } from './gate/types.js';
import type { CheckRun, Report } from './report/contract.js';

export type { CheckRun };

/** What gather hands to decide: the head report (with the run's own errors) and the base, when there is one. */
export interface Gathered {
  readonly report: Report;
  /** Present when there is a base to compare against (pull requests, `edgegate check --base`). */
  readonly base?: {
    readonly sha: string;
    /** The base versions' report; undefined when none could be checked (then nothing is `compared`). */
    readonly report: Report | undefined;
    readonly changes: readonly ModelChange[];
  };
}

/**
 * The decide stage: compares head with base (when given) and makes the gate decision, once. The report
 * carries the decision's verdict and, with a base, the model changes, so the JSON rendering is complete.
 */
export function decideRun(gathered: Gathered, options: GateOptions, extra: readonly Finding[] = []): CheckRun {
  const { base } = gathered;
  const comparison = base ? compareReports(gathered.report, base.report, base.changes, base.sha) : undefined;
  const decision = decide(gathered.report, comparison, options, extra);
  const report: Report = { ...gathered.report, ...(base ? { changes: [...base.changes] } : {}) };
  return { report, ...(comparison ? { comparison } : {}), decision };
}

/** Exit code of the CLI for a run: 2 for input errors (they win), 1 when the gate failed, else 0. */
export function exitCodeOf(run: CheckRun): 0 | 1 | 2 {
  if (run.decision.errors.length > 0) return 2;
  return run.decision.failed ? 1 : 0;
}

/** The JSON rendering (the CLI's `--format json` and the action's `report` file): the report with the decision. */
export function renderJson(run: CheckRun, indent = 2): string {
  return [...renderJsonChunks(run, indent)].join('');
}

/** Per-node entries serialized per chunk by {@link renderJsonChunks}. */
const NODES_PER_CHUNK = 2000;

/**
 * The JSON rendering in pieces, for writing to a file or a pipe as it is made: a report holds one entry
 * per node per device (100,000 nodes × 11 devices is over a million), and one string of it all would
 * need hundreds of MB (twice that if any text in it is not Latin-1). The document is the one
 * `JSON.stringify(doc, null, indent)` gives, except that each device's `nodes` entries are written one
 * per line, compactly.
 */
export function* renderJsonChunks(run: CheckRun, indent = 2): Generator<string> {
  const doc: Report = { ...run.report, verdict: run.decision.verdict, ...(run.comparison ? { baseline: run.comparison } : {}), gate: run.decision };
  const lists = new Map<unknown, number>();
  for (const m of run.report.models) for (const d of m.devices) if (d.nodes.length > 0) lists.set(d.nodes, lists.size);
  // Each device's node list is left out of the outer document as a placeholder string, written after it.
  const token = `edgegate-nodes-${Math.random().toString(36).slice(2)}-`;
  const outer = JSON.stringify(doc, (_key, value: unknown) => (lists.has(value) ? `${token}${lists.get(value)}` : value), indent);
  const byIndex = [...lists.keys()] as readonly unknown[][];
  const pattern = new RegExp(`"${token}(\\d+)"`, 'g');
  let from = 0;
  for (const match of outer.matchAll(pattern)) {
    const at = match.index;
    yield outer.slice(from, at);
    const lineStart = outer.lastIndexOf('\n', at) + 1;
    const pad = ' '.repeat(/^ */.exec(outer.slice(lineStart, at))![0].length);
    const list = byIndex[Number(match[1])]!;
    for (let k = 0; k < list.length; k += NODES_PER_CHUNK) {
      const lines = list.slice(k, k + NODES_PER_CHUNK).map((n) => `${pad}${' '.repeat(indent)}${JSON.stringify(n)}`);
      yield `${k === 0 ? '[\n' : ',\n'}${lines.join(',\n')}`;
    }
    yield `\n${pad}]`;
    from = at + match[0].length;
  }
  yield `${outer.slice(from)}\n`;
}
