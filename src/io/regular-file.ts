/**
 * Reading files that a pull request controls (configs, profiles, reference tensors, results): only
 * regular files, optionally only inside a folder, and never more bytes than a cap. The size is taken
 * with fstat on the open descriptor before anything is read, so a FIFO, a device (/dev/zero), a
 * directory or a file larger than the cap is refused without reading from it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** Why a file was refused. */
export type RegularFileProblem = 'MISSING' | 'NOT_REGULAR' | 'TOO_LARGE' | 'OUTSIDE' | 'UNREADABLE';

/** A file that is not read: names the file and why. */
export class RegularFileError extends Error {
  override readonly name = 'RegularFileError';
  constructor(
    readonly problem: RegularFileProblem,
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

export interface RegularFileOptions {
  /** Refuse files larger than this (bytes). */
  readonly maxBytes: number;
  /** When set, the file (after following symlinks) must be inside this folder. */
  readonly within?: string;
  /** What the cap protects, for the message ("config file", "reference tensor"). */
  readonly what?: string;
}

/** Opening a FIFO for reading would block until a writer appears: O_NONBLOCK returns at once. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function resolveWithin(file: string, within: string): string {
  let real: string;
  let root: string;
  try {
    real = realpathSync(file);
    root = realpathSync(within);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RegularFileError('MISSING', file, 'file does not exist', { cause });
    throw new RegularFileError('UNREADABLE', file, `cannot resolve the path: ${(cause as Error).message}`, { cause });
  }
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new RegularFileError('OUTSIDE', file, `resolves to ${real}, outside ${root} (symlinks must stay inside the folder)`);
  }
  return real;
}

/**
 * Opens `file` and checks it: a regular file, at most `maxBytes`, inside `within` when given.
 * @returns the open descriptor (the caller closes it) and the size fstat gave.
 * @throws RegularFileError
 */
export function openRegularFile(file: string, options: RegularFileOptions): { fd: number; size: number } {
  const target = options.within !== undefined ? resolveWithin(file, options.within) : resolve(file);
  let fd: number;
  try {
    fd = openSync(target, OPEN_FLAGS);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RegularFileError('MISSING', file, 'file does not exist', { cause });
    if (code === 'EISDIR') throw new RegularFileError('NOT_REGULAR', file, 'is a directory, not a file', { cause });
    throw new RegularFileError('UNREADABLE', file, `cannot open: ${(cause as Error).message}`, { cause });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RegularFileError('NOT_REGULAR', file, `is ${kindOf(st)}; only regular files are read`);
    const what = options.what ?? 'file';
    if (st.size > options.maxBytes) {
      throw new RegularFileError('TOO_LARGE', file, `${what} is ${st.size} bytes, over the limit of ${options.maxBytes} bytes (docs/limits.md)`);
    }
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads `length` bytes at `position` from an open descriptor; fewer only at the end of the file. */
export function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes.
 * @throws RegularFileError (also when the file changes size while it is read)
 */
export function readRegularFile(file: string, options: RegularFileOptions): Buffer {
  const { fd, size } = openRegularFile(file, options);
  try {
    const buf = readAt(fd, size, 0);
    if (buf.length !== size) throw new RegularFileError('UNREADABLE', file, `changed while being read (${buf.length} of ${size} bytes)`);
    return buf;
  } catch (err) {
    if (err instanceof RegularFileError) throw err;
    throw new RegularFileError('UNREADABLE', file, `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a regular file of at most `maxBytes` bytes to its end, without trusting the size fstat gives:
 * procfs reports 0 and sysfs 4096 for files of any length, so the size is only known once the end is
 * reached. Reads stop at `maxBytes + 1` bytes, so memory stays bounded whatever the file holds.
 * @throws RegularFileError (`TOO_LARGE` when the file holds more than `maxBytes`)
 */
export function readRegularFileToEnd(file: string, options: RegularFileOptions): Buffer {
  const { fd } = openRegularFile(file, options);
  try {
    const chunks: Buffer[] = [];
    let got = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, options.maxBytes + 1 - got));
      // position null: sequential reads, which every pseudo-file supports.
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      got += n;
      if (got > options.maxBytes) {
        throw new RegularFileError('TOO_LARGE', file, `${options.what ?? 'file'} holds more than the limit of ${options.maxBytes} bytes (docs/limits.md)`);
      }
    }
    return Buffer.concat(chunks, got);
  } catch (err) {
    if (err instanceof RegularFileError) throw err;
    throw new RegularFileError('UNREADABLE', file, `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/** {@link readRegularFile} decoded as UTF-8. */
export function readRegularTextFile(file: string, options: RegularFileOptions): string {
  return readRegularFile(file, options).toString('utf8');
}
