import { connect, type Socket } from 'node:net';
import type { LocalEndpoint, SourcePicker } from './source-address.js';

/** Why one connection attempt to a server failed. */
export type ConnectFailure = 'refused' | 'timeout' | 'no-source-port';

export interface ConnectOptions {
  host: string;
  port: number;
  timeoutMs: number | undefined;
  keepAlive: boolean;
  source: SourcePicker | undefined;
}

/** Errors that mean "no local address/port to connect from", not "server refused". */
const SOURCE_ERRORS = new Set(['EADDRNOTAVAIL', 'EADDRINUSE']);

/**
 * One attempt to reach a server, bounded by `timeout connect`. Calls exactly
 * one of the callbacks. A taken source port is retried on the next port of
 * the range before it counts as a failure.
 */
export function connectToServer(
  options: ConnectOptions,
  onConnected: (socket: Socket) => void,
  onFailed: (failure: ConnectFailure, error: Error | undefined) => void,
): () => void {
  let settled = false;
  let socket: Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let portTries = options.source?.portAttempts ?? 1;

  const fail = (failure: ConnectFailure, error: Error | undefined) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket?.destroy();
    onFailed(failure, error);
  };

  const attempt = (local: LocalEndpoint | undefined) => {
    const s = connect({
      host: options.host,
      port: options.port,
      localAddress: local?.address,
      localPort: local?.port,
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: options.keepAlive,
    });
    socket = s;
    s.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.removeListener('error', onError);
      onConnected(s);
    });
    const onError = (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (error.code !== undefined && SOURCE_ERRORS.has(error.code)) {
        portTries--;
        if (portTries > 0 && options.source !== undefined) {
          s.destroy();
          attempt(options.source.next());
          return;
        }
        fail('no-source-port', error);
        return;
      }
      fail('refused', error);
    };
    s.on('error', onError);
  };

  if (options.timeoutMs !== undefined)
    timer = setTimeout(() => fail('timeout', undefined), options.timeoutMs);
  attempt(options.source?.next());
  return () => {
    settled = true;
    clearTimeout(timer);
    socket?.destroy();
  };
}
