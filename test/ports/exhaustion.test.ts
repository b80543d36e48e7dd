import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, type LogRecord, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { type HoldingServer, openHeldClients, settled, startHoldingServer, until } from './held-clients.js';

/**
 * Source-port exhaustion, reproduced with a narrowed range: lbd picks the
 * ports of `source ADDR:28000-28999` itself, so one (address, server) pair
 * holds at most 1,000 connections. The range is outside the ephemeral range
 * and the e2e port plan, so nothing else on the machine takes those ports.
 * `option nolinger`: when the test closes its clients lbd resets the server
 * side, so no TIME_WAIT is left on those tuples for the next run.
 * lbd logs at debug level: its monitor then logs every scan ('ports scan').
 */
const ports = portsFor('ports-exhaustion');
const ONE = ports.local(0);
const FOUR = ports.local(1);
const RANGE = 1000;
const EXCESS = 100;
const cleanup = createCleanup();
let lbd: Lbd;
let server1: HoldingServer;
let server4: HoldingServer;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  server1 = cleanup.add(await startHoldingServer(ports.local(2)), (s) => s.close());
  server4 = cleanup.add(await startHoldingServer(ports.local(3)), (s) => s.close());
  const dir = await makeTempDir('ports-exhaustion');
  const config = lbdConfig(
    { statsSocket: `${dir}/stats.sock`, global: ['maxconn 9000'] },
    `
    listen one
      bind 127.0.0.1:${ONE}
      option nolinger
      server s1 127.0.0.1:${server1.port} source 127.0.0.1:28000-28999

    listen four
      bind 127.0.0.1:${FOUR}
      option nolinger
      source 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5:28000-28999
      server s4 127.0.0.1:${server4.port}
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir, args: ['--log-level', 'debug'] }), (l) => l.stop());
});
afterAll(() => cleanup.run());

const isPorts = (r: LogRecord) => r.component === 'ports';

/** A pair in the monitor's debug 'ports scan' record. */
interface PairLine {
  source: string;
  destination: string;
  inUse: number;
  usable: number;
  states: Record<string, number>;
  level: string;
}

/**
 * Opens range x addresses + EXCESS clients through `port` and checks what a
 * user sees: exactly range x addresses reach the server and stay, the
 * excess are closed by lbd within a second of connecting, never left hanging.
 */
async function exhaust(frontend: string, port: number, server: HoldingServer, addresses: number) {
  const capacity = RANGE * addresses;
  const from = lbd.mark();
  const clients = await openHeldClients(port, capacity + EXCESS);
  try {
    expect(clients.failed).toBe(0);
    // lbd's connections can wait in the test server's accept queue (the SYN flood of a burst overflows
    // it and the kernel retransmits): wait for the counts, then check they stay put.
    await until(() => server.accepted >= capacity && clients.closed().length >= EXCESS, 30_000);
    await settled(() => [server.accepted, clients.closed().length], 2000);
    expect(server.accepted).toBe(capacity);
    expect(clients.open()).toHaveLength(capacity);
    const closed = clients.closed();
    expect(closed).toHaveLength(EXCESS);
    const latency = Math.max(...closed.map((c) => c.closedAt! - c.connectedAt));
    expect(latency).toBeLessThan(1000);
    if (process.env.PORTS_E2E_PRINT === '1')
      console.log({ frontend, held: server.accepted, closed: closed.length, latency });
    // Each excess client's session ended with HAProxy's termination state RC (resource, connect).
    const failed = () => lbd.traffic(from).filter((r) => r.frontend === frontend && r.termination === 'RC');
    await until(() => failed().length >= EXCESS, 10_000);
    expect(failed()).toHaveLength(EXCESS);
    // The monitor's next scan counts the failures per server and logs them with advice.
    const failures = await lbd.waitForLog(
      (r) => isPorts(r) && r.sourcePortFailures === EXCESS && typeof r.failures === 'number',
      15_000,
      from,
    );
    expect(failures.msg).toMatch(/found no free source port/);
    expect((failures.advice as string[]).length).toBeGreaterThan(0);
    // Every (source address, server) pair is reported with no headroom left...
    const sources = Array.from({ length: addresses }, (_, i) =>
      addresses === 1 ? '127.0.0.1' : `127.0.0.${2 + i}`,
    );
    const destination = `127.0.0.1:${server.port}`;
    const scan = await lbd.waitForLog(
      (r) =>
        isPorts(r) &&
        r.msg === 'ports scan' &&
        sources.every((source) =>
          (r.pairs as PairLine[]).some(
            // At least: a tuple left in TIME_WAIT by an earlier run of this test counts too.
            (p) =>
              p.source === source && p.destination === destination && p.inUse >= RANGE && p.usable === RANGE,
          ),
        ),
      15_000,
      from,
    );
    for (const p of (scan.pairs as PairLine[]).filter((p) => p.destination === destination)) {
      expect(p).toMatchObject({ level: 'critical', states: { ESTABLISHED: RANGE } });
    }
    // ...and raised a critical alert (log and event) for each, with advice.
    for (const source of sources) {
      const alert = await lbd.waitForLog(
        (r) =>
          isPorts(r) && r.pressure === 'critical' && r.source === source && r.destination === destination,
        15_000,
        from,
      );
      expect(alert.level).toBe(50);
      expect(alert).toMatchObject({ available: RANGE, servers: [addresses === 1 ? 'one/s1' : 'four/s4'] });
      expect(alert.msg).toMatch(/^source ports nearly or fully exhausted: /);
      expect((alert.advice as string[])[0]).toMatch(/^add source addresses/);
    }
    return { latency };
  } finally {
    clients.destroy();
  }
}

describe('source-port exhaustion', () => {
  it('one source address with a 1,000-port range holds 1,000 connections to a server; the rest are closed at once', async () => {
    await exhaust('one', ONE, server1, 1);
  });

  it('four source addresses on the same range hold four times as many', async () => {
    await exhaust('four', FOUR, server4, 4);
  });
});
