import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import type { Container } from '../../../pipeline/run/runtimes/index.ts';
import {
  describePodmanPhases, MAX_RUNROOT_CHARS, podmanConfigFiles, podmanGlobalFlags, podmanImageRef, podmanPaths, podmanPrefix, podmanSteps,
  podmanUlimits, PODMAN_HOST_PATHS, readProcessLimits,
} from '../../../pipeline/run/runtimes/podman.ts';

const container: Container = { id: 'tiny-noop-c1-b0-r0', image: 'tiny', dir: '/unused', workloadArgv: ['/bin/true'], initPid: null };
const paths = podmanPaths('/var/lib/crbench', 'podman.overlay.ext4', '/var/lib/crbench/mnt/podman.overlay.ext4');

describe('podman adapter', () => {
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

  it('builds import, create, start, wait/logs, stop and rm with the limits on every container', () => {
    const prefix = podmanPrefix(paths, 'overlay', 'hybrid');
    const ulimitFlags = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];
    const steps = podmanSteps(prefix, { paths, limits: DEFAULT_LIMITS, ulimitFlags, scratchDir: '/scratch' });
    const [, ...rest] = prefix;
    assert.deepEqual(steps.importImage('tiny', '/cache/tiny.tar'), [
      { kind: 'run', argv: ['mkdir', '-p', paths.importTmpDir] },
      { kind: 'run', argv: ['env', `TMPDIR=${paths.importTmpDir}`, ...rest, 'import', '--quiet', '/cache/tiny.tar', 'localhost/crbench/tiny:latest'] },
    ]);
    assert.deepEqual(steps.create(container), [{
      kind: 'run',
      argv: [...prefix, 'create', '--name', container.id, '--cgroup-parent', `/${paths.cgroupParent}`, '--network', 'none',
        '--memory', '268435456b', '--memory-swap', '268435456b', '--pids-limit', '256', '--cpus', '1', ...ulimitFlags, '--log-driver', 'k8s-file',
        'localhost/crbench/tiny:latest', '/bin/true'],
    }]);
    assert.deepEqual(steps.launch(container), [{ kind: 'run', argv: [...prefix, 'start', container.id] }]);
    assert.deepEqual(steps.execute(container, ['/bin/true']).map((step) => (step.kind === 'call' ? step.what : step.kind)),
      [[...prefix, 'wait', container.id].join(' '), [...prefix, 'logs', container.id].join(' ')]);
    assert.deepEqual(steps.stop(container), [{ kind: 'run', argv: [...prefix, 'stop', '-t', '0', container.id] }]);
    assert.deepEqual(steps.clean(container), [{ kind: 'run', argv: [...prefix, 'rm', '-f', '-v', container.id] }]);
    assert.deepEqual(steps.removeAll(), [...prefix, 'rm', '--all', '--force', '--time', '0']);
    assert.equal(podmanImageRef('grader'), 'localhost/crbench/grader:latest');
  });

  it('caps the rlimits a container asks for when runc may not raise them (no CAP_SYS_RESOURCE)', () => {
    const capped = podmanUlimits({ nofileHard: 20000, nprocHard: 96365, capSysResource: false });
    assert.deepEqual(capped.flags, ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768']);
    assert.match(capped.workaround ?? '', /without CAP_SYS_RESOURCE/);
    assert.deepEqual(podmanUlimits({ nofileHard: 1024, nprocHard: 4096, capSysResource: false }).flags,
      ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096']);
    assert.deepEqual(podmanUlimits({ nofileHard: Infinity, nprocHard: Infinity, capSysResource: true }), { flags: [] });
    const own = readProcessLimits();
    assert.ok(own.nofileHard > 0 && own.nprocHard > 0);
  });

  it('describes each command with the limits, the global flags and the INGInious life cycle', () => {
    const phases = describePodmanPhases('overlay');
    assert.match(phases.create, /^podman GLOBALS create --name ID --cgroup-parent \/CGROUP\/GROUP --network none --memory 268435456b --memory-swap 268435456b --pids-limit 256 --cpus 1/);
    assert.match(phases.create, /--storage-driver overlay/);
    assert.match(phases.create, /--runtime runc on hybrid cgroups/);
    assert.match(phases.create, /no sleeping init and no exec/);
    assert.match(phases.execute, /wait ID .* logs ID/);
    assert.match(phases.clean, /rm -f -v ID/);
  });
});
