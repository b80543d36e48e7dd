import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  type ApiError,
  LbClient,
  PROTOCOL_SCHEMA,
  type Push,
  type ServerMessage,
  validateSchema,
} from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { statsCommand } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('api-json');
const ECHO = ports.local(0);
const WS_PORT = ports.local(2);
const TOKEN = 'e2e-token-7f3a9c';
const cleanup = createCleanup();
let admin: string;
let user: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  const dir = await makeTempDir('api-json');
  admin = join(dir, 'admin.sock');
  user = join(dir, 'user.sock');
  const tokenFile = join(dir, 'ws.token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const config = dedent(`
    global
      stats socket ${admin} level admin
      stats socket ${user} level user
      stats websocket :${WS_PORT} token-file ${tokenFile} level operator
      stats timeout 5s
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen app
      bind 127.0.0.1:${ports.local(1)}
      server s1 127.0.0.1:${ECHO}
      server s2 127.0.0.1:${REFUSED_PORT} check inter 500
  `);
  cleanup.add(await startLbd(`${config}\n`, { dir, name: 'api-json' }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/** A raw NDJSON connection: bytes out, parsed messages in. */
async function rawJson(
  path: string,
): Promise<{ socket: Socket; next(timeoutMs?: number): Promise<ServerMessage> }> {
  const socket = connect(path);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const queue: ServerMessage[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  socket.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      queue.push(JSON.parse(buffer.slice(0, nl)) as ServerMessage);
      buffer = buffer.slice(nl + 1);
    }
    wake?.();
  });
  return {
    socket,
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (Date.now() > deadline) throw new Error('no message');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return queue.shift()!;
    },
  };
}

/** The error code of a response, undefined for anything else. */
function codeOf(message: ServerMessage): string | undefined {
  return (message as { error?: { code?: string } }).error?.code;
}

function expectValid(message: unknown): void {
  expect(validateSchema(PROTOCOL_SCHEMA, message)).toBeUndefined();
}

describe('JSON dialect on the stats socket', () => {
  it('hello: versions, capabilities, the connection level; schema returns the published schema', async () => {
    const client = cleanup.add(await LbClient.connect({ path: admin }), (c) => c.close());
    const hello = await client.hello('e2e');
    expect(hello.protocol).toBe(1);
    expect(hello.level).toBe('admin');
    expect(hello.transport).toBe('unix');
    expect(hello.commands).toContain('set-state');
    expect(hello.topics).toEqual([
      'stats',
      'server',
      'admin',
      'check',
      'reload',
      'ports',
      'worker',
      'ports-report',
    ]);
    expect(hello.limits.maxLineBytes).toBe(65_536);
    expect(await client.request('schema')).toEqual(PROTOCOL_SCHEMA);
  });

  it('malformed or unknown messages get coded errors and the connection stays usable', async () => {
    const c = await rawJson(admin);
    try {
      const bad: [Buffer | string, string][] = [
        ['{not json\n', 'LB_ERR_BAD_JSON'],
        ['[1,2]\n', 'LB_ERR_INVALID_MESSAGE'],
        ['{"id":1,"cmd":"frobnicate"}\n', 'LB_ERR_UNKNOWN_COMMAND'],
        [
          '{"id":2,"cmd":"set-weight","args":{"backend":"app","server":"s1","weight":"heavy"}}\n',
          'LB_ERR_INVALID_MESSAGE',
        ],
        ['{"id":3,"cmd":"get-weight","args":{"backend":"app"}}\n', 'LB_ERR_INVALID_MESSAGE'],
        ['{"id":4,"cmd":"hello","extra":true}\n', 'LB_ERR_INVALID_MESSAGE'],
        [Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), 'LB_ERR_BAD_JSON'],
        ['{"id":5,"cmd":"get-weight","args":{"backend":"nosuch","server":"s1"}}\n', 'LB_ERR_NO_SUCH_BACKEND'],
        ['{"id":6,"cmd":"get-weight","args":{"backend":"app","server":"nosuch"}}\n', 'LB_ERR_NO_SUCH_SERVER'],
        ['{"id":7,"cmd":"hello","args":{"protocol":99}}\n', 'LB_ERR_PROTOCOL_VERSION'],
      ];
      for (const [input, code] of bad) {
        c.socket.write(input);
        const reply = await c.next();
        expectValid(reply);
        expect(codeOf(reply), String(input)).toBe(code);
      }
      c.socket.write('{"id":"still-here","cmd":"get-weight","args":{"backend":"app","server":"s1"}}\n');
      const ok = await c.next();
      expect(ok).toEqual({ id: 'still-here', ok: true, data: { weight: 1, initialWeight: 1 } });
    } finally {
      c.socket.destroy();
    }
  });

  it('a line over the limit gets LB_ERR_LINE_TOO_LONG and the connection is closed', async () => {
    const c = await rawJson(admin);
    const closed = new Promise((resolve) => c.socket.once('close', resolve));
    c.socket.write(`{"id":1,"cmd":"hello","args":{"client":"${'x'.repeat(70_000)}"}}\n`);
    const reply = await c.next();
    expect(codeOf(reply)).toBe('LB_ERR_LINE_TOO_LONG');
    await closed;
  });

  it('the same levels as the text dialect: a user socket refuses admin commands and hides addresses', async () => {
    const client = cleanup.add(await LbClient.connect({ path: user }), (c) => c.close());
    expect((await client.hello()).level).toBe('user');
    const denied = await client
      .request('set-state', { backend: 'app', server: 's1', state: 'maint' })
      .catch((e) => e);
    expect((denied as ApiError).code).toBe('LB_ERR_PERMISSION_DENIED');
    const sessions = await client.request('show-sessions').catch((e) => e);
    expect((sessions as ApiError).code).toBe('LB_ERR_PERMISSION_DENIED');
    const { rows } = await client.request('show-stat', { type: 4 });
    expect(rows.map((r) => r.svname)).toEqual(['s1', 's2']);
    expect(rows.every((r) => r.addr === undefined)).toBe(true);
    const lowered = await LbClient.connect({ path: admin });
    try {
      await lowered.request('lower-level', { level: 'operator' });
      const e = await lowered.request('disable-server', { backend: 'app', server: 's1' }).catch((x) => x);
      expect((e as ApiError).code).toBe('LB_ERR_PERMISSION_DENIED');
      const raise = await lowered.request('lower-level', { level: 'user' });
      expect(raise.level).toBe('user');
    } finally {
      lowered.close();
    }
  });
});

describe('subscribe', () => {
  it('streams a server state change within well under a second, with its reason and the admin action', async () => {
    const client = cleanup.add(await LbClient.connect({ path: admin }), (c) => c.close());
    const pushes: { push: Push; at: number }[] = [];
    await client.subscribe(['server', 'admin'], (push) => pushes.push({ push, at: performance.now() }));
    const sent = performance.now();
    expect(await statsCommand(admin, 'disable server app/s1')).toBe('\n');
    const deadline = Date.now() + 2000;
    while (!pushes.some((p) => p.push.topic === 'server') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const change = pushes.find((p) => p.push.topic === 'server');
    expect(change).toBeDefined();
    expect(change!.at - sent).toBeLessThan(250);
    expect(change!.push.data).toMatchObject({
      backend: 'app',
      server: 's1',
      field: 'admin',
      from: 'ready',
      to: 'maint',
      status: 'MAINT',
    });
    const action = pushes.find((p) => p.push.topic === 'admin')!.push.data;
    expect(action).toMatchObject({
      command: 'disable-server',
      ok: true,
      source: { transport: 'unix', dialect: 'haproxy', socket: admin, level: 'admin' },
    });
    for (const p of pushes) expectValid(p.push);
    await statsCommand(admin, 'enable server app/s1');
  });

  it('streams stats snapshots at the asked interval; limits the subscriptions per connection', async () => {
    const client = cleanup.add(await LbClient.connect({ path: admin }), (c) => c.close());
    const snapshots: Push[] = [];
    const sub = await client.subscribe(['stats'], (p) => snapshots.push(p), 200);
    const deadline = Date.now() + 3000;
    while (snapshots.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    for (const s of snapshots) expectValid(s);
    const data = snapshots[0]!.data as { rows: { svname: string }[]; info: Record<string, unknown> };
    expect(data.rows.map((r) => r.svname)).toEqual(['FRONTEND', 's1', 's2', 'BACKEND']);
    expect(data.info.Name).toBe('lbd');
    await sub.unsubscribe();
    for (let i = 0; i < 8; i++) await client.request('subscribe', { topics: ['reload'] });
    const over = await client.request('subscribe', { topics: ['reload'] }).catch((e) => e);
    expect((over as ApiError).code).toBe('LB_ERR_TOO_MANY_SUBSCRIPTIONS');
    const missing = await client.request('unsubscribe', { subscription: 999_999 }).catch((e) => e);
    expect((missing as ApiError).code).toBe('LB_ERR_NO_SUCH_SUBSCRIPTION');
  });
});

describe('WebSocket transport', () => {
  const url = `ws://127.0.0.1:${WS_PORT}/`;

  it('refuses a missing or wrong bearer token with HTTP 401', async () => {
    for (const token of ['', 'wrong-token', `${TOKEN}x`]) {
      const e = await LbClient.connect({ url, token }).catch((x) => x);
      expect((e as ApiError).code, token).toBe('LB_ERR_UNAUTHORIZED');
    }
  });

  it("speaks the same protocol at the listener's level (operator here)", async () => {
    const client = cleanup.add(await LbClient.connect({ url, token: TOKEN }), (c) => c.close());
    const hello = await client.hello();
    expect(hello).toMatchObject({ protocol: 1, level: 'operator', transport: 'ws' });
    expect((await client.request('show-sessions')).sessions.length).toBeGreaterThan(0);
    const denied = await client
      .request('set-weight', { backend: 'app', server: 's1', weight: 2 })
      .catch((e) => e);
    expect((denied as ApiError).code).toBe('LB_ERR_PERMISSION_DENIED');
    const bad = await new Promise<unknown>((resolve) => {
      client.once('daemon-error', resolve);
      client.sendRaw('not json');
    });
    expect((bad as ApiError).code).toBe('LB_ERR_BAD_JSON');
    const pushes: Push[] = [];
    await client.subscribe(['server'], (p) => pushes.push(p));
    await statsCommand(admin, 'set server app/s1 state drain');
    const deadline = Date.now() + 2000;
    while (pushes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(pushes[0]?.data).toMatchObject({ server: 's1', to: 'drain' });
    await statsCommand(admin, 'set server app/s1 state ready');
  });
});
