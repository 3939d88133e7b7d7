import { randomBytes } from 'node:crypto';
import { CrbenchError } from '../../../errors.ts';
import { AGENT_ENV, AGENT_MARKERS, READY_LINE } from '../../../../provision/vm/guest-agent.ts';

/**
 * The host's half of the guest agent's protocol (the agent and the wire format:
 * provision/vm/guest-agent.ts). Pure: it builds the bytes an `exchange` step sends and the
 * text it waits for, and parses what the step read.
 *
 * ```
 *   launch   exchange  send "ping ID\n"            until "crbench-pong ID\n"
 *   execute  exchange  send "run ID CWD ENV -- ARGV\n"  until "crbench-end ID\n"
 *   stop     exchange  send "poweroff ID\n"        until "crbench-bye ID\n"   then wait-exit QEMU
 * ```
 * A request's id is in every marker of its answer, so an output that prints a marker cannot
 * end the frame early unless it knows the id; `newRequestId()` makes unguessable ones.
 */

/** What the workload runs in: the same defaults the OCI runtimes get (see oci-config.ts), and the HOME runc adds. */
export const DEFAULT_WORKLOAD_ENV: readonly string[] = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'];
export const DEFAULT_WORKLOAD_CWD = '/';

export interface AgentRequest {
  /** Letters, digits, `-` and `_`: it is echoed in every marker. */
  id: string;
  argv: readonly string[];
  cwd?: string;
  /** `NAME=VALUE` entries: the workload's whole environment. */
  env?: readonly string[];
}

/** What an exchange step needs: the bytes to write and the text whose arrival ends the read. */
export interface ExchangeSpec {
  send: string;
  until: string;
}

/** A fresh id: 12 hex digits, so no output can forge an end marker by chance. */
export function newRequestId(prefix = 'r'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

function checkId(id: string): void {
  if (!/^[\w-]{1,64}$/.test(id)) {
    throw new CrbenchError('AGENT_BAD_REQUEST', `agent request id '${id}' must be 1–64 letters, digits, '-' or '_'`, { exitCode: 2 });
  }
}

/**
 * One word for the agent's `eval set --`: single-quoted, or `$'…'` with escapes when it holds
 * a control character (a newline would end the request line). NUL cannot be in an argv.
 */
export function quoteWord(word: string): string {
  if (word.includes('\0')) throw new CrbenchError('AGENT_BAD_REQUEST', 'an argument for the guest agent contains a NUL byte', { exitCode: 2 });
  // eslint-disable-next-line no-control-regex
  if (!/[\x01-\x1f\x7f]/.test(word)) return `'${word.replaceAll("'", "'\\''")}'`;
  let quoted = "$'";
  for (const char of word) {
    const code = char.codePointAt(0) as number;
    if (char === '\\' || char === "'") quoted += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += char;
  }
  return `${quoted}'`;
}

/** The request line of `run`: the agent exports each env entry in the workload's subshell, then execs argv in cwd. */
export function encodeRunRequest(request: AgentRequest): string {
  checkId(request.id);
  if (request.argv.length === 0) throw new CrbenchError('AGENT_BAD_REQUEST', 'the guest agent was asked to run an empty argv', { exitCode: 2 });
  const env = request.env ?? DEFAULT_WORKLOAD_ENV;
  for (const entry of env) {
    if (!/^[A-Za-z_]\w*=/.test(entry)) throw new CrbenchError('AGENT_BAD_REQUEST', `environment entry '${entry}' is not NAME=VALUE`, { exitCode: 2 });
  }
  const words = ['run', request.id, request.cwd ?? DEFAULT_WORKLOAD_CWD, ...env, '--', ...request.argv];
  return `${words.map(quoteWord).join(' ')}\n`;
}

/** execute: one command through the agent. */
export function runExchange(request: AgentRequest): ExchangeSpec {
  return { send: encodeRunRequest(request), until: `${AGENT_MARKERS.end} ${request.id}\n` };
}

/** launch: waits until the agent answers, which is once the guest has booted (the request waits in the socket until then). */
export function pingExchange(id: string): ExchangeSpec {
  checkId(id);
  return { send: `ping ${id}\n`, until: `${AGENT_MARKERS.pong} ${id}\n` };
}

/** stop: the agent answers, then reboots the guest, which QEMU's `-no-reboot` turns into its exit. */
export function powerOffExchange(id: string): ExchangeSpec {
  checkId(id);
  return { send: `poweroff ${id}\n`, until: `${AGENT_MARKERS.bye} ${id}\n` };
}

/**
 * The kernel command line's part for the `command` mode: the guest's init runs this request
 * once the port is open, then powers off. The host reads the answer as it would a `run`'s.
 */
export function commandModeEnv(request: AgentRequest): Record<string, string> {
  return {
    [AGENT_ENV.mode]: 'command',
    [AGENT_ENV.command]: Buffer.from(encodeRunRequest(request).trimEnd()).toString('base64'),
  };
}

/** A command's answer, as the agent framed it. */
export interface AgentAnswer {
  id: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Greeting lines (`crbench-ready`) seen before the frame: one per reconnection the guest noticed. */
  greetings: number;
}

export type ParsedAnswer = { ok: true; answer: AgentAnswer } | { ok: false; error: string };

/** The text between `start` and the next `\n<stop>`, or null. */
function section(text: string, start: string, stop: string, from: number): { body: string; next: number } | null {
  const begin = text.indexOf(start, from);
  if (begin < 0) return null;
  const bodyStart = begin + start.length;
  const end = text.indexOf(`\n${stop}`, bodyStart);
  if (end < 0) return null;
  return { body: text.slice(bodyStart, end), next: end + 1 };
}

function countGreetings(text: string): number {
  return text.split('\n').filter((line) => line === READY_LINE).length;
}

/** Parses what a `runExchange` read: the command's stdout, stderr and exit code. */
export function parseRunAnswer(text: string, id: string): ParsedAnswer {
  const m = AGENT_MARKERS;
  const refused = new RegExp(`^${m.error} (?:${id}|-) (.*)$`, 'm').exec(text);
  if (refused !== null) return { ok: false, error: `the guest agent refused request ${id}: ${refused[1]}` };
  const outMarker = `${m.out} ${id}\n`;
  const outAt = text.indexOf(outMarker);
  if (outAt < 0) return { ok: false, error: `no answer to request ${id} from the guest agent (read ${text.length} bytes: ${JSON.stringify(text.slice(0, 200))})` };
  const stdout = section(text, outMarker, `${m.err} ${id}\n`, outAt);
  const stderr = stdout === null ? null : section(text, `${m.err} ${id}\n`, `${m.exit} ${id} `, stdout.next);
  if (stdout === null || stderr === null) return { ok: false, error: `the guest agent's answer to ${id} is cut short (${text.length} bytes)` };
  const exit = new RegExp(`^${m.exit} ${id} (\\d+)\n${m.end} ${id}$`, 'm').exec(text.slice(stderr.next));
  if (exit === null) return { ok: false, error: `the guest agent's answer to ${id} has no exit code` };
  return {
    ok: true,
    answer: { id, stdout: stdout.body, stderr: stderr.body, exitCode: Number(exit[1]), greetings: countGreetings(text.slice(0, outAt)) },
  };
}

/** Whether an exchange read the line `until` (a pong, a bye): null when it did, or why not. */
export function checkReplyLine(text: string, until: string): string | null {
  if (text.includes(until)) return null;
  const refused = new RegExp(`^${AGENT_MARKERS.error} .*$`, 'm').exec(text);
  if (refused !== null) return `the guest agent refused the request: ${refused[0]}`;
  return `the guest agent did not answer '${until.trim()}' (read ${JSON.stringify(text.slice(-200))})`;
}
