import type { EventEmitter } from 'node:events';
import type { ServerConfig, SourceConfig } from '../config/types.js';
import { CheckState } from './check-state.js';

/** Operator-set state, as HAProxy's `set server ... state`. */
export type AdminState = 'ready' | 'drain' | 'maint';

/** Operational state as health checks (or passive health) see it. */
export type HealthState = 'up' | 'down';

/** What changed on a server, for the data plane and the event stream. */
export interface ServerChange {
  server: ServerModel;
  /** `health` covers the soft state too: `from`/`to` are then `up` and `nolb`. */
  field: 'admin' | 'health' | 'weight' | 'address';
  from: string;
  to: string;
  reason: string;
}

/**
 * Control-plane view of one server: the decisions (admin state, health,
 * weight, address) the data plane obeys. It never moves bytes itself.
 */
export class ServerModel {
  readonly name: string;
  readonly id: number;
  readonly backendName: string;
  readonly backup: boolean;
  readonly maxconn: number;
  readonly maxqueue: number;
  readonly sendProxy: 0 | 1 | 2;
  readonly source: SourceConfig | undefined;
  /** Weight from the configuration (HAProxy's `iweight`). */
  readonly initialWeight: number;
  host: string;
  port: number;
  admin: AdminState;
  health: HealthState = 'up';
  /**
   * Soft-down from a check that conditionally passed (HAProxy's NOLB, its
   * "stopping" state, as with `http-check disable-on-404` or lbd's replica
   * lag): the server stays UP, its sessions go on, but it takes no new
   * connections. Separate from `admin`, which stays the operator's.
   */
  softDown = false;
  /** Weight set by the operator (HAProxy's `uweight`). */
  weight: number;
  /** Epoch ms of the last admin or health transition (HAProxy's `lastchg`). */
  lastChange = Date.now();
  /** Health-check results; the checker (control plane) writes them. */
  readonly check: CheckState;

  constructor(
    readonly config: ServerConfig,
    backendName: string,
    private readonly events: EventEmitter,
  ) {
    this.name = config.name;
    this.id = config.id;
    this.backendName = backendName;
    this.backup = config.backup;
    this.maxconn = config.maxconn;
    this.maxqueue = config.maxqueue;
    this.sendProxy = config.sendProxy;
    this.source = config.source;
    this.initialWeight = config.weight;
    this.weight = config.weight;
    this.host = config.host;
    this.port = config.port;
    this.admin = config.disabled ? 'maint' : 'ready';
    this.check = new CheckState(config.check, config.rise, config.fall, config.agent !== undefined);
  }

  /** Takes new connections from the balancer: ready, up (not soft-down) and weighted. */
  get acceptsNewConnections(): boolean {
    return this.admin === 'ready' && this.health === 'up' && !this.softDown && this.weight > 0;
  }

  /**
   * HAProxy's `show stat` status for this server, transitional forms
   * included: `UP 2/3` (UP, health falling: 2 of `fall` failures left),
   * `DOWN 1/2` (DOWN, 1 of `rise` successes seen), `NOLB`, `DRAIN`,
   * `DRAIN (agent)` and `DOWN (agent)` when an agent is configured, `MAINT`,
   * `no check`. A weight of 0 alone still shows `UP`, as HAProxy 2.6 does.
   */
  get status(): string {
    const c = this.check;
    if (this.admin === 'maint') return 'MAINT';
    // The counter is only shown in its own half: `set server ... health` may move
    // the state without it, and `DOWN 4/2` would mean nothing.
    if (this.health === 'down') {
      if (c.agentEnabled && c.agentHealth === 0) return 'DOWN (agent)';
      if (c.enabled && c.health > 0 && c.health < c.rise) return `DOWN ${c.health}/${c.rise}`;
      return 'DOWN';
    }
    const falling = c.enabled && c.health >= c.rise && c.health < c.maxHealth;
    const going = falling ? ` ${c.health - c.rise + 1}/${c.fall}` : '';
    if (this.softDown) return `NOLB${going}`;
    if (this.admin === 'drain') return c.agentEnabled ? 'DRAIN (agent)' : `DRAIN${going}`;
    if (!c.enabled) return 'no check';
    return `UP${going}`;
  }

  setAdmin(to: AdminState, reason: string): void {
    if (to === this.admin) return;
    const from = this.admin;
    this.admin = to;
    this.lastChange = Date.now();
    this.emit({ server: this, field: 'admin', from, to, reason });
  }

  setHealth(to: HealthState, reason: string): void {
    if (to === this.health) return;
    const from = this.health;
    this.health = to;
    this.lastChange = Date.now();
    this.emit({ server: this, field: 'health', from, to, reason });
  }

  /** Enters or leaves the soft-down (NOLB) state; see {@link softDown}. */
  setSoftDown(to: boolean, reason: string): void {
    if (to === this.softDown) return;
    this.softDown = to;
    this.lastChange = Date.now();
    this.emit({ server: this, field: 'health', from: to ? 'up' : 'nolb', to: to ? 'nolb' : 'up', reason });
  }

  setWeight(to: number, reason: string): void {
    if (to === this.weight) return;
    const from = this.weight;
    this.weight = to;
    this.emit({ server: this, field: 'weight', from: String(from), to: String(to), reason });
  }

  setAddress(host: string, port: number, reason: string): void {
    const from = `${this.host}:${this.port}`;
    this.host = host;
    this.port = port;
    this.emit({ server: this, field: 'address', from, to: `${host}:${port}`, reason });
  }

  private emit(change: ServerChange): void {
    this.events.emit('server-change', change);
  }
}
