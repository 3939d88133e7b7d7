import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openNativeExecutor, runStepsOrThrow, type NativeExecutor } from '../../../pipeline/run/executor/native-executor.ts';
import { run, stepTimings, type HttpStep, type Step } from '../../../pipeline/run/executor/steps.ts';

const hrtimeMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('openNativeExecutor()', () => {
  let scratchDir: string;
  let workDir: string;
  let executor: NativeExecutor;
  before(async function () {
    this.timeout(60_000); // the first run may build the timer
    scratchDir = mkdtempSync(path.join('/var/tmp', 'crbench-scratch-'));
    workDir = mkdtempSync(path.join('/var/tmp', 'crbench-exec-'));
    executor = await openNativeExecutor({ scratchDir });
  });
  after(async () => {
    try {
      await executor.close();
      assert.deepEqual(readdirSync(scratchDir), [], 'close() deletes every scratch file');
    } finally {
      rmSync(scratchDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    }
  });
  // Scratch files are reused, not made per phase: their number stays that of outputs in flight at once.
  afterEach(() => assert.ok(readdirSync(scratchDir).length <= 16, readdirSync(scratchDir).join(' ')));

  const phase = (steps: Step[], deadlineMs = 10_000) => executor.runPhase(steps, { deadlineMs });

  describe('run steps', () => {
    it('times /bin/true from spawn to reap, with its exit code and rusage', async () => {
      const result = await phase([run('null', ['/bin/true'])]);
      assert.equal(result.ok, true);
      assert.equal(result.error, undefined);
      const [record] = result.records;
      assert.ok(record !== undefined);
      assert.deepEqual([record.label, record.kind, record.what, record.exitCode, record.signal], ['null', 'run', ['/bin/true'], 0, null]);
      assert.ok(record.durationMs > 0 && record.durationMs < 1000, `${record.durationMs} ms`);
      assert.ok(record.rusage !== undefined && record.rusage.maxRssKiB > 0);
      assert.equal(result.durationMs, record.durationMs);
    });

    it('fails on a non-zero exit with the command, its code and its last stderr lines', async () => {
      const result = await phase([run('broken', ['sh', '-c', 'echo one >&2; echo two >&2; echo three >&2; exit 3'])]);
      assert.equal(result.ok, false);
      assert.equal(result.records[0]?.exitCode, 3);
      assert.equal(result.records[0]?.failure, undefined);
      assert.equal(result.error, "sh -c echo one >&2; echo two >&2; echo three >&2; exit 3: exit 3: two | three");
    });

    it('runs every step in its scratch folder, never in the caller\'s directory (a tool writing a relative path)', async () => {
      const result = await phase([{ kind: 'run', label: 'pwd', argv: ['pwd'] }]);
      assert.equal(result.records[0]?.stdout.trim(), realpathSync(scratchDir));
    });

    it('does not fail on a non-zero exit judged elsewhere', async () => {
      const result = await phase([run('workload', ['sh', '-c', 'exit 7'], { exitJudgedElsewhere: true }), run('after', ['/bin/true'])]);
      assert.equal(result.ok, true);
      assert.deepEqual(result.records.map((record) => record.exitCode), [7, 0]);
    });

    it('captures stdout and stderr exactly, with arguments holding spaces, quotes and UTF-8', async () => {
      const args = ['a b', '"double"', "it's", 'ünï €', '$HOME', ''];
      const result = await phase([run('echo', ['sh', '-c', 'printf "%s|" "$@"; printf "to stderr\\n\\tindented" >&2', 'sh', ...args])]);
      assert.equal(result.ok, true);
      assert.equal(result.records[0]?.stdout, 'a b|"double"|it\'s|ünï €|$HOME||');
      assert.equal(result.records[0]?.stderr, 'to stderr\n\tindented');
    });

    it('reads a given stdin file and writes a given stdout file, which it leaves in place', async () => {
      const input = path.join(workDir, 'input.txt');
      const output = path.join(workDir, 'output.txt');
      writeFileSync(input, 'from a file\n');
      const result = await phase([run('cat', ['cat'], { stdinPath: input, stdoutPath: output })]);
      assert.equal(result.ok, true);
      assert.equal(result.records[0]?.stdout, '');
      assert.equal(readdirSync(workDir).includes('output.txt'), true);
    });

    it('reports a binary that does not exist, clearly, instead of throwing', async () => {
      const result = await phase([run('runtime', ['/nonexistent/crbench-runtime', 'create'])]);
      assert.equal(result.ok, false);
      assert.equal(result.records[0]?.failure, 'cannot run /nonexistent/crbench-runtime: No such file or directory');
      assert.match(result.error ?? '', /^\/nonexistent\/crbench-runtime create: cannot run/);
    });

    it('kills a command at the deadline and says so', async () => {
      const before = hrtimeMs();
      const result = await phase([run('sleep', ['sleep', '10'])], 300);
      assert.equal(result.ok, false);
      assert.equal(result.records[0]?.failure, 'timed out after 300 ms');
      assert.equal(result.records[0]?.signal, 'SIGKILL');
      assert.ok(hrtimeMs() - before < 5_000);
      assert.match(result.error ?? '', /^sleep 10: timed out after 300 ms/);
    });

    it('opens every file before the first step runs, so a bad path fails the phase with nothing run', async () => {
      const marker = path.join(workDir, 'ran');
      const result = await phase([run('touch', ['touch', marker]), run('bad', ['/bin/true'], { stdoutPath: '/nonexistent/dir/out' })]);
      assert.equal(result.ok, false);
      assert.equal(result.records.length, 1);
      assert.equal(result.records[0]?.label, 'bad');
      assert.match(result.records[0]?.failure ?? '', /^cannot open \/nonexistent\/dir\/out: No such file or directory/);
      assert.equal(existsSync(marker), false);
    });

    it('runs the steps of a phase in order, back to back, and stops at the first failure', async () => {
      const result = await phase([run('first', ['echo', '1']), run('second', ['sh', '-c', 'exit 1']), run('never', ['echo', 'never'])]);
      assert.equal(result.ok, false);
      assert.deepEqual(result.records.map((record) => record.label), ['first', 'second']);
      const [first, second] = result.records;
      assert.ok(first !== undefined && second !== undefined);
      assert.ok(second.startMs >= first.endMs);
      assert.equal(result.startMs, first.startMs);
      assert.equal(result.endMs, second.endMs);
    });

    it('runs phases side by side: four `sleep 0.2` in flight end well within 4 × 0.2 s', async () => {
      const before = hrtimeMs();
      const results = await Promise.all([1, 2, 3, 4].map(() => phase([run('sleep', ['sleep', '0.2'])])));
      const elapsedMs = hrtimeMs() - before;
      assert.ok(results.every((result) => result.ok));
      for (const result of results) assert.ok(result.durationMs >= 195 && result.durationMs < 600, `${result.durationMs} ms`);
      assert.ok(elapsedMs < 600, `all four took ${elapsedMs} ms`);
    });

    it('stamps records on the clock of Node’s process.hrtime', async () => {
      const before = hrtimeMs();
      const result = await phase([run('a', ['/bin/true']), run('b', ['/bin/true'])]);
      const after = hrtimeMs();
      assert.ok(before <= result.startMs && result.startMs <= result.endMs && result.endMs <= after, `${before} ${result.startMs} ${result.endMs} ${after}`);
      const now = executor.nowMs();
      assert.ok(after <= now && now <= hrtimeMs());
    });

    it('refuses a step it cannot run (an empty argv) before anything runs', async () => {
      await assert.rejects(phase([run('empty', [])]), { code: 'STEP_INVALID' });
    });
  });

  describe('later steps', () => {
    it('builds a step from the records before it, and the round trip shows as harness', async () => {
      const result = await phase([
        run('answer', ['echo', '42']),
        { kind: 'later', label: 'use it', build: (previous) => run('ignored', ['echo', `got ${previous[0]?.stdout.trim()}`]) },
      ]);
      assert.equal(result.ok, true);
      assert.deepEqual(result.records.map((record) => [record.label, record.stdout]), [['answer', '42\n'], ['use it', 'got 42\n']]);
      const timings = stepTimings(result.records);
      assert.deepEqual(timings.map((timing) => timing.label), ['answer', 'harness', 'use it']);
      assert.ok((timings[1]?.durationMs ?? 0) > 0);
      const sum = timings.reduce((total, timing) => total + timing.durationMs, 0);
      assert.ok(Math.abs(sum - result.durationMs) < 1e-6);
    });

    it('fails the phase with the label when a later step cannot be built', async () => {
      const result = await phase([
        run('first', ['/bin/true']),
        { kind: 'later', label: 'exec start', build: () => { throw new Error('no exec id in the answer'); } },
      ]);
      assert.equal(result.ok, false);
      assert.equal(result.records.length, 1);
      assert.equal(result.error, 'exec start: the step could not be built: no exec id in the answer');
    });
  });

  describe('wait-exit steps', () => {
    const pidOf = (stdout: string | undefined): number => Number(stdout?.trim());

    it('waits for an orphan it reaped as subreaper, and reports its exit status', async () => {
      const result = await phase([
        run('spawn orphan', ['sh', '-c', 'sleep 0.3 & echo $!']),
        { kind: 'later', label: 'orphan exit', build: (previous) => ({ kind: 'wait-exit', label: 'x', pid: pidOf(previous[0]?.stdout) }) },
      ]);
      assert.equal(result.ok, true);
      const wait = result.records[1];
      assert.ok(wait !== undefined);
      assert.deepEqual([wait.kind, wait.exitCode, wait.signal], ['wait-exit', 0, null]);
      assert.ok(result.durationMs > 250 && result.durationMs < 3_000, `${result.durationMs} ms`);
    });

    it('reports the signal of a killed orphan', async () => {
      const result = await phase([
        run('spawn orphan', ['sh', '-c', 'sleep 30 & echo $!']),
        {
          kind: 'later', label: 'killed', build: (previous) => {
            process.kill(pidOf(previous[0]?.stdout), 'SIGTERM');
            return { kind: 'wait-exit', label: 'x', pid: pidOf(previous[0]?.stdout) };
          },
        },
      ]);
      assert.equal(result.ok, true);
      assert.deepEqual([result.records[1]?.exitCode, result.records[1]?.signal], [null, 'SIGTERM']);
    });

    it('answers at once for an orphan already reaped, from its table of the recently reaped', async () => {
      const result = await phase([
        run('spawn orphan', ['sh', '-c', 'sh -c "sleep 0.05; exit 5" & echo $!']), // outlives its parent: ours to reap
        run('meanwhile', ['sleep', '0.2']),
        { kind: 'later', label: 'gone', build: (previous) => ({ kind: 'wait-exit', label: 'x', pid: pidOf(previous[0]?.stdout) }) },
      ]);
      assert.equal(result.ok, true);
      assert.equal(result.records[2]?.exitCode, 5);
      assert.ok((result.records[2]?.durationMs ?? 1e9) < 50);
    });

    it('waits for a process that is not its child (one Node spawned) through a pidfd', async () => {
      const child = spawn('sleep', ['0.3'], { stdio: 'ignore' });
      try {
        const result = await phase([{ kind: 'wait-exit', label: 'not ours', pid: child.pid as number }]);
        assert.equal(result.ok, true);
        assert.deepEqual([result.records[0]?.exitCode, result.records[0]?.signal, result.records[0]?.what], [null, null, [String(child.pid)]]);
        assert.ok(result.durationMs > 200 && result.durationMs < 3_000, `${result.durationMs} ms`);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('fails at the deadline naming the pid, and ends at once for a pid that is gone', async () => {
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const result = await phase([{ kind: 'wait-exit', label: 'init exit', pid: child.pid as number }], 200);
        assert.equal(result.ok, false);
        assert.equal(result.records[0]?.failure, `pid ${child.pid} had not exited after 200 ms`);
        assert.equal(result.error, `init exit (${child.pid}): pid ${child.pid} had not exited after 200 ms`);
      } finally {
        child.kill('SIGKILL');
      }
      await new Promise((resolve) => child.once('exit', resolve));
      const gone = await phase([{ kind: 'wait-exit', label: 'gone', pid: child.pid as number }]);
      assert.equal(gone.ok, true);
    });
  });

  describe('http steps', () => {
    let server: http.Server;
    let socketPath: string;
    const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; bodyBytes: number; body: string }[] = [];
    before(async () => {
      socketPath = path.join(workDir, 'api.sock');
      server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks);
          seen.push({ method: request.method, url: request.url, headers: request.headers, bodyBytes: body.length, body: body.toString('utf8') });
          if (request.url === '/v1.41/version') {
            response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ApiVersion: '1.41' }));
          } else if (request.url === '/v1.41/containers/x/start') {
            response.writeHead(204).end();
          } else if (request.url === '/chunked') {
            response.writeHead(200, { 'Content-Type': 'text/plain' });
            response.write('first ');
            setTimeout(() => response.end('second'), 20);
          } else if (request.url === '/v1.41/images/load' || request.url === '/v1.41/containers/create') {
            response.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received: body.length, length: request.headers['content-length'] }));
          } else {
            response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'no such container' }));
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const request = (method: string, requestPath: string, accept: number[], extra: Partial<HttpStep> = {}): HttpStep =>
      ({ kind: 'http', label: `${method} ${requestPath}`, socketPath, method, path: requestPath, accept, ...extra });

    it('answers 200 with the JSON body as stdout, sending Connection: close', async () => {
      const result = await phase([request('GET', '/v1.41/version', [200])]);
      assert.equal(result.ok, true);
      assert.deepEqual([result.records[0]?.httpStatus, JSON.parse(result.records[0]?.stdout ?? '')], [200, { ApiVersion: '1.41' }]);
      assert.deepEqual(result.records[0]?.what, ['GET', '/v1.41/version']);
      assert.equal(seen.at(-1)?.headers.connection, 'close');
    });

    it('runs several requests back to back in one phase, each on a connection of its own (a socket number reused)', async () => {
      const result = await phase([request('GET', '/v1.41/version', [200]), request('POST', '/v1.41/containers/x/start', [204]), request('GET', '/v1.41/version', [200])]);
      assert.equal(result.ok, true, result.error);
      assert.deepEqual(result.records.map((record) => record.httpStatus), [200, 204, 200]);
      const again = await phase([request('GET', '/v1.41/version', [200]), request('GET', '/v1.41/version', [200])]);
      assert.equal(again.ok, true, again.error);
    });

    it('accepts 204 with an empty body', async () => {
      const result = await phase([request('POST', '/v1.41/containers/x/start', [204, 304])]);
      assert.equal(result.ok, true);
      assert.deepEqual([result.records[0]?.httpStatus, result.records[0]?.stdout], [204, '']);
    });

    it('decodes a chunked body', async () => {
      const result = await phase([request('GET', '/chunked', [200])]);
      assert.equal(result.records[0]?.stdout, 'first second');
      assert.equal(result.records[0]?.httpBody?.toString('utf8'), 'first second');
    });

    it('fails a status it does not accept with the daemon’s message', async () => {
      const result = await phase([request('POST', '/v1.41/containers/gone/start', [204])]);
      assert.equal(result.ok, false);
      assert.equal(result.records[0]?.failure, 'HTTP 404: no such container');
      assert.equal(result.error, 'POST /v1.41/containers/gone/start: HTTP 404: no such container');
    });

    it('sends a JSON body, and streams a body file with its length', async () => {
      const created = await phase([request('POST', '/v1.41/containers/create', [201], { json: { Image: 'tiny', Cmd: ['ünï'] } })]);
      assert.equal(created.ok, true);
      assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? ''), { Image: 'tiny', Cmd: ['ünï'] });
      assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
      const tarball = path.join(workDir, 'image.tar');
      writeFileSync(tarball, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
      const loaded = await phase([request('POST', '/v1.41/images/load', [200, 201], { bodyFile: tarball })]);
      assert.equal(loaded.ok, true);
      assert.deepEqual(JSON.parse(loaded.records[0]?.stdout ?? ''), { received: 3 * 1024 * 1024 + 17, length: String(3 * 1024 * 1024 + 17) });
      assert.equal(seen.at(-1)?.headers['content-type'], 'application/x-tar');
    });

    it('reports a socket nobody listens on', async () => {
      const result = await phase([{ ...request('GET', '/v1.41/version', [200]), socketPath: path.join(workDir, 'nobody.sock') }]);
      assert.equal(result.ok, false);
      assert.match(result.records[0]?.failure ?? '', /^cannot connect to .*nobody\.sock: No such file or directory$/);
    });
  });

  describe('exchange steps', () => {
    it('writes, then reads until the marker, though the peer keeps the connection open', async () => {
      const socketPath = path.join(workDir, 'qmp.sock');
      const sockets: net.Socket[] = [];
      let heard = '';
      const server = net.createServer((socket) => {
        sockets.push(socket);
        socket.write('{"QMP": {}}\n');
        socket.on('data', (chunk: Buffer) => {
          heard += chunk.toString('utf8');
          if (heard.includes('\n')) socket.write('{"return": {}}\nEN');
          setTimeout(() => socket.write('D\nafter'), 20);
        });
      });
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
      try {
        const result = await phase([{ kind: 'exchange', label: 'cont', socketPath, send: '{"execute": "cont"}\n', until: 'END\n' }], 5_000);
        assert.equal(result.ok, true);
        assert.equal(heard, '{"execute": "cont"}\n');
        assert.equal(result.records[0]?.stdout, '{"QMP": {}}\n{"return": {}}\nEND\n');
        assert.deepEqual(result.records[0]?.what, [socketPath]);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });

  describe('scratch files', () => {
    it('are reused from phase to phase, each phase seeing its own output only, and deleted by close()', async () => {
      const ownScratch = mkdtempSync(path.join('/var/tmp', 'crbench-scratch-'));
      const own = await openNativeExecutor({ scratchDir: ownScratch });
      try {
        for (const word of ['a long first line', 'b', 'c']) {
          const result = await own.runPhase([run('echo', ['sh', '-c', `echo ${word}; echo ${word} >&2`])], { deadlineMs: 5_000 });
          assert.deepEqual([result.records[0]?.stdout, result.records[0]?.stderr], [`${word}\n`, `${word}\n`]);
        }
        assert.equal(readdirSync(ownScratch).length, 2);
      } finally {
        await own.close();
        const left = readdirSync(ownScratch);
        rmSync(ownScratch, { recursive: true, force: true });
        assert.deepEqual(left, [], 'close() deletes every scratch file');
      }
    });

    it('are not shared with an orphan that still holds one: the next phase gets a new file', async () => {
      const ownScratch = mkdtempSync(path.join('/var/tmp', 'crbench-scratch-'));
      const own = await openNativeExecutor({ scratchDir: ownScratch });
      try {
        const first = await own.runPhase([run('orphan', ['sh', '-c', '(sleep 0.2; echo late; echo late >&2) & echo first'])], { deadlineMs: 5_000 });
        assert.equal(first.records[0]?.stdout, 'first\n');
        const second = await own.runPhase([run('later', ['sh', '-c', 'sleep 0.5; echo second'])], { deadlineMs: 5_000 });
        assert.deepEqual([second.records[0]?.stdout, second.records[0]?.stderr], ['second\n', '']);
      } finally {
        await own.close();
        const left = readdirSync(ownScratch);
        rmSync(ownScratch, { recursive: true, force: true });
        assert.deepEqual(left, [], 'close() deletes every scratch file');
      }
    });
  });

  describe('close()', () => {
    it('waits for the phases in flight, then ends the timer: no process is left', async () => {
      const own = await openNativeExecutor({ scratchDir });
      assert.ok(processExists(own.timerPid));
      const inFlight = own.runPhase([run('sleep', ['sleep', '0.2'])], { deadlineMs: 5_000 });
      await own.close();
      assert.equal((await inFlight).ok, true);
      assert.equal(processExists(own.timerPid), false);
      await assert.rejects(own.runPhase([run('late', ['/bin/true'])], { deadlineMs: 1_000 }), { code: 'EXECUTOR_CLOSED' });
    });
  });

  describe('runStepsOrThrow()', () => {
    it('returns the phase when every step succeeded, and throws STEP_FAILED with the failure otherwise', async () => {
      assert.equal((await runStepsOrThrow(executor, [run('ok', ['/bin/true'])], { deadlineMs: 5_000 })).ok, true);
      await assert.rejects(runStepsOrThrow(executor, [run('bad', ['sh', '-c', 'exit 2'])], { deadlineMs: 5_000 }), { code: 'STEP_FAILED', message: 'sh -c exit 2: exit 2' });
    });
  });

  it('fails with TIMER_UNAVAILABLE, saying how to fix it, when the timer binary is missing', async () => {
    await assert.rejects(openNativeExecutor({ scratchDir, timerPath: path.join(os.tmpdir(), 'no-such-crbench-timer') }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TIMER_UNAVAILABLE');
      assert.match(error.message, /make install/);
      return true;
    });
  });
});
