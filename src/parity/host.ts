/**
 * Facts about the machine a parity run measured on: what makes numbers and timings comparable
 * (CPU model and feature flags decide which MLAS kernels run; frequency governor and throttling decide
 * whether a latency means anything). Everything is read where readable and null otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { readRegularFileToEnd } from '../io/regular-file.js';
import { HOST_SYSFS_MAX_BYTES } from '../limits.js';
import { readHostPlatform } from '../runtime/host-match.js';
import type { HostFacts } from './result-schema.js';

/**
 * One sysfs value: a regular file of at most {@link HOST_SYSFS_MAX_BYTES}, opened without blocking (a FIFO
 * or a device bind-mounted over /sys, as containers and chroots can have, is never read from); null otherwise.
 */
function readText(file: string): string | null {
  try {
    return readRegularFileToEnd(file, { maxBytes: HOST_SYSFS_MAX_BYTES, what: 'sysfs value' }).toString('utf8').trim();
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  const t = readText(file);
  const n = t === null ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
}

export interface HostFactsOptions {
  /** Folder that stands for `/` when reading /sys and /proc (tests); default `/`. */
  readonly root?: string;
}

/** Collects host facts. `ortVersion` and `runtime` come from the runner. */
export function collectHostFacts(ortVersion: string | null, runtime: string, options: HostFactsOptions = {}): HostFacts {
  const root = options.root ?? '/';
  const host = readHostPlatform({ root });
  const base = join(root, 'sys/devices/system/cpu/cpu0/cpufreq');
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
  const piThrottled = readText(join(root, 'sys/devices/platform/soc/soc:firmware/get_throttled'));
  if (piThrottled !== null) throttling = { source: 'soc:firmware/get_throttled', value: piThrottled };
  else {
    try {
      const out = execFileSync('vcgencmd', ['get_throttled'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (out) throttling = { source: 'vcgencmd get_throttled', value: out };
    } catch {
      // not a Raspberry Pi, or vcgencmd missing
    }
  }
  const milli = readNumber(join(root, 'sys/class/thermal/thermal_zone0/temp'));
  return {
    arch: arch(),
    platform: platform(),
    cpu: host.cpu.model,
    cpuFlags: [...host.cpu.flags],
    ...(host.emulator ? { emulated: `${host.emulator.kind} ${host.emulator.cpu}` } : {}),
    cores: cpus().length,
    ortVersion,
    node: process.version,
    runtime,
    cpufreq,
    throttling,
    temperatureC: milli === null ? null : milli / 1000,
  };
}
