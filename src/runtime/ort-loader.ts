/**
 * Lazy loading of onnxruntime-node. Nothing here imports it at module load: the static check, which
 * never runs a model, must work where no native binary exists (macOS/Windows hosted runners, a bundle
 * without the vendored copy). Parity calls `loadOnnxruntime()` only when it is about to run a model.
 *
 * Resolution order (docs/parity.md, "Where onnxruntime-node comes from"):
 *  1. an explicit path (the action's `onnxruntime-path` input, the CLI's `--ort-path`, or the
 *     `EDGEGATE_ORT_PATH` environment variable): an onnxruntime-node package folder, or a folder
 *     whose `node_modules` (or itself) holds one;
 *  2. the copy vendored beside the bundle: `<dir of dist/index.js>/vendor/node_modules/onnxruntime-node`,
 *     which is what GitHub runs without `npm install`;
 *  3. ordinary Node resolution from this module (`node_modules`), for the CLI and tests.
 * A candidate counts only when the native binary for this platform/arch is present in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The onnxruntime-node module's type, without importing it at run time. */
export type OrtModule = typeof import('onnxruntime-node');

/** Where a loaded onnxruntime-node came from. */
export type OrtSource = 'path' | 'vendored' | 'node_modules';

export interface LoadedOrt {
  readonly ort: OrtModule;
  /** onnxruntime-node's package version (e.g. `1.30.0`). */
  readonly version: string;
  /** Absolute package folder it was loaded from. */
  readonly packageDir: string;
  readonly source: OrtSource;
}

/** One place that was looked at, and why it was not used. */
export interface OrtCandidate {
  readonly source: OrtSource;
  readonly dir: string;
  readonly rejected?: string;
}

/** onnxruntime-node could not be loaded from any candidate. Lists every place tried. */
export class OrtUnavailableError extends Error {
  override readonly name = 'OrtUnavailableError';
  constructor(readonly tried: readonly OrtCandidate[], options?: { cause?: unknown }) {
    super(
      `onnxruntime-node is not available for ${process.platform}/${process.arch}. Tried: ` +
        (tried.length === 0 ? '(nothing)' : tried.map((t) => `${t.source} ${t.dir}${t.rejected ? ` (${t.rejected})` : ''}`).join('; ')),
      options,
    );
  }
}

export interface OrtLoadOptions {
  /** An explicit location (see the module doc). Falls back to `EDGEGATE_ORT_PATH`. */
  readonly path?: string;
  /** Folders to look for `vendor/node_modules/onnxruntime-node` in; default: this module's folder. */
  readonly bundleDirs?: readonly string[];
  /** Skip ordinary node_modules resolution (tests of the vendored/explicit paths). */
  readonly noNodeModules?: boolean;
}

/** The relative path of the native binding for this process, as onnxruntime-node's binding.js builds it. */
export function nativeBindingPath(platform: string = process.platform, arch: string = process.arch): string {
  return join('bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node');
}

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Expands a user-given path into the package folder it names, if any. */
function packageDirFromUserPath(p: string): string {
  const abs = resolve(p);
  for (const d of [abs, join(abs, 'onnxruntime-node'), join(abs, 'node_modules', 'onnxruntime-node')]) {
    if (packageName(d) === 'onnxruntime-node') return d;
  }
  return abs;
}

/** The candidate folders in resolution order (exported for tests and `edgegate parity doctor`-style output). */
export function ortCandidates(options: OrtLoadOptions = {}): OrtCandidate[] {
  const out: OrtCandidate[] = [];
  const userPath = options.path ?? process.env['EDGEGATE_ORT_PATH'];
  if (userPath !== undefined && userPath !== '') out.push({ source: 'path', dir: packageDirFromUserPath(userPath) });
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of options.bundleDirs ?? [here]) {
    out.push({ source: 'vendored', dir: join(d, 'vendor', 'node_modules', 'onnxruntime-node') });
  }
  if (!options.noNodeModules) {
    try {
      const main = createRequire(import.meta.url).resolve('onnxruntime-node');
      // main is <pkg>/dist/index.js
      out.push({ source: 'node_modules', dir: resolve(dirname(main), '..') });
    } catch {
      out.push({ source: 'node_modules', dir: '(not resolvable from ' + here + ')' });
    }
  }
  return out;
}

function rejectReason(dir: string): string | undefined {
  if (!existsSync(dir)) return 'not found';
  if (packageName(dir) !== 'onnxruntime-node') return 'no onnxruntime-node package.json';
  if (!existsSync(join(dir, nativeBindingPath()))) return `no native binary ${nativeBindingPath()}`;
  return undefined;
}

const cache = new Map<string, LoadedOrt>();

/**
 * Loads onnxruntime-node from the first usable candidate. The first call costs the native library's
 * load time (about 0.1 s natively, up to 1 s under qemu); later calls return the cached module.
 * @throws OrtUnavailableError when no candidate works.
 */
export async function loadOnnxruntime(options: OrtLoadOptions = {}): Promise<LoadedOrt> {
  const tried: OrtCandidate[] = [];
  let lastCause: unknown;
  for (const c of ortCandidates(options)) {
    const rejected = rejectReason(c.dir);
    if (rejected !== undefined) {
      tried.push({ ...c, rejected });
      continue;
    }
    const hit = cache.get(c.dir);
    if (hit) return hit;
    try {
      // createRequire anchored in the package folder: onnxruntime-node is CommonJS and finds its
      // `onnxruntime-common` through the node_modules folders above it.
      const req = createRequire(join(c.dir, 'package.json'));
      const ort = req(c.dir) as OrtModule;
      const loaded: LoadedOrt = { ort, version: packageVersion(c.dir), packageDir: c.dir, source: c.source };
      cache.set(c.dir, loaded);
      return loaded;
    } catch (cause) {
      lastCause = cause;
      tried.push({ ...c, rejected: `load failed: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}` });
    }
  }
  throw new OrtUnavailableError(tried, { cause: lastCause });
}
