/**
 * Run by managed-ports.test.ts inside a network namespace of its own
 * (`unshare -n node managed-scenario.ts LBD_ENTRY`): there the kernel's
 * ephemeral range can be narrowed to 1,000 ports without touching the
 * machine's. One source address, two servers; for each way of choosing
 * source ports, lbd is started, 2,500 clients connect through it and hold,
 * and the connections the servers hold are counted. Prints one JSON line:
 * {"<mode>": {"held": N, "perServer": [A, B], "closed": M}, ...}.
 *
 * Self-contained (no imports from the harness): it runs outside vitest.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LBD_ENTRY = process.argv[2]!;
const RANGE = { low: 30000, high: 30999 };
const CLIENTS = 2500;
const LISTEN = 29500;
const SERVER_PORTS = [29501, 29502];
const SOURCE = '127.0.0.8';

execFileSync('ip', ['link', 'set', 'lo', 'up']);
// Only this namespace's range: the kernel's choice then has the same 1,000 ports as lbd's range.
writeFileSync('/proc/sys/net/ipv4/ip_local_port_range', `${RANGE.low} ${RANGE.high}`);

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface Holder {
  server: Server;
  held: Set<Socket>;
}

function hold(port: number): Promise<Holder> {
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    held.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => held.delete(socket));
    socket.resume();
  });
  return new Promise((resolve) =>
    server.listen({ port, host: '127.0.0.1', backlog: 8192 }, () => resolve({ server, held })),
  );
}

function startLbd(config: string, dir: string): Promise<ChildProcess> {
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, config);
  const child = spawn(process.execPath, [LBD_ENTRY, '-f', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lbd not ready in 15 s')), 15_000);
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      if (buffered.includes('"lbd ready"')) {
        clearTimeout(timer);
        resolve(child);
      }
      if (buffered.length > 100_000) buffered = buffered.slice(-1000);
    });
    child.once('exit', (code) => reject(new Error(`lbd exited (${code})`)));
  });
}

/** Clients leave from 127.0.0.20 with ports they choose, so they take nothing from the narrowed range. */
async function openClients(count: number): Promise<{ sockets: Socket[]; closed: () => number }> {
  const sockets: Socket[] = [];
  let closed = 0;
  for (let i = 0; i < count; i += 250) {
    await Promise.all(
      Array.from(
        { length: Math.min(250, count - i) },
        (_, k) =>
          new Promise<void>((resolve) => {
            const socket = connect({
              host: '127.0.0.1',
              port: LISTEN,
              localAddress: '127.0.0.20',
              localPort: 40000 + i + k,
            });
            socket.once('connect', () => resolve());
            socket.once('close', () => closed++);
            socket.on('error', () => resolve());
            socket.resume();
            sockets.push(socket);
          }),
      ),
    );
  }
  return { sockets, closed: () => closed };
}

async function settle(read: () => number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline && Date.now() - since < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

const MODES: Record<string, string> = {
  'kernel-bind': `source ${SOURCE}`,
  managed: `source ${SOURCE}:${RANGE.low}-${RANGE.high}`,
  'kernel-connect': '',
};

const holders = await Promise.all(SERVER_PORTS.map(hold));
const dir = mkdtempSync(join(tmpdir(), 'lbd-managed-'));
const results: Record<string, { held: number; perServer: number[]; closed: number }> = {};
try {
  for (const [mode, source] of Object.entries(MODES)) {
    const config = [
      'global',
      '  maxconn 6000',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      'listen both',
      `  bind 127.0.0.1:${LISTEN}`,
      '  balance roundrobin',
      // A reset when the clients go: no TIME_WAIT carries over to the next mode.
      '  option nolinger',
      source === '' ? '' : `  ${source}`,
      ...SERVER_PORTS.map((port, i) => `  server s${i + 1} 127.0.0.1:${port}`),
      '',
    ].join('\n');
    const lbd = await startLbd(config, dir);
    const clients = await openClients(CLIENTS);
    const held = await settle(() => holders.reduce((n, h) => n + h.held.size, 0), 30_000);
    await settle(clients.closed, 5000);
    results[mode] = { held, perServer: holders.map((h) => h.held.size), closed: clients.closed() };
    for (const socket of clients.sockets) socket.destroy();
    await settle(() => holders.reduce((n, h) => n + h.held.size, 0), 10_000);
    lbd.kill('SIGTERM');
    await new Promise((resolve) => lbd.once('exit', resolve));
    children.delete(lbd);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(results));
process.exit(0);
