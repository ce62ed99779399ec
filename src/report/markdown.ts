/**
 * The markdown renderer for the sticky PR comment, the job summary and `edgegate check --format markdown`.
 * Pure: the decide stage's output in, a string out; it shows the decision and never makes one. Every
 * user-controlled string goes through escape.ts.
 *
 * Layout, for a reviewer at GitHub's width (a comment box of about 780 px on a 1280 px page, checked
 * in a browser by __tests__/report/comment-render.test.ts): the decision and its blocking reasons first,
 * then one compact row per model × device, then per model the details, collapsed.
 */
import { assumptionTexts } from './assumed.js';
import { markdownTable } from 'markdown-table';
import type { BudgetReport, DeviceReport, ModelReport, NodePlacementReport, Report } from './types.js';
import { type Comparison, type DeviceComparison, type Finding, type GateDecision, type ModelChange, type NodeRef } from '../gate/types.js';
import { code, escapeCell, escapeMarkdown } from './escape.js';
import { describeBudget, humanBytes, humanChange, humanMs, humanPercent, plural } from './humane.js';

/** GitHub rejects comment bodies over 65,536 characters (422). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Default cap for comments: under the limit, with room for GitHub's own counting of astral characters. */
export const DEFAULT_COMMENT_MAX = 65_000;
/** GitHub drops step summaries over 1 MiB; keep below in bytes. */
export const SUMMARY_MAX_BYTES = 1_000_000;

/** A section another stage renders (the parity section); `markdown` must already be escaped. */
export interface ExtraSection {
  readonly title: string;
  readonly markdown: string;
}

/** What the renderer shows. Only `report` is required (the CLI passes no comparison or decision). */
export interface RenderInput {
  readonly report: Report;
  readonly comparison?: Comparison;
  /** The decide stage's decision: shown, never made here. */
  readonly decision: GateDecision;
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
  /** Layers in each device's latency table; default 3 (the job summary shows 10). */
  readonly topLayers?: number;
}

/** The hidden marker that finds the sticky comment again. */
export function commentMarker(key = ''): string {
  // The key is an action input: it must not end the HTML comment early ("-->") or open a tag.
  const quoted = JSON.stringify(key).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/-(?=-)/g, '\\u002d');
  return `<!-- edgegate:sticky-comment key=${quoted} -->`;
}

/** Blocking reasons listed under the headline before "and N more". */
const MAX_REASONS = 8;
/** Names up to this many characters fit any cell unbroken; longer ones get `<wbr>` break points. */
const BREAK_ABOVE = 24;
/** Op types named in the "off accelerator" cell. */
const MAX_OPS_IN_CELL = 2;

// ---------------------------------------------------------------------------------------------------------
// Small pieces

/**
 * A path or node name in `<code>` that may wrap after `/`, `.` and `_` (GitHub keeps `<wbr>`), so a long
 * name wraps at its separators instead of widening the table past the comment box.
 */
function breakable(text: string, above = BREAK_ABOVE): string {
  if (text.length <= above) return code(text);
  return `<code>${escapeCell(text).replace(/(\/|\.|&#95;)(?=.)/g, '$1<wbr>')}</code>`;
}

function nodeName(n: { readonly name: string; readonly index?: number }): string {
  return n.name !== '' ? n.name : `(node ${n.index ?? '?'})`;
}

function findingsAt(list: readonly Finding[] | undefined, model: string, device?: string): Finding[] {
  return (list ?? []).filter((f) => f.model === model && (device === undefined || f.device === device));
}

function modelChange(input: RenderInput, path: string): ModelChange | undefined {
  return input.comparison?.models.find((m) => m.path === path)?.change ?? input.changes?.find((c) => c.path === path);
}

function deviceComparison(input: RenderInput, model: string, device: string): DeviceComparison | undefined {
  return input.comparison?.models.find((m) => m.path === model)?.devices.find((d) => d.device === device);
}

/** Budgets worth a reader's attention: set by the config or a flag, or a profile default that did not pass. */
export function shownBudgets(d: DeviceReport): BudgetReport[] {
  return (d.budgets ?? []).filter((b) => !(b.source ?? '').startsWith('profile ') || b.verdict !== 'pass');
}

function budgetNamed(d: DeviceReport, name: string): BudgetReport | undefined {
  return shownBudgets(d).find((b) => b.name === name);
}

function budgetMark(b: BudgetReport): string {
  return b.verdict === 'fail' ? ' ❌' : b.verdict === 'waived' ? ' (waived)' : b.verdict === 'unknown' ? ' (?)' : '';
}

function offAccelerator(d: DeviceReport): NodePlacementReport[] {
  return d.nodes.filter((n) => n.placement !== 'accelerated');
}

/** Op types by how many nodes they have, most first. */
function opsByCount(nodes: readonly { readonly op: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op]) => op);
}

function opList(ops: readonly string[], max: number): string {
  const shown = ops.slice(0, max).map(escapeCell).join(', ');
  return ops.length > max ? `${shown} +${ops.length - max}` : shown;
}

// ---------------------------------------------------------------------------------------------------------
// Headline and reasons

function scopeLine(input: RenderInput): string {
  const n = input.report.models.length;
  const devs = new Set(input.report.models.flatMap((m) => m.devices.map((x) => x.device))).size;
  const parts = [`${plural(n, 'model')} × ${plural(devs, 'device')}`];
  if (input.comparison?.baseSha) parts.push(`compared with base ${code(input.comparison.baseSha.slice(0, 12))}`);
  else if (input.decision) parts.push('no base to compare with');
  return parts.join(' · ');
}

function headline(input: RenderInput): string {
  const d = input.decision;
  if (!d) return '### EdgeGate report';
  switch (d.verdict) {
    case 'pass':
      return '### ✅ EdgeGate passed';
    case 'fail':
      return `### ❌ EdgeGate blocks the merge: ${plural(d.blocking.length, 'reason')}`;
    case 'error':
      return `### 💥 EdgeGate could not check everything: ${plural(d.errors.length, 'error')}`;
    case 'not-run':
      return '### ⏭️ EdgeGate checked nothing';
  }
}

function where(f: Finding): string {
  const parts = [f.model ? breakable(f.model) : '', f.device ? `on ${code(f.device)}` : ''].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' ')}: ` : '';
}

function reasonLines(list: readonly Finding[], max: number, line: (f: Finding) => string): string[] {
  const out = list.slice(0, max).map(line);
  if (list.length > max) out.push(`- … and ${list.length - max} more (see the table and the details below)`);
  return out;
}

function findingLine(f: Finding): string {
  const acc = f.accepted ? ` — accepted (${f.accepted.by}): ${escapeMarkdown(f.accepted.reason)}` : '';
  return `- ${where(f)}${escapeMarkdown(f.message)}${acc}`;
}

/** Blocking reasons and errors: what a reviewer must read. */
function reasonsSection(input: RenderInput): string {
  const d = input.decision;
  const out: string[] = [];
  if (d) {
    if (d.blocking.length > 0) out.push(...reasonLines(d.blocking, MAX_REASONS, findingLine), '');
    if (d.errors.length > 0) {
      out.push(`**Could not check** (${d.failed && d.blocking.length === 0 ? 'fails the step: `error` is in fail-on' : 'not a gate failure'}):`, '');
      out.push(...reasonLines(d.errors, MAX_REASONS, (f) => `- ${escapeMarkdown(f.message)} (${code(f.code)})`), '');
    }
    if (d.accepted.length > 0) out.push('**Accepted**:', '', ...reasonLines(d.accepted, MAX_REASONS, findingLine), '');
  } else {
    const errs = [...input.report.errors.map((e) => `${e.file}: ${e.message} (${e.code})`), ...input.report.models.flatMap((m) => m.errors.map((e) => `${m.path}: ${e.message} (${e.code})`))];
    if (errs.length > 0) out.push('**Errors**:', '', ...errs.slice(0, MAX_REASONS).map((e) => `- ${escapeMarkdown(e)}`), '');
  }
  return out.join('\n').trim();
}

/** Findings outside fail-on and remarks: collapsed, they do not block. */
function notGatedSection(d: GateDecision | undefined): string {
  if (!d || d.notices.length + d.remarks.length === 0) return '';
  const out = [`<details><summary>Not gated: ${plural(d.notices.length + d.remarks.length, 'finding')} (their condition is not in <code>fail-on</code>)</summary>`, ''];
  out.push(...d.notices.map(findingLine), ...d.remarks.map((r) => `- ${escapeMarkdown(r)}`), '', '</details>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// The table: one row per model × device

type BudgetName = 'latency' | 'ram' | 'flash' | 'acceleratedFraction';

/**
 * Per budget kind: whether any row shows one, and the limit when every row that shows one has the
 * same (then the header carries it and the cells only mark a failure).
 */
interface BudgetColumn {
  readonly shown: boolean;
  readonly sharedLimit?: number;
}

type Columns = Readonly<Record<BudgetName, BudgetColumn>>;

function budgetColumn(devices: readonly DeviceReport[], name: BudgetName): BudgetColumn {
  const limits = new Set(devices.map((d) => budgetNamed(d, name)?.limit).filter((x): x is number => x !== undefined));
  if (limits.size === 0) return { shown: false };
  return limits.size === 1 ? { shown: true, sharedLimit: [...limits][0]! } : { shown: true };
}

function columnsFor(report: Report): Columns {
  const all = report.models.flatMap((m) => m.devices);
  return { latency: budgetColumn(all, 'latency'), ram: budgetColumn(all, 'ram'), flash: budgetColumn(all, 'flash'), acceleratedFraction: budgetColumn(all, 'acceleratedFraction') };
}

function headerWithLimit(title: string, col: BudgetColumn, limit: (v: number) => string): string {
  return col.sharedLimit === undefined ? escapeCell(title) : `${escapeCell(title)}<br>${nbUnit(limit(col.sharedLimit))}`;
}

/** No line break inside a verdict (`❌ blocks`). */
function nb(text: string): string {
  return escapeCell(text).replace(/ /g, '\u00a0');
}

/** No line break between a number and its unit (`0.320 ms`). */
function nbUnit(text: string): string {
  return escapeCell(text).replace(/(\d) (?=[A-Za-zµ%])/g, '$1\u00a0');
}

function headerRow(cols: Columns): string[] {
  const head = [
    'Model / device',
    'Verdict',
    headerWithLimit('Latency (Δ)', cols.latency, (v) => `max ${humanMs(v)}`),
    headerWithLimit('Off accelerator', cols.acceleratedFraction, (v) => `min ${humanPercent(v)} on`),
  ];
  if (cols.ram.shown) head.push(headerWithLimit('Peak RAM', cols.ram, (v) => `max ${humanBytes(v)}`));
  if (cols.flash.shown) head.push(headerWithLimit('Flash', cols.flash, (v) => `max ${humanBytes(v)}`));
  return head;
}

/** A budget's mark in a cell: the limit when the header does not carry it, and ❌ when it failed. */
function budgetSuffix(b: BudgetReport | undefined, col: BudgetColumn, limit: (v: number) => string): string {
  if (!b) return '';
  const own = col.sharedLimit === undefined ? ` / ${nbUnit(limit(b.limit))}` : '';
  return `${own}${budgetMark(b)}`;
}

/** The row's verdict as the decision has it (the renderer does not decide). */
function verdictCell(input: RenderInput, m: ModelReport, d: DeviceReport): string {
  const dec = input.decision;
  if (d.verdict === 'error' || findingsAt(dec?.errors, m.path, d.device).length > 0) return nb('💥 error');
  if (findingsAt(dec?.blocking, m.path, d.device).length > 0) return nb('❌ blocks');
  if (findingsAt(dec?.accepted, m.path, d.device).length > 0) return nb('🟡 accepted');
  if (d.verdict === 'fail') return nb(dec ? '⚠️ not gated' : '❌ fail');
  if (d.verdict === 'warn' || findingsAt(dec?.notices, m.path, d.device).length > 0) return nb('⚠️ warn');
  return nb('✅ pass');
}

function latencyCell(d: DeviceReport, c: DeviceComparison | undefined, cols: Columns): string {
  if (!d.latencyMs) return '?';
  const change = c?.status === 'compared' ? humanChange(c.latencyMs.ratio) : undefined;
  const budget = budgetSuffix(budgetNamed(d, 'latency'), cols.latency, humanMs);
  // With RAM or flash columns the table is tight: the change goes on its own line (it wraps there anyway),
  // so the cell does not claim width the id column needs.
  const gap = cols.ram.shown || cols.flash.shown ? '<br>' : ' ';
  return `${nbUnit(humanMs(d.latencyMs.estimate))}${budget}${change ? `${gap}(${escapeCell(change)})` : ''}`;
}

function offCell(d: DeviceReport, c: DeviceComparison | undefined, cols: Columns): string {
  const off = offAccelerator(d);
  const min = budgetNamed(d, 'acceleratedFraction');
  // "all N" off the accelerator already says 0 % accelerated; repeating it widens the column until ids wrap.
  const allOff = off.length > 0 && off.length === d.nodesTotal;
  const shareText = min?.verdict === 'fail' && min.value !== null && !allOff ? `; ${humanPercent(min.value)} accelerated` : '';
  const share = min ? `${shareText}${budgetSuffix(min, cols.acceleratedFraction, (v) => `min ${humanPercent(v)}`)}` : '';
  if (off.length === 0) return `none${share}`;
  const fresh = c?.status === 'compared' && c.newUnsupported.length > 0 ? ` (+${c.newUnsupported.length} new)` : '';
  // With every node off, the op list is the model's whole op set: it says nothing the details do not.
  if (allOff) return `all ${d.nodesTotal}${fresh}${share}`;
  return `${off.length} of ${d.nodesTotal}${fresh}: ${opList(opsByCount(off), MAX_OPS_IN_CELL)}${share}`;
}

function bytesCell(d: DeviceReport, name: 'ram' | 'flash', value: number | null | undefined, cols: Columns): string {
  const v = value === null || value === undefined ? '?' : nbUnit(humanBytes(value));
  return `${v}${budgetSuffix(budgetNamed(d, name), cols[name], humanBytes)}`;
}

function modelRow(input: RenderInput, m: ModelReport, width: number): string[] {
  const change = modelChange(input, m.path);
  const tag = change?.kind === 'added' ? ' 🆕 new model' : change?.kind === 'renamed' ? ` renamed from ${breakable(change.oldPath ?? '?')}` : '';
  const row = Array.from({ length: width }, () => '');
  row[0] = `**${breakable(m.path, 0)}**${tag}`;
  if (m.devices.length === 0) {
    row[1] = m.errors.length > 0 ? '💥 error' : '⚪ not checked';
    row[3] = m.errors.length > 0 ? code(m.errors[0]!.code) : 'no device';
  }
  return row;
}

/**
 * One header row per model (its path and whether it is new), then one row per device: the model path
 * is not repeated in a column of its own, which keeps the table inside the comment box.
 */
function summaryTable(input: RenderInput): string {
  const cols = columnsFor(input.report);
  const head = headerRow(cols);
  const rows: string[][] = [head];
  for (const m of input.report.models) {
    rows.push(modelRow(input, m, head.length));
    for (const d of m.devices) {
      const c = deviceComparison(input, m.path, d.device);
      const row = [code(d.device), verdictCell(input, m, d), latencyCell(d, c, cols), offCell(d, c, cols)];
      if (cols.ram.shown) row.push(bytesCell(d, 'ram', d.peakRamBytes, cols));
      if (cols.flash.shown) row.push(bytesCell(d, 'flash', d.flashBytes, cols));
      rows.push(row);
    }
  }
  for (const c of removedModels(input)) {
    const row = head.map(() => '');
    row[0] = `**${breakable(c.path, 0)}**`;
    row[1] = '➖ removed';
    row[3] = 'not checked, never blocks';
    rows.push(row);
  }
  return markdownTable(rows, { alignDelimiters: false, align: ['l', 'l', 'r', 'l', 'r', 'r'].slice(0, head.length) });
}

function removedModels(input: RenderInput): ModelChange[] {
  const inReport = new Set(input.report.models.map((m) => m.path));
  const seen = new Set<string>();
  return [...(input.comparison?.removed ?? []), ...(input.changes ?? [])].filter((c) => c.kind === 'deleted' && !inReport.has(c.path) && !seen.has(c.path) && seen.add(c.path) !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Per-model details (collapsed): per device the facts, the node changes, why nodes are off the
// accelerator, and ONE table (the slowest layers).

function deviceFacts(d: DeviceReport): string {
  const facts: string[] = [];
  const accel = d.macsAcceleratedFraction === null ? '' : ` (${humanPercent(d.macsAcceleratedFraction)} of MACs)`;
  facts.push(`${d.nodesAccelerated} of ${plural(d.nodesTotal, 'node')} on the accelerator${accel}, ${plural(d.partitions, 'partition')}`);
  if (d.latencyMs) facts.push(`est. ${humanMs(d.latencyMs.estimate)} (${humanMs(d.latencyMs.low)} to ${humanMs(d.latencyMs.high)})`);
  if (typeof d.peakRamBytes === 'number') facts.push(`peak RAM ${humanBytes(d.peakRamBytes)}`);
  if (typeof d.flashBytes === 'number') facts.push(`flash ${humanBytes(d.flashBytes)}`);
  return escapeMarkdown(facts.join(' · '));
}

function nodeRefs(ns: readonly NodeRef[], max = 3): string {
  const shown = ns.slice(0, max).map((n) => `${breakable(nodeName(n))} (${escapeMarkdown(n.op)})`).join(', ');
  return ns.length > max ? `${shown} and ${ns.length - max} more` : shown;
}

function changeLines(c: DeviceComparison | undefined): string[] {
  if (!c || c.status !== 'compared') return [];
  const out: string[] = [];
  if (c.newUnsupported.length > 0) out.push(`- Newly off the accelerator: ${nodeRefs(c.newUnsupported)}`);
  if (c.removedUnsupported.length > 0) out.push(`- Newly on the accelerator: ${nodeRefs(c.removedUnsupported)}`);
  return out;
}

/** Why nodes are off the accelerator, one line per (placement, reason), largest group first. */
function offLines(d: DeviceReport): string[] {
  const groups = new Map<string, NodePlacementReport[]>();
  for (const n of offAccelerator(d)) {
    const k = `${n.placement}\u0000${n.reason}`;
    groups.set(k, [...(groups.get(k) ?? []), n]);
  }
  const out: string[] = [];
  for (const ns of [...groups.values()].sort((a, b) => b.length - a.length)) {
    const first = ns[0]!;
    const hint = ns.find((n) => n.hint)?.hint;
    const detail = first.detail ? `: ${escapeMarkdown(first.detail)}` : '';
    out.push(`- ${plural(ns.length, 'node')} ${escapeMarkdown(first.placement)} (${code(first.reason)}; ${opList(opsByCount(ns), 4)})${detail}${hint ? `. Hint: ${escapeMarkdown(hint)}` : ''}`);
  }
  return out.slice(0, 6);
}

function budgetLines(d: DeviceReport): string[] {
  return shownBudgets(d).map((b) => {
    const waived = b.verdict === 'waived' && b.waivedBy ? ` (waived until ${escapeMarkdown(b.waivedBy.expires)}: ${escapeMarkdown(b.waivedBy.reason)})` : '';
    return `- Budget${budgetMark(b)}: ${escapeMarkdown(describeBudget(b))}${waived}`;
  });
}

interface WhatIfView {
  readonly index?: number;
  readonly name: string;
  readonly op: string;
  readonly savingMs: number;
  readonly savingFraction?: number;
  readonly hint?: string;
}

function whatIfLine(d: DeviceReport): string[] {
  const raw = Array.isArray(d['whatIf']) ? (d['whatIf'] as WhatIfView[]) : [];
  const best = [...raw].filter((w) => typeof w.savingMs === 'number' && w.savingMs > 0).sort((a, b) => b.savingMs - a.savingMs)[0];
  if (!best) return [];
  const share = typeof best.savingFraction === 'number' ? ` (${humanPercent(best.savingFraction)})` : '';
  return [`- Biggest win: ${breakable(nodeName(best))} (${escapeMarkdown(best.op)}) on the accelerator saves about ${escapeMarkdown(humanMs(best.savingMs))}${share}${best.hint ? `. Hint: ${escapeMarkdown(best.hint)}` : ''}`];
}

function assumptionLine(d: DeviceReport): string[] {
  const a = assumptionTexts(d);
  if (a.length === 0) return [];
  const shown = a.slice(0, 3).map(escapeMarkdown).join('; ');
  return [`- Assumed: ${shown}${a.length > 3 ? `; and ${a.length - 3} more` : ''}`];
}

function layerTable(d: DeviceReport, top: number): string {
  const timed = d.nodes.filter((n) => typeof n.latencyMs === 'number' && Number.isFinite(n.latencyMs) && n.latencyMs > 0);
  if (timed.length === 0 || top <= 0) return '';
  const total = timed.reduce((s, n) => s + (n.latencyMs as number), 0);
  const slowest = [...timed].sort((a, b) => (b.latencyMs as number) - (a.latencyMs as number) || a.index - b.index).slice(0, top);
  const rows: string[][] = [[`Slowest ${slowest.length} of ${timed.length} layers`, 'Op', 'Runs on', 'Est. (share)']];
  for (const n of slowest) {
    const on = n.unit ?? (n.placement === 'accelerated' ? 'accelerator' : 'CPU');
    const ms = n.latencyMs as number;
    rows.push([breakable(nodeName(n)), escapeCell(n.op), escapeCell(on), `${escapeCell(humanMs(ms))} (${humanPercent(ms / total)})`]);
  }
  return markdownTable(rows, { alignDelimiters: false, align: ['l', 'l', 'l', 'r'] });
}

function deviceDetails(input: RenderInput, m: ModelReport, d: DeviceReport, top: number): string[] {
  const c = deviceComparison(input, m.path, d.device);
  // The quantization message explains a refusal; when the scheme is accepted the facts line says it all.
  const q = d.quantization as { message?: unknown; accepted?: unknown };
  const lines = [
    ...changeLines(c),
    ...budgetLines(d),
    ...(typeof q.message === 'string' && q.message && q.accepted === false ? [`- ${escapeMarkdown(q.message)}`] : []),
    ...offLines(d),
    ...whatIfLine(d),
    ...assumptionLine(d),
  ];
  const table = layerTable(d, top);
  return [`**${code(d.device)}** · ${verdictCell(input, m, d)} · ${deviceFacts(d)}`, '', ...(lines.length > 0 ? [...lines, ''] : []), ...(table ? [table, ''] : [])];
}

function modelSummaryLine(input: RenderInput, m: ModelReport): string {
  const change = modelChange(input, m.path);
  const tag = change?.kind === 'added' ? ' (new model)' : change?.kind === 'renamed' ? ` (renamed from ${escapeMarkdown(change.oldPath ?? '?')})` : '';
  const blocking = m.devices.filter((d) => findingsAt(input.decision?.blocking, m.path, d.device).length > 0).length;
  const state = blocking > 0 ? `, blocks on ${blocking}` : '';
  return `<summary>Details: <code>${escapeMarkdown(m.path)}</code>${tag} on ${plural(m.devices.length, 'device')}${state}</summary>`;
}

function modelDetails(input: RenderInput, m: ModelReport, top: number): string {
  // A model with no device has its error in the reasons and its row in the table already.
  if (m.devices.length === 0) return '';
  const parts = ['<details>', modelSummaryLine(input, m), ''];
  for (const e of m.errors) parts.push(`- 💥 ${escapeMarkdown(e.message)} (${code(e.code)})`);
  if (m.errors.length > 0) parts.push('');
  for (const d of m.devices) parts.push(...deviceDetails(input, m, d, top));
  parts.push('</details>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Assembly and the length cap

function truncationNote(omitted: number, url: string | undefined): string {
  const where = url ? `[the job summary](${url})` : 'the job summary of this run';
  return `> [!NOTE]\n> Shortened to stay under GitHub's 65,536-character limit for comments: ${plural(omitted, 'section')} left out. The full report is in ${where}.`;
}

/**
 * Renders the comment body (or the job summary, with `maxLength: Infinity`). Starts with the hidden
 * marker, so the CLI's `--format markdown` output is exactly what the action posts. Over the cap, the
 * headline, reasons and table stay; details go first, each one counted in an explicit note.
 */
export function renderMarkdown(input: RenderInput, options: RenderOptions = {}): string {
  const max = options.maxLength ?? DEFAULT_COMMENT_MAX;
  const top = options.topLayers ?? 3;
  const head = [commentMarker(input.commentKey), headline(input), '', scopeLine(input)];
  for (const n of input.notes ?? []) head.push('', escapeMarkdown(n));
  const fixed = [head.join('\n'), reasonsSection(input), input.report.models.length + removedModels(input).length > 0 ? summaryTable(input) : '', notGatedSection(input.decision)].filter((s) => s.length > 0);
  const extras = (input.extraSections ?? []).map((s) => `#### ${escapeMarkdown(s.title)}\n\n${s.markdown}`);
  const details = input.report.models.map((m) => modelDetails(input, m, top)).filter((s) => s.length > 0);
  const footer = `<sub>${escapeMarkdown(input.report.tool.name)} ${escapeMarkdown(input.report.tool.version)}</sub>`;
  return fitToLength(fixed, [...extras, ...details], footer, max, options.summaryUrl);
}

function fitToLength(fixed: readonly string[], optional: readonly string[], footer: string, max: number, url: string | undefined): string {
  const join = (parts: readonly string[]): string => `${parts.join('\n\n')}\n`;
  const full = join([...fixed, ...optional, footer]);
  if (full.length <= max) return full;
  const kept: string[] = [];
  let omitted = 0;
  const reserve = truncationNote(optional.length, url).length + footer.length + 8;
  let used = join(fixed).length;
  for (const s of optional) {
    if (used + s.length + 2 + reserve <= max) {
      kept.push(s);
      used += s.length + 2;
    } else omitted++;
  }
  const body = join([...fixed, ...kept, truncationNote(Math.max(omitted, 1), url), footer]);
  if (body.length <= max) return body;
  // The table alone is too long (hundreds of models): cut at a row boundary.
  const note = truncationNote(optional.length + 1, url);
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
  const full = renderMarkdown(input, { maxLength: Infinity, topLayers: 10 });
  if (Buffer.byteLength(full, 'utf8') <= SUMMARY_MAX_BYTES) return full;
  const note = `\n\n> [!NOTE]\n> The summary was cut at 1 MB. The full report is the JSON file${reportPath ? ` ${code(reportPath)}` : ''} (the \`report\` output).\n`;
  let cut = full.slice(0, SUMMARY_MAX_BYTES - 4_000);
  while (Buffer.byteLength(cut, 'utf8') > SUMMARY_MAX_BYTES - 4_000) cut = cut.slice(0, cut.length - 10_000);
  return `${cut.slice(0, cut.lastIndexOf('\n'))}${note}`;
}
