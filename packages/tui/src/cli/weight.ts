import { UsageError } from '../errors.js';

/** A weight as `set-weight` takes it: 0-256, or a percentage of the initial weight. */
export type WeightArg = number | `${number}%`;

/**
 * Parses `50` (absolute, 0-256, as HAProxy) or `50%` (of the server's
 * initial weight). Throws {@link UsageError} otherwise.
 */
export function parseWeight(text: string): WeightArg {
  const percent = /^(\d{1,6})%$/.exec(text);
  if (percent !== null) return `${Number(percent[1])}%`;
  if (/^\d{1,3}$/.test(text) && Number(text) <= 256) return Number(text);
  throw new UsageError(`weight must be 0-256 or a percentage such as 50%, got '${text}'`);
}
