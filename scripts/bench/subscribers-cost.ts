/**
 * What 1,000 JSON subscribers cost the data plane: proxied connections per
 * second through lbd without subscribers and with 1,000 subscribers to
 * `stats` (1 s interval) and `server`, interleaved (A B A B ...) so drifts
 * of the machine hit both alike. lbd runs on core 0; the load client, the
 * echo backend and the subscribers on core 1. Prints one Markdown table and
 * the ratio; exit 0 when every phase ran, 1 otherwise.
 *
 *   pnpm build && node scripts/bench/subscribers-cost.ts [--seconds 5] [--rounds 3] [--subscribers 1000]
 *
 * Runs on Node's type stripping (erasable syntax only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll, installSignalHandlers, onCleanup, type Proc, startProcess } from './lib/processes.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LBD_ENTRY = join(REPO_ROOT, 'packages', 'daemon', 'bin', 'lbd.js');
const HOST = '127.0.0.1';
/** Below the ephemeral range, apart from the main bench's 14001-14104. */
const LISTEN_PORT = 14201;
const BACKEND_PORT = 14202;
/** Connections in flight at once from the load client. */
const CONCURRENCY = 32;
const log = (message: string) => process.stderr.write(`subscribers-cost: ${message}\n`);

/** Child mode: hold `count` JSON subscribers on `path`, reading everything, until killed. */
async function runSubscribers(path: string, count: number): Promise<void> {
  let ready = 0;
  let pushes = 0;
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect(path);
      let acknowledged = false;
      let pending = '';
      socket.setEncoding('utf8');
      socket.on('error', reject);
      socket.on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (!acknowledged && line.startsWith('{"id":1,')) {
            acknowledged = true;
            if (!line.includes('"ok":true')) reject(new Error(`subscribe refused: ${line}`));
            else resolve();
          } else pushes++;
          newline = pending.indexOf('\n');
        }
      });
      socket.write('{"id":1,"cmd":"subscribe","args":{"topics":["stats","server"],"intervalMs":1000}}\n');
    });
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, open));
    ready += Math.min(50, count - i);
  }
  process.stdout.write(`ready ${ready}\n`);
  setInterval(() => process.stdout.write(`pushes ${pushes}\n`), 1000);
}

/** An echo server that closes first, so TIME_WAIT lands on its fixed port, not on client ports. */
function startEcho(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (data) => socket.end(data));
  });
  return new Promise((resolve) => server.listen(BACKEND_PORT, HOST, () => resolve(server)));
}

/** Opens, pings and closes proxied connections for `ms`, `CONCURRENCY` at a time; returns completed connections. */
async function churn(ms: number): Promise<{ done: number; failed: number }> {
  const end = Date.now() + ms;
  let done = 0;
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const socket: Socket = connect(LISTEN_PORT, HOST);
      const finish = (ok: boolean) => {
        if (ok) done++;
        else failed++;
        socket.destroy();
        resolve();
      };
      socket.setTimeout(5000, () => finish(false));
      socket.on('error', () => finish(false));
      socket.once('connect', () => socket.write('x'));
      socket.once('data', () => finish(true));
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  return { done, failed };
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function waitForLine(proc: Proc, prefix: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.stdout().includes(prefix)) {
    if (proc.exitInfo() !== undefined) throw new Error(`${proc.name} exited: ${proc.stderrTail()}`);
    if (Date.now() > deadline) throw new Error(`${proc.name}: no '${prefix}' within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      subscribers: { type: 'string', default: '1000' },
      'subscribers-child': { type: 'string' },
      count: { type: 'string' },
    },
  });
  if (values['subscribers-child'] !== undefined) {
    await runSubscribers(values['subscribers-child'], Number(values.count));
    return -1;
  }
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const subscribers = Number(values.subscribers);
  installSignalHandlers();
  // This process (load client and backend) runs on core 1; lbd gets core 0 to itself.
  execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'lbd-subcost-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'stats.sock');
  const config = [
    'global',
    '  maxconn 20000',
    `  stats socket ${socketPath} level admin`,
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    'listen churn',
    `  bind ${HOST}:${LISTEN_PORT}`,
    `  server echo ${HOST}:${BACKEND_PORT}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'lbd.cfg'), config);
  const echo = await startEcho();
  onCleanup(() => new Promise<void>((resolve) => echo.close(() => resolve())));
  const lbd = startProcess({
    name: 'lbd',
    command: process.execPath,
    args: [LBD_ENTRY, '-f', join(dir, 'lbd.cfg'), '--log-level', 'warn'],
    cpus: '0',
  });
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 100 && lbd.exitInfo() === undefined; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(socketPath);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log('warming up');
  await churn(2000);
  const results: { phase: string; rate: number; failed: number; cpuPerK: number }[] = [];
  const idleCpu: number[] = [];
  let subs: Proc | undefined;
  for (let round = 0; round < rounds; round++) {
    for (const phase of ['without', 'with'] as const) {
      if (phase === 'with') {
        subs = startProcess({
          name: 'subscribers',
          // Niced: the subscribers' own reading must not slow the load client beside them, or the
          // table would show their cost on core 1 rather than lbd's on core 0.
          command: 'nice',
          args: [
            '-n',
            '19',
            process.execPath,
            fileURLToPath(import.meta.url),
            '--subscribers-child',
            socketPath,
            '--count',
            String(subscribers),
          ],
          cpus: '1',
          captureStdout: true,
        });
        await waitForLine(subs, 'ready', 60_000);
        await new Promise((r) => setTimeout(r, 1000));
        // With no traffic, whatever lbd spends is the subscriptions' own cost: an upper bound on what they take from proxying.
        const idleBefore = await cpuMs(lbd.pid);
        await new Promise((r) => setTimeout(r, 3000));
        idleCpu.push(((await cpuMs(lbd.pid)) - idleBefore) / 3);
        log(
          `  ${subscribers} subscribers, no traffic: lbd uses ${idleCpu.at(-1)!.toFixed(0)} ms CPU per second`,
        );
      }
      const cpuBefore = await cpuMs(lbd.pid);
      const { done, failed } = await churn(seconds * 1000);
      // lbd's own CPU per 1,000 proxied connections: what the subscribers cost the process that proxies.
      const cpuPerK = ((await cpuMs(lbd.pid)) - cpuBefore) / (done / 1000);
      results.push({ phase, rate: done / seconds, failed, cpuPerK });
      log(
        `round ${round + 1} ${phase} subscribers: ${(done / seconds).toFixed(0)} conn/s, ` +
          `lbd ${cpuPerK.toFixed(1)} ms CPU per 1,000 connections (${failed} failed)`,
      );
      if (subs !== undefined) {
        const pushes = [...subs.stdout().matchAll(/pushes (\d+)/g)].at(-1)?.[1] ?? '0';
        log(`  subscribers received ${pushes} pushes`);
        await subs.stop(2000);
        subs = undefined;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const without = median(results.filter((r) => r.phase === 'without').map((r) => r.rate));
  const withSubs = median(results.filter((r) => r.phase === 'with').map((r) => r.rate));
  const cpuWithout = median(results.filter((r) => r.phase === 'without').map((r) => r.cpuPerK));
  const cpuWith = median(results.filter((r) => r.phase === 'with').map((r) => r.cpuPerK));
  const ratio = withSubs / without;
  process.stdout.write(
    [
      `| phase | proxied connections/s | lbd CPU ms per 1,000 connections |`,
      '| --- | --- | --- |',
      `| no subscribers | ${without.toFixed(0)} | ${cpuWithout.toFixed(1)} |`,
      `| ${subscribers} subscribers (stats every 1 s + server events) | ${withSubs.toFixed(0)} | ${cpuWith.toFixed(1)} |`,
      '',
      `medians of ${rounds} interleaved rounds of ${seconds} s`,
      `throughput ratio with/without: ${ratio.toFixed(3)} (cost ${((1 - ratio) * 100).toFixed(1)} %)`,
      `lbd CPU per connection, with/without: ${(cpuWith / cpuWithout).toFixed(3)} (cost ${((cpuWith / cpuWithout - 1) * 100).toFixed(1)} %)`,
      `subscriptions alone (no traffic): lbd ${median(idleCpu).toFixed(0)} ms CPU per second = ${(median(idleCpu) / 10).toFixed(1)} % of its core`,
      '',
    ].join('\n'),
  );
  return results.some((r) => r.failed > 0 && r.rate === 0) ? 1 : 0;
}

main().then(
  async (code) => {
    if (code < 0) return; // child mode keeps running until killed
    await cleanupAll();
    process.exit(code);
  },
  async (error: unknown) => {
    log(`failed: ${(error as Error).message}`);
    await cleanupAll();
    process.exit(1);
  },
);
