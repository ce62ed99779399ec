/**
 * The parity section of the sticky comment (report job). A compact table, one row per model × device
 * under a row per model, as the check table: the result (with the count of kernels out of tolerance,
 * "forced on another host" when the host was not the device), the worst error, and the measured latency
 * against the cost model's estimate. Then per cell a collapsed part with ONE chart (error by kernel, in
 * graph order) and the kernels out of tolerance as a list. Pure; every user-controlled string is escaped.
 */
import { markdownTable } from 'markdown-table';
import type { ParityResult } from '../parity/result-schema.js';
import { code, escapeCell, escapeMarkdown } from './escape.js';
import { humanMs, plural } from './humane.js';
import type { Report } from './types.js';

/** A matrix cell whose result has not arrived yet (the check job's comment). */
export interface PendingParityRun {
  readonly model: string;
  readonly device: string;
  readonly runsOn: readonly string[];
}

export interface ParitySectionInput {
  /** Results (arrived, or synthesized not-run/error ones). */
  readonly results: readonly ParityResult[];
  /** Cells queued on runners (check job only). */
  readonly pending?: readonly PendingParityRun[];
  /** The check report, for the latency estimates. */
  readonly report?: Report;
  /** Plain-text remarks (escaped here), e.g. why fork PRs are not sent to runners. */
  readonly notes?: readonly string[];
}

export interface ParitySectionOptions {
  /** Kernels listed as out of tolerance per cell; default 10 (all are in result.json). */
  readonly maxKernels?: number;
  /** Bars in the error-by-kernel chart; default 60 (evenly sampled in graph order beyond that, worst kept). */
  readonly chartKernels?: number;
}

const STATUS: Readonly<Record<ParityResult['verdict'], string>> = { pass: '✅ pass', fail: '❌ fail', 'not-run': '⚪ not run', error: '💥 error' };

/** Numbers as the table shows them: 3 significant digits, exponent outside 1e-3..1e4. */
export function formatError(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** The cost model's estimate for a model × device, from the check report. */
function estimateMs(report: Report | undefined, model: string, device: string): number | undefined {
  const d = report?.models.find((m) => m.path === model)?.devices.find((x) => x.device === device);
  const e = d?.latencyMs?.estimate;
  return typeof e === 'number' && Number.isFinite(e) ? e : undefined;
}

function latencyCell(r: ParityResult, report: Report | undefined): string {
  const est = estimateMs(report, r.model, r.device);
  const nb = (ms: number): string => escapeCell(humanMs(ms)).replace(/ /g, '\u00a0');
  if (!r.latencyMs) return est === undefined ? '–' : `– (est. ${nb(est)})`;
  const measured = nb(r.latencyMs.median);
  if (est === undefined || est <= 0) return measured;
  const ratio = r.latencyMs.median / est;
  return `${measured} (est.\u00a0${nb(est)}, ×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)})`;
}

function statusCell(r: ParityResult): string {
  const reason = r.reason ? ` ${code(r.reason)}` : '';
  const out = r.kernels.length > 0 && r.kernelsFailing > 0 ? `: ${r.kernelsFailing} of ${plural(r.kernels.length, 'kernel')}` : '';
  const drift = r.warnings.includes('OUTPUT_DRIFT') ? ' ⚠️ output drift' : '';
  // A forced run measured on another machine: its verdict is not the device's.
  const forced = r.forced ? ' ⚠️ forced on another host' : '';
  return `${STATUS[r.verdict]}${reason}${out}${forced}${drift}`;
}

function worstCell(r: ParityResult): string {
  const t = r.worstTensor;
  if (!t) return '–';
  return `${escapeCell(formatError(t.maxAbs))}${t.pass ? '' : ' ✗'}`;
}

/**
 * Error-by-kernel chart: log10 of each isolated kernel's max abs error, in graph order, as a line (bars
 * on a numeric axis overlap and hide each other). The x axis is numeric (kernel positions), so mermaid
 * places a few ticks and its labels cannot overlap; kernel names are in the list below the chart.
 */
function errorChart(r: ParityResult, max: number): string {
  const finite = r.kernels.filter((k) => k.maxAbs !== null);
  if (finite.length === 0) return '';
  const floor = -12;
  const log = (x: number): number => (x > 0 ? Math.max(floor, Math.log10(x)) : floor);
  const worst = new Set([...finite].sort((a, b) => (b.maxAbs as number) - (a.maxAbs as number)).slice(0, Math.ceil(max / 4)));
  const step = finite.length / max;
  const chosen = finite.length <= max ? finite : finite.filter((k, i) => worst.has(k) || Math.floor(i / step) !== Math.floor((i - 1) / step)).slice(0, max);
  const values = chosen.map((k) => Number(log(k.maxAbs as number).toFixed(2)));
  const top = Math.max(0, Math.ceil(Math.max(...values)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "log10 max abs error by kernel, in graph order (${floor} = exact)"`,
    `  x-axis "kernel (${chosen.length} of ${r.kernels.length})" 1 --> ${chosen.length}`,
    `  y-axis "log10 error" ${floor} --> ${top}`,
    `  line [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

function kernelLines(r: ParityResult, max: number): string[] {
  const bad = r.kernels.filter((k) => !k.pass);
  const lines = bad.slice(0, max).map((k) => `- #${k.index} ${code(k.name || '(unnamed)')} (${escapeMarkdown(k.op)}, ${escapeMarkdown(k.unit)}): max abs error ${escapeMarkdown(formatError(k.maxAbs))}${k.reason ? ` ${code(k.reason)}` : ''}`);
  if (bad.length > max) lines.push(`- and ${bad.length - max} more out of tolerance (result.json, artifact of the parity job)`);
  return lines;
}

function outputLines(r: ParityResult): string[] {
  return r.tensors
    .filter((t) => t.stage === 'production' && t.modelOutput)
    .map((t) => {
      const err = t.identical ? 'identical' : `max abs error ${formatError(t.maxAbs)}, SNR ${formatError(t.snrDb)} dB, cosine ${formatError(t.cosine)}`;
      return `- Model output ${code(t.name)} (${escapeMarkdown(t.dtype)}): ${escapeMarkdown(err)}${t.pass ? '' : ', **out of tolerance**'}`;
    });
}

function detailsSummary(r: ParityResult): string {
  const f = r.firstDivergingNode;
  const first = f ? `, first #${f.index} ${escapeMarkdown(f.op)}` : '';
  return `<summary>${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: ${r.kernels.length} kernels isolated, ${r.kernelsFailing} out of tolerance${first}</summary>`;
}

function details(r: ParityResult, o: Required<ParitySectionOptions>): string {
  const parts = ['<details>', detailsSummary(r), ''];
  if (r.host) {
    const h = r.host;
    const emulated = h.emulated ? `, emulated (${h.emulated})` : '';
    parts.push(`Measured on ${escapeMarkdown(`${h.arch}, ${h.cpu ?? 'unknown CPU'}, ${h.cores} cores, ${h.runtime}${emulated}`)}${r.forced ? ' (forced: not the device)' : ''}.`, '');
  }
  if (r.warnings.includes('OUTPUT_DRIFT')) {
    parts.push('The quantized model output drifts beyond one step while every kernel is within tolerance: accumulated quantization error, not a wrong kernel.', '');
  }
  const chart = errorChart(r, o.chartKernels);
  if (chart) parts.push(chart, '');
  const lines = [...kernelLines(r, o.maxKernels), ...outputLines(r)];
  if (r.kernelsSkipped.length > 0) lines.push(`- Not isolated: ${plural(r.kernelsSkipped.length, 'kernel')} (${[...new Set(r.kernelsSkipped.map((k) => k.reason))].map(code).join(', ')})`);
  if (lines.length > 0) parts.push(...lines, '');
  parts.push('</details>');
  return parts.join('\n');
}

type Cell = { readonly kind: 'pending'; readonly p: PendingParityRun } | { readonly kind: 'result'; readonly r: ParityResult };

function summaryTable(input: ParitySectionInput): string {
  const cells: Cell[] = [...(input.pending ?? []).map((p) => ({ kind: 'pending' as const, p })), ...input.results.map((r) => ({ kind: 'result' as const, r }))];
  const byModel = new Map<string, Cell[]>();
  for (const c of cells) {
    const m = c.kind === 'pending' ? c.p.model : c.r.model;
    byModel.set(m, [...(byModel.get(m) ?? []), c]);
  }
  const rows: string[][] = [['Model / device', 'Result', 'Worst error', 'Latency measured']];
  for (const [model, list] of byModel) {
    rows.push([`**${code(model)}**`, '', '', '']);
    for (const c of list) {
      if (c.kind === 'pending') rows.push([code(c.p.device), `⏳ queued on ${code(c.p.runsOn.join(', '))}`, '–', '–']);
      else rows.push([code(c.r.device), statusCell(c.r), worstCell(c.r), latencyCell(c.r, input.report)]);
    }
  }
  return markdownTable(rows, { alignDelimiters: false, align: ['l', 'l', 'r', 'r'] });
}

/** The parity section (without its heading: renderMarkdown's extra sections add it). */
export function renderParitySection(input: ParitySectionInput, options: ParitySectionOptions = {}): string {
  const o: Required<ParitySectionOptions> = { maxKernels: options.maxKernels ?? 10, chartKernels: options.chartKernels ?? 60 };
  const parts: string[] = [];
  for (const n of input.notes ?? []) parts.push(escapeMarkdown(n), '');
  if (input.results.length + (input.pending?.length ?? 0) === 0) return `${parts.join('\n')}No parity runs were planned.`.trim();
  parts.push(summaryTable(input));
  const why = input.results.filter((r) => r.detail && (r.verdict === 'not-run' || r.verdict === 'error'));
  const forced = input.results.filter((r) => r.forced);
  if (why.length + forced.length > 0) parts.push('');
  for (const r of why) parts.push(`- ${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: ${escapeMarkdown(r.detail ?? '')}`);
  for (const r of forced) parts.push(`- ${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)} was forced: ${escapeMarkdown(r.hostMatch?.summary ?? 'the host does not match the device')}. It is not the device's result.`);
  for (const r of input.results) if (r.kernels.length > 0 || r.tensors.length > 0) parts.push('', details(r, o));
  return parts.join('\n');
}
