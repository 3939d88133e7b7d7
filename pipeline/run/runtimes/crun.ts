import { createNamespaceWithoutCgroup2 } from '../../../provision/runtime-state.ts';
import { ociRuntime } from './oci-runtime.ts';

export const CRUN_HYBRID_WORKAROUND =
  'crun refuses hybrid cgroups ("drop all controllers from cgroupv2"): every crun command ran through ' +
  'nsenter into a mount namespace of its own without /sys/fs/cgroup/unified, which adds one exec per command; ' +
  'the v1 controllers, and so the limits, stay in force';

/** crun, with the hybrid-cgroup workaround applied only where the host needs it. */
export const crun = ociRuntime({
  name: 'crun',
  binary: 'crun',
  async prepareState(context) {
    if (context.host.cgroupMode !== 'hybrid') return { commandPrefix: ['crun'], namespaceFile: null, workarounds: [] };
    const namespaceFile = await createNamespaceWithoutCgroup2(context.workDir, context.groupId);
    return { commandPrefix: ['nsenter', `--mount=${namespaceFile}`, 'crun'], namespaceFile, workarounds: [CRUN_HYBRID_WORKAROUND] };
  },
});
