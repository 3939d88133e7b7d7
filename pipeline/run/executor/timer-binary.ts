import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CrbenchError } from '../../errors.ts';

const repoDir = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `make timer` puts the helper, and its one source file (both relative to the repository). */
export const TIMER_BINARY = 'build/crbench-timer';
export const TIMER_SOURCE = 'pipeline/run/executor/crbench-timer.c';

/** The Makefile's `timer` recipe, argument for argument. */
const CC_FLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror'];

function mtimeMs(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The path of a current build of the timer: build/crbench-timer, built first (as `make timer`
 * would) when it is missing or older than its source, so a fresh clone's tests run. The build
 * goes to a file of this process's own and is renamed into place: two test runs may race.
 */
export async function ensureTimerBinary(): Promise<string> {
  const binary = path.join(repoDir, TIMER_BINARY);
  const sourceMtimeMs = mtimeMs(path.join(repoDir, TIMER_SOURCE));
  const binaryMtimeMs = mtimeMs(binary);
  if (binaryMtimeMs !== undefined && (sourceMtimeMs === undefined || binaryMtimeMs >= sourceMtimeMs)) return binary;
  const partial = `${TIMER_BINARY}.${process.pid}.tmp`;
  try {
    mkdirSync(path.join(repoDir, 'build'), { recursive: true });
    await promisify(execFile)('cc', [...CC_FLAGS, '-o', partial, TIMER_SOURCE], { cwd: repoDir });
    renameSync(path.join(repoDir, partial), binary);
    return binary;
  } catch (error) {
    rmSync(path.join(repoDir, partial), { force: true });
    const said = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new CrbenchError('TIMER_UNAVAILABLE',
      `cannot build the native timer ${binary} from ${TIMER_SOURCE}: ${said}\n` +
      'Run `make install` (it builds the timer; it needs a C compiler: apt-get install gcc).', { cause: error });
  }
}
