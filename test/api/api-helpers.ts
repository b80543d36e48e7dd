import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

/** The HAProxy 2.6 captures shared by the team (`haproxy-compat/samples`). */
export const COMPAT_SAMPLES = process.env.LBD_COMPAT_SAMPLES ?? '/work/shared/haproxy-compat/samples';

/** One capture, as bytes decoded as latin1 (byte-exact). */
export function sample(name: string): string {
  return readFileSync(join(COMPAT_SAMPLES, name), 'latin1');
}

/** What a raw exchange on a stats socket gave back. */
export interface Exchange {
  readonly data: Buffer;
  /** The daemon closed the connection (FIN or reset) before the deadline. */
  readonly closed: boolean;
  /** The daemon reset rather than closed (ECONNRESET, EPIPE). */
  readonly error?: string;
}

/**
 * Connects to a UNIX socket, writes `input` (in one write unless it is a
 * list), optionally half-closes, and collects everything until the daemon
 * closes or `waitMs` passes.
 */
export function exchange(
  path: string,
  input: string | Buffer | readonly (string | Buffer)[],
  options: { waitMs?: number; halfClose?: boolean; gapMs?: number } = {},
): Promise<Exchange> {
  const waitMs = options.waitMs ?? 3000;
  return new Promise((resolve) => {
    const socket: Socket = connect({ path, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      resolve(error === undefined ? { data, closed } : { data, closed, error });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.once('connect', async () => {
      const parts = Array.isArray(input) ? input : [input];
      for (const part of parts) {
        if (socket.destroyed) break;
        socket.write(part as string | Buffer);
        if (options.gapMs !== undefined) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.halfClose === true && !socket.destroyed) socket.end();
    });
  });
}

/** An interactive (prompt mode) session: send a line, read until the `> ` prompt. */
export class PromptSession {
  private buffer = '';
  private waiter: (() => void) | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(path: string): Promise<PromptSession> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const session = new PromptSession(socket);
    const first = await session.send('prompt');
    if (first !== '\n> ') throw new Error(`prompt reply was ${JSON.stringify(first)}`);
    return session;
  }

  /** Sends one line and returns the reply up to and including the prompt. */
  async send(line: string, timeoutMs = 3000): Promise<string> {
    this.socket.write(`${line}\n`);
    return this.readUntilPrompt(timeoutMs);
  }

  async readUntilPrompt(timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.buffer.endsWith('> ')) {
      if (this.closed) throw new Error(`connection closed; got ${JSON.stringify(this.buffer.slice(-200))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no prompt within ${timeoutMs} ms; got ${JSON.stringify(this.buffer.slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const out = this.buffer;
    this.buffer = '';
    return out;
  }

  /** Waits until the daemon closes the connection; resolves false on timeout. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The number of comma-separated fields of each non-empty line that is not the header. */
export function csvFieldCounts(csv: string): number[] {
  return csv
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').length);
}

/** The keys of `Key: value` lines, in order. */
export function infoKeys(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.includes(': '))
    .map((l) => l.slice(0, l.indexOf(': ')));
}

/** Resolves after `ms`. Only for pacing a peer's behaviour (a slow client), never to wait for a result. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
