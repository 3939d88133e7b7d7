import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../../../pipeline/errors.ts';
import {
  checkReplyLine, commandModeEnv, encodeRunRequest, newRequestId, parseRunAnswer, pingExchange, powerOffExchange, quoteWord, runExchange,
} from '../../../../pipeline/run/runtimes/qemu/agent-protocol.ts';
import { guestAgentScript } from '../../../../provision/vm/guest-agent.ts';

/**
 * Feeds request lines to the real agent script's `handle`, sourced into the host's busybox sh
 * (its `library` mode: functions only, no mounts, no reboot), and returns what it wrote on
 * its channel: the guest's half of the protocol without a guest.
 */
function agentAnswers(dir: string, lines: string[]): string {
  writeFileSync(path.join(dir, 'agent'), guestAgentScript());
  writeFileSync(path.join(dir, 'requests'), lines.join(''));
  const driver = 'agent=$1 channel=$2 requests=$3; set -- library; . "$agent"; exec 3>"$channel"; cgroup=; while read -r line; do handle "$line"; done <"$requests"';
  const run = spawnSync('busybox', ['sh', '-c', driver, 'driver', path.join(dir, 'agent'), path.join(dir, 'channel'), path.join(dir, 'requests')],
    { encoding: 'utf8', env: { CRBENCH_AGENT_DIR: dir, PATH: process.env['PATH'] }, timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(path.join(dir, 'channel'), 'utf8');
}

describe('the agent protocol against the real agent script (busybox sh on the host)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync('/var/tmp/crbench-agent-protocol-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns a command\'s stdout, stderr and exit code apart', () => {
    const request = { id: 'r1', argv: ['/bin/sh', '-c', 'echo hi; echo oops >&2; exit 3'] };
    const parsed = parseRunAnswer(agentAnswers(dir, [runExchange(request).send]), 'r1');
    assert.deepEqual(parsed, { ok: true, answer: { id: 'r1', stdout: 'hi\n', stderr: 'oops\n', exitCode: 3, greetings: 0 } });
  });

  it('passes every argv byte through: quotes, newlines, tabs, $, backslashes, UTF-8, empty words', () => {
    const words = ["it's", 'two\nlines', 'tab\there', '$HOME `x` $(y)', 'back\\slash\\', 'ünïcødé ✓', '', '  spaced  ', '*'];
    const request = { id: 'r2', argv: ['/bin/sh', '-c', 'for word in "$@"; do printf "[%s]" "$word"; done', 'sh', ...words] };
    const parsed = parseRunAnswer(agentAnswers(dir, [runExchange(request).send]), 'r2');
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.stdout, words.map((word) => `[${word}]`).join(''));
  });

  it('runs in the cwd given with the environment given', () => {
    const request = { id: 'r3', cwd: dir, env: ['GREETING=hello world', 'PATH=/usr/bin:/bin'], argv: ['/bin/sh', '-c', 'pwd; echo "$GREETING"'] };
    const parsed = parseRunAnswer(agentAnswers(dir, [runExchange(request).send]), 'r3');
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.stdout, `${dir}\nhello world\n`);
  });

  it('keeps an output without a final newline as it is, and separates back-to-back answers', () => {
    const requests = [{ id: 'a1', argv: ['/bin/sh', '-c', 'printf no-newline'] }, { id: 'a2', argv: ['/bin/sh', '-c', 'printf "\\n\\n"'] }];
    const text = agentAnswers(dir, requests.map((request) => runExchange(request).send));
    assert.equal((parseRunAnswer(text, 'a1') as { answer: { stdout: string } }).answer.stdout, 'no-newline');
    assert.equal((parseRunAnswer(text, 'a2') as { answer: { stdout: string } }).answer.stdout, '\n\n');
  });

  it('reports 127 for a program that does not exist, 126 for a cwd that does not', () => {
    const text = agentAnswers(dir, [runExchange({ id: 'n1', argv: ['/no/such/program'] }).send, runExchange({ id: 'n2', cwd: '/no/such/dir', argv: ['/bin/true'] }).send]);
    assert.equal((parseRunAnswer(text, 'n1') as { answer: { exitCode: number } }).answer.exitCode, 127);
    assert.equal((parseRunAnswer(text, 'n2') as { answer: { exitCode: number } }).answer.exitCode, 126);
  });

  it('answers a ping, and refuses an unknown verb and a malformed line in words the parser reports', () => {
    const text = agentAnswers(dir, [pingExchange('p1').send, 'bogus x1\n', "run 'unterminated\n"]);
    assert.equal(checkReplyLine(text, pingExchange('p1').until), null);
    assert.match(parseRunAnswer(text, 'x1').ok ? '' : (parseRunAnswer(text, 'x1') as { error: string }).error, /unknown verb bogus/);
    assert.match(text, /^crbench-error - malformed request$/m);
  });
});

describe('encodeRunRequest()', () => {
  it('is one line of quoted words: verb, id, cwd, env, --, argv', () => {
    assert.equal(encodeRunRequest({ id: 'x', argv: ['/bin/true'], env: ['PATH=/bin'], cwd: '/' }), "'run' 'x' '/' 'PATH=/bin' '--' '/bin/true'\n");
  });

  it('gives the workload the OCI runtimes\' PATH, HOME=/root and / by default', () => {
    assert.match(encodeRunRequest({ id: 'x', argv: ['/bin/true'] }), /^'run' 'x' '\/' 'PATH=\/usr\/local\/sbin:[^']*' 'HOME=\/root' '--' '\/bin\/true'\n$/);
  });

  it('refuses an id that could break a marker, an empty argv, a NUL and a bad env entry (exit 2)', () => {
    const refused = (request: Parameters<typeof encodeRunRequest>[0]) => assert.throws(() => encodeRunRequest(request),
      (error: unknown) => error instanceof CrbenchError && error.code === 'AGENT_BAD_REQUEST' && error.exitCode === 2);
    refused({ id: 'a b', argv: ['/bin/true'] });
    refused({ id: 'x', argv: [] });
    refused({ id: 'x', argv: ['a\0b'] });
    refused({ id: 'x', argv: ['/bin/true'], env: ['NOEQUALS'] });
  });
});

describe('quoteWord()', () => {
  it('single-quotes printable words and uses $\'…\' escapes for control characters', () => {
    assert.equal(quoteWord("it's"), "'it'\\''s'");
    assert.equal(quoteWord('a\nb\\c\'d'), "$'a\\x0ab\\\\c\\'d'");
  });
});

describe('parseRunAnswer()', () => {
  const frame = (id: string, stdout: string, stderr: string, code: number) => `crbench-out ${id}\n${stdout}\ncrbench-err ${id}\n${stderr}\ncrbench-exit ${id} ${code}\ncrbench-end ${id}\n`;

  it('skips greetings before the frame and counts them', () => {
    const parsed = parseRunAnswer(`crbench-ready\n${frame('r', 'out\n', '', 0)}`, 'r');
    assert.deepEqual(parsed, { ok: true, answer: { id: 'r', stdout: 'out\n', stderr: '', exitCode: 0, greetings: 1 } });
  });

  it('is not fooled by an output that prints another request\'s markers', () => {
    const parsed = parseRunAnswer(frame('real', 'crbench-err fake\ncrbench-exit fake 9\ncrbench-end fake\n', '', 0), 'real');
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.exitCode, 0);
    assert.equal(parsed.answer.stdout, 'crbench-err fake\ncrbench-exit fake 9\ncrbench-end fake\n');
  });

  it('says so when there is no answer, or one cut short', () => {
    assert.match((parseRunAnswer('crbench-ready\n', 'r') as { error: string }).error, /no answer to request r/);
    assert.match((parseRunAnswer('crbench-out r\npartial', 'r') as { error: string }).error, /cut short/);
  });
});

describe('pingExchange(), powerOffExchange() and runExchange()', () => {
  it('wait for the line that carries their id', () => {
    assert.deepEqual(pingExchange('launch'), { send: 'ping launch\n', until: 'crbench-pong launch\n' });
    assert.deepEqual(powerOffExchange('stop'), { send: 'poweroff stop\n', until: 'crbench-bye stop\n' });
    assert.equal(runExchange({ id: 'e1', argv: ['/bin/true'] }).until, 'crbench-end e1\n');
  });
});

describe('checkReplyLine()', () => {
  it('is null once the awaited line arrived, else says what was read', () => {
    assert.equal(checkReplyLine('crbench-ready\ncrbench-bye s\n', 'crbench-bye s\n'), null);
    assert.match(checkReplyLine('crbench-ready\n', 'crbench-bye s\n') ?? '', /did not answer 'crbench-bye s'/);
  });
});

describe('commandModeEnv()', () => {
  it('hands the run request to the guest\'s init as base64 on the kernel command line', () => {
    const env = commandModeEnv({ id: 'c1', argv: ['/bin/sh', '-c', 'echo "a b"'] });
    assert.equal(env['CRBENCH_MODE'], 'command');
    assert.match(env['CRBENCH_CMD'] ?? '', /^[A-Za-z0-9+/=]+$/);
    assert.equal(Buffer.from(env['CRBENCH_CMD'] ?? '', 'base64').toString(), encodeRunRequest({ id: 'c1', argv: ['/bin/sh', '-c', 'echo "a b"'] }).trimEnd());
  });
});

describe('newRequestId()', () => {
  it('makes distinct ids the encoder accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newRequestId()));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.doesNotThrow(() => pingExchange(id));
  });
});
