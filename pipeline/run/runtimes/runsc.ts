import path from 'node:path';
import { listRuntimeStates, recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { RUNSC_SECURITY_FLAGS } from '../security/runtime-options.ts';
import { ociRuntime } from './oci-runtime.ts';
import { run, type Step } from '../executor/steps.ts';
import type { RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * gVisor's runsc, on the runc command line. Its global flags:
 * - `--network=none`: the sandbox gets no network stack beyond loopback, like every other
 *   runtime's containers here (the OCI config's network namespace alone would make runsc
 *   build a netstack from the host's interfaces in that namespace).
 * - `--platform=ptrace`: named explicitly so that the results say which platform ran; it is
 *   this release's default, and the only one that works without KVM (systrap arrived later).
 * - `--oci-seccomp --net-raw` (RUNSC_SECURITY_FLAGS): the bundle's seccomp filter and Docker's
 *   capabilities as the other runtimes get them (gVisor applies the filter to the container's
 *   init and its children, not to a process of `runsc exec`: the manifest says so).
 * Not `--ignore-cgroups`: runsc sets the OCI config's memory and pids limits in the v1
 * hierarchies of a hybrid host itself (seen: /sys/fs/cgroup/memory/<id>), as runc does.
 */
export const RUNSC_GLOBAL_FLAGS = ['--network=none', '--platform=ptrace', ...RUNSC_SECURITY_FLAGS];

/** An empty file in the image's /tmp: gVisor leaves a non-empty /tmp on the root filesystem. */
export const RUNSC_TMP_MARKER = '.crbench-keeps-tmp-on-rootfs';

export const RUNSC_TMP_WORKAROUND =
  'gVisor mounts a tmpfs of its own (sandbox memory) over /tmp when the image\'s /tmp is empty and the spec mounts ' +
  'nothing there, so writes to /tmp would not reach the volume; crbench put an empty marker file (' + RUNSC_TMP_MARKER +
  ') in the image\'s /tmp at import, so /tmp stays on the container\'s root filesystem as with the other runtimes';

/**
 * The storage driver's import steps with the marker file added right after the tarball is
 * unpacked: before any snapshot the driver takes of the unpacked image (zfs-clone does).
 */
export function withTmpMarker(steps: Step[], tarballPath: string): Step[] {
  const unpack = steps.findIndex((step) => step.kind === 'run' && step.argv[0] === 'tar' && step.argv.includes(tarballPath));
  const unpackStep = steps[unpack];
  const rootfs = unpackStep?.kind === 'run' ? unpackStep.argv[unpackStep.argv.indexOf('-C') + 1] : undefined;
  if (unpack < 0 || rootfs === undefined) throw new Error('runsc: the storage driver\'s import has no `tar … -C ROOTFS` step to add the /tmp marker after');
  return [...steps.slice(0, unpack + 1), run('image: /tmp marker', ['touch', path.join(rootfs, 'tmp', RUNSC_TMP_MARKER)]), ...steps.slice(unpack + 1)];
}

/**
 * What removes every container left in a runsc state root after a crash. The generic
 * teardown lists containers with `list -q`, which runsc does not know (it has `-quiet`), so
 * runsc records its own: the ids come from `runsc list -quiet`, passed to `delete --force`
 * through positional parameters, never pasted into the script.
 */
export function runscTeardownCommands(commandPrefix: string[], stateRoot: string): string[][] {
  return [['sh', '-c', 'for id in $("$@" list -quiet); do "$@" delete --force "$id"; done; exit 0', 'sh', ...commandPrefix, '--root', stateRoot]];
}

const base = ociRuntime({ name: 'runsc', binary: 'runsc', globalFlags: RUNSC_GLOBAL_FLAGS });

/** runsc: the OCI adapter, plus its own teardown record and the /tmp marker. */
export const runsc: RuntimeAdapter = {
  ...base,
  async openGroup(context): Promise<RuntimeGroup> {
    const group = await base.openGroup(context);
    const recorded = listRuntimeStates(context.workDir).find((candidate) => candidate.groupId === context.groupId);
    if (recorded === undefined) throw new Error(`runsc: no runtime state recorded for ${context.groupId}`);
    const state: RuntimeState = { ...recorded, teardownCommands: runscTeardownCommands(recorded.commandPrefix, recorded.stateRoot) };
    recordRuntimeState(context.workDir, state);
    group.workarounds.push(RUNSC_TMP_WORKAROUND);
    return {
      ...group,
      importImage: (image, tarballPath) => withTmpMarker(group.importImage(image, tarballPath), tarballPath),
      // The OCI adapter's close would list containers with `list -q`; the recorded commands do it the runsc way.
      close: () => releaseRuntimeState(context.workDir, state),
    };
  },
};
