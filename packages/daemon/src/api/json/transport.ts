import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { drainedOrClosed } from '../drain.js';

/**
 * How a JSON session sends messages, whatever carries them: NDJSON lines on
 * a stats socket, or one text message per JSON message on a WebSocket.
 */
export interface JsonTransport {
  readonly kind: 'unix' | 'ws';
  /** Sends one message (JSON text, no trailing newline). */
  send(json: string): void;
  /** Sends `prefix + body + suffix` as one message; `body` is shared between many clients, so it is not copied on a stream. */
  sendShared(prefix: string, body: Buffer, suffix: string): void;
  /** Bytes accepted by `send` that the peer has not read yet. */
  readonly bufferedBytes: number;
  /** Stops and restarts reading input (backpressure on requests). */
  pauseInput(): void;
  resumeInput(): void;
  /** Resolves once the peer has read what was waiting (or the connection closed). */
  waitForDrain(): Promise<void>;
  /** Ends after what was sent is flushed; `destroy` cuts at once. */
  end(): void;
  destroy(): void;
}

/** NDJSON over a stream socket. */
export function socketTransport(socket: Socket): JsonTransport {
  return {
    kind: 'unix',
    send: (json) => {
      socket.write(`${json}\n`);
    },
    sendShared: (prefix, body, suffix) => {
      socket.cork();
      socket.write(prefix);
      socket.write(body);
      socket.write(`${suffix}\n`);
      process.nextTick(() => socket.uncork());
    },
    get bufferedBytes() {
      return socket.writableLength;
    },
    pauseInput: () => socket.pause(),
    resumeInput: () => socket.resume(),
    waitForDrain: () => drainedOrClosed(socket),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

/** One WebSocket text message per JSON message. */
export function webSocketTransport(ws: WebSocket): JsonTransport {
  return {
    kind: 'ws',
    send: (json) => ws.send(json),
    sendShared: (prefix, body, suffix) => {
      ws.send(Buffer.concat([Buffer.from(prefix), body, Buffer.from(suffix)]), { binary: false });
    },
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
    pauseInput: () => ws.pause(),
    resumeInput: () => ws.resume(),
    // ws has no drain event: poll, bounded by the connection's life.
    waitForDrain: async () => {
      while (ws.bufferedAmount > 0 && ws.readyState === ws.OPEN) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    end: () => ws.close(1000),
    destroy: () => ws.terminate(),
  };
}
