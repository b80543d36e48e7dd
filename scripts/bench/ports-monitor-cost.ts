/**
 * What the ports monitor costs with a large TCP table. Fills the table of a
 * network namespace of its own with --sockets sockets (loopback connections
 * held by filler processes, both ends in the table, so half of the sockets
 * are toward the watched servers, as lbd's server side would be on a proxy
 * host), then measures lbd's PortsMonitor: CPU of its own parsing plus the
 * `ss` it runs, in ms per scan and in % of one core.
 *
 * Two tables, filled one after the other:
 * - established: every connection open; a regular scan skips ESTABLISHED
 *   sockets (lbd counts its own), a full scan (every 60 s) reads them;
 * - closing: every connection half-closed (FIN_WAIT2 / CLOSE_WAIT), which a
 *   regular scan must read like a TIME_WAIT pile-up: the worst case.
 * Each with both readers: sock_diag (`ss` with a kernel-side filter) and
 * procfs (/proc/net/tcp{,6}, the fallback). Then lbd's defaults run for
 * --seconds on the closing table, where its CPU budget stretches the interval.
 *
 *   pnpm build && node scripts/bench/ports-monitor-cost.ts [--sockets 200000] [--seconds 60]
 *
 * Runs in a network namespace of its own (unshare -n): no sysctl of the
 * machine is touched and no one else's sockets are counted.
 */
import { parseArgs } from 'node:util';
import { parseConfig, RuntimeModel } from '../../packages/daemon/dist/index.js';
import {
  PortsMonitor,
  type PortsMonitorOptions,
  type PortsReport,
} from '../../packages/daemon/dist/ports/index.js';
import { DataPlane } from '../../packages/daemon/dist/proxy/index.js';
import { cleanupAll, installSignalHandlers, type Proc, probeSetpriv } from './lib/processes.ts';
import { childrenCpuMs, ensureOwnNetns, fillTable } from './ports-lib.ts';

await ensureOwnNetns(import.meta.url);
const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '60' },
    tables: { type: 'string', default: 'established,closing' },
  },
});
const sockets = Number(values.sockets);
const seconds = Number(values.seconds);
/** Scans per measurement of the cost of one. */
const SCANS = 4;
const log = (message: string) => process.stderr.write(`ports-monitor-cost: ${message}\n`);
const silent = { child: () => silent, info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {} };

function monitorFor(ports: number[], options: PortsMonitorOptions): PortsMonitor {
  const servers = ports.map((port, i) => `  server s${i + 1} 127.0.0.1:${port}`);
  const text = ['defaults', '  mode tcp', '  timeout connect 1s', '', 'backend fill', ...servers, ''].join(
    '\n',
  );
  const parsed = parseConfig([{ path: 'bench.cfg', text }]);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const dataPlane = new DataPlane(new RuntimeModel(parsed.config), silent as never);
  return new PortsMonitor(parsed.config, dataPlane, silent as never, options);
}

const cpuNow = () => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000 + childrenCpuMs();
};

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

installSignalHandlers();
await probeSetpriv();
const rows: string[] = [];
let steady = '';
try {
  for (const table of values.tables.split(',')) {
    let procs: Proc[] = [];
    try {
      const filled = await fillTable({
        connections: Math.ceil(sockets / 2),
        basePort: 14001,
        halfClose: table === 'closing',
        log: (m) => log(`${table}: ${m}`),
      });
      procs = filled.procs;
      for (const reader of ['sock_diag', 'procfs'] as const) {
        for (const scanKind of ['regular', 'full'] as const) {
          if (reader === 'procfs' && scanKind === 'regular') continue; // procfs always reads everything
          const monitor = monitorFor(filled.ports, {
            reader,
            fullScanMs: scanKind === 'full' ? 0 : 3_600_000,
          });
          await monitor.scanNow(); // the first scan is a full one, and warms up the JIT
          const cpu0 = cpuNow();
          let report: PortsReport | undefined;
          for (let i = 0; i < SCANS; i++) report = await monitor.scanNow();
          const perScan = (cpuNow() - cpu0) / SCANS;
          const matched = report!.pairs.reduce((n, p) => n + sum(p.states), 0);
          const row =
            `| ${table} | ${reader} | ${scanKind === 'full' ? 'full (all states)' : 'regular (no ESTABLISHED)'} | ` +
            `${report!.scan.sockets} | ${matched} | ${perScan.toFixed(0)} | ${((100 * perScan) / 5000).toFixed(1)} % |`;
          rows.push(row);
          log(row);
        }
      }
      if (table === 'closing') {
        const monitor = monitorFor(filled.ports, {});
        const reports: PortsReport[] = [];
        monitor.on('report', (report) => reports.push(report));
        const cpu0 = cpuNow();
        const started = Date.now();
        monitor.start();
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        monitor.stop();
        const pct = (100 * (cpuNow() - cpu0)) / (Date.now() - started);
        steady =
          `lbd's defaults for ${seconds} s on the closing table (reader ${reports[0]?.scan.reader}): ` +
          `${reports.length} scans, next intervals ${reports.map((r) => r.intervalMs).join(', ')} ms, ` +
          `CPU ${pct.toFixed(2)} % of a core`;
        log(steady);
      }
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
    }
  }
  console.log(`\nTCP table: ${sockets} sockets (loopback connections, both ends in the table)\n`);
  console.log(
    '| table | reader | scan | sockets read | toward watched servers | CPU ms per scan | CPU at a 5 s interval |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  if (steady !== '') console.log(`\n${steady}`);
} finally {
  await cleanupAll();
}
