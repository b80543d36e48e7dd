import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbPair, stopMariaDbs } from '../support/mariadb.js';
import { type MariaDbSession, queryPort, startSession } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { showStat, statNumber, statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { lbctl, spawnLbctl, waitForOutput } from './lbctl.js';

const ports = portsFor('cli-drain');
const RW = ports.local(0);
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let stats: string;
let env: Record<string, string>;
let session: MariaDbSession | undefined;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
  const dir = await makeTempDir('cli-drain');
  stats = join(dir, 'stats.sock');
  env = { LBCTL_SOCKET: stats };
  // balance first: every client goes to db1 while it takes sessions, so the
  // test knows where its session is; a draining db1 sends newcomers to db2.
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen mysql_rw
      bind 127.0.0.1:${RW}
      balance first
      server db1 127.0.0.1:${db1.port} check inter 300 rise 1 fall 1
      server db2 127.0.0.1:${db2.port} check inter 300 rise 1 fall 1
    `,
  );
  cleanup.add(await startLbd(config, { dir, name: 'cli-drain' }), (l) => l.stop());
});
afterAll(() => cleanup.run());
afterEach(async () => {
  await session?.kill();
  session = undefined;
  await lbctl(['ready', 'mysql_rw/db1', '-q'], env);
  await waitForStat(stats, (rows) => {
    const row = statRow(rows, 'mysql_rw', 'db1');
    return row.status === 'UP' && statNumber(row, 'scur') === 0;
  });
});

/** A client holding a session open on db1. */
async function holdSessionOnDb1(): Promise<MariaDbSession> {
  session = await startSession({ port: RW });
  expect(await session.value('select @@port')).toBe(String(db1.port));
  return session;
}

describe('lbctl drain --wait against real MariaDB sessions', () => {
  it('with a session held open, exits 7 at about --timeout 5s and leaves db1 in DRAIN', async () => {
    await holdSessionOnDb1();
    const result = await lbctl(['drain', 'db1', '--wait', '--timeout', '5s', '--then', 'maint'], env);
    expect(result.code).toBe(7);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(5000);
    expect(result.elapsedMs).toBeLessThan(6500);
    expect(result.stdout).toMatch(
      /^mysql_rw\/db1: DRAIN \(admin drain, health up, weight 1, 1 session, was UP\)\n$/,
    );
    expect(result.stderr).toContain('waiting for sessions to end: mysql_rw/db1 1\n');
    expect(result.stderr).toMatch(
      /lbctl: timed out after 5\.0s waiting for the drain; still open: mysql_rw\/db1: 1 session \(left in DRAIN\)\n$/,
    );
    expect(statRow(await showStat(stats), 'mysql_rw', 'db1').status).toBe('DRAIN');
  });

  it('returns as soon as the client disconnects, and --then maint leaves db1 in MAINT', async () => {
    const held = await holdSessionOnDb1();
    const drain = spawnLbctl(['drain', 'db1', '--wait', '--timeout', '30s', '--then', 'maint'], env);
    await waitForOutput(drain, (o) => o.stderr.includes('mysql_rw/db1 1'));
    // Draining: new clients go to db2 while the old session lives on db1.
    expect(await queryPort({ port: RW })).toBe(db2.port);
    const closedAt = performance.now();
    await held.close();
    const result = await drain.done;
    const afterClose = performance.now() - closedAt;
    expect(result.code).toBe(0);
    // One stats interval (100 ms) plus process exit; far from the 30 s timeout.
    expect(afterClose).toBeLessThan(1000);
    expect(result.stdout).toMatch(/\ndrained in [\d.]+m?s\nmysql_rw\/db1: MAINT \(admin maint/);
    expect(statRow(await showStat(stats), 'mysql_rw', 'db1').status).toBe('MAINT');
  });

  it('Ctrl-C while waiting exits 130 and leaves the server draining', async () => {
    await holdSessionOnDb1();
    const drain = spawnLbctl(['drain', 'db1', '--wait'], env);
    await waitForOutput(drain, (o) => o.stderr.includes('mysql_rw/db1 1'));
    drain.child.kill('SIGINT');
    const result = await drain.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/lbctl: interrupted\n$/);
    expect(statRow(await showStat(stats), 'mysql_rw', 'db1').status).toBe('DRAIN');
  });

  it('--kill-after closes the stragglers, then the drain completes', async () => {
    await holdSessionOnDb1();
    const result = await lbctl(
      ['drain', 'mysql_rw/db1', '--wait', '--timeout', '20s', '--kill-after', '1s', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.elapsedMs).toBeLessThan(5000);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      action: 'drain',
      servers: [{ server: 'db1', admin: 'drain' }],
      wait: { drained: true, killed: 1 },
    });
    expect(doc.wait.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(statNumber(statRow(await showStat(stats), 'mysql_rw', 'db1'), 'scur')).toBe(0);
    await expect(session!.value('select 1', 5000)).rejects.toThrow();
  });
});
