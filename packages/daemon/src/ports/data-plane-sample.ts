import type { DataPlane, ServerRuntime } from '../proxy/index.js';
import type { SourcePair } from '../proxy/source-address.js';
import { type AddressSample, formatDestination, type ServerSample } from './ports-report.js';
import { pairKey, type TableScan } from './socket-table.js';

/**
 * Reads the data plane's counters for the ports report and turns totals
 * into per-second rates between two calls. It only reads: the data plane
 * keeps plain counters on its hot path and never waits for the monitor.
 */
export class DataPlaneSampler {
  private lastAt = 0;
  private readonly serverTotals = new WeakMap<ServerRuntime, { total: number; failures: number }>();
  private readonly pairOpened = new WeakMap<SourcePair, number>();

  constructor(private readonly dataPlane: DataPlane) {}

  /**
   * Passes the tuples a full scan found toward servers whose ports lbd picks
   * to their pickers, so a port held by someone else (a TIME_WAIT left by
   * the previous lbd, another process) is not handed out before it cools.
   */
  avoidKernelTuples(scan: TableScan, now: number): void {
    for (const pool of this.dataPlane.pools.values()) {
      for (const server of pool.servers) {
        const picker = this.dataPlane.sourceFor(server, pool.model.config.source);
        if (picker?.managed !== true) continue;
        const { host, port } = server.model;
        for (const address of picker.source.addresses) {
          const pair = scan.pairs.get(pairKey(address, host, port));
          if (pair === undefined) continue;
          const tuples = { ports: pair.localPorts, states: pair.localStates, count: pair.count };
          picker.avoid(address, host, port, tuples, now);
        }
      }
    }
  }

  /**
   * lbd's live connections now, by `address|destination` (pairs lbd knows)
   * and `kernel|destination` (servers without `source`), without touching
   * the rates {@link sample} keeps.
   */
  liveCounts(): Map<string, number> {
    const live = new Map<string, number>();
    for (const pool of this.dataPlane.pools.values()) {
      for (const server of pool.servers) {
        const picker = this.dataPlane.sourceFor(server, pool.model.config.source);
        const { host, port } = server.model;
        const destination = formatDestination(host, port);
        if (picker === undefined) {
          const key = `kernel|${destination}`;
          live.set(key, (live.get(key) ?? 0) + server.counters.current);
          continue;
        }
        for (const pair of picker.pairsToward(host, port) ?? []) {
          const key = `${pair.slot.address}|${destination}`;
          live.set(key, (live.get(key) ?? 0) + pair.live);
        }
      }
    }
    return live;
  }

  /** One sample per server of every backend; rates are over the time since the previous call. */
  sample(now: number): ServerSample[] {
    const seconds = this.lastAt === 0 ? 0 : (now - this.lastAt) / 1000;
    this.lastAt = now;
    const rate = (delta: number) => (seconds > 0 ? Math.max(0, delta) / seconds : 0);
    const out: ServerSample[] = [];
    for (const pool of this.dataPlane.pools.values()) {
      const backendConfig = pool.model.config;
      for (const server of pool.servers) {
        const picker = this.dataPlane.sourceFor(server, backendConfig.source);
        const { host, port } = server.model;
        const counters = server.counters;
        const before = this.serverTotals.get(server);
        this.serverTotals.set(server, { total: counters.total, failures: counters.sourcePortFailures });
        const perAddress = new Map<string, AddressSample>();
        for (const pair of picker?.pairsToward(host, port) ?? []) {
          const opened = this.pairOpened.get(pair);
          this.pairOpened.set(pair, pair.opened);
          perAddress.set(pair.slot.address, {
            live: pair.live,
            addressLive: pair.slot.live,
            coolingTimeWait: pair.ring?.coolingTimeWait ?? 0,
            coolingRefused: pair.ring?.coolingRefused ?? 0,
            connectRate: opened === undefined ? 0 : rate(pair.opened - opened),
            refusals: pair.refusals,
          });
        }
        out.push({
          backend: pool.name,
          server: server.model.name,
          host,
          port,
          mode: picker === undefined ? 'kernel-connect' : picker.managed ? 'managed' : 'kernel-bind',
          addresses: picker?.source.addresses ?? [],
          range: picker?.source.portRange,
          nolinger: backendConfig.options.nolinger,
          connectRate: before === undefined ? 0 : rate(counters.total - before.total),
          live: counters.current,
          sourcePortFailures: counters.sourcePortFailures,
          recentFailures:
            before === undefined
              ? counters.sourcePortFailures
              : counters.sourcePortFailures - before.failures,
          perAddress,
        });
      }
    }
    return out;
  }
}
