import type { ServerModel } from '../model/index.js';
import { TargetCounters } from './counters.js';

/**
 * What real traffic says about a server, for passive health (`observe
 * layer4`): a connection that failed, timed out, or was reset by the server
 * during data, or one that connected fine.
 */
export type TrafficOutcome = 'connected' | 'connect-refused' | 'connect-timeout' | 'server-reset';

/** What a live session tells `show sess`. */
export interface SessionDescription {
  /** Client `address:port` (after `accept-proxy`). */
  source: string;
  frontend: string;
  acceptedAt: number;
}

/** A live session on a server, as the control plane sees and may end it. */
export interface KillableSession {
  kill(): void;
  describe(): SessionDescription;
}

/**
 * The data plane's side of a server: its live slot count, counters and
 * sessions, next to the control-plane decisions (model) it obeys.
 */
export class ServerRuntime {
  readonly counters: TargetCounters;
  /** Smooth weighted round-robin accumulator, owned by the balancer. */
  rrCurrent = 0;
  /** Sessions connected or connecting to this server (for `shutdown sessions`). */
  readonly sessions = new Set<KillableSession>();
  /** Set by the control plane to watch traffic outcomes (passive health). */
  observer: ((outcome: TrafficOutcome) => void) | undefined;
  /**
   * Slots this process may fill against the server's `maxconn`: all of them
   * in a single process; in a worker, the share the master leased to it
   * (see workers/slot-broker.ts), so the workers together never exceed it.
   */
  slots: number;
  /** Sessions other workers hold on this server, as last reported: leastconn weighs them too. */
  remoteLoad = 0;
  /** On the master's mirror: ends the server's sessions in the workers, which hold them. */
  remoteKill: (() => number) | undefined;

  /**
   * @param counters the counters of the server this one replaces on a
   * reload (same name, changed settings): totals never go backwards, and
   * its sessions still running count against the server's `maxconn`.
   */
  constructor(
    readonly model: ServerModel,
    counters?: TargetCounters,
  ) {
    this.counters = counters ?? new TargetCounters();
    this.slots = model.maxconn;
  }

  /** At its `maxconn`: new sessions must wait in the queue. */
  get full(): boolean {
    return this.model.maxconn > 0 && this.counters.current >= this.slots;
  }

  /** Ends every session on this server now (termination K); returns how many. */
  killSessions(): number {
    if (this.remoteKill !== undefined) return this.remoteKill();
    const sessions = [...this.sessions];
    for (const session of sessions) session.kill();
    return sessions.length;
  }
}
