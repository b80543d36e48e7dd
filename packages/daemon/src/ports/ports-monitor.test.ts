import { describe, expect, it } from 'vitest';
import { DataPlane } from '../proxy/index.js';
import { modelWith, serverConfig } from '../proxy/test-fixtures.js';
import type { PortAlert } from './alerts.js';
import { PortsMonitor } from './ports-monitor.js';
import { addToPair, countSocket, emptyScan, type ScanWatch, type TableScan } from './socket-table.js';
import { TCP_ESTABLISHED, TCP_TIME_WAIT } from './tcp-states.js';

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function fakeLogger(into: Logged[]) {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      into.push({ level, fields, message });
    };
  const log = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: () => log,
  };
  return log;
}

/** One backend, one server at 127.0.0.1:10001 leaving from 127.0.0.2:40000-40099 (100 ports). */
function setup(tables: ((watch: ScanWatch) => TableScan)[]) {
  const model = modelWith([
    serverConfig('s1', 1, { source: { addresses: ['127.0.0.2'], portRange: { low: 40000, high: 40099 } } }),
  ]);
  const logged: Logged[] = [];
  const log = fakeLogger(logged);
  const dataPlane = new DataPlane(model, log as never);
  let scans = 0;
  const monitor = new PortsMonitor(model.config, dataPlane, log as never, {
    fullScanMs: 0,
    scanTable: async (watch) => tables[Math.min(scans++, tables.length - 1)]!(watch),
  });
  const alerts: PortAlert[] = [];
  monitor.on('alert', (alert) => alerts.push(alert));
  return { monitor, alerts, logged };
}

function table(established: number, timeWait: number) {
  return (watch: ScanWatch): TableScan => {
    const scan = emptyScan('sock_diag', watch);
    const pair = addToPair(scan, '127.0.0.2', watch.destinations[0]!);
    let port = 40000;
    for (let i = 0; i < established; i++) countSocket(pair, TCP_ESTABLISHED, port++);
    for (let i = 0; i < timeWait; i++) countSocket(pair, TCP_TIME_WAIT, port++);
    return scan;
  };
}

describe('PortsMonitor', () => {
  it('watches the servers, raises warning then critical alerts with advice, and the return to ok', async () => {
    const { monitor, alerts, logged } = setup([
      table(10, 0),
      table(50, 35),
      table(60, 38),
      table(100, 0),
      table(5, 0),
    ]);
    const first = await monitor.scanNow();
    expect(first.pairs.map((p) => [p.source, p.destination, p.level])).toEqual([
      ['127.0.0.2', '127.0.0.1:10001', 'ok'],
    ]);
    expect(alerts).toEqual([]);
    await monitor.scanNow(); // 85 of 100 in use: 15 % headroom
    expect(alerts.at(-1)).toMatchObject({
      level: 'warning',
      previous: 'ok',
      used: 85,
      available: 100,
      headroomPct: 15,
    });
    await monitor.scanNow(); // 98 of 100: still under 5 % headroom from here
    expect(alerts.at(-1)).toMatchObject({ level: 'critical', previous: 'warning', headroomPct: 2 });
    expect(alerts.at(-1)!.advice.some((a) => a.includes('TIME_WAIT'))).toBe(true);
    await monitor.scanNow(); // still critical: no new event
    expect(alerts).toHaveLength(2);
    await monitor.scanNow();
    expect(alerts.at(-1)).toMatchObject({ level: 'ok', previous: 'critical' });
    expect(logged.filter((l) => l.message.startsWith('source ports')).map((l) => l.level)).toEqual([
      'warn',
      'error',
      'info',
    ]);
    expect(logged.find((l) => l.level === 'error')!.message).toMatch(
      /^source ports nearly or fully exhausted: 127\.0\.0\.2 -> 127\.0\.0\.1:10001, 98\/100 in use \(2% headroom\); /,
    );
  });

  it('shares one scan between concurrent callers and serves a recent report from memory', async () => {
    const { monitor } = setup([table(1, 0)]);
    const [a, b] = await Promise.all([monitor.scanNow(), monitor.scanNow()]);
    expect(a).toBe(b);
    expect(await monitor.current(60_000)).toBe(a);
  });
});
