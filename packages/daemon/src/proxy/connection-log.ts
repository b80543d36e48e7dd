import type { SessionSummary } from './session-types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The structured record logged when a proxied connection ends. */
export interface ConnectionLogRecord {
  client: string;
  accept_date: string;
  frontend: string;
  backend: string;
  server: string;
  Tw: number;
  Tc: number;
  Tt: number;
  bytes_read: number;
  bytes_uploaded: number;
  termination: string;
  actconn: number;
  feconn: number;
  beconn: number;
  srv_conn: number;
  retries: number;
  redispatched: boolean;
  srv_queue: number;
  backend_queue: number;
}

/** HAProxy's accept date, `21/Nov/2026:06:10:46.519`, in local time as HAProxy prints it. */
export function formatAcceptDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
  );
}

/** Builds the record; `counts` are the connection counts at log time. */
export function connectionLogRecord(
  s: SessionSummary,
  counts: { active: number; frontend: number; serverQueue: number; backendQueue: number },
): ConnectionLogRecord {
  return {
    client: `${s.client.address}:${s.client.port}`,
    accept_date: formatAcceptDate(s.acceptedAt),
    frontend: s.frontend,
    backend: s.backend,
    server: s.server ?? '<NOSRV>',
    Tw: s.queueMs,
    Tc: s.connectMs,
    Tt: s.totalMs,
    bytes_read: s.bytesFromServer,
    bytes_uploaded: s.bytesFromClient,
    termination: s.termination,
    actconn: counts.active,
    feconn: counts.frontend,
    beconn: s.backendConnections,
    srv_conn: s.serverConnections,
    retries: s.retries,
    redispatched: s.redispatched,
    srv_queue: counts.serverQueue,
    backend_queue: counts.backendQueue,
  };
}

/**
 * HAProxy's `option tcplog` line:
 * `%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`,
 * with `+` before the retry count when the session was redispatched.
 */
export function formatTcpLogLine(r: ConnectionLogRecord): string {
  const retries = r.redispatched ? `+${r.retries}` : String(r.retries);
  return (
    `${r.client} [${r.accept_date}] ${r.frontend} ${r.backend}/${r.server} ` +
    `${r.Tw}/${r.Tc}/${r.Tt} ${r.bytes_read} ${r.termination} ` +
    `${r.actconn}/${r.feconn}/${r.beconn}/${r.srv_conn}/${retries} ${r.srv_queue}/${r.backend_queue}`
  );
}
