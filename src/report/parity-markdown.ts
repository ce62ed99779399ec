/**
 * The parity section of the sticky comment (issue 6, report job): per model × device the status, the
 * worst layer and its error, the first diverging kernel, the count of kernels out of tolerance, and
 * measured latency against the cost model's estimate; then per cell a collapsed per-kernel table with
 * a chart of error by layer. Pure; every user-controlled string is escaped.
 */
import { markdownTable } from 'markdown-table';
import type { ParityResult } from '../parity/result-schema.js';
import { code, escapeCell, escapeMarkdown, mermaidLabel } from './escape.js';
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
  /** Kernels per per-layer table; default 60 (the rest are in result.json). */
  readonly maxKernels?: number;
  /** Bars in the error-by-layer chart; default 40 (the worst ones, in topological order). */
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

function formatLatency(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`;
}

/** The cost model's estimate for a model × device, from the check report. */
function estimateMs(report: Report | undefined, model: string, device: string): number | undefined {
  const d = report?.models.find((m) => m.path === model)?.devices.find((x) => x.device === device);
  const e = d?.latencyMs?.estimate;
  return typeof e === 'number' && Number.isFinite(e) ? e : undefined;
}

function latencyCell(r: ParityResult, report: Report | undefined): string {
  const est = estimateMs(report, r.model, r.device);
  if (!r.latencyMs) return est === undefined ? '–' : `– (est. ${escapeCell(formatLatency(est))})`;
  const measured = `${escapeCell(formatLatency(r.latencyMs.median))} (median of ${r.latencyMs.runs})`;
  if (est === undefined || est <= 0) return measured;
  const ratio = r.latencyMs.median / est;
  return `${measured} vs est. ${escapeCell(formatLatency(est))} (×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)})`;
}

function statusCell(r: ParityResult): string {
  const reason = r.reason ? ` ${code(r.reason)}` : '';
  const drift = r.warnings.includes('OUTPUT_DRIFT') ? ' ⚠️ output drift' : '';
  // A forced run measured on another machine: its verdict is not the device's.
  const forced = r.forced ? ' ⚠️ forced on another host' : '';
  return `${STATUS[r.verdict]}${reason}${forced}${drift}`;
}

function worstCell(r: ParityResult): string {
  if (!r.worstTensor) return '–';
  const t = r.worstTensor;
  return `${code(t.name)} (${escapeCell(t.stage)}): ${escapeCell(formatError(t.maxAbs))}${t.pass ? '' : ' ✗'}`;
}

function firstCell(r: ParityResult): string {
  const f = r.firstDivergingNode;
  return f ? `${code(f.op)} #${f.index} ${code(f.name || '(unnamed)')}` : r.verdict === 'pass' ? 'none' : '–';
}

/** Error-by-layer chart: log10 of each isolated kernel's max abs error, worst ones in topological order. */
function errorChart(r: ParityResult, max: number): string {
  const finite = r.kernels.filter((k) => k.maxAbs !== null);
  if (finite.length === 0) return '';
  const floor = -12;
  const log = (x: number): number => (x > 0 ? Math.max(floor, Math.log10(x)) : floor);
  const chosen = [...finite]
    .sort((a, b) => (b.maxAbs as number) - (a.maxAbs as number) || a.position - b.position)
    .slice(0, max)
    .sort((a, b) => a.position - b.position);
  const labels = chosen.map((k) => mermaidLabel(`${k.index} ${k.op}`, 20));
  const values = chosen.map((k) => Number(log(k.maxAbs as number).toFixed(2)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "log10 max abs error per kernel (${chosen.length} of ${r.kernels.length}, ${floor} = exact)"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "log10 error" ${floor} --> ${Math.max(0, Math.ceil(Math.max(...values)))}`,
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

function details(r: ParityResult, o: Required<ParitySectionOptions>): string {
  const parts: string[] = [];
  const title = `${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: ${r.kernels.length} kernels isolated, ${r.kernelsFailing} out of tolerance`;
  parts.push(`<details><summary>${title}</summary>`, '');
  if (r.host) {
    const h = r.host;
    parts.push(`Measured on ${escapeMarkdown(`${h.arch}, ${h.cpu ?? 'unknown CPU'}, ${h.cores} cores, ${h.runtime}`)}.`, '');
  }
  if (r.warnings.includes('OUTPUT_DRIFT')) {
    parts.push('The quantized model output drifts beyond one step while every kernel is within tolerance: accumulated quantization error, not a wrong kernel.', '');
  }
  const chart = errorChart(r, o.chartKernels);
  if (chart) parts.push(chart, '');
  if (r.kernels.length > 0) {
    const rows: string[][] = [['#', 'Node', 'Op', 'Unit', 'max abs err', 'rmse/scale', 'Result']];
    for (const k of r.kernels.slice(0, o.maxKernels)) {
      rows.push([String(k.index), code(k.name || '(unnamed)'), escapeCell(k.op), escapeCell(k.unit), formatError(k.maxAbs), formatError(k.rmseOverScale), k.pass ? 'ok' : `**out of tolerance**${k.reason ? ` ${code(k.reason)}` : ''}`]);
    }
    parts.push(markdownTable(rows, { alignDelimiters: false, align: ['r', 'l', 'l', 'l', 'r', 'r', 'l'] }));
    if (r.kernels.length > o.maxKernels) parts.push('', `${r.kernels.length - o.maxKernels} more kernels are in result.json (artifact of the parity job).`);
    parts.push('');
  }
  const outputs = r.tensors.filter((t) => t.stage === 'production' && t.modelOutput);
  if (outputs.length > 0) {
    const rows: string[][] = [['Model output (production pass)', 'dtype', 'max abs err', 'SNR dB', 'cosine', 'Result']];
    for (const t of outputs) {
      rows.push([code(t.name), escapeCell(t.dtype), formatError(t.maxAbs), t.identical ? 'identical' : formatError(t.snrDb), t.identical ? '–' : formatError(t.cosine), t.pass ? 'ok' : '**out of tolerance**']);
    }
    parts.push(markdownTable(rows, { alignDelimiters: false }), '');
  }
  if (r.kernelsSkipped.length > 0) parts.push(`Not isolated: ${r.kernelsSkipped.length} kernel(s) (${[...new Set(r.kernelsSkipped.map((k) => k.reason))].map(code).join(', ')}).`, '');
  parts.push('</details>');
  return parts.join('\n');
}

/** The parity section (without its heading: renderMarkdown's extra sections add it). */
export function renderParitySection(input: ParitySectionInput, options: ParitySectionOptions = {}): string {
  const o: Required<ParitySectionOptions> = { maxKernels: options.maxKernels ?? 60, chartKernels: options.chartKernels ?? 40 };
  const parts: string[] = [];
  for (const n of input.notes ?? []) parts.push(escapeMarkdown(n), '');
  const rows: string[][] = [['Model', 'Device', 'Status', 'Worst layer (max abs err)', 'First diverging kernel', 'Kernels out of tolerance', 'Latency measured vs estimate']];
  for (const p of input.pending ?? []) {
    rows.push([code(p.model), escapeCell(p.device), `⏳ queued on ${code(p.runsOn.join(', '))}`, '–', '–', '–', '–']);
  }
  for (const r of input.results) {
    rows.push([code(r.model), escapeCell(r.device), statusCell(r), worstCell(r), firstCell(r), r.kernels.length > 0 ? `${r.kernelsFailing} of ${r.kernels.length}` : '–', latencyCell(r, input.report)]);
  }
  if (rows.length === 1) return `${parts.join('\n')}No parity runs were planned.`.trim();
  parts.push(markdownTable(rows, { alignDelimiters: false }));
  const why = input.results.filter((r) => r.detail && (r.verdict === 'not-run' || r.verdict === 'error'));
  if (why.length > 0) {
    parts.push('');
    for (const r of why) parts.push(`- ${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: ${escapeMarkdown(r.detail ?? '')}`);
  }
  const forced = input.results.filter((r) => r.forced);
  if (forced.length > 0) {
    parts.push('');
    for (const r of forced) parts.push(`- ${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)} was forced: ${escapeMarkdown(r.hostMatch?.summary ?? 'the host does not match the device')}. It is not the device's result.`);
  }
  for (const r of input.results) if (r.kernels.length > 0 || r.tensors.length > 0) parts.push('', details(r, o));
  return parts.join('\n');
}
