/**
 * SHA-256 of model files on a worker thread, so hashing (about as costly as everything else a static
 * check does: ~0.1 s per 100 MB) runs on another core while the main thread analyzes the models.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

interface HashDeps {
  readonly createHash: typeof createHash;
  readonly openSync: typeof openSync;
  readonly readSync: typeof readSync;
  readonly closeSync: typeof closeSync;
  readonly fstatSync: typeof fstatSync;
  readonly constants: typeof constants;
}

// Takes everything it uses as arguments and has no inner functions, so its source text (toString) also
// runs inside the worker below, whatever the bundler renamed around it.
function digestFile(path: string, deps: HashDeps): string {
  const hash = deps.createHash('sha256');
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; fstat then refuses it.
  const fd = deps.openSync(path, deps.constants.O_RDONLY | (deps.constants.O_NONBLOCK ?? 0));
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    if (!deps.fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    for (let pos = 0; ; ) {
      const n = deps.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    deps.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Streams one file through SHA-256 (1 MiB at a time, so memory does not grow with the file). */
export function sha256File(path: string): string {
  return digestFile(path, { createHash, openSync, readSync, closeSync, fstatSync, constants });
}

// The worker is evaluated from source text rather than a file, so it works unchanged from tsc's build/,
// the CLI bundle and the action's dist/ bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const deps = { createHash: require('node:crypto').createHash, ...require('node:fs') };
const digestFile = ${digestFile.toString()};
for (const path of workerData) {
  let digest = null;
  try {
    digest = digestFile(path, deps);
  } catch {}
  parentPort.postMessage([path, digest]);
}
`;

/** Batches of at most this many bytes are hashed on the calling thread (about 10 ms of SHA-256). */
const INLINE_HASH_BYTES = 16 * 1024 * 1024;

/** Sum of the sizes of the regular files among `paths` (others count 0: they are not hashed). */
function totalBytes(paths: readonly string[]): number {
  let sum = 0;
  for (const p of paths) {
    try {
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isFile()) sum += st.size;
    } catch {
      // unreadable: the reader reports it
    }
  }
  return sum;
}

/**
 * Starts hashing `paths` off the main thread. The promise maps each path to its hex digest, or to null
 * when the file could not be read (the reader reports why). Without worker threads, it hashes inline.
 */
export function hashFilesInBackground(
  paths: readonly string[],
  /** false: a failed worker leaves its files null (tests use it to prove the worker itself works). */
  options: { readonly inlineFallback?: boolean; readonly inlineBelowBytes?: number } = {},
): Promise<Map<string, string | null>> {
  const fallback = options.inlineFallback ?? true;
  const unique = [...new Set(paths)];
  const tryHash = (p: string): string | null => {
    try {
      return sha256File(p);
    } catch {
      return null;
    }
  };
  const hashInline = (): Map<string, string | null> => new Map(unique.map((p) => [p, tryHash(p)]));
  if (unique.length === 0) return Promise.resolve(new Map<string, string | null>());
  // Starting a worker costs more than hashing a few megabytes: small batches are hashed here.
  if (totalBytes(unique) <= (options.inlineBelowBytes ?? INLINE_HASH_BYTES)) return Promise.resolve(hashInline());
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: unique });
  } catch {
    return Promise.resolve(fallback ? hashInline() : new Map(unique.map((p) => [p, null])));
  }
  return new Promise((resolvePromise) => {
    const digests = new Map<string, string | null>();
    worker.on('message', ([path, digest]: [string, string | null]) => digests.set(path, digest));
    worker.on('error', () => {
      // A worker that died part-way: finish the rest here rather than report hashes as missing.
      if (fallback) for (const p of unique) if (!digests.has(p)) digests.set(p, tryHash(p));
    });
    worker.on('exit', () => {
      for (const p of unique) if (!digests.has(p)) digests.set(p, null);
      resolvePromise(digests);
    });
  });
}
