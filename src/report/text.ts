/**
 * The `--format text` rendering for a person at a terminal. Pure: report (and the gate decision, when the
 * caller has one) in, string out; it shows verdicts and never decides.
 *
 * Layout: a table of verdicts (one row per model × device), then per model its facts and per device a
 * line with the verdict and, for anything but a pass, the reason on the same line; then one summary
 * line. No line is longer than TEXT_WIDTH: long details wrap, long names are shortened in the middle.
 */
import { assumptionTexts } from './assumed.js';
import type { GateDecision } from '../gate/types.js';
import { humanBytes, humanMs, humanPercent, plural, sig3, describeBudget } from './humane.js';
import type { DeviceReport, ModelReport, NodePlacementReport, Report } from './types.js';

/** Longest line the text output prints. */
export const TEXT_WIDTH = 100;

/** Shortens `s` to `max` characters with an ellipsis in the middle (paths keep their file name). */
export function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  const tail = Math.ceil((max - 1) / 2);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
}

/**
 * Wraps `text` at spaces so that every line, `first` prefix or `rest` indent included, fits in `width`;
 * a word longer than a line is shortened.
 */
export function wrap(text: string, first: string, rest: string, width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  // A number and its unit stay on one line ("0.726 ms").
  const words = text.replace(/\s+/g, ' ').trim().replace(/(\d) (?=(ms|µs|s|B|KiB|MiB|GiB|TiB|k|M|G)\b)/g, '$1\u00a0').split(' ');
  for (const raw of words.map((w) => w.replace(/\u00a0/g, ' '))) {
    if (empty) {
      line = first + shorten(raw, width - first.length);
      empty = false;
    } else if (line.length + 1 + raw.length <= width) {
      line = `${line} ${raw}`;
    } else {
      lines.push(line);
      line = rest + shorten(raw, width - rest.length);
    }
  }
  lines.push(line);
  return lines;
}

/** 1234567 → "1.23 M"; null → "?". */
export function human(n: number | null | undefined, unit = ''): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  const [div, suffix] = abs >= 1e9 ? [1e9, ' G'] : abs >= 1e6 ? [1e6, ' M'] : abs >= 1e3 ? [1e3, ' k'] : [1, ''];
  return `${sig3(n / div)}${suffix}${unit ? `${suffix ? '' : ' '}${unit}` : ''}`;
}

function bytesOrUnknown(n: number | null | undefined): string {
  return n === null || n === undefined ? '?' : humanBytes(n);
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** Groups non-accelerated nodes by placement and reason, for the per-device listing. */
export function groupByReason(nodes: readonly NodePlacementReport[]): Map<string, NodePlacementReport[]> {
  const groups = new Map<string, NodePlacementReport[]>();
  for (const n of nodes) {
    if (n.placement === 'accelerated') continue;
    const key = `${n.placement} ${n.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return groups;
}

/** The verdict word of a device: the gate's when a decision is given, else the profile's. */
function verdictWord(d: DeviceReport, model: string, decision: GateDecision | undefined): string {
  const at = (list: GateDecision['blocking']): boolean => list.some((f) => f.model === model && f.device === d.device);
  if (d.verdict === 'error' || (decision && at(decision.errors))) return 'ERROR';
  if (decision && at(decision.blocking)) return 'BLOCKS';
  if (decision && at(decision.accepted)) return 'ACCEPTED';
  return d.verdict.toUpperCase();
}

/** Why a device is not a plain pass: the profile's own reason, failed budgets, unsupported nodes. */
function reasonsOf(d: DeviceReport): string[] {
  const out: string[] = [];
  const why = typeof d['verdictReason'] === 'string' ? d['verdictReason'] : '';
  if ((d.verdict === 'fail' || d.verdict === 'warn') && why) out.push(why);
  for (const b of d.budgets ?? []) if (b.verdict === 'fail') out.push(`budget: ${describeBudget(b)}`);
  const unsupported = d.nodes.filter((n) => n.placement === 'unsupported').length;
  if (unsupported > 0 && !why) out.push(`${plural(unsupported, 'unsupported node')}`);
  if (d.verdict === 'error') out.push('the check could not complete');
  return out;
}

function verdictTable(report: Report, decision: GateDecision | undefined): string[] {
  const rows: string[][] = [['model', 'device', 'verdict', 'est. latency', 'off accelerator']];
  for (const m of report.models) {
    const path = shorten(m.path, 36);
    if (m.devices.length === 0) rows.push([path, '-', m.errors.length > 0 ? 'ERROR' : 'NOT CHECKED', '', m.errors[0]?.code ?? 'no device']);
    m.devices.forEach((d, i) => {
      const off = d.nodes.filter((n) => n.placement !== 'accelerated').length;
      rows.push([i === 0 ? path : '', shorten(d.device, 24), verdictWord(d, m.path, decision), d.latencyMs ? humanMs(d.latencyMs.estimate) : '?', off === 0 ? 'none' : `${off} of ${d.nodesTotal}`]);
    });
  }
  return table(rows);
}

function modelFacts(m: ModelReport): string {
  const folded = typeof m['nodesAfterFolding'] === 'number' && m['nodesAfterFolding'] !== m.nodes ? ` (${m['nodesAfterFolding']} after folding)` : '';
  return [
    `${m.nodes ?? '?'} nodes${folded}`,
    `${human(m.params)} params`,
    `${human(m.macs)} MACs`,
    `weights ${bytesOrUnknown(m.weightBytes)}`,
    `peak activations ${bytesOrUnknown(m.peakActivationBytes)}`,
  ].join(', ');
}

function nodeLabel(n: NodePlacementReport): string {
  return `#${n.index} ${n.op}${n.name ? ` '${n.name}'` : ''}`;
}

function deviceFacts(d: DeviceReport): string {
  const macs = d.macsAcceleratedFraction === null ? '' : ` (${humanPercent(d.macsAcceleratedFraction)} of MACs)`;
  const parts = [`${d.nodesAccelerated} of ${plural(d.nodesTotal, 'node')} on the accelerator${macs}`, plural(d.partitions, 'partition')];
  if (d.latencyMs) parts.push(`est. ${humanMs(d.latencyMs.estimate)} (${humanMs(d.latencyMs.low)} to ${humanMs(d.latencyMs.high)})`);
  parts.push(`peak RAM ${bytesOrUnknown(d.peakRamBytes)}`, `flash ${bytesOrUnknown(d.flashBytes)}`);
  return parts.join(', ');
}

function assumptions(d: DeviceReport): string[] {
  return assumptionTexts(d);
}

function renderDevice(d: DeviceReport, model: string, modelNodes: number | null, decision: GateDecision | undefined): string[] {
  const word = verdictWord(d, model, decision);
  const reasons = reasonsOf(d);
  const lines = wrap(reasons.length > 0 ? `${word}: ${reasons.join('; ')}` : word, `  ${d.device}: `, '      ');
  lines.push(...wrap(deviceFacts(d), '    ', '      '));
  // How nodes were counted matters only when the device counts other nodes than the model has.
  const basis = typeof d['countBasis'] === 'string' && d.nodesTotal !== modelNodes ? d['countBasis'] : '';
  if (basis) lines.push(...wrap(`counted: ${basis}`, '    ', '      '));
  const q = d.quantization as { message?: unknown; accepted?: unknown };
  if (typeof q.message === 'string' && q.message && q.accepted === false) lines.push(...wrap(`quantization: ${q.message}`, '    ', '      '));
  for (const b of d.budgets ?? []) if (b.verdict !== 'fail' && !(b.source ?? '').startsWith('profile ')) lines.push(...wrap(`budget ${b.verdict}: ${describeBudget(b)}`, '    ', '      '));
  for (const [key, nodes] of groupByReason(d.nodes)) {
    const shown = nodes.slice(0, 4).map(nodeLabel).join(', ');
    lines.push(...wrap(`${key} (${nodes.length}): ${shown}${nodes.length > 4 ? `, and ${nodes.length - 4} more` : ''}`, '    ', '      '));
    const hint = nodes.find((n) => n.hint)?.hint;
    if (hint) lines.push(...wrap(`hint: ${hint}`, '      ', '        '));
  }
  const whatIf = (Array.isArray(d['whatIf']) ? d['whatIf'] : []) as { index: number; name: string; op: string; savingMs: number; savingFraction: number }[];
  const best = [...whatIf].sort((a, b) => b.savingMs - a.savingMs)[0];
  if (best) lines.push(...wrap(`biggest win: #${best.index} ${best.op} on the accelerator saves about ${humanMs(best.savingMs)} (${humanPercent(best.savingFraction)})`, '    ', '      '));
  const a = assumptions(d);
  if (a.length > 0) lines.push(...wrap(`assumed: ${a.join('; ')}`, '    ', '      '));
  return lines;
}

function renderModel(m: ModelReport, decision: GateDecision | undefined): string[] {
  const lines = [shorten(m.path, TEXT_WIDTH)];
  for (const e of m.errors) lines.push(...wrap(`ERROR [${e.code}] ${e.message}`, '  ', '    '));
  if (m.errors.length > 0) return lines;
  lines.push(...wrap(modelFacts(m), '  ', '    '));
  const note = (m['folding'] as { note?: unknown } | undefined)?.note;
  if (typeof note === 'string' && note) lines.push(...wrap(`note: ${note}`, '  ', '    '));
  if (m.unknownReason) lines.push(...wrap(`note: ${m.unknownReason}`, '  ', '    '));
  for (const d of m.devices) lines.push(...renderDevice(d, m.path, m.nodes, decision));
  return lines;
}

/** The last line: counts of verdicts and, with a decision, the gate's. */
function summaryLine(report: Report, decision: GateDecision | undefined): string {
  const counts = new Map<string, number>();
  let cells = 0;
  for (const m of report.models) {
    for (const d of m.devices) {
      cells++;
      const w = verdictWord(d, m.path, decision).toLowerCase();
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const errors = report.errors.length;
  const tally = ['blocks', 'error', 'fail', 'warn', 'accepted', 'pass'].filter((w) => counts.has(w)).map((w) => `${counts.get(w)} ${w}`);
  const scope = `${plural(report.models.length, 'model')}, ${plural(cells, 'model × device check')}`;
  const gate = decision ? `gate ${decision.verdict.toUpperCase()}${decision.blocking.length > 0 ? ` (${plural(decision.blocking.length, 'blocking reason')})` : ''}: ` : '';
  const line = `${gate}${scope}${tally.length > 0 ? `: ${tally.join(', ')}` : ''}${errors > 0 ? `; ${plural(errors, 'error')}` : ''}`;
  return shorten(line, TEXT_WIDTH);
}

/** Renders the whole report for a terminal; `decision` (the gate's) adds gate verdicts and the gate line. */
export function renderText(report: Report, decision?: GateDecision): string {
  const out: string[] = [];
  if (report.models.some((m) => m.devices.length > 0 || m.errors.length > 0)) out.push(...verdictTable(report, decision), '');
  for (const m of report.models) out.push(...renderModel(m, decision), '');
  const modelFiles = new Set(report.models.map((m) => m.path));
  for (const e of report.errors.filter((x) => !modelFiles.has(x.file))) {
    out.push(...wrap(`ERROR [${e.code}] ${e.message}${e.fieldPath ? ` (at ${e.fieldPath})` : ''}`, '', '  '));
  }
  if (report.errors.some((e) => !modelFiles.has(e.file))) out.push('');
  out.push(summaryLine(report, decision));
  return `${out.join('\n')}\n`;
}
