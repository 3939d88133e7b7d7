/**
 * The wire protocol of crbench-timer (version 1), both directions; the header comment of
 * crbench-timer.c is its definition. Requests are netstrings of netstrings, so any byte but NUL
 * travels in an argv or a path; answers are one text line each.
 */

export const TIMER_PROTOCOL_VERSION = 1;

/** A step as the timer takes it: every path already chosen, `""` meaning /dev/null. */
export type WireStep =
  | {
    kind: 'run'; argv: string[]; exitJudgedElsewhere: boolean; stdinPath: string; stdoutPath: string; stderrPath: string;
    /** Reused scratch files, never a caller's own: the timer replaces one that another process still holds. */
    stdoutReused?: boolean;
    stderrReused?: boolean;
  }
  | { kind: 'wait'; pid: number }
  | { kind: 'http'; socketPath: string; head: Buffer; body: Buffer; bodyFile: string; accept: number[]; outPath: string }
  | { kind: 'exchange'; socketPath: string; send: Buffer; until: Buffer; outPath: string };

export interface PhaseRequest {
  id: number;
  /** Absolute, CLOCK_MONOTONIC (process.hrtime.bigint()), in ns. */
  deadlineNs: bigint;
  /** The phase's deadline as given, for the timer's messages. */
  budgetMs: number;
  steps: WireStep[];
}

function netstring(field: Buffer | string): Buffer {
  const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : field;
  return Buffer.concat([Buffer.from(`${bytes.length}:`, 'latin1'), bytes, Buffer.from(',', 'latin1')]);
}

function stepFields(step: WireStep): (Buffer | string)[] {
  switch (step.kind) {
    case 'run':
      return ['run', `${step.exitJudgedElsewhere ? '1' : '0'}${step.stdoutReused === true ? 'o' : ''}${step.stderrReused === true ? 'e' : ''}`, step.stdinPath, step.stdoutPath, step.stderrPath, String(step.argv.length), ...step.argv];
    case 'wait':
      return ['wait', String(step.pid)];
    case 'http':
      return ['http', step.socketPath, step.head, step.body, step.bodyFile, step.accept.join(','), step.outPath];
    case 'exchange':
      return ['exchange', step.socketPath, step.send, step.until, step.outPath];
  }
}

/** One request, framed: `<length>:<fields>,`. */
export function encodePhaseRequest(request: PhaseRequest): Buffer {
  const fields: (Buffer | string)[] = ['P', String(request.id), String(request.deadlineNs), String(Math.round(request.budgetMs)), String(request.steps.length)];
  for (const step of request.steps) fields.push(...stepFields(step));
  return netstring(Buffer.concat(fields.map(netstring)));
}

/** One step's record as the timer wrote it. Times are CLOCK_MONOTONIC ns. */
export interface WireRecord {
  id: number;
  index: number;
  failed: boolean;
  startNs: bigint;
  endNs: bigint;
  exitCode: number | null;
  signalNumber: number | null;
  userUs: number | null;
  systemUs: number | null;
  maxRssKiB: number | null;
  /** Sizes of the step's output files after it ended; null for /dev/null or one file for both. */
  stdoutBytes: number | null;
  stderrBytes: number | null;
  httpStatus: number | null;
  /** '' when the step failed only by its exit code. */
  failure: string;
}

export type TimerLine =
  | { kind: 'ready'; version: number; pid: number }
  | { kind: 'record'; record: WireRecord }
  | { kind: 'done'; id: number; ok: boolean; recordCount: number }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'unknown'; line: string };

/** `%XX` back to bytes, the bytes read as UTF-8 (the line is given as latin1, one char a byte). */
export function unescapeText(latin1: string): string {
  const bytes = Buffer.from(latin1.replace(/%([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}

const optional = (token: string | undefined): number | null => (token === undefined || token === '-' ? null : Number(token));

/** Splits off `count` space-separated tokens; the rest of the line is the last element. */
function tokens(line: string, count: number): string[] {
  const parts: string[] = [];
  let position = 0;
  for (let k = 0; k < count; k += 1) {
    const space = line.indexOf(' ', position);
    if (space < 0) {
      parts.push(line.slice(position));
      position = line.length + 1;
      continue;
    }
    parts.push(line.slice(position, space));
    position = space + 1;
  }
  parts.push(position <= line.length ? line.slice(position) : '');
  return parts;
}

/** One answer line (without its newline), as latin1. */
export function parseTimerLine(line: string): TimerLine {
  if (line.startsWith('READY ')) {
    const [, version, pid] = line.split(' ');
    return { kind: 'ready', version: Number(version), pid: Number(pid) };
  }
  if (line.startsWith('R ')) {
    const [, id, index, failed, start, end, exit, signal, user, system, rss, outBytes, errBytes, http, text = ''] = tokens(line, 14);
    if (id === undefined || start === undefined || end === undefined || !/^\d+$/.test(start) || !/^\d+$/.test(end)) return { kind: 'unknown', line };
    return {
      kind: 'record',
      record: {
        id: Number(id), index: Number(index), failed: failed === '1', startNs: BigInt(start), endNs: BigInt(end),
        exitCode: optional(exit), signalNumber: optional(signal), userUs: optional(user), systemUs: optional(system),
        maxRssKiB: optional(rss), stdoutBytes: optional(outBytes), stderrBytes: optional(errBytes), httpStatus: optional(http),
        failure: unescapeText(text),
      },
    };
  }
  if (line.startsWith('D ')) {
    const [, id, ok, count] = line.split(' ');
    return { kind: 'done', id: Number(id), ok: ok === '1', recordCount: Number(count) };
  }
  if (line.startsWith('E ')) {
    const [, id, text = ''] = tokens(line, 2);
    return { kind: 'error', id: Number(id), message: unescapeText(text) };
  }
  return { kind: 'unknown', line };
}
