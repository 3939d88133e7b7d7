import assert from 'node:assert/strict';
import { formatDoctor, runDoctor } from '../../pipeline/doctor/run-doctor.ts';
import { checkLoad, checkSwap } from '../../pipeline/host/host-checks.ts';
import { probeHost } from '../../pipeline/host/probe-host.ts';
import { requiredBinaries } from '../../pipeline/plan/feasibility.ts';

describe('host checks', () => {
  it('warns about swap devices, and not without them', () => {
    assert.equal(checkSwap('Filename\tType\tSize\tUsed\tPriority\n').status, 'ok');
    assert.equal(checkSwap('Filename\tType\n/swapfile file 1024 0 -2\n').status, 'warn');
  });

  it('warns when other processes load more than half the cores', () => {
    assert.equal(checkLoad('0.40 0.3 0.2 1/100 1', 2).status, 'ok');
    const busy = checkLoad('3.10 2.0 1.0 4/100 1', 2);
    assert.equal(busy.status, 'warn');
    assert.match(busy.detail, /3\.10 on 2 cores/);
  });
});

describe('runDoctor()', function () {
  this.timeout(60_000);

  it('fails the root and loop rows on a host without them, each with what to do', async () => {
    const host = { ...probeHost(requiredBinaries()), isRoot: false, loopControl: false };
    const rows = await runDoctor('/var/lib/crbench', host);
    const root = rows.find((entry) => entry.name === 'root');
    assert.equal(root?.status, 'fail');
    assert.match(root?.fix ?? '', /as root/);
    assert.equal(rows.find((entry) => entry.name === 'loop devices')?.fix, 'modprobe loop');
  });

  it('names a missing runtime binary with the package to install', async () => {
    const probed = probeHost(requiredBinaries());
    const rows = await runDoctor('/var/lib/crbench', { ...probed, binaries: { ...probed.binaries, runc: null } });
    const runc = rows.find((entry) => entry.name === 'runtime runc');
    assert.equal(runc?.status, 'fail');
    assert.match(runc?.detail ?? '', /'runc' missing \(apt-get install runc\)/);
  });

  it('has a zfs-fuse row, ok where zfs-fuse runs without the kernel module, and a zfs row saying the module is missing', async () => {
    const probed = probeHost(requiredBinaries());
    const tools = Object.fromEntries(['zfs-fuse', 'zpool', 'zfs'].map((name) => [name, `/usr/sbin/${name}`]));
    const rows = await runDoctor('/var/lib/crbench', { ...probed, kernelFilesystems: ['ext4', 'fuse'], binaries: { ...probed.binaries, ...tools } });
    assert.equal(rows.find((entry) => entry.name === 'filesystem zfs-fuse')?.status, 'ok');
    assert.match(rows.find((entry) => entry.name === 'filesystem zfs-fuse')?.detail ?? '', /never comparable with kernel ZFS/);
    assert.match(rows.find((entry) => entry.name === 'filesystem zfs')?.detail ?? '', /^zfs kernel module missing; zpool is zfs-fuse's$/);
  });

  it('prints a table with the fix under each problem and a count line', () => {
    const text = formatDoctor([
      { name: 'root', status: 'ok', detail: 'running as root', fix: '' },
      { name: 'filesystem zfs', status: 'warn', detail: 'not in the kernel', fix: 'apt-get install zfsutils-linux' },
    ]);
    assert.match(text, /^ok {4}root/m);
    assert.match(text, /^WARN {2}filesystem zfs {2}not in the kernel\n {22}→ apt-get install zfsutils-linux$/m);
    assert.match(text, /1 ok, 1 warnings, 0 failures$/);
  });
});
