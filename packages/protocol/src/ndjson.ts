import { ApiError } from './errors.js';

/** Longest JSON line either side accepts by default, in bytes (LF included). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** What {@link NdjsonDecoder.push} found in the bytes: a whole line, or why it could not be one. */
export type DecodedLine =
  | { kind: 'line'; text: string }
  | { kind: 'invalid-utf8'; bytes: number }
  | { kind: 'too-long'; bytes: number };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Splits a byte stream into LF-terminated lines (a CR before the LF is
 * dropped). Bytes are kept until a line is whole, so a UTF-8 character split
 * across reads decodes correctly, and each line is decoded strictly: invalid
 * UTF-8 is reported rather than replaced. A line longer than `maxLineBytes`
 * is reported once as `too-long`; the stream cannot be framed after that,
 * so the caller should close it.
 */
export class NdjsonDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private broken = false;

  /** @param maxLineBytes @default {@link DEFAULT_MAX_LINE_BYTES} */
  constructor(readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Bytes of an incomplete line held so far. */
  get buffered(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): DecodedLine[] {
    if (this.broken) return [];
    const out: DecodedLine[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      const bytes = this.pendingBytes + piece.length + 1;
      const line = this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      if (bytes > this.maxLineBytes) {
        this.broken = true;
        out.push({ kind: 'too-long', bytes });
        return out;
      }
      out.push(decodeLine(line));
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.pendingBytes += rest.length;
      if (this.pendingBytes >= this.maxLineBytes) {
        this.broken = true;
        out.push({ kind: 'too-long', bytes: this.pendingBytes });
        this.pending = [];
        return out;
      }
      // Copy: the caller's chunk buffer may be reused by the stream.
      this.pending.push(Buffer.from(rest));
    }
    return out;
  }
}

function decodeLine(line: Buffer): DecodedLine {
  const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
  try {
    return { kind: 'line', text: utf8.decode(line.subarray(0, end)) };
  } catch {
    return { kind: 'invalid-utf8', bytes: line.length + 1 };
  }
}

/** Parses one JSON line; throws `LB_ERR_BAD_JSON` with the parser's reason. */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('LB_ERR_BAD_JSON', `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** One message as an NDJSON line. */
export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
