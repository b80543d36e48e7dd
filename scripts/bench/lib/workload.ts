/** What every workload module provides, and what it gets for one run. */
import type { Backends } from './backends.ts';
import type { BackendName, ListenName } from './haproxy-config.ts';
import type { BenchOptions, PathName, WorkloadId } from './options.ts';
import type { OpenPath } from './paths.ts';

export interface MetricSpec {
  key: string;
  /** Shown in the table's Metric column, e.g. "throughput (Gbit/s)". */
  label: string;
  better: 'higher' | 'lower';
  /** Decimal places in the table. */
  digits: number;
}

export interface RunContext {
  options: BenchOptions;
  path: OpenPath;
  /** Where the load connects for this workload on this path. */
  port: number;
  backends: Backends;
  log: (message: string) => void;
}

export interface RunOutput {
  /** One number per MetricSpec key. */
  values: Record<string, number>;
  /** Raw facts kept in the JSON (error counts, connection counts...). */
  details?: Record<string, unknown>;
}

export interface Workload {
  id: WorkloadId;
  /** Shown in the table's Workload column. */
  title: (options: BenchOptions) => string;
  listen: ListenName;
  backend: BackendName;
  metrics: MetricSpec[];
  /** A reason when this workload means nothing on a path (memory of a proxy on the direct path). */
  notApplicable?: (path: PathName) => string | undefined;
  /** Rough wall time of one run, for the plan printed at the start. */
  estimateSeconds: (options: BenchOptions) => number;
  run: (context: RunContext) => Promise<RunOutput>;
}
