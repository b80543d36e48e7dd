import type { PortPressureEvent } from '@lbctl/protocol';
import type { KernelPortView, PortPair, PortsModel } from './model.js';

/** Port figures of one source/server pair as a report gives them. */
export interface PortPairReport {
  source: string;
  destination: string;
  /** `backend/server` names toward the destination, when the daemon says (else found from the stats rows). */
  servers?: readonly string[] | undefined;
  established?: number | undefined;
  timeWait?: number | undefined;
  other?: number | undefined;
  used: number;
  range: number;
  newPerSec?: number | undefined;
  /**
   * The daemon's projection, which knows TIME_WAIT's 60 s: seconds until no
   * port is left, null when the pair's steady state fits. Left out, the
   * dashboard projects from the recent trend of `used`.
   */
  exhaustionSec?: number | null | undefined;
  level?: 'ok' | 'warning' | 'critical' | undefined;
}

/**
 * What the daemon tells about ports, in the dashboard's terms: a full
 * report (topic `ports-report`, see `ports-from-daemon.ts`) fills every
 * field; a pressure event fills one pair.
 */
export interface PortsUpdate {
  time: number;
  kernel?: KernelPortView | undefined;
  timeWaitTotal?: number | undefined;
  /** Every pair (a snapshot replaces the list) or some (an event updates them). */
  pairs: PortPairReport[];
  /** True when `pairs` is the whole list. */
  complete: boolean;
}

/** How long the exhaustion trend looks back, ms. */
const TREND_WINDOW_MS = 60_000;

/** A pressure event as a one-pair report: the daemon counts ports used and still available. */
export function reportFromPressure(event: PortPressureEvent): PortsUpdate {
  return {
    time: event.time,
    complete: false,
    pairs: [
      {
        source: event.source,
        destination: event.destination,
        used: event.used,
        range: event.used + event.available,
        level: event.level,
      },
    ],
  };
}

/** The level of a pair from its headroom, when the daemon does not say: under 10 % critical, 25 % warning. */
export function headroomLevel(used: number, range: number): 'ok' | 'warning' | 'critical' {
  if (range <= 0) return 'critical';
  const left = (range - used) / range;
  return left < 0.1 ? 'critical' : left < 0.25 ? 'warning' : 'ok';
}

/**
 * Seconds until the pair runs out of ports if `used` keeps its recent
 * slope; undefined when it is flat or falling, or with too short a history.
 */
export function exhaustionSeconds(
  trend: ReadonlyArray<readonly [number, number]>,
  range: number,
): number | undefined {
  if (trend.length < 2) return undefined;
  const [t0, u0] = trend[0]!;
  const [t1, u1] = trend[trend.length - 1]!;
  if (t1 - t0 < 1000) return undefined;
  const slope = ((u1 - u0) * 1000) / (t1 - t0);
  if (slope <= 0) return undefined;
  return Math.max(0, (range - u1) / slope);
}

/**
 * Applies a report to a daemon's port model. `serverOf` maps a destination
 * `ip:port` to `backend/server` (from the stats rows' addresses).
 */
export function applyPortsUpdate(
  model: PortsModel | undefined,
  node: number,
  report: PortsUpdate,
  serverOf: (destination: string) => string | undefined,
): PortsModel {
  const previous = new Map((model?.pairs ?? []).map((p) => [p.key, p]));
  const next = report.complete ? new Map<string, PortPair>() : new Map(previous);
  for (const r of report.pairs) {
    const key = `${node}\u0000${r.source}\u0000${r.destination}`;
    const before = previous.get(key);
    const trend = [...(before?.trend ?? []), [report.time, r.used] as const].filter(
      ([t]) => t >= report.time - TREND_WINDOW_MS,
    );
    const known = serverOf(r.destination);
    const servers = r.servers ?? (known === undefined ? [] : [known]);
    next.set(key, {
      key,
      node,
      source: r.source,
      destination: r.destination,
      server: servers.length === 0 ? undefined : servers.join(','),
      servers,
      established: r.established,
      timeWait: r.timeWait,
      other: r.other,
      used: r.used,
      range: r.range,
      newPerSec: r.newPerSec,
      exhaustionSec:
        r.exhaustionSec === undefined ? exhaustionSeconds(trend, r.range) : (r.exhaustionSec ?? undefined),
      level: r.level ?? headroomLevel(r.used, r.range),
      time: report.time,
      trend,
    });
  }
  return {
    time: report.time,
    kernel: report.kernel ?? model?.kernel,
    timeWaitTotal: report.timeWaitTotal ?? model?.timeWaitTotal,
    pairs: [...next.values()],
  };
}

/** The pair with the least headroom (ports left as a share of its range). */
export function tightestPair(pairs: readonly PortPair[]): PortPair | undefined {
  let best: PortPair | undefined;
  for (const p of pairs) {
    if (best === undefined || headroomShare(p) < headroomShare(best)) best = p;
  }
  return best;
}

/** Ports left as a share (0-1) of the pair's range. */
export function headroomShare(pair: Pick<PortPair, 'used' | 'range'>): number {
  return pair.range <= 0 ? 0 : Math.max(0, (pair.range - pair.used) / pair.range);
}

/** One kernel setting with the reason it limits, if it does. */
export interface KernelSettingView {
  name: string;
  value: string;
  warning: string | undefined;
}

/** Linux's default ephemeral range, 32768-60999. */
const DEFAULT_RANGE_PORTS = 28_232;

/**
 * The kernel settings that decide source-port capacity, each with a warning
 * where it is the limit: a range narrower than Linux's default, TIME_WAIT
 * reuse off (or loopback only with remote servers), a FIN timeout above 60 s,
 * or TIME_WAIT sockets close to `tcp_max_tw_buckets`.
 */
export function kernelSettings(
  kernel: KernelPortView,
  timeWaitTotal: number | undefined,
  destinations: readonly string[],
): KernelSettingView[] {
  const width = kernel.portRange.high - kernel.portRange.low + 1;
  const remote = destinations.some((d) => !d.startsWith('127.') && !d.startsWith('[::1]'));
  return [
    {
      name: 'ip_local_port_range',
      value: `${kernel.portRange.low}-${kernel.portRange.high} (${width} ports)`,
      warning: width < DEFAULT_RANGE_PORTS ? 'narrower than the default 32768-60999: widen it' : undefined,
    },
    {
      name: 'tcp_tw_reuse',
      value: String(kernel.tcpTwReuse),
      warning:
        kernel.tcpTwReuse === 0
          ? 'off: ports in TIME_WAIT are not reused for new connections (set 1)'
          : kernel.tcpTwReuse === 2 && remote
            ? 'loopback only: remote servers get no reuse (set 1)'
            : undefined,
    },
    {
      name: 'tcp_fin_timeout',
      value: `${kernel.tcpFinTimeoutS}s`,
      warning:
        kernel.tcpFinTimeoutS > 60
          ? 'orphaned FIN_WAIT2 sockets hold their ports longer than 60 s'
          : undefined,
    },
    {
      name: 'tcp_max_tw_buckets',
      value: String(kernel.tcpMaxTwBuckets),
      warning:
        timeWaitTotal !== undefined && timeWaitTotal >= kernel.tcpMaxTwBuckets * 0.8
          ? `TIME_WAIT at ${timeWaitTotal}: the kernel drops TIME_WAIT sockets past the limit`
          : undefined,
    },
  ];
}
