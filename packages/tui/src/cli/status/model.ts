import type { ServerState, StatRow } from '@lbctl/protocol';

/** Sessions of a proxy or server: now, the peak, the configured limit (null: none). */
export interface SessionCounts {
  current: number;
  max: number;
  limit: number | null;
  total: number;
}

/** One server in `lbctl status --json` (see `STATUS_SCHEMA`). */
export interface ServerStatus {
  backend: string;
  server: string;
  address: string | null;
  port: number | null;
  /** HAProxy's status word: `UP`, `DOWN`, `MAINT`, `DRAIN`, `no check`, `UP 1/3`... */
  status: string;
  admin: 'ready' | 'drain' | 'maint';
  health: 'up' | 'down';
  backup: boolean;
  weight: number;
  initialWeight: number;
  check: {
    configured: boolean;
    enabled: boolean;
    /** `L4OK`, `L7STS`, `INI`...; null when no check runs. */
    status: string | null;
    code: number | null;
    durationMs: number | null;
    description: string | null;
    health: number;
    rise: number;
    fall: number;
  };
  sessions: SessionCounts;
  queue: { current: number; max: number };
  rate: { current: number; max: number };
  /** Seconds since the last admin or health change. */
  lastChangeSec: number;
}

/** One backend with its servers. */
export interface BackendStatus {
  name: string;
  status: string;
  weight: number;
  sessions: SessionCounts;
  queue: { current: number; max: number };
  rate: { current: number; max: number };
  lastChangeSec: number | null;
  servers: ServerStatus[];
}

/** One frontend. */
export interface FrontendStatus {
  name: string;
  status: string;
  sessions: SessionCounts;
  rate: { current: number; max: number };
}

/** What one daemon reports. */
export interface DaemonStatus {
  /** Socket path or URL. */
  target: string;
  frontends: FrontendStatus[];
  backends: BackendStatus[];
}

/** The whole `lbctl status --json` document. */
export interface StatusReport {
  format: 'lbctl-status';
  version: 1;
  /** Epoch ms when lbctl read it. */
  time: number;
  daemons: DaemonStatus[];
}

function num(row: StatRow | undefined, column: keyof StatRow): number {
  const value = row?.[column];
  const n = typeof value === 'number' ? value : Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? 0 : n;
}

function optNum(row: StatRow | undefined, column: keyof StatRow): number | null {
  const value = row?.[column];
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function optStr(row: StatRow | undefined, column: keyof StatRow): string | null {
  const value = row?.[column];
  return value === undefined || value === '' ? null : String(value);
}

function sessions(row: StatRow | undefined): SessionCounts {
  const limit = optNum(row, 'slim');
  return {
    current: num(row, 'scur'),
    max: num(row, 'smax'),
    limit: limit === 0 ? null : limit,
    total: num(row, 'stot'),
  };
}

function serverStatus(state: ServerState, row: StatRow | undefined): ServerStatus {
  const checkRuns = state.check.configured && state.check.enabled;
  return {
    backend: state.backend,
    server: state.server,
    address: state.address === '' ? null : state.address,
    port: state.address === '' ? null : state.port,
    status: state.status,
    admin: state.admin,
    health: state.health,
    backup: state.backup,
    weight: state.weight,
    initialWeight: state.initialWeight,
    check: {
      configured: state.check.configured,
      enabled: state.check.enabled,
      status: checkRuns ? (optStr(row, 'check_status') ?? state.check.status) : null,
      code: checkRuns ? optNum(row, 'check_code') : null,
      durationMs: checkRuns ? optNum(row, 'check_duration') : null,
      description: checkRuns ? optStr(row, 'check_desc') : null,
      health: state.check.health,
      rise: state.check.rise,
      fall: state.check.fall,
    },
    // The stats row is read in the same instant's order as the state; prefer
    // its counters, but fall back on the state's when the row is missing.
    sessions: row === undefined ? { current: state.sessions, max: 0, limit: null, total: 0 } : sessions(row),
    queue: { current: num(row, 'qcur'), max: num(row, 'qmax') },
    rate: { current: num(row, 'rate'), max: num(row, 'rate_max') },
    lastChangeSec: state.lastChangeSec,
  };
}

/**
 * Joins `show-servers-state` (admin and health state, weights) with
 * `show-stat` rows (counters, check detail, limits) into the status of one
 * daemon, frontends and backends in configuration order.
 */
export function buildDaemonStatus(
  target: string,
  states: readonly ServerState[],
  rows: readonly StatRow[],
): DaemonStatus {
  const rowOf = new Map<string, StatRow>();
  for (const row of rows) rowOf.set(`${row.pxname}\u0000${row.svname}`, row);
  const frontends: FrontendStatus[] = [];
  const backends = new Map<string, BackendStatus>();
  for (const row of rows) {
    const name = String(row.pxname ?? '');
    if (row.svname === 'FRONTEND') {
      frontends.push({
        name,
        status: String(row.status ?? ''),
        sessions: sessions(row),
        rate: { current: num(row, 'rate'), max: num(row, 'rate_max') },
      });
    } else if (row.svname === 'BACKEND') {
      backends.set(name, {
        name,
        status: String(row.status ?? ''),
        weight: num(row, 'weight'),
        sessions: sessions(row),
        queue: { current: num(row, 'qcur'), max: num(row, 'qmax') },
        rate: { current: num(row, 'rate'), max: num(row, 'rate_max') },
        lastChangeSec: optNum(row, 'lastchg'),
        servers: [],
      });
    }
  }
  for (const state of states) {
    let backend = backends.get(state.backend);
    if (backend === undefined) {
      // A backend in the state but not in the stats (filtered out): still show its servers.
      backend = {
        name: state.backend,
        status: '',
        weight: 0,
        sessions: sessions(undefined),
        queue: { current: 0, max: 0 },
        rate: { current: 0, max: 0 },
        lastChangeSec: null,
        servers: [],
      };
      backends.set(state.backend, backend);
    }
    backend.servers.push(serverStatus(state, rowOf.get(`${state.backend}\u0000${state.server}`)));
  }
  return { target, frontends, backends: [...backends.values()] };
}

/** What `status` narrows to: `--backend NAME`, and/or the servers a name or glob matched. */
export interface StatusFilter {
  backend?: string | undefined;
  /** `backend/server` keys. */
  servers?: ReadonlySet<string> | undefined;
}

/**
 * Keeps the backends and servers a filter selects. Frontends are dropped when
 * anything is filtered: they say nothing about a subset of the servers.
 */
export function filterStatus(status: DaemonStatus, filter: StatusFilter): DaemonStatus {
  if (filter.backend === undefined && filter.servers === undefined) return status;
  const backends = status.backends
    .filter((b) => filter.backend === undefined || b.name === filter.backend)
    .map((b) => ({
      ...b,
      servers: b.servers.filter(
        (s) => filter.servers === undefined || filter.servers.has(`${b.name}/${s.server}`),
      ),
    }))
    .filter((b) => filter.servers === undefined || b.servers.length > 0);
  return { ...status, frontends: [], backends };
}
