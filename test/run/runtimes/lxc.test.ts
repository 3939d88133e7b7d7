import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { RUNTIMES } from '../../../pipeline/run/runtimes/index.ts';
import {
  blockDeviceSizeMiB, LXC_BACKING_STORES, lvmReleaseCommands, lvmSetupCommands, lxcBackingStoreOf, volumeGroupName, zfsRootCommands,
} from '../../../pipeline/run/runtimes/lxc-backing-store.ts';
import { buildLxcConfig, LXC_UNPACK_TEMPLATE, type LxcHostFacts } from '../../../pipeline/run/runtimes/lxc-config.ts';
import {
  baseContainerName, lxc, lxcContainer, lxcImportSteps, lxcLockDir, lxcMemoryCgroup, lxcTeardownCommands, privateLxcpathCommands,
} from '../../../pipeline/run/runtimes/lxc.ts';
import { containerSpec, record, shown } from './step-fixtures.ts';

const thisHost: LxcHostFacts = { lxcfsRunning: false, apparmorEnabled: false, swapAccounting: true };
const lxcpath = '/w/mnt/lxc.dir.ext4/lxc';

describe('LXC configuration', () => {
  it('writes the limits as v1 keys on a hybrid host, swap included, and leaves out lxcfs hooks and AppArmor where they do nothing', () => {
    assert.equal(buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'hybrid', facts: thisHost }), [
      '# crbench: the configuration of every container of this group (lxc-copy copies it from the base).',
      '# Seccomp, dropped capabilities and the device cgroup, as LXC\'s distribution templates set them:',
      'lxc.include = /usr/share/lxc/config/common.conf',
      '# lxcfs is not running: drop the hooks its package adds (a post-stop hook sleeps 0.5 s).',
      'lxc.hook.mount =',
      'lxc.hook.post-stop =',
      '# No network: a network namespace with a loopback only.',
      'lxc.net.0.type = empty',
      '# AppArmor is not enabled in this kernel.',
      'lxc.apparmor.profile = unconfined',
      'lxc.init.cmd = /bin/sleep 86400',
      'lxc.cgroup.memory.limit_in_bytes = 268435456',
      'lxc.cgroup.memory.memsw.limit_in_bytes = 268435456',
      'lxc.cgroup.pids.max = 256',
      'lxc.cgroup.cpu.cfs_quota_us = 100000',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      '',
    ].join('\n'));
  });

  it('uses the cgroup2 keys on a v2 host', () => {
    const text = buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'v2', facts: thisHost });
    assert.match(text, /^lxc\.cgroup2\.memory\.max = 268435456$/m);
    assert.match(text, /^lxc\.cgroup2\.memory\.swap\.max = 0$/m);
    assert.match(text, /^lxc\.cgroup2\.pids\.max = 256$/m);
    assert.doesNotMatch(text, /^lxc\.cgroup\./m);
  });

  it('keeps lxcfs\'s hooks when lxcfs runs, and LXC\'s AppArmor profile where AppArmor is enabled', () => {
    const text = buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'v1', facts: { lxcfsRunning: true, apparmorEnabled: true, swapAccounting: false } });
    assert.doesNotMatch(text, /lxc\.hook|apparmor|memsw/);
    assert.match(text, /^lxc\.net\.0\.type = empty$/m);
  });

  it('ships a template that unpacks the image tarball into the rootfs LXC passes it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-lxc-tpl-'));
    try {
      mkdirSync(path.join(dir, 'image/bin'), { recursive: true });
      writeFileSync(path.join(dir, 'image/bin/hello'), 'hi\n');
      execFileSync('tar', ['-cf', path.join(dir, 'image.tar'), '-C', path.join(dir, 'image'), '.']);
      writeFileSync(path.join(dir, 'unpack'), LXC_UNPACK_TEMPLATE, { mode: 0o755 });
      mkdirSync(path.join(dir, 'rootfs'));
      // As lxc-create calls it: its own options with '=', then the user's after them.
      execFileSync(path.join(dir, 'unpack'), [`--path=${dir}`, '--name=base', `--rootfs=${path.join(dir, 'rootfs')}`, '--tarball', path.join(dir, 'image.tar')]);
      assert.equal(readFileSync(path.join(dir, 'rootfs/bin/hello'), 'utf8'), 'hi\n');
      assert.throws(() => execFileSync(path.join(dir, 'unpack'), ['--name=base'], { stdio: 'pipe' }), /usage/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LXC backing stores', () => {
  const place = { zfsRoot: 'crbench-lxc.zfs.zfs/lxc-rootfs', volumeGroup: 'crbench-lxc.lvm.ext4' };
  const MiB = 1024 * 1024;

  it('makes the base with lxc-create -B and clones it with the store\'s own operation', () => {
    const expected: Record<string, { base: string[]; clone: string[] }> = {
      dir: { base: ['-B', 'dir'], clone: [] },
      btrfs: { base: ['-B', 'btrfs'], clone: ['-s'] },
      overlayfs: { base: ['-B', 'dir'], clone: ['-s', '-B', 'overlayfs'] },
      zfs: { base: ['-B', 'zfs', '--zfsroot', 'crbench-lxc.zfs.zfs/lxc-rootfs'], clone: ['-s'] },
      lvm: { base: ['-B', 'lvm', '--vgname', 'crbench-lxc.lvm.ext4', '--fstype', 'ext4', '--fssize', '64M'], clone: ['-s'] },
    };
    assert.deepEqual(Object.keys(LXC_BACKING_STORES), Object.keys(expected));
    for (const [name, { base, clone }] of Object.entries(expected)) {
      const store = lxcBackingStoreOf(name);
      assert.deepEqual(store.baseArgs(place, 2 * MiB), base, name);
      assert.deepEqual(store.cloneArgs, clone, name);
    }
  });

  it('sizes an LVM base for the image twice over, 64 MiB at least', () => {
    assert.equal(blockDeviceSizeMiB(0), 64);
    assert.equal(blockDeviceSizeMiB(300 * MiB), 632);
  });

  it('refuses a storage driver LXC does not have, saying which it has', () => {
    assert.throws(() => lxcBackingStoreOf('overlay2'), (error: Error & { code?: string }) =>
      error.code === 'UNKNOWN_STORAGE_DRIVER' && /dir, btrfs, overlayfs, zfs, lvm/.test(error.message));
  });

  it('prepares the zfs parent dataset and the LVM volume group, and removes the group again', () => {
    assert.deepEqual(zfsRootCommands('crbench-lxc.zfs.zfs/lxc-rootfs'), [['zfs', 'create', '-o', 'canmount=off', 'crbench-lxc.zfs.zfs/lxc-rootfs']]);
    assert.deepEqual(lvmSetupCommands('/dev/loop7', 'crbench-lxc.lvm.ext4'), [['pvcreate', '-y', '/dev/loop7'], ['vgcreate', 'crbench-lxc.lvm.ext4', '/dev/loop7']]);
    assert.deepEqual(lvmReleaseCommands('/dev/loop7', 'crbench-lxc.lvm.ext4'), [
      ['vgremove', '-f', 'crbench-lxc.lvm.ext4'], ['pvremove', '-y', '/dev/loop7'], ['losetup', '--detach', '/dev/loop7'],
    ]);
    assert.equal(volumeGroupName('lxc.lvm.ext4'), 'crbench-lxc.lvm.ext4');
    assert.equal(volumeGroupName('a/b c'), 'crbench-a-b-c');
  });
});

describe('LXC adapter', () => {
  const options = { lxcpath, cloneArgs: ['-s', '-B', 'overlayfs'], cgroupMode: 'hybrid' };

  it('is registered as lxc, its version asked from lxc-start', () => {
    assert.equal(RUNTIMES['lxc'], lxc);
    assert.deepEqual(lxc.versionArgv, ['lxc-start', '--version']);
  });

  it('imports an image by unpacking it into the group\'s base container with the backing store', () => {
    assert.equal(baseContainerName('tiny'), 'crbench-base-tiny');
    assert.deepEqual(lxcImportSteps({
      lxcpath, baseArgs: ['-B', 'btrfs'], configPath: '/w/setup/base.conf', templatePath: '/w/setup/crbench-unpack', image: 'tiny', tarballPath: '/cache/tiny.tar',
    }), [{
      kind: 'run', label: 'lxc-create',
      argv: ['lxc-create', '-P', lxcpath, '-n', 'crbench-base-tiny', '-B', 'btrfs', '-f', '/w/setup/base.conf', '-t', '/w/setup/crbench-unpack', '--', '--tarball', '/cache/tiny.tar'],
    }]);
  });

  describe('the exec shape', () => {
    const c = containerSpec('exec');
    const at = `-P ${lxcpath} -n ${c.id}`;

    it('clones the base, starts the sleeping init, attaches the workload, kills the init and destroys the clone, on the group\'s own lxcpath', () => {
      const plan = lxcContainer(options, c);
      assert.deepEqual(shown(plan.create()), [`lxc-copy: lxc-copy -P ${lxcpath} -n crbench-base-tiny -N ${c.id} -s -B overlayfs`]);
      assert.deepEqual(shown(plan.launch()), [`lxc-start: lxc-start ${at} -d`]);
      assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'lxc-attach', argv: ['lxc-attach', '-P', lxcpath, '-n', c.id, '--clear-env', '--', '/bin/true'], exitJudgedElsewhere: true }]);
      assert.deepEqual(shown(plan.clean()), [`lxc-destroy: lxc-destroy ${at}`]);
      assert.deepEqual(shown(plan.forceRemove()), [`lxc-stop -k: lxc-stop ${at} -k`, `lxc-destroy -f: lxc-destroy ${at} -f`]);
    });

    it('learns the init\'s pid after launch with lxc-info, outside the clock, and stop then waits for that pid', () => {
      const plan = lxcContainer(options, c);
      assert.equal(plan.after?.('create', []), undefined, 'nothing to learn after create');
      assert.deepEqual(shown(plan.stop()), [`lxc-stop: lxc-stop ${at} -k`], 'no pid yet: nothing to wait for');
      const follow = plan.after?.('launch', []);
      assert.ok(follow);
      assert.deepEqual(shown(follow.steps), [`lxc-info -p: lxc-info ${at} -p -H`]);
      // Pids stay below the largest pid_max, 4194304: no process of this host has this one.
      follow.learn([record({ stdout: '4194304\n' })]);
      assert.deepEqual(shown(plan.stop()), [`lxc-stop: lxc-stop ${at} -k`, 'init exit: wait-exit 4194304']);
      assert.equal(plan.memoryCgroup?.(), `/sys/fs/cgroup/memory/lxc.payload.${c.id}`, 'no such init: the name-based guess');
    });

    it('fails clearly when lxc-info gives no pid, with what it said', () => {
      const follow = lxcContainer(options, c).after?.('launch', []);
      assert.ok(follow);
      assert.throws(() => follow.learn([record({ stdout: '', stderr: `${c.id} is not running\n` })]),
        (error: Error & { code?: string }) => error.code === 'NO_INIT_PID' && error.message === `lxc-info -n ${c.id} -p gave no init pid: ${c.id} is not running`);
      assert.throws(() => follow.learn([record({ stdout: '0\n' })]), /gave no init pid/);
      assert.throws(() => follow.learn([]), /gave no init pid/);
    });

    it('reads the workload\'s run from lxc-attach\'s own record', () => {
      const workload = lxcContainer(options, c).workloadRun([record({ what: ['lxc-attach'], exitCode: 3, stdout: 'graded\n', stderr: 'warn\n', durationMs: 9 })]);
      assert.deepEqual([workload.argv, workload.exitCode, workload.stdout, workload.stderr, workload.durationMs], [['lxc-attach'], 3, 'graded\n', 'warn\n', 9]);
    });
  });

  describe('the command shape', () => {
    const c = containerSpec('command', { workloadArgv: ['/bin/sh', '/task/run'] });
    const at = `-P ${lxcpath} -n ${c.id}`;

    it('runs the workload as the container\'s command with lxc-execute in execute: launch and stop are empty', () => {
      const plan = lxcContainer(options, c);
      assert.deepEqual(shown(plan.create()), [`lxc-copy: lxc-copy -P ${lxcpath} -n crbench-base-tiny -N ${c.id} -s -B overlayfs`]);
      assert.deepEqual(plan.launch(), []);
      assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'lxc-execute', argv: ['lxc-execute', '-P', lxcpath, '-n', c.id, '--', '/bin/sh', '/task/run'], exitJudgedElsewhere: true }]);
      assert.deepEqual(plan.stop(), []);
      assert.deepEqual(shown(plan.clean()), [`lxc-destroy: lxc-destroy ${at}`]);
      assert.deepEqual(shown(plan.forceRemove()), [`lxc-stop -k: lxc-stop ${at} -k`, `lxc-destroy -f: lxc-destroy ${at} -f`]);
    });

    it('asks for no init pid (the container is gone after execute) and reads the workload from lxc-execute\'s record', () => {
      const plan = lxcContainer(options, c);
      assert.equal(plan.after?.('launch', []), undefined);
      assert.equal(plan.workloadRun([record({ exitCode: 1, stdout: 'fail\n' })]).stdout, 'fail\n');
    });
  });

  it('makes the lxcpath a private mount, so lxc-copy\'s bind mounts cannot reach the host', () => {
    assert.deepEqual(privateLxcpathCommands(lxcpath), [['mount', '--bind', lxcpath, lxcpath], ['mount', '--make-private', lxcpath]]);
  });

  it('tears down every container, the LVM group, the private mount and LXC\'s lock files, after a crash too', () => {
    const sweep = lxcTeardownCommands(lxcpath, null)[0];
    assert.deepEqual(sweep?.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(sweep?.slice(3), ['sh', lxcpath], 'the lxcpath goes in as a positional parameter');
    assert.match(sweep?.[2] ?? '', /lxc-ls -P "\$1" -1 --running\); do lxc-stop -P "\$1" -n "\$n" -k/);
    assert.match(sweep?.[2] ?? '', /crbench-base-\*\) ;; \*\) lxc-destroy/, 'clones go before the bases');
    assert.equal(lxcLockDir(lxcpath), `/run/lxc/lock${lxcpath}`);
    assert.deepEqual(lxcTeardownCommands(lxcpath, { device: '/dev/loop7', volumeGroup: 'vg' }).slice(1), [
      ['vgremove', '-f', 'vg'], ['pvremove', '-y', '/dev/loop7'], ['losetup', '--detach', '/dev/loop7'],
      ['umount', '--recursive', '--lazy', lxcpath],
      ['rm', '-rf', `/run/lxc/lock${lxcpath}`],
      ['rmdir', '--parents', '--ignore-fail-on-non-empty', path.dirname(`/run/lxc/lock${lxcpath}`)],
    ]);
  });

  it('finds a container\'s memory cgroup from its init, or by LXC\'s naming when the init is gone', () => {
    const procV1 = '9:name=systemd:/lxc.payload.c1\n8:pids:/lxc.payload.c1\n4:memory:/lxc.payload.c1-1\n0::/lxc.payload.c1\n';
    assert.equal(lxcMemoryCgroup('hybrid', 'c1', 10, () => procV1), '/sys/fs/cgroup/memory/lxc.payload.c1-1');
    assert.equal(lxcMemoryCgroup('v2', 'c1', 10, () => '0::/lxc.payload.c1\n'), '/sys/fs/cgroup/lxc.payload.c1');
    assert.equal(lxcMemoryCgroup('hybrid', 'c1', 10, () => { throw new Error('ENOENT'); }), '/sys/fs/cgroup/memory/lxc.payload.c1');
    assert.equal(lxcMemoryCgroup('v1', 'c1', null), '/sys/fs/cgroup/memory/lxc.payload.c1');
  });

  describe('describePhases()', () => {
    it('describes the exec shape with the command and the clone it makes, for every backing store', () => {
      for (const driver of Object.keys(LXC_BACKING_STORES)) {
        const phases = lxc.describePhases(driver, 'exec', 'lxc');
        assert.match(phases.create, /^lxc-copy -P LXCPATH -n BASE -N ID/, driver);
        assert.equal(phases.launch, 'lxc-start -P LXCPATH -n ID -d (returns once the container is RUNNING)');
        assert.equal(phases.execute, 'lxc-attach -P LXCPATH -n ID --clear-env -- WORKLOAD');
        assert.equal(phases.stop, 'lxc-stop -P LXCPATH -n ID -k, then wait until the init process has exited');
        assert.equal(phases.clean, 'lxc-destroy -P LXCPATH -n ID');
      }
      assert.match(lxc.describePhases('btrfs', 'exec', 'lxc').create, /-N ID -s \(a btrfs snapshot/);
      assert.match(lxc.describePhases('dir', 'exec', 'lxc').create, /-N ID \(a full copy/);
    });

    it('describes the command shape: nothing to launch or stop, lxc-execute doing the start and the run', () => {
      const phases = lxc.describePhases('overlayfs', 'command', 'lxc');
      assert.equal(phases.create, lxc.describePhases('overlayfs', 'exec', 'lxc').create);
      assert.match(phases.create, /-N ID -s -B overlayfs \(an overlay/);
      assert.match(phases.launch, /^nothing: LXC cannot start a container without its init, so lxc-execute in execute does the start too$/);
      assert.equal(phases.execute, 'lxc-execute -P LXCPATH -n ID -- WORKLOAD: starts the container with the workload as its command, runs it to its exit');
      assert.equal(phases.stop, 'nothing: the workload has exited, and with it the container');
      assert.equal(phases.clean, 'lxc-destroy -P LXCPATH -n ID');
    });
  });
});
