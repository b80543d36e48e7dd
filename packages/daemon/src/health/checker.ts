import type { Logger } from 'pino';
import type { ConfigError } from '../config/errors.js';
import { formatConfigError } from '../config/format.js';
import type { ProxyConfig } from '../config/types.js';
import type { RuntimeModel, ServerChange, ServerModel } from '../model/index.js';
import type { DataPlane, ServerRuntime } from '../proxy/index.js';
import { HealthEvents } from './events.js';
import { CheckScheduler, tickFor } from './scheduler.js';
import { ServerCheck } from './server-check.js';
import { parseCheckSpec } from './spec/check-spec.js';

/** Options of {@link HealthChecker}. */
export interface HealthCheckerOptions {
  /** Where transitions are published; the runtime API subscribes to it. @default a new HealthEvents */
  events?: HealthEvents;
}

function isDown(server: ServerModel): boolean {
  return server.admin === 'maint' || server.health === 'down';
}

/** Until when the data plane skips `address` for lack of ports (0: usable), read at each check. */
function sourceBlockedUntil(
  dataPlane: DataPlane,
  runtime: ServerRuntime | undefined,
  backend: ProxyConfig,
  address: string,
): number {
  if (runtime === undefined) return 0;
  const slots = dataPlane.sourceFor(runtime, backend.source)?.slots ?? [];
  return slots.find((slot) => slot.address === address)?.blockedUntil ?? 0;
}

/**
 * The control plane's health checking: one {@link ServerCheck} per server
 * that has `check`, `agent-check` or `observe`, the first checks of all
 * servers spread over the shortest interval (so a thousand servers never
 * check in one burst), and the `chkdown`/`downtime` accounting of every
 * server, whoever took it down.
 */
export class HealthChecker {
  readonly events: HealthEvents;
  private readonly checks = new Map<ServerModel, ServerCheck>();
  private readonly wasDown = new Map<ServerModel, boolean>();
  private readonly scheduler = new CheckScheduler();
  private unsubscribe: (() => void) | undefined;

  /** Throws when a backend's check cannot be typed (the configuration checker reports these first). */
  constructor(
    private readonly model: RuntimeModel,
    private readonly dataPlane: DataPlane,
    private readonly log: Logger,
    options: HealthCheckerOptions = {},
  ) {
    this.events = options.events ?? new HealthEvents();
    this.build();
  }

  /**
   * A reload: stops every check, rebuilds them from the model and the data
   * plane as they now are, and starts them. The check history (rise/fall
   * counters, last status, downtime) lives on each server's model, so a
   * server the reload kept goes on from where it was.
   */
  reconfigure(): void {
    const running = this.unsubscribe !== undefined;
    this.stop();
    this.checks.clear();
    this.wasDown.clear();
    this.build();
    if (running) this.start();
  }

  private build(): void {
    const { model, dataPlane, log } = this;
    const errors: ConfigError[] = [];
    const spreadPercent = model.config.global.spreadChecks;
    for (const backend of model.backends.values()) {
      const { spec, errors: specErrors } = parseCheckSpec(backend.config);
      errors.push(...specErrors);
      const pool = dataPlane.pools.get(backend.name);
      const runtimes = pool?.servers ?? [];
      const backups = runtimes.filter((r) => r.model.backup);
      for (const server of backend.servers) {
        this.wasDown.set(server, isDown(server));
        const cfg = server.config;
        if (cfg.observe !== undefined && !cfg.check) {
          log.warn(
            { backend: backend.name, server: server.name },
            "'observe' has no effect without 'check': nothing could bring the server back UP",
          );
        }
        if (!cfg.check && cfg.agent === undefined) continue;
        const runtime = runtimes.find((r) => r.model === server);
        const check = new ServerCheck({
          server,
          backend: backend.config,
          spec,
          runtime,
          backups: () => backups,
          spreadPercent,
          events: this.events,
          scheduler: this.scheduler,
          sourceBlockedUntil: (address) => sourceBlockedUntil(dataPlane, runtime, backend.config, address),
          log,
        });
        this.checks.set(server, check);
      }
    }
    if (errors.length > 0) {
      throw new Error(`health checks: ${errors.map((e) => formatConfigError(e)).join('\n')}`);
    }
  }

  /** Servers whose health is checked (actively or by an agent). */
  get checkedServers(): number {
    return this.checks.size;
  }

  /**
   * Starts every loop. As HAProxy does at start, the n-th of N checks
   * begins n/N of the shortest interval in, so checks are evenly spread
   * from the first second on; `spread-checks` keeps them apart afterwards.
   */
  start(): void {
    // Admin states restored from the state file before the start count from here.
    for (const server of this.wasDown.keys()) {
      const down = isDown(server);
      this.wasDown.set(server, down);
      if (down && server.check.downSince === 0) server.check.downSince = Date.now();
    }
    this.unsubscribe = this.model.onServerChange((change) => this.onChange(change));
    const all = [...this.checks.values()];
    const loops = all.reduce(
      (n, c) => n + (c.server.config.check ? 1 : 0) + (c.server.config.agent ? 1 : 0),
      0,
    );
    const shortest = Math.min(
      ...all.map((c) => c.startInterval),
      ...all.flatMap((c) => (c.server.config.agent ? [c.server.config.agent.interMs] : [])),
    );
    this.scheduler.tickMs = tickFor(shortest);
    let position = 0;
    for (const check of all) {
      const checkDelay = check.server.config.check ? (shortest * position++) / loops : 0;
      const agentDelay = check.server.config.agent ? (shortest * position++) / loops : 0;
      check.start(checkDelay, agentDelay);
    }
    if (all.length > 0) {
      this.log.info(
        { servers: all.length, spreadOverMs: Math.round(shortest), tickMs: this.scheduler.tickMs },
        'health checks started',
      );
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const check of this.checks.values()) check.stop();
    this.scheduler.stop();
  }

  /** Runs a server's check now (e.g. after `enable health`); false when it has no check. */
  checkNow(server: ServerModel): boolean {
    const check = this.checks.get(server);
    if (check === undefined || !server.config.check) return false;
    check.wake();
    return true;
  }

  /** `chkdown` counts every fall out of service (DOWN or MAINT), `downtime` their length. */
  private onChange(change: ServerChange): void {
    const server = change.server;
    this.checks.get(server)?.onModelChange(change);
    const down = isDown(server);
    const was = this.wasDown.get(server) ?? false;
    if (down === was) return;
    this.wasDown.set(server, down);
    const c = server.check;
    const now = Date.now();
    if (down) {
      c.downTransitions++;
      c.downSince = now;
    } else if (c.downSince > 0) {
      c.downtimeMs += now - c.downSince;
      c.downSince = 0;
    }
  }
}
