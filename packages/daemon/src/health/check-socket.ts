import { connect, type Socket } from 'node:net';
import type { CheckStatus } from '../model/index.js';

/** A connection attempt that failed: the layer-4 status HAProxy reports for it, and its text. */
export class ConnectFailure extends Error {
  override readonly name = 'ConnectFailure';
  constructor(
    readonly status: Extract<CheckStatus, 'L4CON' | 'L4TOUT' | 'SOCKERR'>,
    message: string,
  ) {
    super(message);
  }
}

/** Why a read could not complete: the deadline passed, the peer closed, or the socket failed. */
export class ReadFailure extends Error {
  override readonly name = 'ReadFailure';
  constructor(
    readonly kind: 'timeout' | 'closed' | 'error',
    message: string,
  ) {
    super(message);
  }
}

/** Where and how a check connects. */
export interface ConnectTarget {
  host: string;
  port: number;
  /** Source address (the server's or backend's `source`); the kernel picks the port. */
  localAddress?: string | undefined;
  connectTimeoutMs: number;
}

/** The usual C library wording for the errors a check connect meets, as HAProxy reports them. */
const ERRNO_TEXT: Readonly<Record<string, [ConnectFailure['status'], string]>> = {
  ECONNREFUSED: ['L4CON', 'Connection refused'],
  ECONNRESET: ['L4CON', 'Connection reset by peer'],
  EHOSTUNREACH: ['L4CON', 'No route to host'],
  ENETUNREACH: ['L4CON', 'Network is unreachable'],
  EHOSTDOWN: ['L4CON', 'Host is down'],
  ETIMEDOUT: ['L4TOUT', 'Connection timed out'],
  ENOTFOUND: ['L4CON', 'Cannot resolve the server name'],
  EADDRNOTAVAIL: ['SOCKERR', 'Cannot assign requested address'],
  EADDRINUSE: ['SOCKERR', 'Address already in use'],
  EMFILE: ['SOCKERR', 'Too many open files'],
  ENFILE: ['SOCKERR', 'Too many open files in system'],
  EACCES: ['SOCKERR', 'Permission denied'],
  EPERM: ['SOCKERR', 'Operation not permitted'],
  EINVAL: ['SOCKERR', 'Invalid argument'],
};

function connectFailureOf(err: NodeJS.ErrnoException): ConnectFailure {
  const known = err.code === undefined ? undefined : ERRNO_TEXT[err.code];
  if (known) return new ConnectFailure(known[0], known[1]);
  return new ConnectFailure('SOCKERR', err.code ?? err.message);
}

/**
 * The plain TCP check on its fast path: connect, reset, done. It is most
 * checks a big farm runs, so it skips the reading machinery of
 * {@link CheckSocket} (listeners, buffers, promises) altogether.
 */
export function probeConnect(target: ConnectTarget): Promise<{ status: CheckStatus; text: string }> {
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(target.localAddress === undefined ? {} : { localAddress: target.localAddress }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: 'L4TOUT', text: 'Connection timeout' });
    }, target.connectTimeoutMs);
    // Stays attached after the connect: a late error on a reset socket is expected and ignored.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const failure = connectFailureOf(err);
      resolve({ status: failure.status, text: failure.message });
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.resetAndDestroy();
      resolve({ status: 'L4OK', text: '' });
    });
  });
}

/** Parses the front of the received bytes: a value and the bytes used, or undefined for "need more". */
export type ReadParser<T> = (buffer: Buffer, ended: boolean) => { value: T; used: number } | undefined;

/**
 * One health-check connection: connect with a timeout, write, and read
 * framed replies against a single read deadline. Closing resets the
 * connection (no lingering FIN handshake), so a thousand checks a second
 * leave no TIME_WAIT sockets on lbd's side, as HAProxy's checks do.
 */
export class CheckSocket {
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private deadline = Number.POSITIVE_INFINITY;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  /** Connects; rejects with a {@link ConnectFailure}. */
  static open(target: ConnectTarget): Promise<CheckSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: target.host,
        port: target.port,
        ...(target.localAddress === undefined ? {} : { localAddress: target.localAddress }),
      });
      const timer = setTimeout(() => {
        socket.removeListener('error', onError);
        socket.on('error', () => {});
        socket.destroy();
        reject(new ConnectFailure('L4TOUT', 'Connection timeout'));
      }, target.connectTimeoutMs);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(connectFailureOf(err));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new CheckSocket(socket));
      });
    });
  }

  /**
   * Fails pending and later reads `ms` from now. The timer itself is only
   * armed when a read has to wait, so a check that never reads (a plain
   * connect) costs no timer.
   */
  setReadTimeout(ms: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deadline = performance.now() + Math.max(0, ms);
  }

  write(data: Buffer | string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(data);
  }

  /** Sends our FIN: some peers answer only once the request has ended. */
  endWrites(): void {
    if (!this.closed && !this.socket.destroyed) this.socket.end();
  }

  /**
   * Waits until `parse` accepts the front of the received bytes, removes
   * what it used and returns its value. Rejects with a {@link ReadFailure}.
   */
  async read<T>(parse: ReadParser<T>): Promise<T> {
    for (;;) {
      const taken = parse(this.buffer, this.ended);
      if (taken !== undefined) {
        this.buffer = this.buffer.subarray(taken.used);
        return taken.value;
      }
      if (this.timedOut) throw new ReadFailure('timeout', 'timeout while waiting for the server');
      if (this.error !== undefined && this.buffer.length === 0) {
        const code = (this.error as NodeJS.ErrnoException).code;
        throw new ReadFailure(
          'error',
          code === 'ECONNRESET' ? 'Connection reset by peer' : (code ?? this.error.message),
        );
      }
      if (this.ended || this.error !== undefined) {
        throw new ReadFailure('closed', 'connection closed by the server');
      }
      this.armDeadline();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** The bytes received and not consumed yet (for messages about a mismatch). */
  get pending(): Buffer {
    return this.buffer;
  }

  /** Closes with a reset; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.on('error', () => {});
    socket.resetAndDestroy();
    // Without a live handle there is nothing to reset, and resetAndDestroy() does nothing.
    if (!socket.destroyed) socket.destroy();
  }

  private armDeadline(): void {
    if (this.timer !== undefined || this.deadline === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timedOut = true;
        this.notify();
      },
      Math.max(0, this.deadline - performance.now()),
    );
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
