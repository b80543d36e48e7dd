import type { StatRow, StatsSnapshot } from '@lbctl/protocol';
import type { ServerRow, StateKind } from './model.js';

/** The key of a server row: node index, backend and server, joined by a byte no name contains. */
export function serverKey(node: number, backend: string, server: string): string {
  return `${node}\u0000${backend}\u0000${server}`;
}

/**
 * How a status word is drawn. A trailing `n/m` means a transition in
 * progress: `UP 1/3` is up with one failed check of three before DOWN,
 * `DOWN 1/2` is down with one good check of two before UP.
 */
export function stateKind(status: string): StateKind {
  const word = status.split(' ')[0] ?? '';
  const transitional = /\s\d+\/\d+$/.test(status);
  switch (word) {
    case 'UP':
      return transitional ? 'going-down' : 'up';
    case 'DOWN':
      return transitional ? 'going-up' : 'down';
    case 'DRAIN':
      return 'drain';
    case 'MAINT':
      return 'maint';
    case 'NOLB':
      return 'nolb';
    case 'no':
      return 'nocheck';
    default:
      return 'down';
  }
}

function num(value: string | number | undefined): number {
  if (typeof value === 'number') return value;
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function optionalNum(value: string | number | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : num(value);
}

/** Whether a stats row is a server (not FRONTEND/BACKEND): `type` 2, as in HAProxy. */
export function isServerRow(row: StatRow): boolean {
  return num(row.type) === 2;
}

/** Per-second change of a counter; undefined without a previous sample or across a counter reset (restart). */
function perSecond(now: number, before: number, elapsedMs: number): number | undefined {
  if (elapsedMs <= 0 || now < before) return undefined;
  return ((now - before) * 1000) / elapsedMs;
}

/** Options of {@link buildServerRows}. */
export interface BuildRowsOptions {
  /** Index of the daemon. */
  node: number;
  /** The daemon's previous rows, for rates and sparkline history. */
  previous: readonly ServerRow[];
  /** Time of the previous snapshot, epoch ms. */
  previousTime: number | undefined;
  /** Configured weights by `backend/server`. */
  initialWeights: ReadonlyMap<string, number>;
  /** Samples kept for the sparkline (a minute at the stats interval). */
  historyLength: number;
}

/**
 * The servers of one stats snapshot as view rows, in the daemon's order.
 * Rates of byte counters come from the difference with the previous
 * snapshot; the session rate is the daemon's own and is appended to the
 * row's minute of history.
 */
export function buildServerRows(snapshot: StatsSnapshot, options: BuildRowsOptions): ServerRow[] {
  const byKey = new Map<string, ServerRow>();
  for (const row of options.previous) byKey.set(row.key, row);
  const elapsed = options.previousTime === undefined ? 0 : snapshot.time - options.previousTime;
  const rows: ServerRow[] = [];
  for (const stat of snapshot.rows) {
    if (!isServerRow(stat)) continue;
    const backend = String(stat.pxname ?? '');
    const server = String(stat.svname ?? '');
    const key = serverKey(options.node, backend, server);
    const before = byKey.get(key);
    const bytesIn = num(stat.bin);
    const bytesOut = num(stat.bout);
    const rate = num(stat.rate);
    const history = before === undefined ? [rate] : [...before.rateHistory, rate];
    if (history.length > options.historyLength) history.splice(0, history.length - options.historyLength);
    const status = String(stat.status ?? '');
    rows.push({
      key,
      node: options.node,
      backend,
      backendId: num(stat.iid),
      server,
      serverId: num(stat.sid),
      status,
      kind: stateKind(status),
      checkStatus: String(stat.check_status ?? ''),
      checkMs: optionalNum(stat.check_duration),
      checkText: String(stat.last_chk ?? ''),
      lastChangeSec: num(stat.lastchg),
      weight: num(stat.weight),
      initialWeight: options.initialWeights.get(`${backend}/${server}`),
      backup: num(stat.bck) === 1,
      sessions: num(stat.scur),
      maxSessions: num(stat.smax),
      limit: optionalNum(stat.slim),
      queue: num(stat.qcur),
      rate,
      rateHistory: history,
      bytesInPerSec: before === undefined ? undefined : perSecond(bytesIn, before.bytesIn, elapsed),
      bytesOutPerSec: before === undefined ? undefined : perSecond(bytesOut, before.bytesOut, elapsed),
      connectErrors: num(stat.econ),
      retries: num(stat.wretr),
      redispatches: num(stat.wredis),
      bytesIn,
      bytesOut,
      address: String(stat.addr ?? ''),
    });
  }
  rows.sort((a, b) => a.backendId - b.backendId || a.serverId - b.serverId);
  return rows;
}

/** Daemon-wide figures of a snapshot's `show info` part. */
export interface InfoFigures {
  name: string | undefined;
  version: string | undefined;
  pid: number | undefined;
  uptimeSec: number | undefined;
  currentConns: number | undefined;
  maxConns: number | undefined;
  connRate: number | undefined;
}

/** Reads the header's figures from `show info` fields. */
export function infoFigures(info: Readonly<Record<string, string | number>>): InfoFigures {
  const text = (key: string) => (info[key] === undefined ? undefined : String(info[key]));
  return {
    name: text('node'),
    version: text('Version'),
    pid: optionalNum(info.Pid),
    uptimeSec: optionalNum(info.Uptime_sec),
    currentConns: optionalNum(info.CurrConns),
    maxConns: optionalNum(info.Maxconn),
    connRate: optionalNum(info.ConnRate),
  };
}
