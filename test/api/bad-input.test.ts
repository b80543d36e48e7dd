import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { connectTcp } from '../support/net-clients.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { statsCommand } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { exchange, pause } from './api-helpers.js';

/**
 * Hostile or broken clients on the stats socket: each gets a clear error or
 * a close, and the daemon keeps serving the socket and proxied traffic.
 */
const ports = portsFor('api-bad-input');
const ECHO = ports.local(0);
const LISTEN = ports.local(1);
const SERVERS = 300;
const cleanup = createCleanup();
let admin: string;
let lbd: Lbd;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  const dir = await makeTempDir('api-bad');
  admin = join(dir, 'admin.sock');
  // Many servers make stats snapshots large, so a subscriber that stops reading falls behind quickly.
  const many = Array.from({ length: SERVERS }, (_, i) => `      server s${i} 127.0.0.1:${ECHO}`).join('\n');
  const config = dedent(`
    global
      maxconn 20000
      stats socket ${admin} level admin
      stats timeout 3s
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen app
      bind 127.0.0.1:${LISTEN}
      server echo 127.0.0.1:${ECHO}
    backend big
  `);
  lbd = cleanup.add(await startLbd(`${config}\n${many}\n`, { dir, name: 'api-bad' }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/**
 * The daemon still answers on its socket and still proxies. Right after a
 * flood the socket may still count clients that hung up a moment ago (past
 * its 1024-client limit it closes new ones), so the first answer may take a
 * few tries, within two seconds.
 */
async function stillServing(): Promise<void> {
  const deadline = Date.now() + 2000;
  let reply = await statsCommand(admin, 'show backend').catch((e: Error) => e.message);
  while (reply !== '# name\napp\nbig\n\n' && Date.now() < deadline) {
    await pause(100);
    reply = await statsCommand(admin, 'show backend').catch((e: Error) => e.message);
  }
  expect(reply).toBe('# name\napp\nbig\n\n');
  const socket = await connectTcp(LISTEN);
  const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.write('ping');
  expect(await echoed).toBe('ping');
  socket.destroy();
  expect(lbd.running).toBe(true);
}

describe('bad input on the stats socket', () => {
  it('a 1 MB line: the text dialect closes without output, JSON answers LB_ERR_LINE_TOO_LONG and closes', async () => {
    const text = await exchange(admin, `show info ${'A'.repeat(1024 * 1024)}\n`);
    expect(text.data.length).toBe(0);
    expect(text.closed).toBe(true);
    const json = await exchange(
      admin,
      `{"id":1,"cmd":"hello","args":{"client":"${'A'.repeat(1024 * 1024)}"}}\n`,
    );
    expect(JSON.parse(json.data.toString().split('\n')[0]!).error.code).toBe('LB_ERR_LINE_TOO_LONG');
    expect(json.closed).toBe(true);
    await stillServing();
  });

  it('binary garbage and invalid UTF-8: unknown-command replies or coded errors', async () => {
    for (let i = 0; i < 20; i++) {
      const garbage = Buffer.concat([Buffer.from([0x01 + (i % 0x7a)]), randomBytes(4096), Buffer.from('\n')]);
      const r = await exchange(admin, garbage);
      expect(r.closed).toBe(true);
      if (r.data.length > 0) expect(r.data.toString('latin1')).toMatch(/^Unknown command/);
    }
    const text = await exchange(admin, Buffer.from([0x73, 0x68, 0xff, 0xfe, 0x0a]));
    expect(text.data.toString()).toMatch(/^Unknown command/);
    const json = await exchange(admin, Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]), {
      waitMs: 500,
    });
    expect(JSON.parse(json.data.toString().split('\n')[0]!).error.code).toBe('LB_ERR_BAD_JSON');
    await stillServing();
  });

  it('10,000 connections opened and dropped, in batches of 500', async () => {
    const before = await lbd.rssBytes();
    for (let batch = 0; batch < 20; batch++) {
      const sockets = await Promise.all(
        Array.from(
          { length: 500 },
          (_, i) =>
            new Promise<Socket>((resolve) => {
              const s = connect(admin);
              s.on('error', () => resolve(s));
              s.once('connect', () => {
                // Some say nothing, some start a line, some start JSON: all are dropped.
                if (i % 3 === 1) s.write('show st');
                if (i % 3 === 2) s.write('{"id":');
                resolve(s);
              });
            }),
        ),
      );
      for (const s of sockets) s.destroy();
    }
    await stillServing();
    expect((await lbd.rssBytes()) - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a client that never reads its replies: input paused, memory bounded, others served', async () => {
    const before = await lbd.rssBytes();
    const hog = connect(admin);
    hog.on('error', () => undefined);
    await new Promise((resolve) => hog.once('connect', resolve));
    hog.pause();
    hog.write('prompt\n');
    const closed = new Promise((resolve) => hog.once('close', resolve));
    // 20,000 requests of a ~60 KB reply each: 1.2 GB if the daemon buffered them all.
    for (let i = 0; i < 200; i++) hog.write('show stat;show stat;show stat;show stat;show stat\n'.repeat(20));
    await pause(1500);
    await stillServing();
    expect((await lbd.rssBytes()) - before).toBeLessThan(100 * 1024 * 1024);
    hog.resume();
    hog.on('data', () => undefined);
    hog.destroy();
    await closed;
  });

  it('a JSON subscriber that stops reading is dropped with LB_ERR_SLOW_CONSUMER', async () => {
    const from = lbd.mark();
    const before = await lbd.rssBytes();
    const slow = connect(admin);
    slow.on('error', () => undefined);
    await new Promise((resolve) => slow.once('connect', resolve));
    const closed = new Promise((resolve) => slow.once('close', resolve));
    slow.write('{"id":1,"cmd":"subscribe","args":{"topics":["stats"],"intervalMs":100}}\n');
    slow.pause();
    const dropped = await lbd.waitForLog((r) => r.msg === 'slow subscriber dropped', 15_000, from);
    expect(dropped.component).toBe('api');
    await stillServing();
    expect((await lbd.rssBytes()) - before).toBeLessThan(100 * 1024 * 1024);
    let tail = '';
    slow.setEncoding('utf8').on('data', (d: string) => {
      tail = (tail + d).slice(-4096);
    });
    slow.resume();
    await closed;
    expect(tail === '' || tail.includes('LB_ERR_SLOW_CONSUMER') || tail.endsWith('}\n')).toBe(true);
  });

  it('a partial line held open is closed after "stats timeout"; others are served meanwhile', async () => {
    const held = exchange(admin, 'show sta', { waitMs: 6000 });
    await stillServing();
    const r = await held;
    expect(r.closed).toBe(true);
    expect(r.data.length).toBe(0);
  });
});
