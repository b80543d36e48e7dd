import {
  ApiError,
  type ApiErrorCode,
  type CommandName,
  type ErrorResponse,
  isApiErrorCode,
  isCommandName,
  NdjsonDecoder,
  PROTOCOL_SCHEMA,
  parseJsonLine,
  REQUEST_SCHEMA,
  type RequestId,
  type Topic,
  validateSchema,
} from '@lbctl/protocol';
import { authorize } from '../commands/lookup.js';
import type { ApiContext, Caller } from '../context.js';
import { JSON_HANDLERS, type JsonSessionControl } from './json-commands.js';
import type { Subscriber, SubscriptionHub } from './subscription-hub.js';
import type { JsonTransport } from './transport.js';

/** Requests read ahead before input is paused until they have run. */
const MAX_QUEUED_REQUESTS = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readId(message: unknown): RequestId | null {
  const id = (message as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && id.length <= 128) return id;
  return typeof id === 'number' && Number.isInteger(id) ? id : null;
}

/**
 * One connection speaking the JSON protocol, over a stats socket (NDJSON)
 * or a WebSocket (one message per frame). Every incoming message is checked
 * against the protocol schema; a bad one gets a coded error and the
 * connection stays usable, except a line over the limit, after which the
 * stream cannot be framed and is closed. Requests run in order.
 */
export class JsonSession implements JsonSessionControl, Subscriber {
  private readonly decoder: NdjsonDecoder;
  private readonly queue: string[] = [];
  private busy = false;
  private closed = false;
  private peerEnded = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs: number;

  constructor(
    private readonly ctx: ApiContext,
    private readonly hub: SubscriptionHub,
    private readonly transportImpl: JsonTransport,
    readonly caller: Caller,
  ) {
    this.decoder = new NdjsonDecoder(ctx.limits.jsonLineBytes);
    this.idleMs = ctx.config.global.statsTimeoutMs;
    this.armIdle();
  }

  get transport(): 'unix' | 'ws' {
    return this.transportImpl.kind;
  }

  get seesSensitive(): boolean {
    return this.caller.level !== 'user';
  }

  /** Stream bytes (stats socket). */
  onBytes(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'line') this.enqueue(item.text);
      else if (item.kind === 'invalid-utf8')
        this.sendError(null, 'LB_ERR_BAD_JSON', 'the line is not valid UTF-8');
      else {
        this.sendError(
          null,
          'LB_ERR_LINE_TOO_LONG',
          `a line exceeded ${this.ctx.limits.jsonLineBytes} bytes`,
        );
        this.close();
        return;
      }
    }
  }

  /** One WebSocket message (ws already enforced the size limit). */
  onMessage(data: Buffer): void {
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      this.sendError(null, 'LB_ERR_BAD_JSON', 'the message is not valid UTF-8');
      return;
    }
    this.enqueue(text);
  }

  /**
   * The client half-closed: answer what it sent, then end, unless it holds
   * subscriptions (a `socat` with its input closed still reads pushes).
   */
  onPeerEnded(): void {
    this.peerEnded = true;
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.peerEnded && !this.busy && this.queue.length === 0 && this.hub.count(this) === 0) this.close();
  }

  /** The connection is gone: drop its subscriptions and timers. */
  onClosed(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.hub.removeAll(this);
  }

  subscribe(topics: Topic[], intervalMs: number): number {
    if (this.hub.count(this) >= this.ctx.limits.maxSubscriptions) {
      throw new ApiError(
        'LB_ERR_TOO_MANY_SUBSCRIPTIONS',
        `at most ${this.ctx.limits.maxSubscriptions} subscriptions per connection`,
      );
    }
    clearTimeout(this.idleTimer);
    return this.hub.add(this, topics, intervalMs);
  }

  unsubscribe(id: number): void {
    if (!this.hub.remove(this, id))
      throw new ApiError('LB_ERR_NO_SUCH_SUBSCRIPTION', `no subscription ${id} on this connection`);
    this.armIdle();
  }

  setIdleTimeout(ms: number): void {
    this.idleMs = ms;
    this.armIdle();
  }

  push(subscription: number, topic: Topic, data: Buffer): boolean {
    if (this.closed) return false;
    if (this.transportImpl.bufferedBytes > this.ctx.limits.maxBufferedBytes) {
      this.dropSlowConsumer();
      return false;
    }
    this.transportImpl.sendShared(`{"subscription":${subscription},"topic":"${topic}","data":`, data, '}');
    return true;
  }

  private dropSlowConsumer(): void {
    this.ctx.log.warn(
      { transport: this.transport, socket: this.caller.source.socket },
      'slow subscriber dropped',
    );
    this.sendError(
      null,
      'LB_ERR_SLOW_CONSUMER',
      `more than ${this.ctx.limits.maxBufferedBytes} bytes waited unread`,
    );
    this.hub.removeAll(this);
    this.close();
    // It does not read, so the orderly end may never flush: cut it after a grace period.
    setTimeout(() => this.transportImpl.destroy(), this.ctx.limits.slowConsumerGraceMs).unref();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.transportImpl.end();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.closed || this.hub.count(this) > 0) return;
    this.idleTimer = setTimeout(() => {
      this.sendError(null, 'LB_ERR_IDLE_TIMEOUT', `nothing received for ${this.idleMs} ms`);
      this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private enqueue(text: string): void {
    if (this.closed) return;
    this.armIdle();
    this.queue.push(text);
    if (this.queue.length >= MAX_QUEUED_REQUESTS) this.transportImpl.pauseInput();
    this.runPump();
  }

  /** Runs the queue; an unexpected failure ends this connection, never the daemon. */
  private runPump(): void {
    this.pump().catch((error: unknown) => {
      this.ctx.log.error({ err: error }, 'runtime API connection failed');
      this.transportImpl.destroy();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        if (this.transportImpl.bufferedBytes > this.ctx.limits.maxBufferedBytes) {
          // The client does not read its answers: stop reading its questions until it does.
          this.transportImpl.pauseInput();
          await this.transportImpl.waitForDrain();
        }
        await this.handle(this.queue.shift()!);
      }
    } finally {
      this.busy = false;
      if (!this.closed) this.transportImpl.resumeInput();
      this.endIfDone();
    }
  }

  private async handle(text: string): Promise<void> {
    let message: unknown;
    try {
      message = parseJsonLine(text);
    } catch (error) {
      this.sendError(null, 'LB_ERR_BAD_JSON', (error as Error).message);
      return;
    }
    const id = readId(message);
    const cmd = (message as { cmd?: unknown } | null)?.cmd;
    if (typeof message === 'object' && message !== null && typeof cmd === 'string' && !isCommandName(cmd)) {
      this.sendError(id, 'LB_ERR_UNKNOWN_COMMAND', `unknown command '${cmd.slice(0, 64)}'`);
      return;
    }
    const violation = validateSchema(REQUEST_SCHEMA, message, PROTOCOL_SCHEMA);
    if (violation !== undefined) {
      this.sendError(id, 'LB_ERR_INVALID_MESSAGE', `${violation.path}: ${violation.message}`, {
        path: violation.path,
      });
      return;
    }
    const request = message as { id: RequestId; cmd: CommandName; args?: Record<string, unknown> };
    try {
      authorize(this.caller, request.cmd);
      await this.ctx.refreshCounters?.();
      const handler = JSON_HANDLERS[request.cmd] as (
        c: ApiContext,
        s: JsonSessionControl,
        a: unknown,
      ) => unknown;
      const data = await handler(this.ctx, this, request.args ?? {});
      if (!this.closed) this.transportImpl.send(JSON.stringify({ id: request.id, ok: true, data }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (isApiErrorCode(code)) {
        const data = (error as { data?: Record<string, unknown> }).data;
        this.sendError(request.id, code, (error as Error).message, data);
      } else {
        this.ctx.log.error({ err: error, cmd: request.cmd }, 'runtime API command failed');
        this.sendError(request.id, 'LB_ERR_INTERNAL', (error as Error).message ?? 'internal error');
      }
    }
  }

  private sendError(
    id: RequestId | null,
    code: ApiErrorCode,
    message: string,
    data?: Record<string, unknown>,
  ): void {
    const response: ErrorResponse = {
      id,
      ok: false,
      error: data === undefined ? { code, message } : { code, message, data },
    };
    this.transportImpl.send(JSON.stringify(response));
  }
}
