import assert from 'node:assert/strict';
import { IMAGE_PROVIDES, readOnlyRootConflicts, requiredBinaries, SIZED_IMAGE_NAMES, STORAGE_DRIVER_WRITABLE, WORKLOAD_WRITES } from '../../pipeline/plan/feasibility.ts';
import { findSkipReason, type Combination } from '../../pipeline/plan/find-skip-reason.ts';
import { bindWritableDirs } from '../../pipeline/run/storage/bind.ts';
import { SIZED_IMAGE_BYTES } from '../../provision/images/sized.ts';
import type { HostFacts } from '../../pipeline/types.ts';

/** A host with every binary, overlay and the three filesystems: what is skipped is skipped by design. */
const HOST: HostFacts = {
  isRoot: true, kernel: '6.18.0-test', distribution: 'Debian GNU/Linux 12', cpuModel: 'Test CPU', cores: 2, memoryBytes: 24 * 1024 ** 3,
  cgroupMode: 'hybrid', kernelFilesystems: ['ext4', 'xfs', 'btrfs', 'overlay'],
  binaries: Object.fromEntries(requiredBinaries().map((name) => [name, `/usr/bin/${name}`])),
  loopControl: true, kernelFeatures: [], vm: { usable: false, reason: 'no KVM' },
} as HostFacts;

const cell = (overrides: Partial<Combination>): Combination => ({
  runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, ...overrides,
});

describe('the SOCK levers in the feasibility table', () => {
  it('runs bind for runc, crun and runsc on ext4, xfs and btrfs', () => {
    for (const runtime of ['runc', 'crun', 'runsc']) {
      for (const filesystem of ['ext4', 'xfs', 'btrfs']) assert.equal(findSkipReason(cell({ runtime, storageDriver: 'bind', filesystem }), HOST), undefined, `${runtime} ${filesystem}`);
    }
    assert.match(findSkipReason(cell({ runtime: 'docker', storageDriver: 'bind' }), HOST) ?? '', /storage driver bind does not work with runtime docker/);
  });

  it('skips workloads that write outside /tmp and /task under bind, saying what they write', () => {
    assert.match(findSkipReason(cell({ storageDriver: 'bind', image: 'grader', workload: 'copy-up' }), HOST) ?? '',
      /workload copy-up writes a block of the image's \/data\/large.bin, in place, but storage driver bind keeps the root read-only \(only \/tmp and \/task are writable\)/);
    assert.match(findSkipReason(cell({ storageDriver: 'bind', workload: 'write' }), HOST) ?? '', /workload write writes a 64 MiB file on the root filesystem/);
    for (const workload of ['noop', 'cpu', 'limit-memory', 'limit-pids', 'limit-network', 'probe-security']) {
      assert.equal(findSkipReason(cell({ storageDriver: 'bind', workload }), HOST), undefined, workload);
    }
    for (const workload of ['grade-c', 'grade-python']) assert.equal(findSkipReason(cell({ storageDriver: 'bind', image: 'grader', workload }), HOST), undefined, workload);
    assert.equal(findSkipReason(cell({ storageDriver: 'overlay', workload: 'write' }), HOST), undefined, 'a writable root takes every workload');
  });

  it('readOnlyRootConflicts() counts a path below a writable directory as writable, and refuses a workload it knows nothing of', () => {
    assert.deepEqual(readOnlyRootConflicts('bind', 'grade-c'), []);
    assert.deepEqual(readOnlyRootConflicts('copy', 'copy-up'), []);
    assert.match(readOnlyRootConflicts('bind', 'not-a-workload')[0] ?? '', /WORKLOAD_WRITES does not say where workload not-a-workload writes/);
    assert.deepEqual(STORAGE_DRIVER_WRITABLE['bind'], bindWritableDirs().map((dir) => dir.path), 'the planner and the driver agree');
    assert.ok(Object.values(WORKLOAD_WRITES).flat().every((write) => write.path.startsWith('/')));
  });

  it('runs netns reused and host on runc and crun only, saying why runsc cannot', () => {
    for (const runtime of ['runc', 'crun']) {
      for (const netns of ['reused', 'host'] as const) assert.equal(findSkipReason(cell({ runtime, netns }), HOST), undefined, `${runtime} ${netns}`);
    }
    assert.match(findSkipReason(cell({ runtime: 'runsc', netns: 'reused' }), HOST) ?? '', /runsc --network=none puts its sandbox in a namespace of its own/);
    assert.match(findSkipReason(cell({ runtime: 'docker', storageDriver: 'overlay2', netns: 'reused' }), HOST) ?? '', /no pool of holder containers/);
  });

  it('needs unshare, nsenter and ip for a pool of namespaces, naming the package', () => {
    const host = { ...HOST, binaries: { ...HOST.binaries, nsenter: null } } as HostFacts;
    assert.match(findSkipReason(cell({ netns: 'reused' }), host) ?? '', /network namespace reused: binary 'nsenter' not found \(apt-get install util-linux\)/);
  });

  it('runs cgroup reused on runc and crun only', () => {
    assert.equal(findSkipReason(cell({ runtime: 'crun', cgroup: 'reused', concurrency: 8 }), HOST), undefined);
    assert.match(findSkipReason(cell({ runtime: 'runsc', cgroup: 'reused' }), HOST) ?? '', /cgroup reused does not work with runtime runsc/);
  });

  it('knows the sized images the recipes make, each needing busybox and offering what tiny offers', () => {
    assert.deepEqual([...SIZED_IMAGE_NAMES].sort(), Object.keys(SIZED_IMAGE_BYTES).sort());
    for (const image of SIZED_IMAGE_NAMES) {
      assert.deepEqual(IMAGE_PROVIDES[image], []);
      assert.equal(findSkipReason(cell({ image, storageDriver: 'bind' }), HOST), undefined, image);
    }
    assert.match(findSkipReason(cell({ image: 'sized-1g', workload: 'grade-c' }), HOST) ?? '', /needs gcc, make, which image sized-1g does not have/);
  });
});
