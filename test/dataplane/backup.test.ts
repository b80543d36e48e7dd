import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import type { Lbd } from '../support/lbd.js';
import type { MariaDbServer } from '../support/mariadb.js';
import { queryPort } from '../support/mysql-client.js';
import { startPairBehindLbd } from '../support/pair-behind-lbd.js';
import { portsFor } from '../support/ports.js';
import { type StatRow, statNumber, statRow, waitForStat } from '../support/stats.js';

const ports = portsFor('backup');
const LB = ports.local(0);
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;
let stats: string;

beforeAll(async () => {
  ({ db1, db2, lbd, stats } = await startPairBehindLbd(
    'backup',
    cleanup,
    (a, b) => `
    listen mysql_bck
      bind 127.0.0.1:${LB}
      log global
      balance roundrobin
      server db1 127.0.0.1:${a.port} check inter 200ms fall 1 rise 1
      server db2 127.0.0.1:${b.port} check inter 200ms fall 1 rise 1 backup
    `,
  ));
});
afterAll(() => cleanup.run());

const status = (rows: StatRow[], server: string) => statRow(rows, 'mysql_bck', server).status ?? '';

/** Six clients in a row: the ports that answered and the servers lbd logged for them. */
async function sixClients(): Promise<{ ports: Set<number>; servers: Set<string> }> {
  const from = lbd.mark();
  const ports = new Set<number>();
  for (let i = 0; i < 6; i++) ports.add(await queryPort({ port: LB }));
  const records = await lbd.waitForTrafficCount(6, 10_000, from);
  return { ports, servers: new Set(records.map((r) => r.server)) };
}

describe('backup server', () => {
  it('serves only while the active server is down', async () => {
    const rows = await waitForStat(stats, (r) => status(r, 'db1') === 'UP' && status(r, 'db2') === 'UP');
    expect(statNumber(statRow(rows, 'mysql_bck', 'db2'), 'bck')).toBe(1);
    expect(await sixClients()).toEqual({ ports: new Set([db1.port]), servers: new Set(['db1']) });

    await db1.stop();
    await waitForStat(stats, (r) => status(r, 'db1').startsWith('DOWN'));
    expect(await sixClients()).toEqual({ ports: new Set([db2.port]), servers: new Set(['db2']) });

    await db1.start();
    await waitForStat(stats, (r) => status(r, 'db1') === 'UP');
    expect(await sixClients()).toEqual({ ports: new Set([db1.port]), servers: new Set(['db1']) });
  });
});
