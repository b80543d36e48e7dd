/**
 * Numbers and durations as HAProxy writes them. Each parser returns either a
 * value or a reason that the caller turns into a located error, so that one
 * bad value never stops the rest of the file from being checked.
 */

/** A parsed value, or the reason it was refused (a sentence fragment). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; kind?: FailureKind };

/** Refines a failure: a form lbd refuses on purpose, or a part that is missing (default: a bad value). */
export type FailureKind = 'unsupported' | 'missing';

/** The unit assumed for a bare number. */
export type DurationUnit = 'ms' | 's';

const DURATION = /^(\d+)(us|ms|s|m|h|d)?$/;

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The largest duration accepted, in ms. HAProxy keeps timers in a signed
 * 32-bit millisecond count, so a longer one would mean something else there.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** The reason given for any text that is not a duration. */
export const DURATION_EXPECTED = 'expected a duration (a number with an optional unit: us, ms, s, m, h, d)';

/**
 * Parses a duration such as `5s`, `500ms`, `1m`, `2h`, `1d` or `100us` into
 * milliseconds. Microseconds round up, so `100us` is a 1 ms timeout rather
 * than none.
 * @param bareUnit unit of a number without one: ms for timeouts and check intervals, s for `stats refresh`.
 */
export function parseDuration(text: string, bareUnit: DurationUnit = 'ms'): Parsed<number> {
  const m = DURATION.exec(text);
  if (!m) {
    if (/^-\d/.test(text)) return { ok: false, reason: 'a duration cannot be negative' };
    return { ok: false, reason: DURATION_EXPECTED };
  }
  const amount = Number(m[1]);
  const unit = m[2] ?? bareUnit;
  const ms = unit === 'us' ? Math.ceil(amount / 1000) : amount * MS_PER_UNIT[unit]!;
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    return { ok: false, reason: `too long: the maximum is ${MAX_DURATION_MS} ms (about 24.8 days)` };
  }
  return { ok: true, value: ms };
}

/**
 * Parses a non-negative decimal integer within `[min, max]`. HAProxy's own
 * parser stops at the first non-digit; lbd refuses the whole word instead,
 * because `maxconn 10k` silently meaning 10 is a trap.
 */
export function parseInteger(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  if (!/^-?\d+$/.test(text)) return { ok: false, reason: rangeText('expected an integer', min, max) };
  const value = Number(text);
  if (value < 0 && min >= 0) return { ok: false, reason: 'cannot be negative' };
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return { ok: false, reason: rangeText('out of range', min, max) };
  }
  return { ok: true, value };
}

function rangeText(what: string, min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER) return min === 0 ? `${what} (0 or more)` : `${what} (${min} or more)`;
  return `${what} (${min} to ${max})`;
}

/** Parses a UNIX file mode written in octal, as in `stats socket ... mode 600`. */
export function parseOctalMode(text: string): Parsed<number> {
  if (!/^[0-7]{1,4}$/.test(text))
    return { ok: false, reason: 'expected an octal file mode such as 600 or 0660' };
  return { ok: true, value: Number.parseInt(text, 8) };
}
