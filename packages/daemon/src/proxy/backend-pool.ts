import type { BackendModel } from '../model/index.js';
import { type Balancer, createBalancer } from './balancer/index.js';
import { TargetCounters } from './counters.js';
import { type QueueEntry, ServerQueue } from './server-queue.js';
import { ServerRuntime } from './server-runtime.js';

/** Why a backend could not give a connection a server. */
export type Unavailable = 'no-server' | 'queue-full';

/** What asks the pool for a server: a proxied session. */
export interface ServerRequest {
  clientAddress: string;
  /** Server a redispatch moves away from. */
  exclude?: ServerRuntime | undefined;
  onAssigned(server: ServerRuntime, waitedMs: number): void;
  onUnavailable(reason: Unavailable): void;
  /** The queue wait ran out (`timeout queue`). */
  onQueueTimeout(): void;
}

/** Cancels a queued request (the client went away); a no-op once assigned. */
export type CancelWait = () => void;

/**
 * A backend in the data plane: picks servers with its balancer, holds their
 * slots against `maxconn`, and queues connections when every usable server
 * is full. It re-reads the model's decisions when told the model changed.
 */
export class BackendPool {
  readonly counters: TargetCounters;
  readonly servers: ServerRuntime[];
  private readonly balancer: Balancer;
  private readonly queue = new ServerQueue();
  private candidates: ServerRuntime[] = [];
  private readonly queueTimeoutMs: number | undefined;
  /** Guards against re-entering the queue while it is being served. */
  private servingQueue = false;

  /**
   * @param previous the pool this one replaces on a reload: its counters
   * and the runtimes of servers the model kept carry over (live slot
   * counts included, which sessions still running give back).
   */
  constructor(
    readonly model: BackendModel,
    previous?: BackendPool,
  ) {
    this.counters = previous?.counters ?? new TargetCounters();
    this.servers = model.servers.map((server) => {
      const kept = previous?.servers.find((r) => r.model === server);
      if (kept !== undefined) return kept;
      const renewed = previous?.servers.find((r) => r.model.name === server.name);
      return new ServerRuntime(server, renewed?.counters);
    });
    this.balancer = createBalancer(model.algorithm);
    const timeouts = model.config.timeouts;
    // HAProxy waits `timeout connect` in the queue when `timeout queue` is unset.
    this.queueTimeoutMs = timeouts.queue ?? timeouts.connect;
    this.refresh();
  }

  get name(): string {
    return this.model.name;
  }

  /** Connections waiting for a slot now. */
  get queued(): number {
    return this.queue.length;
  }

  /** Servers allowed new connections now: usable actives, else the first usable backup. */
  get usableServers(): readonly ServerRuntime[] {
    return this.candidates;
  }

  /** Re-reads admin state, health and weights, then serves the queue. */
  refresh(): void {
    const usable = this.servers.filter((s) => s.model.acceptsNewConnections);
    const active = usable.filter((s) => !s.model.backup);
    const firstBackup = usable.find((s) => s.model.backup);
    this.candidates = active.length > 0 ? active : firstBackup ? [firstBackup] : [];
    this.serveQueue();
  }

  /** Assigns a server now, queues the request, or reports why neither is possible. */
  acquire(request: ServerRequest): CancelWait | undefined {
    const context = { clientAddress: request.clientAddress, exclude: request.exclude };
    const picked = this.balancer.pick(this.candidates, context);
    if (picked !== undefined && !picked.full) {
      this.assign(picked, request, 0);
      return undefined;
    }
    if (
      this.candidates.length === 0 ||
      (this.candidates.length === 1 && this.candidates[0] === request.exclude)
    ) {
      request.onUnavailable('no-server');
      return undefined;
    }
    const target = this.balancer.sticky ? picked : undefined;
    if (this.queueIsFull(target)) {
      request.onUnavailable('queue-full');
      return undefined;
    }
    return this.enqueue(request, target);
  }

  /** Gives a slot back when a session leaves its server. */
  release(server: ServerRuntime): void {
    server.counters.close();
    if (this.queue.length > 0) this.serveQueue();
  }

  private assign(server: ServerRuntime, request: ServerRequest, waitedMs: number): void {
    const now = Date.now();
    server.counters.open(now);
    server.counters.loadBalanced++;
    this.counters.loadBalanced++;
    request.onAssigned(server, waitedMs);
  }

  private enqueue(request: ServerRequest, target: ServerRuntime | undefined): CancelWait {
    const entry: QueueEntry = {
      clientAddress: request.clientAddress,
      target,
      enqueuedAt: Date.now(),
      timer: undefined,
      onAssigned: (server, waitedMs) => this.assign(server, request, waitedMs),
      onExpired: () => request.onQueueTimeout(),
    };
    this.queue.push(entry);
    this.countQueued(entry, +1);
    if (this.queueTimeoutMs !== undefined) {
      entry.timer = setTimeout(() => {
        if (!this.queue.remove(entry)) return;
        this.countQueued(entry, -1);
        entry.onExpired();
      }, this.queueTimeoutMs);
    }
    return () => {
      if (!this.queue.remove(entry)) return;
      clearTimeout(entry.timer);
      this.countQueued(entry, -1);
    };
  }

  private serveQueue(): void {
    if (this.queue.length === 0 || this.servingQueue) return;
    this.servingQueue = true;
    try {
      this.queue.drain((entry) => {
        const server = this.placeQueued(entry);
        if (server === undefined) return false;
        clearTimeout(entry.timer);
        this.countQueued(entry, -1);
        const waited = Date.now() - entry.enqueuedAt;
        this.counters.queueTime.add(waited);
        server.counters.queueTime.add(waited);
        entry.onAssigned(server, waited);
        return true;
      });
    } finally {
      this.servingQueue = false;
    }
  }

  private placeQueued(entry: QueueEntry): ServerRuntime | undefined {
    if (entry.target !== undefined) {
      return this.candidates.includes(entry.target) && !entry.target.full ? entry.target : undefined;
    }
    return this.balancer.pick(this.candidates, { clientAddress: entry.clientAddress });
  }

  /**
   * A server's `maxqueue` bounds the connections waiting for it; the backend
   * queue is full when every usable server has a bound and the queue holds
   * their sum. 0 means unbounded, as in HAProxy.
   */
  private queueIsFull(target: ServerRuntime | undefined): boolean {
    if (target !== undefined) {
      return target.model.maxqueue > 0 && this.queue.countFor(target) >= target.model.maxqueue;
    }
    let bound = 0;
    for (const server of this.candidates) {
      if (server.model.maxqueue === 0) return false;
      bound += server.model.maxqueue;
    }
    return this.queue.length >= bound;
  }

  private countQueued(entry: QueueEntry, delta: 1 | -1): void {
    const apply = (counters: TargetCounters) => (delta > 0 ? counters.enqueue() : counters.dequeue());
    apply(this.counters);
    if (entry.target !== undefined) apply(entry.target.counters);
  }
}
