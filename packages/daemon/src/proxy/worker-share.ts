/**
 * Which of the master's data-plane workers this process is. Limits that
 * are per process in HAProxy's model but per daemon in the configuration
 * (global and frontend `maxconn`, a `source` port range) are cut into
 * `count` shares and this worker keeps share `index`.
 */
export interface WorkerShare {
  readonly index: number;
  readonly count: number;
}

/** This worker's part of `total`: the parts differ by at most one and add up to `total`. */
export function evenPart(total: number, share: WorkerShare): number {
  return (
    Math.floor((total * (share.index + 1)) / share.count) - Math.floor((total * share.index) / share.count)
  );
}

/**
 * This worker's part of a connection limit: its {@link evenPart}, but never
 * 0 (a worker that could admit nobody would hold its clients forever), so a
 * limit smaller than the worker count is exceeded by at most `count - total`.
 */
export function limitShare(total: number, share: WorkerShare): number {
  return Math.max(1, evenPart(total, share));
}

/**
 * This worker's contiguous slice of the port range `low..high`: workers
 * pick ports themselves and must never pick the same one toward the same
 * server, so each owns its own slice.
 */
export function portRangeShare(low: number, high: number, share: WorkerShare): { low: number; high: number } {
  const size = high - low + 1;
  const from = low + Math.floor((size * share.index) / share.count);
  const to = low + Math.floor((size * (share.index + 1)) / share.count) - 1;
  return { low: from, high: Math.max(from, to) };
}
