import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { runStep } from './run-step.ts';
import { assertUnderWorkDir, workPaths } from './work-dir.ts';

/**
 * The isolated state of one OCI runtime for one cell group: its own state root on the
 * group's volume and, where the host needs it, a mount namespace to run it in. Recorded on
 * disk before use so that teardown can delete its containers even after a crash.
 */
export interface RuntimeState {
  groupId: string;
  runtime: string;
  /** argv that precedes every runtime command: the binary, maybe behind nsenter. */
  commandPrefix: string[];
  stateRoot: string;
  /** The persistent mount namespace (a bind-mounted nsfs file), when one was made. */
  namespaceFile: string | null;
  /**
   * Runtimes that are not driven by the runc CLI say here how to remove every container they
   * may have left (e.g. `podman --root R rm --all --force`): run in order, best effort.
   * Without them, teardown lists and force-deletes containers the runc way.
   */
  teardownCommands?: string[][];
}

function recordDir(workDir: string): string {
  return path.join(workDir, 'runtime-state');
}

export function recordRuntimeState(workDir: string, state: RuntimeState): void {
  mkdirSync(recordDir(workDir), { recursive: true });
  writeFileSync(path.join(recordDir(workDir), `${state.groupId}.json`), JSON.stringify(state, null, 2));
}

export function listRuntimeStates(workDir: string): RuntimeState[] {
  if (!existsSync(recordDir(workDir))) return [];
  return readdirSync(recordDir(workDir)).filter((file) => file.endsWith('.json')).sort()
    .map((file) => JSON.parse(readFileSync(path.join(recordDir(workDir), file), 'utf8')) as RuntimeState);
}

/** Where the namespace file of `name` lives: known before it is made, so it can be recorded first. */
export function namespaceFileOf(workDir: string, name: string): string {
  return path.join(workPaths(workDir).namespaces, name, 'mnt');
}

/**
 * Makes a persistent mount namespace without the cgroup2 mount at `/sys/fs/cgroup/unified`:
 * crun refuses to run on a hybrid cgroup host, and dropping that mount in a namespace of
 * its own leaves the host's mounts untouched. Its mounts are slaves of the host's, so what
 * is mounted later on a (shared) volume shows inside too, while the unmount stays inside.
 * The namespace file must sit on a private mount, so its directory is bind-mounted onto
 * itself first.
 */
export async function createNamespaceWithoutCgroup2(workDir: string, groupId: string): Promise<string> {
  const dir = path.dirname(namespaceFileOf(workDir, groupId));
  assertUnderWorkDir(workDir, dir, 'create a namespace under');
  mkdirSync(dir, { recursive: true });
  await runStep('making the namespace directory private', $`mount --bind ${dir} ${dir}`);
  await runStep('making the namespace directory private', $`mount --make-private ${dir}`);
  const file = namespaceFileOf(workDir, groupId);
  writeFileSync(file, '');
  await runStep('creating a mount namespace without cgroup2',
    $`unshare --mount=${file} --propagation slave umount /sys/fs/cgroup/unified`);
  return file;
}

/** Force-deletes every container left in the state root, then drops the namespace. */
export async function releaseRuntimeState(workDir: string, state: RuntimeState): Promise<void> {
  const [binary, ...prefixArgs] = state.commandPrefix;
  if (state.teardownCommands !== undefined) {
    for (const [file, ...args] of state.teardownCommands) {
      if (file !== undefined) await $`${file} ${args}`.nothrow();
    }
  } else if (binary !== undefined && existsSync(state.stateRoot)) {
    const listed = await $`${binary} ${prefixArgs} --root ${state.stateRoot} list --quiet`.nothrow();
    for (const id of listed.stdout.split('\n').map((line) => line.trim()).filter(Boolean)) {
      await $`${binary} ${prefixArgs} --root ${state.stateRoot} delete --force ${id}`.nothrow();
    }
  }
  if (state.namespaceFile !== null) {
    const dir = path.dirname(state.namespaceFile);
    await $`umount ${state.namespaceFile}`.nothrow();
    await $`umount ${dir}`.nothrow();
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(path.join(recordDir(workDir), `${state.groupId}.json`), { force: true });
}
