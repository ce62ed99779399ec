/** File-system tricks shared by the config, profile and parity families: sparse giants, FIFOs, line edits. */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Rng } from '../types.js';

/** A sparse file of `bytes` (no disk used): tests that size caps are checked before reading. */
export function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

/** A named pipe with no writer: opening it for reading blocks unless done without blocking. */
export function fifo(path: string): void {
  spawnSync('mkfifo', [path]);
}

/** `n` random line edits in place: delete, duplicate, re-indent, or replace a number or a value. */
export function lineEdits(rng: Rng, lines: string[], n: number, numbers: readonly (number | string)[], values: readonly string[] = []): void {
  for (let i = 0; i < n; i++) {
    const at = rng.int(lines.length);
    const op = rng.int(values.length > 0 ? 5 : 4);
    if (op === 0) lines.splice(at, 1);
    else if (op === 1) lines.splice(at, 0, lines[rng.int(lines.length)]!);
    else if (op === 2) lines[at] = ' '.repeat(rng.int(8)) + (lines[at] ?? '').trimStart();
    else if (op === 3) lines[at] = (lines[at] ?? '').replace(/\d+(\.\d+)?/, String(rng.pick(numbers)));
    else lines[at] = (lines[at] ?? '').replace(/: .*$/, `: ${rng.pick(values)}`);
  }
}
