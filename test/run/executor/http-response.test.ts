import assert from 'node:assert/strict';
import { dechunk, parseHttpResponse, responseMessage } from '../../../pipeline/run/executor/http-response.ts';

const raw = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('parseHttpResponse()', () => {
  it('takes the status, lower-cased headers and a body cut to its Content-Length', () => {
    const response = parseHttpResponse(raw('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}junk'));
    assert.equal(response?.status, 201);
    assert.equal(response?.headers.get('content-type'), 'application/json');
    assert.equal(response?.body.toString(), '{}');
  });

  it('undoes chunked transfer-encoding, chunk extensions included', () => {
    const response = parseHttpResponse(raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6;x=y\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n'));
    assert.equal(response?.body.toString(), 'first second');
  });

  it('skips an interim 100 Continue, and gives a 204 no body', () => {
    assert.equal(parseHttpResponse(raw('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'))?.status, 204);
    assert.equal(parseHttpResponse(raw('HTTP/1.1 204 No Content\r\n\r\n'))?.body.length, 0);
  });

  it('keeps a hijacked stream (no length, no chunks) as it came, binary bytes included', () => {
    const frames = Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a, 0xff]);
    const response = parseHttpResponse(Buffer.concat([raw('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n'), frames]));
    assert.deepEqual(response?.body, frames);
  });

  it('is undefined without a status line', () => {
    assert.equal(parseHttpResponse(raw('')), undefined);
    assert.equal(parseHttpResponse(raw('SSH-2.0-OpenSSH\r\n')), undefined);
  });
});

describe('dechunk()', () => {
  it('gives what arrived of a truncated stream', () => {
    assert.equal(dechunk(raw('5\r\nhello\r\n5\r\nwo')).toString(), 'hellowo');
  });
});

describe('responseMessage()', () => {
  it('takes the daemon’s JSON message, else the text shortened', () => {
    assert.equal(responseMessage(raw('{"message":"no such container"}\n')), 'no such container');
    assert.equal(responseMessage(raw('plain words')), 'plain words');
    assert.equal(responseMessage(raw('x'.repeat(400))).length, 301);
  });
});
