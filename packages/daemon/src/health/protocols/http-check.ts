import type { ReadParser } from '../check-socket.js';
import type { CheckSpec, HttpExpect, ProbeIo, Verdict } from '../check-types.js';

type HttpSpec = Extract<CheckSpec, { kind: 'http' }>;

/** How much of a response body a content check looks at (HAProxy's default `tune.chksize`). */
export const MAX_BODY_BYTES = 16_384;

/** A parsed response: status, reason phrase and as much body as a content check needs. */
export interface HttpResponse {
  status: number;
  reason: string;
  body: string;
}

function hasHeader(headers: [string, string][], name: string): boolean {
  return headers.some(([n]) => n.toLowerCase() === name);
}

/** The request bytes: request line, headers, and a body with its length. */
export function buildRequest(spec: HttpSpec, serverState: string): string {
  const { method, uri, version, body } = spec.request;
  const headers: [string, string][] = [...spec.request.headers];
  if (spec.sendState) headers.push(['X-Haproxy-Server-State', serverState]);
  // One request per connection: the server may close as soon as it has answered.
  if (!hasHeader(headers, 'connection')) headers.push(['Connection', 'close']);
  if (body !== '' && !hasHeader(headers, 'content-length')) {
    headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  }
  const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `${method} ${uri} ${version}\r\n${lines}\r\n${body}`;
}

/**
 * Reads a response: the head, then (when `needBody`) the body up to its
 * Content-Length, the end of the connection, or {@link MAX_BODY_BYTES}.
 */
export function responseParser(needBody: boolean): ReadParser<HttpResponse> {
  return (buf, ended) => {
    const headEnd = buf.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (!ended) return undefined;
      if (buf.length === 0) return undefined;
    }
    const head = buf.toString('latin1', 0, headEnd < 0 ? buf.length : headEnd);
    const m = /^HTTP\/\d\.\d (\d{3})(?: ([^\r\n]*))?/.exec(head);
    if (m === null) throw new Error(`invalid HTTP response '${head.split('\r\n')[0]!.slice(0, 64)}'`);
    const response: HttpResponse = { status: Number(m[1]), reason: m[2] ?? '', body: '' };
    if (!needBody || headEnd < 0) return { value: response, used: buf.length };
    const start = headEnd + 4;
    const lengthHeader = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const wanted = Math.min(MAX_BODY_BYTES, lengthHeader ? Number(lengthHeader[1]) : MAX_BODY_BYTES);
    if (buf.length - start < wanted && !ended) return undefined;
    response.body = buf.toString('latin1', start, start + wanted);
    return { value: response, used: buf.length };
  };
}

function inRanges(code: number, ranges: [number, number][]): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high);
}

function expectMatches(expect: HttpExpect, response: HttpResponse): boolean {
  switch (expect.kind) {
    case 'status':
      return inRanges(response.status, expect.ranges);
    case 'rstatus':
      return expect.regex.test(String(response.status));
    case 'string':
      return response.body.includes(expect.text);
    case 'rstring':
      return expect.regex.test(response.body);
  }
}

/**
 * Judges a response as HAProxy does: with `disable-on-404`, a 404 passes
 * conditionally (NOLB); without an `expect`, 2xx and 3xx pass; a status
 * mismatch is L7STS, a content mismatch L7RSP.
 */
export function judgeResponse(spec: HttpSpec, response: HttpResponse): Verdict {
  const code = response.status;
  const text = response.reason || String(code);
  if (code === 404 && spec.disableOn404) return { status: 'L7OKC', code, text };
  const expect = spec.expect;
  if (expect === undefined) {
    return code >= 200 && code < 400 ? { status: 'L7OK', code, text } : { status: 'L7STS', code, text };
  }
  const ok = expectMatches(expect, response) !== expect.negate;
  if (ok) return { status: 'L7OK', code, text };
  if (expect.kind === 'status' || expect.kind === 'rstatus') return { status: 'L7STS', code, text };
  const how = expect.negate ? 'contains' : 'does not contain';
  return { status: 'L7RSP', code, text: `response body ${how} '${expect.pattern}'` };
}

/** `option httpchk` with its `http-check` rules. */
export async function runHttpCheck(spec: HttpSpec, io: ProbeIo): Promise<Verdict> {
  const socket = await io.connect();
  socket.write(buildRequest(spec, io.serverState()));
  const needBody = spec.expect?.kind === 'string' || spec.expect?.kind === 'rstring';
  const response = await socket.read(responseParser(needBody));
  return judgeResponse(spec, response);
}
