import assert from 'node:assert/strict';
import { encodePhaseRequest, parseTimerLine, unescapeText } from '../../../pipeline/run/executor/timer-protocol.ts';

describe('encodePhaseRequest()', () => {
  it('frames a request as a netstring of netstrings, byte lengths and all', () => {
    const encoded = encodePhaseRequest({
      id: 7, deadlineNs: 123n, budgetMs: 500,
      steps: [
        { kind: 'run', argv: ['echo', 'ü,:'], exitJudgedElsewhere: true, stdinPath: '', stdoutPath: '/o', stderrPath: '/e' },
        { kind: 'wait', pid: 42 },
      ],
    });
    const payload = '1:P,1:7,3:123,3:500,1:2,3:run,1:1,0:,2:/o,2:/e,1:2,4:echo,4:ü,:,4:wait,2:42,';
    assert.equal(encoded.toString('utf8'), `${Buffer.byteLength(payload)}:${payload},`);
  });

  it('carries an http step’s head and body as raw bytes', () => {
    const encoded = encodePhaseRequest({
      id: 1, deadlineNs: 0n, budgetMs: 0,
      steps: [{ kind: 'http', socketPath: '/s', head: Buffer.from('GET / HTTP/1.1\r\n'), body: Buffer.alloc(0), bodyFile: '', accept: [200, 204], outPath: '/r' }],
    });
    assert.match(encoded.toString('latin1'), /4:http,2:\/s,16:GET \/ HTTP\/1\.1\r\n,0:,0:,7:200,204,2:\/r,,$/);
  });
});

describe('parseTimerLine()', () => {
  it('reads a record, its unknown fields as null and its failure text with spaces and escapes', () => {
    const line = parseTimerLine('R 3 1 1 1000 2500 - 9 10 20 1604 0 - - timed out after 5 ms, 100%25 sure%0Aand more');
    assert.deepEqual(line, {
      kind: 'record',
      record: {
        id: 3, index: 1, failed: true, startNs: 1000n, endNs: 2500n, exitCode: null, signalNumber: 9, userUs: 10, systemUs: 20,
        maxRssKiB: 1604, stdoutBytes: 0, stderrBytes: null, httpStatus: null, failure: 'timed out after 5 ms, 100% sure\nand more',
      },
    });
  });

  it('reads an empty failure as empty, and the ready, done and error lines', () => {
    const record = parseTimerLine('R 1 0 0 1 2 0 - - - - 181 - 204 ');
    assert.equal(record.kind === 'record' && record.record.failure, '');
    assert.equal(record.kind === 'record' && record.record.httpStatus, 204);
    assert.deepEqual(parseTimerLine('READY 1 4242'), { kind: 'ready', version: 1, pid: 4242 });
    assert.deepEqual(parseTimerLine('D 3 0 2'), { kind: 'done', id: 3, ok: false, recordCount: 2 });
    assert.deepEqual(parseTimerLine('E 0 the request stream is not netstrings'), { kind: 'error', id: 0, message: 'the request stream is not netstrings' });
    assert.equal(parseTimerLine('what').kind, 'unknown');
  });

  it('gives back UTF-8 text that arrived as raw bytes', () => {
    assert.equal(unescapeText(Buffer.from('cannot run /tmp/ünï: No such file', 'utf8').toString('latin1')), 'cannot run /tmp/ünï: No such file');
  });
});
