import type { SessionInfo } from '@lbctl/protocol';
import type { Config } from '../config/types.js';
import type { AdminState, HealthState } from '../model/index.js';
import type { TrafficOutcome, WorkerShare } from '../proxy/index.js';
import type { CounterDelta } from './counter-snapshot.js';

/**
 * The IPC between the master (control plane) and its data-plane workers.
 * Decisions flow down (server states, slot grants, kill orders); counters,
 * slot requests and passive-health outcomes flow up. Servers are named by
 * {@link serverKey}, which survives a reload where object identities do not.
 */

/** `backend/server`. */
export function serverKey(backend: string, server: string): string {
  return `${backend}/${server}`;
}

/** The decisions of one server a worker's balancer obeys. */
export interface ServerState {
  backend: string;
  server: string;
  admin: AdminState;
  health: HealthState;
  softDown: boolean;
  weight: number;
  host: string;
  port: number;
}

export type MasterMessage =
  /** Precedes `init`, once per bind; carries the master's socket for it. */
  | { type: 'socket'; key: string }
  | {
      type: 'init';
      config: Config;
      share: WorkerShare;
      logLevel: string;
      servers: ServerState[];
      /** Initial `maxconn` slots leased to this worker, by server key. */
      slots: Record<string, number>;
    }
  | { type: 'server'; state: ServerState }
  /** More slots for a server: add `count` to the lease. */
  | { type: 'grant'; key: string; count: number }
  /** Another worker waits: give back up to `count` slots not in use (0 cancels). */
  | { type: 'reclaim'; key: string; count: number }
  /** Sessions on each server across all workers, for leastconn. */
  | { type: 'loads'; current: Record<string, number> }
  | { type: 'kill-sessions'; key: string }
  /** Report counters now, then answer `flushed` with the same `id`. */
  | { type: 'flush'; id: number }
  /** `show sess`: answer with `sessions` and the same `id`. */
  | { type: 'list-sessions'; id: number }
  /** Stop accepting, let sessions finish for at most `graceMs`, send final counters, exit. */
  | { type: 'stop'; graceMs: number };

export type WorkerMessage =
  /** Listening on every bind. */
  | { type: 'ready' }
  | { type: 'counters'; delta: CounterDelta; final: boolean }
  /** Connections wait for a full server: `count` more slots would serve them. */
  | { type: 'need'; key: string; count: number }
  | { type: 'release'; key: string; count: number }
  | { type: 'sessions'; id: number; sessions: SessionInfo[] }
  /** Every counter change up to the `flush` of this `id` was sent before it. */
  | { type: 'flushed'; id: number }
  /** Passive health: what live traffic saw of a server (`observe layer4`). */
  | { type: 'outcome'; key: string; outcome: TrafficOutcome };
