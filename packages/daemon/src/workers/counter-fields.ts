import type { SessionCounters } from '../proxy/counters.js';
import type { FrontendCounters, RateCounter, SlidingAverage, TargetCounters } from '../proxy/index.js';

/**
 * How one counter of N workers becomes the daemon's figure:
 * - `sum` adds them up (totals, bytes, current sessions, rates);
 * - `gauge` adds them up too, but is a present value: a worker that is gone
 *   contributes 0, where its totals stay in the sum forever;
 * - `max` takes the highest (maxima, last-session times);
 * - `avg` is the mean weighted by each worker's session total (the timings).
 */
export type Rule = 'sum' | 'gauge' | 'max' | 'avg';

interface Field<C> {
  rule: Rule;
  read(c: C): number;
  /** Writes the aggregate into the master's mirror counter; maxima never go down. */
  write(c: C, value: number): void;
}

function rate(get: (c: SessionCounters) => RateCounter): Field<SessionCounters>[] {
  return [
    { rule: 'gauge', read: (c) => get(c).read(), write: (c, v) => get(c).report(v, 0) },
    { rule: 'max', read: (c) => get(c).max, write: (c, v) => (get(c).max = Math.max(get(c).max, v)) },
  ];
}

function average(get: (c: TargetCounters) => SlidingAverage): Field<TargetCounters>[] {
  return [
    { rule: 'avg', read: (c) => get(c).value, write: (c, v) => get(c).report(v, 0) },
    { rule: 'max', read: (c) => get(c).max, write: (c, v) => (get(c).max = Math.max(get(c).max, v)) },
  ];
}

/** A plain number field of a counters object, summed, or gauged with its `max`. */
function plain<C>(rule: Rule, name: keyof C & string): Field<C> {
  const record = (c: C) => c as unknown as Record<string, number>;
  return {
    rule,
    read: (c) => record(c)[name]!,
    write: (c, v) => {
      // Totals are monotonic: a late or lost report must never show them going back.
      const r = record(c);
      r[name] = rule === 'sum' || rule === 'max' ? Math.max(r[name]!, v) : v;
    },
  };
}

const SESSION_FIELDS: Field<SessionCounters>[] = [
  plain('gauge', 'current'),
  plain('max', 'max'),
  plain('sum', 'total'),
  plain('sum', 'bytesIn'),
  plain('sum', 'bytesOut'),
  plain('max', 'lastSession'),
  ...rate((c) => c.sessionRate),
];

/** Index of `total` in every row: the weight of the `avg` rule. */
export const TOTAL_INDEX = 2;

export const FRONTEND_FIELDS: Field<FrontendCounters>[] = [
  ...SESSION_FIELDS,
  plain('sum', 'connections'),
  ...rate((c) => (c as FrontendCounters).connectionRate),
  plain('sum', 'deniedRequests'),
  plain('sum', 'requestErrors'),
];

export const TARGET_FIELDS: Field<TargetCounters>[] = [
  ...SESSION_FIELDS,
  plain('sum', 'connectErrors'),
  plain('sum', 'responseErrors'),
  plain('sum', 'retries'),
  plain('sum', 'redispatches'),
  plain('sum', 'clientAborts'),
  plain('sum', 'serverAborts'),
  plain('sum', 'loadBalanced'),
  plain('sum', 'connects'),
  plain('sum', 'sourcePortFailures'),
  plain('gauge', 'queued'),
  plain('max', 'queueMax'),
  ...average((c) => c.queueTime),
  ...average((c) => c.connectTime),
  ...average((c) => c.totalTime),
];

/** Reads every field of `counters` into a row. */
export function readRow<C>(fields: readonly Field<C>[], counters: C): number[] {
  return fields.map((field) => field.read(counters));
}

/** Writes an aggregated row into a mirror counters object. */
export function writeRow<C>(fields: readonly Field<C>[], counters: C, row: readonly number[]): void {
  for (let i = 0; i < fields.length; i++) fields[i]!.write(counters, row[i]!);
  // A maximum below the present value would read as nonsense in `show stat`.
  const session = counters as unknown as Partial<TargetCounters> & SessionCounters;
  if (session.max < session.current) session.max = session.current;
  if (session.queued !== undefined && session.queueMax! < session.queued) session.queueMax = session.queued;
}

/**
 * Combines rows of the same object from several workers (and the retired
 * ones) by each field's {@link Rule}.
 */
export function combineRows(
  fields: readonly { rule: Rule }[],
  rows: readonly (readonly number[])[],
): number[] {
  const out = new Array<number>(fields.length).fill(0);
  let weight = 0;
  for (const row of rows) weight += row[TOTAL_INDEX]!;
  for (let i = 0; i < fields.length; i++) {
    const rule = fields[i]!.rule;
    for (const row of rows) {
      const v = row[i]!;
      if (rule === 'max') out[i] = Math.max(out[i]!, v);
      else if (rule === 'avg') out[i]! += weight === 0 ? 0 : (v * row[TOTAL_INDEX]!) / weight;
      else out[i]! += v;
    }
    if (rule === 'avg') out[i] = Math.round(out[i]!);
  }
  return out;
}

/** What a gone worker leaves in the sums: its totals, none of its present values. */
export function retiredRow(fields: readonly { rule: Rule }[], row: readonly number[]): number[] {
  return row.map((v, i) => (fields[i]!.rule === 'gauge' ? 0 : v));
}
