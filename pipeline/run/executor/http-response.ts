/**
 * A raw HTTP/1.1 response as crbench-timer saved it (everything read until the daemon closed
 * the connection), taken apart after the phase, outside any clock.
 */

export interface HttpResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Map<string, string>;
  /** Chunked transfer-encoding undone; for the Docker API's hijacked exec stream, the stream itself. */
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Undoes chunked transfer-encoding; a truncated stream gives what arrived. */
export function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let position = 0;
  while (position < data.length) {
    const lineEnd = data.indexOf('\r\n', position, 'latin1');
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(position, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '', 16);
    if (!Number.isFinite(size) || size <= 0) break;
    const start = lineEnd + 2;
    parts.push(data.subarray(start, Math.min(start + size, data.length)));
    position = start + size + 2;
  }
  return Buffer.concat(parts);
}

/** The response in `raw`, past any interim 1xx answer; undefined when there is no status line. */
export function parseHttpResponse(raw: Buffer): HttpResponse | undefined {
  let rest = raw;
  for (;;) {
    const headEnd = rest.indexOf(HEAD_END);
    const head = rest.subarray(0, headEnd < 0 ? rest.length : headEnd).toString('latin1');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const match = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
    if (match?.[1] === undefined) return undefined;
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    let body = headEnd < 0 ? Buffer.alloc(0) : rest.subarray(headEnd + HEAD_END.length);
    if (status >= 100 && status < 200 && status !== 101) {
      rest = body;
      continue;
    }
    if (status === 204 || status === 304) body = Buffer.alloc(0);
    else if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) body = dechunk(body);
    else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
    return { status, headers, body };
  }
}

/** The daemon's own message (`{"message": …}`), or the body as text, shortened. */
export function responseMessage(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
