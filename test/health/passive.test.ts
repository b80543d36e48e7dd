import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { waitForTransition } from './transitions.js';

const ports = portsFor('health-passive');
const LB_FLAKY = ports.local(0);
const LB_SHUTDOWN = ports.local(1);
const LB_BACKUP = ports.local(2);
const FLAKY = ports.local(3);
const ECHO_MAIN = ports.local(4);
const ECHO_SPARE = ports.local(5);
/** Health ports the test opens and closes to move a server between UP and DOWN. */
const HEALTH_1 = ports.local(6);
const HEALTH_2 = ports.local(7);
const ACTIVE_INTER_S = 60;
const ERROR_LIMIT = 3;

const cleanup = createCleanup();
let lbd: Lbd;
let stats: string;
const healthPorts = new Map<number, Server>();

/**
 * A server that is up but broken: it accepts connections (so a plain TCP
 * check passes) and resets every one as soon as a request arrives.
 */
function startResettingServer(port: number): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.resetAndDestroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** Opens (or closes) a health port: plain TCP checks pass while it listens. */
async function setHealthy(port: number, up: boolean): Promise<void> {
  const open = healthPorts.get(port);
  if (up && open === undefined) {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    healthPorts.set(port, server);
  } else if (!up && open !== undefined) {
    healthPorts.delete(port);
    await new Promise((resolve) => open.close(resolve));
  }
}

/** A client through lbd: sends `hello`, resolves with the echo; `closed` resolves when lbd closes it. */
async function openClient(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('close', () => reject(new Error('closed before the echo')));
    socket.write('hello');
  });
  return { socket, closed };
}

/** One client connection that the server resets; resolves when lbd has closed it. */
function resetConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('ping'));
    socket.on('error', () => {});
    socket.once('close', () => resolve());
  });
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startResettingServer(FLAKY), (s) => new Promise((resolve) => s.close(resolve)));
  cleanup.add(await startEchoServer(ECHO_MAIN), (s) => s.close());
  cleanup.add(await startEchoServer(ECHO_SPARE), (s) => s.close());
  cleanup.defer(async () => {
    for (const port of [...healthPorts.keys()]) await setHealthy(port, false);
  });
  await setHealthy(HEALTH_1, true);
  await setHealthy(HEALTH_2, true);
  const dir = await makeTempDir('health-passive');
  stats = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen flaky
      bind 127.0.0.1:${LB_FLAKY}
      log global
      retries 0
      server flaky 127.0.0.1:${FLAKY} check inter ${ACTIVE_INTER_S}s fall 3 rise 2 observe layer4 error-limit ${ERROR_LIMIT} on-error mark-down

    listen shutdown
      bind 127.0.0.1:${LB_SHUTDOWN}
      log global
      server main 127.0.0.1:${ECHO_MAIN} check port ${HEALTH_1} inter 200ms fall 1 rise 1 on-marked-down shutdown-sessions

    listen with_backup
      bind 127.0.0.1:${LB_BACKUP}
      log global
      server main 127.0.0.1:${ECHO_MAIN} check port ${HEALTH_2} inter 200ms fall 1 rise 1 on-marked-up shutdown-backup-sessions
      server spare 127.0.0.1:${ECHO_SPARE} check inter 200ms backup
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

describe('passive health (observe layer4)', () => {
  it('marks a server that resets connections DOWN long before its next active check', async () => {
    await waitForStat(stats, (r) => statRow(r, 'flaky', 'flaky').status === 'UP');
    const from = lbd.mark();
    const startedAt = Date.now();
    for (let i = 0; i < ERROR_LIMIT; i++) await resetConnection(LB_FLAKY);
    const down = await waitForTransition(
      lbd,
      { backend: 'flaky', server: 'flaky', to: 'DOWN' },
      10_000,
      from,
    );
    expect(down.source).toBe('observe');
    expect(down.reason).toBe(
      `HANA: ${ERROR_LIMIT} consecutive errors on live traffic, last: connection reset by the server`,
    );
    expect(down.time - startedAt).toBeLessThan(ACTIVE_INTER_S * 1000);
    const rows = await waitForStat(stats, (r) => statRow(r, 'flaky', 'flaky').status === 'DOWN');
    expect(statRow(rows, 'flaky', 'flaky').check_status).toBe('HANA');
  });
});

describe('on-marked-down and on-marked-up', () => {
  it('shutdown-sessions closes the sessions of a server marked DOWN', async () => {
    await waitForStat(stats, (r) => statRow(r, 'shutdown', 'main').status === 'UP');
    const client = await openClient(LB_SHUTDOWN);
    const from = lbd.mark();
    await setHealthy(HEALTH_1, false);
    await waitForTransition(lbd, { backend: 'shutdown', server: 'main', to: 'DOWN' }, 10_000, from);
    await within(client.closed, 5_000, 'the session on the DOWN server closed');
    const record = await lbd.waitForTraffic((r) => r.frontend === 'shutdown', 5_000, from);
    expect(record.termination[0]).toBe('K');
  });

  it('shutdown-backup-sessions closes the backup sessions when the active server comes back UP', async () => {
    await setHealthy(HEALTH_2, false);
    await waitForStat(stats, (r) => statRow(r, 'with_backup', 'main').status === 'DOWN');
    const client = await openClient(LB_BACKUP);
    const from = lbd.mark();
    await setHealthy(HEALTH_2, true);
    await waitForTransition(lbd, { backend: 'with_backup', server: 'main', to: 'UP' }, 10_000, from);
    await within(client.closed, 5_000, 'the session on the backup closed');
    const record = await lbd.waitForTraffic((r) => r.frontend === 'with_backup', 5_000, from);
    expect(record.server).toBe('spare');
    expect(record.termination[0]).toBe('K');
  });
});
