import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import type { Lbd } from '../support/lbd.js';
import type { MariaDbServer } from '../support/mariadb.js';
import { query, queryPort } from '../support/mysql-client.js';
import { startPairBehindLbd } from '../support/pair-behind-lbd.js';
import { portsFor } from '../support/ports.js';

const ports = portsFor('source');
const SRC = ports.local(0);
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;

beforeAll(async () => {
  ({ db1, db2, lbd } = await startPairBehindLbd(
    'source',
    cleanup,
    (a, b) => `
    listen mysql_src
      bind 127.0.0.1:${SRC}
      log global
      balance source
      server db1 127.0.0.1:${a.port}
      server db2 127.0.0.1:${b.port}
    `,
  ));
});
afterAll(() => cleanup.run());

describe('balance source', () => {
  it('keeps a client address on one server', async () => {
    const from = lbd.mark();
    const answered = new Set<number>();
    for (let i = 0; i < 20; i++) answered.add(await queryPort({ port: SRC, sourceAddress: '127.0.0.2' }));
    expect(answered.size).toBe(1);
    // lbd saw the client's own address.
    const records = await lbd.waitForTrafficCount(20, 10_000, from);
    for (const r of records) expect(r.client).toMatch(/^127\.0\.0\.2:\d+$/);
  });

  it('spreads client addresses over both servers', async () => {
    const byAddress = new Map<string, number>();
    for (let host = 2; host <= 30; host++) {
      const address = `127.0.0.${host}`;
      byAddress.set(address, await queryPort({ port: SRC, sourceAddress: address }));
    }
    expect(new Set(byAddress.values())).toEqual(new Set([db1.port, db2.port]));
    // And each address still lands where it did (the hash is stable).
    for (const address of ['127.0.0.3', '127.0.0.17', '127.0.0.30']) {
      expect(await queryPort({ port: SRC, sourceAddress: address })).toBe(byAddress.get(address));
    }
    // The server sees lbd, not the client: no PROXY protocol here.
    expect(await query('select user()', { port: SRC, sourceAddress: '127.0.0.5' })).toBe('lbtest@127.0.0.1');
  });
});
