import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDb } from '../support/mariadb.js';
import { type MariaDbSession, runClient, startSession } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { type StatRow, statNumber, statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('queue');
const FIFO = ports.local(0);
const SHORT_QUEUE = ports.local(1);
const cleanup = createCleanup();
const sessions = createCleanup();
let db1: MariaDbServer;
let lbd: Lbd;
let stats: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  db1 = cleanup.add(await startMariaDb({ port: ports.mariadb[0], name: 'db1' }), (s) => s.stop());
  const dir = await makeTempDir('queue');
  stats = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen mysql_fifo
      bind 127.0.0.1:${FIFO}
      log global
      timeout queue 30s
      server db1 127.0.0.1:${db1.port} maxconn 2

    listen mysql_short_queue
      bind 127.0.0.1:${SHORT_QUEUE}
      log global
      timeout queue 1s
      server db1 127.0.0.1:${db1.port} maxconn 1
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterEach(() => sessions.run());
afterAll(() => cleanup.run());

/**
 * Clients waiting in `proxy`: the backend's queue plus the servers' own
 * queues (HAProxy counts them on separate rows; lbd may use either).
 */
function queued(rows: StatRow[], proxy: string): number {
  return rows
    .filter((r) => r.pxname === proxy && r.svname !== 'FRONTEND')
    .reduce((n, r) => n + statNumber(r, 'qcur'), 0);
}
const sessionsOn = (rows: StatRow[], proxy: string) => statNumber(statRow(rows, proxy, 'db1'), 'scur');

describe('server maxconn and the queue', () => {
  it('connects 2 of 5 clients, queues 3, and serves them first come, first served', async () => {
    const from = lbd.mark();
    const open = async (): Promise<MariaDbSession> =>
      sessions.add(await startSession({ port: FIFO }), (s) => s.kill());
    const c1 = await open();
    const c2 = await open();
    expect(await c1.value('select 1')).toBe('1');
    expect(await c2.value('select 1')).toBe('1');

    // Each queued client asks one query; it can only run once it has a slot.
    const served: string[] = [];
    const queuedClients: MariaDbSession[] = [];
    const waiting = new Set<Promise<string>>();
    for (const name of ['c3', 'c4', 'c5']) {
      const client = await open();
      queuedClients.push(client);
      const answer: Promise<string> = client.value(`select '${name}'`).then((v) => {
        served.push(v);
        waiting.delete(answer);
        return v;
      });
      waiting.add(answer);
      // Wait until lbd has queued it, so arrival order is certain.
      await waitForStat(stats, (rows) => queued(rows, 'mysql_fifo') === queuedClients.length);
    }
    const rows = await waitForStat(stats, (r) => sessionsOn(r, 'mysql_fifo') === 2);
    expect(queued(rows, 'mysql_fifo')).toBe(3);
    expect(served).toEqual([]);

    // Free one slot at a time: whoever is served next must be the longest-waiting client.
    const nextServed = () => Promise.race(waiting);
    await c1.close();
    expect(await nextServed()).toBe('c3');
    expect(queued(await waitForStat(stats, (r) => sessionsOn(r, 'mysql_fifo') === 2), 'mysql_fifo')).toBe(2);

    await c2.close();
    expect(await nextServed()).toBe('c4');

    await queuedClients[0]!.close();
    expect(await nextServed()).toBe('c5');
    expect(served).toEqual(['c3', 'c4', 'c5']);

    // The waits show in the log: three of the five connections queued (Tw).
    for (const c of queuedClients.slice(1)) await c.close();
    const records = (await lbd.waitForTrafficCount(5, 10_000, from)).filter(
      (r) => r.backend === 'mysql_fifo',
    );
    expect(records).toHaveLength(5);
    expect(records.filter((r) => r.Tw >= 20)).toHaveLength(3);
    for (const r of records) expect(r.termination).toBe('--');
  });

  it('closes a client that waits longer than timeout queue (sQ)', async () => {
    const holder = sessions.add(await startSession({ port: SHORT_QUEUE }), (s) => s.kill());
    expect(await holder.value('select 1')).toBe('1');
    await waitForStat(stats, (r) => sessionsOn(r, 'mysql_short_queue') === 1);

    const from = lbd.mark();
    const late = await runClient('select 1', { port: SHORT_QUEUE, timeoutMs: 15_000 });
    expect(late.code).not.toBe(0);
    expect(late.stderr).toMatch(/Lost connection/);
    expect(late.elapsedMs).toBeGreaterThan(800);
    expect(late.elapsedMs).toBeLessThan(3_000);

    const record = await lbd.waitForTraffic((r) => r.backend === 'mysql_short_queue', 5_000, from);
    expect(record.termination).toBe('sQ');
    expect(record.bytes_read).toBe(0);
    // The holder was not disturbed.
    expect(await holder.value('select 2')).toBe('2');
  });
});
