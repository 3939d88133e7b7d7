import { mkdirSync } from 'node:fs';
import { cleanUpCommand } from '../../../provision/daemons/clean-up.ts';
import { listDaemons, stopDaemon, type DaemonRecord } from '../../../provision/daemons/daemon.ts';
import { cleanUpDockerd, DOCKERD_HOST_PATHS, dockerdCleanUpSpec, dockerdPaths, startDockerd, type DockerdPaths } from '../../../provision/daemons/dockerd.ts';
import { requestOverSocket } from '../../../provision/daemons/http-over-socket.ts';
import { absentHostPaths } from '../../../provision/daemons/leftovers.ts';
import { namespaceFileOf, recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import { splitRuntime } from '../../types.ts';
import { chooseApiVersion, DockerApi } from './docker-api.ts';
import { prepareEngineOci, type EngineOci } from './oci-behind-engine.ts';
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
  /** The OCI runtime the group's containers run (HostConfig.Runtime), null for dockerd's default runc. */
  oci: EngineOci;
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
  const { oci: ociName } = splitRuntime(context.runtime);
  const state: RuntimeState = {
    groupId, runtime, commandPrefix: [binary], stateRoot: paths.execRoot,
    namespaceFile: ociName === 'crun' && context.host.cgroupMode === 'hybrid' ? namespaceFileOf(workDir, `${groupId}.oci`) : null,
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
    // Done in-process: the record goes without running its teardown command again (its namespace goes).
    await releaseRuntimeState(workDir, { ...state, teardownCommands: [] });
    if (problems.length > 0) {
      throw new CrbenchError('CLEANUP_INCOMPLETE', `${runtime} group ${groupId} left something behind: ${problems.join('; ')}; run 'crbench teardown'`);
    }
  };

  try {
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    const oci = await prepareEngineOci({ host: context.host, workDir, groupId, stateDir: paths.stateDir, oci: ociName, crunWrapper: 'nsenter' });
    const daemon = await startDockerd(workDir, groupId, paths, context.storageDriver, { binary, runtimes: oci.dockerRuntimes });
    const version = await requestOverSocket(paths.socket, 'GET', '/version', { timeoutMs: 10_000 });
    if (version.status !== 200) {
      throw new CrbenchError('DAEMON_FAILED', `dockerd of group ${groupId} answered GET /version with HTTP ${version.status}`);
    }
    api = new DockerApi(paths.socket, chooseApiVersion(JSON.parse(version.body.toString('utf8')) as { ApiVersion?: string; MinAPIVersion?: string }));
    return { paths, api, daemon, oci, close };
  } catch (error) {
    // The runner closes only a group that opened: whatever started is stopped here.
    await close().catch(() => undefined);
    throw error;
  }
}
