import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp, waitForClose } from '../support/net-clients.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('lifecycle-stop');
const LB = ports.local(0);
const ECHO = ports.local(1);
const cleanup = createCleanup();
const perTest = createCleanup();
let dir: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  dir = await makeTempDir('stop');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
});
afterEach(() => perTest.run());
afterAll(() => cleanup.run());

function config(global: string[] = []): string {
  return lbdConfig(
    { statsSocket: join(dir, 'admin.sock'), global },
    `
    listen echo
      bind 127.0.0.1:${LB}
      server echo 127.0.0.1:${ECHO}
    `,
  );
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function echo(stream: Socket, text: string): Promise<string> {
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

async function start(global: string[] = []): Promise<Lbd> {
  return perTest.add(await startLbd(config(global), { name: 'stop', dir }), (l) => l.stop());
}

describe('soft stop (SIGUSR1, SIGTERM), hard-stop-after and pidfile', () => {
  it('SIGUSR1 closes the listeners at once, lets a running session finish, then exits 0', async () => {
    const lbd = await start();
    const stream = perTest.add(await connectTcp(LB), (s) => s.destroy());
    expect(await echo(stream, 'before\n')).toBe('before\n');
    process.kill(lbd.pid!, 'SIGUSR1');
    await lbd.waitForLog((r) => r.msg === 'stopping: no new connections');
    // Listeners close before the wait for sessions begins.
    await expect.poll(() => refused(LB), { timeout: 5000 }).toBe(true);
    expect(lbd.running).toBe(true);
    expect(await echo(stream, 'during the stop\n')).toBe('during the stop\n');
    stream.end();
    const exit = await lbd.exited;
    expect(exit.code).toBe(0);
    const stopped = lbd.records.find((r) => r.msg === 'lbd stopped');
    expect(stopped?.abandoned).toBe(0);
  });

  it('hard-stop-after bounds the wait: a session still open is cut when it expires', async () => {
    const lbd = await start(['hard-stop-after 1s']);
    const stream = perTest.add(await connectTcp(LB), (s) => s.destroy());
    expect(await echo(stream, 'x\n')).toBe('x\n');
    const closed = waitForClose(stream);
    const sent = performance.now();
    process.kill(lbd.pid!, 'SIGTERM');
    const exit = await lbd.exited;
    const elapsed = performance.now() - sent;
    expect(exit.code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    await closed;
    expect(lbd.records.find((r) => r.msg === 'lbd stopped')?.abandoned).toBe(1);
  });

  it('writes the pidfile at start and removes it at stop', async () => {
    const pidfile = join(dir, 'lbd.pid');
    const lbd = await start([`pidfile ${pidfile}`]);
    expect(await readFile(pidfile, 'utf8')).toBe(`${lbd.pid}\n`);
    expect((await lbd.stop()).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });
});
