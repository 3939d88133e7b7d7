import http from 'node:http';
import { requestOverSocket, type ApiResponse, type RequestOptions } from '../../../provision/daemons/http-over-socket.ts';

export type { ApiResponse, RequestOptions } from '../../../provision/daemons/http-over-socket.ts';
import type { CommandRecord } from '../../types.ts';

/**
 * A Docker Engine API client over the daemon's unix socket, with nothing but node:http: the
 * requests INGInious's docker agent makes (through docker-py), on one keep-alive connection
 * pool, every path prefixed with the API version pinned when the group opened.
 */

/** The API version crbench speaks: Docker 20.10's, pinned so a newer daemon keeps its semantics. */
export const PINNED_API_VERSION = '1.41';

/** What the adapters need from a client, so that tests can hand them a fake one. */
export interface DockerApiClient {
  /** `path` without the version prefix: `/containers/create`. */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** The path as sent, version prefix included, for logs and messages. */
  fullPath(path: string): string;
}

/** The real client: one keep-alive agent per group, closed with the group. */
export class DockerApi implements DockerApiClient {
  readonly socketPath: string;
  readonly apiVersion: string;
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(socketPath: string, apiVersion: string = PINNED_API_VERSION) {
    this.socketPath = socketPath;
    this.apiVersion = apiVersion;
  }

  fullPath(path: string): string {
    return `/v${this.apiVersion}${path}`;
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return requestOverSocket(this.socketPath, method, this.fullPath(path), { ...options, agent: this.agent });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The version to pin: 1.41 when the daemon speaks it (`GET /version` gives its range), else
 * the daemon's own newest, so an older daemon still answers.
 */
export function chooseApiVersion(version: { ApiVersion?: string; MinAPIVersion?: string }): string {
  const number = (text: string | undefined): number => {
    const [major = 0, minor = 0] = (text ?? '').split('.').map(Number);
    return major * 1000 + minor;
  };
  const pinned = number(PINNED_API_VERSION);
  const newest = number(version.ApiVersion);
  if (version.ApiVersion === undefined || newest === 0) return PINNED_API_VERSION;
  const oldest = version.MinAPIVersion === undefined ? 0 : number(version.MinAPIVersion);
  return oldest <= pinned && pinned <= newest ? PINNED_API_VERSION : version.ApiVersion;
}

/** The daemon's own message (`{"message": …}`), or the body as text. */
export function apiMessage(response: ApiResponse): string {
  const text = response.body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Throws the daemon's own message unless the status is one of `accepted`. */
export function expectStatus(response: ApiResponse, accepted: number[]): void {
  if (!accepted.includes(response.status)) {
    throw new Error(`HTTP ${response.status}: ${apiMessage(response) || 'no message'}`);
  }
}

/**
 * An image import answers 200 and then streams JSON progress lines; a failure arrives as a
 * line with `error` (or `errorDetail`), still under status 200. Returns that error, if any.
 */
export function streamedError(body: Buffer): string | undefined {
  for (const line of body.toString('utf8').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
      if (typeof parsed.error === 'string') return parsed.error;
      if (typeof parsed.errorDetail?.message === 'string') return parsed.errorDetail.message;
    } catch {
      return `unreadable progress line: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

/**
 * Splits the multiplexed stream of `GET /containers/{id}/logs` (a container without a TTY):
 * frames of an 8-byte header — stream type (1 stdout, 2 stderr; 0 stdin), three zero bytes,
 * the payload size as a big-endian uint32 — followed by the payload.
 */
export function demultiplexLogs(stream: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset < stream.length) {
    if (stream.length - offset < 8) throw new Error(`truncated log frame header at byte ${offset} of ${stream.length}`);
    const type = stream[offset];
    const size = stream.readUInt32BE(offset + 4);
    const start = offset + 8;
    if (start + size > stream.length) throw new Error(`log frame at byte ${offset} announces ${size} bytes, only ${stream.length - start} follow`);
    if (type !== 0 && type !== 1 && type !== 2) throw new Error(`unknown log stream type ${type} at byte ${offset}`);
    (type === 2 ? err : out).push(stream.subarray(start, start + size));
    offset = start + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** An API call as the phase log records it: method and path, the answer as output. */
export function apiRecord(method: string, fullPath: string, response: ApiResponse): CommandRecord {
  const body = response.body.toString('utf8');
  return {
    argv: [method, fullPath],
    durationMs: response.durationMs,
    exitCode: 0,
    signal: null,
    stdout: `HTTP ${response.status}${body.trim() !== '' ? ` ${body.length > 2000 ? `${body.slice(0, 2000)}…` : body.trim()}` : ''}\n`,
    stderr: '',
  };
}
