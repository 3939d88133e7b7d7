import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DockerRuntimeEntry } from '../../../provision/daemons/dockerd.ts';
import { createNamespaceWithoutCgroup2 } from '../../../provision/runtime-state.ts';
import type { HostFacts } from '../../types.ts';
import { RUNSC_GLOBAL_FLAGS } from './runsc.ts';

/**
 * The OCI runtimes behind a daemon runtime (`docker+crun`, `podman+runsc`), registered the way
 * an INGInious operator would: dockerd's daemon.json `runtimes`, podman's `--runtime` path.
 * crun needs the same hybrid-cgroup workaround as when crbench drives it directly, so the
 * engine gets a wrapper that enters the group's namespace without the cgroup2 mount first.
 */

export const CRUN_WRAPPER_WORKAROUND =
  'crun refuses hybrid cgroups: the engine ran crun through a wrapper script that enters a mount namespace of the group\'s own ' +
  'without /sys/fs/cgroup/unified (nsenter), as crbench does for crun driven directly; one exec more per crun command';

export const CRUN_UNSHARE_WORKAROUND =
  'crun refuses hybrid cgroups: podman ran crun through a wrapper script that gives each crun call a fresh mount namespace ' +
  'without /sys/fs/cgroup/unified (unshare; podman\'s overlay store is a private mount, which a namespace made once would not see): ' +
  'an unshare, a umount and two execs more per crun command';

/** The wrapper script: every crun call the engine makes, inside the group's namespace without cgroup2. */
export function crunWrapperScript(nsenter: string, namespaceFile: string, crun: string): string {
  return `#!/bin/sh\n# crbench: crun inside a mount namespace without the cgroup2 mount (hybrid cgroups)\nexec ${shellQuote(nsenter)} --mount=${shellQuote(namespaceFile)} ${shellQuote(crun)} "$@"\n`;
}

/**
 * The same for Podman, whose overlay store is a private mount: what it mounts there would
 * never reach a namespace made earlier, so every crun call gets a fresh copy of the mounts
 * (unshare), the cgroup2 mount dropped from it.
 */
export function crunUnshareWrapperScript(unshare: string, crun: string): string {
  return '#!/bin/sh\n# crbench: crun in a fresh mount namespace without the cgroup2 mount (hybrid cgroups; podman\'s store is a private mount)\n' +
    `exec ${shellQuote(unshare)} --mount --propagation slave /bin/sh -c 'umount /sys/fs/cgroup/unified && exec "$0" "$@"' ${shellQuote(crun)} "$@"\n`;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface EngineOci {
  /** What dockerd's daemon.json registers (runc is its default and needs no entry). */
  dockerRuntimes: Record<string, DockerRuntimeEntry>;
  /** The runtime name (docker) or path (podman) to choose, null for the engine's default runc. */
  selected: { name: string; path: string; flags: string[] } | null;
  /** The namespace made for crun's wrapper, to be released with the group. */
  namespaceFile: string | null;
  workarounds: string[];
}

/**
 * Prepares the OCI runtimes an engine's group may choose: runsc always where installed (its
 * flags as crbench's own runsc uses them), crun behind its wrapper where the host needs it (the
 * namespace only when the group runs crun). `oci` is the runtime the group's cells chose.
 */
export async function prepareEngineOci(options: { host: HostFacts; workDir: string; groupId: string; stateDir: string; oci: string | null; crunWrapper: 'nsenter' | 'unshare' }): Promise<EngineOci> {
  const { host, oci } = options;
  const runtimes: Record<string, DockerRuntimeEntry> = {};
  const workarounds: string[] = [];
  let namespaceFile: string | null = null;
  const runsc = host.binaries['runsc'];
  if (runsc) runtimes['runsc'] = { path: runsc, runtimeArgs: RUNSC_GLOBAL_FLAGS.map((flag) => flag) };
  const crun = host.binaries['crun'];
  if (crun) {
    if (host.cgroupMode === 'hybrid') {
      const wrapper = path.join(options.stateDir, 'crun-wrapper');
      if (oci === 'crun') workarounds.push(options.crunWrapper === 'unshare' ? CRUN_UNSHARE_WORKAROUND : CRUN_WRAPPER_WORKAROUND);
      if (oci === 'crun' && options.crunWrapper === 'nsenter') namespaceFile = await createNamespaceWithoutCgroup2(options.workDir, `${options.groupId}.oci`);
      writeFileSync(wrapper, options.crunWrapper === 'unshare'
        ? crunUnshareWrapperScript(host.binaries['unshare'] ?? 'unshare', crun)
        : crunWrapperScript(host.binaries['nsenter'] ?? 'nsenter', namespaceFile ?? '/nonexistent: this group did not choose crun', crun));
      chmodSync(wrapper, 0o755);
      runtimes['crun'] = { path: wrapper };
    } else {
      runtimes['crun'] = { path: crun };
    }
  }
  const kata = host.binaries['kata-runtime'];
  if (kata) runtimes['kata'] = { path: kata };
  const chosen = oci === null || oci === 'runc' ? null : runtimes[oci];
  if (oci !== null && oci !== 'runc' && chosen === undefined) throw new Error(`the OCI runtime ${oci} is not installed on this host`);
  return {
    dockerRuntimes: runtimes,
    selected: chosen === undefined || chosen === null ? null : { name: oci as string, path: chosen.path, flags: chosen.runtimeArgs ?? [] },
    namespaceFile,
    workarounds,
  };
}
