import { LbError } from '@lbctl/protocol';

/**
 * Codes of the errors lbctl raises itself (the daemon's own codes, such as
 * `LB_ERR_PERMISSION_DENIED`, pass through unchanged). Stable: the CLI maps
 * each one to an exit code in `cli/exit-codes.ts`, and scripts rely on those.
 */
export const LBCTL_ERROR_CODES = {
  LB_ERR_USAGE: 'The command line is wrong: an unknown option, a missing argument, a bad duration or weight.',
  LB_ERR_DAEMON_UNREACHABLE:
    'Nothing answers on the socket or URL (no such file, connection refused, no hello within the timeout).',
  LB_ERR_NO_SUCH_SERVER: 'No server matches the name or pattern.',
  LB_ERR_AMBIGUOUS_SERVER:
    'A bare server name matches servers in several backends; name one as backend/server.',
  LB_ERR_PERMISSION_DENIED: "The socket's level (or the WebSocket token) does not allow the command.",
  LB_ERR_WAIT_TIMEOUT: '`drain --wait` reached `--timeout` with sessions still open.',
  LB_ERR_CHECK_FAILED: '`lbctl check` found a frontend with no usable server.',
  LB_ERR_INTERRUPTED: 'Interrupted (SIGINT, Ctrl-C).',
  LB_ERR_NOT_AVAILABLE:
    'The daemon does not offer what the verb needs (e.g. `ports`, or `reload` on an older lbd).',
  LB_ERR_RELOAD_REFUSED:
    '`lbctl reload`: the configuration has errors (printed as FILE:LINE: message); lbd keeps the running one.',
} as const;

/** A code lbctl raises itself. */
export type LbctlErrorCode = keyof typeof LBCTL_ERROR_CODES;

/** The command line is wrong (exit 2). */
export class UsageError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_USAGE', message, options);
    this.name = 'UsageError';
  }
}

/** The daemon cannot be reached or does not answer `hello` in time (exit 3). */
export class DaemonUnreachableError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_DAEMON_UNREACHABLE', message, options);
    this.name = 'DaemonUnreachableError';
  }
}

/** No server matches a name or pattern (exit 4). */
export class NoSuchServerError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_NO_SUCH_SERVER', message, options);
    this.name = 'NoSuchServerError';
  }
}

/** A bare server name exists in several backends (exit 5). */
export class AmbiguousServerError extends LbError {
  /** The candidates, as `backend/server`. */
  readonly matches: readonly string[];

  constructor(name: string, matches: readonly string[]) {
    super(
      'LB_ERR_AMBIGUOUS_SERVER',
      `server name '${name}' is ambiguous: ${matches.join(', ')} (use backend/server or --backend)`,
    );
    this.name = 'AmbiguousServerError';
    this.matches = matches;
  }
}

/** The connection's level or credentials do not allow the command (exit 6). */
export class PermissionDeniedError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_PERMISSION_DENIED', message, options);
    this.name = 'PermissionDeniedError';
  }
}

/** A wait (`drain --wait`) hit its timeout (exit 7). */
export class WaitTimeoutError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_WAIT_TIMEOUT', message, options);
    this.name = 'WaitTimeoutError';
  }
}

/** `lbctl check` found the daemon unhealthy (exit 1, keepalived's contract). */
export class CheckFailedError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_CHECK_FAILED', message, options);
    this.name = 'CheckFailedError';
  }
}

/** The user interrupted a wait or a stream (exit 130). */
export class InterruptedError extends LbError {
  constructor(message = 'interrupted', options?: { cause?: unknown }) {
    super('LB_ERR_INTERRUPTED', message, options);
    this.name = 'InterruptedError';
  }
}

/** `lbctl reload`: lbd refused the files and runs on with the previous configuration (exit 1). */
export class ReloadRefusedError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_RELOAD_REFUSED', message, options);
    this.name = 'ReloadRefusedError';
  }
}

/** The daemon lacks the command or data a verb needs (exit 1). */
export class NotAvailableError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LB_ERR_NOT_AVAILABLE', message, options);
    this.name = 'NotAvailableError';
  }
}
