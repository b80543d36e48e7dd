import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from './cleanup.js';
import { type MariaDbServer, startMariaDb, startMariaDbPair, stopMariaDbs } from './mariadb.js';
import { query, queryPort, runClient, startSession } from './mysql-client.js';
import { allPortBlocks, portsFor, REFUSED_PORT } from './ports.js';
import { removeTempDirs } from './tmp.js';

// The harness itself, against real MariaDB servers and no lbd: if these fail,
// every data-plane test would fail for a reason that is not the daemon's.
const ports = portsFor('support-mariadb');
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
});
afterAll(() => cleanup.run());

describe('MariaDB test servers', () => {
  it('answer select @@port on their own port, as lbtest', async () => {
    expect(await queryPort({ port: db1.port })).toBe(db1.port);
    expect(await queryPort({ port: db2.port })).toBe(db2.port);
    expect(await query('select @@server_id', { port: db2.port })).toBe('2');
  });

  it('see the relay source address as the client host', async () => {
    expect(await query('select user()', { port: db1.port, sourceAddress: '127.0.0.7' })).toBe(
      'lbtest@127.0.0.7',
    );
  });

  it('come back after a kill and a restart, on the same port and data', async () => {
    await query('create database if not exists keep; create table if not exists keep.t (x int)', {
      port: db2.port,
    });
    await db2.kill();
    expect(db2.running).toBe(false);
    const refused = await runClient('select 1', { port: db2.port, timeoutMs: 5_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Can't connect/);

    await db2.restart();
    expect(await queryPort({ port: db2.port })).toBe(db2.port);
    expect(await query("show tables in keep like 't'", { port: db2.port })).toBe('t');
  });

  it('stop cleanly on SIGTERM', async () => {
    const extra = await startMariaDb({ port: ports.mariadb[2], name: 'db3', extraArgs: ['--server-id=3'] });
    cleanup.add(extra, (s) => s.stop());
    const exit = await extra.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await extra.errorLogTail()).toMatch(/Shutdown complete/);
  });
});

describe('interactive sessions', () => {
  it('keep one connection across queries and report its end', async () => {
    const session = await startSession({ port: db1.port });
    cleanup.add(session, (s) => s.kill());
    const id = await session.value('select connection_id()');
    expect(await session.value('select connection_id()')).toBe(id);
    expect(await session.query("select 1, 'a b'")).toEqual([['1', 'a b']]);
    const exit = await session.close();
    expect(exit.code).toBe(0);
  });

  it('reject the pending query when the server goes away', async () => {
    const session = await startSession({ port: db1.port });
    cleanup.add(session, (s) => s.kill());
    await session.value('select 1');
    // Settled into a value at once: the rejection arrives while we are still killing.
    const sleeping = session.query('select sleep(30)').then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    const id = await query(
      'select id from information_schema.processlist where info like "select sleep(30)%"',
      {
        port: db1.port,
      },
    );
    await query(`kill ${id}`, { port: db1.port });
    expect(await sleeping).toMatch(/Lost connection|server has gone away/);
  });
});

describe('port plan', () => {
  it('gives every file disjoint ports outside the ephemeral range', () => {
    const seen = new Set<number>([REFUSED_PORT]);
    for (const { ports: block } of allPortBlocks()) {
      const all = [...block.mariadb, ...Array.from({ length: 16 }, (_, i) => block.local(i))];
      for (const p of all) {
        expect(seen.has(p)).toBe(false);
        expect(p < 32768 || p > 60999).toBe(true);
        seen.add(p);
      }
    }
  });
});
