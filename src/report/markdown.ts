/**
 * The markdown renderer for the sticky PR comment, the job summary and `edgegate check --format markdown`.
 * Pure: a report (plus optional comparison and gate decision) in, a string out. Every user-controlled
 * string goes through escape.ts.
 */
import { markdownTable } from 'markdown-table';
import type { DeviceReport, ModelReport, NodePlacementReport, Report } from './types.js';
import { DEFAULT_GATE_OPTIONS, type Comparison, type DeviceComparison, type Finding, type GateDecision, type GateOptions, type MetricDelta, type ModelChange, type NodeRef } from '../gate/types.js';
import { acceleratedFraction } from '../gate/compare.js';
import { decide, formatBytes, formatMs, formatRatio } from '../gate/decide.js';
import { code, escapeCell, escapeMarkdown, mermaidLabel } from './escape.js';

/** GitHub rejects comment bodies over 65,536 characters (422). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Default cap for comments: under the limit, with room for GitHub's own counting of astral characters. */
export const DEFAULT_COMMENT_MAX = 65_000;
/** GitHub drops step summaries over 1 MiB; keep below in bytes. */
export const SUMMARY_MAX_BYTES = 1_000_000;

/** A section another stage renders (the parity issue adds one); `markdown` must already be escaped. */
export interface ExtraSection {
  readonly title: string;
  readonly markdown: string;
}

/** What the renderer shows. Only `report` is required (the CLI passes no comparison or decision). */
export interface RenderInput {
  readonly report: Report;
  readonly comparison?: Comparison;
  readonly decision?: GateDecision;
  /** Deleted models (not in the report) and renamed ones, from the PR diff. */
  readonly changes?: readonly ModelChange[];
  /** Distinguishes several EdgeGate comments on one PR; part of the hidden marker. */
  readonly commentKey?: string;
  readonly extraSections?: readonly ExtraSection[];
  /** Plain-text remarks shown under the headline (escaped here), e.g. why every model was checked. */
  readonly notes?: readonly string[];
}

export interface RenderOptions {
  /** Cap on the returned length in UTF-16 code units; default DEFAULT_COMMENT_MAX. Infinity for no cap. */
  readonly maxLength?: number;
  /** Link to the run page that holds the job summary, for the truncation note. */
  readonly summaryUrl?: string;
  /** Layers in the per-layer latency chart; default 10. */
  readonly topLayers?: number;
}

/** The hidden marker that finds the sticky comment again. */
export function commentMarker(key = ''): string {
  return `<!-- edgegate:sticky-comment key=${JSON.stringify(key)} -->`;
}

const STATUS_EMOJI = { pass: '✅', warn: '⚠️', fail: '❌', error: '💥', accepted: '🟡', new: '🆕' } as const;

interface RowState {
  readonly emoji: string;
  readonly findings: readonly Finding[];
}

function findingsFor(d: GateDecision | undefined, model: string, device?: string): Finding[] {
  if (!d) return [];
  const all = [...d.errors, ...d.blocking, ...d.accepted, ...d.notices];
  return all.filter((f) => f.model === model && (device === undefined || f.device === device));
}

function rowState(decision: GateDecision | undefined, model: ModelReport, dev: DeviceReport): RowState {
  const fs = findingsFor(decision, model.path, dev.device);
  if (dev.verdict === 'error' || fs.some((f) => f.condition === 'error')) return { emoji: STATUS_EMOJI.error, findings: fs };
  if (decision?.blocking.some((f) => f.model === model.path && f.device === dev.device)) return { emoji: STATUS_EMOJI.fail, findings: fs };
  if (decision?.accepted.some((f) => f.model === model.path && f.device === dev.device)) return { emoji: STATUS_EMOJI.accepted, findings: fs };
  if (dev.verdict === 'fail' || dev.verdict === 'warn' || fs.length > 0) return { emoji: STATUS_EMOJI.warn, findings: fs };
  return { emoji: STATUS_EMOJI.pass, findings: fs };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x >= 0.995 || x <= 0.005 ? 0 : 1)}%`;
}

function deltaSuffix(d: MetricDelta | undefined, status: DeviceComparison['status'] | undefined): string {
  if (status === 'new') return ' (new)';
  if (status === 'new-device' || !d || d.ratio === null) return '';
  if (d.delta === 0) return ' (±0%)';
  const arrow = d.ratio > 0 ? '🔺' : '🔽';
  return ` (${arrow}${formatRatio(d.ratio)})`;
}

function budgetOf(dev: DeviceReport, re: RegExp): string {
  const b = (dev.budgets ?? []).find((x) => re.test(x.name));
  if (!b) return '';
  const lim = b.unit === 'bytes' || b.unit === 'B' ? formatBytes(b.limit) : `${b.limit} ${b.unit}`;
  const mark = b.verdict === 'fail' ? ' ❌' : b.verdict === 'waived' ? ' (waived)' : b.verdict === 'unknown' ? ' (?)' : '';
  return ` / ${escapeCell(lim)}${mark}`;
}

function compOf(cmp: Comparison | undefined, model: string, device: string): DeviceComparison | undefined {
  return cmp?.models.find((m) => m.path === model)?.devices.find((d) => d.device === device);
}

function summaryTable(input: RenderInput): string {
  const rows: string[][] = [['', 'Model', 'Device', 'Unsupported / fallback', 'Accelerated', 'Est. latency (Δ vs base)', 'Peak RAM / budget', 'Flash / budget']];
  for (const m of input.report.models) {
    if (m.devices.length === 0) {
      const err = m.errors.length > 0 ? STATUS_EMOJI.error : STATUS_EMOJI.warn;
      const what = m.errors.length > 0 ? `error: ${m.errors[0]!.code}` : 'no device checked';
      rows.push([err, code(m.path), '—', escapeCell(what), '', '', '', '']);
      continue;
    }
    for (const d of m.devices) {
      const st = rowState(input.decision, m, d);
      const c = compOf(input.comparison, m.path, d.device);
      const unsup = d.nodes.filter((n) => n.placement === 'unsupported').length;
      const fb = d.nodes.filter((n) => n.placement === 'cpu-fallback').length;
      const newCount = c?.newUnsupported.length ?? 0;
      const af = acceleratedFraction(d);
      const afDelta = c?.status === 'compared' && c.acceleratedFraction.delta !== null && c.acceleratedFraction.delta !== 0
        ? ` (${c.acceleratedFraction.delta > 0 ? '+' : ''}${(c.acceleratedFraction.delta * 100).toFixed(1)} pp)`
        : '';
      const lat = d.latencyMs ? `${formatMs(d.latencyMs.estimate)}${deltaSuffix(c?.latencyMs, c?.status)}` : '?';
      const ram = d.peakRamBytes != null ? `${formatBytes(d.peakRamBytes)}${deltaSuffix(c?.peakRamBytes, c?.status === 'new' ? undefined : c?.status)}` : '?';
      const flash = d.flashBytes != null ? `${formatBytes(d.flashBytes)}${deltaSuffix(c?.flashBytes, c?.status === 'new' ? undefined : c?.status)}` : '?';
      rows.push([
        st.emoji,
        code(m.path),
        code(d.device),
        `${unsup} / ${fb}${newCount > 0 ? ` (+${newCount} new)` : ''}`,
        af === null ? '?' : `${pct(af)}${afDelta}`,
        escapeCell(lat),
        `${escapeCell(ram)}${budgetOf(d, /ram|memory/i)}`,
        `${escapeCell(flash)}${budgetOf(d, /flash|storage/i)}`,
      ]);
    }
  }
  return markdownTable(rows, { alignDelimiters: false, align: ['c', 'l', 'l', 'r', 'r', 'r', 'r', 'r'] });
}

function headline(input: RenderInput): string {
  const d = input.decision;
  const n = input.report.models.length;
  const devs = new Set(input.report.models.flatMap((m) => m.devices.map((x) => x.device))).size;
  const scope = `${n} model${n === 1 ? '' : 's'} × ${devs} device${devs === 1 ? '' : 's'}`;
  if (!d) return `## EdgeGate report: ${scope}`;
  switch (d.verdict) {
    case 'pass':
      return `## ${STATUS_EMOJI.pass} EdgeGate passed: ${scope}`;
    case 'fail':
      return `## ${STATUS_EMOJI.fail} EdgeGate blocks the merge: ${d.blocking.length} reason${d.blocking.length === 1 ? '' : 's'} (${scope})`;
    case 'error':
      return `## ${STATUS_EMOJI.error} EdgeGate could not check everything: ${d.errors.length} error${d.errors.length === 1 ? '' : 's'} (${scope})`;
    case 'not-run':
      return '## ⏭️ EdgeGate: no model to check';
  }
}

function findingLine(f: Finding): string {
  const where = [f.model ? code(f.model) : '', f.device ? `on ${code(f.device)}` : ''].filter(Boolean).join(' ');
  const acc = f.accepted ? ` — accepted by ${f.accepted.by}: ${escapeMarkdown(f.accepted.reason)}` : '';
  return `- ${where ? `${where}: ` : ''}${escapeMarkdown(f.message)}${acc}`;
}

function findingsSection(input: RenderInput): string {
  const d = input.decision;
  const out: string[] = [];
  if (d) {
    if (d.blocking.length > 0) out.push('**Blocking**', '', ...d.blocking.map(findingLine), '');
    if (d.errors.length > 0) out.push('**Errors** (the check did not complete; not a gate failure)', '', ...d.errors.map((f) => `- ${escapeMarkdown(f.message)} (${code(f.code)})`), '');
    if (d.accepted.length > 0) out.push('**Accepted regressions**', '', ...d.accepted.map(findingLine), '');
    if (d.notices.length > 0) out.push('**Not gated** (not in `fail-on`)', '', ...d.notices.map(findingLine), '');
    if (d.remarks.length > 0) out.push('**Remarks**', '', ...d.remarks.map((r) => `- ${escapeMarkdown(r)}`), '');
  } else {
    const errs = [...input.report.errors.map((e) => `${e.file}: ${e.message} (${e.code})`), ...input.report.models.flatMap((m) => m.errors.map((e) => `${m.path}: ${e.message} (${e.code})`))];
    if (errs.length > 0) out.push('**Errors**', '', ...errs.map((e) => `- ${escapeMarkdown(e)}`), '');
  }
  const moved = (input.changes ?? []).filter((c) => c.kind === 'deleted' || c.kind === 'renamed');
  if (moved.length > 0) {
    out.push('**Renamed and deleted models**', '');
    for (const c of moved) out.push(c.kind === 'deleted' ? `- ${code(c.path)}: deleted` : `- ${code(c.oldPath ?? '?')} → ${code(c.path)}: renamed`);
    out.push('');
  }
  return out.join('\n').trim();
}

interface WhatIf {
  readonly index?: number;
  readonly name: string;
  readonly op: string;
  readonly reason?: string;
  readonly savingMs: number;
  readonly savingFraction?: number;
  readonly hint?: string;
}

// The cost model adds what-if savings to DeviceReport as an extra field; read it defensively.
function whatIfOf(d: DeviceReport): WhatIf[] {
  const raw = (d as Record<string, unknown>).whatIf ?? (d as Record<string, unknown>).whatIfSavings;
  if (!Array.isArray(raw)) return [];
  const out: WhatIf[] = [];
  for (const x of raw) {
    if (typeof x !== 'object' || x === null) continue;
    const r = x as Record<string, unknown>;
    const saving = [r.savingMs, r.savingsMs, r.saveMs].find((v) => typeof v === 'number') as number | undefined;
    if (saving === undefined) continue;
    out.push({
      ...(typeof r.index === 'number' ? { index: r.index } : {}),
      name: typeof r.name === 'string' ? r.name : typeof r.node === 'string' ? r.node : '',
      op: typeof r.op === 'string' ? r.op : '',
      ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
      savingMs: saving,
      ...(typeof r.savingFraction === 'number' ? { savingFraction: r.savingFraction } : {}),
      hint: typeof r.hint === 'string' ? r.hint : undefined,
    });
  }
  return out;
}

function nodeLabel(n: { name: string; index?: number }): string {
  return n.name !== '' ? n.name : `(node ${n.index ?? '?'})`;
}

function unsupportedByReason(d: DeviceReport): string {
  const off = d.nodes.filter((n) => n.placement === 'unsupported' || n.placement === 'cpu-fallback' || n.placement === 'unknown');
  if (off.length === 0) return 'No node is unsupported or falls back to the CPU.';
  const groups = new Map<string, NodePlacementReport[]>();
  for (const n of off) {
    const k = `${n.placement}\u0000${n.reason}`;
    const g = groups.get(k);
    if (g) g.push(n);
    else groups.set(k, [n]);
  }
  const rows: string[][] = [['Placement', 'Reason', 'Nodes', 'Ops', 'Examples', 'Hint']];
  for (const [k, ns] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const [placement, reason] = k.split('\u0000') as [string, string];
    const ops = [...new Set(ns.map((n) => n.op))];
    const hint = ns.find((n) => n.hint)?.hint ?? '';
    const examples = ns.slice(0, 3).map((n) => code(nodeLabel(n))).join(', ') + (ns.length > 3 ? ` +${ns.length - 3}` : '');
    rows.push([escapeCell(placement), code(reason), String(ns.length), escapeCell(ops.join(', ')), examples, escapeCell(hint)]);
  }
  return markdownTable(rows, { alignDelimiters: false });
}

function whatIfSection(d: DeviceReport): string {
  const w = whatIfOf(d);
  if (w.length === 0) return '';
  const rows: string[][] = [['Node', 'Op', 'Why on CPU', 'Saving if accelerated', 'Hint']];
  for (const x of w.sort((a, b) => b.savingMs - a.savingMs).slice(0, 10)) {
    const share = x.savingFraction !== undefined ? ` (${pct(x.savingFraction)})` : '';
    rows.push([code(nodeLabel(x)), escapeCell(x.op), x.reason ? code(x.reason) : '', escapeCell(`${formatMs(x.savingMs)}${share}`), escapeCell(x.hint ?? '')]);
  }
  return `What-if savings:\n\n${markdownTable(rows, { alignDelimiters: false })}`;
}

function layerChart(d: DeviceReport, top: number): string {
  const timed = d.nodes.filter((n) => typeof n.latencyMs === 'number' && Number.isFinite(n.latencyMs) && (n.latencyMs as number) > 0);
  if (timed.length === 0) return '';
  const total = timed.reduce((s, n) => s + (n.latencyMs as number), 0);
  const topNodes = [...timed].sort((a, b) => (b.latencyMs as number) - (a.latencyMs as number) || a.index - b.index).slice(0, top);
  const labels = topNodes.map((n) => mermaidLabel(`${n.index} ${n.op}`));
  const values = topNodes.map((n) => Number((n.latencyMs as number).toPrecision(3)));
  const chart = [
    '```mermaid',
    'xychart-beta',
    `  title "Top ${topNodes.length} layers by estimated latency"`,
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "ms"',
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
  // Share of the summed node times; the model estimate also counts partition transfers and overheads.
  const rows: string[][] = [['#', 'Node', 'Op', 'Unit', 'Est. latency', 'Share of node time']];
  for (const n of topNodes) {
    rows.push([String(n.index), code(nodeLabel(n)), escapeCell(n.op), escapeCell(n.unit ?? n.placement), escapeCell(formatMs(n.latencyMs as number)), pct((n.latencyMs as number) / total)]);
  }
  // The table is the fallback for clients that do not render Mermaid (mail, mobile, API readers).
  return `Per-layer latency (top ${topNodes.length} of ${timed.length}):\n\n${chart}\n\n${markdownTable(rows, { alignDelimiters: false, align: ['r', 'l', 'l', 'l', 'r', 'r'] })}`;
}

function modelDetails(input: RenderInput, m: ModelReport, top: number): string {
  const parts: string[] = [];
  const change = input.comparison?.models.find((x) => x.path === m.path)?.change ?? input.changes?.find((c) => c.path === m.path);
  const tag = change?.kind === 'added' ? ' (new)' : change?.kind === 'renamed' ? ` (renamed from ${escapeMarkdown(change.oldPath ?? '?')})` : '';
  parts.push(`<details><summary>${escapeMarkdown(m.path)}${tag}: ${m.devices.length} device${m.devices.length === 1 ? '' : 's'}</summary>`, '');
  for (const e of m.errors) parts.push(`- 💥 ${escapeMarkdown(e.message)} (${code(e.code)})`);
  if (m.errors.length > 0) parts.push('');
  for (const d of m.devices) {
    parts.push(`#### ${escapeMarkdown(d.device)}`, '');
    const c = compOf(input.comparison, m.path, d.device);
    if (c && c.status === 'compared' && (c.newUnsupported.length > 0 || c.removedUnsupported.length > 0)) {
      const list = (ns: readonly NodeRef[]): string => ns.slice(0, 10).map((n) => `${code(nodeLabel(n))} (${escapeMarkdown(n.op)})`).join(', ') + (ns.length > 10 ? ` +${ns.length - 10} more` : '');
      if (c.newUnsupported.length > 0) parts.push(`- Newly off the accelerator: ${list(c.newUnsupported)}`);
      if (c.removedUnsupported.length > 0) parts.push(`- Now accelerated (were not): ${list(c.removedUnsupported)}`);
      parts.push('');
    }
    if (d.latencyMs) parts.push(`Estimated latency ${escapeMarkdown(formatMs(d.latencyMs.estimate))} (range ${escapeMarkdown(formatMs(d.latencyMs.low))} – ${escapeMarkdown(formatMs(d.latencyMs.high))}).`, '');
    parts.push(unsupportedByReason(d), '');
    const wi = whatIfSection(d);
    if (wi) parts.push(wi, '');
    const chart = layerChart(d, top);
    if (chart) parts.push(chart, '');
  }
  parts.push('</details>');
  return parts.join('\n');
}

function truncationNote(omitted: number, url: string | undefined): string {
  const where = url ? `[the job summary](${url})` : 'the job summary of this run';
  return `> [!NOTE]\n> This comment was shortened to stay under GitHub's 65,536-character limit (${omitted} section${omitted === 1 ? '' : 's'} left out). The full report is in ${where}.`;
}

/**
 * Renders the comment body (or the job summary, with `maxLength: Infinity`). Starts with the hidden
 * marker, so the CLI's `--format markdown` output is exactly what the action posts.
 */
export function renderMarkdown(input: RenderInput, options: RenderOptions = {}): string {
  const max = options.maxLength ?? DEFAULT_COMMENT_MAX;
  const top = options.topLayers ?? 10;
  const head = [commentMarker(input.commentKey), headline(input)];
  const base = input.comparison?.baseSha ? `Compared with base ${code(input.comparison.baseSha.slice(0, 12))}.` : '';
  if (base) head.push('', base);
  for (const n of input.notes ?? []) head.push('', escapeMarkdown(n));
  const table = input.report.models.length > 0 ? summaryTable(input) : '';
  const findings = findingsSection(input);
  const details = input.report.models.map((m) => modelDetails(input, m, top));
  const extras = (input.extraSections ?? []).map((s) => `### ${escapeMarkdown(s.title)}\n\n${s.markdown}`);
  const footer = `<sub>${escapeMarkdown(input.report.tool.name)} ${escapeMarkdown(input.report.tool.version)}</sub>`;

  const fixed = [head.join('\n'), table, findings].filter((s) => s.length > 0);
  const optional = [...extras, ...details];
  const join = (parts: string[]): string => `${parts.join('\n\n')}\n`;
  const full = join([...fixed, ...optional, footer]);
  if (full.length <= max) return full;

  // Keep the headline, table and reasons; add optional sections while they fit, then the note.
  const kept: string[] = [];
  let omitted = 0;
  const reserve = truncationNote(optional.length, options.summaryUrl).length + footer.length + 8;
  let used = join(fixed).length;
  for (const s of optional) {
    if (used + s.length + 2 + reserve <= max) {
      kept.push(s);
      used += s.length + 2;
    } else omitted++;
  }
  const body = join([...fixed, ...kept, truncationNote(Math.max(omitted, 1), options.summaryUrl), footer]);
  if (body.length <= max) return body;
  // The table alone is too long (hundreds of models): cut at a line boundary.
  const note = truncationNote(optional.length + 1, options.summaryUrl);
  const room = max - note.length - footer.length - 8;
  const cut = body.slice(0, Math.max(0, room));
  const atLine = cut.lastIndexOf('\n');
  return join([cut.slice(0, atLine > 0 ? atLine : cut.length), note, footer]);
}

/**
 * The job summary: the full report, capped at SUMMARY_MAX_BYTES (GitHub drops larger summaries),
 * pointing to the JSON report when cut.
 */
export function renderSummary(input: RenderInput, reportPath?: string): string {
  const full = renderMarkdown(input, { maxLength: Infinity });
  if (Buffer.byteLength(full, 'utf8') <= SUMMARY_MAX_BYTES) return full;
  const note = `\n\n> [!NOTE]\n> The summary was cut at 1 MB. The full report is the JSON file${reportPath ? ` ${code(reportPath)}` : ''} (the \`report\` output).\n`;
  let cut = full.slice(0, SUMMARY_MAX_BYTES - 4_000);
  while (Buffer.byteLength(cut, 'utf8') > SUMMARY_MAX_BYTES - 4_000) cut = cut.slice(0, cut.length - 10_000);
  return `${cut.slice(0, cut.lastIndexOf('\n'))}${note}`;
}

/**
 * The comment for a report alone, as the CLI prints it (`edgegate check --format markdown`): the gate
 * is decided with `gate` (default: the action's defaults), with no baseline.
 */
export function renderComment(report: Report, options: { readonly gate?: GateOptions; readonly commentKey?: string } & RenderOptions = {}): string {
  const decision = decide(report, undefined, options.gate ?? DEFAULT_GATE_OPTIONS);
  return renderMarkdown({ report, decision, commentKey: options.commentKey }, options);
}
