import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import type { Step } from '../phase-steps.ts';
import type { LifecyclePhase } from '../../types.ts';
import { cliExecuteSteps, INGINIOUS_WAY, limitFlags, phaseStepsOf } from './docker-common.ts';
import { dockerImageRef, openDockerDaemon } from './docker-daemon.ts';
import type { Container, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * The same dockerd and the same life cycle as the docker adapter, through the docker command
 * line instead of the Engine API, so that the report can show what the CLI itself costs
 * (one process and one API version negotiation per command):
 *
 *   import   docker import TARBALL crbench/IMAGE:latest
 *   create   docker create --name ID <limits> crbench/IMAGE:latest WORKLOAD
 *   launch   docker start ID
 *   execute  docker wait ID; docker logs ID
 *   stop     docker stop -t 0 ID
 *   clean    docker rm -f -v ID
 *
 * Every command is `docker --config <state>/cli -H unix://<the group's socket>`: never the
 * host's daemon, never ~/.docker. The client is docker.io's, the one installed with dockerd
 * (/usr/bin/docker for /usr/sbin/dockerd): another docker earlier in PATH is skipped.
 */

/** `docker --config DIR -H unix://SOCKET`: the prefix of every command of a group. */
export function dockerCliPrefix(client: string, configDir: string, socket: string): string[] {
  return [client, '--config', configDir, '-H', `unix://${socket}`];
}

/** The steps of each phase for one CLI prefix: pure, so tests can read the argv. */
export function dockerCliSteps(cli: string[], limits: ContainerLimits, scratchDir: string) {
  return {
    importImage: (image: string, tarballPath: string): Step[] => [{ kind: 'run', argv: [...cli, 'import', tarballPath, dockerImageRef(image)] }],
    create: (container: Container): Step[] => [
      { kind: 'run', argv: [...cli, 'create', '--name', container.id, ...limitFlags(limits), dockerImageRef(container.image), ...container.workloadArgv] },
    ],
    launch: (container: Container): Step[] => [{ kind: 'run', argv: [...cli, 'start', container.id] }],
    execute: (container: Container, workload: string[]): Step[] => cliExecuteSteps(cli, container, workload, scratchDir),
    stop: (container: Container): Step[] => [{ kind: 'run', argv: [...cli, 'stop', '-t', '0', container.id] }],
    clean: (container: Container): Step[] => [{ kind: 'run', argv: [...cli, 'rm', '-f', '-v', container.id] }],
  };
}

export function describeDockerCliPhases(storageDriver: string, limits: ContainerLimits = DEFAULT_LIMITS): Record<LifecyclePhase, string> {
  const docker = 'docker --config STATE/cli -H unix://SOCKET';
  return {
    create: `${docker} create --name ID ${limitFlags(limits).join(' ')} crbench/IMAGE:latest WORKLOAD ` +
      `(the group's own dockerd --storage-driver ${storageDriver}); ${INGINIOUS_WAY}`,
    launch: `${docker} start ID: the workload starts running`,
    execute: `${docker} wait ID (prints the workload's exit code), then ${docker} logs ID (its output)`,
    stop: `${docker} stop -t 0 ID (the workload has already exited; INGInious stops whatever is left)`,
    clean: `${docker} rm -f -v ID: dockerd unmounts and deletes the container's ${storageDriver} layer`,
  };
}

async function versionOf(binary: string): Promise<string | undefined> {
  const answer = await $`${binary} --version`.nothrow().quiet();
  return answer.stdout.match(/version ([^\s,]+)/)?.[1];
}

/**
 * The docker client to use, found without running anything (openGroup is timed): the one
 * Debian's docker.io installs with dockerd (/usr/sbin/dockerd → /usr/bin/docker), else one
 * beside dockerd, else the one in PATH. A docker earlier in PATH (a newer Docker's client in
 * /usr/local/bin, say) is skipped on purpose.
 */
export function findDockerClient(binaries: Record<string, string | null>, exists: (file: string) => boolean = existsSync): string {
  const dockerd = binaries['dockerd'] ?? '/usr/sbin/dockerd';
  let real = dockerd;
  try {
    real = realpathSync(dockerd);
  } catch {
    // not there: its conventional neighbours are still worth a look
  }
  const candidates = [
    path.join(path.dirname(path.dirname(real)), 'bin', 'docker'),
    path.join(path.dirname(real), 'docker'),
    ...(binaries['docker'] ? [binaries['docker']] : []),
  ];
  return candidates.find((candidate) => exists(candidate)) ?? 'docker';
}

/** A note for the manifest when the client is not of dockerd's version; asked outside the clock. */
export async function clientMismatch(client: string, dockerd: string): Promise<string | undefined> {
  const [clientVersion, daemonVersion] = [await versionOf(client), await versionOf(dockerd)];
  return clientVersion === daemonVersion ? undefined
    : `the docker client ${client} (version ${clientVersion ?? '?'}) is not of dockerd's version ${daemonVersion ?? '?'}: the API version was negotiated`;
}

export const dockerCli: RuntimeAdapter = {
  name: 'docker-cli',
  versionArgv: ['/usr/bin/docker', '--version'],
  describePhases: (storageDriver) => describeDockerCliPhases(storageDriver),
  async openGroup(context): Promise<RuntimeGroup> {
    const client = findDockerClient(context.host.binaries);
    const daemon = await openDockerDaemon(context, 'docker-cli');
    const workarounds: string[] = [];
    let checked = false;
    const configDir = path.join(daemon.paths.stateDir, 'cli');
    mkdirSync(configDir, { recursive: true });
    const cli = dockerCliPrefix(client, configDir, daemon.paths.socket);
    const steps = dockerCliSteps(cli, context.limits, context.scratchDir);
    return {
      workarounds,
      ...phaseStepsOf(steps),
      async afterPhase() {
        // Once, outside the clock: the manifest says so if the client is not dockerd's own.
        if (checked) return;
        checked = true;
        const note = await clientMismatch(client, context.host.binaries['dockerd'] ?? 'dockerd');
        if (note !== undefined) workarounds.push(note);
      },
      async forceRemove(container) {
        await $`${cli} rm -f -v ${container.id}`.nothrow().quiet();
      },
      close: daemon.close,
    };
  },
};
