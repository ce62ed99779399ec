/**
 * Numbers as a person reads them: 3 significant digits, a unit, a real minus sign, no "-0.0" and no
 * "0% (-0.0 pp)". Pure; shared by the PR comment, the job summary and the text output.
 */

const MINUS = '\u2212';

/** `x` to 3 significant digits without exponent in the range people read (1e-3 ≤ |x| < 1e6); "?" when not finite. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '?';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
  return s.startsWith('-') ? `${MINUS}${s.slice(1)}` : s;
}

/** Milliseconds: `40.3 µs` below 0.1 ms, `0.263 ms`, `26.0 ms`, `1.23 s` from 1000 ms on. */
export function humanMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (Math.abs(ms) >= 1000) return `${sig3Fixed(ms / 1000)} s`;
  if (ms !== 0 && Math.abs(ms) < 0.1) return `${sig3Fixed(ms * 1000)} µs`;
  return `${sig3Fixed(ms)} ms`;
}

/** 3 significant digits keeping trailing zeros (`26.0`, `1.50`), which line up in a column. */
function sig3Fixed(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e6 ? x.toPrecision(3) : x.toExponential(2);
  // toPrecision gives an exponent for 100..999 only above 3 digits; ≥ 1000 is handled by callers.
  const plain = s.includes('e') && a >= 1 ? String(Math.round(x)) : s;
  return plain.startsWith('-') ? `${MINUS}${plain.slice(1)}` : plain;
}

/** Bytes in binary units with 3 significant digits: `1.50 KiB`, `28.8 MiB`, `512 B`. */
export function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.7 KiB would print as "1.02e+3": show it as 1024 without a decimal.
  const s = i === 0 ? String(Math.round(v)) : v >= 100 ? String(Math.round(v)) : v.toPrecision(3);
  return `${n < 0 ? MINUS : ''}${s} ${units[i]}`;
}

/** A share 0..1 as a percentage: `100%`, `87%`, `4.2%`, `0.31%`; never "0.0%" for a non-zero share. */
export function humanPercent(f: number): string {
  if (!Number.isFinite(f)) return '?';
  const p = f * 100;
  if (p === 0) return '0%';
  const a = Math.abs(p);
  const s = a >= 99.5 && a < 100 ? '>99' : a >= 10 ? String(Math.round(a)) : a >= 0.01 ? String(Number(a.toPrecision(2))) : '<0.01';
  return `${p < 0 ? MINUS : ''}${s}%`;
}

/**
 * A relative change: `+25%`, `−69%`, `+0.3%`; `same` when it rounds to zero; `new` when the base was 0
 * (`Infinity`). Null (unknown) gives undefined so callers can leave it out.
 */
export function humanChange(ratio: number | 'Infinity' | null | undefined): string | undefined {
  if (ratio === null || ratio === undefined) return undefined;
  const r = ratio === 'Infinity' ? Infinity : ratio;
  if (r === Infinity) return 'from 0';
  if (r === -Infinity) return `${MINUS}100%`;
  const p = r * 100;
  if (Math.abs(p) < 0.05) return 'same';
  const a = Math.abs(p);
  const s = a >= 10 ? String(Math.round(a)) : String(Number(a.toPrecision(1 + (a >= 1 ? 1 : 0))));
  return `${p > 0 ? '+' : MINUS}${s}%`;
}

/** A value in a report unit (`ms`, `bytes`, `fraction`; anything else with 3 significant digits). */
export function humanQuantity(v: number, unit: string): string {
  if (unit === 'ms') return humanMs(v);
  if (unit === 'bytes' || unit === 'B') return humanBytes(v);
  if (unit === 'fraction') return humanPercent(v);
  return `${sig3(v)} ${unit}`;
}

/** The budget facts a description needs (a BudgetReport has them). */
export interface BudgetFacts {
  readonly name: string;
  readonly limit: number;
  readonly value: number | null;
  readonly unit: string;
  readonly kind?: 'max' | 'min';
}

const BUDGET_LABELS: Readonly<Record<string, string>> = {
  latency: 'estimated latency',
  ram: 'peak RAM',
  flash: 'flash',
  acceleratedFraction: 'accelerated share',
};

/**
 * One budget for a person: `estimated latency 26.0 ms, over the 20.0 ms limit`,
 * `accelerated share 0%, below the 95% minimum`, `peak RAM 28.8 MiB of 32.0 MiB`.
 */
export function describeBudget(b: BudgetFacts): string {
  const label = BUDGET_LABELS[b.name] ?? b.name;
  const limit = humanQuantity(b.limit, b.unit);
  if (b.value === null) return `${label} unknown (${b.kind === 'min' ? 'minimum' : 'limit'} ${limit})`;
  const value = humanQuantity(b.value, b.unit);
  if (b.kind === 'min') return b.value < b.limit ? `${label} ${value}, below the ${limit} minimum` : `${label} ${value}, minimum ${limit}`;
  return b.value > b.limit ? `${label} ${value}, over the ${limit} limit` : `${label} ${value} of ${limit}`;
}

/** `1 node`, `21 nodes`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
