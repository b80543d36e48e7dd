import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { DataPlane } from '../proxy/index.js';
import type { PressureLevel } from './advice.js';
import { type PortAlert, rememberFull, toAlert } from './alerts.js';
import { DataPlaneSampler } from './data-plane-sample.js';
import { computeFdBudget, countOpenFds, type FdBudget, fdBudgetWarning } from './fd-budget.js';
import { readKernelPortSettings } from './kernel-settings.js';
import {
  buildPortsReport,
  type FullScanMemory,
  formatDestination,
  type PortsReport,
  type ServerSample,
} from './ports-report.js';
import type { ScanWatch, TableReader, TableScan } from './socket-table.js';
import { scanSocketTable } from './table-reader.js';

/** Options of {@link PortsMonitor}. */
export interface PortsMonitorOptions {
  /** Time between scans of the kernel's socket table, ms. @default 5000 */
  intervalMs?: number;
  /**
   * CPU the monitor may use, in % of one core: a scan that costs more
   * (a very large table) pushes the next one out until the average fits.
   * @default 2
   */
  cpuBudgetPct?: number;
  /** How to read the table: sock_diag through `ss`, /proc/net/tcp, or the first that works. @default 'auto' */
  reader?: TableReader | 'auto';
  /** While a pair stays critical with failures, how often the log repeats, ms. @default 60000 */
  repeatLogMs?: number;
  /**
   * How often a scan also reads ESTABLISHED sockets, ms. In between lbd
   * counts its own (exact) and carries over other processes' from the last
   * full read: on a busy proxy that makes a scan several times cheaper.
   * 0 reads them on every scan. @default 60000
   */
  fullScanMs?: number;
  /** Reads the table instead of {@link scanSocketTable} (tests). */
  scanTable?: (watch: ScanWatch) => Promise<TableScan>;
}

/** Events of {@link PortsMonitor}. */
export interface PortsMonitorEvents {
  /** A pair's level changed (warning, critical, or back to ok). */
  alert: [PortAlert];
  /** Every scan's report (the subscription stream's ports data). */
  report: [PortsReport];
}

interface PairMemory {
  level: PressureLevel;
  loggedAt: number;
}

/**
 * The ports monitor (control plane): reads the kernel's TCP socket table on
 * an interval, joins it with the data plane's counters into a
 * {@link PortsReport}, and raises an alert when a (source address, server)
 * pair's headroom crosses 20 % (warning) or 5 % (critical), or connections
 * fail for lack of ports.
 */
export class PortsMonitor extends EventEmitter<PortsMonitorEvents> {
  /** The file-descriptor budget of the configuration (Ulimit-n and Maxsock of `show info`). */
  readonly fdBudget: FdBudget;
  private readonly sampler: DataPlaneSampler;
  private readonly intervalMs: number;
  private readonly cpuBudgetPct: number;
  private readonly repeatLogMs: number;
  private readonly fullScanMs: number;
  private lastFullAt = 0;
  private lastFull: FullScanMemory | undefined;
  private reader: TableReader | 'auto';
  private readonly scanTable: ((watch: ScanWatch) => Promise<TableScan>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PortsReport> | undefined;
  private last: PortsReport | undefined;
  private lastScanAt = 0;
  private nextDelayMs: number;
  private readonly pairs = new Map<string, PairMemory>();
  private stopped = true;

  constructor(
    config: Config,
    dataPlane: DataPlane,
    private readonly log: Logger,
    options: PortsMonitorOptions = {},
  ) {
    super();
    this.intervalMs = options.intervalMs ?? 5000;
    this.cpuBudgetPct = options.cpuBudgetPct ?? 2;
    this.repeatLogMs = options.repeatLogMs ?? 60_000;
    this.fullScanMs = options.fullScanMs ?? 60_000;
    this.reader = options.reader ?? 'auto';
    this.scanTable = options.scanTable;
    this.nextDelayMs = this.intervalMs;
    this.sampler = new DataPlaneSampler(dataPlane);
    this.fdBudget = computeFdBudget(config);
  }

  /** The latest report, if a scan has run. */
  get lastReport(): PortsReport | undefined {
    return this.last;
  }

  /** Warns if maxconn cannot fit the open-files limit, then scans now and on the interval. */
  start(): void {
    const warning = fdBudgetWarning(this.fdBudget);
    if (warning !== undefined) {
      this.log.warn(
        { ulimitN: this.fdBudget.ulimitN, maxsock: this.fdBudget.maxsock, maxconn: this.fdBudget.maxconn },
        warning,
      );
    }
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * A report no older than `maxAgeMs` (for `show ports`): the last one, or a
   * new scan (shared with one already running).
   */
  async current(maxAgeMs = this.intervalMs): Promise<PortsReport> {
    if (this.last !== undefined && Date.now() - this.last.time <= maxAgeMs) return this.last;
    return this.scanNow();
  }

  /** Scans now; concurrent callers share one scan. */
  scanNow(): Promise<PortsReport> {
    this.running ??= this.scan().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.scanNow().then(
        () => this.schedule(this.nextDelayMs),
        (error: unknown) => {
          this.log.warn({ err: error }, 'ports scan failed');
          this.schedule(this.nextDelayMs);
        },
      );
    }, delayMs);
    // The monitor never keeps lbd alive on its own.
    this.timer.unref();
  }

  private async scan(): Promise<PortsReport> {
    const started = performance.now();
    const now = Date.now();
    const servers = this.sampler.sample(now);
    const watch: ScanWatch = {
      destinations: servers.map((s) => ({ host: s.host, port: s.port })),
      // With the kernel's choice after bind(), every port bound on the address counts.
      sources: [...new Set(servers.filter((s) => s.mode === 'kernel-bind').flatMap((s) => s.addresses))],
      skipEstablished: this.fullScanMs > 0 && now - this.lastFullAt < this.fullScanMs,
    };
    const [scan, kernel, fdsInUse] = await Promise.all([
      this.scanTable?.(watch) ?? scanSocketTable(watch, this.reader),
      readKernelPortSettings(),
      countOpenFds(),
    ]);
    if (this.reader === 'auto') this.reader = scan.reader;
    const elapsedMs = this.lastScanAt === 0 ? this.intervalMs : now - this.lastScanAt;
    this.lastScanAt = now;
    const buildStarted = performance.now();
    const report = buildPortsReport({
      now,
      intervalMs: this.nextDelayMs,
      cpuPct: 0,
      scan,
      kernel,
      fds: {
        inUse: fdsInUse,
        limit: this.fdBudget.ulimitN,
        maxsock: this.fdBudget.maxsock,
        maxconn: this.fdBudget.maxconn,
      },
      servers,
      lastFull: this.lastFull,
    });
    if (scan.established) {
      this.sampler.avoidKernelTuples(scan, now);
      this.lastFullAt = now;
      this.lastFull = rememberFull(report, servers, this.sampler.liveCounts());
    }
    // The table read is measured as CPU (ss's and the parsing); the rest of this method is short and synchronous.
    const costMs = scan.cpuMs + (performance.now() - buildStarted);
    report.scan.cpuPct = Math.round((1000 * costMs) / Math.max(elapsedMs, 1)) / 10;
    this.nextDelayMs = Math.max(this.intervalMs, Math.round(costMs / (this.cpuBudgetPct / 100)));
    report.intervalMs = this.nextDelayMs;
    this.last = report;
    this.logFailures(report, servers);
    this.raiseAlerts(report, now);
    this.log.debug(
      {
        pairs: report.pairs.map((p) => ({
          source: p.source,
          destination: p.destination,
          inUse: p.inUse,
          usable: p.usable,
          states: p.states,
          level: p.level,
        })),
        sources: report.sources,
        sockets: scan.sockets,
        established: scan.established,
        cpuMs: report.scan.cpuMs,
      },
      'ports scan',
    );
    this.emit('report', report);
    if (performance.now() - started > 1000) {
      this.log.debug({ durationMs: performance.now() - started, sockets: scan.sockets }, 'slow ports scan');
    }
    return report;
  }

  /** Connections that found no source port since the last scan: one line per server, with advice. */
  private logFailures(report: PortsReport, servers: readonly ServerSample[]): void {
    for (const s of servers) {
      if (s.recentFailures <= 0) continue;
      const destination = formatDestination(s.host, s.port);
      const pair = report.pairs.find(
        (p) => p.destination === destination && p.servers.includes(`${s.backend}/${s.server}`),
      );
      this.log.error(
        {
          backend: s.backend,
          server: s.server,
          destination,
          sources: s.addresses,
          failures: s.recentFailures,
          sourcePortFailures: s.sourcePortFailures,
          advice: pair?.advice ?? [],
        },
        `${s.recentFailures} connections to ${s.backend}/${s.server} found no free source port ` +
          `(${s.sourcePortFailures} since start); each was moved to another server or its client closed` +
          (pair !== undefined && pair.advice.length > 0 ? `; ${pair.advice[0]}` : ''),
      );
    }
  }

  private raiseAlerts(report: PortsReport, now: number): void {
    const failuresByServer = new Map(
      report.servers.map((s) => [`${s.backend}/${s.server}`, s.sourcePortFailures]),
    );
    for (const pair of report.pairs) {
      const key = `${pair.source}|${pair.destination}`;
      const memory = this.pairs.get(key) ?? { level: 'ok', loggedAt: 0 };
      const failures = pair.servers.reduce((n, name) => n + (failuresByServer.get(name) ?? 0), 0);
      if (pair.level !== memory.level) {
        const alert = toAlert(pair, memory.level, failures, now);
        this.logAlert(alert);
        this.pairs.set(key, { level: pair.level, loggedAt: now });
        this.emit('alert', alert);
      } else if (pair.level === 'critical' && now - memory.loggedAt >= this.repeatLogMs) {
        // Still critical: say so again, with the failures counted since, but raise no new event.
        this.logAlert(toAlert(pair, memory.level, failures, now));
        memory.loggedAt = now;
      }
    }
  }

  private logAlert(alert: PortAlert): void {
    const fields = {
      pressure: alert.level,
      source: alert.source,
      destination: alert.destination,
      servers: alert.servers,
      used: alert.used,
      available: alert.available,
      headroomPct: alert.headroomPct,
      states: alert.states,
      connectRate: alert.connectRate,
      exhaustionSeconds: alert.exhaustionSeconds,
      sourcePortFailures: alert.sourcePortFailures,
      advice: alert.advice,
    };
    const where = `${alert.source} -> ${alert.destination}`;
    if (alert.level === 'ok') {
      this.log.info(fields, `source ports ok again: ${where}, ${alert.headroomPct}% headroom`);
      return;
    }
    const message =
      `source ports ${alert.level === 'critical' ? 'nearly or fully exhausted' : 'running low'}: ` +
      `${where}, ${alert.used}/${alert.available} in use (${alert.headroomPct}% headroom)` +
      (alert.sourcePortFailures > 0
        ? `, ${alert.sourcePortFailures} connections failed for lack of a port`
        : '') +
      (alert.advice.length > 0 ? `; ${alert.advice[0]}` : '');
    if (alert.level === 'critical') this.log.error(fields, message);
    else this.log.warn(fields, message);
  }
}
