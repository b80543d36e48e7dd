/**
 * The ports report of the runtime API (`show ports`, the `show-ports`
 * command and the `ports-report` subscription topic): source-port use per (source
 * address -> server) pair, the kernel settings that limit it, and file
 * descriptors. The daemon's ports monitor produces it; lbctl shows it.
 */

/** The TCP states, as the kernel names them, in the kernel's order (1 to 12). */
export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
] as const;

/** A TCP state as the kernel names it. */
export type TcpStateName = (typeof TCP_STATES)[number];

/** Sockets by state, only the states that have any. */
export type TcpStateCounts = Partial<Record<TcpStateName, number>>;

/** An inclusive port range. */
export interface PortSpan {
  low: number;
  high: number;
}

/**
 * How a pair's source ports are chosen: `managed` (`source ADDR:LOW-HIGH`,
 * lbd picks per server), `kernel-bind` (`source ADDR`, bind before connect:
 * one port serves one server), `kernel-connect` (no `source`).
 */
export type PortMode = 'managed' | 'kernel-bind' | 'kernel-connect';

/** Headroom under 20 % is a warning, under 5 % critical. */
export type PressureLevel = 'ok' | 'warning' | 'critical';

/** How the kernel's socket table was read. */
export type PortsTableReader = 'sock_diag' | 'procfs';

/**
 * The ports report: what `show ports` prints and the subscription stream
 * carries. Plain JSON (no Map, no typed array, no undefined): it crosses the
 * runtime API as is. Counts are sockets or ports; rates per second.
 */
export interface PortsReport {
  /** Epoch ms of the scan. */
  time: number;
  /** Time between scans now, ms (longer than configured when a scan is costly, see `scan.cpuPct`). */
  intervalMs: number;
  scan: {
    reader: PortsTableReader;
    /** Sockets read from the kernel (with sock_diag: those the kernel-side filter let through). */
    sockets: number;
    durationMs: number;
    cpuMs: number;
    /** The monitor's CPU over the last interval, % of one core. */
    cpuPct: number;
  };
  /** The kernel settings that decide the number of ports and how long they stay taken. */
  kernel: {
    ipLocalPortRange: PortSpan;
    ipLocalReservedPorts: PortSpan[];
    /** Ports of ip_local_port_range less the reserved ones. */
    usableEphemeralPorts: number;
    tcpTwReuse: number;
    tcpTwReuseDelayMs: number;
    tcpFinTimeoutS: number;
    tcpMaxTwBuckets: number;
    tcpTimestamps: number;
    /** TIME_WAIT sockets seen (against tcp_max_tw_buckets). */
    timeWait: number;
  };
  /** File descriptors: the sibling of ports. */
  fds: { inUse: number; limit: number; maxsock: number; maxconn: number; headroomPct: number };
  /** Worst level over the pairs. */
  level: PressureLevel;
  pairs: PortsPairReport[];
  sources: PortsSourceReport[];
  servers: PortsServerReport[];
}

/** One (source address -> server address:port) pair. */
export interface PortsPairReport {
  /** Local address the connections leave from; `*` when none was seen and the kernel chooses. */
  source: string;
  /** `host:port` (`[v6]:port`) of the server. */
  destination: string;
  /** `backend/server` names connecting to this destination. */
  servers: string[];
  mode: PortMode;
  /** The ports counted against: the `source` range, else ip_local_port_range. */
  range: PortSpan;
  usable: number;
  /** Ports taken now: sockets of the pair in the range (with `kernel-bind`: every port bound on the address). */
  inUse: number;
  headroom: number;
  /** headroom / usable, in percent (one decimal). */
  headroomPct: number;
  /** The pair's sockets by TCP state (from the kernel table). */
  states: TcpStateCounts;
  /** lbd's own view when it picks the ports: live connections and ports cooling. */
  managed: { live: number; coolingTimeWait: number; coolingRefused: number } | null;
  /** New connections per second over the last interval (lbd's). */
  connectRate: number;
  /** Times the kernel refused a port of this pair (EADDRINUSE, EADDRNOTAVAIL), since start. */
  refusals: number;
  /** Ports the pair will hold at this rate once TIME_WAIT fills: live + rate x 60 s. */
  steadyStateInUse: number;
  /** Seconds until no port is left at the current rate; null when the steady state fits. */
  exhaustionSeconds: number | null;
  level: PressureLevel;
  /** What to do about it, most effective first (empty when ok). */
  advice: string[];
}

/** Totals per source address. */
export interface PortsSourceReport {
  source: string;
  pairs: number;
  /** Sockets from this address toward the watched servers, all states. */
  sockets: number;
  states: TcpStateCounts;
  connectRate: number;
  /** The least headroom of its pairs, %. */
  minHeadroomPct: number;
}

/** One server as the data plane counts it. */
export interface PortsServerReport {
  backend: string;
  server: string;
  destination: string;
  mode: PortMode;
  /** Source addresses configured (empty: the kernel chooses). */
  sources: string[];
  connectRate: number;
  /** Connection attempts that found no source port on any address, since start. */
  sourcePortFailures: number;
}
