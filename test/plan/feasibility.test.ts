import assert from 'node:assert/strict';
import { STORAGE_DRIVER_REFUSALS, STORAGE_DRIVER_SUPPORT, refusalsOf, requiredBinaries } from '../../pipeline/plan/feasibility.ts';
import { findSkipReason, type Combination } from '../../pipeline/plan/find-skip-reason.ts';
import type { HostFacts } from '../../pipeline/types.ts';

/** This host's kind: zfs-fuse and FUSE, no zfs kernel module. */
function zfsFuseHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    isRoot: true, kernel: '6.18.0-test', distribution: 'Debian GNU/Linux 12', cpuModel: 'Test CPU', cores: 2, memoryBytes: 24 * 1024 ** 3,
    cgroupMode: 'v2', kernelFilesystems: ['ext4', 'xfs', 'btrfs', 'overlay', 'fuse'],
    binaries: Object.fromEntries(requiredBinaries().map((name) => [name, `/usr/sbin/${name}`])),
    loopControl: true, kernelFeatures: [], vm: { usable: false, reason: 'no KVM' },
    ...overrides,
  };
}

function cell(runtime: string, storageDriver: string, filesystem: string): Combination {
  return { runtime, storageDriver, filesystem, image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1 } as Combination;
}

describe('zfs-fuse in the feasibility table', () => {
  it('runs copy and zfs-clone on zfs-fuse for runc, crun and runsc', () => {
    for (const runtime of ['runc', 'crun', 'runsc']) {
      for (const driver of ['copy', 'zfs-clone']) assert.equal(findSkipReason(cell(runtime, driver, 'zfs-fuse'), zfsFuseHost()), undefined, `${runtime} ${driver}`);
    }
  });

  it('runs Docker\'s fuse-overlayfs on zfs-fuse: FUSE on FUSE works where the kernel\'s overlay does not', () => {
    assert.equal(findSkipReason(cell('docker', 'fuse-overlayfs', 'zfs-fuse'), zfsFuseHost()), undefined);
    assert.equal(findSkipReason(cell('docker+crun', 'fuse-overlayfs', 'zfs-fuse'), zfsFuseHost()), undefined);
  });

  it('skips kernel zfs without its module, saying the module is missing, while zfs-fuse runs', () => {
    assert.match(findSkipReason(cell('runc', 'zfs-clone', 'zfs'), zfsFuseHost()) ?? '', /^filesystem zfs: .*zfs kernel module missing/);
  });

  it('skips zfs-fuse without its daemon or without FUSE, saying what to install', () => {
    const noDaemon = zfsFuseHost();
    noDaemon.binaries['zfs-fuse'] = null;
    assert.equal(findSkipReason(cell('runc', 'copy', 'zfs-fuse'), noDaemon), "filesystem zfs-fuse: binary 'zfs-fuse' not found (apt-get install zfs-fuse)");
    assert.match(findSkipReason(cell('runc', 'copy', 'zfs-fuse'), zfsFuseHost({ kernelFilesystems: ['ext4'] })) ?? '', /no fuse support .*modprobe fuse/);
  });

  it('gives each runtime\'s refusal of its zfs driver on zfs-fuse in the tool\'s own words, and nothing else', () => {
    const expected: Record<string, RegExp> = {
      docker: /^Docker's zfs graph driver refuses a FUSE-backed ZFS: "failed to start daemon: error initializing graphdriver: prerequisites for driver not satisfied \(wrong filesystem\?\)"/,
      'docker-cli': /^Docker's zfs graph driver/,
      podman: /^Podman's zfs driver refuses a FUSE-backed ZFS: "Error: could not open \/dev\/zfs/,
      lxd: /^LXD's zfs storage pool refuses a FUSE-backed ZFS: "Error: Error loading "zfs" module/,
      lxc: /^LXC's zfs backing store refuses a FUSE-backed ZFS: "zfs_mount: 233 No such device/,
    };
    for (const [runtime, pattern] of Object.entries(expected)) {
      const reason = findSkipReason(cell(runtime, 'zfs', 'zfs-fuse'), zfsFuseHost()) ?? '';
      assert.match(reason, pattern, runtime);
      assert.doesNotMatch(reason, /does not work on zfs-fuse/, `${runtime}: the refusal replaces the support table's verdict`);
    }
  });

  it('plans overlay, overlay2 and overlayfs on zfs-fuse as infeasible, with the kernel\'s refusal of a FUSE upper layer', () => {
    for (const [runtime, driver] of [['runc', 'overlay'], ['crun', 'overlay'], ['runsc', 'overlay'], ['podman', 'overlay'], ['docker', 'overlay2'], ['lxc', 'overlayfs']] as const) {
      assert.match(findSkipReason(cell(runtime, driver, 'zfs-fuse'), zfsFuseHost()) ?? '', /overlayfs: upper fs missing required features/, `${runtime} ${driver}`);
    }
  });

  it('keeps the refusals to zfs-fuse: the same drivers elsewhere are judged as before', () => {
    assert.deepEqual(refusalsOf('docker', 'zfs', 'zfs'), []);
    assert.deepEqual(refusalsOf('runc', 'overlay', 'ext4'), []);
    assert.equal(findSkipReason(cell('docker', 'overlay2', 'ext4'), zfsFuseHost()), undefined);
    assert.equal(refusalsOf('docker+crun', 'zfs', 'zfs-fuse').length, 0, 'keyed by engine: the planner passes docker for docker+crun');
  });

  it('names only drivers the support table knows and runtimes of those drivers, each refusal with its words', () => {
    for (const [key, refusals] of Object.entries(STORAGE_DRIVER_REFUSALS)) {
      const [driver = '', filesystem] = key.split(' on ');
      assert.equal(filesystem, 'zfs-fuse', key);
      const runtimes = (STORAGE_DRIVER_SUPPORT[driver] ?? []).flatMap((row) => row.runtimes);
      for (const refusal of refusals) {
        assert.ok(refusal.runtimes.every((runtime) => runtimes.includes(runtime)), `${key}: ${refusal.runtimes.join(', ')}`);
        assert.ok(refusal.said.length > 0 && refusal.requirement.kind === 'unsupported');
        for (const said of refusal.said) assert.ok(refusal.requirement.kind === 'unsupported' && refusal.requirement.reason.includes(`"${said}"`));
      }
    }
  });
});
