import { connect, type Socket } from 'node:net';

/** Connects to 127.0.0.1:`port` (from `localAddress` if given), half-close allowed. */
export function connectTcp(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      allowHalfOpen: true,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** How a connection ended, seen from our side. */
export interface CloseInfo {
  /** The peer sent FIN ('end') before the close. */
  readonly ended: boolean;
  /** The socket error, e.g. ECONNRESET, if any. */
  readonly error?: string;
}

/**
 * Resolves when the socket is closed by the peer (FIN or RST). Data is
 * discarded. Our own side is not ended, so a FIN from the peer is answered
 * with our FIN, as a real client would.
 */
export function waitForClose(socket: Socket): Promise<CloseInfo> {
  return new Promise((resolve) => {
    let ended = false;
    let error: string | undefined;
    socket.on('end', () => {
      ended = true;
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.once('close', () => resolve(error === undefined ? { ended } : { ended, error }));
    socket.resume();
  });
}

/** Collects everything the peer sends until it half-closes. */
export function readToEnd(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}
