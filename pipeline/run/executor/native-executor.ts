import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CrbenchError } from '../../errors.ts';
import type { Executor } from './executor.ts';
import { parseHttpResponse, responseMessage } from './http-response.ts';
import type { ExchangeStep, HttpStep, PhaseRun, RunStep, Step, StepRecord, WaitExitStep } from './steps.ts';
import { ensureTimerBinary, TIMER_BINARY } from './timer-binary.ts';
import { encodePhaseRequest, parseTimerLine, TIMER_PROTOCOL_VERSION, type WireRecord, type WireStep } from './timer-protocol.ts';

/**
 * The Executor on crbench-timer (crbench-timer.c: the protocol is in its header comment).
 *
 * ```
 *   runPhase(steps) ─1 split at `later` steps─▶ segment ─2 scratch paths, one request─▶ timer
 *        ▲                                                                      │ runs, times
 *        └─4 PhaseRun ◀─ 3 read and delete outputs, parse HTTP ◀── records ─────┘
 * ```
 * A `later` step is built from the records of the steps before it (step 3 done), so it costs one
 * round trip, which stepTimings() shows as `harness`. Everything Node does happens between the
 * timer's clock readings, never inside them.
 */

export interface NativeExecutorOptions {
  /** Where the default stdout/stderr/response files of steps go; each is deleted after its phase. */
  scratchDir: string;
  /** The timer binary; by default build/crbench-timer, built first if missing or stale. */
  timerPath?: string;
}

/** The Executor, plus the timer's pid (for a look at it, or a test that it is gone after close()). */
export interface NativeExecutor extends Executor {
  readonly timerPid: number;
}

type ConcreteStep = RunStep | WaitExitStep | HttpStep | ExchangeStep;

interface Waiter {
  records: WireRecord[];
  resolve(result: { records: WireRecord[]; ok: boolean }): void;
  reject(error: Error): void;
}

const STDERR_TAIL_CHARS = 4000;
const EXIT_GRACE_MS = 10_000;

/** The helper process: requests out, lines in, one waiter per request id. */
class TimerProcess {
  readonly ready: Promise<number>;
  readonly closed: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private partial: Buffer = Buffer.alloc(0);
  private stderrTail = '';
  private broken: CrbenchError | undefined;
  private ending = false;

  /**
   * `cwd`: where every step runs. The scratch folder, never the caller's directory: a tool
   * that writes a relative path (conmon leaves a file `oom` after a container's OOM kill) must
   * not litter the checkout crbench was started from.
   */
  constructor(private readonly timerPath: string, cwd: string) {
    this.child = spawn(timerPath, [], { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    let signalReady: (pid: number) => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => { signalReady = resolve; failReady = reject; });
    this.child.stdout?.on('data', (chunk: Buffer) => this.take(chunk, signalReady));
    this.child.stderr?.on('data', (chunk: Buffer) => { this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS); });
    this.child.stdin?.on('error', () => undefined); // EPIPE when the timer died: reported on close
    this.child.on('error', (error) => {
      this.fail(new CrbenchError('TIMER_UNAVAILABLE', `cannot start the native timer ${timerPath}: ${error.message}. Run \`make install\` to build it.`, { cause: error }));
      failReady(this.broken as CrbenchError);
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code}`;
        const said = this.stderrTail.trim();
        this.fail(new CrbenchError(this.ending ? 'EXECUTOR_CLOSED' : 'TIMER_DIED',
          `the native timer ${timerPath} ${how}${said !== '' ? `: ${said}` : ''}${this.ending ? '' : ' (phases in flight are lost; see its message)'}`));
        failReady(new CrbenchError('TIMER_UNAVAILABLE', `the native timer ${timerPath} ${how} before it was ready${said !== '' ? `: ${said}` : ''}. Run \`make install\` to rebuild it.`));
        resolve();
      });
    });
    // Held until ready (something must keep Node alive while it waits), then only while phases are in flight.
    this.hold(true);
    this.ready.then(() => { if (this.waiters.size === 0) this.hold(false); }, () => undefined);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The timer keeps Node running only while a phase is in flight: a forgotten close() hangs nothing. */
  private hold(held: boolean): void {
    const handles = [this.child, this.child.stdout as Socket | null, this.child.stderr as Socket | null];
    for (const handle of handles) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  }

  private fail(error: CrbenchError): void {
    this.broken ??= error;
    for (const waiter of this.waiters.values()) waiter.reject(this.broken);
    this.waiters.clear();
    this.hold(false);
  }

  private take(chunk: Buffer, signalReady: (pid: number) => void): void {
    this.partial = this.partial.length === 0 ? chunk : Buffer.concat([this.partial, chunk]);
    let start = 0;
    for (let newline = this.partial.indexOf(10); newline >= 0; newline = this.partial.indexOf(10, start)) {
      const line = parseTimerLine(this.partial.subarray(start, newline).toString('latin1'));
      start = newline + 1;
      if (line.kind === 'ready') {
        if (line.version === TIMER_PROTOCOL_VERSION) signalReady(line.pid);
        else this.fail(new CrbenchError('TIMER_UNAVAILABLE', `${this.timerPath} speaks protocol ${line.version}, not ${TIMER_PROTOCOL_VERSION}: an old build. Run \`make install\` to rebuild it.`));
      } else if (line.kind === 'record') {
        this.waiters.get(line.record.id)?.records.push(line.record);
      } else if (line.kind === 'done') {
        const waiter = this.waiters.get(line.id);
        this.waiters.delete(line.id);
        if (this.waiters.size === 0) this.hold(false);
        waiter?.resolve({ records: waiter.records, ok: line.ok });
      } else if (line.kind === 'error') {
        const error = new CrbenchError('TIMER_PROTOCOL', `the native timer refused a request: ${line.message}`);
        const waiter = this.waiters.get(line.id);
        if (waiter !== undefined) {
          this.waiters.delete(line.id);
          if (this.waiters.size === 0) this.hold(false);
          waiter.reject(error);
        } else {
          this.fail(error);
        }
      }
    }
    this.partial = this.partial.subarray(start);
  }

  /** Sends one request; resolves with its records once the timer says it is done. */
  request(steps: WireStep[], deadlineNs: bigint, budgetMs: number): Promise<{ records: WireRecord[]; ok: boolean }> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      if (this.waiters.size === 0) this.hold(true);
      this.waiters.set(id, { records: [], resolve, reject });
      this.child.stdin?.write(encodePhaseRequest({ id, deadlineNs, budgetMs, steps }));
    });
  }

  /** Closes the timer's stdin (it finishes what is in flight, then exits) and waits for its exit. */
  async end(): Promise<void> {
    this.ending = true;
    this.hold(true);
    this.child.stdin?.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.closed;
    clearTimeout(killer);
  }
}

/**
 * An output file's bytes; none when the timer saw it empty, or it is not there. Synchronous on
 * purpose: these are small files, and a round trip through libuv's thread pool for each costs
 * more, and keeps the machine busier between two steps than the read itself.
 */
function readOutput(file: string, sizeBytes: number | null): Buffer {
  if (sizeBytes === 0) return Buffer.alloc(0);
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

function signalName(signalNumber: number | null): string | null {
  if (signalNumber === null) return null;
  const entry = Object.entries(os.constants.signals).find(([, value]) => value === signalNumber);
  return entry?.[0] ?? `signal ${signalNumber}`;
}

function invalid(step: { label: string }, what: string): CrbenchError {
  return new CrbenchError('STEP_INVALID', `step "${step.label}": ${what}`);
}

const hasNul = (text: string): boolean => text.includes('\0');

/** A step the timer would refuse or misread is refused here, with what is wrong. */
function checkStep(step: ConcreteStep): void {
  switch (step.kind) {
    case 'run':
      if (step.argv.length === 0) throw invalid(step, 'argv is empty');
      if (step.argv.some(hasNul) || [step.stdinPath, step.stdoutPath, step.stderrPath].some((p) => p !== undefined && (p === '' || hasNul(p)))) {
        throw invalid(step, 'an argument or path is empty or holds a NUL byte');
      }
      return;
    case 'wait-exit':
      if (!Number.isInteger(step.pid) || step.pid <= 0) throw invalid(step, `pid ${step.pid} is not a process id`);
      return;
    case 'http':
      if (!/^[A-Z]+$/.test(step.method)) throw invalid(step, `method ${JSON.stringify(step.method)} is not an HTTP method`);
      if (!/^\/[\x21-\x7e]*$/.test(step.path)) throw invalid(step, `path ${JSON.stringify(step.path)} is not an absolute path without spaces`);
      if (step.accept.length === 0 || !step.accept.every((code) => Number.isInteger(code) && code >= 100 && code <= 599)) throw invalid(step, 'accept lists no status codes');
      if (hasNul(step.socketPath) || (step.bodyFile !== undefined && hasNul(step.bodyFile))) throw invalid(step, 'a path holds a NUL byte');
      return;
    case 'exchange':
      if (hasNul(step.socketPath)) throw invalid(step, 'the socket path holds a NUL byte');
      return;
  }
}

function httpRequestParts(step: HttpStep): { head: Buffer; body: Buffer } {
  const json = step.json === undefined ? undefined : JSON.stringify(step.json);
  const lines = [`${step.method} ${step.path} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
  if (json !== undefined) lines.push('Content-Type: application/json');
  else if (step.bodyFile !== undefined) lines.push('Content-Type: application/x-tar');
  else if (step.method !== 'GET' && step.method !== 'HEAD') lines.push('Content-Length: 0');
  // The timer adds Content-Length for a body (it knows the body file's size) and the blank line.
  return { head: Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'), body: Buffer.from(json ?? '', 'utf8') };
}

/** What a record names: argv, `[pid]`, `[METHOD, path]`, `[socketPath]`. */
function whatOf(step: ConcreteStep): string[] {
  switch (step.kind) {
    case 'run': return step.argv;
    case 'wait-exit': return [String(step.pid)];
    case 'http': return [step.method, step.path];
    case 'exchange': return [step.socketPath];
  }
}

/**
 * The first failure, in words a user can act on: the command (or request), how it failed, and
 * the last two lines of what it said on stderr.
 */
export function describeFailure(record: StepRecord): string {
  const said = record.stderr.trim().split('\n').slice(-2).join(' | ');
  const how = record.failure ?? (record.signal !== null ? `killed by ${record.signal}` : `exit ${record.exitCode}`);
  const what = record.kind === 'run' || record.kind === 'http' ? record.what.join(' ') : `${record.label} (${record.what.join(' ')})`;
  return `${what}: ${how}${said !== '' ? `: ${said}` : ''}`;
}

let scratchCounter = 0;

/**
 * Scratch paths, reused from phase to phase and deleted by close(): a file made and deleted
 * around every step costs that step a little time of its own (see "Reused scratch files" in
 * crbench-timer.c, which also keeps an orphan that still holds one from sharing it).
 */
class ScratchPool {
  private readonly free = new Map<string, string[]>();
  private readonly made = new Set<string>();

  constructor(private readonly dir: string) {}

  take(suffix: string): string {
    const reused = this.free.get(suffix)?.pop();
    if (reused !== undefined) return reused;
    scratchCounter += 1;
    const file = path.join(this.dir, `crbench-${process.pid}-${scratchCounter}.${suffix}`);
    this.made.add(file);
    return file;
  }

  give(file: string): void {
    const suffix = path.extname(file).slice(1);
    const list = this.free.get(suffix) ?? [];
    list.push(file);
    this.free.set(suffix, list);
  }

  removeAll(): void {
    for (const file of this.made) rmSync(file, { force: true });
    this.made.clear();
    this.free.clear();
  }
}

interface Planned {
  step: ConcreteStep;
  label: string;
  wire: WireStep;
  /** Output files of ours: read after the segment, then given back to the pool. */
  stdoutScratch?: string;
  stderrScratch?: string;
}

class NativeExecutorImpl implements NativeExecutor {
  private readonly inFlight = new Set<Promise<PhaseRun>>();
  private closing: Promise<void> | undefined;
  private readonly scratch: ScratchPool;

  constructor(private readonly timer: TimerProcess, scratchDir: string, readonly timerPid: number) {
    this.scratch = new ScratchPool(scratchDir);
  }

  nowMs(): number {
    return Number(process.hrtime.bigint()) / 1e6;
  }

  runPhase(steps: readonly Step[], options: { deadlineMs: number }): Promise<PhaseRun> {
    if (this.closing !== undefined) return Promise.reject(new CrbenchError('EXECUTOR_CLOSED', 'runPhase() after close(): the executor is closed'));
    const phase = this.phase(steps, options.deadlineMs);
    this.inFlight.add(phase);
    const forget = (): void => { this.inFlight.delete(phase); };
    phase.then(forget, forget);
    return phase;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      try {
        await this.timer.end();
      } finally {
        this.scratch.removeAll();
      }
    })();
    return this.closing;
  }

  private plan(step: ConcreteStep, label: string): Planned {
    switch (step.kind) {
      case 'run': {
        const stdoutScratch = step.stdoutPath === undefined ? this.scratch.take('out') : undefined;
        const stderrScratch = step.stderrPath === undefined ? this.scratch.take('err') : undefined;
        return {
          step, label, stdoutScratch, stderrScratch,
          wire: {
            kind: 'run', argv: step.argv, exitJudgedElsewhere: step.exitJudgedElsewhere === true, stdinPath: step.stdinPath ?? '',
            stdoutPath: step.stdoutPath ?? stdoutScratch ?? '', stderrPath: step.stderrPath ?? stderrScratch ?? '',
            stdoutReused: stdoutScratch !== undefined, stderrReused: stderrScratch !== undefined,
          },
        };
      }
      case 'wait-exit':
        return { step, label, wire: { kind: 'wait', pid: step.pid } };
      case 'http': {
        const stdoutScratch = this.scratch.take('http');
        return { step, label, stdoutScratch, wire: { kind: 'http', socketPath: step.socketPath, ...httpRequestParts(step), bodyFile: step.bodyFile ?? '', accept: step.accept, outPath: stdoutScratch } };
      }
      case 'exchange': {
        const stdoutScratch = this.scratch.take('out');
        return { step, label, stdoutScratch, wire: { kind: 'exchange', socketPath: step.socketPath, send: Buffer.from(step.send, 'utf8'), until: Buffer.from(step.until, 'utf8'), outPath: stdoutScratch } };
      }
    }
  }

  private async phase(steps: readonly Step[], deadlineMs: number): Promise<PhaseRun> {
    const deadlineNs = process.hrtime.bigint() + BigInt(Math.max(0, Math.round(deadlineMs * 1e6)));
    for (const step of steps) if (step.kind !== 'later') checkStep(step);
    const records: StepRecord[] = [];
    const spans: { startNs: bigint; endNs: bigint }[] = [];
    let error: string | undefined;
    // 1 Segments: a `later` step opens one (built from the records so far); the rest follow it.
    for (let position = 0; position < steps.length && error === undefined;) {
      const segment: Planned[] = [];
      for (; position < steps.length; position += 1) {
        const step = steps[position] as Step;
        if (step.kind !== 'later') {
          segment.push(this.plan(step, step.label));
          continue;
        }
        if (segment.length > 0) break;
        try {
          const built = step.build(records);
          checkStep(built);
          segment.push(this.plan(built, step.label));
        } catch (cause) {
          error = `${step.label}: the step could not be built: ${(cause as Error).message}`;
          break;
        }
      }
      if (segment.length === 0) break;
      // 2 One request; 3 its outputs read back and deleted, whatever happened.
      let answer: { records: WireRecord[]; ok: boolean } | undefined;
      try {
        answer = await this.timer.request(segment.map((planned) => planned.wire), deadlineNs, deadlineMs);
      } finally {
        const made = segment.map((planned, index) => this.collect(planned, answer?.records.find((r) => r.index === index)));
        records.push(...made.filter((record): record is StepRecord => record !== undefined));
        for (const record of answer?.records ?? []) spans.push({ startNs: record.startNs, endNs: record.endNs });
      }
      if (!answer.ok) {
        const failed = records.at(-1);
        error = failed !== undefined ? describeFailure(failed) : 'the phase failed without a record';
      }
    }
    // 4 The phase: first start to last end, on the timer's clock (the duration from the ns themselves).
    const startMs = records[0]?.startMs ?? this.nowMs();
    const endMs = records.at(-1)?.endMs ?? startMs;
    const first = spans[0];
    const last = spans.at(-1);
    const durationMs = first !== undefined && last !== undefined ? Number(last.endNs - first.startNs) / 1e6 : 0;
    return { records, startMs, endMs, durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}) };
  }

  /** Reads a step's scratch files and gives them back; makes its record if the timer sent one. */
  private collect(planned: Planned, wire: WireRecord | undefined): StepRecord | undefined {
    const stdoutBytes = planned.stdoutScratch !== undefined && wire !== undefined ? readOutput(planned.stdoutScratch, wire.stdoutBytes) : Buffer.alloc(0);
    const stderrBytes = planned.stderrScratch !== undefined && wire !== undefined ? readOutput(planned.stderrScratch, wire.stderrBytes) : Buffer.alloc(0);
    for (const file of [planned.stdoutScratch, planned.stderrScratch]) if (file !== undefined) this.scratch.give(file);
    if (wire === undefined) return undefined;
    const startMs = Number(wire.startNs) / 1e6;
    const record: StepRecord = {
      label: planned.label,
      kind: planned.step.kind,
      what: whatOf(planned.step),
      startMs,
      endMs: Number(wire.endNs) / 1e6,
      durationMs: Number(wire.endNs - wire.startNs) / 1e6,
      exitCode: wire.exitCode,
      signal: signalName(wire.signalNumber),
      stdout: stdoutBytes.toString('utf8'),
      stderr: stderrBytes.toString('utf8'),
      ...(wire.userUs !== null && wire.systemUs !== null && wire.maxRssKiB !== null
        ? { rusage: { userMs: wire.userUs / 1000, systemMs: wire.systemUs / 1000, maxRssKiB: wire.maxRssKiB } } : {}),
      ...(wire.failure !== '' ? { failure: wire.failure } : {}),
    };
    if (planned.step.kind === 'http') {
      const response = parseHttpResponse(stdoutBytes);
      record.stdout = response?.body.toString('utf8') ?? '';
      record.httpBody = response?.body ?? Buffer.alloc(0);
      record.body = record.httpBody; // the older name, still read by some adapters
      if (wire.httpStatus !== null) {
        record.httpStatus = wire.httpStatus;
        if (wire.failed && !planned.step.accept.includes(wire.httpStatus)) {
          record.failure = `HTTP ${wire.httpStatus}: ${responseMessage(record.httpBody) || 'no message'}`;
        }
      }
    }
    return record;
  }
}

/**
 * Starts the native timer and returns the Executor on it: one per run, closed with close().
 * Fails with TIMER_UNAVAILABLE (and how to fix it) when the timer cannot be built or started.
 */
export async function openNativeExecutor(options: NativeExecutorOptions): Promise<NativeExecutor> {
  const timerPath = options.timerPath ?? (await ensureTimerBinary());
  if (!existsSync(timerPath)) {
    throw new CrbenchError('TIMER_UNAVAILABLE', `the native timer ${timerPath} does not exist. Run \`make install\` (it builds ${TIMER_BINARY}).`);
  }
  mkdirSync(options.scratchDir, { recursive: true });
  const timer = new TimerProcess(timerPath, options.scratchDir);
  const pid = await timer.ready;
  return new NativeExecutorImpl(timer, options.scratchDir, pid);
}

/**
 * Runs steps that are not measured (a setup step, a cleanup) and throws a CrbenchError
 * (STEP_FAILED, with the failure in words) unless every step succeeded.
 */
export async function runStepsOrThrow(executor: Executor, steps: readonly Step[], options: { deadlineMs: number }): Promise<PhaseRun> {
  const phase = await executor.runPhase(steps, options);
  if (!phase.ok) throw new CrbenchError('STEP_FAILED', phase.error ?? 'a step failed');
  return phase;
}
