import type { Socket } from 'node:net';

/**
 * Resolves once the peer has read what waits in `socket`'s buffer, or the
 * socket is gone. Never rejects: `events.once` would reject on the socket's
 * `error` (EPIPE from a peer that left), which is an end, not a failure here.
 */
export function drainedOrClosed(socket: Socket): Promise<void> {
  if (socket.destroyed || socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      socket.off('error', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
    socket.once('error', done);
  });
}
