/**
 * V8's heap growth for a batch job. V8 lets the old generation grow to up to 4× what survived the last
 * full GC before it collects again: right for a server, wasteful for a check whose per-node structures
 * are built once and kept. A 100,000-node model keeps ~140 MB alive at its peak, yet the process reached
 * 365 MB RSS with one device (690 MB with every shipped profile) on default growth; with 30 % growth it
 * stays at ~260 MB (~450 MB) for ~5 % more time (bench/memory-nodes.ts). Small models never reach a
 * full GC, so they are unaffected. The flag is read at every GC, so setting it at start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

/** Old-generation growth after a full GC, in percent (V8's `--heap-growing-percent`). */
export const HEAP_GROWING_PERCENT = 30;

const USER_SETTING = /--heap[-_]growing[-_]percent/;

/** Call first thing in an entry point (the CLI and the action); NODE_OPTIONS flags given by a user win. */
export function tightenHeapGrowth(): void {
  if (USER_SETTING.test(process.env.NODE_OPTIONS ?? '') || process.execArgv.some((a) => USER_SETTING.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
