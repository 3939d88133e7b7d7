import type { ExchangeSpec } from './agent-protocol.ts';

/**
 * QEMU's monitor protocol (QMP), as far as crbench speaks it: pure bytes to send on the
 * `-qmp unix:…` socket and a parser of what came back.
 *
 * QEMU greets (`{"QMP": …}`), accepts commands only after `qmp_capabilities`, and answers each
 * command with `{"return": …}` or `{"error": …}` carrying the command's `id`. Two facts shape
 * the exchange (seen with QEMU 7.2):
 * - a client that closes the socket before the answer can lose its pipelined commands: a
 *   `cont` sent and closed at once left the guest paused in 4 boots of 8;
 * - the key order of an answer is QEMU's hash order: `{"return": {}, "id": "x"}` but
 *   `{"id": "x", "error": {…}}`, so waiting for the id alone could stop before an error's text.
 * Hence a sentinel: after the commands that matter, a `query-status` whose id is the `until`
 * text; when it arrives, every earlier answer is complete, failed or not.
 */

const SENTINEL_ID = 'crbench-sync';

/** One QMP command, as a line. */
export function qmpCommand(execute: string, id: string, args?: Record<string, unknown>): string {
  return `${JSON.stringify({ execute, ...(args === undefined ? {} : { arguments: args }), id })}\r\n`;
}

/** The ids of the commands crbench sends, so that a check can find their answers. */
export const QMP_IDS = { capabilities: 'crbench-caps', cont: 'crbench-cont', quit: 'crbench-quit', sentinel: SENTINEL_ID } as const;

/** Leave capability negotiation, run the commands, then the sentinel that ends the exchange. */
function withSentinel(commands: string[]): ExchangeSpec {
  return {
    send: [qmpCommand('qmp_capabilities', QMP_IDS.capabilities), ...commands, qmpCommand('query-status', SENTINEL_ID)].join(''),
    until: `"${SENTINEL_ID}"`,
  };
}

/** launch, first half: resume the vCPUs of a VM started with `-S`. */
export function contExchange(): ExchangeSpec {
  return withSentinel([qmpCommand('cont', QMP_IDS.cont)]);
}

/**
 * A hard stop (cleaning up after a failure): QEMU exits without the guest's cooperation. The
 * exchange ends when QEMU closes the socket; the sentinel is never answered.
 */
export function quitExchange(): ExchangeSpec {
  return { send: qmpCommand('qmp_capabilities', QMP_IDS.capabilities) + qmpCommand('quit', QMP_IDS.quit), until: `"${QMP_IDS.quit}"` };
}

export type QmpMessage =
  | { kind: 'greeting'; version: string }
  | { kind: 'return'; id: string | null; value: unknown }
  | { kind: 'error'; id: string | null; errorClass: string; description: string }
  | { kind: 'event'; event: string; data: unknown };

/** Every complete line of QMP output, parsed; a line cut short by the end of the read is left out. */
export function parseQmpMessages(text: string): QmpMessage[] {
  const lines = text.split('\n');
  // The last piece has no newline yet: incomplete, unless the read happened to end on a brace.
  const complete = text.endsWith('\n') ? lines : lines.slice(0, -1);
  const messages: QmpMessage[] = [];
  for (const line of complete.map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const id = typeof parsed['id'] === 'string' ? parsed['id'] : null;
    if ('QMP' in parsed) {
      const version = (parsed['QMP'] as { version?: { qemu?: { major?: number; minor?: number; micro?: number } } }).version?.qemu;
      messages.push({ kind: 'greeting', version: version === undefined ? 'unknown' : `${version.major}.${version.minor}.${version.micro}` });
    } else if ('return' in parsed) {
      messages.push({ kind: 'return', id, value: parsed['return'] });
    } else if ('error' in parsed) {
      const error = parsed['error'] as { class?: string; desc?: string };
      messages.push({ kind: 'error', id, errorClass: error.class ?? 'unknown', description: error.desc ?? '' });
    } else if ('event' in parsed) {
      messages.push({ kind: 'event', event: String(parsed['event']), data: parsed['data'] });
    }
  }
  return messages;
}

/**
 * Whether the commands of an exchange succeeded: null when each id in `ids` was answered with
 * a return, else the first error in QEMU's words (or the missing answer).
 */
export function checkQmpAnswers(text: string, ids: readonly string[] = [QMP_IDS.capabilities, QMP_IDS.cont]): string | null {
  const messages = parseQmpMessages(text);
  for (const id of ids) {
    const answer = messages.find((message) => (message.kind === 'return' || message.kind === 'error') && message.id === id);
    if (answer === undefined) return `QEMU did not answer the QMP command ${id} (read: ${JSON.stringify(text.slice(-200))})`;
    if (answer.kind === 'error') return `QEMU refused the QMP command ${id}: ${answer.errorClass}: ${answer.description}`;
  }
  return null;
}
