import { connect } from 'node:net';
import { DaemonUnreachableError, PermissionDeniedError } from '../errors.js';

/**
 * Sends one HAProxy text-dialect command line over a stats socket and
 * resolves with the whole reply. The first byte is not `{`, so the daemon
 * answers in HAProxy's dialect; in one-shot mode it closes after the reply,
 * which is how the end is known. A command that never completes fails after
 * `timeoutMs`.
 */
export function sendRawCommand(socketPath: string, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let reply = '';
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        connected
          ? new Error(`no complete reply from ${socketPath} within ${timeoutMs} ms`)
          : new DaemonUnreachableError(
              `cannot reach lbd at ${socketPath}: no connection within ${timeoutMs} ms`,
            ),
      );
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${command}\n`);
    });
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'EACCES' || err.code === 'EPERM') {
        reject(new PermissionDeniedError(`no permission to open ${socketPath}`, { cause: err }));
      } else if (!connected) {
        const why =
          err.code === 'ENOENT'
            ? 'no such socket'
            : err.code === 'ECONNREFUSED'
              ? 'connection refused'
              : err.message;
        reject(new DaemonUnreachableError(`cannot reach lbd at ${socketPath}: ${why}`, { cause: err }));
      } else reject(err);
    });
  });
}
