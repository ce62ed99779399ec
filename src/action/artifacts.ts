/**
 * The artifact store the parity flow needs (upload, list, download within the current workflow run),
 * behind a small interface: the real one wraps @actions/artifact's DefaultArtifactClient; unit tests
 * use an in-memory folder store.
 */
import { DefaultArtifactClient } from '@actions/artifact';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** An artifact of the current run. */
export interface ArtifactInfo {
  readonly id: number;
  readonly name: string;
  readonly size: number;
}

export interface UploadOptions {
  /** Days GitHub keeps the artifact (1–90; the repository's setting caps it). */
  readonly retentionDays?: number;
}

/** Artifacts of the current workflow run. */
export interface ArtifactStore {
  /** Uploads every file under `rootDir` as one artifact. Returns its id and size in bytes. */
  upload(name: string, rootDir: string, options?: UploadOptions): Promise<{ readonly id: number | undefined; readonly size: number | undefined }>;
  /** Every finalized artifact of this run (latest of each name). */
  list(): Promise<readonly ArtifactInfo[]>;
  /** Downloads (and unzips) an artifact into `dir`. */
  download(id: number, dir: string): Promise<void>;
}

/** An artifact operation failed; `artifact` names it, `cause` holds the client's error. */
export class ArtifactStoreError extends Error {
  override readonly name = 'ArtifactStoreError';
  constructor(
    readonly operation: 'upload' | 'list' | 'download',
    readonly artifact: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact ${operation} of '${artifact}' failed: ${reason}`, options);
  }
}

/** Every file below `dir`, absolute. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The store over @actions/artifact (reads ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL). */
export function createActionsArtifactStore(): ArtifactStore {
  const client = new DefaultArtifactClient();
  return {
    async upload(name, rootDir, options) {
      const up = () => client.uploadArtifact(name, filesUnder(rootDir), rootDir, options?.retentionDays ? { retentionDays: options.retentionDays } : {});
      try {
        let r;
        try {
          r = await up();
        } catch (err) {
          // A re-run job uploads into the same run, where the name is taken: replace it, as
          // actions/upload-artifact's `overwrite: true` does.
          if (!/already exists|already_exists|\b409\b|Conflict/i.test((err as Error).message)) throw err;
          await client.deleteArtifact(name);
          r = await up();
        }
        return { id: r.id, size: r.size };
      } catch (err) {
        throw new ArtifactStoreError('upload', name, (err as Error).message, { cause: err });
      }
    },
    async list() {
      try {
        const r = await client.listArtifacts({ latest: true });
        return r.artifacts.map((a) => ({ id: a.id, name: a.name, size: a.size }));
      } catch (err) {
        throw new ArtifactStoreError('list', '*', (err as Error).message, { cause: err });
      }
    },
    async download(id, dir) {
      try {
        mkdirSync(dir, { recursive: true });
        await client.downloadArtifact(id, { path: dir });
      } catch (err) {
        throw new ArtifactStoreError('download', String(id), (err as Error).message, { cause: err });
      }
    },
  };
}

/** A folder-backed store for unit tests: each artifact is a subfolder named after it. */
export function createFolderArtifactStore(root: string): ArtifactStore {
  mkdirSync(root, { recursive: true });
  const names = (): string[] => (existsSync(root) ? readdirSync(root).sort() : []);
  const size = (dir: string): number => filesUnder(dir).reduce((s, f) => s + statSync(f).size, 0);
  return {
    async upload(name, rootDir) {
      if (names().includes(name)) throw new ArtifactStoreError('upload', name, 'an artifact with this name already exists in the run');
      const dest = join(root, name);
      for (const f of filesUnder(rootDir)) cpSync(f, join(dest, relative(rootDir, f)));
      mkdirSync(dest, { recursive: true });
      return { id: names().indexOf(name) + 1, size: size(dest) };
    },
    async list() {
      return names().map((n, i) => ({ id: i + 1, name: n, size: size(join(root, n)) }));
    },
    async download(id, dir) {
      const n = names()[id - 1];
      if (!n) throw new ArtifactStoreError('download', String(id), 'no such artifact');
      cpSync(join(root, n), dir, { recursive: true });
    },
  };
}
