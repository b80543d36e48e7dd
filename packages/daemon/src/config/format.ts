import type { ConfigError } from './errors.js';
import type { ConfigNotice } from './types.js';

/**
 * Formats an error the way `haproxy -c` users expect to grep it:
 * `FILE:LINE: message`, plus ` (did you mean 'X'?)` when there is a hint.
 * An error about a whole file (line 0, such as an unreadable file) is
 * `FILE: message`.
 */
export function formatConfigError(e: Pick<ConfigError, 'where' | 'message' | 'hint'>): string {
  const place = e.where.line > 0 ? `${e.where.file}:${e.where.line}` : e.where.file;
  const hint = e.hint === undefined ? '' : ` (did you mean '${e.hint}'?)`;
  return `${place}: ${e.message}${hint}`;
}

/** Formats a notice as `FILE:LINE: notice: message`. */
export function formatConfigNotice(n: ConfigNotice): string {
  return `${n.where.file}:${n.where.line}: notice: ${n.message}`;
}
