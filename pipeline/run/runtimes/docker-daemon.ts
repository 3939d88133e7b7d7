import { listDaemons, stopDaemon, type DaemonRecord } from '../../../provision/daemons/daemon.ts';
import {
  absentHostPaths, cleanUpCommand, cleanUpDockerd, DOCKERD_HOST_PATHS, dockerdCleanUpSpec, dockerdPaths, startDockerd,
  type DockerdPaths,
} from '../../../provision/daemons/dockerd.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import { chooseApiVersion, DockerApi, requestOverSocket } from './docker-api.ts';
import type { GroupContext } from './runtime-adapter.ts';

/**
 * The dockerd of one cell group, shared by the docker (Engine API) and docker-cli adapters:
 * they differ only in how they talk to it. Opening records the runtime state first (its
 * teardown command removes everything even after `kill -9` of crbench), then starts dockerd
 * (timed by the runner as `start-runtime`) and pins the API version; closing removes the
 * containers and images, stops the daemon and runs the same clean-up as teardown would.
 */
export interface DockerDaemon {
  paths: DockerdPaths;
  api: DockerApi;
  daemon: DaemonRecord;
  close(): Promise<void>;
}

/** An image imported into a group's store: `crbench/<image>:latest`, no registry involved. */
export function dockerImageRef(image: string): string {
  return `crbench/${image}:latest`;
}

async function removeEverything(api: DockerApi): Promise<void> {
  const list = async (path: string): Promise<{ Id: string }[]> => {
    const response = await api.request('GET', path, { timeoutMs: 10_000 }).catch(() => undefined);
    return response?.status === 200 ? JSON.parse(response.body.toString('utf8')) as { Id: string }[] : [];
  };
  for (const { Id } of await list('/containers/json?all=1')) {
    await api.request('DELETE', `/containers/${Id}?v=1&force=1`, { timeoutMs: 30_000 }).catch(() => undefined);
  }
  for (const { Id } of await list('/images/json?all=1')) {
    await api.request('DELETE', `/images/${Id}?force=1`, { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

export async function openDockerDaemon(context: GroupContext, runtime: string): Promise<DockerDaemon> {
  const { workDir, groupId } = context;
  const paths = dockerdPaths(workDir, groupId, context.mountpoint);
  const binary = context.host.binaries['dockerd'] ?? 'dockerd';
  const spec = dockerdCleanUpSpec(workDir, paths, absentHostPaths(DOCKERD_HOST_PATHS));
  // Recorded before anything exists, so that teardown finds even a half-started daemon.
  const state: RuntimeState = {
    groupId, runtime, commandPrefix: [binary], stateRoot: paths.execRoot, namespaceFile: null,
    teardownCommands: [cleanUpCommand(spec)],
  };
  recordRuntimeState(workDir, state);

  let api: DockerApi | undefined;
  const close = async (): Promise<void> => {
    if (api !== undefined) {
      await removeEverything(api);
      api.close();
    }
    for (const record of listDaemons(workDir).filter((daemon) => daemon.groupId === groupId && daemon.name === 'dockerd')) {
      await stopDaemon(workDir, record);
    }
    const problems = await cleanUpDockerd(spec);
    // Done in-process: the record goes without running its teardown command again.
    await releaseRuntimeState(workDir, { ...state, teardownCommands: [] });
    if (problems.length > 0) {
      throw new CrbenchError('CLEANUP_INCOMPLETE', `${runtime} group ${groupId} left something behind: ${problems.join('; ')}; run 'crbench teardown'`);
    }
  };

  try {
    const daemon = await startDockerd(workDir, groupId, paths, context.storageDriver, { binary });
    const version = await requestOverSocket(paths.socket, 'GET', '/version', { timeoutMs: 10_000 });
    if (version.status !== 200) {
      throw new CrbenchError('DAEMON_FAILED', `dockerd of group ${groupId} answered GET /version with HTTP ${version.status}`);
    }
    api = new DockerApi(paths.socket, chooseApiVersion(JSON.parse(version.body.toString('utf8')) as { ApiVersion?: string; MinAPIVersion?: string }));
    return { paths, api, daemon, close };
  } catch (error) {
    // The runner closes only a group that opened: whatever started is stopped here.
    await close().catch(() => undefined);
    throw error;
  }
}
