import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LbClient } from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { showStat, statRow, statsCommand } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('api-admin-state');
const ECHO = ports.local(0);
const cleanup = createCleanup();
let dir: string;
let admin: string;
let stateFile: string;
const running = new Set<Lbd>();

function config(options: { withDb2?: boolean; db3Weight?: number } = {}): string {
  const db2 = options.withDb2 === false ? '' : `      server db2 127.0.0.1:${ECHO} check inter 500`;
  return `${dedent(`
    global
      stats socket ${admin} level admin
      admin-state-file ${stateFile}
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen pool
      bind 127.0.0.1:${ports.local(1)}
      server db1 127.0.0.1:${ECHO} check inter 500
${db2}
      server db3 127.0.0.1:${ECHO} check inter 500 weight ${options.db3Weight ?? 10}
  `)}\n`;
}

async function start(text: string): Promise<Lbd> {
  const lbd = await startLbd(text, { dir, name: 'api-state' });
  running.add(lbd);
  return lbd;
}

async function kill9(lbd: Lbd): Promise<void> {
  const exit = await lbd.kill();
  expect(exit.signal).toBe('SIGKILL');
  running.delete(lbd);
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  dir = await makeTempDir('api-state');
  admin = join(dir, 'admin.sock');
  stateFile = join(dir, 'lbd.state');
  cleanup.defer(async () => {
    for (const lbd of running) await lbd.kill();
  });
});
afterAll(() => cleanup.run());

describe('admin state survives kill -9 and restart', () => {
  it('a disabled, a drained and a re-weighted server keep their state; health off stays off', async () => {
    const first = await start(config());
    expect(await statsCommand(admin, 'disable server pool/db1')).toBe('\n');
    const client = await LbClient.connect({ path: admin });
    try {
      await client.request('set-state', { backend: 'pool', server: 'db2', state: 'drain' });
      await client.request('set-weight', { backend: 'pool', server: 'db3', weight: 3 });
      await client.request('disable-health', { backend: 'pool', server: 'db3' });
    } finally {
      client.close();
    }
    // Each reply came after the change was on disk: a crash right now loses nothing.
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { servers: { server: string }[] };
    expect(saved.servers.map((s) => s.server)).toEqual(['db1', 'db2', 'db3']);
    await kill9(first);

    const second = await start(config());
    const rows = await showStat(admin);
    expect(statRow(rows, 'pool', 'db1').status).toBe('MAINT');
    expect(statRow(rows, 'pool', 'db2').status).toMatch(/^DRAIN/);
    expect(statRow(rows, 'pool', 'db3').status).toBe('no check');
    expect(await statsCommand(admin, 'get weight pool/db3')).toBe('3 (initial 10)\n\n');
    expect(await statsCommand(admin, 'show servers state pool')).toMatch(
      /\n\d+ pool 1 db1 127\.0\.0\.1 0 1 /,
    );
    await second.waitForLog((r) => r.msg === 'admin state restored' && r.restored === 3);

    // Back to ready: the entry leaves the file, and the next start has db1 ready again.
    expect(await statsCommand(admin, 'enable server pool/db1')).toBe('\n');
    await kill9(second);
    const third = await start(config());
    expect(statRow(await showStat(admin), 'pool', 'db1').status).not.toBe('MAINT');
    expect(statRow(await showStat(admin), 'pool', 'db2').status).toMatch(/^DRAIN/);
    await third.stop();
    running.delete(third);
  });

  it('servers that left the configuration are dropped with a notice; a changed weight yields to the config', async () => {
    const lbd = await start(config({ withDb2: false, db3Weight: 20 }));
    const dropped = await lbd.waitForLog((r) => r.msg.includes('server no longer in the configuration'));
    expect(dropped.server).toBe('pool/db2');
    await lbd.waitForLog((r) => r.msg.includes('configured weight changed'));
    expect(await statsCommand(admin, 'get weight pool/db3')).toBe('20 (initial 20)\n\n');
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { servers: { server: string }[] };
    expect(saved.servers.map((s) => s.server)).not.toContain('db2');
    await lbd.stop();
    running.delete(lbd);
  });

  it('a corrupt state file is reported and ignored: lbd starts', async () => {
    await writeFile(stateFile, '{ this is not json');
    const lbd = await start(config());
    const record = await lbd.waitForLog((r) => r.code === 'LB_ERR_STATE_FILE');
    expect(record.msg).toContain('not valid');
    expect(statRow(await showStat(admin), 'pool', 'db1').status).not.toBe('MAINT');
    await lbd.stop();
    running.delete(lbd);
  });
});
