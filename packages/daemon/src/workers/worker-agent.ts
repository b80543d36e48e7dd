import type { RuntimeModel } from '../model/index.js';
import type { DataPlane, ServerRuntime, TrafficOutcome } from '../proxy/index.js';
import { describeSessions } from '../proxy/session-list.js';
import { type CounterSnapshot, deltaOf, isEmptyDelta, snapshotOf } from './counter-snapshot.js';
import { type MasterMessage, serverKey, type WorkerMessage } from './messages.js';
import { applyState } from './server-state.js';

/** How often a worker reports counters and settles its slot leases. */
export const WORKER_TICK_MS = 50;
/** How often a worker repeats an unchanged request for slots. */
const NEED_REPEAT_MS = 500;

/**
 * A worker's side of the IPC, around its data plane: obeys the master's
 * decisions, reports counters, keeps its `maxconn` slot leases (see
 * slot-broker.ts) and stops when told. Process concerns (the IPC channel,
 * exit) stay in worker-main.ts, so this runs in a test without a child.
 */
export class WorkerAgent {
  private reported: CounterSnapshot | undefined;
  /** Slots the master asked back that were all in use then: given back as sessions end. */
  private readonly owed = new Map<string, number>();
  private readonly runtimes = new Map<string, ServerRuntime>();
  /** The last `need` sent per server, see {@link askForSlots}. */
  private readonly lastNeed = new Map<string, { count: number; at: number }>();
  private stopDeadline: number | undefined;
  private finished = false;

  constructor(
    private readonly model: RuntimeModel,
    private readonly dataPlane: DataPlane,
    /** Sends to the master; `then` runs once the message is handed to the channel. */
    private readonly send: (message: WorkerMessage, then?: () => void) => void,
    private readonly exit: () => void,
    /** Keeps this worker's `show sess` ids apart from the other workers'. */
    private readonly idBase = 0x10000,
  ) {
    for (const pool of dataPlane.pools.values()) {
      for (const runtime of pool.servers) {
        const key = serverKey(pool.name, runtime.model.name);
        this.runtimes.set(key, runtime);
        if (runtime.model.config.observe !== undefined) runtime.observer = this.forwarder(key);
      }
    }
  }

  /** The initial leases; servers without `maxconn` have no limit to lease. */
  lease(slots: Record<string, number>): void {
    for (const [key, runtime] of this.runtimes) {
      if (runtime.model.maxconn > 0) runtime.slots = slots[key] ?? 0;
    }
  }

  handle(message: MasterMessage): void {
    switch (message.type) {
      case 'server':
        applyState(this.model, message.state);
        return;
      case 'grant': {
        const runtime = this.runtimes.get(message.key);
        if (runtime === undefined) return;
        runtime.slots += message.count;
        this.dataPlane.pools.get(runtime.model.backendName)?.refresh();
        return;
      }
      case 'reclaim':
        if (message.count === 0) this.owed.delete(message.key);
        else this.owed.set(message.key, message.count);
        this.settle(message.key);
        return;
      case 'loads':
        this.applyLoads(message.current);
        return;
      case 'kill-sessions':
        this.runtimes.get(message.key)?.killSessions();
        return;
      case 'flush':
        this.report(false);
        this.send({ type: 'flushed', id: message.id });
        return;
      case 'list-sessions':
        this.send({
          type: 'sessions',
          id: message.id,
          sessions: describeSessions(this.dataPlane.pools.values(), this.idBase),
        });
        return;
      case 'stop':
        this.stop(message.graceMs);
        return;
      default:
        return;
    }
  }

  /** Periodic work: counters up, slots settled, stop finished. */
  tick(now = Date.now()): void {
    if (this.finished) return;
    this.report(false);
    for (const [key, runtime] of this.runtimes) {
      if (runtime.model.maxconn === 0) continue;
      this.settle(key);
      const pool = this.dataPlane.pools.get(runtime.model.backendName)!;
      if (
        this.stopDeadline === undefined &&
        pool.queued > 0 &&
        runtime.full &&
        runtime.model.acceptsNewConnections
      ) {
        this.askForSlots(key, pool.queued, now);
      }
    }
    const stopping = this.stopDeadline !== undefined;
    if (stopping && (this.dataPlane.admission.active === 0 || now >= this.stopDeadline!)) this.finish();
  }

  /**
   * Tells the master how many slots this worker's queue wants. Once per
   * change of that number, or again after {@link NEED_REPEAT_MS}: while a
   * server stays saturated everywhere, every worker repeating it each tick
   * would cost the master a reclaim round to every other worker each time.
   */
  private askForSlots(key: string, count: number, now: number): void {
    const last = this.lastNeed.get(key);
    if (last !== undefined && last.count === count && now - last.at < NEED_REPEAT_MS) return;
    this.lastNeed.set(key, { count, at: now });
    this.send({ type: 'need', key, count });
  }

  /** Stops accepting; sessions go on until they end or `graceMs` passes. */
  stop(graceMs: number): void {
    if (this.stopDeadline !== undefined) return;
    this.stopDeadline = Date.now() + graceMs;
    void this.dataPlane.stopAccepting();
  }

  private finish(): void {
    this.finished = true;
    // The final counters must reach the master before the process goes.
    this.report(true, this.exit);
  }

  private report(final: boolean, then?: () => void): void {
    const snapshot = snapshotOf(this.dataPlane);
    const delta = deltaOf(this.reported, snapshot);
    if (final || !isEmptyDelta(delta, this.reported?.active))
      this.send({ type: 'counters', delta, final }, then);
    this.reported = snapshot;
  }

  /**
   * Gives back slots not in use and not wanted by this worker's own queue:
   * those the master asked for, or all of them once this worker stops.
   */
  private settle(key: string): void {
    const runtime = this.runtimes.get(key);
    if (runtime === undefined || runtime.model.maxconn === 0) return;
    const pool = this.dataPlane.pools.get(runtime.model.backendName);
    const stopping = this.stopDeadline !== undefined;
    const wanted = stopping ? Number.POSITIVE_INFINITY : (this.owed.get(key) ?? 0);
    if (wanted === 0 || (!stopping && (pool?.queued ?? 0) > 0)) return;
    const spare = runtime.slots - runtime.counters.current;
    const count = Math.min(wanted, spare);
    if (count <= 0) return;
    runtime.slots -= count;
    if (!stopping) this.owed.set(key, wanted - count);
    // The master must see these sessions gone before it grants their slots to another worker:
    // otherwise the sum of the reports counts a slot twice (show stat scur/smax above maxconn).
    this.report(false);
    this.send({ type: 'release', key, count });
  }

  private applyLoads(current: Record<string, number>): void {
    const own = this.reported?.servers;
    for (const [key, runtime] of this.runtimes) {
      const mine = own?.[key]?.[0] ?? 0;
      runtime.remoteLoad = Math.max(0, (current[key] ?? 0) - mine);
    }
  }

  /**
   * Passive health counts errors in a row, so the master must see every
   * error and the success that ends a run, but not each of the successes
   * between (one IPC message per connection would cost more than the proxying).
   */
  private forwarder(key: string): (outcome: TrafficOutcome) => void {
    let last: TrafficOutcome = 'connected';
    return (outcome) => {
      if (outcome === 'connected' && last === 'connected') return;
      last = outcome;
      this.send({ type: 'outcome', key, outcome });
    };
  }
}
