/**
 * Is this machine the device a profile describes? Compares a profile's declared `platform` (operating
 * system, architecture, CPU cores, and its runtime) with the host the process runs on, so that a
 * measurement made on an x64 laptop is never reported under a Raspberry Pi's name. Used by `parity run`
 * (CLI and action) and by `calibrate`.
 *
 * Pure core (`parseCpuinfo`, `matchPlatform`) plus one reader of the real host (`readHostPlatform`).
 *
 * Emulation: under qemu user mode (the tests' arm64 runner) the process sees `process.arch === 'arm64'`,
 * the root's `/proc/cpuinfo` and the `QEMU_CPU` variable qemu reads. qemu's CPU model implements that
 * core's instruction set and reports its MIDR, so onnxruntime picks the same kernels and computes the
 * same numbers as on the core; timings are the emulator's. The match therefore holds when the emulated
 * core is a declared one and agrees with the cpuinfo the process reads, and says `emulated` so a caller
 * that needs real timings (calibration) can refuse it.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readRegularFileToEnd } from '../io/regular-file.js';
import { HOST_CPUINFO_MAX_BYTES } from '../limits.js';
import type { DeviceProfile } from '../profiles/schema.js';

/** Arm MIDR part numbers (`CPU part` in /proc/cpuinfo) of the cores edge devices use (Linux cputype.h). */
export const ARM_PARTS: Readonly<Record<string, string>> = {
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
  '0xd40': 'Neoverse-V1',
  '0xd41': 'Cortex-A78',
  '0xd42': 'Cortex-A78AE',
  '0xd44': 'Cortex-X1',
  '0xd46': 'Cortex-A510',
  '0xd47': 'Cortex-A710',
  '0xd49': 'Neoverse-N2',
  '0xd4b': 'Cortex-A78C',
  '0xd80': 'Cortex-A520',
  '0xd81': 'Cortex-A720',
  '0xd82': 'Cortex-X4',
};

/**
 * qemu `-cpu` / `QEMU_CPU` model → the MIDR part it reports (qemu target/arm/cpu64.c sets `cpu->midr`
 * per model). `max` and other synthetic models are no real core and match no profile.
 */
const QEMU_CPU_PARTS: Readonly<Record<string, string>> = {
  'cortex-a53': '0xd03',
  'cortex-a55': '0xd05',
  'cortex-a57': '0xd07',
  'cortex-a72': '0xd08',
  'cortex-a76': '0xd0b',
  'neoverse-n1': '0xd0c',
  'cortex-a710': '0xd47',
};

/** Name of an Arm core by its part number (`0xd08` → `Cortex-A72`). */
export function armCoreName(part: string): string {
  return ARM_PARTS[part.toLowerCase()] ?? `Arm part ${part}`;
}

/** What /proc/cpuinfo says about the CPU. */
export interface CpuInfo {
  /** x86 `model name`, or the Arm core name(s) derived from the part numbers. */
  readonly model: string | null;
  /** Arm `CPU implementer` (`0x41` = Arm Ltd), lower case; null on x86. */
  readonly implementer: string | null;
  /** Distinct Arm `CPU part` values over all processors, lower case (big.LITTLE lists several). */
  readonly parts: readonly string[];
  /** x86 `flags` or Arm `Features` of the first processor. */
  readonly flags: readonly string[];
}

/** Parses /proc/cpuinfo text. Fields missing from the text are null / empty. */
export function parseCpuinfo(text: string): CpuInfo {
  const all = (k: string): string[] => [...text.matchAll(new RegExp(`^${k}\\s*:\\s*(.*)$`, 'gmi'))].map((m) => m[1]!.trim());
  const first = (k: string): string | undefined => all(k)[0];
  const flags = (first('flags') ?? first('Features') ?? '').split(/\s+/).filter((s) => s.length > 0);
  const parts = [...new Set(all('CPU part').map((p) => p.toLowerCase()))];
  const implementer = first('CPU implementer')?.toLowerCase() ?? null;
  let model = first('model name') ?? null;
  if (model === null || model === '') {
    model = parts.length > 0 ? `${parts.map(armCoreName).join(' + ')}${implementer ? ` (implementer ${implementer})` : ''}` : null;
    // Raspberry Pi OS adds the board name under `Model`.
    const board = first('Model');
    if (board && model !== null && !model.includes(board)) model = `${model}, ${board}`;
  }
  return { model, implementer, parts, flags };
}

/** The machine this process runs on, and the runtime it would measure with. */
export interface HostPlatform {
  /** `process.platform` (`linux`, `darwin`, `android`, ...). */
  readonly os: string;
  /** `process.arch` (`arm64`, `x64`, ...). */
  readonly arch: string;
  readonly cpu: CpuInfo;
  /** Set when a user-mode emulator runs the process: qemu and the CPU model it emulates. */
  readonly emulator: { readonly kind: 'qemu-user'; readonly cpu: string } | null;
  /** The runtime the measurement uses; null when it is not known here (an external runtime). */
  readonly runtime: { readonly name: 'onnxruntime'; readonly version: string | null; readonly executionProvider: 'CPU' } | null;
}

/**
 * `HostPlatform` as another process reports it (an external runtime's result.json: the machine that timed
 * the models), validated before `matchPlatform` reads it.
 */
export const HostPlatformSchema = z.object({
  os: z.string(),
  arch: z.string(),
  cpu: z.object({ model: z.string().nullable(), implementer: z.string().nullable(), parts: z.array(z.string()).readonly(), flags: z.array(z.string()).readonly() }),
  emulator: z.object({ kind: z.literal('qemu-user'), cpu: z.string() }).nullable(),
  runtime: z.object({ name: z.literal('onnxruntime'), version: z.string().nullable(), executionProvider: z.literal('CPU') }).nullable(),
}) satisfies z.ZodType<HostPlatform>;

export interface ReadHostOptions {
  /** /proc/cpuinfo text; default read from the file (falls back to `os.cpus()` model names). */
  readonly cpuinfo?: string | null;
  /** Folder that stands for `/` when reading /proc/cpuinfo (tests); default `/`. */
  readonly root?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly os?: string;
  readonly arch?: string;
  /** onnxruntime version the measurement runs with (onnxruntime-node, CPU EP); null: not onnxruntime-node. */
  readonly ortVersion?: string | null;
}

/** Reads the host's platform. Nothing here throws: what cannot be read stays null/empty. */
export function readHostPlatform(options: ReadHostOptions = {}): HostPlatform {
  let text = options.cpuinfo;
  if (text === undefined) {
    try {
      // Capped and regular-file only: a FIFO or device mounted over it is refused instead of read forever.
      text = readRegularFileToEnd(join(options.root ?? '/', 'proc/cpuinfo'), { maxBytes: HOST_CPUINFO_MAX_BYTES, what: '/proc/cpuinfo' }).toString('utf8');
    } catch {
      text = null;
    }
  }
  const cpu = text !== null ? parseCpuinfo(text) : { model: cpus()[0]?.model ?? null, implementer: null, parts: [], flags: [] };
  const env = options.env ?? process.env;
  const qemuCpu = env['QEMU_CPU'];
  return {
    os: options.os ?? process.platform,
    arch: options.arch ?? process.arch,
    cpu,
    emulator: qemuCpu ? { kind: 'qemu-user', cpu: qemuCpu } : null,
    runtime: options.ortVersion === undefined || options.ortVersion === null ? null : { name: 'onnxruntime', version: options.ortVersion, executionProvider: 'CPU' },
  };
}

/** One compared aspect. */
export interface PlatformCheck {
  readonly aspect: 'platform' | 'os' | 'arch' | 'cpu' | 'emulation' | 'runtime';
  readonly ok: boolean;
  /** What was compared, in words (`arm64 = arm64`, `Cortex-A72 (0xd08) not in Cortex-A76 (0xd0b)`). */
  readonly detail: string;
}

/** The verdict of `matchPlatform`. */
export interface PlatformMatch {
  readonly status: 'match' | 'mismatch';
  /** The failed checks' details; empty on a match. */
  readonly reasons: readonly string[];
  readonly checks: readonly PlatformCheck[];
  /** `qemu-user cortex-a72` when the host is emulated (numbers are the core's, timings are not). */
  readonly emulated: string | null;
  /** One line for logs and results: `host x64 (AMD EPYC 9B14) is not raspberry-pi-4 (arm64, Cortex-A72): ...`. */
  readonly summary: string;
}

function majorMinor(v: string): string {
  return v.split('.').slice(0, 2).join('.');
}

function declaredCpu(p: NonNullable<DeviceProfile['platform']>): string {
  const c = p.cpu;
  if (!c) return p.arch;
  return `${p.arch}, ${c.cores.join(' + ')}`;
}

function hostLabel(h: HostPlatform): string {
  return `${h.os}/${h.arch}${h.cpu.model ? ` (${h.cpu.model})` : ''}${h.emulator ? ` emulated by qemu as ${h.emulator.cpu}` : ''}`;
}

function cpuChecks(p: NonNullable<DeviceProfile['platform']>, h: HostPlatform): PlatformCheck[] {
  const c = p.cpu;
  if (!c) return [];
  const out: PlatformCheck[] = [];
  if (c.implementer !== undefined) {
    const ok = h.cpu.implementer === c.implementer.toLowerCase();
    out.push({ aspect: 'cpu', ok, detail: `CPU implementer ${h.cpu.implementer ?? 'unknown'} ${ok ? '=' : '≠'} ${c.implementer}` });
  }
  if (c.parts !== undefined) {
    const want = c.parts.map((x) => x.toLowerCase());
    const got = h.cpu.parts;
    const foreign = got.filter((x) => !want.includes(x));
    const ok = got.length > 0 && foreign.length === 0;
    const name = (xs: readonly string[]): string => xs.map((x) => `${armCoreName(x)} (${x})`).join(' + ');
    out.push({
      aspect: 'cpu',
      ok,
      detail: got.length === 0 ? `no Arm CPU part in /proc/cpuinfo; the profile declares ${name(want)}` : ok ? `cores ${name(got)} are declared` : `cores ${name(foreign)} are not the declared ${name(want)}`,
    });
  }
  if (c.flags !== undefined && c.flags.length > 0) {
    const missing = c.flags.filter((f) => !h.cpu.flags.includes(f));
    out.push({ aspect: 'cpu', ok: missing.length === 0, detail: missing.length === 0 ? `CPU flags ${c.flags.join(', ')} present` : `CPU flags ${missing.join(', ')} missing` });
  }
  return out;
}

function emulationCheck(h: HostPlatform): PlatformCheck | undefined {
  if (!h.emulator) return undefined;
  const part = QEMU_CPU_PARTS[h.emulator.cpu.toLowerCase()];
  if (part === undefined) return { aspect: 'emulation', ok: false, detail: `qemu emulates '${h.emulator.cpu}', which is not a real core` };
  const ok = h.cpu.parts.length === 1 && h.cpu.parts[0] === part;
  return {
    aspect: 'emulation',
    ok,
    detail: ok
      ? `qemu emulates ${h.emulator.cpu} (part ${part}), as /proc/cpuinfo says`
      : `qemu emulates ${h.emulator.cpu} (part ${part}) but /proc/cpuinfo reports ${h.cpu.parts.join(', ') || 'no part'}: the emulator root's cpuinfo does not describe the emulated core`,
  };
}

function runtimeCheck(profile: DeviceProfile, h: HostPlatform): PlatformCheck | undefined {
  if (!h.runtime) return undefined;
  const r = profile.runtime;
  const ep = r.executionProvider ?? 'CPU';
  if (r.name !== 'onnxruntime' || ep.toUpperCase() !== 'CPU') {
    return { aspect: 'runtime', ok: false, detail: `the device runs ${r.name}${r.executionProvider ? ` ${r.executionProvider}` : ''}${r.delegate ? ` (${r.delegate})` : ''}; this host measures with onnxruntime CPU` };
  }
  if (h.runtime.version === null) return { aspect: 'runtime', ok: true, detail: 'onnxruntime CPU (version unknown)' };
  const ok = majorMinor(h.runtime.version) === majorMinor(r.version);
  return { aspect: 'runtime', ok, detail: `onnxruntime ${h.runtime.version} ${ok ? 'matches' : 'is not'} the declared ${r.version}${ok ? '' : ' (kernels differ between minor versions)'}` };
}

/**
 * Compares a profile's declared platform with a host. A profile without `platform` never matches: nothing
 * says which machine it is, so no host may speak for it.
 */
export function matchPlatform(profile: DeviceProfile, host: HostPlatform): PlatformMatch {
  const p = profile.platform;
  const checks: PlatformCheck[] = [];
  if (!p) {
    checks.push({ aspect: 'platform', ok: false, detail: `profile ${profile.id} declares no \`platform\` (os, arch, cpu), so no host can stand for it` });
  } else {
    const osOk = (p.os as readonly string[]).includes(host.os);
    checks.push({ aspect: 'os', ok: osOk, detail: `os ${host.os} ${osOk ? 'is' : 'is not'} ${p.os.join(' or ')}` });
    checks.push({ aspect: 'arch', ok: host.arch === p.arch, detail: `arch ${host.arch} ${host.arch === p.arch ? '=' : '≠'} ${p.arch}` });
    if (host.arch === p.arch) checks.push(...cpuChecks(p, host));
    const emu = emulationCheck(host);
    if (emu) checks.push(emu);
  }
  const rt = runtimeCheck(profile, host);
  if (rt) checks.push(rt);
  const reasons = checks.filter((c) => !c.ok).map((c) => c.detail);
  const status = reasons.length === 0 ? 'match' : 'mismatch';
  const emulated = host.emulator ? `qemu-user ${host.emulator.cpu}` : null;
  const declared = p ? declaredCpu(p) : 'no declared platform';
  const summary =
    status === 'match'
      ? `host ${hostLabel(host)} matches ${profile.id} (${declared})`
      : `host ${hostLabel(host)} is not ${profile.id} (${declared}): ${reasons.join('; ')}`;
  return { status, reasons, checks, emulated, summary };
}
