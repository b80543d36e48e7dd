import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import type { Lbd } from '../support/lbd.js';
import type { MariaDbServer } from '../support/mariadb.js';
import { queryPort, runMany } from '../support/mysql-client.js';
import { startPairBehindLbd } from '../support/pair-behind-lbd.js';
import { portsFor } from '../support/ports.js';
import { showStat, statNumber, statRow } from '../support/stats.js';

const ports = portsFor('roundrobin');
const RR = ports.local(0);
const WEIGHTED = ports.local(1);
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;
let stats: string;

beforeAll(async () => {
  ({ db1, db2, lbd, stats } = await startPairBehindLbd(
    'roundrobin',
    cleanup,
    (a, b) => `
    listen mysql_rr
      bind 127.0.0.1:${RR}
      log global
      balance roundrobin
      server db1 127.0.0.1:${a.port}
      server db2 127.0.0.1:${b.port}

    listen mysql_weighted
      bind 127.0.0.1:${WEIGHTED}
      log global
      balance roundrobin
      server db1 127.0.0.1:${a.port} weight 3
      server db2 127.0.0.1:${b.port} weight 1
    `,
  ));
});
afterAll(() => cleanup.run());

describe('balance roundrobin', () => {
  it('alternates clients between db1 and db2', async () => {
    const from = lbd.mark();
    const answered: number[] = [];
    for (let i = 0; i < 10; i++) answered.push(await queryPort({ port: RR }));

    expect(new Set(answered)).toEqual(new Set([db1.port, db2.port]));
    for (let i = 1; i < answered.length; i++) expect(answered[i]).not.toBe(answered[i - 1]);

    // One log record per connection, naming the server that answered.
    const records = await lbd.waitForTrafficCount(10, 10_000, from);
    const byName = { db1: db1.port, db2: db2.port } as Record<string, number>;
    // (Records come as connections end, which need not be the order they began.)
    const sorted = (ports: number[]) => [...ports].sort((a, b) => a - b);
    expect(sorted(records.map((r) => byName[r.server] ?? -1))).toEqual(sorted(answered));
    for (const r of records) {
      expect(r).toMatchObject({ frontend: 'mysql_rr', backend: 'mysql_rr', termination: '--', retries: 0 });
      expect(r.client).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(r.bytes_read).toBeGreaterThan(0);
      expect(r.bytes_uploaded).toBeGreaterThan(0);
    }
  });

  it('weights 3:1 give exactly 300 and 100 of 400 connections', async () => {
    const answered = await runMany(400, 8, () => queryPort({ port: WEIGHTED }));
    const count = (port: number) => answered.filter((p) => p === port).length;
    expect({ db1: count(db1.port), db2: count(db2.port) }).toEqual({ db1: 300, db2: 100 });

    const rows = await showStat(stats);
    expect(statNumber(statRow(rows, 'mysql_weighted', 'db1'), 'stot')).toBe(300);
    expect(statNumber(statRow(rows, 'mysql_weighted', 'db2'), 'stot')).toBe(100);
    expect(statNumber(statRow(rows, 'mysql_weighted', 'db1'), 'weight')).toBe(3);
  });
});
