import { createReadStream } from 'node:fs';
import http from 'node:http';

/**
 * HTTP/1.1 on a daemon's unix socket with nothing but node:http: what provisioning needs to
 * ask a daemon whether it is up and what is left in it, and what the runtime adapters use
 * outside every clock (the API version, removing what a group left). Timed requests go
 * through the executor instead (pipeline/run/executor/).
 */

export interface ApiResponse {
  status: number;
  body: Buffer;
  /** From just before the request was written to the end of the response, for the log only. */
  durationMs: number;
}

export interface RequestOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** A file streamed as the body (an image tarball), with `Content-Type: application/x-tar`. */
  bodyFile?: string;
  timeoutMs?: number;
}

/** One request on a unix socket; resolves with any status, rejects when the socket fails. */
export function requestOverSocket(
  socketPath: string,
  method: string,
  path: string,
  options: RequestOptions & { agent?: http.Agent } = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    let payload: Buffer | undefined;
    if (options.json !== undefined) {
      payload = Buffer.from(JSON.stringify(options.json));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (options.bodyFile !== undefined) {
      headers['Content-Type'] = 'application/x-tar';
    }
    const startMs = performance.now();
    const request = http.request({
      socketPath, method, path, headers,
      ...(options.agent !== undefined ? { agent: options.agent } : {}),
      ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(Math.max(1, Math.round(options.timeoutMs))) } : {}),
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), durationMs: performance.now() - startMs }));
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.name === 'AbortError' || error.name === 'TimeoutError'
        ? `${method} ${path}: no answer within ${Math.round(options.timeoutMs ?? 0)} ms`
        : `${method} ${path} on ${socketPath}: ${error.message}`));
    });
    if (options.bodyFile !== undefined) {
      const file = createReadStream(options.bodyFile);
      file.on('error', (error) => request.destroy(error));
      file.pipe(request);
    } else {
      request.end(payload);
    }
  });
}
