import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { statsCommand } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { csvFieldCounts, exchange, infoKeys, PromptSession, sample } from './api-helpers.js';

const ports = portsFor('api-text');
const LISTEN = ports.local(0);
const ECHO = ports.local(1);
const FRONT = ports.local(2);
const cleanup = createCleanup();
let admin: string;

const BACKENDS = '# name\nmysql_proxy\nmy-servers\n';

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  const dir = await makeTempDir('api-text');
  admin = join(dir, 'admin.sock');
  const config = dedent(`
    global
      maxconn 4096
      stats socket ${admin} mode 600 level admin
      stats timeout 2s
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen mysql_proxy
      bind 127.0.0.1:${LISTEN}
      balance roundrobin
      server db1 127.0.0.1:${ECHO} check inter 1s rise 2 fall 5 weight 1
      server db2 127.0.0.1:${REFUSED_PORT} check inter 1s rise 2 fall 5 weight 1 maxconn 100
    frontend my-tcp-in
      bind 127.0.0.1:${FRONT}
      default_backend my-servers
    backend my-servers
      balance leastconn
      server server1 127.0.0.1:${ECHO} maxconn 10000 check
      server server2 127.0.0.1:${ECHO} maxconn 10000 check backup
  `);
  cleanup.add(await startLbd(`${config}\n`, { dir, name: 'api-text' }), (l) => l.stop());
});
afterAll(() => cleanup.run());

describe('one-shot mode', () => {
  it('runs the line, replies with a blank-line terminator and closes', async () => {
    const r = await exchange(admin, 'show backend\n');
    expect(r.data.toString()).toBe(`${BACKENDS}\n`);
    expect(r.closed).toBe(true);
  });

  it('runs every whole line already received, in order, then closes', async () => {
    const r = await exchange(admin, 'show backend\nget weight mysql_proxy/db2\n');
    expect(r.data.toString()).toBe(`${BACKENDS}\n1 (initial 1)\n\n`);
    expect(r.closed).toBe(true);
  });

  it('strips one CR before the LF', async () => {
    expect((await exchange(admin, 'show backend\r\n')).data.toString()).toBe(`${BACKENDS}\n`);
  });

  it('never runs a line without LF: a half-close then closes with no output', async () => {
    const r = await exchange(admin, 'show backend', { halfClose: true });
    expect(r.data.length).toBe(0);
    expect(r.closed).toBe(true);
  });

  it('keeps a partial line open and runs it when the rest arrives', async () => {
    const r = await exchange(admin, ['show backend\nshow ba', 'ckend\n'], { gapMs: 400 });
    expect(r.data.toString()).toBe(`${BACKENDS}\n${BACKENDS}\n`);
    expect(r.closed).toBe(true);
  });

  it('chains commands with ";", each with its own terminator; "\\;" escapes it', async () => {
    const chained = await exchange(admin, 'show backend;get weight mysql_proxy/db1\n');
    expect(chained.data.toString()).toBe(`${BACKENDS}\n1 (initial 1)\n\n`);
    const escaped = await exchange(admin, 'get weight mysql_proxy/db1\\;x\n');
    expect(escaped.data.toString()).toBe('No such server.\n\n');
  });

  it('answers an empty line with the full command list, as an unknown command', async () => {
    const reply = (await exchange(admin, '\n')).data.toString();
    expect(reply.startsWith('Unknown command. Please enter one of the following commands only:\n')).toBe(
      true,
    );
    expect(reply).toMatch(/\n {2}quit {36}: [^\n]+\n\n$/);
  });

  it('quit closes at once, with no output of its own', async () => {
    const r = await exchange(admin, 'show backend;quit;show backend\n');
    expect(r.data.toString()).toBe(`${BACKENDS}\n`);
    expect(r.closed).toBe(true);
  });
});

describe('prompt mode', () => {
  it('follows the captured HAProxy transcript, one chunk per line', async () => {
    const s = await PromptSession.open(admin);
    try {
      expect(await s.send('show backend')).toBe(`${BACKENDS}\n> `);
      expect(await s.send('get weight mysql_proxy/db1;show backend')).toBe(
        `1 (initial 1)\n\n> ${BACKENDS}\n> `,
      );
      expect(await s.send('set weight mysql_proxy/db1 abc')).toBe(
        'Empty weight string empty or preceded by garbage\n> ',
      );
      expect(await s.send('disable server nosuch/x')).toBe('No such backend.\n\n> ');
      expect(await s.send('set timeout cli 60')).toBe('\n> ');
    } finally {
      s.close();
    }
  });

  it('"prompt" again prints a newline and closes once nothing more is buffered', async () => {
    const r = await exchange(admin, 'prompt\nprompt\n');
    expect(r.data.toString()).toBe('\n> \n');
    expect(r.closed).toBe(true);
  });

  it('replays the capture of "prompt, show info, show stat, quit" sent in one write', async () => {
    const r = await exchange(admin, 'prompt\nshow info\nshow stat\nquit\n');
    const parts = r.data.toString().split('\n> ');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('');
    expect(infoKeys(parts[1]!).slice(0, 3)).toEqual(['Name', 'Version', 'Release_date']);
    expect(parts[2]!.startsWith('# pxname,svname,')).toBe(true);
    expect(parts[3]).toBe('');
    expect(r.closed).toBe(true);
  });
});

describe('limits and timeouts', () => {
  it('runs a line of 16,383 bytes (LF included) and closes on 16,384 without output', async () => {
    const fits = `show info ${'A'.repeat(16_383 - 'show info \n'.length)}\n`;
    expect(Buffer.byteLength(fits)).toBe(16_383);
    const ok = await exchange(admin, fits);
    expect(infoKeys(ok.data.toString())).toContain('Uptime_sec');
    const tooLong = `show info ${'A'.repeat(16_384 - 'show info \n'.length)}\n`;
    const cut = await exchange(admin, tooLong);
    expect(cut.data.length).toBe(0);
    expect(cut.closed).toBe(true);
  });

  it('closes a silent connection after "stats timeout" (2 s here)', async () => {
    const started = performance.now();
    const r = await exchange(admin, [], { waitMs: 5000 });
    const elapsed = performance.now() - started;
    expect(r.closed).toBe(true);
    expect(elapsed).toBeGreaterThan(1800);
    expect(elapsed).toBeLessThan(4000);
  });

  it('"set timeout cli" keeps an idle prompt session alive past "stats timeout"', async () => {
    const s = await PromptSession.open(admin);
    try {
      expect(await s.send('set timeout cli 5')).toBe('\n> ');
      expect(await s.waitClosed(3000)).toBe(false);
      expect(await s.send('show backend')).toBe(`${BACKENDS}\n> `);
      expect(await s.waitClosed(7000)).toBe(true);
    } finally {
      s.close();
    }
  });

  it('refuses a bad "set timeout" with HAProxy\'s messages', async () => {
    expect(await statsCommand(admin, 'set timeout cli')).toBe('Expects an integer value.\n\n');
    expect(await statsCommand(admin, 'set timeout cli 0')).toBe('Invalid timeout value.\n\n');
    expect(await statsCommand(admin, 'set timeout foo 3')).toBe("'set timeout' only supports 'cli'.\n\n");
  });
});

describe('read commands', () => {
  it('show stat: HAProxy 2.6 header, 129 fields on every row, "-" at column 103, type codes', async () => {
    const csv = await statsCommand(admin, 'show stat');
    const header = csv.split('\n')[0];
    expect(header).toBe(sample('show_stat.txt').split('\n')[0]);
    expect(csv.endsWith(',\n\n')).toBe(true);
    const counts = csvFieldCounts(csv);
    expect(counts).toEqual(Array(8).fill(129));
    const rows = csv
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(','));
    expect(rows.map((r) => r[103])).toEqual(Array(8).fill('-'));
    expect(rows.map((r) => `${r[0]}/${r[1]} type=${r[32]} iid=${r[27]} sid=${r[28]}`)).toEqual([
      'mysql_proxy/FRONTEND type=0 iid=2 sid=0',
      'mysql_proxy/db1 type=2 iid=2 sid=1',
      'mysql_proxy/db2 type=2 iid=2 sid=2',
      'mysql_proxy/BACKEND type=1 iid=2 sid=0',
      'my-tcp-in/FRONTEND type=0 iid=3 sid=0',
      'my-servers/server1 type=2 iid=4 sid=1',
      'my-servers/server2 type=2 iid=4 sid=2',
      'my-servers/BACKEND type=1 iid=4 sid=0',
    ]);
  });

  it('show stat filters: proxy by name or id, type mask, server id, unknown proxy', async () => {
    const names = (csv: string) =>
      csv
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.split(',').slice(0, 2).join('/'));
    expect(names(await statsCommand(admin, 'show stat mysql_proxy -1 -1'))).toEqual([
      'mysql_proxy/FRONTEND',
      'mysql_proxy/db1',
      'mysql_proxy/db2',
      'mysql_proxy/BACKEND',
    ]);
    expect(names(await statsCommand(admin, 'show stat 4 -1 -1'))).toEqual([
      'my-servers/server1',
      'my-servers/server2',
      'my-servers/BACKEND',
    ]);
    expect(names(await statsCommand(admin, 'show stat -1 4 2'))).toEqual([
      'mysql_proxy/db2',
      'my-servers/server2',
    ]);
    expect(names(await statsCommand(admin, 'show stat -1 2 -1'))).toEqual([
      'mysql_proxy/BACKEND',
      'my-servers/BACKEND',
    ]);
    expect(names(await statsCommand(admin, 'show stat 99 -1 -1'))).toEqual([]);
    expect(await statsCommand(admin, 'show stat nosuch -1 -1')).toBe('No such proxy.\n\n');
    const up = await statsCommand(admin, 'show stat up');
    expect(up).toMatch(/\nmysql_proxy,BACKEND,(?:[^,]*,){15}(UP|DOWN) \(\d\/2\),/);
  });

  it('show stat typed and json carry the same fields, positions skipping the "-" column', async () => {
    const typed = await statsCommand(admin, 'show stat typed');
    const lines = typed.split('\n').filter((l) => l !== '');
    for (const line of lines)
      expect(line).toMatch(/^[FBS]\.\d+\.\d+\.\d+\.[a-z0-9_]+\.1:[A-Za-z]{3}:(u32|u64|s32|s64|str):/);
    expect(lines).toContain('S.2.1.1.svname.1:KNS:str:db1');
    expect(typed).toMatch(/\nF\.2\.0\.103\.ssl_sess\.1:MCP:u64:0\n/);
    const json = JSON.parse(await statsCommand(admin, 'show stat json')) as { field: { name: string } }[][];
    expect(json.length).toBe(8);
    expect(json.flat().length).toBe(lines.length);
  });

  it('show info: the keys of HAProxy 2.6 in order; typed and json forms', async () => {
    const expected = infoKeys(sample('show_info.txt'));
    expect(infoKeys(await statsCommand(admin, 'show info'))).toEqual(expected);
    const typed = await statsCommand(admin, 'show info typed');
    expect(typed).toMatch(/^0\.Name\.1:POS:str:lbd\n1\.Version\.1:POS:str:/);
    expect(typed).toContain('\n54.Unstoppable Jobs.1:MGP:u32:0\n');
    const json = JSON.parse(await statsCommand(admin, 'show info json')) as { field: { name: string } }[];
    expect(json.map((f) => f.field.name)).toEqual(expected);
  });

  it("show schema json, show servers state and show backend have HAProxy's shape", async () => {
    const schema = JSON.parse(await statsCommand(admin, 'show schema json')) as Record<string, unknown>;
    expect(Object.keys(schema)).toEqual(['$schema', 'oneOf', 'definitions']);
    const state = await statsCommand(admin, 'show servers state');
    const lines = state.split('\n');
    expect(lines[0]).toBe('1');
    expect(lines[1]).toBe(sample('show_servers_state.txt').split('\n')[1]);
    for (const row of lines.slice(2).filter((l) => l !== '')) expect(row.split(' ')).toHaveLength(25);
    expect(state.endsWith('\n\n')).toBe(true);
    expect(await statsCommand(admin, 'show servers state nosuch')).toBe("Can't find backend.\n\n");
    expect(await statsCommand(admin, 'show backend')).toBe(`${BACKENDS}\n`);
  });

  it('show sess lists the CLI session itself, as HAProxy does', async () => {
    expect(await statsCommand(admin, 'show sess')).toMatch(
      /^0x[0-9a-f]+: proto=unix_stream src=unix:\d+ fe=GLOBAL be=<NONE> srv=<none> ts=00 /m,
    );
  });

  it('lbd\'s own commands start with "lbd", a word HAProxy never uses', async () => {
    const help = await statsCommand(admin, 'help');
    const extra = help.split('\n').filter((l) => l.startsWith('  lbd '));
    expect(extra.length).toBeGreaterThan(0);
    // The one exception, named so by the port-exhaustion issue: HAProxy has no `show ports`.
    expect(help).toContain('  show ports');
    expect(await statsCommand(admin, 'lbd version')).toMatch(/^lbd \S+ protocol 1\n\n$/);
  });
});
