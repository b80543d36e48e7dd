import type { Lbd, LogRecord } from '../support/lbd.js';

/** The record lbd logs for each health transition (component `health`). */
export interface TransitionRecord extends LogRecord {
  readonly backend: string;
  readonly server: string;
  /** Status strings as `show stat` prints them, e.g. `UP`, `UP 1/3`, `DOWN`, `NOLB`. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly source: 'check' | 'agent' | 'observe' | 'admin';
  readonly checkDurationMs?: number;
}

/** What a transition must match: backend, server, and the new status (exact, or a pattern). */
export interface TransitionMatch {
  readonly backend: string;
  readonly server: string;
  readonly to?: string | RegExp;
}

/** Whether a log record is a health transition matching `match`. */
export function isTransition(record: LogRecord, match: TransitionMatch): record is TransitionRecord {
  if (record.component !== 'health' || record.backend !== match.backend || record.server !== match.server) {
    return false;
  }
  if (typeof record.to !== 'string') return false;
  if (match.to === undefined) return true;
  return typeof match.to === 'string' ? record.to === match.to : match.to.test(record.to);
}

/** Waits for a health transition logged at or after record index `from`. */
export async function waitForTransition(
  lbd: Lbd,
  match: TransitionMatch,
  timeoutMs: number,
  from: number,
): Promise<TransitionRecord> {
  return (await lbd.waitForLog((r) => isTransition(r, match), timeoutMs, from)) as TransitionRecord;
}

/** The transitions of one server logged from record index `from`, as `FROM -> TO` strings. */
export function transitionsOf(lbd: Lbd, match: TransitionMatch, from = 0): string[] {
  return lbd.records
    .slice(from)
    .filter((r): r is TransitionRecord => isTransition(r, match))
    .map((r) => `${r.from} -> ${r.to}`);
}
