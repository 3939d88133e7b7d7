import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CGROUP_LIMITS_LABEL, CGROUP_RECREATE_LABEL, cgroupDirsOf, cgroupHierarchies, cgroupReturnSteps, cgroupsPathOf, checkCgroupBeforeTake,
  counterResets, createCgroupMember, limitWrites, removeCgroupDirs, type CgroupHierarchy, type CgroupLimits,
} from '../../../provision/pools/cgroup-pool.ts';
import { parseMounts } from '../../../provision/mounts.ts';

const LIMITS: CgroupLimits = { memoryBytes: 268435456, memoryAndSwapBytes: 268435456, pids: 256, cpuQuotaUs: 100000, cpuPeriodUs: 100000 };

/** This host's /proc/mounts, hybrid: v1 controllers, a named hierarchy and the cgroup2 mount. */
const HYBRID_MOUNTS = parseMounts([
  'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
  'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
  'cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0',
  'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
  'cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0',
  'cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0',
  'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
].join('\n'));

/** Runs a pool step for real with sh, as the executor would. */
const runStep = (argv: string[]) => spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });

describe('the cgroup pool', () => {
  let root: string;
  /** A fake tree laid out like /sys/fs/cgroup: one folder per hierarchy, cpuset's root with cpus and mems. */
  let hierarchies: CgroupHierarchy[];
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'crbench-cgroups-'));
    hierarchies = [
      { mountpoint: path.join(root, 'cpuset'), version: 1, controllers: ['cpuset'] },
      { mountpoint: path.join(root, 'memory'), version: 1, controllers: ['memory'] },
      { mountpoint: path.join(root, 'pids'), version: 1, controllers: ['pids'] },
      { mountpoint: path.join(root, 'cpu'), version: 1, controllers: ['cpu'] },
      { mountpoint: path.join(root, 'systemd'), version: 1, controllers: ['name=systemd'] },
    ];
    for (const hierarchy of hierarchies) mkdirSync(hierarchy.mountpoint);
    writeFileSync(path.join(root, 'cpuset', 'cpuset.cpus'), '0-1\n');
    writeFileSync(path.join(root, 'cpuset', 'cpuset.mems'), '0\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Makes a member as the kernel would show it: the files a fresh cgroup has, then the pool's writes. */
  function makeMember(index = 0) {
    const member = createCgroupMember(cgroupsPathOf('crbench-abcd', 'g', index), hierarchies, LIMITS);
    for (const dir of member.dirs) writeFileSync(path.join(dir, 'cgroup.procs'), '');
    return member;
  }

  it('cgroupHierarchies() takes every v1 hierarchy, named ones too, and cgroup2 unless the runtime cannot see it', () => {
    const withV2 = cgroupHierarchies(HYBRID_MOUNTS, { cgroup2: true }, () => 'hugetlb\n');
    assert.deepEqual(withV2.map((hierarchy) => `${hierarchy.mountpoint} v${hierarchy.version} ${hierarchy.controllers.join(',')}`), [
      '/sys/fs/cgroup/cpu v1 cpu', '/sys/fs/cgroup/cpuset v1 cpuset', '/sys/fs/cgroup/memory v1 memory', '/sys/fs/cgroup/pids v1 pids',
      '/sys/fs/cgroup/systemd v1 name=systemd', '/sys/fs/cgroup/unified v2 hugetlb',
    ]);
    assert.equal(cgroupHierarchies(HYBRID_MOUNTS, { cgroup2: false }).length, 5);
  });

  it('limitWrites() writes what runc writes for the OCI config\'s limits, v1 and v2, in an order the kernel takes', () => {
    const v1 = (controller: string) => limitWrites({ mountpoint: '/c', version: 1, controllers: [controller] }, '/c/p', LIMITS, { cpus: '0-1', mems: '0' }, true)
      .map(({ file, value }) => `${path.basename(file)}=${value}`);
    assert.deepEqual(v1('memory'), ['memory.limit_in_bytes=268435456', 'memory.memsw.limit_in_bytes=268435456']);
    assert.deepEqual(v1('pids'), ['pids.max=256']);
    assert.deepEqual(v1('cpu'), ['cpu.cfs_period_us=100000', 'cpu.cfs_quota_us=100000']);
    assert.deepEqual(v1('cpuset'), ['cpuset.cpus=0-1', 'cpuset.mems=0']);
    assert.deepEqual(v1('name=systemd'), []);
    const v2 = limitWrites({ mountpoint: '/c', version: 2, controllers: ['cpu', 'memory', 'pids'] }, '/c/p', LIMITS, undefined, false)
      .map(({ file, value }) => `${path.basename(file)}=${value}`);
    assert.deepEqual(v2, ['memory.max=268435456', 'memory.swap.max=0', 'pids.max=256', 'cpu.max=100000 100000']);
  });

  it('counterResets() resets v1 memory peaks and fail counts only (v2 has no global reset)', () => {
    assert.deepEqual(counterResets({ mountpoint: '/c', version: 1, controllers: ['memory'] }, '/c/p', true).map((file) => path.basename(file)),
      ['memory.max_usage_in_bytes', 'memory.failcnt', 'memory.memsw.max_usage_in_bytes', 'memory.memsw.failcnt']);
    assert.deepEqual(counterResets({ mountpoint: '/c', version: 2, controllers: ['memory'] }, '/c/p', false), []);
  });

  it('createCgroupMember() makes every level in every hierarchy, cpuset levels copying their parent, and writes the limits', () => {
    const member = makeMember();
    assert.equal(member.cgroupsPath, '/crbench-abcd/g/pool-0');
    assert.deepEqual(member.dirs, cgroupDirsOf(member.cgroupsPath, hierarchies));
    assert.equal(readFileSync(path.join(root, 'cpuset/crbench-abcd/g/cpuset.cpus'), 'utf8'), '0-1');
    assert.equal(readFileSync(path.join(root, 'cpuset/crbench-abcd/g/pool-0/cpuset.mems'), 'utf8'), '0');
    assert.equal(readFileSync(path.join(root, 'memory/crbench-abcd/g/pool-0/memory.limit_in_bytes'), 'utf8'), '268435456');
    assert.equal(readFileSync(path.join(root, 'cpu/crbench-abcd/g/pool-0/cpu.cfs_quota_us'), 'utf8'), '100000');
    assert.ok(existsSync(path.join(root, 'systemd/crbench-abcd/g/pool-0')));
    assert.equal(checkCgroupBeforeTake(member), undefined);
  });

  it('checkCgroupBeforeTake() refuses a member that is gone, holds a process, or lost a limit', () => {
    const member = makeMember();
    writeFileSync(path.join(member.dirs[1] as string, 'cgroup.procs'), '4242\n');
    assert.match(checkCgroupBeforeTake(member) ?? '', /still holds processes 4242/);
    writeFileSync(path.join(member.dirs[1] as string, 'cgroup.procs'), '');
    writeFileSync(path.join(member.dirs[2] as string, 'pids.max'), 'max\n');
    assert.match(checkCgroupBeforeTake(member) ?? '', /pids.max holds max, not 256/);
    rmSync(member.dirs[0] as string, { recursive: true });
    assert.match(checkCgroupBeforeTake(member) ?? '', /is gone/);
  });

  it('cgroupReturnSteps() re-create what the runtime removed and write its limits again, so the next check passes', () => {
    const member = makeMember();
    // What runc delete does to a cgroup it was handed: rmdir in every hierarchy.
    for (const dir of member.dirs) rmSync(dir, { recursive: true });
    const steps = cgroupReturnSteps(member);
    assert.deepEqual(steps.map((step) => step.label), [CGROUP_RECREATE_LABEL, CGROUP_LIMITS_LABEL]);
    for (const step of steps) assert.equal(runStep(step.argv).status, 0, step.label);
    for (const dir of member.dirs) writeFileSync(path.join(dir, 'cgroup.procs'), '');
    assert.equal(checkCgroupBeforeTake(member), undefined);
    assert.equal(readFileSync(path.join(member.dirs[1] as string, 'memory.max_usage_in_bytes'), 'utf8'), '0\n', 'the peak starts again from 0');
  });

  it('cgroupReturnSteps() wait for a cgroup still there to empty, and fail after 1 s, naming the process', () => {
    const member = makeMember();
    writeFileSync(path.join(member.dirs[2] as string, 'cgroup.procs'), '4242\n');
    const [recreate] = cgroupReturnSteps(member);
    const startMs = performance.now();
    const result = runStep(recreate?.argv ?? []);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /still holds process 4242 after 1 s/);
    assert.ok(performance.now() - startMs >= 900, 'it waited before giving up');
  });

  it('removeCgroupDirs() removes children first and tolerates what is already gone', async () => {
    const member = makeMember();
    mkdirSync(path.join(member.dirs[0] as string, 'child'));
    // Plain folders with files stand in for cgroups here: rmdir fails on them, and the function says so.
    const left = await removeCgroupDirs([...member.dirs, path.join(root, 'missing')], 0);
    assert.equal(left.length, member.dirs.length, 'a folder that is not empty is reported, not forced');
    assert.ok(!existsSync(path.join(member.dirs[0] as string, 'child')), 'the empty child went first');
  });
});
