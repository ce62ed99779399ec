/** Git LFS pointer detection (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
import { closeSync, openSync, readSync } from 'node:fs';

const LFS_PREFIX = 'version https://git-lfs.github.com/spec/v1';
/** The spec caps pointer files at 1024 bytes. */
export const LFS_POINTER_MAX_BYTES = 1024;

/** True when `head` (the first bytes of a file) is an LFS pointer. */
export function isLfsPointer(head: Buffer | string): boolean {
  const s = typeof head === 'string' ? head : head.subarray(0, LFS_POINTER_MAX_BYTES).toString('utf8');
  return s.startsWith(LFS_PREFIX) && /\noid sha256:[0-9a-f]{64}\n/.test(s) && /\nsize \d+/.test(s);
}

/** Reads the start of a file and tells whether it is an LFS pointer. */
export function isLfsPointerFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(LFS_POINTER_MAX_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return isLfsPointer(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}
