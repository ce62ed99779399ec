/**
 * Writes a file from its pieces as they are made, so a large rendering (a JSON report with one entry per
 * node per device) never has to be one string in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes `chunks` in order to `file`, replacing it. Errors are the file system's (ENOENT, ENOSPC, ...). */
export function writeFileChunks(file: string, chunks: Iterable<string>): void {
  const fd = openSync(file, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
