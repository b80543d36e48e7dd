import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbPair, stopMariaDbs } from '../support/mariadb.js';
import { query, queryPort } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { type StatRow, statNumber, statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { transitionsOf, waitForTransition } from './transitions.js';

const ports = portsFor('health-mysql');
const LB_PAIR = ports.local(0);
const INTER_MS = 300;
const FALL = 2;
const RISE = 2;
const CHECK_TIMEOUT_MS = 500;

const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;
let stats: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
  // The account HAProxy's documentation asks for: known to the server, no password.
  for (const db of [db1, db2]) await query("CREATE USER 'lbcheck'@'127.%'", { port: db.port });
  const dir = await makeTempDir('health-mysql');
  stats = join(dir, 'stats.sock');
  const checked = `check inter ${INTER_MS}ms fall ${FALL} rise ${RISE}`;
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen mysql_pair
      bind 127.0.0.1:${LB_PAIR}
      log global
      balance roundrobin
      option mysql-check user lbcheck post-41
      timeout check ${CHECK_TIMEOUT_MS}ms
      server db1 127.0.0.1:${db1.port} ${checked}
      server db2 127.0.0.1:${db2.port} ${checked}

    listen mysql_unknown_user
      bind 127.0.0.1:${ports.local(1)}
      option mysql-check user nosuch_user post-41
      server db1 127.0.0.1:${db1.port} check inter ${INTER_MS}ms fall 1 rise 1

    listen mysql_known_user
      bind 127.0.0.1:${ports.local(2)}
      option mysql-check user lbcheck
      server db1 127.0.0.1:${db1.port} check inter ${INTER_MS}ms fall 1 rise 1

    listen mysql_plain_tcp
      bind 127.0.0.1:${ports.local(3)}
      server db1 127.0.0.1:${db1.port} check inter ${INTER_MS}ms fall 1 rise 1
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

const row = (rows: StatRow[], proxy: string, server: string) => statRow(rows, proxy, server);
const status = (rows: StatRow[], proxy: string, server: string) => row(rows, proxy, server).status;

async function answeringPorts(count: number): Promise<number[]> {
  const answered: number[] = [];
  for (let i = 0; i < count; i++) answered.push(await queryPort({ port: LB_PAIR }));
  return answered;
}

describe('mysql-check against real MariaDB servers', () => {
  it('marks a killed server DOWN within fall x inter + timeout check, sends it nothing, and brings it back after rise checks', async () => {
    await waitForStat(
      stats,
      (r) => status(r, 'mysql_pair', 'db1') === 'UP' && status(r, 'mysql_pair', 'db2') === 'UP',
    );
    const beforeKill = lbd.mark();
    const killedAt = Date.now();
    await db2.kill();
    const down = await waitForTransition(
      lbd,
      { backend: 'mysql_pair', server: 'db2', to: 'DOWN' },
      10_000,
      beforeKill,
    );
    expect(down.time - killedAt).toBeLessThanOrEqual(FALL * INTER_MS + CHECK_TIMEOUT_MS);
    expect(down.reason).toContain('Connection refused');
    // Going down passes through the transitional display: one failure left, then none.
    expect(transitionsOf(lbd, { backend: 'mysql_pair', server: 'db2' }, beforeKill)).toEqual([
      'UP -> UP 1/2',
      'UP 1/2 -> DOWN',
    ]);

    const downRow = row(
      await waitForStat(stats, (r) => status(r, 'mysql_pair', 'db2') === 'DOWN'),
      'mysql_pair',
      'db2',
    );
    expect(downRow.check_status).toMatch(/^(\* )?L4CON$/);
    expect(downRow.last_chk).toBe('Connection refused');
    expect(statNumber(downRow, 'chkdown')).toBe(1);

    const beforeQueries = lbd.mark();
    expect(new Set(await answeringPorts(8))).toEqual(new Set([db1.port]));
    const records = await lbd.waitForTrafficCount(8, 10_000, beforeQueries);
    expect(records.map((r) => r.server)).toEqual(Array(8).fill('db1'));

    const beforeRestart = lbd.mark();
    await db2.start();
    await waitForTransition(lbd, { backend: 'mysql_pair', server: 'db2', to: 'UP' }, 10_000, beforeRestart);
    // RISE successful checks: DOWN -> DOWN 1/2 -> UP.
    expect(transitionsOf(lbd, { backend: 'mysql_pair', server: 'db2' }, beforeRestart)).toEqual([
      'DOWN -> DOWN 1/2',
      'DOWN 1/2 -> UP',
    ]);
    expect(new Set(await answeringPorts(8))).toEqual(new Set([db1.port, db2.port]));
  });

  it('shows a login MariaDB refuses as DOWN with the server error, while a plain TCP check says UP', async () => {
    const rows = await waitForStat(
      stats,
      (r) =>
        status(r, 'mysql_unknown_user', 'db1') === 'DOWN' &&
        status(r, 'mysql_known_user', 'db1') === 'UP' &&
        status(r, 'mysql_plain_tcp', 'db1') === 'UP',
    );
    const refused = row(rows, 'mysql_unknown_user', 'db1');
    expect(refused.check_status).toMatch(/^(\* )?L7STS$/);
    expect(refused.check_code).toBe('1045');
    // Worded as HAProxy 2.6 shows it: the SQL state marker, then the server's message.
    expect(refused.last_chk).toBe(
      "#28000Access denied for user 'nosuch_user'@'127.0.0.1' (using password: NO)",
    );
    expect(refused.check_desc).toBe('Layer7 wrong status');
    const down = await waitForTransition(
      lbd,
      { backend: 'mysql_unknown_user', server: 'db1', to: 'DOWN' },
      10_000,
      0,
    );
    expect(down.reason).toContain("Access denied for user 'nosuch_user'");

    const known = row(rows, 'mysql_known_user', 'db1');
    expect(known.check_status).toMatch(/^(\* )?L7OK$/);
    expect(known.check_code).toBe('0');
    const plain = row(rows, 'mysql_plain_tcp', 'db1');
    expect(plain.check_status).toMatch(/^(\* )?L4OK$/);
  });
});
