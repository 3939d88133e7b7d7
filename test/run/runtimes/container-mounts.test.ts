import assert from 'node:assert/strict';
import { buildOciConfig, ociBindMounts } from '../../../pipeline/run/oci-config.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { volumeFlags } from '../../../pipeline/run/runtimes/docker-common.ts';
import { dockerCliSteps } from '../../../pipeline/run/runtimes/docker-cli.ts';
import { createContainerBody, dockerApiSteps } from '../../../pipeline/run/runtimes/docker.ts';
import { lxcContainer, lxcMountDefines } from '../../../pipeline/run/runtimes/lxc.ts';
import type { ContainerMount } from '../../../pipeline/run/runtimes/runtime-adapter.ts';
import type { ContainerSecurity } from '../../../pipeline/run/security/container-security.ts';
import { asHttp, containerSpec } from './step-fixtures.ts';

/** INGInious's grading container: the task read-write, the sockets, the course's common files read-only. */
const MOUNTS: ContainerMount[] = [
  { source: '/w/mnt/g/containers/x/submission/task', destination: '/task', readonly: false },
  { source: '/w/mnt/g/containers/x/submission/sockets', destination: '/sockets', readonly: false },
  { source: '/w/mnt/g/containers/x/submission/course/common', destination: '/course/common', readonly: true },
];

const NO_CONFINEMENT: ContainerSecurity = { seccomp: undefined, capabilities: [], noNewPrivileges: true, maskedPaths: [], readonlyPaths: [] } as unknown as ContainerSecurity;

describe('bind mounts in every adapter (ContainerSpec.mounts)', () => {
  it('adds them to the OCI config after runc spec\'s mounts, as rbind rprivate ro|rw', () => {
    const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, security: NO_CONFINEMENT, mounts: MOUNTS }) as { mounts: { destination: string }[] };
    assert.deepEqual(config.mounts.slice(-3), [
      { destination: '/task', type: 'bind', source: MOUNTS[0]!.source, options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/sockets', type: 'bind', source: MOUNTS[1]!.source, options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/course/common', type: 'bind', source: MOUNTS[2]!.source, options: ['rbind', 'rprivate', 'ro'] },
    ]);
    assert.deepEqual(config.mounts.slice(-3), ociBindMounts(MOUNTS));
  });

  it('leaves the OCI config as it was without mounts', () => {
    const without = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, security: NO_CONFINEMENT }) as { mounts: { destination: string }[] };
    assert.equal(without.mounts.some((mount) => mount.destination === '/task'), false);
    assert.deepEqual(buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, security: NO_CONFINEMENT, mounts: [] }), without);
  });

  it('sends them to the Engine API as HostConfig.Binds, SRC:DST:rw|ro (what docker-py makes of volumes=)', () => {
    const body = createContainerBody('grader', ['/bin/sh', '/task/run'], DEFAULT_LIMITS, null, MOUNTS) as { HostConfig: { Binds?: string[] } };
    assert.deepEqual(body.HostConfig.Binds, [`${MOUNTS[0]!.source}:/task:rw`, `${MOUNTS[1]!.source}:/sockets:rw`, `${MOUNTS[2]!.source}:/course/common:ro`]);
    const plain = createContainerBody('grader', ['/bin/true'], DEFAULT_LIMITS) as { HostConfig: Record<string, unknown> };
    assert.equal('Binds' in plain.HostConfig, false);
    const plan = dockerApiSteps({ socketPath: '/s', apiVersion: '1.41', runtime: null }, DEFAULT_LIMITS).container(containerSpec('command', { mounts: MOUNTS }));
    const create = asHttp(plan.create()[0]).json as { HostConfig: { Binds?: string[] } };
    assert.deepEqual(create.HostConfig.Binds, body.HostConfig.Binds);
  });

  it('gives docker and podman -v SRC:DST[:ro] before the image', () => {
    assert.deepEqual(volumeFlags(MOUNTS), ['-v', `${MOUNTS[0]!.source}:/task`, '-v', `${MOUNTS[1]!.source}:/sockets`, '-v', `${MOUNTS[2]!.source}:/course/common:ro`]);
    const plan = dockerCliSteps(['docker'], DEFAULT_LIMITS, null).container(containerSpec('command', { mounts: MOUNTS, workloadArgv: ['/bin/sh', '/task/run'] }));
    const step = plan.create()[0];
    assert.ok(step?.kind === 'run');
    const image = step.argv.indexOf('crbench/tiny:latest');
    assert.deepEqual(step.argv.slice(image - 6, image), volumeFlags(MOUNTS));
    assert.deepEqual(step.argv.slice(image + 1), ['/bin/sh', '/task/run']);
  });

  it('defines them for LXC\'s start as lxc.mount.entry lines relative to the root, in both shapes', () => {
    assert.deepEqual(lxcMountDefines(MOUNTS.slice(1)), [
      '-s', `lxc.mount.entry=${MOUNTS[1]!.source} sockets none bind,create=dir 0 0`,
      '-s', `lxc.mount.entry=${MOUNTS[2]!.source} course/common none bind,create=dir,ro 0 0`,
    ]);
    const options = { lxcpath: '/w/mnt/g/lxc', cloneArgs: [], cgroupMode: 'hybrid' };
    const command = lxcContainer(options, containerSpec('command', { mounts: MOUNTS.slice(0, 1) })).execute()[0];
    assert.ok(command?.kind === 'run');
    assert.deepEqual(command.argv.slice(0, command.argv.indexOf('--')).slice(-2), ['-s', `lxc.mount.entry=${MOUNTS[0]!.source} task none bind,create=dir 0 0`]);
    const exec = lxcContainer(options, containerSpec('exec', { mounts: MOUNTS.slice(0, 1) })).launch()[0];
    assert.ok(exec?.kind === 'run');
    assert.deepEqual(exec.argv.slice(-3), ['-s', `lxc.mount.entry=${MOUNTS[0]!.source} task none bind,create=dir 0 0`, '-d']);
  });

  it('refuses an LXC mount whose path has a blank, which an fstab line cannot hold', () => {
    assert.throws(() => lxcMountDefines([{ source: '/a b', destination: '/task', readonly: false }]), { code: 'BAD_MOUNT_PATH' });
  });
});
