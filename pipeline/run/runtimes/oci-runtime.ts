import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cgroupParentOf } from '../../../provision/cgroups.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import type { LifecyclePhase } from '../../types.ts';
import { buildOciConfig } from '../oci-config.ts';
import { STORAGE_DRIVERS, type StorageDriver } from '../storage/index.ts';
import type { Container, GroupContext, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

function storageDriverOf(name: string): StorageDriver {
  const driver = STORAGE_DRIVERS[name];
  if (driver === undefined) throw new CrbenchError('UNKNOWN_STORAGE_DRIVER', `no pipeline storage driver named '${name}'`);
  return driver;
}

/**
 * The runc command-line interface, which crun and runsc share. The pipeline prepares the
 * root filesystem itself with a storage driver (copy, overlay, snapshots). Phases:
 *   create  <driver prepare>; `<rt> create --bundle B ID`     launch `<rt> start ID`
 *   execute `<rt> exec ID <workload>`                          stop   `<rt> kill ID KILL`, wait for the init
 *   clean   `<rt> delete ID`; <driver remove>
 * `prepareState` lets a runtime add global flags or put its commands behind a prefix (a
 * namespace), and say why.
 */
export function ociRuntime(spec: {
  name: string;
  binary: string;
  /** Flags between the binary and the subcommand, beside `--root`. */
  globalFlags?: string[];
  prepareState?: (context: GroupContext) => Promise<{ commandPrefix: string[]; namespaceFile: string | null; workarounds: string[] }>;
}): RuntimeAdapter {
  const globalFlags = spec.globalFlags ?? [];
  return {
    name: spec.name,
    versionArgv: [spec.binary, '--version'],
    describePhases(storageDriver): Record<LifecyclePhase, string> {
      const storage = storageDriverOf(storageDriver);
      const rt = [spec.name, ...globalFlags, '--root STATE'].join(' ');
      return {
        create: `${storage.describe.prepare}; ${rt} create --bundle BUNDLE ID`,
        launch: `${rt} start ID`,
        execute: `${rt} exec ID WORKLOAD`,
        stop: `${rt} kill ID KILL, then wait until the init process has exited`,
        clean: `${rt} delete ID; ${storage.describe.remove}`,
      };
    },
    async openGroup(context): Promise<RuntimeGroup> {
      const storage = storageDriverOf(context.storageDriver);
      const prepared = spec.prepareState !== undefined
        ? await spec.prepareState(context)
        : { commandPrefix: [spec.binary], namespaceFile: null, workarounds: [] };
      const stateRoot = path.join(context.mountpoint, 'state', spec.name);
      mkdirSync(stateRoot, { recursive: true });
      const state: RuntimeState = { groupId: context.groupId, runtime: spec.name, stateRoot, ...prepared, commandPrefix: [...prepared.commandPrefix, ...globalFlags] };
      recordRuntimeState(context.workDir, state);
      const rt = [...state.commandPrefix, '--root', stateRoot];
      const [binary, ...prefixArgs] = rt;
      if (binary === undefined) throw new Error('empty command prefix');
      const imageRootfs = (image: string) => path.join(context.mountpoint, 'images', image, 'rootfs');
      const volume = { mountpoint: context.mountpoint, poolName: context.poolName };
      const rootfsOf = (c: Container) => path.join(c.dir, 'rootfs');
      const cgroupParent = `${cgroupParentOf(context.workDir)}/${context.groupId}`;
      return {
        workarounds: prepared.workarounds,
        importImage: (image, tarballPath) => storage.importImage(volume, tarballPath, imageRootfs(image)),
        async prepare(c) {
          mkdirSync(c.dir, { recursive: true });
          writeFileSync(path.join(c.dir, 'config.json'), JSON.stringify(buildOciConfig({ hostname: c.id, limits: context.limits, cgroupsPath: `/${cgroupParent}/${c.id}` })));
        },
        create: (c) => [...storage.prepare(volume, imageRootfs(c.image), rootfsOf(c)), { kind: 'run', argv: [...rt, 'create', '--bundle', c.dir, c.id] }],
        launch: (c) => [{ kind: 'run', argv: [...rt, 'start', c.id] }],
        execute: (c, workload) => [{ kind: 'run', argv: [...rt, 'exec', c.id, ...workload] }],
        stop: (c) => [
          { kind: 'run', argv: [...rt, 'kill', c.id, 'KILL'] },
          { kind: 'await-exit', pid: c.initPid ?? -1, what: `the init of ${c.id}` },
        ],
        clean: (c) => [{ kind: 'run', argv: [...rt, 'delete', c.id] }, ...storage.remove(volume, rootfsOf(c))],
        async afterPhase(phase, c) {
          if (phase !== 'create') return;
          const result = await $`${binary} ${prefixArgs} state ${c.id}`.nothrow();
          const pid = result.exitCode === 0 ? (JSON.parse(result.stdout) as { pid?: number }).pid : undefined;
          if (typeof pid !== 'number' || pid <= 0) {
            throw new CrbenchError('NO_INIT_PID', `${spec.name} state ${c.id} gave no init pid: ${result.stderr.trim()}`);
          }
          c.initPid = pid;
        },
        // The bundle names the cgroup (cgroupsPath), so every OCI runtime puts it in the same place.
        memoryCgroup: (c) => path.join(context.host.cgroupMode === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory', cgroupParent, c.id),
        async forceRemove(c) {
          await $`${binary} ${prefixArgs} delete --force ${c.id}`.nothrow();
          for (const step of storage.remove(volume, rootfsOf(c))) {
            if (step.kind === 'run') await $`${step.argv}`.nothrow();
          }
        },
        close: () => releaseRuntimeState(context.workDir, state),
      };
    },
  };
}
