import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { exchange, infoKeys } from './api-helpers.js';
import { startHaproxy } from './external-tools.js';

/**
 * One configuration, loaded by HAProxy 2.6 and by lbd (different listening
 * ports, the same servers). Read commands must have the same header, keys,
 * column counts and terminators; admin commands and errors the same bytes.
 */
const ports = portsFor('api-side-by-side');
const ECHO = ports.local(0);
const ECHO2 = ports.local(1);
const cleanup = createCleanup();
const sock = { haproxy: { admin: '', user: '', oper: '' }, lbd: { admin: '', user: '', oper: '' } };

function config(dir: string, who: 'haproxy' | 'lbd', listen: number, front: number): string {
  return `${dedent(`
    global
      maxconn 4096
      stats socket ${dir}/${who}-admin.sock mode 600 level admin
      stats socket ${dir}/${who}-user.sock mode 600 level user
      stats socket ${dir}/${who}-oper.sock mode 600 level operator
    defaults
      mode tcp
      retries 3
      option redispatch
      timeout connect 5s
      timeout client 50s
      timeout server 50s
    listen mysql_proxy
      bind 127.0.0.1:${listen}
      balance roundrobin
      server db1 127.0.0.1:${ECHO} check inter 500 rise 2 fall 5 weight 1
      server db2 127.0.0.1:${REFUSED_PORT} check inter 500 rise 2 fall 5 weight 1 maxconn 100
    frontend my-tcp-in
      bind 127.0.0.1:${front}
      default_backend my-servers
    backend my-servers
      balance leastconn
      server server1 127.0.0.1:${ECHO} maxconn 10000 check inter 500
      server server2 127.0.0.1:${ECHO2} maxconn 10000 check inter 500 backup
  `)}\n`;
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  cleanup.add(await startEchoServer(ECHO2), (s) => s.close());
  const dir = await makeTempDir('api-sbs');
  for (const who of ['haproxy', 'lbd'] as const) {
    for (const level of ['admin', 'user', 'oper'] as const)
      sock[who][level] = join(dir, `${who}-${level}.sock`);
  }
  cleanup.add(
    await startHaproxy(dir, config(dir, 'haproxy', ports.local(2), ports.local(3)), sock.haproxy.admin),
    (h) => h.stop(),
  );
  cleanup.add(
    await startLbd(config(dir, 'lbd', ports.local(4), ports.local(5)), { dir, name: 'lbd-sbs' }),
    (l) => l.stop(),
  );
  // Both have run their first checks: db2 is DOWN, the others UP.
  for (const path of [sock.haproxy.admin, sock.lbd.admin]) {
    await waitForStat(
      path,
      (rows) =>
        rows.every((r) => r.svname !== 'db2' || r.status === 'DOWN') &&
        rows.every((r) => !['db1', 'server1', 'server2'].includes(r.svname ?? '') || r.status === 'UP'),
    );
  }
});
afterAll(() => cleanup.run());

async function both(command: string, level: 'admin' | 'user' | 'oper' = 'admin'): Promise<[string, string]> {
  return [await statsCommand(sock.haproxy[level], command), await statsCommand(sock.lbd[level], command)];
}

const dataLines = (csv: string) => csv.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('read commands: same header, keys, column counts and terminators', () => {
  it('show info (text, typed, json)', async () => {
    const [h, l] = await both('show info');
    expect(infoKeys(l)).toEqual(infoKeys(h));
    expect(l.endsWith('\n\n')).toBe(h.endsWith('\n\n'));
    const typedPrefix = (t: string) => t.split('\n').map((line) => line.split(':').slice(0, 3).join(':'));
    const [ht, lt] = await both('show info typed');
    expect(typedPrefix(lt)).toEqual(typedPrefix(ht));
    const shape = (j: string) =>
      (JSON.parse(j) as { field: unknown; tags: unknown; value: { type: string } }[]).map((f) => [
        f.field,
        f.tags,
        f.value.type,
      ]);
    const [hj, lj] = await both('show info json');
    expect(shape(lj)).toEqual(shape(hj));
  });

  it('show stat: header, rows, 129 fields, the non-empty cells of every row', async () => {
    const [h, l] = await both('show stat');
    expect(l.split('\n')[0]).toBe(h.split('\n')[0]);
    expect(l.endsWith(',\n\n')).toBe(true);
    expect(h.endsWith(',\n\n')).toBe(true);
    const key = (line: string) => {
      const f = line.split(',');
      return `${f[0]}/${f[1]} type=${f[32]} iid=${f[27]} sid=${f[28]} fields=${f.length} status=${f[17]}`;
    };
    expect(dataLines(l).map(key)).toEqual(dataLines(h).map(key));
    // Which cells are filled is part of the format (the exporter drops a metric for an empty one).
    const header = h.split('\n')[0]!.slice(2).split(',');
    const filled = (line: string) =>
      line
        .split(',')
        .map((cell, i) => (cell === '' ? '' : header[i]))
        .filter((name) => name !== '')
        .join(',');
    expect(dataLines(l).map(filled)).toEqual(dataLines(h).map(filled));
  });

  it('show stat typed and json: the same fields with the same tags', async () => {
    const prefix = (t: string) => t.split('\n').map((line) => line.split(':').slice(0, 3).join(':'));
    const [ht, lt] = await both('show stat typed');
    expect(prefix(lt)).toEqual(prefix(ht));
    const shape = (j: string) =>
      (JSON.parse(j) as { objType: string; field: unknown; tags: unknown; value: { type: string } }[][]).map(
        (o) => o.map((f) => [f.objType, f.field, f.tags, f.value.type]),
      );
    const [hj, lj] = await both('show stat json');
    expect(shape(lj)).toEqual(shape(hj));
  });

  it('show stat filters, up and no-maint', async () => {
    for (const command of [
      'show stat mysql_proxy -1 -1',
      'show stat 4 -1 -1',
      'show stat -1 4 2',
      'show stat up',
    ]) {
      const [h, l] = await both(command);
      const names = (csv: string) => dataLines(csv).map((line) => line.split(',').slice(0, 2).join('/'));
      expect(names(l), command).toEqual(names(h));
      const statuses = (csv: string) => dataLines(csv).map((line) => line.split(',')[17]);
      expect(statuses(l), command).toEqual(statuses(h));
    }
  });

  it('show servers state, show backend, show schema json, get weight', async () => {
    const [h, l] = await both('show servers state');
    expect(l.split('\n').slice(0, 2)).toEqual(h.split('\n').slice(0, 2));
    const widths = (t: string) =>
      t
        .split('\n')
        .slice(2)
        .map((line) => (line === '' ? 0 : line.split(' ').length));
    expect(widths(l)).toEqual(widths(h));
    for (const command of ['show backend', 'get weight mysql_proxy/db1', 'show servers state nosuch']) {
      const [hb, lb] = await both(command);
      expect(lb, command).toBe(hb);
    }
    const [hs, ls] = await both('show schema json');
    expect(JSON.parse(ls)).toEqual(JSON.parse(hs));
  });

  it('show sess: the same keys on the CLI session line', async () => {
    const keys = (t: string) =>
      t
        .split('\n')
        .filter((line) => line.includes('fe=GLOBAL'))
        .map((line) => [...line.matchAll(/ ([a-z_]+)[=[]/g)].map((m) => m[1]).join(' '));
    const [h, l] = await both('show sess');
    expect(keys(l)).toEqual(keys(h));
    expect(keys(l)).toHaveLength(1);
  });

  it('help and unknown commands: same first line and line layout', async () => {
    for (const command of ['help', 'frobnicate the widgets', '']) {
      const [h, l] = await both(command);
      expect(l.split('\n')[0], command).toBe(h.split('\n')[0]);
      for (const line of l.split('\n').slice(1, -2)) expect(line).toMatch(/^ {2}.{40}: \S/);
      expect(l.endsWith('\n\n')).toBe(true);
    }
  });
});

/** Admin commands and errors of haproxy-compat, in capture order: each reply must be byte-identical. */
const ADMIN_SEQUENCE = [
  'get weight mysql_proxy/db1',
  'set weight mysql_proxy/db1 50%',
  'get weight mysql_proxy/db1',
  'set server mysql_proxy/db1 state drain',
  'show servers state mysql_proxy',
  'set server mysql_proxy/db1 state maint',
  'set server mysql_proxy/db1 state ready',
  'disable server mysql_proxy/db2',
  'enable server mysql_proxy/db2',
  'disable health mysql_proxy/db1',
  'enable health mysql_proxy/db1',
  'shutdown sessions server mysql_proxy/db1',
  `set server mysql_proxy/db1 addr 127.0.0.1 port ${ECHO2}`,
  'disable server nosuch/db1',
  'disable server mysql_proxy/nosuch',
  'disable server mysql_proxy',
  'disable server',
  'set weight mysql_proxy/db1 abc',
  'set weight mysql_proxy/db1 300',
  'set weight mysql_proxy/db1 -5%',
  'set weight mysql_proxy/db1 1x',
  'set weight mysql_proxy/db1',
  'set server mysql_proxy/db1 state bogus',
  'set server mysql_proxy/db1 health bogus',
  'set server mysql_proxy/db1 agent up',
  'set server mysql_proxy/db1 bogus',
  'enable agent mysql_proxy/db1',
  'get weight mysql_proxy/nosuch',
  'get weight mysql_proxy/db1 junk',
  'disable server mysql_proxy/db2 extra junk',
  'enable server mysql_proxy/db2',
  'set weight nosuch/db1 1',
  'enable health mysql_proxy/nosuch',
  'shutdown sessions server mysql_proxy/nosuch',
  'set server mysql_proxy/db1 addr notanip port 1',
  'set server mysql_proxy/db1 addr',
  'set timeout cli 60',
  'set server mysql_proxy/db2 health down',
  'set server mysql_proxy/db1 weight 5',
  'get weight mysql_proxy/db1',
  'set weight mysql_proxy/db1 100%',
  'set weight mysql_proxy/db1 1',
  'enable server mysql_proxy/db1',
  'set server mysql_proxy/db1 addr 127.0.0.2',
  `set server mysql_proxy/db1 addr 127.0.0.1 port ${ECHO}`,
  `set server mysql_proxy/db1 addr 127.0.0.1 port ${ECHO}`,
  'set server mysql_proxy/db1 addr 127.0.0.1',
  'set weight mysql_proxy/db1 0',
  'set weight mysql_proxy/db1 1',
  'set weight my-servers/server1 30000%',
  'get weight my-servers/server1',
  'set weight my-servers/server1 100%',
  'show stat nosuch -1 -1',
];

describe('admin commands and errors: the same reply bytes', () => {
  it('at level admin, in the captured order', async () => {
    // Seconds since the last change (column 10 of show servers state) is a clock, not a format.
    const masked = (reply: string) => reply.replace(/^(\d+ \S+ \d+ \S+ \S+ \d+ \d+ \d+ \d+) \d+ /gm, '$1 T ');
    for (const command of ADMIN_SEQUENCE) {
      const [h, l] = await both(command);
      expect({ command, reply: masked(l) }).toEqual({ command, reply: masked(h) });
    }
  });

  it('at levels user and operator: Permission denied as HAProxy prints it', async () => {
    const cases: [string, 'user' | 'oper'][] = [
      ['disable server mysql_proxy/db2', 'user'],
      ['set weight mysql_proxy/db1 1', 'user'],
      ['show sess', 'user'],
      ['set timeout cli 60', 'user'],
      ['get weight mysql_proxy/db1', 'user'],
      ['user; disable server mysql_proxy/db2', 'user'],
      ['operator', 'user'],
      ['disable server mysql_proxy/db2', 'oper'],
      ['set weight mysql_proxy/db1 1', 'oper'],
      ['shutdown sessions server mysql_proxy/db1', 'oper'],
      ['set server mysql_proxy/db1 state maint', 'oper'],
      ['enable health mysql_proxy/db1', 'oper'],
    ];
    for (const [command, level] of cases) {
      const [h, l] = await both(command, level);
      expect({ command, level, reply: l }).toEqual({ command, level, reply: h });
    }
  });

  it('prompt mode with ";": the same bytes, in one chunk', async () => {
    const input = 'prompt\nget weight mysql_proxy/db1;show backend\nset weight mysql_proxy/db1 abc\nprompt\n';
    const h = await exchange(sock.haproxy.admin, input);
    const l = await exchange(sock.lbd.admin, input);
    expect(l.data.toString()).toBe(h.data.toString());
    expect(l.closed).toBe(h.closed);
  });

  it('the same limits: a 16,384-byte line gets no output, and lbd closes at once', async () => {
    const line = `show info ${'A'.repeat(16_384 - 'show info \n'.length)}\n`;
    const h = await exchange(sock.haproxy.admin, line);
    const l = await exchange(sock.lbd.admin, line);
    expect(l.data.length).toBe(h.data.length);
    expect(l.data.length).toBe(0);
    // HAProxy was seen closing at once in some runs and holding the connection
    // past this wait in others (a fresh CI clone); lbd always closes.
    expect(l.closed).toBe(true);
  });
});
