import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { LbClient, type LbEvent } from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbctl } from '../cli/lbctl.js';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp } from '../support/net-clients.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { showStat, statNumber, statRow, statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('lifecycle-reload');
const LB = ports.local(0);
const LB_EXTRA = ports.local(1);
const LB_CHECKED = ports.local(6);
const ECHO = [ports.local(2), ports.local(3), ports.local(4), ports.local(5)] as const;
const cleanup = createCleanup();
let dir: string;
let socket: string;
let lbd: Lbd;

/**
 * v1: three servers, and a checked server that is DOWN. v2: s1 re-weighted,
 * s4 added, a second frontend on its own port.
 */
function config(version: 1 | 2): string {
  return lbdConfig(
    { statsSocket: socket },
    `
    listen app
      bind 127.0.0.1:${LB}
      log global
      balance roundrobin
      server s1 127.0.0.1:${ECHO[0]} weight ${version === 1 ? 100 : 50}
      server s2 127.0.0.1:${ECHO[1]}
      server s3 127.0.0.1:${ECHO[2]}
      ${version === 2 ? `server s4 127.0.0.1:${ECHO[3]}` : ''}

    listen checked
      bind 127.0.0.1:${LB_CHECKED}
      server dead 127.0.0.1:${REFUSED_PORT} check inter 200 rise 2 fall 1
    ${
      version === 2
        ? `
    listen extra
      bind 127.0.0.1:${LB_EXTRA}
      server e1 127.0.0.1:${ECHO[0]}`
        : ''
    }
    `,
  );
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  dir = await makeTempDir('reload');
  socket = join(dir, 'admin.sock');
  for (const port of ECHO) cleanup.add(await startEchoServer(port), (s) => s.close());
  lbd = cleanup.add(await startLbd(config(1), { name: 'reload', dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/** One short connection: send a line, expect it echoed, close. Resolves false on any failure. */
function shortExchange(port: number, payload: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let got = '';
    const timer = setTimeout(() => finish(false), 5000);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    s.setEncoding('utf8');
    s.on('connect', () => s.end(payload));
    s.on('data', (d: string) => {
      got += d;
    });
    s.on('end', () => finish(got === payload));
    s.on('error', () => finish(false));
  });
}

/** Writes `text` on a long-lived stream and waits for the echo. */
function echoOn(stream: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        stream.off('data', onData);
        resolve(got);
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
    stream.write(text);
  });
}

/** Bounded client load: `workers` loops of short connections until `stop()`, at most `max` each. */
function startLoad(workers: number, max: number) {
  let stopped = false;
  let ok = 0;
  const failures: number[] = [];
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; i < max && !stopped; i++) {
      if (await shortExchange(LB, `w${w}-${i}\n`)) ok++;
      else failures.push(i);
    }
  });
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('reload in place (lbctl reload, SIGHUP)', () => {
  it('reloads 10 times under load: no failed connection, streams intact, counters monotonic, admin state kept', async () => {
    // Health of a kept server carries over: a reset would show it UP again until its next check.
    await waitForStat(socket, (rows) => statRow(rows, 'checked', 'dead').status === 'DOWN');
    await statsCommand(socket, 'set server app/s3 state maint');
    await statsCommand(socket, 'set server app/s2 state drain');
    const streams = await Promise.all([connectTcp(LB), connectTcp(LB), connectTcp(LB)]);
    for (const s of streams) cleanup.add(s, (x) => x.destroy());
    for (const [i, s] of streams.entries())
      expect(await echoOn(s, `stream ${i} before\n`)).toBe(`stream ${i} before\n`);

    const load = startLoad(4, 5000);
    let lastFrontend = 0;
    let lastBackend = 0;
    let lastServer = 0;
    const mark = lbd.mark();
    for (let n = 1; n <= 10; n++) {
      const version = n % 2 === 1 ? 2 : 1;
      await writeFile(lbd.configPath, config(version));
      if (n % 3 === 0) {
        // SIGHUP is the same reload, asked for by signal (systemctl reload).
        const done = lbd.waitForLog(
          (r) => r.msg === 'reload done' && r.trigger === 'SIGHUP',
          10_000,
          lbd.mark(),
        );
        process.kill(lbd.pid!, 'SIGHUP');
        await done;
      } else {
        const r = await lbctl(['--socket', socket, 'reload']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^reloaded: .*servers: \d+ kept/);
      }
      // Traffic must have flowed since the previous reload, so each reload is under load.
      const before = load.ok;
      const deadline = Date.now() + 5000;
      while (load.ok < before + 20 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(load.failures).toEqual([]);

      const rows = await showStat(socket);
      const frontend = statNumber(statRow(rows, 'app', 'FRONTEND'), 'stot');
      const backend = statNumber(statRow(rows, 'app', 'BACKEND'), 'stot');
      expect(frontend).toBeGreaterThanOrEqual(lastFrontend);
      expect(backend).toBeGreaterThanOrEqual(lastBackend);
      // s1 changes (its weight) on every reload: it is renewed, its counters carried over.
      const server = statNumber(statRow(rows, 'app', 's1'), 'stot');
      expect(server).toBeGreaterThanOrEqual(lastServer);
      lastServer = server;
      lastFrontend = frontend;
      lastBackend = backend;
      expect(statRow(rows, 'app', 's3').status).toBe('MAINT');
      expect(statRow(rows, 'app', 's2').status).toBe('DRAIN');
      expect(statRow(rows, 'checked', 'dead').status).toBe('DOWN');
      expect(rows.some((r) => r.svname === 's4')).toBe(version === 2);
      expect(await shortExchange(LB_EXTRA, 'extra\n')).toBe(version === 2);
    }
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(200);
    for (const [i, s] of streams.entries())
      expect(await echoOn(s, `stream ${i} after\n`)).toBe(`stream ${i} after\n`);
    const reloads = lbd.records.slice(mark).filter((r) => r.msg === 'reload done');
    expect(reloads).toHaveLength(10);
  });

  it('refuses an invalid file with its FILE:LINE errors and keeps serving the old configuration', async () => {
    const events = lbd.mark();
    const client = cleanup.add(await LbClient.connect({ path: socket }), (c) => c.close());
    const published: LbEvent[] = [];
    await client.subscribe(['reload'], (push) => published.push(push.data as LbEvent));
    const broken = config(1).replace('balance roundrobin', 'balanse roundrobin');
    await writeFile(lbd.configPath, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('balanse')) + 1;
    const r = await lbctl(['--socket', socket, 'reload']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${lbd.configPath}:${line}:`);
    expect(r.stderr).toMatch(/configuration refused/);
    expect(await shortExchange(LB, 'still here\n')).toBe(true);
    const rows = await showStat(socket);
    expect(statRow(rows, 'app', 's3').status).toBe('MAINT');
    await lbd.waitForLog((rec) => rec.msg.startsWith('reload refused'), 5000, events);
    const deadline = Date.now() + 5000;
    while (published.length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(published.map((e) => (e.topic === 'reload' ? e.phase : e.topic))).toEqual(['started', 'failed']);
    expect(published[1]).toMatchObject({ detail: expect.stringContaining(`${lbd.configPath}:${line}:`) });
    await writeFile(lbd.configPath, config(1));
  });
});
