import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

/** A Node TCP test server on 127.0.0.1. */
export interface TestServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port`; rejects with the listen error (EADDRINUSE...). */
export function listenOn(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function listen(port: number, onConnection: (socket: Socket) => void): Promise<TestServer> {
  const open = new Set<Socket>();
  let accepted = 0;
  // allowHalfOpen: a client's FIN must not close our side before we reply.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await listenOn(server, port);
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

/** Echoes every byte back, with backpressure (pipe), and half-closes after the client does. */
export function startEchoServer(port: number): Promise<TestServer> {
  return listen(port, (socket) => socket.pipe(socket));
}

/** Accepts connections and never sends or closes: an idle peer. */
export function startSilentServer(port: number): Promise<TestServer> {
  return listen(port, (socket) => socket.resume());
}

/** Reads until the client half-closes, then sends `reply(received bytes)` and closes. */
export function startReplyAfterEofServer(
  port: number,
  reply: (received: Buffer) => Buffer,
): Promise<TestServer> {
  return listen(port, (socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => socket.end(reply(Buffer.concat(chunks))));
  });
}

/** Options of {@link startSlowSinkServer}. */
export interface SlowSinkOptions {
  /** Pause reading for `pauseMs` after each `bytesPerPause` bytes. */
  readonly bytesPerPause: number;
  readonly pauseMs: number;
}

/**
 * Reads slowly (pausing the socket, so TCP pushes back), hashes what it
 * got, and when the client half-closes replies `<byte count> <sha256 hex>\n`.
 */
export function startSlowSinkServer(port: number, options: SlowSinkOptions): Promise<TestServer> {
  return listen(port, (socket) => {
    const hash = createHash('sha256');
    let total = 0;
    let sincePause = 0;
    socket.on('data', (d: Buffer) => {
      hash.update(d);
      total += d.length;
      sincePause += d.length;
      if (sincePause >= options.bytesPerPause) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => socket.resume(), options.pauseMs);
      }
    });
    socket.on('end', () => socket.end(`${total} ${hash.digest('hex')}\n`));
  });
}
