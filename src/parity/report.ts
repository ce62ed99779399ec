/**
 * Rendering of parity results (pure): the per model × device summary, first diverging kernel,
 * worst layer, a collapsed per-layer table and an error-by-layer chart. Also the rule that a device
 * which never reported is `not-run`, never `pass`.
 */
import { code, escapeCell, escapeMarkdown } from '../report/escape.js';
import { notRunResult } from './run.js';
import type { ParityResult } from './result-schema.js';

/** One expected (model, device) cell of the parity matrix. */
export interface ExpectedRun {
  readonly model: string;
  readonly device: string;
}

/**
 * Joins the results that arrived with the cells that were expected. A missing cell becomes
 * `not-run` / `NO_RESULT`; results for cells not expected are kept.
 */
export function collectResults(expected: readonly ExpectedRun[], results: readonly ParityResult[]): ParityResult[] {
  const key = (m: string, d: string): string => `${m}\u0000${d}`;
  const got = new Map(results.map((r) => [key(r.model, r.device), r]));
  const out: ParityResult[] = [];
  for (const e of expected) {
    const r = got.get(key(e.model, e.device));
    out.push(r ?? notRunResult(e.model, e.device, 'not-run', 'NO_RESULT', 'no result arrived (runner offline, job timed out, or artifact missing)'));
    got.delete(key(e.model, e.device));
  }
  out.push(...got.values());
  return out;
}

const ICON: Readonly<Record<ParityResult['verdict'], string>> = { pass: '✅ pass', fail: '❌ fail', 'not-run': '⚪ not run', error: '⚠️ error' };

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

/** A bar for the log10 error of a layer: one block per decade above 1e-9. */
function bar(maxAbs: number | null, pass: boolean): string {
  if (maxAbs === null) return '?';
  if (maxAbs === 0) return '·';
  const n = Math.max(1, Math.min(12, Math.round(Math.log10(maxAbs) + 10)));
  return (pass ? '▇' : '█').repeat(n) + (pass ? '' : ' ✗');
}

/** Markdown for a set of parity results (one section per model × device). */
export function renderParityMarkdown(results: readonly ParityResult[], options: { maxLayers?: number } = {}): string {
  const maxLayers = options.maxLayers ?? 200;
  const lines: string[] = ['### Parity on edge runners', ''];
  lines.push('| Model | Device | Status | First diverging kernel | Kernels out of tolerance | Worst layer (max abs err) | Latency (median) |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const status = `${ICON[r.verdict]}${r.reason ? ` (${escapeCell(r.reason)})` : ''}${r.forced ? ' ⚠️ forced on another host' : ''}${r.warnings.includes('OUTPUT_DRIFT') ? ' ⚠️ output drift' : ''}`;
    const first = r.firstDivergingNode ? `${code(r.firstDivergingNode.op)} #${r.firstDivergingNode.index} ${escapeCell(r.firstDivergingNode.name)}` : '–';
    const worst = r.worstTensor ? `${escapeCell(r.worstTensor.name)} (${escapeCell(r.worstTensor.stage)}): ${fmt(r.worstTensor.maxAbs)}` : '–';
    const kernels = r.kernels.length > 0 ? `${r.kernelsFailing} / ${r.kernels.length}` : '–';
    const lat = r.latencyMs ? `${fmt(r.latencyMs.median)} ms (n=${r.latencyMs.runs})` : '–';
    lines.push(`| ${escapeCell(r.model)} | ${escapeCell(r.device)} | ${status} | ${first} | ${kernels} | ${worst} | ${lat} |`);
  }
  for (const r of results) {
    if (r.verdict === 'not-run' || (r.kernels.length === 0 && r.tensors.length === 0)) {
      if (r.detail) lines.push('', `- ${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: ${escapeMarkdown(r.detail)}`);
      continue;
    }
    lines.push('', `<details><summary>${escapeMarkdown(r.model)} on ${escapeMarkdown(r.device)}: per-kernel error (isolated, fed reference inputs)</summary>`, '');
    if (r.warnings.includes('OUTPUT_DRIFT')) {
      lines.push('Quantized model output differs beyond one step while every kernel is within tolerance: accumulated quantization drift, not a wrong kernel.', '');
    }
    if (r.host) lines.push(`Host: ${escapeMarkdown(`${r.host.arch}, ${r.host.cpu ?? 'unknown CPU'}, ${r.host.cores} cores, ${r.host.runtime}`)}`, '');
    if (r.forced) lines.push(`Forced: ${escapeMarkdown(r.hostMatch?.summary ?? 'the host does not match the device')}. Not the device's result.`, '');
    lines.push('| # | Node | Op | Unit | max abs err | rmse/scale | Result | Error (log scale) |', '|---|---|---|---|---|---|---|---|');
    for (const k of r.kernels.slice(0, maxLayers)) {
      lines.push(
        `| ${k.index} | ${escapeCell(k.name)} | ${code(k.op)} | ${k.unit} | ${fmt(k.maxAbs)} | ${fmt(k.rmseOverScale)} | ${k.pass ? 'ok' : '**out of tolerance**'} | ${bar(k.maxAbs, k.pass)} |`,
      );
    }
    if (r.kernels.length > maxLayers) lines.push('', `${r.kernels.length - maxLayers} more kernels in result.json.`);
    const prodOut = r.tensors.filter((t) => t.stage === 'production');
    if (prodOut.length > 0) {
      lines.push('', 'Production pass (optimizations on, kernels that ship):', '', '| Tensor | dtype | max abs err | SNR dB | cosine | Result |', '|---|---|---|---|---|---|');
      for (const t of prodOut.slice(0, maxLayers)) {
        lines.push(`| ${escapeCell(t.name)}${t.modelOutput ? ' (output)' : ''} | ${t.dtype} | ${fmt(t.maxAbs)} | ${t.identical ? 'identical' : fmt(t.snrDb)} | ${t.identical ? '–' : fmt(t.cosine)} | ${t.pass ? 'ok' : '**out of tolerance**'} |`);
      }
    }
    if (r.passes.production?.kernelsRun.length) {
      lines.push('', `Kernels run (production): ${r.passes.production.kernelsRun.map((k) => `${escapeMarkdown(k.op)}×${k.count}`).join(', ')}`);
    }
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}

/** Overall gate: true when any result failed or errored; `notRunBlocks` decides for not-run. */
export function parityBlocks(results: readonly ParityResult[], notRunBlocks = false): boolean {
  return results.some((r) => r.verdict === 'fail' || r.verdict === 'error' || (notRunBlocks && r.verdict === 'not-run'));
}
