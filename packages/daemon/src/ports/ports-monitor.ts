import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { DataPlane } from '../proxy/index.js';
import type { PressureLevel } from './advice.js';
import { DataPlaneSampler } from './data-plane-sample.js';
import { computeFdBudget, countOpenFds, type FdBudget, fdBudgetWarning } from './fd-budget.js';
import { readKernelPortSettings } from './kernel-settings.js';
import { buildPortsReport, type PortsPairReport, type PortsReport } from './ports-report.js';
import type { ScanWatch, TableReader } from './socket-table.js';
import { scanSocketTable } from './table-reader.js';
import type { StateCounts } from './tcp-states.js';

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
}

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
  private reader: TableReader | 'auto';
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
    this.reader = options.reader ?? 'auto';
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
    };
    const [scan, kernel, fdsInUse] = await Promise.all([
      scanSocketTable(watch, this.reader),
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
    });
    // The table read is measured as CPU (ss's and the parsing); the rest of this method is short and synchronous.
    const costMs = scan.cpuMs + (performance.now() - buildStarted);
    report.scan.cpuPct = Math.round((1000 * costMs) / Math.max(elapsedMs, 1)) / 10;
    this.nextDelayMs = Math.max(this.intervalMs, Math.round(costMs / (this.cpuBudgetPct / 100)));
    report.intervalMs = this.nextDelayMs;
    this.last = report;
    this.raiseAlerts(report, now);
    this.emit('report', report);
    if (performance.now() - started > 1000) {
      this.log.debug({ durationMs: performance.now() - started, sockets: scan.sockets }, 'slow ports scan');
    }
    return report;
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
      level: alert.level,
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

function toAlert(pair: PortsPairReport, previous: PressureLevel, failures: number, now: number): PortAlert {
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
