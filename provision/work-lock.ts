import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../pipeline/errors.ts';
import { listDaemons } from './daemons/daemon.ts';
import { listRuntimeStates } from './runtime-state.ts';
import { listVolumes } from './volume.ts';

interface LockRecord {
  pid: number;
  startedAt: string;
  argv: string[];
}

const lockPath = (workDir: string) => path.join(workDir, 'crbench.lock');

function isLiveCrbench(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('crbench');
  } catch {
    return false;
  }
}

/** What a dead run left behind, as counts; all zero when the work directory is clean. */
export function leftoversOf(workDir: string): { volumes: number; daemons: number; runtimeStates: number } {
  return { volumes: listVolumes(workDir).length, daemons: listDaemons(workDir).length, runtimeStates: listRuntimeStates(workDir).length };
}

/**
 * Takes the work directory for this process. A live crbench holding it is an error (two
 * runs would tear down each other's volumes); a lock or records left by a dead one are
 * reported as stale, for the caller to tear down before it starts.
 */
export function acquireWorkLock(workDir: string): { staleFrom: LockRecord | null; leftovers: ReturnType<typeof leftoversOf> } {
  let staleFrom: LockRecord | null = null;
  if (existsSync(lockPath(workDir))) {
    const held = JSON.parse(readFileSync(lockPath(workDir), 'utf8')) as LockRecord;
    if (held.pid !== process.pid && isLiveCrbench(held.pid)) {
      throw new CrbenchError('WORK_DIR_BUSY',
        `another crbench (pid ${held.pid}, started ${held.startedAt}) is using the work directory ${workDir}; ` +
        'wait for it to finish, or give this one another CRBENCH_WORK_DIR', { exitCode: 2 });
    }
    staleFrom = held;
  }
  const record: LockRecord = { pid: process.pid, startedAt: new Date().toISOString(), argv: process.argv.slice(1) };
  writeFileSync(lockPath(workDir), JSON.stringify(record, null, 2));
  return { staleFrom, leftovers: leftoversOf(workDir) };
}

export function releaseWorkLock(workDir: string): void {
  if (!existsSync(lockPath(workDir))) return;
  const held = JSON.parse(readFileSync(lockPath(workDir), 'utf8')) as LockRecord;
  if (held.pid === process.pid) rmSync(lockPath(workDir), { force: true });
}

/** For teardown: refuses while a live run holds the work directory. */
export function assertNoLiveRun(workDir: string): void {
  if (!existsSync(lockPath(workDir))) return;
  const held = JSON.parse(readFileSync(lockPath(workDir), 'utf8')) as LockRecord;
  if (held.pid !== process.pid && isLiveCrbench(held.pid)) {
    throw new CrbenchError('WORK_DIR_BUSY',
      `crbench (pid ${held.pid}) is still running with ${workDir}; stop it first (Ctrl-C tears down by itself), or use --force`, { exitCode: 2 });
  }
}
