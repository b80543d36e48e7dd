import { createServer, type Server, type Socket } from 'node:net';
import { listenOn, type TestServer } from './net-servers.js';

/** An echo server that counts its open connections, as a backend sees them. */
export interface TrackingServer extends TestServer {
  /** Connections open now (accepted, not yet closed). */
  readonly current: number;
  /** The most connections open at once since the start or the last {@link resetPeak}. */
  readonly peak: number;
  resetPeak(): void;
}

/**
 * Echoes every byte back (half-closing after the client does), first
 * sending `greeting` if given (e.g. `s1\n`, so a client learns which server
 * it reached). A connection counts as open from its accept to its 'close',
 * the widest window, so {@link TrackingServer.peak} never misses an overlap.
 */
export async function startTrackingServer(port: number, greeting?: string): Promise<TrackingServer> {
  const open = new Set<Socket>();
  let accepted = 0;
  let peak = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    open.add(socket);
    peak = Math.max(peak, open.size);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    if (greeting !== undefined) socket.write(greeting);
    socket.pipe(socket);
  });
  await listenOn(server, port);
  return {
    port,
    get accepted() {
      return accepted;
    },
    get current() {
      return open.size;
    },
    get peak() {
      return peak;
    },
    resetPeak() {
      peak = open.size;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
