import { type ChildProcess, fork } from 'node:child_process';
import { DATA_PLANE_V8_FLAGS } from '../lifecycle/v8-flags.js';
import type { MasterMessage, WorkerMessage } from './messages.js';

/** The compiled worker entry, beside this file in dist/. */
const WORKER_ENTRY = new URL('./worker-main.js', import.meta.url);

/** Where a worker is in its life, as the master sees it. */
export type WorkerPhase = 'starting' | 'serving' | 'stopping';

/** The master's handle on one worker process. */
export class WorkerProcess {
  phase: WorkerPhase = 'starting';
  readonly startedAt = Date.now();
  readonly child: ChildProcess;
  /** Resolves when the worker listens on every bind; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or signal) when the process is gone. */
  readonly exited: Promise<string>;
  private markReady: () => void = () => undefined;

  constructor(
    /** Unique for the daemon's life: counters and slot leases are keyed by it. */
    readonly id: number,
    /** The worker slot: which listening sockets it accepts on. */
    readonly index: number,
    onMessage: (worker: WorkerProcess, message: WorkerMessage) => void,
  ) {
    // Advanced serialization: the configuration crosses as structured data, no JSON round trip.
    this.child = fork(WORKER_ENTRY, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...DATA_PLANE_V8_FLAGS],
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
    );
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      void this.exited.then((how) => reject(new Error(`worker ${index} ended before it was ready (${how})`)));
    });
    // Nobody may be waiting on `ready` (a replacement): its rejection is not an error by itself.
    this.ready.catch(() => undefined);
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        this.phase = 'serving';
        this.markReady();
      }
      onMessage(this, message);
    });
    // A write to a worker that just died must not take the master down.
    this.child.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: MasterMessage, handle?: object): void {
    if (!this.child.connected) return;
    this.child.send(message, handle as never, () => undefined);
  }

  /** Stop accepting, finish sessions for at most `graceMs`, then exit. */
  stop(graceMs: number): void {
    this.phase = 'stopping';
    this.send({ type: 'stop', graceMs });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
