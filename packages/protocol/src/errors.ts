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
