import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openClient } from './open-client.js';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('openClient', () => {
  it('fails fast with LB_ERR_DAEMON_UNREACHABLE naming a missing socket', async () => {
    const started = Date.now();
    const path = join(tmpdir(), 'lbctl-no-such.sock');
    await expect(openClient({ path })).rejects.toMatchObject({
      code: 'LB_ERR_DAEMON_UNREACHABLE',
      message: expect.stringContaining(path),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up on a socket that accepts but never answers hello', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lbctl-')), 'mute.sock');
    server = createServer(() => {});
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const started = Date.now();
    await expect(openClient({ path }, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'LB_ERR_DAEMON_UNREACHABLE',
      message: expect.stringContaining('did not answer within 300 ms'),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('returns a client once the daemon answers hello', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lbctl-')), 'ok.sock');
    server = createServer((socket) => {
      socket.on('data', (chunk) => {
        const { id } = JSON.parse(chunk.toString()) as { id: number };
        socket.write(`${JSON.stringify({ id, ok: true, data: { protocol: 1 } })}\n`);
      });
    });
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const client = await openClient({ path });
    client.close();
  });
});
