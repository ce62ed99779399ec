/**
 * Parsing of human-friendly quantities in `.edgegate.yml`: byte sizes (`512KiB`, `8MB`) and
 * percentages (`10%`). Pure; the schema wires these into zod transforms.
 */

/** Byte-size suffixes. SI prefixes are powers of 1000, IEC (`Ki`, `Mi`, `Gi`) powers of 1024, as JEDEC-free tools write them. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
  tb: 1e12,
  tib: 1024 ** 4,
};

/**
 * Parses a byte size: a non-negative number (bytes) or a string `<number><unit>` with an optional space,
 * unit one of B, kB/KB, KiB, MB, MiB, GB, GiB, TB, TiB (case-insensitive). Returns whole bytes (rounded
 * down), or `undefined` when the text is not a size.
 */
export function parseByteSize(input: number | string): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.floor(input) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(input);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === '' ? 1 : SIZE_UNITS[unit];
  if (mult === undefined) return undefined;
  return Math.floor(Number(m[1]) * mult);
}

/**
 * Parses a percentage into a fraction: `"10%"`, `"10 %"`, `"10"` and the number `10` all mean 10 % (0.1),
 * the same reading the action's `max-*-regression` inputs use. Negative values are rejected (`undefined`).
 */
export function parsePercentage(input: number | string): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input / 100 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(input);
  return m ? Number(m[1]) / 100 : undefined;
}

/** Formats bytes for messages with IEC units (`512 KiB`, `7.6 MiB`). */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(Math.abs(v) >= 100 ? 0 : 1)} ${units[i]}`;
}
