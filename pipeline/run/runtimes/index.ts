import { crun } from './crun.ts';
import { docker } from './docker.ts';
import { dockerCli } from './docker-cli.ts';
import { lxc } from './lxc.ts';
import { lxd } from './lxd.ts';
import { podman } from './podman.ts';
import { qemuMicrovm } from './qemu-microvm.ts';
import { runc } from './runc.ts';
import { runsc } from './runsc.ts';
import { splitRuntime } from '../../types.ts';
import type { RuntimeAdapter } from './runtime-adapter.ts';

/**
 * Every runtime (engine) the matrix can name; a new one is one adapter file plus one line here.
 * A value `engine+oci` (docker+crun) is the engine's adapter running that OCI runtime.
 */
export const RUNTIMES: Readonly<Record<string, RuntimeAdapter>> = { runc, crun, runsc, lxc, lxd, docker, 'docker-cli': dockerCli, podman, 'qemu-microvm': qemuMicrovm };

/** The adapter of a runtime value, `docker+crun` included; undefined for one crbench has no adapter for. */
export function adapterOf(runtime: string): RuntimeAdapter | undefined {
  return RUNTIMES[splitRuntime(runtime).engine];
}

export type { ContainerPlan, ContainerSpec, GroupContext, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';
