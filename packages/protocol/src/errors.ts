/**
 * Base of every typed error in lbctl. Across package and process boundaries
 * compare `err.code`, never `instanceof`: the code and message are what cross
 * the socket and what the console shows.
 */
export class LbError extends Error {
  /** Stable, documented code such as `LB_ERR_NO_SUCH_SERVER`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LbError';
    this.code = code;
  }
}

/** True when `err` carries the given lbctl error code. */
export function hasErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * Every code the runtime API can answer with (JSON `error.code`) or raise
 * while starting, with the sentence `docs/errors.md` prints for it. Codes are
 * stable: scripts and the console compare `code`, never the message text.
 */
export const API_ERROR_CODES = {
  LB_ERR_BAD_JSON: 'A JSON-dialect line is not valid JSON (or not valid UTF-8). The connection stays usable.',
  LB_ERR_INVALID_MESSAGE:
    'A JSON message does not match the protocol schema (missing `id`, wrong type, unknown field); the message names the first offending path.',
  LB_ERR_UNKNOWN_COMMAND: 'The `cmd` of a JSON request is not one of the commands listed by `hello`.',
  LB_ERR_LINE_TOO_LONG:
    'A JSON line is longer than the line limit (64 KiB by default); the connection is closed, since the rest of the stream cannot be framed reliably.',
  LB_ERR_PERMISSION_DENIED:
    'The command needs a higher level than the connection has (`user` < `operator` < `admin`).',
  LB_ERR_NO_SUCH_BACKEND: 'No backend (or listen section) of that name.',
  LB_ERR_NO_SUCH_SERVER: 'The backend has no server of that name.',
  LB_ERR_NO_SUCH_PROXY: 'No proxy of that name or id (`show stat` filters).',
  LB_ERR_BAD_ARGUMENT:
    'An argument lbd cannot use: a weight out of 0-256, an unknown state, an address that is not an IP, a bad timeout.',
  LB_ERR_NOT_CONFIGURED:
    'The server has no health check or agent check configured, so it cannot be enabled or forced.',
  LB_ERR_STATIC_ALGORITHM:
    "The backend's balance algorithm is static (`static-rr`, map-based `source`): only weights 0% and 100% are accepted.",
  LB_ERR_UNSUPPORTED: 'A HAProxy feature lbd does not have (the message says which).',
  LB_ERR_PROTOCOL_VERSION: '`hello` asked for a protocol version this daemon does not speak.',
  LB_ERR_TOO_MANY_CLIENTS:
    'The socket or WebSocket listener already has its maximum number of clients (1024 by default); the new connection is closed.',
  LB_ERR_TOO_MANY_SUBSCRIPTIONS:
    'The connection already holds its maximum number of subscriptions (8 by default).',
  LB_ERR_NO_SUCH_SUBSCRIPTION: '`unsubscribe` named a subscription this connection does not hold.',
  LB_ERR_SLOW_CONSUMER:
    'The client stopped reading and more than the output limit (1 MiB by default) waits for it; it is sent this error and dropped, so the daemon memory stays bounded.',
  LB_ERR_IDLE_TIMEOUT:
    'Nothing was received for `stats timeout` (10 s by default) on a connection with no subscription; it is closed.',
  LB_ERR_UNAUTHORIZED:
    'A WebSocket upgrade without the right `Authorization: Bearer` token; answered with HTTP 401.',
  LB_ERR_STATE_FILE:
    'The admin-state file could not be written or read; the change is applied in memory but may not survive a restart.',
  LB_ERR_SOCKET_IN_USE:
    'At start, a live daemon already answers on the stats socket path (or the path is not a socket); lbd refuses to replace it.',
  LB_ERR_LISTEN:
    'A runtime-API socket or WebSocket listener could not be opened (permissions, address in use).',
  LB_ERR_INTERNAL: 'An unexpected failure inside the daemon; the message carries the detail.',
} as const;

/** A stable runtime-API error code, e.g. `LB_ERR_NO_SUCH_SERVER`. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

/** Options of an {@link ApiError}. */
export interface ApiErrorOptions {
  cause?: unknown;
  /** Structured detail for JSON clients (e.g. the failing schema path). */
  data?: Readonly<Record<string, unknown>>;
}

/**
 * A runtime-API failure with a documented code. The daemon throws it from the
 * command core; the JSON dialect sends `{code, message}`, the HAProxy dialect
 * prints the message as HAProxy would, and the client rethrows it.
 */
export class ApiError extends LbError {
  declare readonly code: ApiErrorCode;
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.data = options.data;
  }
}

/** True when `code` is one of the documented runtime-API codes. */
export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && Object.hasOwn(API_ERROR_CODES, code);
}
