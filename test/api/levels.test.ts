import { spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiError, COMMAND_NAMES, COMMANDS, type CommandArgs, LbClient } from '@lbctl/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { LBD_ENTRY, startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { trackChild, waitForClose } from '../support/processes.js';
import { statsCommand } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('api-levels');
const ECHO = ports.local(0);
const WS_PORT = ports.local(2);
const TOKEN = 'levels-token';
const cleanup = createCleanup();
let dir: string;
const sock = { admin: '', user: '', oper: '' };

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  dir = await makeTempDir('api-levels');
  for (const level of ['admin', 'user', 'oper'] as const) sock[level] = join(dir, `${level}.sock`);
  await writeFile(join(dir, 'token'), TOKEN, { mode: 0o600 });
  const configText = `${dedent(`
    global
      stats socket ${sock.admin} mode 600 level admin
      stats socket ${sock.user} mode 640 user nobody group nogroup level user
      stats socket ${sock.oper} mode 660 uid 1234 gid 4321 level operator
      stats websocket 127.0.0.1:${WS_PORT} token-file ${join(dir, 'token')} level user
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen pool
      bind 127.0.0.1:${ports.local(1)}
      server db1 127.0.0.1:${ECHO} check inter 500
      server db2 127.0.0.1:${ECHO} check inter 500 agent-check agent-port ${ECHO}
  `)}\n`;
  cleanup.add(await startLbd(configText, { dir, name: 'api-levels' }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/** Every HAProxy-dialect admin command, valid as written (an admin would change state with each). */
const TEXT_ADMIN_COMMANDS = [
  'set weight pool/db1 5',
  'set weight pool/db1 50%',
  'set server pool/db1 state maint',
  'set server pool/db1 state drain',
  'set server pool/db1 weight 7',
  'set server pool/db1 health down',
  'set server pool/db2 agent down',
  'set server pool/db1 addr 127.0.0.9 port 1',
  'disable server pool/db1',
  'enable server pool/db1',
  'disable health pool/db1',
  'enable health pool/db1',
  'disable agent pool/db2',
  'enable agent pool/db2',
  'shutdown sessions server pool/db1',
  'lbd reload',
];

/** Valid arguments for each JSON command that needs admin. */
function adminArgs(cmd: string): Record<string, unknown> {
  if (cmd === 'reload') return {};
  const on = { backend: 'pool', server: cmd.includes('agent') ? 'db2' : 'db1' };
  const extra: Record<string, Record<string, unknown>> = {
    'set-weight': { weight: 5 },
    'set-state': { state: 'maint' },
    'set-health': { health: 'down' },
    'set-agent': { agent: 'down' },
    'set-addr': { addr: '127.0.0.9', port: 1 },
  };
  return { ...on, ...extra[cmd] };
}

describe('socket files', () => {
  it('have the configured mode and owner (numeric or by name)', async () => {
    const expected = [
      [sock.admin, 0o600, 0, 0],
      [sock.user, 0o640, 65534, 65534],
      [sock.oper, 0o660, 1234, 4321],
    ] as const;
    for (const [path, mode, uid, gid] of expected) {
      const info = await stat(path);
      expect({ path, mode: info.mode & 0o777, uid: info.uid, gid: info.gid }).toEqual({
        path,
        mode,
        uid,
        gid,
      });
      expect(info.isSocket()).toBe(true);
    }
  });

  it('a socket a live daemon answers on is never replaced: a second lbd refuses to start', async () => {
    // No listener of its own: the stats socket is the only thing the two daemons could contend for.
    const file = join(dir, 'second.cfg');
    await writeFile(
      file,
      `global\n  stats socket ${sock.admin} level admin\nbackend spare\n  server s1 127.0.0.1:${ECHO}\n`,
    );
    const child = trackChild(
      spawn(process.execPath, [LBD_ENTRY, '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const exit = await waitForClose(child).finally(() => clearTimeout(timer));
    expect(exit.code).toBe(1);
    expect(out).toContain('is in use by a running process');
    expect(await statsCommand(sock.admin, 'show backend')).toBe('# name\npool\n\n');
  });
});

describe('a level user socket refuses every admin command, in both dialects', () => {
  it('HAProxy dialect: "Permission denied" and nothing changes', async () => {
    const before = await statsCommand(sock.admin, 'show servers state');
    for (const command of TEXT_ADMIN_COMMANDS) {
      expect({ command, reply: await statsCommand(sock.user, command) }).toEqual({
        command,
        reply: 'Permission denied\n\n',
      });
    }
    expect(await statsCommand(sock.user, 'show sess')).toBe('Permission denied\n\n');
    expect(await statsCommand(sock.user, 'operator')).toBe('Permission denied\n\n');
    const after = await statsCommand(sock.admin, 'show servers state');
    // What an admin command would change: address, admin state and weights
    // (fields 4, 6, 7, 8). Checks run every 500 ms and may move the rest.
    const adminView = (t: string) =>
      t
        .split('\n')
        .filter((l) => /^\d+ \S/.test(l))
        .map((l) => {
          const f = l.split(' ');
          return [f[1], f[3], f[4], f[6], f[7], f[8]].join(' ');
        });
    expect(adminView(after)).toEqual(adminView(before));
    expect(adminView(after).length).toBe(2);
  });

  it('JSON dialect on the socket and over WebSocket: LB_ERR_PERMISSION_DENIED for each admin command', async () => {
    const adminCommands = COMMAND_NAMES.filter((c) => COMMANDS[c].level === 'admin');
    expect(adminCommands.length).toBe(13);
    const clients = [
      await LbClient.connect({ path: sock.user }),
      await LbClient.connect({ url: `ws://127.0.0.1:${WS_PORT}`, token: TOKEN }),
    ];
    try {
      for (const client of clients) {
        expect((await client.hello()).level).toBe('user');
        for (const cmd of adminCommands) {
          const args = adminArgs(cmd) as CommandArgs[typeof cmd];
          const error = await client.request(cmd, args).then(
            () => undefined,
            (e: ApiError) => e.code,
          );
          expect({ cmd, error }).toEqual({ cmd, error: 'LB_ERR_PERMISSION_DENIED' });
        }
        const sessions = await client.request('show-sessions').catch((e: ApiError) => e.code);
        expect(sessions).toBe('LB_ERR_PERMISSION_DENIED');
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('the operator socket may list sessions but not change state', async () => {
    expect(await statsCommand(sock.oper, 'show sess')).toMatch(/fe=GLOBAL/);
    expect(await statsCommand(sock.oper, 'disable server pool/db1')).toBe('Permission denied\n\n');
    expect(await statsCommand(sock.oper, 'user; show sess')).toBe('\nPermission denied\n\n');
  });
});
