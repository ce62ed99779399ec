// Finds the emulated arm64 edge runner built by ../shared/edge-runner/setup-arm64-runner.sh:
// qemu-aarch64-static on PATH and ROOT/opt/node24/bin/node. Plain JS so it runs anywhere.
import { existsSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Candidate roots, in order: $EDGEGATE_ARM64_ROOT, /work/arm64-root, $TMPDIR/edgegate-arm64-root. */
export function arm64RootCandidates() {
  return [process.env.EDGEGATE_ARM64_ROOT, '/work/arm64-root', join(tmpdir(), 'edgegate-arm64-root')].filter(
    (x) => typeof x === 'string' && x.length > 0,
  );
}

/**
 * The emulated runner, or `{ available: false, reason }`.
 * @returns {{available: true, root: string, qemu: string, node: string, cpu: string} | {available: false, reason: string}}
 */
export function findArm64Runner() {
  let qemu;
  try {
    qemu = execFileSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).trim();
  } catch {
    return { available: false, reason: 'qemu-aarch64-static is not installed' };
  }
  for (const root of arm64RootCandidates()) {
    const node = join(root, 'opt', 'node24', 'bin', 'node');
    if (existsSync(node) && existsSync(join(root, 'proc', 'cpuinfo'))) {
      return { available: true, root: resolve(root), qemu, node, cpu: process.env.EDGEGATE_ARM64_CPU ?? 'cortex-a72' };
    }
  }
  return { available: false, reason: `no arm64 root with opt/node24/bin/node in ${arm64RootCandidates().join(', ')}` };
}

/**
 * Runs `node args...` under emulation. The environment drops NODE_EXTRA_CA_CERTS (the emulated node
 * cannot read the host's CA path layout) and sets QEMU_CPU, which must match ROOT/proc/cpuinfo.
 * Resolves with { code, stdout, stderr }.
 */
export function runArm64(runner, args, options = {}) {
  const env = { ...process.env, QEMU_CPU: runner.cpu, ...(options.env ?? {}) };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS; // host loaders (tsx) do not exist for the arm64 node
  return new Promise((res, rej) => {
    const child = spawn(runner.qemu, ['-L', runner.root, runner.node, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}
