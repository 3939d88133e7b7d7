import { crun } from './crun.ts';
import { docker } from './docker.ts';
import { dockerCli } from './docker-cli.ts';
import { podman } from './podman.ts';
import { runc } from './runc.ts';
import type { RuntimeAdapter } from './runtime-adapter.ts';

/** Every runtime the matrix can name; a new one is one adapter file plus one line here. */
export const RUNTIMES: Readonly<Record<string, RuntimeAdapter>> = { runc, crun, docker, 'docker-cli': dockerCli, podman };

export type { Container, GroupContext, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';
