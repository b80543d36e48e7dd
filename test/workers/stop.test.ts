import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { echoOn, probe } from '../support/echo-clients.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp, waitForClose } from '../support/net-clients.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { connectionOwner, processExists, workerPids } from '../support/worker-processes.js';

/**
 * Graceful stop with worker processes (`lbd --nbthread 2`): SIGTERM stops
 * new connections at once, lets running sessions finish (up to
 * `hard-stop-after`), and the master and its workers all exit.
 */
const ports = portsFor('workers-stop');
const LB = ports.local(0);
const ECHO = ports.local(1);
const cleanup = createCleanup();
const perTest = createCleanup();
let dir: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  dir = await makeTempDir('workers-stop');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
});
afterEach(() => perTest.run());
afterAll(() => cleanup.run());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `lbd --nbthread 2` (the command-line flag, over the file's default of 1). */
async function start(hardStopAfter: string): Promise<Lbd> {
  const config = lbdConfig(
    { statsSocket: join(dir, 'admin.sock'), global: [`hard-stop-after ${hardStopAfter}`] },
    `
    listen echo
      bind 127.0.0.1:${LB}
      log global
      server echo 127.0.0.1:${ECHO}
    `,
  );
  return perTest.add(await startLbd(config, { name: 'workers-stop', dir, args: ['--nbthread', '2'] }), (l) =>
    l.stop(),
  );
}

/** Polls until none of `pids` exists any more (at most `timeoutMs`); returns those still there. */
async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  let left = pids.filter(processExists);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(20);
    left = left.filter(processExists);
  }
  return left;
}

describe('nbthread 2: graceful stop', () => {
  it('SIGTERM: new connections refused at once, a running session finishes, then lbd and its workers exit', async () => {
    const lbd = await start('20s');
    const workers = await workerPids(lbd.pid!);
    expect(workers).toHaveLength(2);
    expect(await probe(LB)).toBe('served');
    const stream = perTest.add(await connectTcp(LB), (s) => s.destroy());
    expect(await echoOn(stream, 'before\n')).toBe('before\n');
    const owner = await connectionOwner(workers, LB, stream.localPort!);
    expect(workers).toContain(owner);

    process.kill(lbd.pid!, 'SIGTERM');
    await lbd.waitForLog((r) => r.msg === 'stopping: no new connections', 5_000);
    await expect.poll(() => probe(LB, 500), { timeout: 5_000, interval: 100 }).toBe('refused');
    // The worker without a session has nothing to wait for; the other keeps its session.
    expect(
      await waitGone(
        workers.filter((w) => w !== owner),
        5_000,
      ),
    ).toEqual([]);
    expect(processExists(owner!)).toBe(true);
    expect(lbd.running).toBe(true);
    expect(await echoOn(stream, 'during the stop\n')).toBe('during the stop\n');
    expect(await probe(LB, 500)).toBe('refused');

    const closed = waitForClose(stream);
    const ended = performance.now();
    stream.end();
    expect(await closed).toEqual({ ended: true });
    const exit = await lbd.exited;
    expect(exit.code).toBe(0);
    // It ended with the session, far from hard-stop-after.
    expect(performance.now() - ended).toBeLessThan(5_000);
    expect(await waitGone(workers, 2_000)).toEqual([]);
    expect(lbd.records.find((r) => r.msg === 'lbd stopped')?.abandoned).toBe(0);
  });

  it('hard-stop-after cuts a session still open when it expires; every process exits', async () => {
    const lbd = await start('1s');
    const workers = await workerPids(lbd.pid!);
    expect(workers).toHaveLength(2);
    const stream = perTest.add(await connectTcp(LB), (s) => s.destroy());
    expect(await echoOn(stream, 'x\n')).toBe('x\n');
    const closed = waitForClose(stream);
    const sent = performance.now();
    process.kill(lbd.pid!, 'SIGTERM');
    const exit = await lbd.exited;
    const elapsed = performance.now() - sent;
    expect(exit.code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
    await closed;
    expect(await waitGone(workers, 2_000)).toEqual([]);
    expect(lbd.records.find((r) => r.msg === 'lbd stopped')?.abandoned).toBe(1);
  });
});
