// The host-vs-profile platform matcher: a table over shipped profiles × hosts (real /proc/cpuinfo shapes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../src/profiles/load.js';
import { type HostPlatform, matchPlatform, parseCpuinfo, readHostPlatform } from '../../src/runtime/host-match.js';

const arm = (part: string, n = 4, implementer = '0x41'): string =>
  Array.from({ length: n }, (_, i) => `processor\t: ${i}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: ${implementer}\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: ${part}\nCPU revision\t: 3\n`).join('\n');
const PI4 = `${arm('0xd08')}\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n`;
const PI5 = arm('0xd0b');
const RK3588 = `${arm('0xd05', 4)}\n${arm('0xd0b', 4)}`;
const EPYC = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni\n';
const OLD_X86 = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i5 CPU 750\nflags\t\t: fpu sse2 sse4_2\n';
// What scripts/arm64-runner/setup.sh writes to ROOT/proc/cpuinfo for EDGEGATE_ARM64_CPU=cortex-a72.
const EMULATED_ROOT = arm('0xd08', 2);

function host(cpuinfo: string, arch: string, extra: { os?: string; qemu?: string; ort?: string | null } = {}): HostPlatform {
  return readHostPlatform({ cpuinfo, arch, os: extra.os ?? 'linux', env: extra.qemu ? { QEMU_CPU: extra.qemu } : {}, ortVersion: extra.ort === undefined ? '1.30.0' : extra.ort });
}

describe('parseCpuinfo', () => {
  it('reads Arm parts (all processors), implementer and the board model', () => {
    const c = parseCpuinfo(PI4);
    assert.deepEqual(c.parts, ['0xd08']);
    assert.equal(c.implementer, '0x41');
    assert.equal(c.model, 'Cortex-A72 (implementer 0x41), Raspberry Pi 4 Model B Rev 1.4');
    assert.deepEqual(parseCpuinfo(RK3588).parts, ['0xd05', '0xd0b']);
  });
  it('reads x86 model name and flags', () => {
    const c = parseCpuinfo(EPYC);
    assert.equal(c.model, 'AMD EPYC 9B14');
    assert.deepEqual(c.parts, []);
    assert.ok(c.flags.includes('avx2'));
  });
});

describe('matchPlatform (profile × host)', () => {
  const cases: { profile: string; host: HostPlatform; status: 'match' | 'mismatch'; reason?: RegExp; emulated?: string }[] = [
    { profile: 'raspberry-pi-4', host: host(PI4, 'arm64'), status: 'match' },
    { profile: 'raspberry-pi-4', host: host(EPYC, 'x64'), status: 'mismatch', reason: /arch x64 ≠ arm64/ },
    { profile: 'raspberry-pi-4', host: host(PI5, 'arm64'), status: 'mismatch', reason: /Cortex-A76 \(0xd0b\) are not the declared Cortex-A72 \(0xd08\)/ },
    { profile: 'raspberry-pi-5', host: host(PI5, 'arm64'), status: 'match' },
    { profile: 'raspberry-pi-5', host: host(PI4, 'arm64'), status: 'mismatch', reason: /Cortex-A72/ },
    { profile: 'raspberry-pi-4', host: host(PI4, 'arm64', { ort: '1.29.1' }), status: 'mismatch', reason: /onnxruntime 1\.29\.1 is not the declared 1\.30\.0/ },
    { profile: 'raspberry-pi-4', host: host(PI4, 'arm64', { ort: '1.30.2' }), status: 'match' },
    { profile: 'raspberry-pi-4', host: host(PI4, 'arm64', { os: 'android' }), status: 'mismatch', reason: /os android is not linux/ },
    { profile: 'host-x64', host: host(EPYC, 'x64'), status: 'match' },
    { profile: 'host-x64', host: host(OLD_X86, 'x64'), status: 'mismatch', reason: /CPU flags avx2, fma missing/ },
    { profile: 'host-x64', host: host(PI4, 'arm64'), status: 'mismatch', reason: /arch arm64 ≠ x64/ },
    { profile: 'rockchip-rk3588', host: host(RK3588, 'arm64', { ort: null }), status: 'match' },
    // An NPU profile: the CPU is right, but onnxruntime's CPU EP is not the device's runtime.
    { profile: 'coral-edgetpu', host: host(PI4, 'arm64'), status: 'mismatch', reason: /the device runs tflite/ },
    // No declared platform: nothing may stand for it.
    { profile: 'cortex-m7-tflm', host: host(PI4, 'arm64', { ort: null }), status: 'mismatch', reason: /declares no `platform`/ },
    // The tests' emulated runner: qemu's cortex-a72 model and the root's cpuinfo agree.
    { profile: 'raspberry-pi-4', host: host(EMULATED_ROOT, 'arm64', { qemu: 'cortex-a72' }), status: 'match', emulated: 'qemu-user cortex-a72' },
    { profile: 'raspberry-pi-5', host: host(EMULATED_ROOT, 'arm64', { qemu: 'cortex-a72' }), status: 'mismatch', reason: /Cortex-A72 \(0xd08\) are not the declared Cortex-A76/, emulated: 'qemu-user cortex-a72' },
    { profile: 'raspberry-pi-5', host: host(EMULATED_ROOT, 'arm64', { qemu: 'cortex-a76' }), status: 'mismatch', reason: /qemu emulates cortex-a76 \(part 0xd0b\) but \/proc\/cpuinfo reports 0xd08/, emulated: 'qemu-user cortex-a76' },
    { profile: 'raspberry-pi-4', host: host(EMULATED_ROOT, 'arm64', { qemu: 'max' }), status: 'mismatch', reason: /'max', which is not a real core/, emulated: 'qemu-user max' },
  ];
  for (const c of cases) {
    it(`${c.profile} on ${c.host.os}/${c.host.arch} ${c.host.cpu.model ?? ''}${c.host.emulator ? ` (qemu ${c.host.emulator.cpu})` : ''} ${c.host.runtime?.version ?? ''}: ${c.status}`, () => {
      const m = matchPlatform(loadProfile(c.profile).profile, c.host);
      assert.equal(m.status, c.status, m.summary);
      if (c.reason) assert.match(m.reasons.join('; '), c.reason);
      if (c.status === 'match') assert.deepEqual(m.reasons, []);
      assert.equal(m.emulated, c.emulated ?? null);
      assert.match(m.summary, new RegExp(c.profile));
    });
  }
});

describe('readHostPlatform on this machine', () => {
  it('reports process.arch and the cpuinfo model', () => {
    const h = readHostPlatform({ env: {} });
    assert.equal(h.arch, process.arch);
    assert.equal(h.emulator, null);
    assert.equal(h.runtime, null);
    assert.ok(h.cpu.model !== null);
  });
});
