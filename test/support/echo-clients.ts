import { connect, type Socket } from 'node:net';
import { connectTcp } from './net-clients.js';

/** What one short exchange got: everything up to the peer's FIN, or why it failed. */
export interface ExchangeResult {
  readonly reply: string;
  /** The socket error code, `TIMEOUT` (no FIN within the deadline), or undefined on a clean end. */
  readonly error?: string;
}

/**
 * One short connection to 127.0.0.1:`port`: sends `payload`, half-closes,
 * and collects what comes back until the peer's FIN (or an error, or
 * `timeoutMs`).
 */
export function exchange(port: number, payload: string, timeoutMs = 5_000): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let reply = '';
    const finish = (error?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error === undefined ? { reply } : { reply, error });
    };
    const timer = setTimeout(() => finish('TIMEOUT'), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (d: string) => {
      reply += d;
    });
    socket.on('end', () => finish());
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

/** {@link exchange}, reduced to the reply of a clean exchange, or undefined. */
export async function shortExchange(
  port: number,
  payload: string,
  timeoutMs = 5_000,
): Promise<string | undefined> {
  const result = await exchange(port, payload, timeoutMs);
  return result.error === undefined ? result.reply : undefined;
}

/** Reads from `socket` until `count` bytes have arrived; rejects on close, error or after `timeoutMs`. */
export function readBytes(socket: Socket, count: number, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (error === undefined) resolve(got);
      else reject(error);
    };
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length >= count) done();
    };
    const onClose = () => done(new Error(`closed after ${got.length} of ${count} bytes`));
    const onError = (err: Error) => done(err);
    const timer = setTimeout(
      () => done(new Error(`${got.length} of ${count} bytes in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}

/** Writes `text` on an open connection and resolves with the echo of as many bytes. */
export function echoOn(socket: Socket, text: string, timeoutMs = 5_000): Promise<string> {
  const reply = readBytes(socket, text.length, timeoutMs);
  socket.write(text);
  return reply;
}

/** A long-lived connection through lbd to a server that greets with its name (`s1\n`). */
export interface HeldConnection {
  readonly socket: Socket;
  /** The server it reached, from the greeting. */
  readonly server: string;
  /** The client's port: identifies the connection in /proc/net/tcp. */
  readonly localPort: number;
}

/** Connects to `port` and reads the backend's greeting line (`name\n`, `greetingBytes` long). */
export async function openHeld(
  port: number,
  greetingBytes: number,
  timeoutMs = 5_000,
): Promise<HeldConnection> {
  const socket = await connectTcp(port);
  try {
    const greeting = await readBytes(socket, greetingBytes, timeoutMs);
    return { socket, server: greeting.trim(), localPort: socket.localPort! };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/**
 * What a new client gets: refused, served (its line echoed), or a
 * connection that nobody serves within `waitMs` (accepted by the kernel
 * on a socket no process accepts from).
 */
export function probe(port: number, waitMs = 1_000): Promise<'refused' | 'served' | 'unserved' | string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port);
    socket.then(
      async (s) => {
        try {
          resolve((await echoOn(s, 'probe\n', waitMs)) === 'probe\n' ? 'served' : 'garbled');
        } catch {
          resolve('unserved');
        } finally {
          s.destroy();
        }
      },
      (err: NodeJS.ErrnoException) =>
        resolve(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? err.message)),
    );
  });
}
