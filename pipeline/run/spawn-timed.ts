import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { CommandRecord } from '../types.ts';

export type { CommandRecord } from '../types.ts';

let scratchCounter = 0;

/**
 * Spawns `argv` directly (no shell) and resolves when it exits. Output goes to scratch
 * files opened before the clock starts, not to pipes: a runtime's `create` hands its stdio
 * to the container, which would hold a pipe open for its whole life.
 */
export function spawnTimed(argv: string[], options: { scratchDir: string; deadlineMs: number }): Promise<CommandRecord> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawnTimed needs a command');
  scratchCounter += 1;
  const outPath = path.join(options.scratchDir, `${process.pid}-${scratchCounter}.out`);
  const errPath = path.join(options.scratchDir, `${process.pid}-${scratchCounter}.err`);
  const outFd = openSync(outPath, 'w+');
  const errFd = openSync(errPath, 'w+');
  return new Promise((resolve) => {
    let failure: string | undefined;
    const startNs = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: ['ignore', outFd, errFd] });
    const timer = setTimeout(() => {
      failure = `timed out after ${options.deadlineMs} ms`;
      child.kill('SIGKILL');
    }, options.deadlineMs);
    const finish = (exitCode: number | null, signal: string | null): void => {
      const durationMs = Number(process.hrtime.bigint() - startNs) / 1e6;
      clearTimeout(timer);
      closeSync(outFd);
      closeSync(errFd);
      const stdout = readFileSync(outPath, 'utf8');
      const stderr = readFileSync(errPath, 'utf8');
      rmSync(outPath, { force: true });
      rmSync(errPath, { force: true });
      resolve({ argv, durationMs, exitCode, signal, stdout, stderr, ...(failure !== undefined ? { failure } : {}) });
    };
    child.once('error', (error) => {
      failure = `cannot run ${file}: ${error.message}`;
      finish(null, null);
    });
    child.once('exit', finish);
  });
}
