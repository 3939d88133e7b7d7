import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import type { Step } from '../phase-steps.ts';
import type { LifecyclePhase } from '../../types.ts';
import {
  apiRecord, demultiplexLogs, expectStatus, PINNED_API_VERSION, streamedError, type DockerApiClient, type RequestOptions,
} from './docker-api.ts';
import { assertSameWorkload, INGINIOUS_WAY, phaseStepsOf, workloadRecord } from './docker-common.ts';
import { dockerImageRef, openDockerDaemon } from './docker-daemon.ts';
import type { Container, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * Docker driven the way INGInious's docker agent drives it: Engine API requests on the
 * daemon's unix socket (a dockerd of the group's own, see docker-daemon.ts), no CLI.
 *
 *   import   POST /images/create?fromSrc=-&repo=crbench/IMAGE&tag=latest  (the tarball as body)
 *   create   POST /containers/create?name=ID  {Image, Cmd: workload, HostConfig: limits}
 *   launch   POST /containers/ID/start
 *   execute  POST /containers/ID/wait; GET /containers/ID/logs?stdout=1&stderr=1
 *   stop     POST /containers/ID/stop?t=0
 *   clean    DELETE /containers/ID?v=1&force=1
 */

/** The body of `POST /containers/create`: the workload as the command, the limits in HostConfig. */
export function createContainerBody(image: string, workload: string[], limits: ContainerLimits): Record<string, unknown> {
  return {
    Image: dockerImageRef(image),
    Cmd: workload,
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
    },
  };
}

/** `/images/create?fromSrc=-&repo=crbench/tiny&tag=latest`: an import from the request body. */
export function importPath(image: string): string {
  const [repo = '', tag = ''] = dockerImageRef(image).split(':');
  return `/images/create?${new URLSearchParams({ fromSrc: '-', repo, tag }).toString()}`;
}

const containerPath = (container: Container, rest = ''): string => `/containers/${encodeURIComponent(container.id)}${rest}`;

/** One API request as a step: rejects with the daemon's message unless the status is accepted. */
function apiStep(api: DockerApiClient, method: string, path: string, accepted: number[], options: RequestOptions = {}): Step {
  return {
    kind: 'call',
    what: `${method} ${api.fullPath(path)}`,
    async call(deadlineMs) {
      const response = await api.request(method, path, { ...options, timeoutMs: deadlineMs });
      expectStatus(response, accepted);
      return apiRecord(method, api.fullPath(path), response);
    },
  };
}

/** The steps of each phase against one client: pure, so tests can pass a fake one. */
export function dockerApiSteps(api: DockerApiClient, limits: ContainerLimits) {
  return {
    importImage(image: string, tarballPath: string): Step[] {
      const path = importPath(image);
      return [{
        kind: 'call',
        what: `POST ${api.fullPath(path)} (body: ${tarballPath})`,
        async call(deadlineMs) {
          const response = await api.request('POST', path, { bodyFile: tarballPath, timeoutMs: deadlineMs });
          expectStatus(response, [200]);
          const error = streamedError(response.body);
          if (error !== undefined) throw new Error(error);
          return apiRecord('POST', api.fullPath(path), response);
        },
      }];
    },
    create(container: Container): Step[] {
      const path = `/containers/create?${new URLSearchParams({ name: container.id }).toString()}`;
      return [apiStep(api, 'POST', path, [201], { json: createContainerBody(container.image, container.workloadArgv, limits) })];
    },
    launch: (container: Container): Step[] => [apiStep(api, 'POST', containerPath(container, '/start'), [204])],
    execute(container: Container, workload: string[]): Step[] {
      const waitPath = containerPath(container, '/wait');
      const logsPath = containerPath(container, '/logs?stdout=1&stderr=1');
      let exit: { statusCode: number; waitMs: number } | undefined;
      return [
        {
          kind: 'call',
          what: `POST ${api.fullPath(waitPath)}`,
          async call(deadlineMs) {
            assertSameWorkload(container, workload);
            const response = await api.request('POST', waitPath, { timeoutMs: deadlineMs });
            expectStatus(response, [200]);
            const answer = JSON.parse(response.body.toString('utf8')) as { StatusCode?: unknown; Error?: { Message?: string } | null };
            if (answer.Error?.Message) throw new Error(`the daemon could not wait for the container: ${answer.Error.Message}`);
            if (typeof answer.StatusCode !== 'number') throw new Error(`no StatusCode in ${response.body.toString('utf8').slice(0, 200)}`);
            exit = { statusCode: answer.StatusCode, waitMs: response.durationMs };
            return apiRecord('POST', api.fullPath(waitPath), response);
          },
        },
        {
          kind: 'call',
          what: `GET ${api.fullPath(logsPath)}`,
          async call(deadlineMs) {
            const response = await api.request('GET', logsPath, { timeoutMs: deadlineMs });
            expectStatus(response, [200]);
            if (exit === undefined) throw new Error('no exit code: the wait step did not run');
            const { stdout, stderr } = demultiplexLogs(response.body);
            return workloadRecord(container, workload, exit.statusCode, stdout, stderr, exit.waitMs + response.durationMs);
          },
        },
      ];
    },
    // 304: the container had stopped already, which is the normal case here.
    stop: (container: Container): Step[] => [apiStep(api, 'POST', containerPath(container, '/stop?t=0'), [204, 304])],
    clean: (container: Container): Step[] => [apiStep(api, 'DELETE', containerPath(container, '?v=1&force=1'), [204])],
    async forceRemove(container: Container): Promise<void> {
      await api.request('DELETE', containerPath(container, '?v=1&force=1'), { timeoutMs: 30_000 }).catch(() => undefined);
    },
  };
}

export function describeDockerApiPhases(storageDriver: string, limits: ContainerLimits = DEFAULT_LIMITS): Record<LifecyclePhase, string> {
  const v = `/v${PINNED_API_VERSION}`;
  const hostConfig = `{"Memory": ${limits.memoryBytes}, "MemorySwap": ${limits.memoryBytes}, "PidsLimit": ${limits.pids}, "NanoCpus": ${Math.round(limits.cpus * 1e9)}, "NetworkMode": "${limits.network}"}`;
  return {
    create: `POST ${v}/containers/create?name=ID {"Image": "crbench/IMAGE:latest", "Cmd": WORKLOAD, "HostConfig": ${hostConfig}} ` +
      `on the unix socket of the group's own dockerd --storage-driver ${storageDriver} (node:http, keep-alive); ${INGINIOUS_WAY}`,
    launch: `POST ${v}/containers/ID/start: the workload starts running`,
    execute: `POST ${v}/containers/ID/wait, then GET ${v}/containers/ID/logs?stdout=1&stderr=1 (frames demultiplexed): the workload's exit code and output`,
    stop: `POST ${v}/containers/ID/stop?t=0 (HTTP 304 when the workload has already exited; INGInious stops whatever is left)`,
    clean: `DELETE ${v}/containers/ID?v=1&force=1: dockerd unmounts and deletes the container's ${storageDriver} layer`,
  };
}

export const docker: RuntimeAdapter = {
  name: 'docker',
  versionArgv: ['dockerd', '--version'],
  describePhases: (storageDriver) => describeDockerApiPhases(storageDriver),
  async openGroup(context): Promise<RuntimeGroup> {
    const daemon = await openDockerDaemon(context, 'docker');
    const steps = dockerApiSteps(daemon.api, context.limits);
    return {
      workarounds: [],
      ...phaseStepsOf(steps),
      forceRemove: steps.forceRemove,
      close: daemon.close,
    };
  },
};
