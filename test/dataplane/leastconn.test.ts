import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import type { Lbd } from '../support/lbd.js';
import type { MariaDbServer } from '../support/mariadb.js';
import { queryPort, startSession } from '../support/mysql-client.js';
import { startPairBehindLbd } from '../support/pair-behind-lbd.js';
import { portsFor } from '../support/ports.js';

const ports = portsFor('leastconn');
const LC = ports.local(0);
const cleanup = createCleanup();
const sessions = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;

beforeAll(async () => {
  ({ db1, db2, lbd } = await startPairBehindLbd(
    'leastconn',
    cleanup,
    (a, b) => `
    listen mysql_lc
      bind 127.0.0.1:${LC}
      log global
      balance leastconn
      server db1 127.0.0.1:${a.port}
      server db2 127.0.0.1:${b.port}
    `,
  ));
});
afterEach(() => sessions.run());
afterAll(() => cleanup.run());

/** A short client; returns once lbd has logged its end, so its slot is free again. */
async function shortClientPort(): Promise<number> {
  const from = lbd.mark();
  const port = await queryPort({ port: LC });
  await lbd.waitForTraffic(undefined, 10_000, from);
  return port;
}

describe('balance leastconn', () => {
  it('sends a new client to the server with fewer open sessions', async () => {
    const held = sessions.add(await startSession({ port: LC }), (s) => s.kill());
    const busy = Number(await held.value('select @@port'));
    const idle = busy === db1.port ? db2.port : db1.port;

    // While one session sits on `busy`, every new short client goes to `idle`.
    for (let i = 0; i < 5; i++) expect(await shortClientPort()).toBe(idle);

    // Hold one on the idle server too; then free the first: it is now the idler one.
    const second = sessions.add(await startSession({ port: LC }), (s) => s.kill());
    expect(Number(await second.value('select @@port'))).toBe(idle);
    const from = lbd.mark();
    await held.close();
    await lbd.waitForTraffic(undefined, 10_000, from);
    for (let i = 0; i < 3; i++) expect(await shortClientPort()).toBe(busy);
  });
});
