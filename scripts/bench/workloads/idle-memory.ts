/**
 * Memory per idle proxied connection: client processes open N connections
 * through the proxy to a backend that holds them; once the kernel shows the
 * proxy holding all N on both sides, the growth of the proxy's RSS divided by
 * N is its cost per connection. Only meaningful where there is a proxy.
 *
 * Why several client processes: each may hold at most 20,000 descriptors, and
 * each gets its own source address so no two compete for ephemeral ports.
 * Teardown closes from the backend's side so the TIME_WAIT sockets land on
 * ports that are not ephemeral (see idle-backend.ts): the proxy's 9,000
 * connect()s of the next run then find a free range, instead of crawling
 * through one crowded with the last run's TIME_WAIT (it took up to 26 s).
 */
import { fileURLToPath } from 'node:url';
import { BACKEND_PORTS, HOST } from '../lib/haproxy-config.ts';
import { countEstablished, sleep } from '../lib/net.ts';
import { describeExit, type Proc, startProcess } from '../lib/processes.ts';
import { treeRssKb } from '../lib/rss.ts';
import type { RunContext, RunOutput, Workload } from '../lib/workload.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('../helpers/idle-client.ts', import.meta.url));
/** Connections each client has in flight at once; a batch settles before the next. */
const BATCH = 250;
/**
 * Opened and closed before the baseline is read, so one-off costs of the
 * first connections (lbd's JIT compiling its accept path, first heap
 * growth) are not spread over the measured ones.
 */
const WARMUP_CONNECTIONS = 200;
/** After the last connection is established, before reading RSS: lets lazy allocations settle. */
const SETTLE_MS = 2000;
/** Counts runs, to give each its own client source addresses. */
let runCount = 0;

export const idleMemory: Workload = {
  id: 'idle-memory',
  title: (options) => `${options.idleConns} idle connections`,
  listen: 'idle',
  backend: 'idle',
  metrics: [
    { key: 'kbPerConn', label: 'KiB per connection', better: 'lower', digits: 2 },
    { key: 'rssBaseMb', label: 'proxy RSS before (MiB)', better: 'lower', digits: 1 },
  ],
  notApplicable: (path) => (path === 'direct' ? 'n/a (no proxy process)' : undefined),
  estimateSeconds: (options) => 4 + options.idleConns / 5000,
  run: runIdleMemory,
};

async function runIdleMemory(context: RunContext): Promise<RunOutput> {
  const proxy = context.path.proxy;
  if (!proxy) throw new Error('idle-memory needs a proxy process');
  const { options, port, backends } = context;
  const proxySide = `sport = :${port}`;
  const backendSide = `dport = :${BACKEND_PORTS.idle}`;
  const clients: Proc[] = [];
  const deadlineMs = 45_000 + options.idleConns * 2;
  // A fresh set of client addresses per run (127.0.N.2, 127.0.N.3...): no
  // new connection can meet a TIME_WAIT left by the previous run's clients.
  runCount += 1;
  const addresses = (n: number) =>
    Array.from({ length: n }, (_, i) => `127.0.${(runCount % 250) + 1}.${2 + i}`);

  /** Closes every connection from the backend's side, then ends the clients; see idle-backend.ts. */
  const closeAll = async (phase: string) => {
    backends.signal('idle', 'SIGUSR2');
    await waitForCounts(proxySide, backendSide, 0, 30_000, phase);
    await stopClients(clients);
  };

  try {
    clients.push(...(await openIdle(port, WARMUP_CONNECTIONS, addresses(1), options.loadCpus, 15_000)));
    await waitForCounts(proxySide, backendSide, WARMUP_CONNECTIONS, 15_000, 'warm-up');
    await closeAll('warm-up close');
    await sleep(1000);

    const beforeKb = await treeRssKb(proxy.pid);
    const started = Date.now();
    clients.push(
      ...(await openIdle(
        port,
        options.idleConns,
        addresses(options.idleClients),
        options.loadCpus,
        deadlineMs,
      )),
    );
    const held = await waitForCounts(proxySide, backendSide, options.idleConns, deadlineMs, 'open');
    const openSeconds = (Date.now() - started) / 1000;
    await sleep(SETTLE_MS);
    const afterKb = await treeRssKb(proxy.pid);
    // Still all there? A proxy that dropped some would otherwise look cheap.
    const stillHeld = await countEstablished(proxySide);
    if (stillHeld < options.idleConns) {
      throw new Error(`${options.idleConns - stillHeld} connections closed while idle (before RSS was read)`);
    }
    return {
      values: { kbPerConn: (afterKb - beforeKb) / held, rssBaseMb: beforeKb / 1024 },
      details: { connections: held, rssBeforeKb: beforeKb, rssAfterKb: afterKb, openSeconds },
    };
  } finally {
    // Leave no socket behind for the next run; a slow close is logged, not fatal.
    await closeAll('close').catch((err: Error) => context.log(`idle-memory: ${err.message}`));
    await stopClients(clients);
  }
}

/**
 * Starts `processes` clients sharing `total` connections and resolves once
 * each reports done. A client failing to connect some is an error: the
 * figure is only meaningful with all N held.
 */
async function openIdle(
  port: number,
  total: number,
  sources: string[],
  cpus: string,
  timeoutMs: number,
): Promise<Proc[]> {
  const processes = sources.length;
  const procs: Proc[] = [];
  const done: Promise<string | undefined>[] = [];
  for (let i = 0; i < processes; i += 1) {
    const count = Math.floor(total / processes) + (i < total % processes ? 1 : 0);
    let report: (summary: string | undefined) => void = () => {};
    done.push(
      new Promise((resolve) => {
        report = resolve;
      }),
    );
    const proc = startProcess({
      name: `idle client ${i + 1}`,
      command: process.execPath,
      args: [
        CLIENT_SCRIPT,
        ...['--host', HOST, '--port', String(port), '--count', String(count)],
        ...['--batch', String(BATCH), '--local-address', sources[i] ?? HOST],
      ],
      cpus,
      onStdoutLine: (line) => {
        let event: { event?: string; failed?: number; firstError?: string };
        try {
          event = JSON.parse(line);
        } catch {
          return;
        }
        if (event.event !== 'done') return;
        report(
          event.failed ? `${event.failed} of ${count} failed to connect: ${event.firstError}` : undefined,
        );
      },
    });
    void proc.exited.then((info) => report(describeExit(proc, info)));
    procs.push(proc);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(
      () => resolve([`clients did not finish opening within ${timeoutMs / 1000} s`]),
      timeoutMs,
    );
  });
  const problems = await Promise.race([Promise.all(done), timeout]);
  clearTimeout(timer);
  const errors = problems.filter((problem): problem is string => problem !== undefined);
  if (errors.length > 0) {
    await stopClients(procs);
    throw new Error(`idle clients: ${errors.join('; ')}`);
  }
  return procs;
}

async function stopClients(clients: Proc[]): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
}

/**
 * Polls until the proxy holds exactly `want` established connections on its
 * client side and on its backend side; returns the client-side count.
 */
async function waitForCounts(
  proxySide: string,
  backendSide: string,
  want: number,
  timeoutMs: number,
  phase: string,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [front, back] = await Promise.all([countEstablished(proxySide), countEstablished(backendSide)]);
    if (front === want && back === want) return front;
    if (Date.now() > deadline) {
      throw new Error(
        `${phase}: proxy holds ${front} client and ${back} backend connections, expected ${want} each after ${timeoutMs / 1000} s`,
      );
    }
    await sleep(want === 0 ? 200 : 500);
  }
}
