import type { PressureLevel } from './advice.js';
import {
  type FullScanMemory,
  formatDestination,
  type PortsPairReport,
  type PortsReport,
  type ServerSample,
} from './ports-report.js';
import { pairKey } from './socket-table.js';
import type { StateCounts } from './tcp-states.js';

/** A pair's pressure level changed: the event the runtime API streams on topic `ports`. */
export interface PortAlert {
  /** Epoch ms. */
  time: number;
  level: PressureLevel;
  previous: PressureLevel;
  /** Source address (`*`: the kernel chooses). */
  source: string;
  /** `host:port` of the server. */
  destination: string;
  /** `backend/server` names using this destination. */
  servers: string[];
  /** Ports taken now (the protocol's `used`). */
  used: number;
  /** Ports usable in all (the protocol's `available`). */
  available: number;
  headroom: number;
  headroomPct: number;
  states: StateCounts;
  connectRate: number;
  exhaustionSeconds: number | null;
  /** Connections of these servers that found no source port, since start. */
  sourcePortFailures: number;
  advice: string[];
}

/** What a full read found that lbd does not count itself, for the scans that skip ESTABLISHED. */
export function rememberFull(
  report: PortsReport,
  servers: readonly ServerSample[],
  liveAfter: ReadonlyMap<string, number>,
): FullScanMemory {
  const foreign = new Map<string, number>();
  const sources = new Map<string, string[]>();
  // lbd's own connections, read before and after the table: connections opening meanwhile are
  // in the table, so the larger count is the one to subtract (else they would look foreign).
  const before = new Map<string, number>();
  for (const s of servers) {
    const destination = formatDestination(s.host, s.port);
    for (const [address, sample] of s.perAddress) before.set(`${address}|${destination}`, sample.live);
    if (s.addresses.length === 0) {
      const key = `kernel|${destination}`;
      before.set(key, (before.get(key) ?? 0) + s.live);
    }
  }
  const live = new Map(liveAfter);
  for (const [key, n] of before) live.set(key, Math.max(live.get(key) ?? 0, n));
  for (const s of servers) {
    const destination = formatDestination(s.host, s.port);
    const pairs = report.pairs.filter((p) => p.destination === destination && p.source !== '*');
    if (s.addresses.length === 0 && pairs.length > 0)
      sources.set(
        `${s.host}|${s.port}`,
        pairs.map((p) => p.source),
      );
    for (const p of pairs) {
      const mine =
        live.get(`${p.source}|${destination}`) ??
        Math.round((live.get(`kernel|${destination}`) ?? 0) / Math.max(1, pairs.length));
      const established = (p.states.ESTABLISHED ?? 0) + (p.states.SYN_SENT ?? 0);
      if (established > mine) foreign.set(pairKey(p.source, s.host, s.port), established - mine);
    }
  }
  return { foreign, sources };
}

/** The alert for a pair whose level changed (or, repeated, stays critical). */
export function toAlert(
  pair: PortsPairReport,
  previous: PressureLevel,
  failures: number,
  now: number,
): PortAlert {
  return {
    time: now,
    level: pair.level,
    previous,
    source: pair.source,
    destination: pair.destination,
    servers: [...pair.servers],
    used: pair.inUse,
    available: pair.usable,
    headroom: pair.headroom,
    headroomPct: pair.headroomPct,
    states: pair.states,
    connectRate: pair.connectRate,
    exhaustionSeconds: pair.exhaustionSeconds,
    sourcePortFailures: failures,
    advice: [...pair.advice],
  };
}
