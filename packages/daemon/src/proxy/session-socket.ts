import type { Socket } from 'node:net';
import { plainAddress } from './proxy-protocol.js';
import type { ProxiedSession } from './session.js';
import type { ClientEndpoints } from './session-types.js';

/*
 * The socket side of a proxied session. Every socket event goes to one of
 * these module-level handlers, which finds its session through a symbol on
 * the socket: a dozen fewer closures per connection than per-session
 * listeners, which shows in memory per idle connection and in GC time.
 */

/** A socket that knows its session, so shared handlers need no closure. */
export interface SessionSocket extends Socket {
  [kSession]?: ProxiedSession;
}

export const kSession = Symbol('lbd.session');

function sessionOf(socket: SessionSocket): ProxiedSession {
  return socket[kSession]!;
}

export function onClientData(this: SessionSocket, chunk: Buffer): void {
  sessionOf(this).fromClient(chunk);
}

export function onServerData(this: SessionSocket, chunk: Buffer): void {
  sessionOf(this).fromServer(chunk);
}

export function onServerDrain(this: SessionSocket): void {
  sessionOf(this).clientSocket.resume();
}

export function onClientDrain(this: SessionSocket): void {
  sessionOf(this).serverSocket?.resume();
}

export function onClientEnd(this: SessionSocket): void {
  sessionOf(this).clientEnded();
}

export function onServerEnd(this: SessionSocket): void {
  sessionOf(this).serverEnded();
}

export function onClientTimeout(this: SessionSocket): void {
  sessionOf(this).abort('c');
}

export function onServerTimeout(this: SessionSocket): void {
  sessionOf(this).abort('s');
}

export function onClientError(this: SessionSocket): void {
  sessionOf(this).abort('C');
}

export function onServerError(this: SessionSocket): void {
  sessionOf(this).abort('S');
}

export function onClientClose(this: SessionSocket): void {
  sessionOf(this).clientClosedNow();
}

export function onServerClose(this: SessionSocket): void {
  sessionOf(this).serverClosedNow();
}

/** Passes a FIN on; `option nolinger` resets instead, so no TIME_WAIT stays behind. */
export function shutWrite(socket: Socket, noLinger: boolean): void {
  if (noLinger) socket.resetAndDestroy();
  else socket.end();
}

/** The client's addresses as the socket sees them (IPv4-mapped IPv6 made plain). */
export function socketEndpoints(socket: Socket): ClientEndpoints {
  return {
    address: plainAddress(socket.remoteAddress ?? ''),
    port: socket.remotePort ?? 0,
    localAddress: plainAddress(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
  };
}
