/**
 * Copies onnxruntime-node (JS + the native binaries of chosen platforms) and onnxruntime-common into
 * `<distDir>/vendor/node_modules/`, the layout `loadOnnxruntime()` looks for beside the bundle. Run
 * by the bundling step: `node --import tsx src/runtime/vendor.ts dist [linux/x64 linux/arm64 ...]`.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from "node:url";

/** Platforms vendored by default: the ones GitHub-hosted and typical edge runners use. */
export const DEFAULT_VENDOR_PLATFORMS = ['linux/x64', 'linux/arm64'] as const;

/** A package or binary needed for vendoring is missing. */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

/**
 * Vendors onnxruntime-node into `distDir`. Returns the folders written. Binaries of platforms not
 * listed are left out (macOS/Windows binaries would add ~100 MB to the action repo).
 */
export function vendorOnnxruntime(distDir: string, platforms: readonly string[] = DEFAULT_VENDOR_PLATFORMS): string[] {
  const req = createRequire(import.meta.url);
  const nodeDir = resolve(dirname(req.resolve('onnxruntime-node')), '..');
  const commonDir = resolve(dirname(createRequire(join(nodeDir, 'package.json')).resolve('onnxruntime-common')), '..', '..');
  const dest = join(resolve(distDir), 'vendor', 'node_modules');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const nodeDest = join(dest, 'onnxruntime-node');
  for (const part of ['package.json', 'LICENSE', 'README.md', 'dist']) {
    if (existsSync(join(nodeDir, part))) cpSync(join(nodeDir, part), join(nodeDest, part), { recursive: true });
  }
  for (const p of platforms) {
    const bin = join(nodeDir, 'bin', 'napi-v6', p);
    if (!existsSync(join(bin, 'onnxruntime_binding.node'))) throw new VendorError(bin, `no onnxruntime-node binary for ${p}`);
    cpSync(bin, join(nodeDest, 'bin', 'napi-v6', p), { recursive: true });
  }
  const commonDest = join(dest, 'onnxruntime-common');
  for (const part of ['package.json', 'LICENSE', 'README.md', 'dist']) {
    if (existsSync(join(commonDir, part))) cpSync(join(commonDir, part), join(commonDest, part), { recursive: true });
  }
  return [nodeDest, commonDest];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dist, ...platforms] = process.argv.slice(2);
  if (!dist) {
    process.stderr.write('usage: vendor.ts DIST_DIR [platform/arch ...]\n');
    process.exit(2);
  }
  const out = vendorOnnxruntime(dist, platforms.length > 0 ? platforms : DEFAULT_VENDOR_PLATFORMS);
  process.stdout.write(`vendored: ${out.join(', ')}\n`);
}
