import type { DataPlane } from '../proxy/index.js';
import {
  combineRows,
  FRONTEND_FIELDS,
  readRow,
  retiredRow,
  TARGET_FIELDS,
  writeRow,
} from './counter-fields.js';
import { serverKey } from './messages.js';

/** A worker's counters, one row per frontend, backend and server (by name or server key). */
export interface CounterSnapshot {
  active: number;
  frontends: Record<string, number[]>;
  backends: Record<string, number[]>;
  servers: Record<string, number[]>;
}

/** The rows that changed since the last report (a worker with 1,000 idle servers sends little). */
export type CounterDelta = CounterSnapshot;

type Section = 'frontends' | 'backends' | 'servers';
const SECTIONS: readonly Section[] = ['frontends', 'backends', 'servers'];
const FIELDS = { frontends: FRONTEND_FIELDS, backends: TARGET_FIELDS, servers: TARGET_FIELDS } as const;

/** Reads a worker's data plane. */
export function snapshotOf(dataPlane: DataPlane): CounterSnapshot {
  const snapshot: CounterSnapshot = {
    active: dataPlane.admission.active,
    frontends: {},
    backends: {},
    servers: {},
  };
  for (const listener of dataPlane.listeners) {
    snapshot.frontends[listener.name] = readRow(FRONTEND_FIELDS, listener.counters);
  }
  for (const pool of dataPlane.pools.values()) {
    snapshot.backends[pool.name] = readRow(TARGET_FIELDS, pool.counters);
    for (const server of pool.servers) {
      snapshot.servers[serverKey(pool.name, server.model.name)] = readRow(TARGET_FIELDS, server.counters);
    }
  }
  return snapshot;
}

/** The rows of `next` that differ from `previous`. */
export function deltaOf(previous: CounterSnapshot | undefined, next: CounterSnapshot): CounterDelta {
  const delta: CounterDelta = { active: next.active, frontends: {}, backends: {}, servers: {} };
  for (const section of SECTIONS) {
    for (const [key, row] of Object.entries(next[section])) {
      const before = previous?.[section][key];
      if (before === undefined || row.some((v, i) => v !== before[i])) delta[section][key] = row;
    }
  }
  return delta;
}

/** Whether a delta carries nothing new beyond the active count. */
export function isEmptyDelta(delta: CounterDelta, previousActive: number | undefined): boolean {
  return (
    delta.active === previousActive && SECTIONS.every((section) => Object.keys(delta[section]).length === 0)
  );
}

/**
 * The master's sum of its workers' counters. Each live worker's latest rows
 * are kept; a worker that is gone (stopped after a reload, or died) leaves
 * its totals in `retired`, so no figure ever goes back when one leaves.
 */
export class CounterAggregate {
  private readonly live = new Map<number, CounterSnapshot>();
  private readonly retired: CounterSnapshot = { active: 0, frontends: {}, backends: {}, servers: {} };

  /** Merges a worker's report. */
  update(worker: number, delta: CounterDelta): void {
    let snapshot = this.live.get(worker);
    if (snapshot === undefined) {
      snapshot = { active: 0, frontends: {}, backends: {}, servers: {} };
      this.live.set(worker, snapshot);
    }
    snapshot.active = delta.active;
    for (const section of SECTIONS) Object.assign(snapshot[section], delta[section]);
  }

  /** A worker left: its totals stay, its present values (sessions, queue, rates) drop out. */
  retire(worker: number): void {
    const snapshot = this.live.get(worker);
    this.live.delete(worker);
    if (snapshot === undefined) return;
    for (const section of SECTIONS) {
      const fields = FIELDS[section];
      for (const [key, row] of Object.entries(snapshot[section])) {
        const kept = this.retired[section][key];
        const gone = retiredRow(fields, row);
        this.retired[section][key] = kept === undefined ? gone : combineRows(fields, [kept, gone]);
      }
    }
  }

  /** The aggregate of every server, for the workers' leastconn. */
  serverSessions(): Record<string, number> {
    const current: Record<string, number> = {};
    for (const snapshot of this.live.values()) {
      for (const [key, row] of Object.entries(snapshot.servers)) current[key] = (current[key] ?? 0) + row[0]!;
    }
    return current;
  }

  /** Writes the sums into the master's mirror data plane, which the runtime API reads. */
  writeInto(mirror: DataPlane): void {
    let active = 0;
    for (const snapshot of this.live.values()) active += snapshot.active;
    mirror.admission.active = active;
    for (const listener of mirror.listeners) {
      const row = this.combined('frontends', listener.name);
      if (row !== undefined) writeRow(FRONTEND_FIELDS, listener.counters, row);
    }
    for (const pool of mirror.pools.values()) {
      const row = this.combined('backends', pool.name);
      if (row !== undefined) writeRow(TARGET_FIELDS, pool.counters, row);
      for (const server of pool.servers) {
        const serverRow = this.combined('servers', serverKey(pool.name, server.model.name));
        if (serverRow !== undefined) writeRow(TARGET_FIELDS, server.counters, serverRow);
      }
    }
  }

  private combined(section: Section, key: string): number[] | undefined {
    const rows: number[][] = [];
    const kept = this.retired[section][key];
    if (kept !== undefined) rows.push(kept);
    for (const snapshot of this.live.values()) {
      const row = snapshot[section][key];
      if (row !== undefined) rows.push(row);
    }
    return rows.length === 0 ? undefined : combineRows(FIELDS[section], rows);
  }
}
