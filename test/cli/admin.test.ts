import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type JsonSchema, validateSchema } from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbPair, stopMariaDbs } from '../support/mariadb.js';
import { queryPort, startSession } from '../support/mysql-client.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { showStat, statNumber, statRow, statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { lbctl, spawnLbctl, waitForOutput } from './lbctl.js';

const ports = portsFor('cli-admin');
const RO = ports.local(0);
const RW = ports.local(1);
const DEAD = ports.local(2);
const WS = ports.local(3);
const TOKEN = 'cli-admin-token';
const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let dir: string;
let admin: string;
let user: string;
/** lbctl pointed at the admin socket through LBCTL_SOCKET, as an operator's shell would be. */
let env: Record<string, string>;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
  dir = await makeTempDir('cli-admin');
  admin = join(dir, 'admin.sock');
  user = join(dir, 'user.sock');
  env = { LBCTL_SOCKET: admin };
  await writeFile(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  const config = lbdConfig(
    {
      statsSocket: admin,
      global: [
        `stats socket ${user} level user`,
        `stats websocket 127.0.0.1:${WS} token-file ${join(dir, 'token')} level admin`,
      ],
    },
    `
    listen mysql_ro
      bind 127.0.0.1:${RO}
      balance roundrobin
      server db1 127.0.0.1:${db1.port} check inter 300 rise 1 fall 1
      server db2 127.0.0.1:${db2.port} check inter 300 rise 1 fall 1

    listen mysql_rw
      bind 127.0.0.1:${RW}
      server db1 127.0.0.1:${db1.port} check inter 300 rise 1 fall 1

    listen dead
      bind 127.0.0.1:${DEAD}
      server gone 127.0.0.1:${REFUSED_PORT} check inter 300 rise 1 fall 1
    `,
  );
  cleanup.add(await startLbd(config, { dir, name: 'cli-admin' }), (l) => l.stop());
  await waitForStat(
    admin,
    (rows) =>
      statRow(rows, 'dead', 'gone').status === 'DOWN' && statRow(rows, 'mysql_ro', 'db2').status === 'UP',
  );
});
afterAll(() => cleanup.run());

describe('lbctl against lbd with MariaDB backends', () => {
  it('status: a table of backends and servers, and --json valid against the schema lbctl publishes', async () => {
    const table = await lbctl(['status'], env);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe('');
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CHECK\s+WEIGHT\s+CUR\s+MAX\s+LIMIT\s+QUEUE\s+RATE\s+LASTCHG$/);
    expect(table.stdout).toMatch(/\n {2}db2\s+UP\s+L4OK \d+ms\s+1\s/);
    expect(table.stdout).toMatch(/\n {2}gone\s+DOWN\s+L4CON/);
    expect(table.stdout).not.toContain('\u001b[');

    const schema = JSON.parse((await lbctl(['status', '--schema'])).stdout) as JsonSchema;
    const json = await lbctl(['status', '--json'], env);
    const doc = JSON.parse(json.stdout);
    expect(validateSchema(schema, doc)).toBeUndefined();
    const backends = doc.daemons[0].backends as {
      name: string;
      servers: { server: string; status: string; port: number }[];
    }[];
    expect(backends.map((b) => b.name)).toEqual(['mysql_ro', 'mysql_rw', 'dead']);
    expect(backends[0]!.servers.map((s) => [s.server, s.status, s.port])).toEqual([
      ['db1', 'UP', db1.port],
      ['db2', 'UP', db2.port],
    ]);
    // A broken document is caught: the test can fail.
    expect(validateSchema(schema, { ...doc, daemons: [{ target: admin }] })).toBeDefined();

    const csv = await lbctl(['status', 'mysql_ro/*', '--csv'], env);
    expect(csv.stdout.split('\n')[0]).toBe(
      'target,backend,server,status,admin,health,check_status,check_code,check_duration,weight,scur,smax,slim,qcur,rate,lastchg',
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('disable puts db1 in MAINT (show stat) and no new client reaches it; enable restores it', async () => {
    const off = await lbctl(['disable', 'mysql_ro/db1'], env);
    expect(off).toMatchObject({ code: 0, stderr: '' });
    expect(off.stdout).toMatch(
      /^mysql_ro\/db1: MAINT \(admin maint, health up, weight 1, 0 sessions, was UP\)\n$/,
    );
    expect(statRow(await showStat(admin), 'mysql_ro', 'db1').status).toBe('MAINT');
    const answered = new Set<number>();
    for (let i = 0; i < 6; i++) answered.add(await queryPort({ port: RO }));
    expect([...answered]).toEqual([db2.port]);

    const on = await lbctl(['enable', 'db1', '--backend', 'mysql_ro'], env);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^mysql_ro\/db1: UP/);
    await waitForStat(admin, (rows) => statRow(rows, 'mysql_ro', 'db1').status === 'UP');
    for (let i = 0; i < 6; i++) answered.add(await queryPort({ port: RO }));
    expect(answered).toEqual(new Set([db1.port, db2.port]));
  });

  it('ambiguous, unknown, refused and not running: one line on stderr and the documented exit code', async () => {
    const ambiguous = await lbctl(['disable', 'db1'], env);
    expect(ambiguous).toMatchObject({
      code: 5,
      stdout: '',
      stderr:
        "lbctl: server name 'db1' is ambiguous: mysql_ro/db1, mysql_rw/db1 (use backend/server or --backend)\n",
    });
    expect(await lbctl(['disable', 'db9'], env)).toMatchObject({
      code: 4,
      stderr: "lbctl: no server matches 'db9'\n",
    });
    const refused = await lbctl(['--socket', user, 'disable', 'mysql_ro/db2']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toBe(
      `lbctl: lbd at ${user} refused: Permission denied (this verb needs a socket with level admin)\n`,
    );
    expect(statRow(await showStat(admin), 'mysql_ro', 'db2').status).toBe('UP');

    const missing = join(dir, 'not-running.sock');
    const down = await lbctl(['--socket', missing, 'drain', 'db1', '--wait']);
    expect(down).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `lbctl: cannot reach lbd at ${missing}: no such socket\n`,
    });
    expect(down.elapsedMs).toBeLessThan(1000);
  });

  it("check follows the backends' health: exit 1 with the reason while a backend has no usable server", async () => {
    const all = await lbctl(['check'], env);
    expect(all.code).toBe(1);
    expect(all.stderr).toBe(`lbctl: ${admin}: backend dead has no usable server (gone DOWN)\n`);
    // keepalived's script usually runs on the read-only socket.
    expect((await lbctl(['--socket', user, 'check', '--backend', 'mysql_ro'])).code).toBe(0);

    expect((await lbctl(['disable', 'mysql_ro/*', '-q'], env)).code).toBe(0);
    const none = await lbctl(['check', '--backend', 'mysql_ro', '--quiet'], env);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toContain('backend mysql_ro has no usable server (db1 MAINT, db2 MAINT)');
    await lbctl(['enable', 'mysql_ro/*', '-q'], env);
    await waitForStat(admin, (rows) => statRow(rows, 'mysql_ro', 'db2').status === 'UP');
    expect((await lbctl(['check', '--backend', 'mysql_ro'], env)).code).toBe(0);

    const gone = await lbctl(['--socket', join(dir, 'nope.sock'), 'check']);
    expect(gone.code).toBe(1);
  });

  it('weight (absolute and %), health enable/disable and shutdown-sessions', async () => {
    expect((await lbctl(['weight', 'mysql_ro/db2', '50'], env)).stdout).toMatch(/weight 50,/);
    expect(statNumber(statRow(await showStat(admin), 'mysql_ro', 'db2'), 'weight')).toBe(50);
    expect((await lbctl(['weight', 'mysql_ro/db2', '100%'], env)).stdout).toMatch(/weight 1,/);
    expect(await lbctl(['weight', 'mysql_ro/db2'], env)).toMatchObject({
      stdout: 'mysql_ro/db2: weight 1 (initial 1)\n',
    });

    const noCheck = await lbctl(['health', 'disable', 'mysql_rw/db1', '--json'], env);
    expect(JSON.parse(noCheck.stdout).servers[0].check).toMatchObject({ configured: true, enabled: false });
    // HAProxy's srv_check_state: 0x2 configured, 0x4 enabled; 2 = configured but disabled.
    const line = (await statsCommand(admin, 'show servers state mysql_rw')).split('\n')[2]!.split(' ');
    expect([line[3], line[13]]).toEqual(['db1', '2']);
    expect((await lbctl(['health', 'enable', 'mysql_rw/db1'], env)).code).toBe(0);

    const session = await startSession({ port: RW });
    cleanup.add(session, (s) => s.kill());
    expect(await session.value('select @@port')).toBe(String(db1.port));
    const shut = await lbctl(['shutdown-sessions', 'mysql_rw/db1'], env);
    expect(shut).toMatchObject({ code: 0, stdout: 'mysql_rw/db1: closed 1 session\n' });
    await waitForStat(admin, (rows) => statNumber(statRow(rows, 'mysql_rw', 'db1'), 'scur') === 0);
  });

  it('events --json streams state changes and admin actions as NDJSON', async () => {
    const events = spawnLbctl(['events', '--json', '--topics', 'server,admin', '--count', '2'], env);
    await waitForOutput(events, (o) => o.stderr.includes('following server, admin'));
    expect((await lbctl(['drain', 'mysql_ro/db2', '-q'], env)).code).toBe(0);
    const done = await events.done;
    await lbctl(['ready', 'mysql_ro/db2', '-q'], env);
    expect(done.code).toBe(0);
    const lines = done.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          topic: 'server',
          backend: 'mysql_ro',
          server: 'db2',
          field: 'admin',
          to: 'drain',
          status: 'DRAIN',
        }),
        expect.objectContaining({
          topic: 'admin',
          command: 'set-state',
          ok: true,
          args: expect.objectContaining({ state: 'drain' }),
        }),
      ]),
    );
  });

  it('raw, WebSocket targets, reload, ports and completion', async () => {
    const raw = await lbctl(['raw', 'show servers state mysql_ro'], env);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toBe(await statsCommand(admin, 'show servers state mysql_ro'));
    expect((await lbctl(['--socket', user, 'raw', 'disable server mysql_ro/db1'])).code).toBe(6);

    const url = `ws://127.0.0.1:${WS}`;
    const token = join(dir, 'token');
    const remote = await lbctl(['--url', url, '--token-file', token, 'status', 'mysql_rw/db1', '--json']);
    expect(JSON.parse(remote.stdout).daemons[0]).toMatchObject({
      target: url,
      backends: [{ name: 'mysql_rw' }],
    });
    await writeFile(join(dir, 'bad-token'), 'wrong\n');
    expect((await lbctl(['--url', url, '--token-file', join(dir, 'bad-token'), 'status'])).code).toBe(6);
    expect((await lbctl(['--url', url, '--token-file', join(dir, 'missing'), 'status'])).code).toBe(2);

    // The file is unchanged: the reload keeps every server and opens nothing.
    const reload = await lbctl(['reload'], env);
    expect(reload).toMatchObject({ code: 0, stderr: '' });
    expect(reload.stdout).toMatch(/^reloaded: .*0 added, 0 removed, 0 changed; 0 new binds/);
    const portsReport = await lbctl(['ports'], env);
    expect(portsReport.code).toBe(0);
    expect(portsReport.stdout).toMatch(/^kernel: ip_local_port_range \d+-\d+/);
    expect(portsReport.stdout).toContain('HEADROOM');

    const completion = await lbctl(['completion', 'bash']);
    expect(completion.stdout).toContain('complete -F _lbctl lbctl');
    expect((await lbctl(['_servers'], env)).stdout.split('\n')).toEqual(
      expect.arrayContaining(['db1', 'mysql_ro/db1', 'mysql_rw/db1', 'dead/gone']),
    );
  });
});
