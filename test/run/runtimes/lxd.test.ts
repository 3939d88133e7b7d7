import assert from 'node:assert/strict';
import { lxdClient, lxdDaemonSpec, lxdEnv, type LxdPaths } from '../../../provision/daemons/lxd.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { RUNTIMES } from '../../../pipeline/run/runtimes/index.ts';
import { blockedDirectories, lxd, lxdPathsOf, lxdTeardownCommands, restoreModeCommands } from '../../../pipeline/run/runtimes/lxd.ts';
import {
  LXD_POOL, lxdContainer, lxdImageMetadata, lxdImportSteps, lxdPoolArgs, lxdSetupCommands, warmContainerName,
} from '../../../pipeline/run/runtimes/lxd-setup.ts';
import { containerSpec, record, shown } from './step-fixtures.ts';

const mountpoint = '/w/mnt/lxd.btrfs.btrfs';
const paths: LxdPaths = lxdPathsOf(mountpoint, { lxcfsRunning: false });
const client = lxdClient(paths);

describe('LXD daemon of a group', () => {
  it('keeps everything on the group\'s volume, and leaves lxcfs\'s hooks out when lxcfs is not running', () => {
    assert.deepEqual(paths, { lxdDir: `${mountpoint}/lxd`, clientDir: `${mountpoint}/lxd-client`, templateConfigDir: `${mountpoint}/lxd-setup/no-lxcfs` });
    assert.equal(lxdPathsOf(mountpoint, { lxcfsRunning: true }).templateConfigDir, null);
  });

  it('talks to its own daemon only: every client call carries LXD_DIR and LXD_CONF', () => {
    assert.deepEqual(lxdEnv(paths), [`LXD_DIR=${mountpoint}/lxd`, `LXD_CONF=${mountpoint}/lxd-client`]);
    assert.deepEqual(client, ['env', `LXD_DIR=${mountpoint}/lxd`, `LXD_CONF=${mountpoint}/lxd-client`, 'lxc']);
  });

  it('starts lxd with its own LXD_DIR and log, and stops it with lxd shutdown on that LXD_DIR, an umount and the lock files', () => {
    const spec = lxdDaemonSpec('lxd.btrfs.btrfs', paths);
    assert.deepEqual(spec.argv, ['lxd', '--group', 'root', '--logfile', `${mountpoint}/lxd/lxd.log`]);
    assert.equal(spec.env.LXD_DIR, `${mountpoint}/lxd`);
    assert.equal(spec.env['LXD_LXC_TEMPLATE_CONFIG'], `${mountpoint}/lxd-setup/no-lxcfs`);
    assert.deepEqual(spec.shutdownCommands, [
      ['env', `LXD_DIR=${mountpoint}/lxd`, 'lxd', 'shutdown', '--timeout', '30'],
      ['umount', '--recursive', '--lazy', `${mountpoint}/lxd`],
      ['rm', '-rf', `/run/lxc/lock${mountpoint}/lxd`],
      ['rmdir', '--parents', '--ignore-fail-on-non-empty', `/run/lxc/lock${mountpoint}`],
    ]);
    assert.equal(lxdDaemonSpec('g', { ...paths, templateConfigDir: null }).env['LXD_LXC_TEMPLATE_CONFIG'], process.env['LXD_LXC_TEMPLATE_CONFIG']);
  });
});

describe('LXD setup without lxd init', () => {
  const place = { mountpoint, zfsDataset: 'crbench-lxd.zfs.zfs', lvmDevice: '/dev/loop7', volumeGroup: 'crbench-lxd.lvm.ext4' };

  it('puts the storage pool on the group\'s volume, for each driver', () => {
    assert.deepEqual(lxdPoolArgs('dir', place), ['dir', `source=${mountpoint}/pools/crbench`]);
    assert.deepEqual(lxdPoolArgs('btrfs', place), ['btrfs', `source=${mountpoint}/pools/crbench`]);
    assert.deepEqual(lxdPoolArgs('zfs', place), ['zfs', 'source=crbench-lxd.zfs.zfs/lxd']);
    assert.deepEqual(lxdPoolArgs('lvm', place), ['lvm', 'source=/dev/loop7', 'lvm.vg_name=crbench-lxd.lvm.ext4']);
    assert.throws(() => lxdPoolArgs('overlay2', place), (error: Error & { code?: string }) => error.code === 'UNKNOWN_STORAGE_DRIVER' && /dir, btrfs, zfs, lvm/.test(error.message));
    assert.ok(!lxdPoolArgs('dir', place)[1]?.startsWith(`source=${paths.lxdDir}`), 'LXD refuses a source that starts with LXD_DIR');
  });

  it('makes the pool, the default profile\'s root disk, the limits and a sleeping init, with no network', () => {
    assert.deepEqual(lxdSetupCommands(client, ['btrfs', `source=${mountpoint}/pools/crbench`], DEFAULT_LIMITS), [
      [...client, 'storage', 'create', 'crbench', 'btrfs', `source=${mountpoint}/pools/crbench`],
      [...client, 'profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=crbench'],
      [...client, 'profile', 'set', 'default', 'limits.memory=268435456', 'limits.memory.swap=false', 'limits.processes=256', 'limits.cpu.allowance=100ms/100ms', 'raw.lxc=lxc.init.cmd = /bin/sleep 86400'],
    ]);
    assert.equal(LXD_POOL, 'crbench');
    assert.ok(!lxdSetupCommands(client, ['dir'], DEFAULT_LIMITS).flat().some((arg) => /network|nic|bridge/.test(arg)));
  });

  it('imports the rootfs tarball as it is, with a metadata tarball beside it, then makes the image volume once', () => {
    assert.deepEqual(lxdImportSteps(client, { image: 'tiny', tarballPath: '/cache/tiny.tar', metadataDir: '/w/meta', metadataTarball: '/w/meta/tiny.metadata.tar' }), [
      { kind: 'run', label: 'import: tar metadata', argv: ['tar', '-cf', '/w/meta/tiny.metadata.tar', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', '/w/meta', 'metadata.yaml'] },
      { kind: 'run', label: 'lxc image import', argv: [...client, 'image', 'import', '/w/meta/tiny.metadata.tar', '/cache/tiny.tar', '--alias', 'tiny'] },
      { kind: 'run', label: 'lxc init (warm-up)', argv: [...client, 'init', 'tiny', 'crbench-warm-tiny'] },
      { kind: 'run', label: 'lxc delete (warm-up)', argv: [...client, 'delete', 'crbench-warm-tiny'] },
    ]);
    assert.equal(warmContainerName('grader'), 'crbench-warm-grader');
    assert.equal(lxdImageMetadata('tiny', 'x86_64'), 'architecture: x86_64\ncreation_date: 1704067200\nproperties:\n  description: crbench tiny image\n');
  });
});

describe('LXD adapter', () => {
  const c = containerSpec('exec');
  const l = client.join(' ');

  it('is registered as lxd, its version asked from lxd', () => {
    assert.equal(RUNTIMES['lxd'], lxd);
    assert.deepEqual(lxd.versionArgv, ['lxd', '--version']);
  });

  it('builds each phase of the exec shape as a client call to the group\'s daemon', () => {
    const plan = lxdContainer(client, 'hybrid', c);
    assert.deepEqual(shown(plan.create()), [`lxc init: ${l} init tiny ${c.id}`]);
    assert.deepEqual(shown(plan.launch()), [`lxc start: ${l} start ${c.id}`]);
    assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'lxc exec', argv: [...client, 'exec', c.id, '--', '/bin/true'], exitJudgedElsewhere: true }]);
    assert.deepEqual(shown(plan.stop()), [`lxc stop: ${l} stop ${c.id} --force`], 'no pid yet: nothing to wait for');
    assert.deepEqual(shown(plan.clean()), [`lxc delete: ${l} delete ${c.id}`]);
    assert.deepEqual(shown(plan.forceRemove()), [`lxc delete --force: ${l} delete --force ${c.id}`]);
  });

  it('learns the init\'s pid after launch from the instance\'s state, outside the clock, and stop then waits for it', () => {
    const plan = lxdContainer(client, 'hybrid', c);
    assert.equal(plan.after?.('create', []), undefined);
    const follow = plan.after?.('launch', []);
    assert.ok(follow);
    assert.deepEqual(shown(follow.steps), [`lxc query state: ${l} query /1.0/instances/${c.id}/state`]);
    // Pids stay below the largest pid_max, 4194304: no process of this host has this one.
    follow.learn([record({ stdout: '{"status":"Running","status_code":103,"pid":4194304,"processes":1}' })]);
    assert.deepEqual(shown(plan.stop()), [`lxc stop: ${l} stop ${c.id} --force`, 'init exit: wait-exit 4194304']);
    assert.equal(plan.memoryCgroup?.(), `/sys/fs/cgroup/memory/lxc.payload.${c.id}`);
  });

  it('fails clearly when the instance\'s state gives no pid, with what the client said', () => {
    const follow = lxdContainer(client, 'hybrid', c).after?.('launch', []);
    assert.ok(follow);
    assert.throws(() => follow.learn([record({ stdout: '', stderr: 'Error: Instance not found\n' })]),
      (error: Error & { code?: string }) => error.code === 'NO_INIT_PID' && error.message === `lxc query /1.0/instances/${c.id}/state gave no init pid: Error: Instance not found`);
    assert.throws(() => follow.learn([record({ stdout: '{"status":"Stopped","pid":0}' })]), /gave no init pid/);
    assert.throws(() => follow.learn([record({ stdout: '{"pid":"12"}' })]), /gave no init pid/);
  });

  it('reads the workload\'s run from lxc exec\'s own record', () => {
    const workload = lxdContainer(client, 'v2', c).workloadRun([record({ what: ['lxc', 'exec'], exitCode: 4, stdout: 'out\n', durationMs: 11 })]);
    assert.deepEqual([workload.exitCode, workload.stdout, workload.durationMs], [4, 'out\n', 11]);
  });

  it('force-stops every instance after a crash, and removes the lvm driver\'s volume group', () => {
    assert.deepEqual(lxdTeardownCommands(client, null), [[...client, 'stop', '--all', '--force']]);
    assert.deepEqual(lxdTeardownCommands(client, { device: '/dev/loop7', volumeGroup: 'vg' }), [
      [...client, 'stop', '--all', '--force'], ['vgremove', '-f', 'vg'], ['pvremove', '-y', '/dev/loop7'], ['losetup', '--detach', '/dev/loop7'],
    ]);
  });

  it('describes each phase of its one shape (exec), naming the unprivileged containers\' id shift', () => {
    const phases = lxd.describePhases('btrfs', 'exec', 'lxd');
    assert.equal(phases.create, 'env LXD_DIR=STATE LXD_CONF=CLIENT lxc init IMAGE ID (root disk on a btrfs pool: a clone of the image volume)');
    assert.match(phases.launch, /start ID \(unprivileged: the first start shifts/);
    assert.equal(phases.execute, 'env LXD_DIR=STATE LXD_CONF=CLIENT lxc exec ID -- WORKLOAD');
    assert.equal(phases.stop, 'env LXD_DIR=STATE LXD_CONF=CLIENT lxc stop ID --force, then wait until the init process has exited');
    assert.equal(phases.clean, 'env LXD_DIR=STATE LXD_CONF=CLIENT lxc delete ID');
    assert.match(lxd.describePhases('dir', 'exec', 'lxd').create, /unpacked for every container/);
    assert.throws(() => lxd.describePhases('overlayfs', 'exec', 'lxd'), /LXD has no storage driver named 'overlayfs'/);
  });
});

describe('LXD and a private work directory', () => {
  const modes: Record<string, number> = { '/': 0o40755, '/var': 0o40755, '/var/lib': 0o40755, '/var/lib/crbench': 0o40700, '/var/lib/crbench/mnt': 0o40755, '/var/lib/crbench/mnt/g': 0o40755 };

  it('finds the directories an unprivileged container\'s root cannot traverse, and how to put them back', () => {
    const blocked = blockedDirectories('/var/lib/crbench', '/var/lib/crbench/mnt/g', (dir) => modes[dir] ?? 0o40755);
    assert.deepEqual(blocked, [{ dir: '/var/lib/crbench', mode: 0o700 }]);
    assert.deepEqual(restoreModeCommands(blocked), [['chmod', '0700', '/var/lib/crbench']]);
    assert.deepEqual(lxdTeardownCommands(client, null, restoreModeCommands(blocked)).at(-1), ['chmod', '0700', '/var/lib/crbench']);
  });

  it('refuses, with what to do, when a directory above the work directory blocks the way', () => {
    assert.throws(() => blockedDirectories('/root/crbench', '/root/crbench/mnt/g', (dir) => (dir === '/root' ? 0o40700 : 0o40755)),
      (error: Error & { code?: string }) => error.code === 'NOT_TRAVERSABLE' && /chmod o\+x \/root/.test(error.message));
  });
});
