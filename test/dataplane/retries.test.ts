import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDb } from '../support/mariadb.js';
import { queryPort, runClient } from '../support/mysql-client.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { showStat, statNumber, statRow } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('retries');
const REDISPATCH = ports.local(0);
const NO_REDISPATCH = ports.local(1);
const cleanup = createCleanup();
let db1: MariaDbServer;
let lbd: Lbd;
let stats: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  db1 = cleanup.add(await startMariaDb({ port: ports.mariadb[0], name: 'db1' }), (s) => s.stop());
  const dir = await makeTempDir('retries');
  stats = join(dir, 'stats.sock');
  // No health check: lbd only learns that "dead" is dead by connecting to it.
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen mysql_redispatch
      bind 127.0.0.1:${REDISPATCH}
      log global
      balance roundrobin
      retries 2
      option redispatch
      timeout connect 1s
      server dead 127.0.0.1:${REFUSED_PORT}
      server db1 127.0.0.1:${db1.port}

    listen mysql_no_redispatch
      bind 127.0.0.1:${NO_REDISPATCH}
      log global
      retries 2
      timeout connect 1s
      server dead 127.0.0.1:${REFUSED_PORT}
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

describe('retries and option redispatch', () => {
  it('has a dead server whose port refuses connections', async () => {
    const error = await new Promise<string>((resolve) => {
      const socket = connect(REFUSED_PORT, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(error).toBe('ECONNREFUSED');
  });

  it('lands clients on the live server after retrying the refused one', async () => {
    const from = lbd.mark();
    // Round robin sends at least one of two consecutive clients to "dead" first.
    expect(await queryPort({ port: REDISPATCH })).toBe(db1.port);
    expect(await queryPort({ port: REDISPATCH })).toBe(db1.port);

    const records = await lbd.waitForTrafficCount(2, 10_000, from);
    for (const r of records) expect(r).toMatchObject({ server: 'db1', termination: '--' });
    const redispatched = records.filter((r) => r.redispatched);
    expect(redispatched.length).toBeGreaterThanOrEqual(1);
    for (const r of redispatched) expect(r.retries).toBeGreaterThanOrEqual(1);

    // HAProxy's counters: a redispatch counts on the server left behind and
    // on the backend; econ counts only connections that finally failed.
    const rows = await showStat(stats);
    const dead = statRow(rows, 'mysql_redispatch', 'dead');
    const live = statRow(rows, 'mysql_redispatch', 'db1');
    const backend = statRow(rows, 'mysql_redispatch', 'BACKEND');
    expect(statNumber(dead, 'wredis')).toBe(redispatched.length);
    expect(statNumber(backend, 'wredis')).toBe(redispatched.length);
    expect(statNumber(dead, 'econ')).toBe(0);
    expect(statNumber(live, 'econ')).toBe(0);
    expect(statNumber(live, 'wredis')).toBe(0);
    expect(statNumber(live, 'stot')).toBe(2);
  });

  it('without redispatch, retries the same server then gives up (SC, econ)', async () => {
    const from = lbd.mark();
    const result = await runClient('select 1', { port: NO_REDISPATCH, timeoutMs: 15_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Lost connection/);

    const record = await lbd.waitForTraffic((r) => r.backend === 'mysql_no_redispatch', 10_000, from);
    expect(record).toMatchObject({ server: 'dead', termination: 'SC', retries: 2, redispatched: false });

    const rows = await showStat(stats);
    for (const svname of ['dead', 'BACKEND']) {
      const row = statRow(rows, 'mysql_no_redispatch', svname);
      expect({ svname, econ: statNumber(row, 'econ'), wretr: statNumber(row, 'wretr') }).toEqual({
        svname,
        econ: 1,
        wretr: 2,
      });
    }
  });
});
