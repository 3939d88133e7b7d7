import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../errors.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import type { LifecyclePhase } from '../../types.ts';
import type { Container, GroupContext, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * The runc command-line interface, which crun and runsc share. Phases:
 *   create  `<rt> create --bundle B ID`   launch `<rt> start ID`
 *   execute `<rt> exec ID <workload>`     stop   `<rt> kill ID KILL`, then wait for the init
 *   clean   `<rt> delete ID`
 * `prepareState` lets a runtime put its commands behind a prefix (a namespace) and say why.
 */
export function ociRuntime(spec: {
  name: string;
  binary: string;
  prepareState?: (context: GroupContext) => Promise<{ commandPrefix: string[]; namespaceFile: string | null; workarounds: string[] }>;
}): RuntimeAdapter {
  return {
    name: spec.name,
    versionArgv: [spec.binary, '--version'],
    describePhases(): Record<LifecyclePhase, string> {
      const rt = `${spec.name} --root STATE`;
      return {
        create: `${rt} create --bundle BUNDLE ID`,
        launch: `${rt} start ID`,
        execute: `${rt} exec ID WORKLOAD`,
        stop: `${rt} kill ID KILL, then wait until the init process has exited`,
        clean: `${rt} delete ID`,
      };
    },
    async openGroup(context): Promise<RuntimeGroup> {
      const prepared = spec.prepareState !== undefined
        ? await spec.prepareState(context)
        : { commandPrefix: [spec.binary], namespaceFile: null, workarounds: [] };
      const stateRoot = path.join(context.mountpoint, 'state', spec.name);
      mkdirSync(stateRoot, { recursive: true });
      const state: RuntimeState = { groupId: context.groupId, runtime: spec.name, stateRoot, ...prepared };
      recordRuntimeState(context.workDir, state);
      const rt = [...prepared.commandPrefix, '--root', stateRoot];
      const [binary, ...prefixArgs] = rt;
      if (binary === undefined) throw new Error('empty command prefix');
      return {
        workarounds: prepared.workarounds,
        create: (c: Container) => [{ kind: 'run', argv: [...rt, 'create', '--bundle', c.bundleDir, c.id] }],
        launch: (c: Container) => [{ kind: 'run', argv: [...rt, 'start', c.id] }],
        execute: (c: Container, workload: string[]) => [{ kind: 'run', argv: [...rt, 'exec', c.id, ...workload] }],
        stop: (c: Container) => [
          { kind: 'run', argv: [...rt, 'kill', c.id, 'KILL'] },
          { kind: 'await-exit', pid: c.initPid ?? -1, what: `the init of ${c.id}` },
        ],
        clean: (c: Container) => [{ kind: 'run', argv: [...rt, 'delete', c.id] }],
        async initPid(c) {
          const result = await $`${binary} ${prefixArgs} state ${c.id}`.nothrow();
          const pid = result.exitCode === 0 ? (JSON.parse(result.stdout) as { pid?: number }).pid : undefined;
          if (typeof pid !== 'number' || pid <= 0) {
            throw new CrbenchError('NO_INIT_PID', `${spec.name} state ${c.id} gave no pid: ${result.stderr.trim()}`);
          }
          return pid;
        },
        async forceRemove(c) {
          await $`${binary} ${prefixArgs} delete --force ${c.id}`.nothrow();
        },
        close: () => releaseRuntimeState(context.workDir, state),
      };
    },
  };
}
