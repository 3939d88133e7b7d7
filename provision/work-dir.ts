import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../pipeline/errors.ts';

/**
 * Everything the pipeline creates on the host (image files, mounts, runtime state, caches)
 * lives below one work directory, so that teardown can find it all and so that nothing
 * outside it is ever formatted, mounted over or deleted.
 */
export const DEFAULT_WORK_DIR = '/var/lib/crbench';

/** Directories a misconfigured CRBENCH_WORK_DIR must never resolve to. */
const FORBIDDEN_WORK_DIRS = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64',
  '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var', '/var/lib', '/var/tmp']);

export function resolveWorkDir(env: NodeJS.ProcessEnv = process.env): string {
  const requested = env['CRBENCH_WORK_DIR'] ?? DEFAULT_WORK_DIR;
  if (!path.isAbsolute(requested)) {
    throw new CrbenchError('WORK_DIR_NOT_ABSOLUTE',
      `CRBENCH_WORK_DIR must be an absolute path, got '${requested}'`, { exitCode: 2 });
  }
  const normalised = path.resolve(requested);
  if (FORBIDDEN_WORK_DIRS.has(normalised)) {
    throw new CrbenchError('WORK_DIR_FORBIDDEN',
      `refusing to use ${normalised} as the work directory: teardown removes everything below it; ` +
      'point CRBENCH_WORK_DIR at a directory of its own, such as /var/lib/crbench', { exitCode: 2 });
  }
  return normalised;
}

/** Creates the work directory (private to root) and returns its real path. */
export function ensureWorkDir(workDir: string): string {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  return realpathSync(workDir);
}

/** True when `candidate` is strictly below `workDir` (after resolving `..`). */
export function isUnderWorkDir(workDir: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(workDir), path.resolve(candidate));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Throws unless `candidate` is below the work directory: the guard before any destructive step. */
export function assertUnderWorkDir(workDir: string, candidate: string, what: string): void {
  if (!isUnderWorkDir(workDir, candidate)) {
    throw new CrbenchError('OUTSIDE_WORK_DIR',
      `refusing to ${what} ${candidate}: it is not below the work directory ${workDir}`);
  }
}

/** The fixed layout below the work directory. */
export function workPaths(workDir: string) {
  return {
    volumes: path.join(workDir, 'volumes'),
    mounts: path.join(workDir, 'mnt'),
    namespaces: path.join(workDir, 'ns'),
    cache: path.join(workDir, 'cache'),
    scratch: path.join(workDir, 'scratch'),
    /** Pre-made network namespaces and cgroups of cell groups, with their records (provision/pools/). */
    pools: path.join(workDir, 'pools'),
  };
}
