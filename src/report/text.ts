/**
 * The `--format text` rendering: a readable summary for a person at a terminal. Pure: report in, string out.
 */
import type { DeviceReport, ModelReport, NodePlacementReport, Report } from './types.js';

/** 1234567 → "1.23 M"; null → "?". */
export function human(n: number | null | undefined, unit = ''): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  const [div, suffix] = abs >= 1e9 ? [1e9, ' G'] : abs >= 1e6 ? [1e6, ' M'] : abs >= 1e3 ? [1e3, ' k'] : [1, ' '];
  const v = n / div;
  return `${div === 1 ? String(Math.round(v * 100) / 100) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)}${suffix}${unit}`.replace(/ $/, '');
}

/** Bytes in binary units: 1536 → "1.50 KiB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

/** Groups non-accelerated nodes by placement and reason, for the per-device listing. */
export function groupByReason(nodes: readonly NodePlacementReport[]): Map<string, NodePlacementReport[]> {
  const groups = new Map<string, NodePlacementReport[]>();
  for (const n of nodes) {
    if (n.placement === 'accelerated') continue;
    const key = `${n.placement} ${n.reason}`;
    const list = groups.get(key) ?? [];
    list.push(n);
    groups.set(key, list);
  }
  return groups;
}

function nodeLabel(n: NodePlacementReport): string {
  return `#${n.index} ${n.op}${n.name ? ` '${n.name}'` : ''}`;
}

function renderDevice(d: DeviceReport): string[] {
  const lines: string[] = [];
  const accel = d.nodesTotal > 0 ? `${d.nodesAccelerated}/${d.nodesTotal} nodes accelerated` : 'no nodes';
  const macs = d.macsAcceleratedFraction === null ? '' : `, ${(d.macsAcceleratedFraction * 100).toFixed(1)}% of MACs`;
  const lat = d.latencyMs ? `, est. ${d.latencyMs.estimate.toFixed(2)} ms [${d.latencyMs.low.toFixed(2)}–${d.latencyMs.high.toFixed(2)}]` : '';
  lines.push(`  ${d.device}: ${d.verdict.toUpperCase()} — ${accel}${macs}, ${d.partitions} partition(s)${lat}`);
  if (d.peakRamBytes !== undefined || d.flashBytes !== undefined) {
    lines.push(`    peak RAM ${bytes(d.peakRamBytes)}, flash ${bytes(d.flashBytes)}`);
  }
  const q = d.quantization as { scheme?: string; accepted?: boolean; message?: string };
  if (q && q.message) lines.push(`    quantization: ${q.message}`);
  for (const b of d.budgets ?? []) {
    const head = b.headroomPercent === null || b.headroomPercent === undefined ? '' : ` (headroom ${b.headroomPercent.toFixed(1)}%)`;
    lines.push(`    budget ${b.name}: ${b.verdict.toUpperCase()} ${b.value === null ? '?' : formatUnit(b.value, b.unit)} / ${formatUnit(b.limit, b.unit)}${head}`);
  }
  for (const [key, nodes] of groupByReason(d.nodes)) {
    const shown = nodes.slice(0, 8).map(nodeLabel).join(', ');
    lines.push(`    ${key} (${nodes.length}): ${shown}${nodes.length > 8 ? `, … ${nodes.length - 8} more` : ''}`);
    const detail = nodes[0]?.detail;
    if (detail) lines.push(`      ${detail}`);
    const hint = nodes.find((n) => n.hint)?.hint;
    if (hint) lines.push(`      hint: ${hint}`);
  }
  const whatIf = (d.whatIf ?? []) as { index: number; name: string; op: string; reason: string; savingMs: number; savingFraction: number; hint?: string }[];
  for (const w of whatIf) {
    lines.push(
      `    what-if: #${w.index} ${w.op}${w.name ? ` '${w.name}'` : ''} (${w.reason}) on the accelerator saves ~${w.savingMs.toFixed(2)} ms (${(w.savingFraction * 100).toFixed(0)}%)${w.hint ? ` — hint: ${w.hint}` : ''}`,
    );
  }
  return lines;
}

function formatUnit(v: number, unit: string): string {
  if (unit === 'bytes') return bytes(v);
  if (unit === 'ms') return `${v.toFixed(2)} ms`;
  if (unit === 'fraction') return `${(v * 100).toFixed(1)}%`;
  return `${v} ${unit}`;
}

function renderModel(m: ModelReport): string[] {
  const lines = [`${m.path}`];
  if (m.errors.length > 0) {
    for (const e of m.errors) lines.push(`  ERROR [${e.code}] ${e.message}`);
    return lines;
  }
  lines.push(
    `  ${m.nodes} nodes, ${human(m.params)} params, ${human(m.macs)} MACs, ${human(m.otherOps)} other ops, weights ${bytes(m.weightBytes)}, peak activations ${bytes(m.peakActivationBytes)} (lower bound ${bytes(m.activationLowerBoundBytes)})`,
  );
  if (m.unknownReason) lines.push(`  note: ${m.unknownReason}`);
  for (const d of m.devices) lines.push(...renderDevice(d));
  return lines;
}

/** Renders the whole report for a terminal. */
export function renderText(report: Report): string {
  const out: string[] = [];
  const ok = report.models.filter((m) => m.errors.length === 0);
  if (ok.length > 0) {
    out.push(
      table([
        ['model', 'nodes', 'params', 'MACs', 'weights', 'peak act.'],
        ...ok.map((m) => [m.path, String(m.nodes ?? '?'), human(m.params), human(m.macs), bytes(m.weightBytes), bytes(m.peakActivationBytes)]),
      ]),
      '',
    );
  }
  for (const m of report.models) out.push(...renderModel(m), '');
  const modelFiles = new Set(report.models.map((m) => m.path));
  const other = report.errors.filter((e) => !modelFiles.has(e.file));
  for (const e of other) out.push(`ERROR [${e.code}] ${e.message}${e.fieldPath ? ` (at ${e.fieldPath})` : ''}`);
  return `${out.join('\n').trimEnd()}\n`;
}
