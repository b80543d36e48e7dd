import { connect, createServer, type Socket } from 'node:net';

/** One client of {@link openHeldClients}: when it connected and, if lbd closed it, when. */
export interface HeldClient {
  readonly socket: Socket;
  readonly connectedAt: number;
  /** Set when the connection closed (lbd gave up on it). */
  closedAt?: number;
}

/** What {@link openHeldClients} saw. */
export interface HeldClients {
  readonly clients: readonly HeldClient[];
  /** Clients whose connection to lbd itself failed (never accepted). */
  readonly failed: number;
  /** Still open. */
  open(): HeldClient[];
  /** Closed by lbd. */
  closed(): HeldClient[];
  /** Closes every client. */
  destroy(): void;
}

/**
 * Opens `count` idle connections to lbd on 127.0.0.1:`port`, `batch` at a
 * time (a batch is connected before the next starts, so lbd's accept queue
 * never overflows), sends nothing, and keeps them. Resolves once all are
 * connected or failed; whether lbd closes some is watched from then on.
 */
export async function openHeldClients(port: number, count: number, batch = 200): Promise<HeldClients> {
  const clients: HeldClient[] = [];
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        const client: HeldClient = { socket, connectedAt: Date.now() };
        clients.push(client);
        socket.once('close', () => {
          client.closedAt = Date.now();
        });
        resolve();
      });
      socket.on('error', () => {
        if (socket.connecting) {
          failed++;
          resolve();
        }
      });
      socket.resume();
    });
  for (let opened = 0; opened < count; opened += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - opened) }, one));
  }
  return {
    clients,
    get failed() {
      return failed;
    },
    open: () => clients.filter((c) => c.closedAt === undefined),
    closed: () => clients.filter((c) => c.closedAt !== undefined),
    destroy: () => {
      for (const c of clients) c.socket.destroy();
    },
  };
}

/** Polls `read` until it returns the same value for `quietMs`, or `timeoutMs` passes; returns the last value. */
export async function settled<T>(read: () => T, quietMs = 1000, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = read();
    if (JSON.stringify(now) !== JSON.stringify(last)) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  return last;
}

/** Polls until `done()` is true; false if `timeoutMs` passed first. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** A server that accepts connections and holds them, sending nothing. */
export interface HoldingServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * Like the harness's silent server, with a deep accept queue: lbd opens
 * thousands of connections in a burst, and with the default backlog (511)
 * the kernel drops the handshakes that overflow it and retransmits for up to
 * a minute, which would look like connections lost.
 */
export async function startHoldingServer(port: number, backlog = 8192): Promise<HoldingServer> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    socket.resume();
  });
  // A run of this file moments earlier can leave the port held a little longer by sockets still
  // closing (listen() refuses while any non-TIME_WAIT socket has it): retry, bounded.
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: '127.0.0.1', backlog }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return {
    port,
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
