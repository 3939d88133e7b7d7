import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { requestOverSocket } from '../../../provision/daemons/http-over-socket.ts';
import { apiMessage, chooseApiVersion, demultiplexLogs, DockerApi, expectStatus, streamedError } from '../../../pipeline/run/runtimes/docker-api.ts';

/** One frame of Docker's multiplexed log stream. */
function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demultiplexLogs()', () => {
  it('splits stdout and stderr frames, in order, keeping bytes as they were', () => {
    const stream = Buffer.concat([frame(1, 'hi\n'), frame(2, 'err\n'), frame(1, 'é and more\n'), frame(2, '')]);
    assert.deepEqual(demultiplexLogs(stream), { stdout: 'hi\né and more\n', stderr: 'err\n' });
  });

  it('reads an empty stream as no output', () => {
    assert.deepEqual(demultiplexLogs(Buffer.alloc(0)), { stdout: '', stderr: '' });
  });

  it('decodes the stream the daemon sent for `echo hi; echo err >&2` (seen on Docker 20.10)', () => {
    const seen = Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a, 2, 0, 0, 0, 0, 0, 0, 4, 0x65, 0x72, 0x72, 0x0a]);
    assert.deepEqual(demultiplexLogs(seen), { stdout: 'hi\n', stderr: 'err\n' });
  });

  it('refuses a truncated header, a short payload and an unknown stream type', () => {
    assert.throws(() => demultiplexLogs(Buffer.from([1, 0, 0])), /truncated log frame header/);
    assert.throws(() => demultiplexLogs(frame(1, 'hello').subarray(0, 10)), /announces 5 bytes, only 2 follow/);
    assert.throws(() => demultiplexLogs(frame(7, 'x')), /unknown log stream type 7/);
  });
});

describe('Engine API answers', () => {
  it('finds an error inside the 200 progress stream of an image import', () => {
    assert.equal(streamedError(Buffer.from('{"status":"sha256:abc"}\r\n')), undefined);
    assert.equal(streamedError(Buffer.from('{"status":"Importing"}\r\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n')), 'unexpected EOF');
  });

  it('pins API 1.41 when the daemon speaks it, else uses the daemon\'s newest', () => {
    assert.equal(chooseApiVersion({ ApiVersion: '1.41', MinAPIVersion: '1.12' }), '1.41');
    assert.equal(chooseApiVersion({ ApiVersion: '1.47', MinAPIVersion: '1.24' }), '1.41');
    assert.equal(chooseApiVersion({ ApiVersion: '1.40', MinAPIVersion: '1.12' }), '1.40');
    assert.equal(chooseApiVersion({}), '1.41');
  });

  it('reports the daemon\'s own message for a refused request', () => {
    const refused = { status: 404, body: Buffer.from('{"message":"No such image: crbench/nope:latest"}\n'), durationMs: 1 };
    assert.equal(apiMessage(refused), 'No such image: crbench/nope:latest');
    assert.throws(() => expectStatus(refused, [201]), /^Error: HTTP 404: No such image: crbench\/nope:latest$/);
    assert.doesNotThrow(() => expectStatus({ ...refused, status: 304 }, [204, 304]));
  });
});

describe('DockerApi over a unix socket', () => {
  let dir: string;
  let server: http.Server;
  const seen: { method: string; url: string; type: string | undefined; body: string }[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-api-'));
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', type: request.headers['content-type'], body: Buffer.concat(chunks).toString() });
        if (request.url === '/slow') return;
        response.writeHead(request.url?.includes('missing') ? 404 : 200, { 'Content-Type': 'application/json' });
        response.end(request.url?.includes('missing') ? '{"message":"No such container: missing"}' : '{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'd.sock'), resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends JSON bodies and streams tarball bodies, under the pinned version prefix', async () => {
    const api = new DockerApi(path.join(dir, 'd.sock'), '1.41');
    const created = await api.request('POST', '/containers/create?name=c', { json: { Image: 'crbench/tiny:latest' } });
    writeFileSync(path.join(dir, 'image.tar'), 'tar bytes');
    await api.request('POST', '/images/create?fromSrc=-', { bodyFile: path.join(dir, 'image.tar') });
    const missing = await api.request('DELETE', '/containers/missing?force=1');
    api.close();
    assert.equal(created.status, 200);
    assert.equal(missing.status, 404);
    assert.deepEqual(seen.slice(-3).map(({ method, url, type, body }) => [method, url, type, body]), [
      ['POST', '/v1.41/containers/create?name=c', 'application/json', '{"Image":"crbench/tiny:latest"}'],
      ['POST', '/v1.41/images/create?fromSrc=-', 'application/x-tar', 'tar bytes'],
      ['DELETE', '/v1.41/containers/missing?force=1', undefined, ''],
    ]);
  });

  it('gives up at the deadline, and names the socket when there is none', async () => {
    await assert.rejects(requestOverSocket(path.join(dir, 'd.sock'), 'GET', '/slow', { timeoutMs: 100 }), /GET \/slow: no answer within 100 ms/);
    await assert.rejects(requestOverSocket(path.join(dir, 'none.sock'), 'GET', '/_ping'), /none\.sock: .*ENOENT/);
  });
});
