import type { PortsReport } from './ports-report.js';
import type { StateCounts } from './tcp-states.js';

/** Version of the text layout, printed first, as `show servers state` does. */
export const PORTS_TEXT_VERSION = 1;

const dash = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? '-' : String(v);

/** The state columns of the pair and source tables. */
const STATE_COLUMNS: readonly [string, (s: StateCounts) => number][] = [
  ['estab', (s) => s.ESTABLISHED ?? 0],
  ['syn_sent', (s) => s.SYN_SENT ?? 0],
  ['time_wait', (s) => s.TIME_WAIT ?? 0],
  ['fin_wait', (s) => (s.FIN_WAIT1 ?? 0) + (s.FIN_WAIT2 ?? 0)],
  ['close_wait', (s) => s.CLOSE_WAIT ?? 0],
  ['last_ack', (s) => (s.LAST_ACK ?? 0) + (s.CLOSING ?? 0)],
];

/**
 * The HAProxy-dialect text of `show ports`, in the style of `show servers
 * state`: a version line, then sections of one `# ` header naming the
 * columns and one line per row, fields separated by one space, `-` for none.
 * Advice lines start with `! LEVEL` so a script can grep for them. Ends
 * with an empty line, as HAProxy's replies do.
 */
export function renderPortsText(report: PortsReport): string {
  const k = report.kernel;
  const f = report.fds;
  const lines: string[] = [
    String(PORTS_TEXT_VERSION),
    `# level ${report.level} time ${Math.floor(report.time / 1000)} interval_ms ${report.intervalMs} ` +
      `reader ${report.scan.reader} sockets ${report.scan.sockets} scan_ms ${report.scan.durationMs} ` +
      `cpu_pct ${report.scan.cpuPct}`,
    `# kernel ip_local_port_range ${k.ipLocalPortRange.low}-${k.ipLocalPortRange.high} ` +
      `usable ${k.usableEphemeralPorts} reserved ${k.ipLocalReservedPorts.map((r) => (r.low === r.high ? r.low : `${r.low}-${r.high}`)).join(',') || '-'} ` +
      `tcp_tw_reuse ${k.tcpTwReuse} tcp_tw_reuse_delay ${k.tcpTwReuseDelayMs} tcp_fin_timeout ${k.tcpFinTimeoutS} ` +
      `tcp_max_tw_buckets ${k.tcpMaxTwBuckets} tcp_timestamps ${k.tcpTimestamps} time_wait ${k.timeWait}`,
    `# fds in_use ${f.inUse} limit ${f.limit} maxsock ${f.maxsock} maxconn ${f.maxconn} headroom_pct ${f.headroomPct}`,
    `# pairs: source destination mode range usable in_use headroom headroom_pct ${STATE_COLUMNS.map((c) => c[0]).join(' ')} ` +
      'rate steady_state exhaustion_s refusals level servers',
  ];
  for (const p of report.pairs) {
    lines.push(
      [
        p.source,
        p.destination,
        p.mode,
        `${p.range.low}-${p.range.high}`,
        p.usable,
        p.inUse,
        p.headroom,
        p.headroomPct,
        ...STATE_COLUMNS.map(([, get]) => get(p.states)),
        p.connectRate,
        p.steadyStateInUse,
        dash(p.exhaustionSeconds),
        p.refusals,
        p.level,
        p.servers.join(','),
      ].join(' '),
    );
  }
  lines.push(
    `# sources: source pairs sockets ${STATE_COLUMNS.map((c) => c[0]).join(' ')} rate min_headroom_pct`,
  );
  for (const s of report.sources) {
    lines.push(
      [
        s.source,
        s.pairs,
        s.sockets,
        ...STATE_COLUMNS.map(([, get]) => get(s.states)),
        s.connectRate,
        s.minHeadroomPct,
      ].join(' '),
    );
  }
  lines.push('# servers: backend server destination mode sources rate source_port_failures');
  for (const s of report.servers) {
    lines.push(
      [
        s.backend,
        s.server,
        s.destination,
        s.mode,
        dash(s.sources.join(',')),
        s.connectRate,
        s.sourcePortFailures,
      ].join(' '),
    );
  }
  for (const p of report.pairs) {
    for (const advice of p.advice) lines.push(`! ${p.level} ${p.source} -> ${p.destination}: ${advice}`);
  }
  return `${lines.join('\n')}\n\n`;
}
