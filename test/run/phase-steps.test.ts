import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitExit } from '../../pipeline/run/await-exit.ts';
import { timePhase } from '../../pipeline/run/phase-steps.ts';

describe('timePhase()', () => {
  let scratchDir: string;
  beforeEach(() => { scratchDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-phase-')); });
  afterEach(() => rmSync(scratchDir, { recursive: true, force: true }));

  it('runs every step, keeps each command with its output, and leaves no scratch file', async () => {
    const outcome = await timePhase([
      { kind: 'run', argv: ['echo', 'first'] },
      { kind: 'run', argv: ['sh', '-c', 'echo second >&2'] },
    ], { scratchDir, deadlineMs: 10_000 });
    assert.equal(outcome.ok, true);
    assert.deepEqual(outcome.commands.map((command) => [command.stdout, command.stderr]), [['first\n', ''], ['', 'second\n']]);
    assert.ok(outcome.durationMs > 0);
    assert.deepEqual(readdirSync(scratchDir), []);
  });

  it('stops at the first failing step and names its command, exit code and stderr', async () => {
    const outcome = await timePhase([
      { kind: 'run', argv: ['sh', '-c', 'echo broken >&2; exit 3'] },
      { kind: 'run', argv: ['echo', 'never'] },
    ], { scratchDir, deadlineMs: 10_000 });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.commands.length, 1);
    assert.match(outcome.error ?? '', /exit 3: broken/);
  });

  it('reports a binary that does not exist instead of throwing', async () => {
    const outcome = await timePhase([{ kind: 'run', argv: ['/nonexistent/crbench-runtime', 'create'] }], { scratchDir, deadlineMs: 10_000 });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /cannot run \/nonexistent\/crbench-runtime/);
  });

  it('times an in-process call, and reports its rejection or its overrun with what it was', async () => {
    let called = 0;
    const ok = await timePhase([{ kind: 'call', what: 'POST /containers/create', call: async () => { called += 1; } }], { scratchDir, deadlineMs: 1_000 });
    assert.equal(ok.ok, true);
    assert.equal(called, 1);
    const record = { argv: ['POST', '/containers/x/wait'], durationMs: 3, exitCode: 0, signal: null, stdout: 'graded', stderr: '' };
    const answered = await timePhase([{ kind: 'call', what: 'wait', call: async () => record }], { scratchDir, deadlineMs: 1_000 });
    assert.deepEqual(answered.commands, [record]);
    const rejected = await timePhase([{ kind: 'call', what: 'POST /containers/x/start', call: () => Promise.reject(new Error('HTTP 404: no such container')) }], { scratchDir, deadlineMs: 1_000 });
    assert.equal(rejected.error, 'POST /containers/x/start: HTTP 404: no such container');
    const hung = await timePhase([{ kind: 'call', what: 'POST /containers/x/wait', call: () => new Promise(() => undefined) }], { scratchDir, deadlineMs: 100 });
    assert.match(hung.error ?? '', /^POST \/containers\/x\/wait: timed out after/);
  });

  it('kills a command that outlives the deadline and says so', async () => {
    const outcome = await timePhase([{ kind: 'run', argv: ['sleep', '30'] }], { scratchDir, deadlineMs: 200 });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /timed out after/);
    assert.ok(outcome.durationMs < 10_000);
  });
});

describe('awaitExit()', () => {
  it('returns once a process has exited, even while it is an unreaped zombie', async () => {
    const child = spawn('sh', ['-c', 'exit 0']);
    const { pid } = child;
    assert.ok(pid !== undefined);
    assert.equal(await awaitExit(pid, 5_000), true);
  });

  it('gives up at the deadline on a process that keeps running', async () => {
    const child = spawn('sleep', ['30']);
    try {
      assert.equal(await awaitExit(child.pid ?? -1, 100), false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
