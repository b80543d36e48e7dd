import type { SessionInfo } from '@lbctl/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { RuntimeModel } from '../model/index.js';
import type { DataPlane } from '../proxy/index.js';
import { CounterAggregate } from './counter-snapshot.js';
import { ListenSockets } from './listen-sockets.js';
import { type MasterMessage, serverKey, type WorkerMessage } from './messages.js';
import { stateOf, statesOf } from './server-state.js';
import { SlotBroker } from './slot-broker.js';
import { WorkerProcess } from './worker-process.js';

/** How long a new worker may take to listen before a start or reload gives up on it. */
const READY_TIMEOUT_MS = 15_000;
/** A worker that dies sooner than this after its start is respawned only after this delay. */
const CRASH_LOOP_MS = 1000;
/** How long a runtime-API command waits for the workers' latest counters; a slow worker's last report is used. */
const FLUSH_TIMEOUT_MS = 250;
/** How long `show sess` waits for a worker's list; a worker that does not answer is left out. */
const SESSIONS_TIMEOUT_MS = 1000;

/** Something that happened to a worker, for the log and the event stream. */
export interface WorkerEvent {
  worker: number;
  pid: number | undefined;
  what: 'died' | 'replaced';
  detail: string;
}

export interface WorkerPoolOptions {
  count: number;
  model: RuntimeModel;
  /** The master's data plane, which never listens: the pool writes the workers' counters into it. */
  mirror: DataPlane;
  log: Logger;
  logLevel: string;
  onEvent(event: WorkerEvent): void;
}

/**
 * The master's data-plane workers (`nbthread N`): N processes that accept on
 * the master's SO_REUSEPORT sockets (see {@link ListenSockets}) and proxy.
 * The control plane stays here: the model's decisions are pushed to the
 * workers as they change, their counters come back every few tens of
 * milliseconds and are summed into the mirror data plane, server `maxconn`
 * is leased out by the {@link SlotBroker}. A reload starts a new generation
 * on the same sockets and lets the old one finish its sessions; a worker
 * that dies is replaced at once on its slot.
 */
export class WorkerPool {
  /** Sessions the workers still held when a graceful stop ended them (hard-stop-after). */
  abandoned = 0;
  private readonly sockets: ListenSockets;
  private readonly aggregate = new CounterAggregate();
  private readonly broker: SlotBroker;
  /** The current generation, by slot index. */
  private serving: WorkerProcess[] = [];
  private readonly live = new Map<number, WorkerProcess>();
  private config: Config;
  private nextId = 1;
  private stopping = false;
  private mirrorDirty = false;
  private nextRequest = 1;
  /** Questions to workers waiting for their answer, by request id. */
  private readonly answers = new Map<number, (answer: unknown) => void>();
  private flushing: Promise<void> | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: WorkerPoolOptions) {
    this.config = options.model.config;
    this.sockets = new ListenSockets(options.count);
    this.broker = new SlotBroker({
      grant: (id, key, count) => this.live.get(id)?.send({ type: 'grant', key, count }),
      reclaim: (id, key, count) => this.live.get(id)?.send({ type: 'reclaim', key, count }),
    });
    this.unsubscribe = options.model.onServerChange((change) => {
      const state = stateOf(change.server);
      for (const worker of this.live.values()) worker.send({ type: 'server', state });
    });
  }

  /** Workers running now (all generations). */
  get workerCount(): number {
    return this.live.size;
  }

  /**
   * Brings the mirror's counters up to date before a runtime-API command
   * reads them: the workers' periodic reports are up to 50 ms old, and a
   * `show stat` right after a connection ends must count it. Concurrent
   * callers share one round.
   */
  refreshCounters(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    await this.askAll((id) => ({ type: 'flush', id }), FLUSH_TIMEOUT_MS, undefined);
    this.aggregate.writeInto(this.options.mirror);
  }

  /** Every worker's live sessions, for `show sess` (old generations' too: they still carry traffic). */
  async sessions(): Promise<SessionInfo[]> {
    const lists = await this.askAll<SessionInfo[]>(
      (id) => ({ type: 'list-sessions', id }),
      SESSIONS_TIMEOUT_MS,
      [],
    );
    return lists.flat();
  }

  /**
   * Asks every live worker one question and resolves with their answers; a
   * worker that does not answer within `timeoutMs` (busy, or dying) counts
   * as `fallback`, so a runtime-API command never hangs on one worker.
   */
  private askAll<T>(question: (id: number) => MasterMessage, timeoutMs: number, fallback: T): Promise<T[]> {
    const asked = [...this.live.values()].map(
      (worker) =>
        new Promise<T>((resolve) => {
          const id = this.nextRequest++;
          const done = (answer: T) => {
            clearTimeout(timer);
            this.answers.delete(id);
            resolve(answer);
          };
          const timer = setTimeout(() => done(fallback), timeoutMs);
          this.answers.set(id, done as (answer: unknown) => void);
          worker.send(question(id));
        }),
    );
    return Promise.all(asked);
  }

  /** Binds every listener and starts the first generation; rejects if a bind or a worker fails. */
  async start(): Promise<void> {
    this.sockets.openMissing(this.config);
    await this.startGeneration();
  }

  /**
   * First half of a reload: binds what `config` adds, before anything
   * changes. Throws on a bind error; the reload is then refused.
   */
  openNewBinds(config: Config): string[] {
    return this.sockets.openMissing(config);
  }

  /**
   * Second half of a reload, once the model runs the new configuration: a
   * new generation starts on the same sockets with it and the model's
   * current decisions; once it is ready, the old one stops accepting and
   * finishes its sessions within `hard-stop-after`.
   */
  async rollOver(): Promise<void> {
    this.config = this.options.model.config;
    const old = this.serving;
    await this.startGeneration();
    const grace = this.config.global.hardStopAfterMs ?? Number.MAX_SAFE_INTEGER;
    for (const worker of old) worker.stop(Math.min(grace, 2 ** 31 - 1));
    this.sockets.closeUnused(this.config);
  }

  /** Graceful stop of every worker: resolves when all have exited (killing those past `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.unsubscribe();
    const workers = [...this.live.values()];
    for (const worker of workers) worker.stop(graceMs);
    // The master never accepts: its copies would keep the listeners open (clients connected, never served).
    this.sockets.closeAll();
    const killer = setTimeout(() => {
      for (const worker of workers) worker.kill();
    }, graceMs + 2000);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(killer);
  }

  private async startGeneration(): Promise<void> {
    this.broker.configure(this.slotLimits());
    const workers = Array.from({ length: this.options.count }, (_, index) => this.spawn(index));
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('workers did not become ready in time')), READY_TIMEOUT_MS).unref(),
    );
    try {
      await Promise.race([Promise.all(workers.map((w) => w.ready)), timeout]);
    } catch (error) {
      for (const worker of workers) worker.kill();
      throw error;
    }
    this.serving = workers;
    this.wireMirror();
  }

  private spawn(index: number): WorkerProcess {
    const worker = new WorkerProcess(this.nextId++, index, (w, m) => this.onMessage(w, m));
    this.live.set(worker.id, worker);
    const share = { index, count: this.options.count };
    for (const [key, handle] of this.sockets.slotHandles(index, this.config))
      worker.send({ type: 'socket', key }, handle);
    worker.send({
      type: 'init',
      config: this.config,
      share,
      logLevel: this.options.logLevel,
      servers: statesOf(this.options.model),
      slots: this.broker.join(worker.id, share),
    });
    void worker.exited.then((how) => this.onExit(worker, how));
    return worker;
  }

  private onMessage(worker: WorkerProcess, message: WorkerMessage): void {
    switch (message.type) {
      case 'counters':
        // A worker's last report counts the sessions it leaves behind.
        if (message.final && this.stopping) this.abandoned += message.delta.active;
        this.aggregate.update(worker.id, message.delta);
        this.scheduleMirrorWrite();
        return;
      case 'need':
        this.broker.need(worker.id, message.key, message.count);
        return;
      case 'release':
        this.broker.release(worker.id, message.key, message.count);
        return;
      case 'flushed':
        this.answers.get(message.id)?.(undefined);
        return;
      case 'sessions':
        this.answers.get(message.id)?.(message.sessions);
        return;
      case 'outcome': {
        const [backend, server] = splitKey(message.key);
        const runtime = this.options.mirror.pools.get(backend)?.servers.find((s) => s.model.name === server);
        runtime?.observer?.(message.outcome);
        return;
      }
      default:
        return;
    }
  }

  private onExit(worker: WorkerProcess, how: string): void {
    this.live.delete(worker.id);
    this.aggregate.retire(worker.id);
    this.broker.leave(worker.id);
    this.scheduleMirrorWrite();
    // Serving its slot (or starting as a replacement for it), and nobody asked it to stop.
    const unexpected = worker.phase !== 'stopping' && !this.stopping && this.serving[worker.index] === worker;
    if (!unexpected) return;
    const detail = `worker ${worker.index} (pid ${worker.pid}) died: ${how}; its own connections are lost`;
    this.options.log.error(
      { component: 'workers', worker: worker.index, workerPid: worker.pid, how },
      detail,
    );
    this.options.onEvent({ worker: worker.index, pid: worker.pid, what: 'died', detail });
    // A worker that dies young probably dies of its start: do not respawn it in a tight loop.
    const young = Date.now() - worker.startedAt < CRASH_LOOP_MS;
    setTimeout(() => this.replace(worker), young ? CRASH_LOOP_MS : 0);
  }

  private replace(worker: WorkerProcess): void {
    if (this.stopping || this.serving[worker.index] !== worker) return;
    const replacement = this.spawn(worker.index);
    this.serving[worker.index] = replacement;
    void replacement.ready.then(
      () => {
        const text = `worker ${worker.index} replaced by pid ${replacement.pid}`;
        this.options.log.info(
          { component: 'workers', worker: worker.index, workerPid: replacement.pid },
          text,
        );
        this.options.onEvent({ worker: worker.index, pid: replacement.pid, what: 'replaced', detail: text });
      },
      () => undefined,
    );
  }

  /** Server `maxconn` by server key, for the broker; servers without one are not leased. */
  private slotLimits(): Map<string, number> {
    const limits = new Map<string, number>();
    for (const backend of this.options.model.backends.values()) {
      for (const server of backend.servers) {
        if (server.maxconn > 0) limits.set(serverKey(backend.name, server.name), server.maxconn);
      }
    }
    return limits;
  }

  /** The mirror's `shutdown sessions` goes to the workers, which hold the sessions. */
  private wireMirror(): void {
    for (const pool of this.options.mirror.pools.values()) {
      for (const runtime of pool.servers) {
        const key = serverKey(pool.name, runtime.model.name);
        runtime.remoteKill = () => {
          for (const worker of this.live.values()) worker.send({ type: 'kill-sessions', key });
          return runtime.counters.current;
        };
      }
    }
  }

  /**
   * Counters arrive from every worker many times a second: one write per
   * turn of the loop, and with it leastconn's view of the other workers'
   * sessions goes back down, so it is never older than one report.
   */
  private scheduleMirrorWrite(): void {
    if (this.mirrorDirty) return;
    this.mirrorDirty = true;
    setImmediate(() => {
      this.mirrorDirty = false;
      this.aggregate.writeInto(this.options.mirror);
      this.pushLoads();
    });
  }

  private pushLoads(): void {
    const leastconn = [...this.options.model.backends.values()].some((b) => b.algorithm === 'leastconn');
    if (!leastconn) return;
    const current = this.aggregate.serverSessions();
    for (const worker of this.serving) worker.send({ type: 'loads', current });
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
