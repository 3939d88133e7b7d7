import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { splitRuntime, type Lifecycle } from '../../types.ts';
import { run, type Step } from '../executor/steps.ts';
import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import { dockerCliSecurityArgs } from '../security/runtime-options.ts';
import { cliContainer, describeCliPhases, limitFlags } from './docker-common.ts';
import { dockerImageRef, openDockerDaemon } from './docker-daemon.ts';
import type { ContainerPlan, ContainerSpec, PhaseTexts, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * The same dockerd and the same life cycle as the docker adapter, through the docker command
 * line instead of the Engine API, so that the report can show what the CLI itself costs
 * (one process and one API version negotiation per command):
 *
 *   import   docker import TARBALL crbench/IMAGE:latest
 *   create   docker create --name ID <limits> [--runtime R] crbench/IMAGE:latest (sleep | WORKLOAD)
 *   then the shapes of docker-common.ts: start; exec, or wait + logs; kill + wait; rm -f -v
 *
 * Every command is `docker --config <state>/cli -H unix://<the group's socket>`: never the
 * host's daemon, never ~/.docker. The client is docker.io's, the one installed with dockerd
 * (/usr/bin/docker for /usr/sbin/dockerd): another docker earlier in PATH is skipped.
 */

/** `docker --config DIR -H unix://SOCKET`: the prefix of every command of a group. */
export function dockerCliPrefix(client: string, configDir: string, socket: string): string[] {
  return [client, '--config', configDir, '-H', `unix://${socket}`];
}

/** The steps of a group for one CLI prefix: pure, so tests can read the argv. */
export function dockerCliSteps(cli: string[], limits: ContainerLimits, runtime: string | null, securityArgs: readonly string[] = []) {
  const createFlags = [...limitFlags(limits), ...(runtime !== null ? ['--runtime', runtime] : []), ...securityArgs];
  return {
    importImage: (image: string, tarballPath: string): Step[] => [run('docker import', [...cli, 'import', tarballPath, dockerImageRef(image)])],
    container: (c: ContainerSpec): ContainerPlan => cliContainer({ cli, tool: 'docker', createFlags, imageRef: dockerImageRef(c.image) }, c),
  };
}

export function describeDockerCliPhases(storageDriver: string, lifecycle: Lifecycle, runtime: string | null, limits: ContainerLimits = DEFAULT_LIMITS): PhaseTexts {
  const flags = [...limitFlags(limits), ...(runtime !== null ? ['--runtime', runtime] : [])].join(' ');
  return describeCliPhases('docker --config STATE/cli -H unix://SOCKET', flags, `the group's own dockerd --storage-driver ${storageDriver}`, storageDriver, lifecycle === 'command');
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
  describePhases: (storageDriver, lifecycle, runtime) => describeDockerCliPhases(storageDriver, lifecycle, splitRuntime(runtime).oci),
  async openGroup(context): Promise<RuntimeGroup> {
    const client = findDockerClient(context.host.binaries);
    const daemon = await openDockerDaemon(context, 'docker-cli');
    const configDir = path.join(daemon.paths.stateDir, 'cli');
    mkdirSync(configDir, { recursive: true });
    const cli = dockerCliPrefix(client, configDir, daemon.paths.socket);
    const steps = dockerCliSteps(cli, context.limits, daemon.oci.selected?.name ?? null, dockerCliSecurityArgs());
    const workarounds = [...daemon.oci.workarounds];
    return {
      workarounds,
      importImage: steps.importImage,
      container: steps.container,
      async close() {
        // Asked at the end, outside every clock (openGroup is timed): the manifest says so if the client is not dockerd's own.
        const mismatch = await clientMismatch(client, context.host.binaries['dockerd'] ?? 'dockerd');
        if (mismatch !== undefined) workarounds.push(mismatch);
        await daemon.close();
      },
    };
  },
};
