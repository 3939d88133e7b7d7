import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { adapterOf } from '../../../pipeline/run/runtimes/index.ts';
import {
  describePodmanPhases, MAX_RUNROOT_CHARS, podman, podmanConfigFiles, podmanGlobalFlags, podmanImageRef, podmanPaths, podmanPrefix, podmanSteps,
  podmanUlimits, PODMAN_HOST_PATHS, readProcessLimits,
} from '../../../pipeline/run/runtimes/podman.ts';
import { containerSpec, record, shown } from './step-fixtures.ts';

const paths = podmanPaths('/var/lib/crbench', 'podman.overlay.ext4', '/var/lib/crbench/mnt/podman.overlay.ext4');
const LIMITS = ['--network', 'none', '--memory', '268435456b', '--memory-swap', '268435456b', '--pids-limit', '256', '--cpus', '1'];
const ULIMITS = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];

describe('podman adapter', () => {
  it('is registered, and takes an OCI runtime (podman+crun)', () => {
    assert.equal(adapterOf('podman+crun'), podman);
    assert.deepEqual(podman.versionArgv, ['podman', '--version']);
  });

  it('keeps the store on the volume and the rest below the work directory, with a run root podman accepts', () => {
    assert.equal(paths.root, '/var/lib/crbench/mnt/podman.overlay.ext4/podman/root');
    assert.equal(paths.volumePath, '/var/lib/crbench/mnt/podman.overlay.ext4/podman/volumes');
    for (const dir of [paths.runRoot, paths.tmpDir, paths.hooksDir, paths.networkConfigDir, paths.storageConf]) assert.ok(dir.startsWith('/var/lib/crbench/ns/pm-'), dir);
    assert.ok(paths.runRoot.length <= MAX_RUNROOT_CHARS, paths.runRoot);
    assert.ok(podmanPaths('/var/tmp/crbench-it-abcdef', 'podman.overlay.btrfs', '/m').runRoot.length <= MAX_RUNROOT_CHARS);
    assert.match(paths.cgroupParent, /^crbench-[0-9a-f]{8}\/podman\.overlay\.ext4$/);
  });

  it('passes every location as a global flag, and runc only on hybrid cgroups', () => {
    const flags = podmanGlobalFlags(paths, 'overlay', 'v2');
    assert.deepEqual(flags, [
      '--root', paths.root, '--runroot', paths.runRoot, '--tmpdir', paths.tmpDir, '--storage-driver', 'overlay', '--storage-opt=',
      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--hooks-dir', paths.hooksDir,
      '--network-config-dir', paths.networkConfigDir, '--volumepath', paths.volumePath,
    ]);
    assert.deepEqual(podmanGlobalFlags(paths, 'overlay', 'hybrid').slice(-2), ['--runtime', 'runc']);
    assert.ok(!podmanGlobalFlags(paths, 'vfs', 'v1').includes('--runtime'));
  });

  it('runs the OCI runtime the group chose by its path, its flags as --runtime-flag without the dashes', () => {
    const crun = podmanGlobalFlags(paths, 'overlay', 'hybrid', { path: '/w/ns/pm-1/crun-wrapper', flags: [] });
    assert.deepEqual(crun.slice(-2), ['--runtime', '/w/ns/pm-1/crun-wrapper']);
    assert.equal(crun.filter((flag) => flag === '--runtime').length, 1, 'the chosen runtime replaces the hybrid host\'s runc');
    const runsc = podmanGlobalFlags(paths, 'overlay', 'v2', { path: '/usr/bin/runsc', flags: ['--network=none', '--platform=ptrace'] });
    assert.deepEqual(runsc.slice(-4), ['--runtime', '/usr/bin/runsc', '--runtime-flag=network=none', '--runtime-flag=platform=ptrace']);
    assert.deepEqual(podmanPrefix(paths, 'overlay', 'v2', { path: '/usr/bin/runsc', flags: [] }).slice(-2), ['--runtime', '/usr/bin/runsc']);
  });

  it('makes podman read our configuration files only, never the host\'s', () => {
    const prefix = podmanPrefix(paths, 'btrfs', 'v2');
    assert.deepEqual(prefix.slice(0, 5), [
      'env', `CONTAINERS_CONF=${paths.containersConf}`, `CONTAINERS_STORAGE_CONF=${paths.storageConf}`,
      `CONTAINERS_REGISTRIES_CONF=${paths.registriesConf}`, 'podman',
    ]);
    const files = podmanConfigFiles(paths, 'btrfs');
    assert.match(files[paths.storageConf] ?? '', /driver = "btrfs"\ngraphroot = "\/var\/lib\/crbench\/mnt\/podman\.overlay\.ext4\/podman\/root"\nrunroot = /);
    assert.match(files[paths.containersConf] ?? '', /static_dir = "\/var\/lib\/crbench\/mnt\/podman\.overlay\.ext4\/podman\/root\/libpod"/);
    assert.doesNotMatch(Object.values(files).join('\n') + prefix.join(' '), /\/var\/lib\/containers|\/run\/containers|\/etc\/containers/);
    assert.deepEqual(PODMAN_HOST_PATHS.filter((p) => p.startsWith('/var/lib/containers/storage')), []);
  });

  describe('steps', () => {
    const prefix = podmanPrefix(paths, 'overlay', 'hybrid');
    const p = prefix.join(' ');
    const steps = podmanSteps(prefix, { paths, limits: DEFAULT_LIMITS, ulimitFlags: ULIMITS });
    const createFlags = ['--cgroup-parent', `/${paths.cgroupParent}`, ...LIMITS, ...ULIMITS, '--log-driver', 'k8s-file'].join(' ');

    it('imports with its temporary files on the volume, as localhost/crbench/IMAGE:latest', () => {
      const [, ...rest] = prefix;
      assert.deepEqual(steps.importImage('tiny', '/cache/tiny.tar'), [
        { kind: 'run', label: 'import: mkdir', argv: ['mkdir', '-p', paths.importTmpDir] },
        { kind: 'run', label: 'podman import', argv: ['env', `TMPDIR=${paths.importTmpDir}`, ...rest, 'import', '--quiet', '/cache/tiny.tar', 'localhost/crbench/tiny:latest'] },
      ]);
      assert.equal(podmanImageRef('grader'), 'localhost/crbench/grader:latest');
    });

    it('exec shape: a sleeping init with the limits, the workload exec\'d into it, the init killed and waited for', () => {
      const c = containerSpec('exec');
      const plan = steps.container(c);
      assert.deepEqual(shown(plan.create()), [`podman create: ${p} create --name ${c.id} ${createFlags} localhost/crbench/tiny:latest /bin/sleep 86400`]);
      assert.deepEqual(shown(plan.launch()), [`podman start: ${p} start ${c.id}`]);
      assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'podman exec', argv: [...prefix, 'exec', c.id, '/bin/true'], exitJudgedElsewhere: true }]);
      assert.deepEqual(shown(plan.stop()), [`podman kill: ${p} kill ${c.id}`, `podman wait: ${p} wait ${c.id}`]);
      assert.deepEqual(shown(plan.clean()), [`podman rm: ${p} rm -f -v ${c.id}`]);
      assert.deepEqual(shown(plan.forceRemove()), [`podman rm --force: ${p} rm -f -v ${c.id}`]);
      assert.equal(plan.workloadRun([record({ stdout: 'hi\n', exitCode: 1 })]).exitCode, 1);
    });

    it('command shape: the workload as the command, wait + logs, nothing to stop; the exit from wait, the output from logs', () => {
      const c = containerSpec('command', { workloadArgv: ['/bin/sh', '/task/run'] });
      const plan = steps.container(c);
      assert.deepEqual(shown(plan.create()), [`podman create: ${p} create --name ${c.id} ${createFlags} localhost/crbench/tiny:latest /bin/sh /task/run`]);
      assert.deepEqual(shown(plan.launch()), [`podman start: ${p} start ${c.id}`]);
      assert.deepEqual(shown(plan.execute()), [`podman wait: ${p} wait ${c.id}`, `podman logs: ${p} logs ${c.id}`]);
      assert.deepEqual(plan.stop(), []);
      assert.deepEqual(shown(plan.clean()), [`podman rm: ${p} rm -f -v ${c.id}`]);
      assert.deepEqual(plan.workloadRun([record({ stdout: '0\n', durationMs: 3 }), record({ stdout: 'graded\n', stderr: '', durationMs: 2 })]),
        { argv: [`${c.id}:`, '/bin/sh', '/task/run'], durationMs: 5, exitCode: 0, signal: null, stdout: 'graded\n', stderr: '' });
      assert.throws(() => plan.workloadRun([record({ stdout: '' }), record()]), /expected an exit code from wait/);
    });

    it('removes whatever a crash left with one command', () => {
      assert.deepEqual(steps.removeAll(), [...prefix, 'rm', '--all', '--force', '--time', '0']);
    });
  });

  it('caps the rlimits a container asks for when runc may not raise them (no CAP_SYS_RESOURCE)', () => {
    const capped = podmanUlimits({ nofileHard: 20000, nprocHard: 96365, capSysResource: false });
    assert.deepEqual(capped.flags, ULIMITS);
    assert.match(capped.workaround ?? '', /without CAP_SYS_RESOURCE/);
    assert.deepEqual(podmanUlimits({ nofileHard: 1024, nprocHard: 4096, capSysResource: false }).flags,
      ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096']);
    assert.deepEqual(podmanUlimits({ nofileHard: Infinity, nprocHard: Infinity, capSysResource: true }), { flags: [] });
    const own = readProcessLimits();
    assert.ok(own.nofileHard > 0 && own.nprocHard > 0);
  });

  describe('describePhases()', () => {
    it('describes the exec shape with the limits and the global flags', () => {
      const phases = describePodmanPhases('overlay', 'exec', null);
      assert.match(phases.create, /^podman GLOBALS create --name ID --cgroup-parent \/CGROUP\/GROUP --network none --memory 268435456b --memory-swap 268435456b --pids-limit 256 --cpus 1 .*IMAGE \/bin\/sleep 86400 \(/);
      assert.match(phases.create, /--storage-driver overlay/);
      assert.match(phases.create, /--runtime runc \(crun, podman's default, refuses hybrid cgroups\)/);
      assert.equal(phases.launch, 'podman GLOBALS start ID: the sleeping init starts');
      assert.equal(phases.execute, 'podman GLOBALS exec ID WORKLOAD');
      assert.equal(phases.stop, 'podman GLOBALS kill ID, then podman GLOBALS wait ID (until the init has exited)');
      assert.match(phases.clean, /^podman GLOBALS rm -f -v ID/);
    });

    it('describes the command shape, and the OCI runtime of podman+crun', () => {
      const phases = podman.describePhases('overlay', 'command', 'podman+crun');
      assert.match(phases.create, /IMAGE WORKLOAD \(.*--runtime crun, .*\): the workload is the container's command/);
      assert.equal(phases.launch, 'podman GLOBALS start ID: the workload starts running');
      assert.equal(phases.execute, 'podman GLOBALS wait ID (prints the workload\'s exit code), then podman GLOBALS logs ID (its output)');
      assert.equal(phases.stop, 'nothing: the workload has exited, and with it the container');
    });
  });
});
