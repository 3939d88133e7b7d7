import { crun } from './crun.ts';
import { docker } from './docker.ts';
import { dockerCli } from './docker-cli.ts';
import { lxc } from './lxc.ts';
import { lxd } from './lxd.ts';
import { podman } from './podman.ts';
import { runc } from './runc.ts';
import { runsc } from './runsc.ts';
import type { RuntimeAdapter } from './runtime-adapter.ts';

/** Every runtime the matrix can name; a new one is one adapter file plus one line here. */
export const RUNTIMES: Readonly<Record<string, RuntimeAdapter>> = { runc, crun, runsc, lxc, lxd, docker, 'docker-cli': dockerCli, podman };

export type { Container, GroupContext, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';
