import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbs, stopMariaDbs } from '../support/mariadb.js';
import { LBTEST_PASSWORD, LBTEST_USER, query, queryPort, startSession } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { type StatRow, statRow, statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { rootQuery, rootRow } from './mariadb-root.js';
import { transitionsOf, waitForTransition } from './transitions.js';

const ports = portsFor('health-replica');
const LB = ports.local(0);
const MONITOR_USER = 'lbmon';
/** A password distinctive enough to be searched for in every output. */
const MONITOR_PASSWORD = 'Mon1tor-S3cret-7f3a';
const MAX_LAG_S = 2;
/** The replica applies events this long after the primary wrote them. */
const DELAY_S = 5;

const cleanup = createCleanup();
let primary: MariaDbServer;
let replica: MariaDbServer;
let lbd: Lbd;
let stats: string;

let lastStatus: Record<string, string> = {};

async function replicationRunning(): Promise<boolean> {
  lastStatus = await rootRow(replica, 'SHOW SLAVE STATUS');
  return lastStatus.Slave_IO_Running === 'Yes' && lastStatus.Slave_SQL_Running === 'Yes';
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [primary, replica] = cleanup.add(
    (await startMariaDbs([
      { port: ports.mariadb[0], name: 'primary', extraArgs: ['--server-id=1', '--log-bin=mysql-bin'] },
      { port: ports.mariadb[1], name: 'replica', extraArgs: ['--server-id=2', '--relay-log=relay-bin'] },
    ])) as [MariaDbServer, MariaDbServer],
    stopMariaDbs,
  );
  // The check account needs only the right to read the replication status.
  for (const db of [primary, replica]) {
    await rootQuery(
      db,
      `CREATE USER '${MONITOR_USER}'@'127.%' IDENTIFIED BY '${MONITOR_PASSWORD}'; ` +
        `GRANT SLAVE MONITOR ON *.* TO '${MONITOR_USER}'@'127.%';`,
    );
  }
  const [file, position] = (await rootQuery(primary, 'SHOW MASTER STATUS')).split('\t');
  await rootQuery(
    replica,
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, ` +
      `MASTER_USER='${LBTEST_USER}', MASTER_PASSWORD='${LBTEST_PASSWORD}', ` +
      `MASTER_LOG_FILE='${file}', MASTER_LOG_POS=${position}, MASTER_CONNECT_RETRY=1, ` +
      `MASTER_DELAY=${DELAY_S}; START SLAVE;`,
  );
  const deadline = performance.now() + 15_000;
  while (!(await replicationRunning())) {
    if (performance.now() > deadline)
      throw new Error(`replication did not start within 15 s: ${JSON.stringify(lastStatus)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await query('CREATE DATABASE lbrepl; CREATE TABLE lbrepl.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)', {
    port: primary.port,
  });

  const dir = await makeTempDir('health-replica');
  stats = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen replicas
      bind 127.0.0.1:${LB}
      log global
      option mysql-replica-check user ${MONITOR_USER} password ${MONITOR_PASSWORD} max-lag ${MAX_LAG_S}
      timeout check 1s
      server replica 127.0.0.1:${replica.port} check inter 300ms fall 2 rise 2
      server primary 127.0.0.1:${primary.port} check inter 300ms fall 2 rise 2 backup
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

const status = (rows: StatRow[], server: string) => statRow(rows, 'replicas', server).status;

describe('mysql-replica-check on a real primary and replica', () => {
  it('serves from the replica while replication runs', async () => {
    const rows = await waitForStat(
      stats,
      (r) => status(r, 'replica') === 'UP' && status(r, 'primary') === 'UP',
    );
    expect(statRow(rows, 'replicas', 'replica').last_chk).toMatch(/^replica lag \d+s$/);
    expect(statRow(rows, 'replicas', 'primary').last_chk).toBe('not a replica');
    expect(await queryPort({ port: LB })).toBe(replica.port);
  });

  it('takes the replica out when its SQL thread stops, and back when it runs again', async () => {
    const from = lbd.mark();
    await query('STOP SLAVE SQL_THREAD', { port: replica.port });
    const down = await waitForTransition(
      lbd,
      { backend: 'replicas', server: 'replica', to: 'DOWN' },
      10_000,
      from,
    );
    expect(down.reason).toContain('replication stopped (IO thread Yes, SQL thread No)');
    const rows = await waitForStat(stats, (r) => status(r, 'replica') === 'DOWN');
    expect(statRow(rows, 'replicas', 'replica').check_status).toMatch(/^(\* )?L7STS$/);
    expect(await queryPort({ port: LB })).toBe(primary.port);

    const restart = lbd.mark();
    await query('START SLAVE SQL_THREAD', { port: replica.port });
    await waitForTransition(lbd, { backend: 'replicas', server: 'replica', to: 'UP' }, 10_000, restart);
    expect(await queryPort({ port: LB })).toBe(replica.port);
  });

  it('makes a lagging replica NOLB without cutting its sessions, and restores it once caught up', async () => {
    await waitForStat(stats, (r) => status(r, 'replica') === 'UP');
    const session = await startSession({ port: LB });
    cleanup.add(session, (s) => s.kill());
    expect(await session.value('select @@port')).toBe(String(replica.port));

    const from = lbd.mark();
    await query('INSERT INTO lbrepl.t (v) VALUES (1)', { port: primary.port });
    const soft = await waitForTransition(
      lbd,
      { backend: 'replicas', server: 'replica', to: 'NOLB' },
      15_000,
      from,
    );
    expect(soft.reason).toMatch(new RegExp(`replication lag \\d+s exceeds max-lag ${MAX_LAG_S}s`));
    const rows = await waitForStat(stats, (r) => status(r, 'replica') === 'NOLB');
    expect(statRow(rows, 'replicas', 'replica').check_status).toMatch(/^(\* )?L7OKC$/);

    // New connections go elsewhere; the open session goes on, on the replica.
    expect(await queryPort({ port: LB })).toBe(primary.port);
    expect(await session.value('select @@port')).toBe(String(replica.port));

    await waitForTransition(lbd, { backend: 'replicas', server: 'replica', to: 'UP' }, 20_000, from);
    expect(transitionsOf(lbd, { backend: 'replicas', server: 'replica' }, from)).toEqual([
      'UP -> NOLB',
      'NOLB -> UP',
    ]);
    expect(await session.value('select count(*) from lbrepl.t')).toBe('1');
    expect(await queryPort({ port: LB })).toBe(replica.port);
    expect(session.running).toBe(true);
    await session.close();
  });

  it('never shows the check password, in logs or on the stats socket', async () => {
    const outputs = [
      lbd.records.map((r) => JSON.stringify(r)).join('\n'),
      lbd.strayLines.join('\n'),
      lbd.stderr,
      ...(await Promise.all(
        ['show stat', 'show stat typed', 'show stat json', 'show servers state', 'show info'].map((c) =>
          statsCommand(stats, c),
        ),
      )),
    ];
    // The search covers real output: the stats and servers-state replies name the backend.
    for (const output of outputs.slice(3, 7)) expect(output).toContain('replicas');
    for (const output of outputs) expect(output).not.toContain(MONITOR_PASSWORD);
  });
});
