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

/**
 * Errors that mean "no local address/port to connect from", not "server
 * refused": EADDRINUSE from bind() (the port, or with the kernel's choice
 * every port of the address, is taken), EADDRNOTAVAIL from connect() (the
 * 4-tuple is live or in TIME_WAIT, or the kernel's range is exhausted).
 */
const SOURCE_ERRORS = new Set(['EADDRNOTAVAIL', 'EADDRINUSE']);

/**
 * One attempt to reach a server, bounded by `timeout connect`. Calls exactly
 * one of the callbacks; on success the endpoint it left from comes along,
 * and the caller gives it back to the picker when the connection ends. A
 * source the kernel refuses is given back as refused and the next endpoint
 * (least used address first) is tried, so a client is only given up on once
 * every source address has been tried.
 */
export function connectToServer(
  options: ConnectOptions,
  onConnected: (socket: Socket, local: LocalEndpoint | undefined) => void,
  onFailed: (failure: ConnectFailure, error: Error | undefined) => void,
): () => void {
  let settled = false;
  let socket: Socket | undefined;
  let local: LocalEndpoint | undefined;
  let timer: NodeJS.Timeout | undefined;
  const source = options.source;
  let tries = source?.attempts ?? 1;

  /** Gives the current endpoint back; a connection that never opened left no TIME_WAIT. */
  const giveBack = () => {
    if (local !== undefined) source!.release(local, 'free', Date.now());
    local = undefined;
  };

  const fail = (failure: ConnectFailure, error: Error | undefined) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket?.destroy();
    giveBack();
    onFailed(failure, error);
  };

  const attempt = () => {
    if (source !== undefined) {
      local = source.pick(options.host, options.port, Date.now());
      // Every address is out of ports: fail without a syscall bound to fail,
      // on the next tick so the caller has its cancel function first.
      if (local === undefined) {
        process.nextTick(fail, 'no-source-port', undefined);
        return;
      }
    }
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
    s.once('connect', onConnect);
    s.on('error', onError);
  };

  function onConnect(this: Socket) {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    this.removeListener('error', onError);
    const endpoint = local;
    local = undefined;
    onConnected(this, endpoint);
  }

  function onError(this: Socket, error: NodeJS.ErrnoException) {
    if (settled || this !== socket) return;
    if (error.code === undefined || !SOURCE_ERRORS.has(error.code)) {
      fail('refused', error);
      return;
    }
    if (local !== undefined) {
      source!.refuse(local, Date.now());
      local = undefined;
    }
    if (--tries > 0 && source !== undefined) {
      this.destroy();
      attempt();
      return;
    }
    fail('no-source-port', error);
  }

  if (options.timeoutMs !== undefined)
    timer = setTimeout(() => fail('timeout', undefined), options.timeoutMs);
  attempt();
  return () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket?.destroy();
    giveBack();
  };
}
