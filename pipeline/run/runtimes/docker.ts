import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import type { CommandRecord, Lifecycle } from '../../types.ts';
import type { HttpStep, Step, StepRecord } from '../executor/steps.ts';
import { demultiplexLogs, PINNED_API_VERSION, streamedError } from './docker-api.ts';
import { COMMAND_STOP, workloadRecord } from './docker-common.ts';
import { dockerImageRef, openDockerDaemon } from './docker-daemon.ts';
import { dockerSecurityOpt } from '../security/runtime-options.ts';
import { SLEEPING_INIT } from './oci-runtime.ts';
import type { ContainerMount, ContainerPlan, ContainerSpec, PhaseTexts, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * Docker driven the way INGInious's docker agent drives it: Engine API requests on the
 * daemon's unix socket (a dockerd of the group's own, see docker-daemon.ts), no CLI, each one
 * timed by the executor from connect to the end of the answer.
 *
 *   import   POST /images/create?fromSrc=-&repo=crbench/IMAGE&tag=latest  (the tarball as body)
 *   create   POST /containers/create?name=ID  {Image, Cmd, HostConfig: limits, Runtime}
 *   launch   POST /containers/ID/start
 *   exec:    execute  POST /containers/ID/exec; POST /exec/EID/start; GET /exec/EID/json
 *            stop     POST /containers/ID/kill?signal=KILL; POST /containers/ID/wait
 *   command: execute  POST /containers/ID/wait; GET /containers/ID/logs
 *            stop     nothing: the container has exited
 *   clean    DELETE /containers/ID?v=1&force=1
 */

/** What the steps need of a group's daemon: its socket, the API version, the OCI runtime chosen. */
export interface DockerEndpoint {
  socketPath: string;
  apiVersion: string;
  /** HostConfig.Runtime, as INGInious's `runtime=`; null for dockerd's default (runc). */
  runtime: string | null;
  /** HostConfig.SecurityOpt: the seccomp profile every compared container gets, and no-new-privileges. */
  securityOpt?: readonly string[];
}

/**
 * The body of `POST /containers/create`: the command, the limits in HostConfig, the OCI runtime,
 * and bind mounts as HostConfig.Binds (`SRC:DST:rw|ro`, what docker-py sends for INGInious's `volumes=`).
 */
export function createContainerBody(image: string, cmd: string[], limits: ContainerLimits, runtime: string | null = null, mounts: readonly ContainerMount[] = [], securityOpt: readonly string[] = []): Record<string, unknown> {
  return {
    Image: dockerImageRef(image),
    Cmd: cmd,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    HostConfig: {
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      PidsLimit: limits.pids,
      NanoCpus: Math.round(limits.cpus * 1e9),
      NetworkMode: limits.network,
      ...(runtime !== null ? { Runtime: runtime } : {}),
      ...(mounts.length > 0 ? { Binds: mounts.map((mount) => `${mount.source}:${mount.destination}:${mount.readonly ? 'ro' : 'rw'}`) } : {}),
      ...(securityOpt.length > 0 ? { SecurityOpt: [...securityOpt] } : {}),
    },
  };
}

/** `/images/create?fromSrc=-&repo=crbench/tiny&tag=latest`: an import from the request body. */
export function importPath(image: string): string {
  const [repo = '', tag = ''] = dockerImageRef(image).split(':');
  return `/images/create?${new URLSearchParams({ fromSrc: '-', repo, tag }).toString()}`;
}

const containerPath = (id: string, rest = ''): string => `/containers/${encodeURIComponent(id)}${rest}`;

/** An http record's response bytes: the executor keeps them as `httpBody` (`body` is the older name of the same). */
const responseBytes = (record: StepRecord | undefined): Buffer => record?.httpBody ?? record?.body ?? Buffer.alloc(0);

function parsed<T>(record: StepRecord | undefined, what: string): T {
  try {
    return JSON.parse(record?.stdout ?? '') as T;
  } catch {
    throw new Error(`${what}: not JSON: ${(record?.stdout ?? '').slice(0, 200)}`);
  }
}

/** The steps of a group against one daemon: pure, so tests can read every request. */
export function dockerApiSteps(endpoint: DockerEndpoint, limits: ContainerLimits) {
  const http = (label: string, method: string, path: string, accept: number[], extra: Partial<HttpStep> = {}): HttpStep => ({
    kind: 'http', label, socketPath: endpoint.socketPath, method, path: `/v${endpoint.apiVersion}${path}`, accept, ...extra,
  });
  return {
    importImage: (image: string, tarballPath: string): Step[] => [http('POST /images/create', 'POST', importPath(image), [200], { bodyFile: tarballPath })],
    /** An import answers 200 and streams progress; a failure arrives as an `error` line under that 200. */
    importError: (records: readonly StepRecord[]): string | undefined => streamedError(Buffer.from(records.at(-1)?.stdout ?? '')),
    container(c: ContainerSpec): ContainerPlan {
      const command = c.lifecycle === 'command';
      const create = `/containers/create?${new URLSearchParams({ name: c.id }).toString()}`;
      const execute: Step[] = command
        ? [http('POST /containers/wait', 'POST', containerPath(c.id, '/wait'), [200]), http('GET /containers/logs', 'GET', containerPath(c.id, '/logs?stdout=1&stderr=1'), [200])]
        : [
          http('POST /containers/exec', 'POST', containerPath(c.id, '/exec'), [201], { json: { AttachStdout: true, AttachStderr: true, Tty: false, Cmd: c.workloadArgv } }),
          { kind: 'later', label: 'POST /exec/start', build: (previous) => http('POST /exec/start', 'POST', `/exec/${encodeURIComponent(parsed<{ Id: string }>(previous.at(-1), 'exec create').Id)}/start`, [200], { json: { Detach: false, Tty: false } }) },
          { kind: 'later', label: 'GET /exec/json', build: (previous) => http('GET /exec/json', 'GET', `/exec/${encodeURIComponent(parsed<{ Id: string }>(previous.at(-2), 'exec create').Id)}/json`, [200]) },
        ];
      return {
        create: () => [http('POST /containers/create', 'POST', create, [201], { json: createContainerBody(c.image, command ? c.workloadArgv : SLEEPING_INIT, limits, endpoint.runtime, c.mounts, endpoint.securityOpt) })],
        launch: () => [http('POST /containers/start', 'POST', containerPath(c.id, '/start'), [204])],
        execute: () => execute,
        stop: () => (command ? COMMAND_STOP : [
          http('POST /containers/kill', 'POST', containerPath(c.id, '/kill?signal=KILL'), [204]),
          http('POST /containers/wait', 'POST', containerPath(c.id, '/wait'), [200]),
        ]),
        clean: () => [http('DELETE /containers', 'DELETE', containerPath(c.id, '?v=1&force=1'), [204])],
        workloadRun: (records) => (command ? commandRun(c, records) : execRun(c, records)),
        forceRemove: () => [http('DELETE /containers (force)', 'DELETE', containerPath(c.id, '?v=1&force=1'), [204, 404])],
      };
    },
  };
}

/** `command`: the exit code from the wait, the output from the logs (frames demultiplexed). */
function commandRun(c: ContainerSpec, records: readonly StepRecord[]): CommandRecord {
  const [wait, logs] = records;
  const answer = parsed<{ StatusCode?: unknown; Error?: { Message?: string } | null }>(wait, 'POST /containers/wait');
  if (answer.Error?.Message) throw new Error(`the daemon could not wait for the container: ${answer.Error.Message}`);
  if (typeof answer.StatusCode !== 'number') throw new Error(`no StatusCode in ${wait?.stdout.slice(0, 200)}`);
  const { stdout, stderr } = demultiplexLogs(responseBytes(logs));
  return workloadRecord(c, answer.StatusCode, stdout, stderr, (wait?.durationMs ?? 0) + (logs?.durationMs ?? 0));
}

/** `exec`: the output from the exec's stream, its exit code from its inspection. */
function execRun(c: ContainerSpec, records: readonly StepRecord[]): CommandRecord {
  const [, stream, inspect] = records;
  const answer = parsed<{ ExitCode?: unknown }>(inspect, 'GET /exec/json');
  if (typeof answer.ExitCode !== 'number') throw new Error(`no ExitCode in ${inspect?.stdout.slice(0, 200)}`);
  const { stdout, stderr } = demultiplexLogs(responseBytes(stream));
  return workloadRecord(c, answer.ExitCode, stdout, stderr, (stream?.durationMs ?? 0) + (inspect?.durationMs ?? 0));
}

export function describeDockerApiPhases(storageDriver: string, lifecycle: Lifecycle, runtime: string | null, limits: ContainerLimits = DEFAULT_LIMITS): PhaseTexts {
  const v = `/v${PINNED_API_VERSION}`;
  const hostConfig = `{"Memory": ${limits.memoryBytes}, "MemorySwap": ${limits.memoryBytes}, "PidsLimit": ${limits.pids}, "NanoCpus": ${Math.round(limits.cpus * 1e9)}, ` +
    `"NetworkMode": "${limits.network}"${runtime !== null ? `, "Runtime": "${runtime}"` : ''}}`;
  const where = `on the unix socket of the group's own dockerd --storage-driver ${storageDriver}, OCI runtime ${runtime ?? 'runc (dockerd\'s default)'}`;
  const clean = `DELETE ${v}/containers/ID?v=1&force=1: dockerd unmounts and deletes the container's ${storageDriver} layer`;
  if (lifecycle === 'command') {
    return {
      create: `POST ${v}/containers/create?name=ID {"Image": "crbench/IMAGE:latest", "Cmd": WORKLOAD, "HostConfig": ${hostConfig}} ${where}: the workload is the container's command, as INGInious runs a grading container`,
      launch: `POST ${v}/containers/ID/start: the workload starts running`,
      execute: `POST ${v}/containers/ID/wait, then GET ${v}/containers/ID/logs?stdout=1&stderr=1 (frames demultiplexed): the workload's exit code and output`,
      stop: 'nothing: the workload has exited, and with it the container',
      clean,
    };
  }
  return {
    create: `POST ${v}/containers/create?name=ID {"Image": "crbench/IMAGE:latest", "Cmd": ["/bin/sleep", "86400"], "HostConfig": ${hostConfig}} ${where}`,
    launch: `POST ${v}/containers/ID/start: the sleeping init starts`,
    execute: `POST ${v}/containers/ID/exec {"Cmd": WORKLOAD}, POST ${v}/exec/EID/start {"Detach": false} (its output streamed until it exits), GET ${v}/exec/EID/json (its exit code)`,
    stop: `POST ${v}/containers/ID/kill?signal=KILL, then POST ${v}/containers/ID/wait (until the init has exited)`,
    clean,
  };
}

export const docker: RuntimeAdapter = {
  name: 'docker',
  versionArgv: ['dockerd', '--version'],
  describePhases: (storageDriver, lifecycle, runtime) => describeDockerApiPhases(storageDriver, lifecycle, runtime.includes('+') ? runtime.slice(runtime.indexOf('+') + 1) : null),
  async openGroup(context): Promise<RuntimeGroup> {
    const daemon = await openDockerDaemon(context, 'docker');
    const steps = dockerApiSteps({ socketPath: daemon.paths.socket, apiVersion: daemon.api.apiVersion, runtime: daemon.oci.selected?.name ?? null, securityOpt: dockerSecurityOpt() }, context.limits);
    return {
      workarounds: [...daemon.oci.workarounds],
      importImage: steps.importImage,
      checkImport: steps.importError,
      container: steps.container,
      close: daemon.close,
    };
  },
};
