import assert from 'node:assert/strict';
import { checkQmpAnswers, contExchange, parseQmpMessages, qmpCommand, QMP_IDS, quitExchange } from '../../../../pipeline/run/runtimes/qemu/qmp.ts';

/** What QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18) wrote for capabilities, query-status, an unknown command and cont. */
const RECORDED = [
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}',
  '{"return": {}, "id": "crbench-caps"}',
  '{"id": "crbench-x", "error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}}',
  '{"timestamp": {"seconds": 1796196627, "microseconds": 652376}, "event": "RESUME"}',
  '{"return": {}, "id": "crbench-cont"}',
  '{"return": {"status": "running", "singlestep": false, "running": true}, "id": "crbench-sync"}',
].join('\r\n');

describe('qmpCommand()', () => {
  it('writes one JSON line with the command, its arguments and its id', () => {
    assert.equal(qmpCommand('cont', 'c1'), '{"execute":"cont","id":"c1"}\r\n');
    assert.equal(qmpCommand('human-monitor-command', 'h', { 'command-line': 'info' }), '{"execute":"human-monitor-command","arguments":{"command-line":"info"},"id":"h"}\r\n');
  });
});

describe('contExchange()', () => {
  it('negotiates capabilities, sends cont, then a query-status whose id ends the read', () => {
    const exchange = contExchange();
    assert.deepEqual(exchange.send.trimEnd().split('\r\n').map((line) => JSON.parse(line) as unknown), [
      { execute: 'qmp_capabilities', id: QMP_IDS.capabilities },
      { execute: 'cont', id: QMP_IDS.cont },
      { execute: 'query-status', id: QMP_IDS.sentinel },
    ]);
    assert.equal(exchange.until, '"crbench-sync"');
    assert.ok(RECORDED.includes(exchange.until));
  });
});

describe('quitExchange()', () => {
  it('asks QEMU to quit after negotiating', () => {
    assert.equal(quitExchange().send, '{"execute":"qmp_capabilities","id":"crbench-caps"}\r\n{"execute":"quit","id":"crbench-quit"}\r\n');
  });
});

describe('parseQmpMessages()', () => {
  it('reads the greeting, returns, errors and events of a recorded session', () => {
    const messages = parseQmpMessages(`${RECORDED}\r\n`);
    assert.deepEqual(messages.map((message) => message.kind), ['greeting', 'return', 'error', 'event', 'return', 'return']);
    assert.deepEqual(messages[0], { kind: 'greeting', version: '7.2.22' });
    assert.deepEqual(messages[2], { kind: 'error', id: 'crbench-x', errorClass: 'CommandNotFound', description: 'The command nosuch has not been found' });
  });

  it('leaves out a last line the read cut short', () => {
    const cut = `${RECORDED.slice(0, RECORDED.lastIndexOf('"crbench-sync"') + '"crbench-sync"'.length)}`;
    const messages = parseQmpMessages(cut);
    assert.equal(messages.length, 5);
    assert.equal(messages.at(-1)?.kind, 'return');
  });
});

describe('checkQmpAnswers()', () => {
  it('is null when capabilities and cont both returned, as read up to the sentinel', () => {
    assert.equal(checkQmpAnswers(RECORDED.slice(0, RECORDED.indexOf(contExchange().until) + contExchange().until.length)), null);
  });

  it('quotes QEMU\'s error for a refused command', () => {
    const refused = RECORDED.replace('{"return": {}, "id": "crbench-cont"}', '{"id": "crbench-cont", "error": {"class": "GenericError", "desc": "Resetting the Virtual Machine is required"}}');
    assert.equal(checkQmpAnswers(refused), 'QEMU refused the QMP command crbench-cont: GenericError: Resetting the Virtual Machine is required');
  });

  it('says which command got no answer', () => {
    assert.match(checkQmpAnswers(RECORDED.split('\r\n').slice(0, 2).join('\r\n') + '\r\n') ?? '', /did not answer the QMP command crbench-cont/);
  });
});
