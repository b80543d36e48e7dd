import { UsageError } from '../errors.js';

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses an operator's duration: `500ms`, `5s`, `2m`, `1h`, combinations
 * such as `1m30s`, or a bare number of seconds (`30`), as HAProxy's
 * timeouts read in scripts. Throws {@link UsageError} for anything else.
 */
export function parseDuration(text: string, option = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (match === null) break;
    total += Number(match[1]) * UNITS_MS[match[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed === '' || at !== trimmed.length) {
    throw new UsageError(`${option}: '${text}' is not a duration (e.g. 500ms, 5s, 2m, 1m30s)`);
  }
  return Math.round(total);
}

/** A short human duration: `850ms`, `4.2s`, `3m05s`, `2h10m`, `3d4h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}
