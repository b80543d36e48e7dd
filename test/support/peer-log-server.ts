import { createServer, type Socket } from 'node:net';
import { listenOn } from './net-servers.js';

/** A TCP server that notes where each connection comes from. */
export interface PeerLogServer {
  readonly port: number;
  /** The source address of every connection accepted so far, in order. */
  readonly peers: readonly string[];
  /** Connections open now, by source address. */
  openBySource(): Map<string, number>;
  /** Connections open now. */
  openCount(): number;
  /** Resolves once `done()` holds, checked at each connection and close; rejects after `timeoutMs`. */
  waitFor(done: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A server on 127.0.0.1:`port` that accepts connections, records each
 * one's source address and holds it: the peer that shows which local
 * address lbd's connections (proxied or health checks) left from. It sends
 * `greeting` first, if given. A plain connect check resets its connection
 * as soon as it is up, often before the server has accepted it, and the
 * address of a reset connection can no longer be read: a check that waits
 * for a greeting (`tcp-check expect`) is there to be counted.
 */
export async function startPeerLogServer(port: number, greeting?: string): Promise<PeerLogServer> {
  const peers: string[] = [];
  const open = new Map<Socket, string>();
  const changed = new Set<() => void>();
  const notify = () => {
    for (const check of [...changed]) check();
  };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const from = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    peers.push(from);
    open.set(socket, from);
    socket.on('close', () => {
      open.delete(socket);
      notify();
    });
    socket.on('error', () => {});
    // A client's FIN closes our side too, so a closed check leaves nothing open.
    socket.on('end', () => socket.end());
    socket.resume();
    if (greeting !== undefined) socket.write(greeting);
    notify();
  });
  await listenOn(server, port);
  return {
    port,
    peers,
    openBySource() {
      const counts = new Map<string, number>();
      for (const from of open.values()) counts.set(from, (counts.get(from) ?? 0) + 1);
      return counts;
    },
    openCount: () => open.size,
    waitFor(done, what, timeoutMs = 10_000) {
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done()) return;
          changed.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          changed.delete(check);
          reject(new Error(`not within ${timeoutMs} ms: ${what} (peers so far: ${peers.join(' ')})`));
        }, timeoutMs);
        changed.add(check);
      });
    },
    async close() {
      for (const socket of open.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
