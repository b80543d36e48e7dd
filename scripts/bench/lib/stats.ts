/** Folds the repetitions of each workload x path into one table row per metric. */
import type { PathName } from './options.ts';
import type { MetricSpec } from './workload.ts';

export interface RunRecord {
  workload: string;
  path: PathName;
  rep: number;
  startedAt: string;
  seconds: number;
  /** TIME_WAIT sockets when the run started (after the settle): all, and those holding an ephemeral port. */
  timeWaitAtStart: { timeWait: number; onEphemeralPorts: number };
  values?: Record<string, number>;
  details?: Record<string, unknown>;
  error?: string;
}

export type Cell =
  | { kind: 'value'; median: number; min: number; max: number; n: number; failures: string[] }
  | { kind: 'error'; failures: string[] }
  | { kind: 'na'; reason: string };

export interface Row {
  workload: string;
  workloadTitle: string;
  metric: MetricSpec;
  cells: Partial<Record<PathName, Cell>>;
  /** lbd median / other median; undefined when either is missing. */
  lbdVsHaproxy?: number;
  lbdVsDirect?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function cellFor(runs: RunRecord[], metricKey: string): Cell {
  const values = runs.flatMap((run) =>
    run.values?.[metricKey] !== undefined ? [run.values[metricKey]] : [],
  );
  const failures = runs.flatMap((run) => (run.error ? [run.error] : []));
  if (values.length === 0) return { kind: 'error', failures: failures.length ? failures : ['no run'] };
  return {
    kind: 'value',
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
    failures,
  };
}

export function ratio(a: Cell | undefined, b: Cell | undefined): number | undefined {
  if (a?.kind !== 'value' || b?.kind !== 'value' || b.median === 0) return undefined;
  return a.median / b.median;
}
