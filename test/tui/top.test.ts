import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, tmux } from '../api/external-tools.js';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbs, stopMariaDbs } from '../support/mariadb.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { FRAMES_DIR, LBCTL_ENTRY, layoutProblems, lbctl, Pane, rowOf } from './top-terminal.js';

/**
 * `lbctl top` in a real terminal (tmux) against real lbd daemons whose
 * servers are real MariaDB instances: what an operator sees and does.
 * Frames are kept in FRAMES_DIR.
 */
const ports = portsFor('tui-top');
/** The escape that starts an SGR sequence in a coloured capture. */
const ESC = '\u001b';
const TMUX = `lbctl-top-${process.pid}`;
const cleanup = createCleanup();
let dbs: MariaDbServer[];
let lbdA: Lbd;
let dir: string;
let socketA: string;
let socketB: string;
let configA: string;
let pane: Pane;
let exitFile: string;

function config(node: string, socket: string, port: number): string {
  const check = 'check inter 300ms fall 2 rise 2';
  const [db1, db2, db3] = dbs.map((d) => d.port);
  return `${dedent(`
    global
      node ${node}
      maxconn 500
      stats socket ${socket} mode 600 level admin
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen mysql
      bind 127.0.0.1:${port}
      balance roundrobin
      server db1 127.0.0.1:${db1} ${check} weight 10 maxconn 100
      server db2 127.0.0.1:${db2} ${check} weight 10 maxconn 100
      server db3 127.0.0.1:${db3} ${check} weight 5 maxconn 50
    listen replicas
      bind 127.0.0.1:${port + 1}
      balance leastconn
      server db2 127.0.0.1:${db2} ${check}
      server db3 127.0.0.1:${db3} ${check}
      server db1 127.0.0.1:${db1} ${check} backup
  `)}\n`;
}

/** A shell command running lbctl in the pane, keeping its exit code in `exitFile` and the pane open. */
function topCommand(args: string, file: string): string {
  return `LANG=C.UTF-8 ${process.execPath} ${LBCTL_ENTRY} ${args} top; echo $? > ${file}; sleep 600`;
}

async function exitCode(file: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim() !== '') return text.trim();
    if (Date.now() > deadline)
      throw new Error(`lbctl top did not exit; screen:\n${(await pane.screen()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SERVERS = [
  ['mysql', 'db1'],
  ['mysql', 'db2'],
  ['mysql', 'db3'],
  ['replicas', 'db2'],
  ['replicas', 'db3'],
  ['replicas', 'db1'],
] as const;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  await requireTool('tmux');
  dbs = cleanup.add(
    await startMariaDbs([
      { port: ports.mariadb[0], name: 'db1' },
      { port: ports.mariadb[1], name: 'db2' },
      { port: ports.mariadb[2], name: 'db3' },
    ]),
    stopMariaDbs,
  );
  dir = await makeTempDir('tui-top');
  socketA = join(dir, 'a.sock');
  socketB = join(dir, 'b.sock');
  exitFile = join(dir, 'exit-a');
  configA = config('lb-a', socketA, ports.local(0));
  lbdA = cleanup.add(await startLbd(configA, { dir, name: 'lb-a' }), (l) => l.stop());
  cleanup.defer(() => tmux(TMUX, 'kill-server').catch(() => undefined));
  pane = await Pane.start(TMUX, 'top', 80, 24, topCommand(`--socket ${socketA}`, exitFile));
});
afterAll(() => cleanup.run());

describe('lbctl top in tmux against lbd and MariaDB', () => {
  it('80x24: lists every server of every backend with its state, in a frame that fits', async () => {
    const { lines } = await pane.waitFor(
      (l) => SERVERS.every(([b, s]) => / UP /.test(rowOf(l, b, s) ?? '')) && l[0]!.includes('headroom'),
      'every server UP and the ports report in the header',
    );
    await pane.save('01-80x24-all-up');
    expect(layoutProblems(lines, 80, 24)).toEqual([]);
    // The ports monitor's report came with the subscription: TIME_WAIT and the tightest headroom.
    expect(lines[0]).toMatch(
      /^● lb-a lbd \S+ pid \d+ up \S+ +conns \d+\/500 +new \d+\/s +(TIME_WAIT|TW) \S+ +headroom \d+%$/,
    );
    expect(lines[1]).toMatch(/mysql 3▲0▼ +replicas 3▲0▼/);
    expect(rowOf(lines, 'mysql', 'db1')).toMatch(/^db1 +UP +L4OK \d+ms +\S+ +10\/10 +0\/100/);
    expect(rowOf(lines, 'replicas', 'db1')).toMatch(/^db1 bk +UP/);
  });

  it('2 shows the Ports view: each real (source -> server) pair of lbd, under the kernel settings', async () => {
    await pane.keys('2');
    const [db1, db2, db3] = dbs.map((d) => `127.0.0.1:${d.port}`);
    // No `source` line: the pairs are the addresses the kernel chose (or `*` before any socket).
    const pairOf = (l: readonly string[], server: string) =>
      l.find((x) => new RegExp(`^(127\\.0\\.0\\.1|\\*) +${server.replace('/', '\\/')}`).test(x));
    const { lines } = await pane.waitFor(
      (l) => ['mysql/db1', 'mysql/db2', 'mysql/db3'].every((s) => pairOf(l, s) !== undefined),
      'a pair toward each server',
    );
    await pane.save('01b-80x24-ports');
    expect(lines[3]).toMatch(/^kernel ip_local_port_range \d+-\d+ \(\d+ ports\) /);
    expect(lines.find((l) => /^source +server /.test(l))).toMatch(/used\/range +free/);
    // Servers that share an address share its pair: lbd names both backends' servers (cut to fit).
    expect(pairOf(lines, 'mysql/db1')).toMatch(/mysql\/db1,repl/);
    // Ports in use of the ephemeral range, and the headroom that leaves.
    expect(pairOf(lines, 'mysql/db2')).toMatch(/ \d+\/\d+(\.\d)?K +\d+%/);
    const shown = await lbctl('--socket', socketA, 'ports', '--json');
    const report = JSON.parse(shown.stdout) as { pairs: { destination: string; servers: string[] }[] };
    expect(report.pairs.map((p) => p.destination).sort()).toEqual([db1, db2, db3].sort());
    expect(layoutProblems(lines, 80, 24, /^source +server /)).toEqual([]);
    await pane.keys('1');
    await pane.waitFor((l) => rowOf(l, 'mysql', 'db1') !== undefined, 'the servers view again');
  });

  it('d then y drains db1: lbd reports DRAIN (lbctl status --json) and the screen shows it within a second', async () => {
    // The first server row (mysql/db1) is selected when the dashboard opens.
    await pane.keys('d');
    await pane.waitFor(
      (l) => l.some((x) => x.includes('Drain mysql/db1 (no new sessions, current ones finish)? y/N')),
      'the confirmation',
    );
    const status = await lbctl('--socket', socketA, 'status', '--json');
    expect(status.code).toBe(0);
    const before = JSON.parse(status.stdout).daemons[0].backends[0].servers[0];
    expect(before).toMatchObject({ server: 'db1', admin: 'ready', status: 'UP' });

    const pressed = Date.now();
    await pane.keys('y');
    const { at } = await pane.waitFor(
      (l) => /^db1 +DRAIN /.test(rowOf(l, 'mysql', 'db1') ?? ''),
      'db1 DRAIN',
      5000,
      20,
    );
    const lines = await pane.save('02-80x24-db1-drained');
    console.log(`y pressed -> DRAIN on screen: ${at - pressed} ms`);
    expect(at - pressed).toBeLessThan(1000);
    // In colour: the selected row inverted, DRAIN in yellow.
    const coloured = (await pane.coloured()).split('\n').find((l) => l.includes('DRAIN')) ?? '';
    expect(coloured).toMatch(new RegExp(`${ESC}\\[[0-9;]*7m.*db1`));
    expect(coloured).toContain('\u001b[33mDRAIN');
    expect(lines.at(-2)).toContain('mysql/db1: now DRAIN');

    const after = await lbctl('--socket', socketA, 'status', '--json');
    const db1 = JSON.parse(after.stdout).daemons[0].backends.find((b: { name: string }) => b.name === 'mysql')
      .servers[0];
    expect(db1).toMatchObject({ server: 'db1', admin: 'drain', status: 'DRAIN' });
  });

  it('killing a MariaDB turns its rows DOWN on screen', async () => {
    const killed = Date.now();
    await dbs[2]!.kill();
    const { lines, at } = await pane.waitFor(
      (l) =>
        /^db3 +DOWN +L4CON/.test(rowOf(l, 'mysql', 'db3') ?? '') &&
        /^db3 +DOWN/.test(rowOf(l, 'replicas', 'db3') ?? ''),
      'db3 DOWN in both backends',
    );
    await pane.save('03-80x24-db3-down');
    console.log(`MariaDB db3 killed -> DOWN on screen: ${at - killed} ms (checks every 300 ms, fall 2)`);
    expect((await pane.coloured()).split('\n').find((l) => l.startsWith('db3'))).toContain('\u001b[31mDOWN');
    expect(lines[1]).toMatch(/mysql 1▲1▼1◆ +replicas 2▲1▼/);
    expect(layoutProblems(lines, 80, 24)).toEqual([]);
  });

  it('200x50: more columns, every server, no broken layout', async () => {
    await pane.resize(200, 50);
    const { lines } = await pane.waitFor(
      (l) => l.length === 50 && l.some((x) => x.includes('address')),
      'the wide layout',
    );
    await pane.save('04-200x50');
    expect(layoutProblems(lines, 200, 50)).toEqual([]);
    const heading = lines.find((l) => l.startsWith('server'))!;
    for (const h of [
      'check',
      'since',
      'wght',
      'sess',
      'load',
      'smax',
      'rate',
      'last minute',
      'in/s',
      'out/s',
      'econ/retr/redis',
      'address',
    ]) {
      expect(heading).toContain(h);
    }
    for (const [b, s] of SERVERS) expect(rowOf(lines, b, s), `${b}/${s}`).toBeDefined();
    await pane.resize(80, 24);
    const narrow = await pane.waitFor(
      (l) => !l.some((x) => x.includes('address')) && layoutProblems(l, 80, 24).length === 0,
      'the narrow layout',
    );
    expect(layoutProblems(narrow.lines, 80, 24)).toEqual([]);
  });

  it('shows a banner while lbd restarts and comes back by itself', async () => {
    await lbdA.stop();
    const { lines } = await pane.waitFor((l) => l.some((x) => x.includes('DISCONNECTED lb-a')), 'the banner');
    await pane.save('05-80x24-disconnected');
    expect(layoutProblems(lines, 80, 24)).toEqual([]);
    lbdA = cleanup.add(await startLbd(configA, { dir, name: 'lb-a' }), (l) => l.stop());
    await pane.waitFor(
      (l) => !l.some((x) => x.includes('DISCONNECTED')) && l[0]?.includes(`pid ${lbdA.pid}`) === true,
      'the restarted daemon',
    );
    await pane.waitFor(
      (l) => /^db1 +UP/.test(rowOf(l, 'mysql', 'db1') ?? ''),
      'db1 again (its drain was not saved)',
    );
  });

  it('q quits with exit code 0', async () => {
    await pane.keys('q');
    expect(await exitCode(exitFile)).toBe('0');
  });

  it('shows an active/standby pair together with a node column; Ctrl-C exits 130', async () => {
    const lbdB = cleanup.add(
      await startLbd(config('lb-b', socketB, ports.local(2)), { dir, name: 'lb-b' }),
      (l) => l.stop(),
    );
    expect(lbdB.running).toBe(true);
    const file = join(dir, 'exit-pair');
    const pair = await Pane.start(
      TMUX,
      'pair',
      100,
      30,
      topCommand(`--socket ${socketA} --socket ${socketB}`, file),
    );
    const { lines } = await pair.waitFor(
      (l) => l.some((x) => /^lb-a +db1 /.test(x)) && l.some((x) => /^lb-b +db1 /.test(x)),
      'both daemons',
    );
    await pair.save('06-100x30-pair');
    expect(layoutProblems(lines, 100, 30)).toEqual([]);
    expect(lines[0]).toContain('lb-a');
    expect(lines[2]).toContain('lb-b');
    expect(lines.find((l) => /^node +server +state/.test(l))).toBeDefined();
    await pair.keys('C-c');
    pane = pair;
    expect(await exitCode(file)).toBe('130');
    console.log(`lbctl top frames: ${FRAMES_DIR}`);
  });
});
