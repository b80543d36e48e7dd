import type { PortsPairReport, PortsReport, PortsSourceReport } from '@lbctl/protocol';
import { adviceFor, type PortMode, type PressureLevel, pressureLevel } from './advice.js';
import { type KernelPortSettings, type PortSpan, usablePorts } from './kernel-settings.js';
import { countBound, countInRange, type PairScan, pairKey, type TableScan } from './socket-table.js';
import {
  STATE_SLOTS,
  type StateCounts,
  stateCounts,
  TCP_ESTABLISHED,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from './tcp-states.js';

export type { PortsPairReport, PortsReport, PortsServerReport, PortsSourceReport } from '@lbctl/protocol';

/** What the monitor knows of one server from the data plane. */
export interface ServerSample {
  backend: string;
  server: string;
  host: string;
  port: number;
  mode: PortMode;
  /** The `source` addresses (empty for `kernel-connect`). */
  addresses: readonly string[];
  /** The `source` range (managed mode). */
  range: PortSpan | undefined;
  nolinger: boolean;
  connectRate: number;
  /** lbd's connections to the server now (connecting or connected). */
  live: number;
  sourcePortFailures: number;
  /** Failures since the previous scan. */
  recentFailures: number;
  /** Per source address, lbd's own counts (pickers). */
  perAddress: ReadonlyMap<string, AddressSample>;
}

/** lbd's own counts for one (source address, server). */
export interface AddressSample {
  live: number;
  /** lbd's connections from this address to any server (what a kernel-chosen port after bind() is taken for). */
  addressLive: number;
  coolingTimeWait: number;
  coolingRefused: number;
  connectRate: number;
  refusals: number;
}

/** Everything {@link buildPortsReport} needs. */
export interface ReportInput {
  now: number;
  intervalMs: number;
  cpuPct: number;
  scan: TableScan;
  kernel: KernelPortSettings;
  fds: { inUse: number; limit: number; maxsock: number; maxconn: number };
  servers: readonly ServerSample[];
  /** What the last full read of the table said, for a scan that skipped ESTABLISHED sockets. */
  lastFull?: FullScanMemory;
}

/**
 * Kept from the last scan that read ESTABLISHED sockets: per pair, the
 * established sockets that are not lbd's (another process on the same
 * address), and per server the source addresses the kernel chose.
 */
export interface FullScanMemory {
  foreign: ReadonlyMap<string, number>;
  sources: ReadonlyMap<string, readonly string[]>;
}

/** Linux's TIME_WAIT, the horizon of the projection. */
const TIME_WAIT_S = 60;

/** `host:port`, IPv6 in brackets. */
export function formatDestination(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Builds the report from a table scan and the data plane's counts. Pure: same input, same report. */
export function buildPortsReport(input: ReportInput): PortsReport {
  const { scan, kernel } = input;
  const ephemeral = usablePorts(kernel.ipLocalPortRange, kernel.ipLocalReservedPorts);
  const timeWaitTotal = scan.totals[TCP_TIME_WAIT] ?? 0;
  const pairs = new Map<string, PortsPairReport>();
  for (const server of input.servers) {
    for (const pair of pairsOf(server, scan, input.lastFull)) {
      const destination = formatDestination(server.host, server.port);
      const key = `${pair.source}|${destination}`;
      const name = `${server.backend}/${server.server}`;
      const existing = pairs.get(key);
      if (existing !== undefined) {
        if (!existing.servers.includes(name)) existing.servers.push(name);
        continue;
      }
      const range =
        server.mode === 'managed' && server.range !== undefined ? server.range : kernel.ipLocalPortRange;
      const usable =
        server.mode === 'managed'
          ? range.high - range.low + 1
          : usablePorts(range, kernel.ipLocalReservedPorts);
      const states = new Uint32Array(STATE_SLOTS);
      if (pair.scan !== undefined) states.set(pair.scan.states);
      let inUse = pair.scan === undefined ? 0 : countInRange(pair.scan, range.low, range.high);
      const own = server.perAddress.get(pair.source);
      const lbdLive = own?.live ?? Math.round(pair.share * server.live);
      if (!scan.established) {
        // Not read this time: lbd's own connections (less those still connecting, which were
        // read as SYN_SENT), plus other processes' as the last full read found them.
        const established =
          Math.max(0, lbdLive - states[TCP_SYN_SENT]!) +
          (input.lastFull?.foreign.get(pairKey(pair.source, server.host, server.port)) ?? 0);
        states[TCP_ESTABLISHED] = established;
        inUse += established;
      }
      if (server.mode === 'kernel-bind') {
        const bits = scan.boundPorts.get(pair.source);
        if (bits !== undefined) {
          const bound =
            countBound(bits, range.low, range.high) + (scan.established ? 0 : (own?.addressLive ?? 0));
          inUse = Math.max(inUse, bound);
        }
      }
      const rate = own?.connectRate ?? pair.share * server.connectRate;
      const live = (states[1] ?? 0) + (states[2] ?? 0);
      const headroom = Math.max(0, usable - inUse);
      const headroomPct = usable === 0 ? 0 : round1((100 * headroom) / usable);
      const steadyStateInUse = Math.round(live + rate * TIME_WAIT_S);
      const level = pressureLevel(headroomPct, server.recentFailures);
      const counts = stateCounts(states);
      pairs.set(key, {
        source: pair.source,
        destination,
        servers: [name],
        mode: server.mode,
        range,
        usable,
        inUse,
        headroom,
        headroomPct,
        states: counts,
        managed:
          server.mode === 'managed' && own !== undefined
            ? { live: own.live, coolingTimeWait: own.coolingTimeWait, coolingRefused: own.coolingRefused }
            : null,
        connectRate: round1(rate),
        refusals: own?.refusals ?? 0,
        steadyStateInUse,
        exhaustionSeconds: projectExhaustion(
          headroom,
          usable,
          steadyStateInUse,
          rate,
          states[TCP_TIME_WAIT] ?? 0,
        ),
        level,
        advice:
          level === 'ok'
            ? []
            : adviceFor({
                mode: server.mode,
                source: pair.source,
                destinationHost: server.host,
                range,
                usable,
                inUse,
                states: counts,
                addressCount: server.addresses.length,
                nolinger: server.nolinger,
                kernel,
                timeWaitTotal,
              }),
      });
    }
  }
  const pairList = [...pairs.values()];
  return {
    time: input.now,
    intervalMs: input.intervalMs,
    scan: {
      reader: scan.reader,
      sockets: scan.sockets,
      durationMs: round1(scan.durationMs),
      cpuMs: round1(scan.cpuMs),
      cpuPct: round1(input.cpuPct),
    },
    kernel: {
      ipLocalPortRange: kernel.ipLocalPortRange,
      ipLocalReservedPorts: kernel.ipLocalReservedPorts,
      usableEphemeralPorts: ephemeral,
      tcpTwReuse: kernel.tcpTwReuse,
      tcpTwReuseDelayMs: kernel.tcpTwReuseDelayMs,
      tcpFinTimeoutS: kernel.tcpFinTimeoutS,
      tcpMaxTwBuckets: kernel.tcpMaxTwBuckets,
      tcpTimestamps: kernel.tcpTimestamps,
      timeWait: timeWaitTotal,
    },
    fds: {
      ...input.fds,
      headroomPct:
        input.fds.limit === 0 ? 100 : round1((100 * (input.fds.limit - input.fds.inUse)) / input.fds.limit),
    },
    level: worst(pairList.map((p) => p.level)),
    pairs: pairList,
    sources: sourceTotals(pairList),
    servers: input.servers.map((s) => ({
      backend: s.backend,
      server: s.server,
      destination: formatDestination(s.host, s.port),
      mode: s.mode,
      sources: [...s.addresses],
      connectRate: round1(s.connectRate),
      sourcePortFailures: s.sourcePortFailures,
    })),
  };
}

/**
 * The pairs of a server: one per configured source address, else one per
 * source address seen in the table (`*` when none), with each one's share of
 * the server's sockets to split its rate by.
 */
function pairsOf(
  server: ServerSample,
  scan: TableScan,
  lastFull: FullScanMemory | undefined,
): { source: string; scan: PairScan | undefined; share: number }[] {
  const find = (source: string) => scan.pairs.get(`${source}|${server.host}|${server.port}`);
  if (server.addresses.length > 0) {
    return server.addresses.map((source) => ({
      source,
      scan: find(source),
      share: 1 / server.addresses.length,
    }));
  }
  const seen = [...scan.pairs.values()].filter((p) => p.host === server.host && p.port === server.port);
  if (seen.length === 0) {
    const known = lastFull?.sources.get(`${server.host}|${server.port}`) ?? ['*'];
    return known.map((source) => ({ source, scan: undefined, share: 1 / known.length }));
  }
  const total = seen.reduce((n, p) => n + p.count, 0);
  return seen.map((p) => ({
    source: p.source,
    scan: p,
    share: total === 0 ? 1 / seen.length : p.count / total,
  }));
}

/**
 * Time to exhaustion. At `rate` new connections/s each held port comes back
 * only after its TIME_WAIT (60 s), so the pair settles at live + rate x 60:
 * if that fits, never. Otherwise ports run out at the rate net of the
 * TIME_WAITs expiring (about timeWait/60 per second when they accumulated
 * at a steady rate).
 */
export function projectExhaustion(
  headroom: number,
  usable: number,
  steadyStateInUse: number,
  rate: number,
  timeWait: number,
): number | null {
  if (rate <= 0 || steadyStateInUse <= usable) return null;
  if (headroom === 0) return 0;
  const net = rate - timeWait / TIME_WAIT_S;
  return Math.round(headroom / (net > 0 ? net : rate));
}

function worst(levels: PressureLevel[]): PressureLevel {
  if (levels.includes('critical')) return 'critical';
  return levels.includes('warning') ? 'warning' : 'ok';
}

function sourceTotals(pairs: PortsPairReport[]): PortsSourceReport[] {
  const bySource = new Map<string, PortsSourceReport>();
  for (const p of pairs) {
    let total = bySource.get(p.source);
    if (total === undefined) {
      total = { source: p.source, pairs: 0, sockets: 0, states: {}, connectRate: 0, minHeadroomPct: 100 };
      bySource.set(p.source, total);
    }
    total.pairs++;
    total.connectRate = round1(total.connectRate + p.connectRate);
    total.minHeadroomPct = Math.min(total.minHeadroomPct, p.headroomPct);
    for (const [state, n] of Object.entries(p.states) as [keyof StateCounts, number][]) {
      total.states[state] = (total.states[state] ?? 0) + n;
      total.sockets += n;
    }
  }
  return [...bySource.values()];
}
