import type { SourceLocation } from './types.js';

/**
 * Every code a configuration error can carry, with the sentence the docs
 * print for it. Codes are stable: scripts and the console compare `code`,
 * never the message text.
 */
export const CONFIG_ERROR_CODES = {
  LB_ERR_CONFIG_READ: 'A configuration file could not be read (missing, unreadable, a directory).',
  LB_ERR_CONFIG_SYNTAX: 'A line could not be split into words: an unmatched quote or a bad escape.',
  LB_ERR_CONFIG_UNKNOWN_KEYWORD:
    'A keyword lbd does not know, often a typo; the message suggests the nearest one.',
  LB_ERR_CONFIG_OUTSIDE_SECTION:
    'A keyword before the first section header (`global`, `defaults`, `frontend`, `backend`, `listen`).',
  LB_ERR_CONFIG_WRONG_SECTION:
    'A known keyword in a section where it means nothing, such as `bind` in a backend or `server` in a frontend.',
  LB_ERR_CONFIG_MISSING_ARGUMENT: 'A keyword or parameter without the argument it needs.',
  LB_ERR_CONFIG_BAD_VALUE:
    'An argument lbd cannot use: a bad number, duration, address or port, a value out of range, an extra word.',
  LB_ERR_CONFIG_UNSUPPORTED:
    'A HAProxy keyword or value that lbd refuses; the message says why and what to use.',
  LB_ERR_CONFIG_DUPLICATE:
    'Two proxies, servers, ids or listeners that must be unique share a name, id or address.',
  LB_ERR_CONFIG_REFERENCE:
    'A name that points nowhere: a `default_backend` with no such backend, a `from` with no such defaults.',
  LB_ERR_CONFIG_INCOMPLETE:
    'A section or server that lacks something it needs: a frontend without `bind` or `default_backend`, an agent check without port.',
} as const;

/** A stable configuration error code, e.g. `LB_ERR_CONFIG_UNKNOWN_KEYWORD`. */
export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

/** Options of a {@link ConfigError}. */
export interface ConfigErrorOptions {
  /** A suggested replacement, printed as ` (did you mean 'X'?)`. */
  hint?: string;
  /** The underlying error, such as the `fs` error of an unreadable file. */
  cause?: unknown;
}

/**
 * One problem found in the configuration, tied to the line that caused it.
 * The parser collects these rather than throwing them, so that an operator
 * sees every mistake of a file in one `lbd -c` run.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly where: SourceLocation;
  readonly hint?: string;

  constructor(
    code: ConfigErrorCode,
    message: string,
    where: SourceLocation,
    options: ConfigErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.where = where;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}
