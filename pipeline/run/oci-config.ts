import type { ContainerLimits } from './limits.ts';
import type { ContainerMount } from './runtimes/runtime-adapter.ts';
import { dockerDefaultSecurity, type ContainerSecurity } from './security/container-security.ts';
import type { RootfsBundle } from './storage/storage-driver.ts';

/** The CFS period of every CPU quota: the kernel's default, 100 ms. */
export const CPU_PERIOD_US = 100_000;

/**
 * The OCI runtime config of a bundle, the same file for runc, crun and runsc: `runc spec`'s
 * mounts and namespaces, the limits, and Docker's default confinement (its seccomp profile
 * for this host and capability set, its capabilities, no_new_privs, its masked and read-only
 * paths: see security/container-security.ts), so that a bundle is confined exactly as a
 * Docker or Podman container is. `security` replaces that confinement (tests give their own);
 * without it the host's Docker default is used, which throws when the profile file is missing.
 * The init process only sleeps unless `initArgs` says otherwise. `mounts` are host directories
 * bind-mounted after runc spec's own (see ociBindMounts).
 */
export function buildOciConfig(options: { hostname: string; limits: ContainerLimits; initArgs?: string[]; cgroupsPath?: string; security?: ContainerSecurity; mounts?: ContainerMount[] }): object {
  const security = options.security ?? dockerDefaultSecurity();
  const capabilities = security.capabilities;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: options.initArgs ?? ['/bin/sleep', '86400'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      // Docker leaves the ambient set empty: a non-root process in the container holds no capability.
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: security.noNewPrivileges,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: options.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...ociBindMounts(options.mounts ?? []),
    ],
    linux: {
      ...(options.cgroupsPath !== undefined ? { cgroupsPath: options.cgroupsPath } : {}),
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: options.limits.memoryBytes, swap: options.limits.memoryBytes },
        pids: { limit: options.limits.pids },
        cpu: { quota: Math.round(options.limits.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US },
      },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      seccomp: security.seccomp,
      maskedPaths: security.maskedPaths,
      readonlyPaths: security.readonlyPaths,
    },
  };
}

/**
 * Host directories as OCI mounts: Docker's `-v SRC:DST[:ro]` (rbind, rprivate, ro or rw), the
 * same for runc, crun and runsc. The runtime makes the destination in the root filesystem.
 */
export function ociBindMounts(mounts: readonly ContainerMount[]): object[] {
  return mounts.map((mount) => ({ destination: mount.destination, type: 'bind', source: mount.source, options: ['rbind', 'rprivate', mount.readonly ? 'ro' : 'rw'] }));
}

/**
 * How one container's bundle differs from a fresh one's, by the matrix's levers (SOCK's):
 * - `netns`: `reused` joins the namespace mounted on `path` (a pool's) instead of making one;
 *   `host` has no network namespace entry at all, so the container shares the host's network,
 *   which breaks isolation (measured only to bound what a namespace costs);
 * - `limitsInCgroup`: the cgroup named by cgroupsPath (a pool's) already holds the memory, pids
 *   and CPU limits, so the runtime is not asked to write them (its device rules stay);
 * - `rootfs`: the storage driver's part (bind: a read-only root, a tmpfs /tmp, /task).
 */
export interface ContainerLevers {
  netns?: { mode: 'reused'; path: string } | { mode: 'host' };
  limitsInCgroup?: boolean;
  rootfs?: RootfsBundle;
}

interface LeveredConfig {
  root: { path: string; readonly: boolean };
  mounts: { type: string }[];
  linux: { namespaces: { type: string; path?: string }[]; resources: Record<string, unknown> };
}

/**
 * The config `buildOciConfig` made, with the levers applied; a new object. A driver's mounts go
 * after runc spec's and before the container's own bind mounts, so that a task folder the
 * container is given (ContainerSpec.mounts) lies over the driver's /task.
 */
export function applyContainerLevers(config: object, levers: ContainerLevers): object {
  const base = config as LeveredConfig;
  const namespaces = base.linux.namespaces.flatMap((namespace) => {
    if (namespace.type !== 'network' || levers.netns === undefined) return [namespace];
    return levers.netns.mode === 'host' ? [] : [{ type: 'network', path: levers.netns.path }];
  });
  const deviceRules = Object.fromEntries(Object.entries(base.linux.resources).filter(([key]) => !['memory', 'pids', 'cpu'].includes(key)));
  const mounts = [...base.mounts];
  if (levers.rootfs !== undefined) {
    const firstBind = mounts.findIndex((mount) => mount.type === 'bind');
    mounts.splice(firstBind < 0 ? mounts.length : firstBind, 0, ...levers.rootfs.mounts);
  }
  return {
    ...base,
    root: { ...base.root, readonly: levers.rootfs?.readonlyRoot ?? base.root.readonly },
    mounts,
    linux: { ...base.linux, namespaces, resources: levers.limitsInCgroup === true ? deviceRules : base.linux.resources },
  };
}
