import type { StatRow } from '@lbctl/protocol';
import type { ServerModel } from '../../model/index.js';
import type { BackendPool } from '../../proxy/backend-pool.js';
import type { FrontendCounters, SessionCounters, TargetCounters } from '../../proxy/counters.js';
import type { FrontendListener } from '../../proxy/frontend-listener.js';
import type { ServerRuntime } from '../../proxy/server-runtime.js';

/** Module columns (ssl, h2, h1) that HAProxy prints as 0 on every row of a TCP proxy. */
const SSL_COLUMNS = ['ssl_sess', 'ssl_reused_sess', 'ssl_failed_handshake'] as const;
const H2_H1_COLUMNS = [
  'h2_headers_rcvd',
  'h2_data_rcvd',
  'h2_settings_rcvd',
  'h2_rst_stream_rcvd',
  'h2_goaway_rcvd',
  'h2_detected_conn_protocol_errors',
  'h2_detected_strm_protocol_errors',
  'h2_rst_stream_resp',
  'h2_goaway_resp',
  'h2_open_connections',
  'h2_backend_open_streams',
  'h2_total_connections',
  'h2_backend_total_streams',
  'h1_open_connections',
  'h1_open_streams',
  'h1_total_connections',
  'h1_total_streams',
  'h1_bytes_in',
  'h1_bytes_out',
  'h1_spliced_bytes_in',
  'h1_spliced_bytes_out',
] as const;

/** Seconds since an epoch-ms instant, or -1 for "never" (HAProxy's `lastsess`). */
function secondsSince(epochMs: number, now: number): number {
  return epochMs === 0 ? -1 : Math.floor((now - epochMs) / 1000);
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
    ...Object.fromEntries(SSL_COLUMNS.map((k) => [k, 0])),
  };
}

/** The FRONTEND row of a frontend-capable proxy. */
export function frontendRow(
  proxyId: number,
  listener: FrontendListener,
  maxconn: number,
  now: number,
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
    status: 'OPEN',
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
    ...Object.fromEntries([...SSL_COLUMNS, ...H2_H1_COLUMNS].map((k) => [k, 0])),
  };
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
    chkfail: 0,
    chkdown: 0,
    lastchg: Math.floor((now - m.lastChange) / 1000),
    downtime: 0,
    qlimit: m.maxqueue > 0 ? m.maxqueue : '',
    pid: 1,
    iid: proxyId,
    sid: m.id,
    type: 2,
    addr: showAddress ? `${m.host}:${m.port}` : '',
    srv_icur: 0,
    idle_conn_cur: 0,
    safe_conn_cur: 0,
    used_conn_cur: 0,
    need_conn_est: 0,
    uweight: m.weight,
  };
}

/** The BACKEND row; `fullconn` is HAProxy's default 10 % of the frontends' maxconn when unset. */
export function backendRow(
  proxyId: number,
  pool: BackendPool,
  fullconn: number,
  now: number,
  showAlgo: boolean,
): StatRow {
  const servers = pool.servers;
  const usable = pool.usableServers;
  const active = usable.filter((s) => !s.model.backup);
  const weight = usable.reduce((sum, s) => sum + s.model.weight, 0);
  const lastChange = Math.max(0, ...servers.map((s) => s.model.lastChange));
  return {
    pxname: pool.name,
    svname: 'BACKEND',
    ...targetColumns(pool.counters, now),
    slim: fullconn,
    dreq: 0,
    status: weight > 0 ? 'UP' : 'DOWN',
    weight,
    act: active.length,
    bck: usable.length - active.length,
    chkdown: 0,
    lastchg: lastChange === 0 ? 0 : Math.floor((now - lastChange) / 1000),
    downtime: 0,
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
    ...Object.fromEntries(H2_H1_COLUMNS.map((k) => [k, 0])),
  };
}
