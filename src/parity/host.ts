/**
 * Facts about the machine a parity run measured on: what makes numbers and timings comparable
 * (CPU model and feature flags decide which MLAS kernels run; frequency governor and throttling decide
 * whether a latency means anything). Everything is read where readable and null otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import type { HostFacts } from './result-schema.js';

function readText(file: string): string | null {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  const t = readText(file);
  const n = t === null ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
}

/** ARM part numbers of common edge cores (from /proc/cpuinfo's "CPU part"). */
const ARM_PARTS: Readonly<Record<string, string>> = {
  '0xd03': 'Cortex-A53',
  '0xd04': 'Cortex-A35',
  '0xd05': 'Cortex-A55',
  '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72',
  '0xd09': 'Cortex-A73',
  '0xd0a': 'Cortex-A75',
  '0xd0b': 'Cortex-A76',
  '0xd0c': 'Neoverse-N1',
  '0xd0d': 'Cortex-A77',
  '0xd41': 'Cortex-A78',
  '0xd44': 'Cortex-X1',
  '0xd46': 'Cortex-A510',
  '0xd47': 'Cortex-A710',
  '0xd4b': 'Cortex-A78C',
  '0xd40': 'Neoverse-V1',
  '0xd49': 'Neoverse-N2',
};

/** Parses /proc/cpuinfo text into a CPU name and feature flags (x86 `flags`, ARM `Features`). */
export function parseCpuinfo(text: string): { cpu: string | null; flags: string[] } {
  const field = (k: string): string | undefined => {
    const m = new RegExp(`^${k}\\s*:\\s*(.*)$`, 'mi').exec(text);
    return m?.[1]?.trim();
  };
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/).filter((s) => s.length > 0);
  let cpu = field('model name') ?? field('Model') ?? null;
  if (cpu === null || cpu === '') {
    const part = field('CPU part');
    cpu = part ? `${ARM_PARTS[part.toLowerCase()] ?? `ARM part ${part}`}${field('CPU implementer') ? ` (implementer ${field('CPU implementer')})` : ''}` : null;
  }
  const model = field('Model');
  if (model && cpu && !cpu.includes(model) && field('model name') === undefined) cpu = `${cpu}, ${model}`;
  return { cpu, flags };
}

/** Collects host facts. `ortVersion` and `runtime` come from the runner. */
export function collectHostFacts(ortVersion: string | null, runtime: string): HostFacts {
  const info = readText('/proc/cpuinfo');
  const parsed = info !== null ? parseCpuinfo(info) : { cpu: cpus()[0]?.model ?? null, flags: [] };
  const base = '/sys/devices/system/cpu/cpu0/cpufreq';
  const governor = readText(`${base}/scaling_governor`);
  const cpufreq =
    governor !== null || existsSync(base)
      ? {
          governor,
          curKHz: readNumber(`${base}/scaling_cur_freq`),
          minKHz: readNumber(`${base}/scaling_min_freq`),
          maxKHz: readNumber(`${base}/scaling_max_freq`),
        }
      : null;
  let throttling: HostFacts['throttling'] = null;
  // Raspberry Pi firmware exposes the throttled bits here (same value as `vcgencmd get_throttled`).
  const piThrottled = readText('/sys/devices/platform/soc/soc:firmware/get_throttled');
  if (piThrottled !== null) throttling = { source: 'soc:firmware/get_throttled', value: piThrottled };
  else {
    try {
      const out = execFileSync('vcgencmd', ['get_throttled'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (out) throttling = { source: 'vcgencmd get_throttled', value: out };
    } catch {
      // not a Raspberry Pi, or vcgencmd missing
    }
  }
  const milli = readNumber('/sys/class/thermal/thermal_zone0/temp');
  return {
    arch: arch(),
    platform: platform(),
    cpu: parsed.cpu,
    cpuFlags: parsed.flags,
    cores: cpus().length,
    ortVersion,
    node: process.version,
    runtime,
    cpufreq,
    throttling,
    temperatureC: milli === null ? null : milli / 1000,
  };
}
