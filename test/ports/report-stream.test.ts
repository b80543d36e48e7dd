import { join } from 'node:path';
import { LbClient, type PortsReportEvent, PROTOCOL_SCHEMA, type Push, validateSchema } from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type PeerLogServer, startPeerLogServer } from '../support/peer-log-server.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { openHeldClients } from './held-clients.js';

/**
 * The ports report in the subscription stream: a JSON-protocol client
 * subscribed to `ports-report` gets the monitor's report at once and then
 * at every scan, and each pair's socket counts are the connections the test
 * holds open through lbd, per source address as the server sees them.
 */
const ports = portsFor('ports-report-stream');
const LISTEN = ports.local(0);
const SOURCES = ['127.0.0.2', '127.0.0.3'];
const HELD = 7;
const cleanup = createCleanup();
let server: PeerLogServer;
let destination: string;

type ReportPush = Push & { data: PortsReportEvent };
const reports: ReportPush[] = [];
const alertPushes: Push[] = [];
/** Waiters of {@link reportAfter}, told of each report as it comes. */
const onReport = new Set<() => void>();

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  server = cleanup.add(await startPeerLogServer(ports.local(1)), (s) => s.close());
  destination = `127.0.0.1:${server.port}`;
  const dir = await makeTempDir('ports-report-stream');
  const socket = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: socket },
    `
    listen held
      bind 127.0.0.1:${LISTEN}
      server s1 ${destination} source ${SOURCES.join(',')}
    `,
  );
  cleanup.add(await startLbd(config, { dir, name: 'ports-report-stream' }), (l) => l.stop());
  const client = cleanup.add(await LbClient.connect({ path: socket }), (c) => c.close());
  await client.hello('e2e');
  // A report is cached from here on: the first push must not overtake the subscribe's response.
  await client.request('show-ports');
  await client.subscribe(['ports-report'], (push) => {
    reports.push(push as ReportPush);
    for (const notify of [...onReport]) notify();
  });
  // A subscriber of `ports` alone: it must keep getting only the pressure alerts.
  await client.subscribe(['ports'], (push) => alertPushes.push(push));
});
afterAll(() => cleanup.run());

/**
 * The push of the first report scanned after `since` (epoch ms; -1: any).
 * The monitor scans every 5 s, so one is never more than an interval away.
 */
function reportAfter(since: number, timeoutMs = 15_000): Promise<ReportPush> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const push = reports.find((p) => p.data.time > since);
      if (push === undefined) return;
      onReport.delete(check);
      clearTimeout(timer);
      resolve(push);
    };
    const timer = setTimeout(() => {
      onReport.delete(check);
      reject(new Error(`no report scanned after ${since} within ${timeoutMs} ms`));
    }, timeoutMs);
    onReport.add(check);
    check();
  });
}

/** ESTABLISHED sockets from each source address toward the server, as a report counts them. */
function establishedBySource(report: PortsReportEvent): Record<string, number> {
  const pairOf = (source: string) =>
    report.pairs.find((p) => p.source === source && p.destination === destination);
  return Object.fromEntries(SOURCES.map((source) => [source, pairOf(source)?.states.ESTABLISHED ?? 0]));
}

describe('ports-report subscription', () => {
  it('sends the current report as soon as one subscribes, valid against the protocol schema', async () => {
    // Sooner than the monitor's next scan could come: the daemon sends its latest on subscribing.
    const push = await reportAfter(-1, 2000);
    expect(push.topic).toBe('ports-report');
    expect(validateSchema(PROTOCOL_SCHEMA, push)).toBeUndefined();
    expect(push.data.pairs.map((p) => [p.source, p.destination, p.servers])).toEqual([
      ['127.0.0.2', destination, ['held/s1']],
      ['127.0.0.3', destination, ['held/s1']],
    ]);
  });

  it('streams every scan, each pair counting the connections held open from its source address', async () => {
    const held = cleanup.add(await openHeldClients(LISTEN, HELD), (h) => h.destroy());
    expect(held.failed).toBe(0);
    await server.waitFor(() => server.openCount() === HELD, 'the connections at the server', 5000);
    const open = Object.fromEntries(server.openBySource());
    // lbd spreads its connections over both addresses (least used first).
    expect(Object.keys(open).sort()).toEqual(SOURCES);

    const push = await reportAfter(Date.now());
    const report = push.data;
    expect(validateSchema(PROTOCOL_SCHEMA, push)).toBeUndefined();
    expect(establishedBySource(report)).toEqual(open);
    if (process.env.PORTS_E2E_PRINT === '1') console.table(report.pairs);

    // The connections end: the next scan no longer counts them.
    held.destroy();
    await server.waitFor(() => server.openCount() === 0, 'the connections closed at the server', 5000);
    const after = (await reportAfter(Date.now())).data;
    expect(establishedBySource(after)).toEqual({ '127.0.0.2': 0, '127.0.0.3': 0 });
    // One push per scan, at the monitor's interval.
    expect(after.time - report.time).toBeGreaterThanOrEqual(report.intervalMs - 1000);
  });

  it('leaves the ports topic to pressure alerts', () => {
    expect(reports.length).toBeGreaterThanOrEqual(3);
    // Loopback with the whole ephemeral range: no pair came near a warning, so no alert either.
    expect(alertPushes).toEqual([]);
  });
});
