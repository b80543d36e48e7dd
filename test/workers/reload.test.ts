import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbctl } from '../cli/lbctl.js';
import { createCleanup } from '../support/cleanup.js';
import { probe } from '../support/echo-clients.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

/**
 * Reloads that add and remove a bind with worker processes (`nbthread 2`):
 * the master holds the listening sockets, so a removed bind must close for
 * good (no worker of the new generation may keep a copy listening with
 * nobody accepting) and can be added again.
 */
const ports = portsFor('workers-reload');
const LB = ports.local(0);
const LB_EXTRA = ports.local(1);
const ECHO = ports.local(2);
const cleanup = createCleanup();
let socket: string;
let lbd: Lbd;

function config(withExtra: boolean): string {
  return lbdConfig(
    { statsSocket: socket, global: ['nbthread 2'] },
    `
    listen app
      bind 127.0.0.1:${LB}
      server echo 127.0.0.1:${ECHO}
    ${
      withExtra
        ? `
    listen extra
      bind 127.0.0.1:${LB_EXTRA}
      server echo 127.0.0.1:${ECHO}`
        : ''
    }
    `,
  );
}

async function reloadTo(withExtra: boolean): Promise<void> {
  await writeFile(lbd.configPath, config(withExtra));
  const r = await lbctl(['--socket', socket, 'reload']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  const dir = await makeTempDir('workers-reload');
  socket = join(dir, 'admin.sock');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  lbd = cleanup.add(await startLbd(config(false), { name: 'workers-reload', dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

describe('nbthread 2: reloads that add and remove a bind', () => {
  it('serves an added bind, refuses it once removed, and serves it again when it comes back', async () => {
    expect(await probe(LB_EXTRA, 500)).toBe('refused');
    for (let round = 0; round < 2; round++) {
      await reloadTo(true);
      expect(await probe(LB_EXTRA)).toBe('served');
      await reloadTo(false);
      // The old workers let go of the socket as they stop; the master's copy is already closed.
      await expect.poll(() => probe(LB_EXTRA, 500), { timeout: 5_000, interval: 100 }).toBe('refused');
      expect(await probe(LB)).toBe('served');
    }
  });
});
