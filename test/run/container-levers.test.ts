import assert from 'node:assert/strict';
import { applyContainerLevers, buildOciConfig } from '../../pipeline/run/oci-config.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { bind } from '../../pipeline/run/storage/bind.ts';
import type { ContainerSecurity } from '../../pipeline/run/security/container-security.ts';

const NO_CONFINEMENT = { seccomp: undefined, capabilities: [], noNewPrivileges: true, maskedPaths: [], readonlyPaths: [] } as unknown as ContainerSecurity;

interface Config {
  root: { path: string; readonly: boolean };
  mounts: { destination: string; type: string }[];
  linux: { cgroupsPath?: string; namespaces: { type: string; path?: string }[]; resources: Record<string, unknown> };
}

const fresh = (mounts?: { source: string; destination: string; readonly: boolean }[]) =>
  buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, cgroupsPath: '/p/c', security: NO_CONFINEMENT, ...(mounts !== undefined ? { mounts } : {}) });

describe('applyContainerLevers()', () => {
  it('leaves a fresh container\'s config as it is without levers', () => {
    assert.deepEqual(applyContainerLevers(fresh(), {}), fresh());
  });

  it('netns reused: the network namespace entry names the pool\'s file; the other namespaces stay new', () => {
    const config = applyContainerLevers(fresh(), { netns: { mode: 'reused', path: '/w/pools/g/net-3' } }) as Config;
    assert.deepEqual(config.linux.namespaces, [{ type: 'pid' }, { type: 'network', path: '/w/pools/g/net-3' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
  });

  it('netns host: no network namespace entry at all (the host\'s network, no isolation)', () => {
    const config = applyContainerLevers(fresh(), { netns: { mode: 'host' } }) as Config;
    assert.deepEqual(config.linux.namespaces.map((namespace) => namespace.type), ['pid', 'ipc', 'uts', 'mount']);
  });

  it('limitsInCgroup: asks the runtime for no memory, pids or CPU limit (the pooled cgroup has them), keeping the device rules', () => {
    const config = applyContainerLevers(fresh(), { limitsInCgroup: true }) as Config;
    assert.deepEqual(Object.keys(config.linux.resources), ['devices']);
    assert.equal(config.linux.cgroupsPath, '/p/c');
    assert.deepEqual(Object.keys((fresh() as Config).linux.resources).sort(), ['cpu', 'devices', 'memory', 'pids'], 'a fresh one keeps them');
  });

  it('rootfs: a read-only root, the driver\'s mounts after runc spec\'s and before the container\'s own bind mounts', () => {
    const own = [{ source: '/w/sub/task', destination: '/task', readonly: false }];
    const config = applyContainerLevers(fresh(own), { rootfs: bind.bundle?.('/m/c/x/rootfs') }) as Config;
    assert.equal(config.root.readonly, true);
    assert.equal(config.root.path, 'rootfs');
    assert.deepEqual(config.mounts.slice(-3).map((mount) => `${mount.type} ${mount.destination}`), ['tmpfs /tmp', 'bind /task', 'bind /task']);
    assert.equal((config.mounts.at(-1) as { source?: string }).source, '/w/sub/task', 'the container\'s task folder lies over the driver\'s');
  });

  it('returns a new object, never changing the config it was given', () => {
    const config = fresh();
    const before = JSON.stringify(config);
    applyContainerLevers(config, { netns: { mode: 'host' }, limitsInCgroup: true, rootfs: bind.bundle?.('/r') });
    assert.equal(JSON.stringify(config), before);
  });
});
