import { HAPROXY_STAT_COLUMNS, type StatRow } from '@lbctl/protocol';
import type { ServerModel } from '../../model/index.js';
import type { BackendPool } from '../../proxy/backend-pool.js';
import type { FrontendCounters, SessionCounters, TargetCounters } from '../../proxy/counters.js';
import type { FrontendListener } from '../../proxy/frontend-listener.js';
import type { ServerRuntime } from '../../proxy/server-runtime.js';
import { type BackendHistory, backendWeight, serverUsable } from './backend-tracker.js';

/**
 * Module columns after HAProxy's `-` delimiter: the ssl ones, then h2 and h1.
 * HAProxy prints them as 0 on a TCP proxy; which rows carry which group is
 * what the side-by-side test pinned down.
 */
const MODULE_COLUMNS = HAPROXY_STAT_COLUMNS.slice(HAPROXY_STAT_COLUMNS.indexOf('-') + 1);
const SSL_COLUMNS = MODULE_COLUMNS.filter((c) => c.startsWith('ssl_'));
const H2_H1_COLUMNS = MODULE_COLUMNS.filter((c) => c.startsWith('h2_') || c.startsWith('h1_'));

const ZERO_SSL: StatRow = Object.fromEntries(SSL_COLUMNS.map((k) => [k, 0]));
const ZERO_H2_H1: StatRow = Object.fromEntries(H2_H1_COLUMNS.map((k) => [k, 0]));

/** Seconds since an epoch-ms instant, or -1 for "never" (HAProxy's `lastsess`). */
function secondsSince(epochMs: number, now: number): number {
  return epochMs === 0 ? -1 : Math.max(0, Math.floor((now - epochMs) / 1000));
}

function sessionColumns(c: SessionCounters, now: number): StatRow {
  return {
    scur: c.current,
    smax: c.max,
    stot: c.total,
    bin: c.bytesIn,
    bout: c.bytesOut,
    rate: c.sessionRate.read(now),
    rate_max: c.sessionRate.max,
  };
}

function targetColumns(c: TargetCounters, now: number): StatRow {
  return {
    ...sessionColumns(c, now),
    qcur: c.queued,
    qmax: c.queueMax,
    dresp: 0,
    econ: c.connectErrors,
    eresp: c.responseErrors,
    wretr: c.retries,
    wredis: c.redispatches,
    lbtot: c.loadBalanced,
    cli_abrt: c.clientAborts,
    srv_abrt: c.serverAborts,
    lastsess: secondsSince(c.lastSession, now),
    qtime: c.queueTime.value,
    ctime: c.connectTime.value,
    rtime: 0,
    ttime: c.totalTime.value,
    qtime_max: c.queueTime.max,
    ctime_max: c.connectTime.max,
    rtime_max: 0,
    ttime_max: c.totalTime.max,
    wrew: 0,
    connect: c.connects,
    reuse: 0,
    eint: 0,
    mode: 'tcp',
    '-': '-',
    ...ZERO_SSL,
  };
}

/** The FRONTEND row of a frontend-capable proxy. */
export function frontendRow(
  proxyId: number,
  listener: FrontendListener,
  maxconn: number,
  now: number,
  stopping: boolean,
): StatRow {
  const c: FrontendCounters = listener.counters;
  return {
    pxname: listener.name,
    svname: 'FRONTEND',
    ...sessionColumns(c, now),
    slim: maxconn,
    dreq: c.deniedRequests,
    dresp: 0,
    ereq: c.requestErrors,
    status: stopping ? 'STOP' : c.current >= maxconn ? 'FULL' : 'OPEN',
    pid: 1,
    iid: proxyId,
    sid: 0,
    type: 0,
    rate_lim: 0,
    req_rate: 0,
    req_rate_max: 0,
    req_tot: 0,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    mode: 'tcp',
    conn_rate: c.connectionRate.read(now),
    conn_rate_max: c.connectionRate.max,
    conn_tot: c.connections,
    dcon: 0,
    dses: 0,
    wrew: 0,
    eint: 0,
    '-': '-',
    ...ZERO_SSL,
    ...ZERO_H2_H1,
  };
}

/** Health-check columns: empty, as HAProxy leaves them, unless checks are on for the server. */
function checkColumns(m: ServerModel, now: number): StatRow {
  const c = m.check;
  const row: StatRow = {};
  if (c.enabled) {
    const downtimeMs = c.downtimeMs + (c.downSince > 0 ? now - c.downSince : 0);
    Object.assign(row, {
      chkfail: c.failures,
      chkdown: c.downTransitions,
      downtime: Math.floor(downtimeMs / 1000),
    });
  }
  // Checks pause in maintenance: HAProxy then shows the counters but not the last result.
  if (c.enabled && m.admin !== 'maint') {
    Object.assign(row, {
      check_status: c.displayStatus,
      check_code: c.code ?? '',
      check_duration: c.durationMs ?? '',
      last_chk: c.lastText,
      check_desc: c.description,
      check_rise: c.rise,
      check_fall: c.fall,
      check_health: c.health,
    });
  }
  if (m.config.observe !== undefined) row.hanafail = c.hanaFailures;
  if (c.agentEnabled) {
    Object.assign(row, {
      agent_status: c.agentStatus ?? '',
      agent_code: c.agentCode ?? '',
      agent_duration: c.agentDurationMs ?? '',
      last_agt: c.agentText,
      agent_desc: c.agentDescription,
      agent_rise: c.agentRise,
      agent_fall: c.agentFall,
      agent_health: c.agentHealth,
    });
  }
  return row;
}

/** `host:port`, with IPv6 hosts in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One server row; `showAddress` is false at `level user`, as in HAProxy. */
export function serverRow(
  proxyId: number,
  pool: BackendPool,
  server: ServerRuntime,
  now: number,
  showAddress: boolean,
): StatRow {
  const m: ServerModel = server.model;
  return {
    pxname: pool.name,
    svname: m.name,
    ...targetColumns(server.counters, now),
    slim: m.maxconn > 0 ? m.maxconn : '',
    status: m.status,
    weight: m.weight,
    act: m.backup ? 0 : 1,
    bck: m.backup ? 1 : 0,
    lastchg: Math.max(0, Math.floor((now - m.lastChange) / 1000)),
    qlimit: m.maxqueue > 0 ? m.maxqueue : '',
    pid: 1,
    iid: proxyId,
    sid: m.id,
    type: 2,
    ...checkColumns(m, now),
    addr: showAddress ? hostPort(m.host, m.port) : '',
    srv_icur: 0,
    idle_conn_cur: 0,
    safe_conn_cur: 0,
    used_conn_cur: server.counters.current,
    need_conn_est: server.counters.current,
    uweight: m.weight,
  };
}

/** How `show stat up` / `no-maint` decorate the BACKEND status: `UP (1/2)`. */
export type BackendStatusCount = { up: number; total: number } | undefined;

/** The BACKEND row; `fullconn` is HAProxy's default 10 % of the frontends' maxconn when unset. */
export function backendRow(
  proxyId: number,
  pool: BackendPool,
  fullconn: number,
  now: number,
  showAlgo: boolean,
  history: BackendHistory | undefined,
  downtimeSec: number,
  count: BackendStatusCount,
): StatRow {
  const models = pool.servers.map((s) => s.model);
  const weight = backendWeight(models);
  const usable = models.filter(serverUsable);
  const status = models.length === 0 || weight > 0 ? 'UP' : 'DOWN';
  return {
    pxname: pool.name,
    svname: 'BACKEND',
    ...targetColumns(pool.counters, now),
    slim: fullconn,
    dreq: 0,
    status: count === undefined ? status : `${status} (${count.up}/${count.total})`,
    weight,
    act: usable.filter((s) => !s.backup).length,
    bck: usable.filter((s) => s.backup).length,
    chkdown: history?.downTransitions ?? 0,
    lastchg: history === undefined ? 0 : Math.max(0, Math.floor((now - history.lastChange) / 1000)),
    downtime: models.length === 0 ? '' : downtimeSec,
    pid: 1,
    iid: proxyId,
    sid: 0,
    type: 1,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    algo: showAlgo ? pool.model.algorithm : '',
    uweight: weight,
    agg_server_status: 0,
    agg_server_check_status: 0,
    agg_check_status: 0,
    ...ZERO_H2_H1,
  };
}
