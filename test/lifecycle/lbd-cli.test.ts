import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { checkConfig, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp, readToEnd } from '../support/net-clients.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('lbd-cli');
const LB_A = ports.local(0);
const LB_B = ports.local(1);
const ECHO = ports.local(2);
const cleanup = createCleanup();
let dir: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  dir = await makeTempDir('lbd-cli');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
});
afterAll(() => cleanup.run());

const validConfig = () =>
  lbdConfig(
    { statsSocket: `${dir}/stats.sock` },
    `
    listen echo_a
      bind 127.0.0.1:${LB_A}
      log global
      server echo 127.0.0.1:${ECHO}

    listen echo_b
      bind 127.0.0.1:${LB_B}
      log global
      server echo 127.0.0.1:${ECHO}
    `,
  );

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('lbd -c -f FILE', () => {
  it('accepts a valid file: exit 0, "Configuration file is valid"', async () => {
    const result = await checkConfig(validConfig(), { dir, fileName: 'valid.cfg' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Configuration file is valid');
  });

  it('rejects a broken file: exit 1, FILE:LINE: on stderr', async () => {
    const text = [
      'global',
      '  log stdout format raw local0',
      '',
      'listen broken',
      '  modetcp',
      '  bind 127.0.0.1:1',
    ].join('\n');
    const result = await checkConfig(`${text}\n`, { dir, fileName: 'broken.cfg' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${result.file}:5:`);
    expect(result.stdout).not.toContain('Configuration file is valid');
  });
});

describe('lbd -f FILE', () => {
  it('serves on every listener once it logs "lbd ready", and exits 0 on SIGTERM', async () => {
    const lbd = cleanup.add(await startLbd(validConfig(), { dir, name: 'lbd-cli' }), (l) => l.kill());
    for (const port of [LB_A, LB_B]) {
      const socket = await connectTcp(port);
      const reply = readToEnd(socket);
      socket.end(`hello ${port}`);
      expect((await reply).toString()).toBe(`hello ${port}`);
    }
    expect(lbd.strayLines).toEqual([]);

    const exit = await lbd.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await refused(LB_A)).toBe(true);
  });
});
