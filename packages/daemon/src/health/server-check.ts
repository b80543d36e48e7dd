import type { Logger } from 'pino';
import type { ProxyConfig } from '../config/types.js';
import { type CheckOutcome, outcomeOf, type ServerChange, type ServerModel } from '../model/index.js';
import type { ServerRuntime, TrafficOutcome } from '../proxy/index.js';
import { type CheckSocket, probeConnect } from './check-socket.js';
import { CheckSourceRotation } from './check-source.js';
import { type CheckEndpoint, checkProxyVersion, checkSourceAddresses, probeIo } from './check-target.js';
import type { CheckResult, CheckSpec } from './check-types.js';
import type { HealthEventSource, HealthEvents } from './events.js';
import { DEFAULT_ERROR_LIMIT, PassiveHealth, type PassiveVerdict } from './passive.js';
import { runProbe, verdictOfError } from './probe.js';
import { type AgentOutcome, type AgentReply, runAgentCheck } from './protocols/agent.js';
import type { CheckScheduler, ScheduledRun } from './scheduler.js';
import {
  type CheckTimeouts,
  checkTimeouts,
  countResult,
  currentInterval,
  nextStart,
  spread,
} from './timing.js';
import { reasonOf, recordTransition } from './transition.js';

/** What one server's checker needs from the rest of the daemon. */
export interface ServerCheckDeps {
  server: ServerModel;
  backend: ProxyConfig;
  spec: CheckSpec;
  /** The data plane's side of the server: sessions to shut, traffic to observe. */
  runtime: ServerRuntime | undefined;
  /** The backend's backup servers, for `on-marked-up shutdown-backup-sessions`. */
  backups: () => readonly ServerRuntime[];
  /** `spread-checks` percent. */
  spreadPercent: number;
  events: HealthEvents;
  /** The timer shared by every check. */
  scheduler: CheckScheduler;
  /** See {@link CheckSourceRotation}. @default no address is ever skipped */
  sourceBlockedUntil?: (address: string) => number;
  log: Logger;
}

/**
 * The health of one server: its check loop (`check`), its agent loop
 * (`agent-check`) and its passive observer (`observe`), each on HAProxy's
 * schedule, and the state machine that turns their results into UP, DOWN
 * and NOLB. It changes the server only through the model, whose change
 * events make the data plane re-read the backend.
 */
export class ServerCheck {
  private stopped = true;
  private checkTimer: ScheduledRun | undefined;
  private checkNext = 0;
  private checkRunning = false;
  private agentTimer: ScheduledRun | undefined;
  private agentNext = 0;
  private readonly timeouts: CheckTimeouts;
  private readonly agentTimeouts: CheckTimeouts | undefined;
  private readonly passive: PassiveHealth | undefined;
  /** Each loop goes through every source address in turn. */
  private readonly sources: Record<'check' | 'agent', CheckSourceRotation>;
  private readonly checkEndpoint: CheckEndpoint;
  private readonly agentEndpoint: CheckEndpoint | undefined;

  constructor(private readonly deps: ServerCheckDeps) {
    const { server, backend } = deps;
    const cfg = server.config;
    this.timeouts = checkTimeouts(cfg.inter, backend.timeouts);
    const rotation = () =>
      new CheckSourceRotation(checkSourceAddresses(server, backend), deps.sourceBlockedUntil);
    this.sources = { check: rotation(), agent: rotation() };
    // Host and port are read at each check: `set server addr` may move the server.
    this.checkEndpoint = {
      host: () => cfg.checkAddr ?? server.host,
      port: () => cfg.checkPort ?? server.port,
    };
    const agent = cfg.agent;
    if (agent !== undefined) {
      this.agentTimeouts = checkTimeouts(agent.interMs, backend.timeouts);
      this.agentEndpoint = { host: () => agent.addr ?? server.host, port: () => agent.port };
    }
    if (cfg.observe !== undefined && cfg.check && deps.runtime !== undefined) {
      this.passive = new PassiveHealth(cfg.errorLimit ?? DEFAULT_ERROR_LIMIT, cfg.onError ?? 'fail-check');
    }
  }

  get server(): ServerModel {
    return this.deps.server;
  }

  /** The interval that spaces the first checks of all servers (HAProxy's `srv_getinter` at start). */
  get startInterval(): number {
    return currentInterval(this.server);
  }

  /** Starts the loops, the first check after `checkDelayMs` and the first agent check after `agentDelayMs`. */
  start(checkDelayMs: number, agentDelayMs: number): void {
    this.stopped = false;
    this.server.check.paused = this.server.admin === 'maint';
    const now = performance.now();
    if (this.server.config.check) {
      this.checkNext = now + checkDelayMs;
      this.armCheck();
    }
    if (this.agentEndpoint !== undefined) {
      this.agentNext = now + agentDelayMs;
      this.armAgent();
    }
    const passive = this.passive;
    if (passive !== undefined) {
      // Counting stays synchronous and cheap on the data-plane path; acting waits for the next turn.
      this.deps.runtime!.observer = (outcome: TrafficOutcome) => {
        const verdict = passive.observe(outcome);
        if (verdict === undefined) return;
        setImmediate(() => {
          try {
            this.actOnTraffic(verdict);
          } catch (err) {
            this.survive(err, 'passive health', () => {});
          }
        });
      };
    }
  }

  stop(): void {
    this.stopped = true;
    this.deps.scheduler.cancel(this.checkTimer);
    this.deps.scheduler.cancel(this.agentTimer);
    if (this.passive !== undefined && this.deps.runtime !== undefined) this.deps.runtime.observer = undefined;
  }

  /** Runs the check within `delayMs` (at once by default) unless one is running or due sooner. */
  wake(delayMs = 0): void {
    if (this.stopped || !this.server.config.check || this.checkRunning) return;
    this.checkNext = Math.min(this.checkNext, performance.now() + delayMs);
    this.armCheck();
  }

  /**
   * Follows admin changes made by anyone (operator or agent): leaving
   * maintenance starts the server UP but one failure away from DOWN, with
   * a check at once, as HAProxy does.
   */
  onModelChange(change: ServerChange): void {
    if (change.field !== 'admin' || (change.from === 'maint') === (change.to === 'maint')) return;
    const server = this.server;
    const c = server.check;
    c.paused = change.to === 'maint';
    if (c.paused) return;
    if (c.enabled) c.health = c.rise;
    if (!c.agentEnabled || c.agentHealth > 0) server.setHealth('up', 'left maintenance');
    this.wake();
  }

  private armCheck(): void {
    this.deps.scheduler.cancel(this.checkTimer);
    this.checkTimer = this.deps.scheduler.at(this.checkNext, () => {
      this.runCheck().catch((err: unknown) => this.survive(err, 'check', () => this.scheduleCheck()));
    });
  }

  private armAgent(): void {
    this.deps.scheduler.cancel(this.agentTimer);
    this.agentTimer = this.deps.scheduler.at(this.agentNext, () => {
      this.runAgent().catch((err: unknown) => this.survive(err, 'agent', () => this.scheduleAgent()));
    });
  }

  /**
   * A bug in a check (or in a listener of the model) must not stop the
   * daemon, nor this server's checks: log it and carry on.
   */
  private survive(err: unknown, what: string, reschedule: () => void): void {
    const server = this.server;
    server.check.inProgress = false;
    this.checkRunning = false;
    this.deps.log.error({ err, backend: server.backendName, server: server.name }, `${what} loop failed`);
    reschedule();
  }

  private scheduleCheck(): void {
    if (this.stopped) return;
    const step = spread(currentInterval(this.server), this.deps.spreadPercent);
    this.checkNext = nextStart(this.checkNext, step, performance.now());
    this.armCheck();
  }

  private scheduleAgent(): void {
    if (this.stopped) return;
    const step = spread(this.server.config.agent!.interMs, this.deps.spreadPercent);
    this.agentNext = nextStart(this.agentNext, step, performance.now());
    this.armAgent();
  }

  /** Checks are off for now: disabled by an operator, or the server is in maintenance. */
  private get paused(): boolean {
    return !this.server.check.enabled || this.server.admin === 'maint';
  }

  private serverState(): string {
    const s = this.server;
    return `${s.status}; name=${s.backendName}/${s.name}; weight=${s.weight}`;
  }

  private async runCheck(): Promise<void> {
    const server = this.server;
    const c = server.check;
    // In maintenance or with checks disabled the loop keeps its rhythm but does nothing.
    if (this.stopped || this.paused) {
      this.scheduleCheck();
      return;
    }
    this.checkRunning = true;
    c.inProgress = true;
    const startedAt = performance.now();
    const sockets: CheckSocket[] = [];
    const proxyVersion = checkProxyVersion(server);
    const localAddress = this.sources.check.next();
    const verdict =
      this.deps.spec.kind === 'connect' && proxyVersion === 0
        ? await probeConnect({
            host: this.checkEndpoint.host(),
            port: this.checkEndpoint.port(),
            localAddress,
            connectTimeoutMs: this.timeouts.connectMs,
          })
        : await runProbe(
            this.deps.spec,
            probeIo({
              endpoint: this.checkEndpoint,
              localAddress,
              timeouts: this.timeouts,
              startedAt,
              proxyVersion,
              serverState: () => this.serverState(),
              sockets,
            }),
          );
    for (const socket of sockets) socket.close();
    c.inProgress = false;
    this.checkRunning = false;
    if (this.stopped) return;
    // An operator may have disabled checks or set maintenance while this one ran.
    if (!this.paused) {
      this.applyCheck({ ...verdict, durationMs: Math.round(performance.now() - startedAt) }, 'check');
    }
    this.scheduleCheck();
  }

  /** Records a result and moves the counter; `prepare` adjusts the counter first (passive health's shortcuts). */
  private applyCheck(result: CheckResult, source: HealthEventSource, prepare?: () => void): void {
    const c = this.server.check;
    c.status = result.status;
    c.code = result.code;
    c.lastText = result.text;
    c.durationMs = result.durationMs;
    const outcome = outcomeOf(result.status);
    if (outcome === 'pass') this.passive?.reset();
    const reason = reasonOf(result);
    recordTransition(this.deps, this.server, source, reason, result, () => {
      prepare?.();
      countResult(c, outcome);
      this.settle(outcome, reason);
    });
  }

  /**
   * Derives the operational state from the check and agent counters: DOWN
   * when either holds it down, UP when both allow; then the soft state: a
   * conditional pass makes an UP server NOLB, a full pass clears it.
   */
  private settle(outcome: CheckOutcome, reason: string): void {
    const server = this.server;
    const c = server.check;
    const checkOk = !c.enabled || c.health >= c.rise;
    const agentOk = !c.agentEnabled || c.agentHealth >= c.agentRise;
    if (server.health === 'up' && !(checkOk && agentOk)) {
      // DOWN first: the server must not look usable, even for an instant, while NOLB is cleared.
      server.setHealth('down', reason);
      server.setSoftDown(false, reason);
      if (server.config.onMarkedDown === 'shutdown-sessions') this.shutSessions([this.deps.runtime], reason);
    } else if (server.health === 'down' && checkOk && agentOk) {
      server.setHealth('up', reason);
      if (server.config.onMarkedUp === 'shutdown-backup-sessions' && !server.backup) {
        this.shutSessions(this.deps.backups(), reason);
      }
    }
    if (server.health !== 'up') return;
    if (outcome === 'condpass' && c.health >= c.rise) server.setSoftDown(true, reason);
    else if (outcome === 'pass') server.setSoftDown(false, reason);
  }

  private shutSessions(runtimes: readonly (ServerRuntime | undefined)[], reason: string): void {
    for (const runtime of runtimes) {
      if (runtime === undefined) continue;
      const killed = runtime.killSessions();
      if (killed > 0) {
        this.deps.log.info(
          { backend: this.server.backendName, server: runtime.model.name, sessions: killed, reason },
          'sessions shut down',
        );
      }
    }
  }

  private async runAgent(): Promise<void> {
    const c = this.server.check;
    // The agent keeps running in maintenance: only its own `ready` can bring the server back.
    if (this.stopped || !c.agentEnabled) {
      this.scheduleAgent();
      return;
    }
    const startedAt = performance.now();
    const sockets: CheckSocket[] = [];
    const io = probeIo({
      endpoint: this.agentEndpoint!,
      localAddress: this.sources.agent.next(),
      timeouts: this.agentTimeouts!,
      startedAt,
      proxyVersion: 0,
      serverState: () => this.serverState(),
      sockets,
    });
    let outcome: AgentOutcome;
    try {
      outcome = await runAgentCheck(io, this.server.config.agent!.send);
    } catch (err) {
      outcome = { verdict: verdictOfError(err, false), reply: undefined };
    }
    for (const socket of sockets) socket.close();
    if (this.stopped) return;
    const durationMs = Math.round(performance.now() - startedAt);
    c.agentStatus = outcome.verdict.status;
    c.agentText = outcome.verdict.text;
    c.agentCode = outcome.verdict.code;
    c.agentDurationMs = durationMs;
    if (outcome.reply !== undefined && c.agentEnabled) {
      const { status, text, code } = outcome.verdict;
      const result = status === 'CHECKED' ? undefined : { status, text, code, durationMs };
      this.applyAgent(outcome.reply, result);
    }
    this.scheduleAgent();
  }

  /** Applies what the agent asked for; what it did not mention stays as it is. */
  private applyAgent(reply: AgentReply, result: CheckResult | undefined): void {
    const server = this.server;
    const c = server.check;
    const reason = `agent: ${reply.text}`;
    recordTransition(this.deps, this.server, 'agent', reason, result, () => {
      if (reply.state !== undefined) {
        c.agentHealth = reply.state === 'up' ? c.agentRise + c.agentFall - 1 : 0;
        this.settle('neutral', reason);
      }
      if (reply.admin !== undefined) server.setAdmin(reply.admin, 'agent');
    });
    if (reply.weightPercent !== undefined) {
      const weight = Math.min(256, Math.floor((server.initialWeight * reply.weightPercent) / 100));
      if (weight !== server.weight) {
        this.deps.log.info(
          { backend: server.backendName, server: server.name, from: server.weight, to: weight, reason },
          'server weight changed',
        );
        server.setWeight(weight, 'agent');
      }
    }
  }

  /** `on-error`: fail a check (or two, or all of them at once), and check again soon. */
  private actOnTraffic(verdict: PassiveVerdict): void {
    const server = this.server;
    if (this.stopped || server.admin === 'maint') return;
    const c = server.check;
    c.hanaFailures++;
    if (verdict.action !== 'fastinter') {
      const result = { status: 'HANA' as const, text: verdict.text, durationMs: 0, code: undefined };
      this.applyCheck(result, 'observe', () => {
        // sudden-death leaves one failure before DOWN; mark-down none.
        if (verdict.action === 'sudden-death' && c.health > c.rise) c.health = c.rise + 1;
        if (verdict.action === 'mark-down') c.health = c.rise;
      });
    }
    this.wake(server.config.fastinter);
  }
}
