import { ApiError } from '@lbctl/protocol';
import type { ServerModel } from '../../model/index.js';

/** HAProxy's highest server weight. */
export const MAX_WEIGHT = 256;

/**
 * Messages of a weight that does not parse. HAProxy prints these two without
 * the blank line that ends its other replies; the text dialect keeps that.
 */
export const WEIGHT_GARBAGE_MESSAGES: ReadonlySet<string> = new Set([
  'Empty weight string empty or preceded by garbage',
  'Trailing garbage in weight string',
]);

function bad(message: string): ApiError {
  return new ApiError('LB_ERR_BAD_ARGUMENT', message);
}

/**
 * Balance algorithms whose server order is computed once (HAProxy's static
 * ones): a weight change there can only take a server out (0) or put it back
 * at its configured weight.
 */
function isStatic(algorithm: string, hashType: string | undefined): boolean {
  if (algorithm === 'static-rr') return true;
  return algorithm === 'source' && !(hashType ?? '').includes('consistent');
}

/**
 * Parses a weight as `set weight` and `set server ... weight` take it:
 * absolute (0-256) or a percentage of the configured weight, with HAProxy's
 * error messages for each way it can be wrong.
 */
export function parseWeight(
  text: string | undefined,
  server: ServerModel,
  algorithm: string,
  hashType: string | undefined,
): number {
  if (text === undefined || text === '') throw bad('Require <weight> or <weight%>.');
  const match = /^([+-]?)(\d+)(.*)$/.exec(text);
  if (match === null) throw bad('Empty weight string empty or preceded by garbage');
  const [, sign, digits, rest] = match as unknown as [string, string, string, string];
  const value = Number(digits) * (sign === '-' ? -1 : 1);
  let weight: number;
  if (rest === '%') {
    if (value < 0) throw bad('Relative weight must be positive.');
    weight = Math.min(MAX_WEIGHT, Math.floor((server.initialWeight * value) / 100));
  } else if (rest === '') {
    if (value < 0 || value > MAX_WEIGHT)
      throw bad('Absolute weight can only be between 0 and 256 inclusive.');
    weight = value;
  } else {
    throw bad('Trailing garbage in weight string');
  }
  if (isStatic(algorithm, hashType) && weight !== 0 && weight !== server.initialWeight) {
    throw new ApiError(
      'LB_ERR_STATIC_ALGORITHM',
      "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.",
    );
  }
  return weight;
}
