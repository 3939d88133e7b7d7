import { awaitExit } from './await-exit.ts';
import type { CommandRecord } from '../types.ts';
import { spawnTimed } from './spawn-timed.ts';

/**
 * What a phase does, as data: adapters and storage drivers build these, the runner alone
 * executes and times them. `run` spawns a binary that must exit 0; `await-exit` waits for a
 * process that is not ours; `call` is an in-process request (an HTTP call on a daemon's
 * socket) that resolves when done and rejects with a message a user can act on. A call may
 * resolve with a command record (the workload's exit code and output, say), which joins the
 * phase's commands: the workload check reads the last one.
 */
export type Step =
  /** `exitJudgedElsewhere`: any exit code is fine here; the workload's check judges it. */
  | { kind: 'run'; argv: string[]; exitJudgedElsewhere?: boolean }
  | { kind: 'await-exit'; pid: number; what: string }
  | { kind: 'call'; what: string; call: (deadlineMs: number) => Promise<CommandRecord | void> };

async function runCall(step: Extract<Step, { kind: 'call' }>, deadlineMs: number): Promise<{ error?: string; record?: CommandRecord }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: `${step.what}: timed out after ${Math.round(deadlineMs)} ms` }), deadlineMs);
  });
  try {
    return await Promise.race([
      step.call(deadlineMs).then((record) => (record ? { record } : {}), (error: Error) => ({ error: `${step.what}: ${error.message}` })),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PhaseOutcome {
  durationMs: number;
  ok: boolean;
  error?: string;
  commands: CommandRecord[];
}

function describeFailure(record: CommandRecord): string {
  const said = record.stderr.trim().split('\n').slice(-2).join(' | ');
  const how = record.failure ?? (record.signal !== null ? `killed by ${record.signal}` : `exit ${record.exitCode}`);
  return `${record.argv.join(' ')}: ${how}${said !== '' ? `: ${said}` : ''}`;
}

/**
 * Runs the steps of one phase under one monotonic clock. Nothing but the steps happens
 * between the two clock readings: no logging, no checks; those come after.
 */
export async function timePhase(steps: Step[], options: { scratchDir: string; deadlineMs: number; concurrent?: boolean }): Promise<PhaseOutcome> {
  const commands: CommandRecord[] = [];
  let error: string | undefined;
  const start = performance.now();
  for (const step of steps) {
    const remainingMs = Math.max(1, options.deadlineMs - (performance.now() - start));
    if (step.kind === 'run') {
      const record = await spawnTimed(step.argv, { scratchDir: options.scratchDir, deadlineMs: remainingMs });
      commands.push(record);
      if (record.failure !== undefined || (record.exitCode !== 0 && step.exitJudgedElsewhere !== true)) {
        error = describeFailure(record);
        break;
      }
    } else if (step.kind === 'call') {
      const result = await runCall(step, remainingMs);
      if (result.record !== undefined) commands.push(result.record);
      error = result.error;
      if (error !== undefined) break;
    } else if (!(await awaitExit(step.pid, remainingMs, { spin: options.concurrent !== true }))) {
      error = `${step.what} (pid ${step.pid}) had not exited after ${options.deadlineMs} ms`;
      break;
    }
  }
  const durationMs = performance.now() - start;
  return { durationMs, ok: error === undefined, commands, ...(error !== undefined ? { error } : {}) };
}
