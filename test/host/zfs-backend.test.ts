import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkZfsFuse, runningZfsFuse, zfsBackendsOf } from '../../pipeline/host/zfs-backend.ts';
import type { HostFacts } from '../../pipeline/types.ts';

function host(kernelFilesystems: string[], present: string[]): HostFacts {
  return {
    isRoot: true, kernel: 'k', distribution: 'd', cpuModel: 'c', cores: 2, memoryBytes: 1, cgroupMode: 'hybrid', kernelFilesystems,
    binaries: Object.fromEntries(['zfs-fuse', 'zpool', 'zfs'].map((name) => [name, present.includes(name) ? `/usr/sbin/${name}` : null])),
    loopControl: true, kernelFeatures: [], vm: { usable: false, reason: 'no KVM' },
  };
}

describe('zfsBackendsOf()', () => {
  it('finds zfs-fuse without the kernel module: its three tools and FUSE', () => {
    assert.deepEqual(zfsBackendsOf(host(['ext4', 'fuse'], ['zfs-fuse', 'zpool', 'zfs'])), { kernelModule: false, zfsFuse: true });
  });

  it('finds the kernel module by its filesystem type, and no zfs-fuse without its daemon or without FUSE', () => {
    assert.deepEqual(zfsBackendsOf(host(['zfs', 'fuse'], ['zpool', 'zfs'])), { kernelModule: true, zfsFuse: false });
    assert.deepEqual(zfsBackendsOf(host(['ext4'], ['zfs-fuse', 'zpool', 'zfs'])), { kernelModule: false, zfsFuse: false });
  });
});

describe('checkZfsFuse()', () => {
  it('says zfs-fuse cells run, never comparable with kernel ZFS, and that the module is missing', () => {
    const row = checkZfsFuse(host(['fuse'], ['zfs-fuse', 'zpool', 'zfs']), 'zfs-fuse 0.7.0-25+b1', []);
    assert.equal(row.status, 'ok');
    assert.equal(row.detail, 'zfs-fuse 0.7.0-25+b1, user-space ZFS (never comparable with kernel ZFS); zfs kernel module missing: kernel zfs cells are skipped');
  });

  it('says when a host daemon runs already, which crbench will use and never stop', () => {
    assert.match(checkZfsFuse(host(['fuse'], ['zfs-fuse', 'zpool', 'zfs']), undefined, [4242]).detail, /daemon runs already \(pid 4242\): crbench uses it and never stops it$/);
  });

  it('warns, naming what is missing and what to install, when zfs-fuse cannot run', () => {
    const row = checkZfsFuse(host(['ext4'], ['zpool', 'zfs']), undefined, []);
    assert.deepEqual(row, { name: 'filesystem zfs-fuse', status: 'warn', detail: 'zfs-fuse missing; no fuse in the kernel: zfs-fuse cells are skipped', fix: 'apt-get install zfs-fuse (and modprobe fuse)' });
  });
});

describe('runningZfsFuse()', () => {
  let proc: string;
  beforeEach(() => { proc = mkdtempSync(path.join(os.tmpdir(), 'crbench-proc-')); });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  function fakeProcess(pid: number, comm: string, state: string): void {
    mkdirSync(path.join(proc, String(pid)));
    writeFileSync(path.join(proc, String(pid), 'comm'), `${comm}\n`);
    writeFileSync(path.join(proc, String(pid), 'stat'), `${pid} (${comm}) ${state} 1 1 1`);
  }

  it('lists live zfs-fuse processes, not zombies nor other programs', () => {
    fakeProcess(10, 'zfs-fuse', 'S');
    fakeProcess(11, 'zfs-fuse', 'Z');
    fakeProcess(12, 'dockerd', 'S');
    mkdirSync(path.join(proc, 'self'));
    assert.deepEqual(runningZfsFuse(proc), [10]);
  });
});
