import { createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parser.js';
import { RuntimeModel } from '../model/index.js';
import { DataPlane } from '../proxy/index.js';
import { HealthChecker } from './checker.js';
import type { HealthEvent } from './events.js';

const silent = pino({ level: 'silent' });
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP peer on an ephemeral port; `seen` records each connection's source address and first bytes. */
async function peer(onConnection: (socket: Socket) => void = (s) => s.resume()) {
  const seen: { from: string; data: string }[] = [];
  const server: Server = createServer((socket) => {
    socket.on('error', () => {});
    const entry = { from: socket.remoteAddress ?? '', data: '' };
    seen.push(entry);
    socket.on('data', (d: Buffer) => {
      entry.data += d.toString('latin1');
    });
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, seen, server };
}

function start(body: string) {
  const text = `global\n  spread-checks 0\ndefaults\n  mode tcp\n  timeout connect 1s\n${body}\n`;
  const parsed = parseConfig([{ path: 'lb.cfg', text }], { env: {} });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const model = new RuntimeModel(parsed.config);
  const dataPlane = new DataPlane(model, silent);
  const checker = new HealthChecker(model, dataPlane, silent);
  const events: HealthEvent[] = [];
  checker.events.subscribe((e) => events.push(e));
  checker.start();
  closers.push(() => checker.stop());
  return { model, dataPlane, checker, events };
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('HealthChecker', () => {
  it('spreads the first checks of many servers over the shortest interval', async () => {
    const target = await peer((s) => s.destroy());
    const starts: number[] = [];
    target.server.on('connection', () => starts.push(performance.now()));
    const lines = Array.from(
      { length: 20 },
      (_, i) => `  server s${i} 127.0.0.1:${target.port} check inter 400ms rise 1 fall 1`,
    );
    const t0 = performance.now();
    start(`backend be\n${lines.join('\n')}`);
    await until(() => starts.length >= 20, '20 first checks');
    const offsets = starts.slice(0, 20).map((t) => t - t0);
    // rise 1 fall 1: the start interval is inter itself; 20 checks over 400 ms, 20 ms apart.
    expect(Math.max(...offsets)).toBeGreaterThan(300);
    expect(Math.max(...offsets)).toBeLessThan(1000);
  });

  it('checks from the source address and sends the PROXY header of a send-proxy server', async () => {
    const target = await peer();
    start(
      `backend be\n  source 127.0.0.2\n  server s1 127.0.0.1:${target.port} check inter 5s send-proxy-v2`,
    );
    await until(() => target.seen.length > 0 && target.seen[0]!.data.length >= 16, 'a check connection');
    expect(target.seen[0]!.from).toBe('127.0.0.2');
    expect(Buffer.from(target.seen[0]!.data, 'latin1').subarray(12, 16).toString('hex')).toBe('20000000');
  });

  it('spreads successive checks over every source address of the server, in turn', async () => {
    // The check waits for a greeting: a plain connect check resets before the peer may read its address.
    const target = await peer((s) => s.write('ready\n'));
    start(
      `backend be\n  option tcp-check\n  tcp-check expect string ready\n` +
        `  server s1 127.0.0.1:${target.port} check inter 100ms source 127.0.0.2,127.0.0.3`,
    );
    await until(() => target.seen.length >= 4, 'four check connections');
    expect(target.seen.slice(0, 4).map((s) => s.from)).toEqual([
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.2',
      '127.0.0.3',
    ]);
  });

  it('reports a source address the host does not have as a socket error', async () => {
    const target = await peer();
    const { model } = start(
      `backend be\n  server s1 127.0.0.1:${target.port} check inter 10s source 192.0.2.222`,
    );
    const server = model.findServer('be', 's1')!;
    await until(() => server.status === 'DOWN', 'DOWN');
    expect(server.check.status).toBe('SOCKERR');
    expect(server.check.lastText).toBe('Cannot assign requested address');
  });

  it('applies on-error sudden-death: one more failure takes the server down', async () => {
    const target = await peer((s) => s.destroy());
    const { model, dataPlane, events } = start(
      `backend be\n  server s1 127.0.0.1:${target.port} check inter 10s fall 3 observe layer4 error-limit 2 on-error sudden-death`,
    );
    const server = model.findServer('be', 's1')!;
    await until(() => server.status === 'UP', 'UP');
    const runtime = dataPlane.pools.get('be')!.servers[0]!;
    runtime.observer?.('connect-refused');
    runtime.observer?.('connect-refused');
    await until(() => server.status === 'UP 1/3', 'UP 1/3');
    expect(server.check.status).toBe('HANA');
    expect(server.check.hanaFailures).toBe(1);
    expect(events.map((e) => `${e.from}->${e.to} ${e.source}`)).toEqual([
      'UP 1/3->UP check',
      'UP->UP 1/3 observe',
    ]);
  });

  it('restarts a server leaving maintenance one failure away from DOWN, and counts downtime', async () => {
    const target = await peer((s) => s.destroy());
    const { model } = start(`backend be\n  server s1 127.0.0.1:${target.port} check inter 10s fall 3 rise 2`);
    const server = model.findServer('be', 's1')!;
    await until(() => server.status === 'UP', 'UP');
    server.setAdmin('maint', 'operator');
    expect(server.check.downTransitions).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    server.setAdmin('ready', 'operator');
    expect(server.status).toBe('UP 1/3');
    expect(server.check.downtimeMs).toBeGreaterThanOrEqual(25);
    // Leaving maintenance checks at once.
    await until(() => server.status === 'UP', 'UP after the immediate check');
  });

  it('keeps checking when a listener of the model throws', async () => {
    const target = await peer((s) => s.destroy());
    const { model } = start(
      `backend be\n  server s1 127.0.0.1:${target.port} check inter 50ms fall 1 rise 1`,
    );
    const server = model.findServer('be', 's1')!;
    await until(() => server.check.status === 'L4OK', 'a first check');
    let thrown = 0;
    model.onServerChange(() => {
      thrown++;
      throw new Error('a buggy listener');
    });
    await new Promise((resolve) => target.server.close(resolve));
    await until(() => thrown > 0, 'the listener to throw');
    expect(server.health).toBe('down');
    // A later check writes its result again: the loop survived.
    server.check.status = 'INI';
    await until(() => server.check.status === 'L4CON', 'a check after the failure');
  });

  it('fails a check that outlives timeout check, and a silent server is L7TOUT', async () => {
    const target = await peer();
    const { model } = start(
      `backend be\n  option redis-check\n  timeout check 100ms\n  server s1 127.0.0.1:${target.port} check inter 10s`,
    );
    const server = model.findServer('be', 's1')!;
    await until(() => server.status === 'DOWN', 'DOWN');
    expect(server.check.status).toBe('L7TOUT');
    expect(server.check.durationMs).toBeGreaterThanOrEqual(95);
    expect(server.check.durationMs).toBeLessThan(1000);
  });
});
