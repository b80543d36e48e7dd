import type { Socket } from 'node:net';
import { type ProxiedAddresses, parseProxyHeader } from './proxy-protocol.js';

export type ProxyHeaderOutcome =
  | { ok: true; addresses: ProxiedAddresses | undefined }
  | { ok: false; reason: string };

/**
 * Reads the PROXY header `accept-proxy` requires, within `timeoutMs`. Bytes
 * after the header are put back on the socket, which is left paused for the
 * session to read.
 */
export function readProxyHeader(
  socket: Socket,
  timeoutMs: number,
  done: (outcome: ProxyHeaderOutcome) => void,
): void {
  let received: Buffer = Buffer.alloc(0);
  let settled = false;
  const finish = (outcome: ProxyHeaderOutcome, rest?: Buffer) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
    // Paused before the remainder goes back, so it is not emitted to this reader.
    socket.pause();
    if (rest !== undefined && rest.length > 0) socket.unshift(rest);
    done(outcome);
  };
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const result = parseProxyHeader(received);
    if (result.status === 'incomplete') return;
    if (result.status === 'error') {
      finish({ ok: false, reason: result.message });
      return;
    }
    finish({ ok: true, addresses: result.addresses }, result.rest);
  };
  const onEnd = () => finish({ ok: false, reason: 'connection closed before a complete PROXY header' });
  const timer = setTimeout(
    () => finish({ ok: false, reason: 'timed out waiting for the PROXY header' }),
    timeoutMs,
  );
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', onEnd);
  socket.resume();
}
