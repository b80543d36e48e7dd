import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { pause } from './api-helpers.js';
import { requireTool, tmux } from './external-tools.js';

/** hatop 0.8.2 (Debian) in a real terminal (tmux) against lbd's stats socket, for over a minute. */
const ports = portsFor('api-hatop');
const ECHO = ports.local(0);
const TMUX = `lbd-hatop-${process.pid}`;
const SERVERS = ['db1', 'db2', 'server1', 'server2'];
const cleanup = createCleanup();
let admin: string;
let rcFile: string;
let lbd: Lbd;
let startedAt: number;

async function screen(): Promise<string> {
  return tmux(TMUX, 'capture-pane', '-p', '-t', 'hatop');
}

async function keys(...names: string[]): Promise<void> {
  await tmux(TMUX, 'send-keys', '-t', 'hatop', ...names);
}

/** Waits (bounded) until the screen satisfies `predicate`; throws with the last screen. */
async function waitForScreen(
  predicate: (text: string) => boolean,
  what: string,
  timeoutMs = 8000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = await screen();
  while (!predicate(text)) {
    if (Date.now() > deadline) throw new Error(`hatop never showed ${what}; screen:\n${text}`);
    await pause(200);
    text = await screen();
  }
  return text;
}

/** The hatop line of a row, e.g. `db1  1 UP  L4OK ...`, in the current view. */
function rowOf(text: string, name: string): string {
  return text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
}

/** Moves hatop's cursor to the row of proxy `iid`, server `sid` (its footer shows `[#iid/#sid]`). */
async function select(iid: number, sid: number): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if ((await screen()).includes(`[#${iid}/#${sid}]`)) return;
    await keys('Down');
    await pause(250);
  }
  await keys('Home');
  throw new Error(`could not select row #${iid}/#${sid}:\n${await screen()}`);
}

function hatopRunning(): boolean {
  return !existsSync(rcFile);
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  await requireTool('tmux');
  const hatop = await requireTool('hatop');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  const dir = await makeTempDir('api-hatop');
  admin = join(dir, 'admin.sock');
  rcFile = join(dir, 'hatop.rc');
  const config = dedent(`
    global
      stats socket ${admin} mode 600 level admin
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen mysql_proxy
      bind 127.0.0.1:${ports.local(1)}
      balance roundrobin
      server db1 127.0.0.1:${ECHO} check inter 500 weight 1
      server db2 127.0.0.1:${REFUSED_PORT} check inter 500 weight 1
    frontend my-tcp-in
      bind 127.0.0.1:${ports.local(2)}
      default_backend my-servers
    backend my-servers
      balance leastconn
      server server1 127.0.0.1:${ECHO} check inter 500
      server server2 127.0.0.1:${ECHO} backup
  `);
  lbd = cleanup.add(await startLbd(`${config}\n`, { dir, name: 'api-hatop' }), (l) => l.stop());
  await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'db1' && r.status === 'UP'));
  cleanup.defer(() => tmux(TMUX, 'kill-server').catch(() => undefined));
  await tmux(
    TMUX,
    'new-session',
    '-d',
    '-s',
    'hatop',
    '-x',
    '200',
    '-y',
    '50',
    `${hatop} -s ${admin} -i 1 2>${rcFile}.err; echo $? > ${rcFile}; sleep 600`,
  );
  startedAt = Date.now();
  await waitForScreen((t) => t.includes('>>> mysql_proxy'), 'the status view');
});
afterAll(() => cleanup.run());

describe('hatop 0.8.2 against lbd', () => {
  it('every view lists every server; the F-keys change lbd; it keeps running past 60 s', {
    timeout: 150_000,
  }, async () => {
    // Views 1-4: the same rows, other columns.
    for (const view of ['1', '2', '3', '4']) {
      await keys(view);
      const text = await waitForScreen(
        (t) => SERVERS.every((s) => rowOf(t, s) !== ''),
        `every server in view ${view}`,
      );
      expect(text.split('\n').filter((l) => l.startsWith('>>> '))).toEqual([
        '>>> mysql_proxy',
        '>>> my-tcp-in',
        '>>> my-servers',
      ]);
    }
    await keys('1');
    await waitForScreen((t) => rowOf(t, 'db2').includes('DOWN'), 'db2 DOWN');

    // F10 / F9: disable and enable the selected server in lbd.
    await select(2, 1);
    await keys('F10');
    await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'db1' && r.status === 'MAINT'));
    await waitForScreen((t) => rowOf(t, 'db1').includes('MAINT'), 'db1 MAINT');
    await keys('F9');
    await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'db1' && r.status !== 'MAINT'));

    // F7 / F8 / F6 / F5 / F4: re-weight.
    const weight = () => statsCommand(admin, 'get weight mysql_proxy/db1');
    const steps: [string, string][] = [
      ['F7', '2 (initial 1)\n\n'],
      ['F8', '12 (initial 1)\n\n'],
      ['F6', '11 (initial 1)\n\n'],
      ['F5', '1 (initial 1)\n\n'],
      ['F8', '11 (initial 1)\n\n'],
      ['F4', '1 (initial 1)\n\n'],
    ];
    for (const [key, expected] of steps) {
      // hatop computes the new weight from its last poll: wait until it shows the current one.
      const current = (await weight()).split(' ')[0];
      await waitForScreen((t) => rowOf(t, 'db1').split(/\s+/)[1] === current, `db1 weight ${current}`);
      await keys(key);
      const deadline = Date.now() + 5000;
      while ((await weight()) !== expected && Date.now() < deadline) await pause(100);
      expect({ key, weight: await weight() }).toEqual({ key, weight: expected });
    }

    // F2 / F1: every server of that name, in every backend.
    await select(4, 1);
    await keys('F2');
    await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'server1' && r.status === 'MAINT'));
    await keys('F1');
    await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'server1' && r.status !== 'MAINT'));

    // The CLI view sends commands verbatim and shows the replies.
    await keys('5');
    await pause(300);
    await keys('show backend', 'Enter');
    await waitForScreen((t) => t.includes('my-servers') && t.includes('# name'), 'the CLI reply');
    // In the CLI view digits are text: ALT-1 (ESC 1) goes back to the status view.
    await keys('M-1');
    await waitForScreen((t) => t.includes('>>> mysql_proxy'), 'the status view again');

    // Keep it polling for over a minute in all, checking the screen as it goes.
    while (Date.now() - startedAt < 65_000) {
      expect(hatopRunning(), await screen()).toBe(true);
      // A row hatop just acted on reads "updating..." until its next poll.
      await waitForScreen((t) => SERVERS.every((s) => rowOf(t, s) !== ''), 'every server', 5000);
      await pause(2000);
    }
    expect(lbd.running).toBe(true);
    await keys('q');
    const deadline = Date.now() + 5000;
    while (hatopRunning() && Date.now() < deadline) await pause(100);
    expect((await readFile(rcFile, 'utf8')).trim()).toBe('0');
    expect((await readFile(`${rcFile}.err`, 'utf8')).trim()).toBe('');
  });
});
