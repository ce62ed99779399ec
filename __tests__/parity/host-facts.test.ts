/**
 * Host facts come from /sys and /proc: each is read with a byte cap and only as a regular file, opened
 * without blocking (a container or chroot can bind-mount anything there). The pseudo-root is generated
 * here: small values, a value past the cap, a FIFO and a directory; nothing reads a device.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HOST_CPUINFO_MAX_BYTES, HOST_SYSFS_MAX_BYTES } from '../../src/limits.js';
import { collectHostFacts } from '../../src/parity/host.js';
import { readHostPlatform } from '../../src/runtime/host-match.js';

let tmp: string;

function put(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

function fifo(root: string, rel: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  assert.equal(spawnSync('mkfifo', [join(root, rel)]).status, 0, 'mkfifo');
}

const CPUFREQ = 'sys/devices/system/cpu/cpu0/cpufreq';
const CPUINFO_CORE = 'processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\nFeatures\t: fp asimd\n\n';

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-host-facts-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('host facts from a pseudo-root', () => {
  it('reads small sysfs values and cpuinfo', () => {
    const root = join(tmp, 'small');
    put(root, `${CPUFREQ}/scaling_governor`, 'performance\n');
    put(root, `${CPUFREQ}/scaling_max_freq`, '1800000\n');
    put(root, 'sys/class/thermal/thermal_zone0/temp', '48312\n');
    put(root, 'sys/devices/platform/soc/soc:firmware/get_throttled', '0x0\n');
    put(root, 'proc/cpuinfo', CPUINFO_CORE);
    const f = collectHostFacts(null, 'test', { root });
    assert.equal(f.cpufreq?.governor, 'performance');
    assert.equal(f.cpufreq?.maxKHz, 1_800_000);
    assert.equal(f.cpufreq?.curKHz, null);
    assert.equal(f.temperatureC, 48.312);
    assert.deepEqual(f.throttling, { source: 'soc:firmware/get_throttled', value: '0x0' });
    assert.deepEqual(readHostPlatform({ root }).cpu.parts, ['0xd08']);
  });

  it('a sysfs value over the cap, a FIFO and a directory are null, not read', () => {
    const root = join(tmp, 'hostile');
    // A number padded with spaces past the cap: read whole, it would parse as a number.
    put(root, `${CPUFREQ}/scaling_max_freq`, `1800000${' '.repeat(HOST_SYSFS_MAX_BYTES)}`);
    put(root, `${CPUFREQ}/scaling_min_freq`, `600000${' '.repeat(HOST_SYSFS_MAX_BYTES - 6)}`);
    fifo(root, `${CPUFREQ}/scaling_governor`);
    fifo(root, 'sys/devices/platform/soc/soc:firmware/get_throttled');
    mkdirSync(join(root, 'sys/class/thermal/thermal_zone0/temp'), { recursive: true });
    const f = collectHostFacts(null, 'test', { root });
    assert.equal(f.cpufreq?.governor, null);
    assert.equal(f.cpufreq?.maxKHz, null, 'over the cap');
    assert.equal(f.cpufreq?.minKHz, 600_000, 'exactly at the cap');
    assert.equal(f.temperatureC, null);
    assert.notEqual(f.throttling?.source, 'soc:firmware/get_throttled');
  });

  it('/proc/cpuinfo over its cap, or a FIFO, falls back to os.cpus() instead of being read', () => {
    const big = join(tmp, 'bigcpuinfo');
    put(big, 'proc/cpuinfo', CPUINFO_CORE.repeat(Math.ceil((HOST_CPUINFO_MAX_BYTES + 1) / CPUINFO_CORE.length)));
    assert.deepEqual(readHostPlatform({ root: big }).cpu.parts, []);
    const atCap = join(tmp, 'capcpuinfo');
    put(atCap, 'proc/cpuinfo', CPUINFO_CORE + ' '.repeat(HOST_CPUINFO_MAX_BYTES - CPUINFO_CORE.length));
    assert.deepEqual(readHostPlatform({ root: atCap }).cpu.parts, ['0xd08']);
    const pipe = join(tmp, 'fifocpuinfo');
    fifo(pipe, 'proc/cpuinfo');
    assert.deepEqual(readHostPlatform({ root: pipe }).cpu.parts, []);
  });
});
