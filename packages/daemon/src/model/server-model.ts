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
    this.check = new CheckState(config.check, config.rise, config.fall);
  }

  /** Takes new connections from the balancer: ready, up and weighted. */
  get acceptsNewConnections(): boolean {
    return this.admin === 'ready' && this.health === 'up' && this.weight > 0;
  }

  /** HAProxy's `show stat` status word for this server. */
  get status(): string {
    if (this.admin === 'maint') return 'MAINT';
    if (this.config.check && this.health === 'down') return 'DOWN';
    if (this.admin === 'drain') return 'DRAIN';
    if (!this.config.check) return 'no check';
    return this.weight > 0 ? 'UP' : 'NOLB';
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
