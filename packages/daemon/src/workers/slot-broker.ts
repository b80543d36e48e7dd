import { evenPart, type WorkerShare } from '../proxy/worker-share.js';

/**
 * Server `maxconn` across workers, arbitrated by the master.
 *
 * The trade-off: asking the master for every connection would put an IPC
 * round trip on the data path of every session. Fixed quotas (maxconn / N
 * per worker) would cost nothing but waste slots: a client queued in one
 * worker would wait while another worker's share sits idle, and a maxconn
 * below the worker count would leave some workers no slot at all. So the
 * master leases slots: each worker starts with a fair share and fills it
 * without asking anyone; a worker whose queue has clients asks for more;
 * the master grants from the slots nobody holds, or asks the other workers
 * to give back slots they are not using (they do at once, or as their
 * sessions end) and passes them on in the order the requests came. The sum
 * of the leases never exceeds maxconn, so the limit is exact; only a
 * contended server pays the round trips, and FIFO holds within a worker
 * and between the requests of different workers, not client by client.
 */
export class SlotBroker {
  private readonly servers = new Map<string, ServerSlots>();

  constructor(private readonly send: SlotMessenger) {}

  /** Sets each limited server's `maxconn` (start and reload); unlimited ones are not tracked. */
  configure(limits: ReadonlyMap<string, number>): void {
    for (const [key, maxconn] of limits) {
      let slots = this.servers.get(key);
      if (slots === undefined) {
        slots = { maxconn, leases: new Map(), waiting: [], reclaiming: false };
        this.servers.set(key, slots);
      }
      slots.maxconn = maxconn;
    }
  }

  /**
   * A worker joins (`share` of `count`): the initial lease of each server,
   * its fair part of maxconn as far as free slots allow.
   */
  join(worker: number, share: WorkerShare): Record<string, number> {
    const initial: Record<string, number> = {};
    for (const [key, slots] of this.servers) {
      const granted = Math.min(evenPart(slots.maxconn, share), this.free(slots));
      slots.leases.set(worker, granted);
      initial[key] = granted;
    }
    return initial;
  }

  /** A worker is gone: its leases return, and waiting workers get them. */
  leave(worker: number): void {
    for (const [key, slots] of this.servers) {
      slots.leases.delete(worker);
      slots.waiting = slots.waiting.filter((w) => w.worker !== worker);
      this.serveWaiting(key, slots);
    }
  }

  /** `worker` has `count` clients queued for a full server. */
  need(worker: number, key: string, count: number): void {
    const slots = this.servers.get(key);
    if (slots === undefined || count <= 0) return;
    const waiting = slots.waiting.find((w) => w.worker === worker);
    if (waiting !== undefined) waiting.count = count;
    else slots.waiting.push({ worker, count });
    this.serveWaiting(key, slots);
    const short = slots.waiting.reduce((sum, w) => sum + w.count, 0);
    if (short === 0) return;
    slots.reclaiming = true;
    for (const [other, lease] of slots.leases) {
      if (other !== worker && lease > 0) this.send.reclaim(other, key, short);
    }
  }

  /** `worker` gave back `count` slots. */
  release(worker: number, key: string, count: number): void {
    const slots = this.servers.get(key);
    if (slots === undefined) return;
    slots.leases.set(worker, Math.max(0, (slots.leases.get(worker) ?? 0) - count));
    this.serveWaiting(key, slots);
  }

  /** Slots leased to `worker` now, for tests and `show` output. */
  leaseOf(worker: number, key: string): number {
    return this.servers.get(key)?.leases.get(worker) ?? 0;
  }

  private free(slots: ServerSlots): number {
    let leased = 0;
    for (const lease of slots.leases.values()) leased += lease;
    return Math.max(0, slots.maxconn - leased);
  }

  private serveWaiting(key: string, slots: ServerSlots): void {
    let free = this.free(slots);
    while (free > 0 && slots.waiting.length > 0) {
      const first = slots.waiting[0]!;
      const granted = Math.min(free, first.count);
      free -= granted;
      first.count -= granted;
      slots.leases.set(first.worker, (slots.leases.get(first.worker) ?? 0) + granted);
      this.send.grant(first.worker, key, granted);
      if (first.count === 0) slots.waiting.shift();
    }
    if (slots.waiting.length === 0 && slots.reclaiming) {
      // Nobody waits any more: workers stop giving back slots as their sessions end.
      slots.reclaiming = false;
      for (const other of slots.leases.keys()) this.send.reclaim(other, key, 0);
    }
  }
}

/** How the broker reaches the workers. */
export interface SlotMessenger {
  grant(worker: number, key: string, count: number): void;
  reclaim(worker: number, key: string, count: number): void;
}

interface ServerSlots {
  maxconn: number;
  leases: Map<number, number>;
  waiting: Array<{ worker: number; count: number }>;
  /** Reclaim requests are out: cancel them once nobody waits. */
  reclaiming: boolean;
}
