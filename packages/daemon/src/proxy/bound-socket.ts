import { createServer, type Server, type Socket } from 'node:net';
import type { BindConfig } from '../config/types.js';

/** Listen queue length lbd asks the kernel for on every bind. */
const LISTEN_BACKLOG = 4096;

/** What identifies a listening socket across reloads: the address it is bound to. */
export function bindKey(bind: Pick<BindConfig, 'host' | 'port'>): string {
  return `${listenHost(bind.host)}:${bind.port}`;
}

function listenHost(host: string): string {
  return host === '' || host === '*' ? '0.0.0.0' : host;
}

/**
 * One listening socket whose connection handler can be swapped. A reload
 * hands a bind that did not change from the old frontend to the new one by
 * swapping the handler, in one synchronous step: the socket is never closed
 * or rebound, so no connection meets a refused port. Connections accepted
 * before any handler is attached (a bind opened ahead of a reload's switch)
 * wait here, paused, and go to the first handler.
 */
export class BoundSocket {
  private handler: ((socket: Socket) => void) | undefined;
  private readonly pending: Socket[] = [];

  private constructor(
    readonly key: string,
    readonly server: Server,
  ) {
    server.on('connection', (socket) => {
      if (this.handler !== undefined) this.handler(socket);
      else this.pending.push(socket);
    });
  }

  /** Binds `bind`'s address; rejects with the listen error (e.g. EADDRINUSE). */
  static listen(bind: BindConfig, clientKeepAlive: boolean): Promise<BoundSocket> {
    return BoundSocket.start(bind, clientKeepAlive, {
      host: listenHost(bind.host),
      port: bind.port,
      backlog: LISTEN_BACKLOG,
    });
  }

  /**
   * Accepts on a socket another process bound (a worker, on the master's
   * socket for this bind): the socket outlives this process, so a worker
   * that stops or dies loses none of the connections waiting in its queue.
   */
  static adoptHandle(bind: BindConfig, clientKeepAlive: boolean, handle: object): Promise<BoundSocket> {
    return BoundSocket.start(bind, clientKeepAlive, { _handle: handle, backlog: LISTEN_BACKLOG } as object);
  }

  private static async start(bind: BindConfig, clientKeepAlive: boolean, how: object): Promise<BoundSocket> {
    const server = createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: true,
      keepAlive: clientKeepAlive,
    });
    const bound = new BoundSocket(bindKey(bind), server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(how, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return bound;
  }

  /** Routes every new connection (and those waiting) to `handler` from now on. */
  attach(handler: (socket: Socket) => void): void {
    this.handler = handler;
    for (const socket of this.pending.splice(0)) handler(socket);
  }

  /** `host:port` actually bound (port 0 resolves here). */
  get address(): string {
    const address = this.server.address();
    return typeof address === 'object' && address !== null
      ? `${address.address}:${address.port}`
      : String(address);
  }

  /**
   * Stops listening; connections already accepted are not touched. Resolves
   * once they have all ended too (Node's `server.close`), which a stop may
   * wait for and a reload must not: see {@link stopListening}.
   */
  close(): Promise<void> {
    for (const socket of this.pending.splice(0)) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Stops listening now, without waiting for the sessions it accepted to end. */
  stopListening(): void {
    void this.close();
  }
}
