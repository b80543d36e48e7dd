import { DEFAULT_MAX_LINE_BYTES } from '@lbctl/protocol';

/**
 * The runtime API's limits. Each has a documented default (docs/runtime-api.md)
 * and going past it gives a coded error or a close, never a crash or an
 * unbounded buffer.
 */
export interface ApiLimits {
  /**
   * Longest HAProxy-dialect line, in bytes, LF included; a longer one closes
   * the connection without output, as HAProxy does with its 16 KB buffer.
   * @default 16383
   */
  textLineBytes: number;
  /** Longest JSON-dialect line (or WebSocket message), in bytes. @default 65536 */
  jsonLineBytes: number;
  /** Connections at once per stats socket or WebSocket listener. @default 1024 */
  maxClients: number;
  /** Subscriptions per connection. @default 8 */
  maxSubscriptions: number;
  /**
   * Bytes waiting to be sent to one client. Past it a text or JSON client is
   * no longer read until it catches up, and a subscriber is dropped with
   * `LB_ERR_SLOW_CONSUMER`. @default 1048576
   */
  maxBufferedBytes: number;
  /** How long a dropped slow subscriber gets to read its error before it is cut, in ms. @default 1000 */
  slowConsumerGraceMs: number;
}

/** The defaults of {@link ApiLimits}. */
export const DEFAULT_API_LIMITS: Readonly<ApiLimits> = {
  textLineBytes: 16_383,
  jsonLineBytes: DEFAULT_MAX_LINE_BYTES,
  maxClients: 1024,
  maxSubscriptions: 8,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerGraceMs: 1000,
};
