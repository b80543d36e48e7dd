import { unlink, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { EventBus, RuntimeApi } from '../api/index.js';
import type { Config } from '../config/types.js';
import { HealthChecker } from '../health/index.js';
import { AdminStateFile } from '../model/admin-state-file.js';
import { RuntimeModel } from '../model/index.js';
import {
  coolingPolicyFor,
  type PortAlert,
  PortsMonitor,
  readKernelPortSettingsSync,
} from '../ports/index.js';
import { DataPlane } from '../proxy/index.js';
import { type WorkerEvent, WorkerPool } from '../workers/worker-pool.js';
import { applyConfig } from './apply-config.js';
import { Reloader, type ReloadOutcome } from './reload.js';
import { SdNotifier } from './sd-notify.js';
import { statusLine } from './status-line.js';

/** What the daemon needs from its process to reload and to report to systemd. */
export interface DaemonLifecycleOptions {
  /** The `-f` files, re-read by {@link Daemon.reload}. @default config.files */
  configPaths?: readonly string[];
  /** @default a notifier from NOTIFY_SOCKET (a no-op without it) */
  notifier?: SdNotifier;
}

/** How long a graceful stop waits for sessions when `hard-stop-after` is unset. */
const DEFAULT_STOP_GRACE_MS = 30_000;

/**
 * One running lbd: the control plane (model, runtime API) and the data
 * plane built from one configuration.
 */
export class Daemon {
  readonly model: RuntimeModel;
  readonly dataPlane: DataPlane;
  /** Health checks; its `events` feed the runtime API's event stream. */
  readonly health: HealthChecker;
  /** Source-port and descriptor accounting; its alerts and reports feed the runtime API. */
  readonly ports: PortsMonitor;
  /**
   * The event stream of the runtime API's `subscribe`. A source plugs in
   * with one line in the constructor: `source.subscribe((e) => this.events.publish(...))`.
   */
  readonly events = new EventBus();
  private readonly api: RuntimeApi;
  private readonly stateFile: AdminStateFile | undefined;
  private readonly startedAt = Date.now();
  private readonly reloader: Reloader;
  /** The data-plane workers when `nbthread` > 1; {@link dataPlane} is then their aggregate. */
  readonly workers: WorkerPool | undefined;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    lifecycle: DaemonLifecycleOptions = {},
  ) {
    this.model = new RuntimeModel(config);
    const workerCount = config.global.nbthread;
    this.dataPlane = new DataPlane(this.model, log, {
      cooling: coolingPolicyFor(readKernelPortSettingsSync()),
      role: workerCount > 1 ? { kind: 'mirror' } : { kind: 'standalone' },
    });
    this.workers =
      workerCount > 1
        ? new WorkerPool({
            count: workerCount,
            model: this.model,
            mirror: this.dataPlane,
            log,
            logLevel: log.level,
            onEvent: (event) => this.onWorkerEvent(event),
          })
        : undefined;
    this.ports = new PortsMonitor(config, this.dataPlane, log.child({ component: 'ports' }));
    // Pressure alerts stream on topic `ports` with the fields the protocol publishes.
    this.ports.on('alert', (a: PortAlert) =>
      this.events.publish({
        topic: 'ports',
        time: a.time,
        source: a.source,
        destination: a.destination,
        used: a.used,
        available: a.available,
        level: a.level,
      }),
    );
    // Each scan's whole report streams on its own topic, so `ports` subscribers keep only the alerts.
    this.ports.on('report', (report) => this.events.publish({ topic: 'ports-report', ...report }));
    this.health = new HealthChecker(this.model, this.dataPlane, log.child({ component: 'health' }));
    this.health.events.subscribe((event) => this.events.publish({ topic: 'check', ...event }));
    const adminStateFile = config.global.adminStateFile;
    this.stateFile =
      adminStateFile === undefined
        ? undefined
        : new AdminStateFile(adminStateFile, log.child({ component: 'admin-state' }));
    this.api = new RuntimeApi({
      config,
      model: this.model,
      dataPlane: this.dataPlane,
      log: log.child({ component: 'api' }),
      startedAt: this.startedAt,
      events: this.events,
      stateFile: this.stateFile,
      reload: (trigger) => this.reload(trigger),
      portsReport: () => this.ports.current(),
      fdLimits: this.ports.fdBudget,
      workerSessions: this.workers === undefined ? undefined : () => this.workers!.sessions(),
      refreshCounters: this.workers === undefined ? undefined : () => this.workers!.refreshCounters(),
    });
    this.reloader = new Reloader({
      paths: lifecycle.configPaths ?? config.files,
      apply: (next) =>
        applyConfig(
          {
            model: this.model,
            dataPlane: this.dataPlane,
            health: this.health,
            api: this.api,
            stateFile: this.stateFile,
            log: log.child({ component: 'reload' }),
            workers: this.workers,
          },
          next,
        ),
      publish: (event) => this.events.publish(event),
      notifier: lifecycle.notifier ?? new SdNotifier({ log }),
      status: () => statusLine(this.model, this.dataPlane),
      log: log.child({ component: 'reload' }),
    });
  }

  /** Re-reads the `-f` files and applies them if valid; see {@link Reloader}. */
  reload(trigger: string): Promise<ReloadOutcome> {
    return this.reloader.reload(trigger);
  }

  async start(): Promise<void> {
    const lifecycle = this.log.child({ component: 'lifecycle' });
    for (const notice of this.config.notices) {
      lifecycle.info(
        { file: notice.where.file, line: notice.where.line },
        `config notice: ${notice.message}`,
      );
    }
    // Operators' changes apply before the first connection is accepted and the first check runs.
    await this.stateFile?.restore(this.model);
    if (this.workers !== undefined) await this.workers.start();
    else await this.dataPlane.start();
    this.health.start();
    this.ports.start();
    await this.api.start();
    const pidfile = this.config.global.pidfile;
    if (pidfile !== undefined) await writeFile(pidfile, `${process.pid}\n`);
    const listeners = this.dataPlane.listeners.map((l) => ({
      frontend: l.name,
      // The mirror binds nothing itself: its workers accept on the configured addresses.
      addresses: this.workers === undefined ? l.boundAddresses : l.bindKeys,
    }));
    const backends = [...this.model.backends.values()].map((b) => ({
      backend: b.name,
      servers: b.servers.length,
    }));
    const workers = this.workers?.workerCount ?? 0;
    lifecycle.info({ listeners, backends, workers, files: this.config.files }, 'lbd ready');
  }

  /**
   * Graceful stop: no new connections; running sessions may finish within
   * `hard-stop-after` (else 30 s), then the process ends with what is left.
   */
  async stop(): Promise<void> {
    const lifecycle = this.log.child({ component: 'lifecycle' });
    const active = this.dataPlane.admission.active;
    lifecycle.info({ active }, 'stopping: no new connections');
    this.api.markStopping();
    this.health.stop();
    this.ports.stop();
    await this.dataPlane.stopAccepting();
    await this.api.stop();
    const graceMs = this.config.global.hardStopAfterMs ?? DEFAULT_STOP_GRACE_MS;
    if (this.workers !== undefined) await this.workers.stop(graceMs);
    const deadline = Date.now() + graceMs;
    while (this.dataPlane.admission.active > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pidfile = this.config.global.pidfile;
    if (pidfile !== undefined) await unlink(pidfile).catch(() => undefined);
    const abandoned = this.dataPlane.admission.active + (this.workers?.abandoned ?? 0);
    lifecycle.info({ abandoned }, 'lbd stopped');
  }

  private onWorkerEvent(event: WorkerEvent): void {
    this.events.publish({ topic: 'worker', time: Date.now(), ...event });
  }
}
