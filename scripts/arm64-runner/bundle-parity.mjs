// Bundles the parity CLI (src/cli/parity-command.ts) into one ESM file that any Node >= 20 runs
// without tsx or node_modules, the way GitHub runs dist/index.js. onnxruntime-node stays external
// and is loaded at run time by src/runtime/ort-loader.ts (pass --ort-path or vendor it beside the
// bundle); the shipped device profiles are copied beside it. Uses esbuild, which tsx already brings.
//   node scripts/arm64-runner/bundle-parity.mjs OUT.mjs
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds the bundle at `outFile`; returns its path. */
export async function bundleParityCli(outFile) {
  const { build } = await import('esbuild');
  const out = resolve(outFile);
  mkdirSync(dirname(out), { recursive: true });
  const entry = join(dirname(out), 'parity-entry.mjs');
  writeFileSync(
    entry,
    `import { parityCommand } from ${JSON.stringify(join(repo, 'src/cli/parity-command.ts'))};\n` +
      'process.exitCode = await parityCommand(process.argv.slice(2));\n',
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    external: ['onnxruntime-node'],
    // protobufjs and other CommonJS deps call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  // The shipped profiles beside the bundle, found the way an installed package finds them (a package.json
  // above a device-profiles/ folder): `--device raspberry-pi-4` must resolve to the profile, not a label.
  const dir = dirname(out);
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  cpSync(join(repo, 'device-profiles'), join(dir, 'device-profiles'), { recursive: true });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: bundle-parity.mjs OUT.mjs');
    process.exit(2);
  }
  console.log(await bundleParityCli(out));
}
