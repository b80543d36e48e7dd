import { EventEmitter } from 'node:events';
import { connect as connectUnix, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { CommandName, Topic } from './commands.js';
import { ApiError, isApiErrorCode } from './errors.js';
import type { CommandArgs, CommandResults, HelloResult, Push, ServerMessage } from './messages.js';
import { encodeLine, NdjsonDecoder } from './ndjson.js';
import { PROTOCOL_VERSION } from './version.js';

/** Where the daemon listens: a stats socket path, or a WebSocket URL with its bearer token. */
export type ClientTarget = { path: string } | { url: string; token: string };

/** Options of {@link LbClient.connect}. */
export interface ClientOptions {
  /** Deadline for connecting, in ms. @default 5000 */
  connectTimeoutMs?: number;
  /** Deadline for each request's response, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /** Longest line accepted from the daemon, in bytes (stats snapshots can be large). @default 67108864 */
  maxLineBytes?: number;
}

interface Pending {
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Transport {
  send(line: string): void;
  close(): void;
}

/**
 * A JSON-protocol client for lbd's runtime API, over a stats socket (the
 * first byte it sends, `{`, selects the JSON dialect) or a WebSocket
 * listener. Requests return promises of their typed results and reject with
 * an {@link ApiError} carrying the daemon's code. Events: `push` (a
 * subscription message), `daemon-error` (an {@link ApiError} not tied to a
 * request, e.g. `LB_ERR_SLOW_CONSUMER`; not named `error`, so that an
 * unhandled one never throws), `close`.
 */
export class LbClient extends EventEmitter {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly transport: Transport,
    private readonly requestTimeoutMs: number,
  ) {
    super();
  }

  /** Connects to the daemon; resolves once the transport is open (no `hello` is sent). */
  static connect(target: ClientTarget, options: ClientOptions = {}): Promise<LbClient> {
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    return 'path' in target
      ? connectSocket(target.path, timeoutMs, requestTimeoutMs, options.maxLineBytes ?? 64 * 1024 * 1024)
      : connectWebSocket(target.url, target.token, timeoutMs, requestTimeoutMs);
  }

  /** `hello`: versions, capabilities, limits and this connection's level. */
  hello(client = 'lbctl'): Promise<HelloResult> {
    return this.request('hello', { client, protocol: PROTOCOL_VERSION });
  }

  /** Runs one command; rejects with an {@link ApiError} when the daemon answers an error. */
  request<C extends CommandName>(cmd: C, args?: CommandArgs[C]): Promise<CommandResults[C]> {
    if (this.closed) return Promise.reject(new ApiError('LB_ERR_INTERNAL', 'the connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('LB_ERR_INTERNAL', `no response to '${cmd}' within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      this.transport.send(encodeLine(args === undefined ? { id, cmd } : { id, cmd, args }));
    });
  }

  /** Subscribes; `onPush` gets each message of this subscription. Returns the id and a way to stop. */
  async subscribe(
    topics: Topic[],
    onPush: (push: Push) => void,
    intervalMs?: number,
  ): Promise<{ subscription: number; unsubscribe(): Promise<void> }> {
    const listener = (push: Push) => {
      if (push.subscription === result.subscription) onPush(push);
    };
    const result = await this.request(
      'subscribe',
      intervalMs === undefined ? { topics } : { topics, intervalMs },
    );
    this.on('push', listener);
    return {
      subscription: result.subscription,
      unsubscribe: async () => {
        this.off('push', listener);
        await this.request('unsubscribe', { subscription: result.subscription });
      },
    };
  }

  /** Sends raw text as is (tests use it for malformed input). */
  sendRaw(text: string): void {
    this.transport.send(text);
  }

  close(): void {
    this.transport.close();
  }

  /** @internal Called by the transport for each message line. */
  onLine(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.emit(
        'daemon-error',
        new ApiError('LB_ERR_BAD_JSON', `daemon sent a line that is not JSON: ${text.slice(0, 80)}`),
      );
      return;
    }
    if ('subscription' in message) {
      this.emit('push', message);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (pending === undefined) {
      if (!message.ok) this.emit('daemon-error', toApiError(message.error));
      return;
    }
    this.pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.data);
    else pending.reject(toApiError(message.error));
  }

  /** @internal Called by the transport once. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new ApiError('LB_ERR_INTERNAL', 'the connection closed before the response'));
    }
    this.pending.clear();
    this.emit('close');
  }
}

function toApiError(body: { code: string; message: string; data?: Record<string, unknown> }): ApiError {
  const code = isApiErrorCode(body.code) ? body.code : 'LB_ERR_INTERNAL';
  return new ApiError(code, body.message, body.data === undefined ? {} : { data: body.data });
}

function connectSocket(
  path: string,
  timeoutMs: number,
  requestTimeoutMs: number,
  maxLineBytes: number,
): Promise<LbClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connectUnix(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ApiError('LB_ERR_INTERNAL', `could not connect to ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    const client = newClient(
      { send: (line) => socket.write(line), close: () => socket.end() },
      requestTimeoutMs,
    );
    const decoder = new NdjsonDecoder(maxLineBytes);
    socket.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'line') client.onLine(item.text);
        else socket.destroy();
      }
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => client.onClose());
  });
}

function connectWebSocket(
  url: string,
  token: string,
  timeoutMs: number,
  requestTimeoutMs: number,
): Promise<LbClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: timeoutMs,
    });
    const client = newClient(
      { send: (line) => ws.send(line.endsWith('\n') ? line.slice(0, -1) : line), close: () => ws.close() },
      requestTimeoutMs,
    );
    ws.on('message', (data: WebSocket.RawData) => client.onLine(data.toString()));
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_request, response) => {
      const code = response.statusCode === 401 ? 'LB_ERR_UNAUTHORIZED' : 'LB_ERR_INTERNAL';
      reject(new ApiError(code, `WebSocket upgrade refused: HTTP ${response.statusCode}`));
      ws.terminate();
    });
    ws.on('error', (error) => reject(error));
    ws.on('close', () => client.onClose());
  });
}

// The constructor is private so that every client is connected; this is the one way in.
function newClient(transport: Transport, requestTimeoutMs: number): LbClient {
  return new (LbClient as unknown as new (t: Transport, r: number) => LbClient)(transport, requestTimeoutMs);
}
