/**
 * Scale: the most concurrent proxied connections this machine allows, lbd's
 * memory per connection and the time to open them, and the arithmetic for
 * 300,000 on one host.
 *
 * A process here may hold at most 20,000 open files and cannot raise the
 * limit (real hosts raise it with LimitNOFILE). A proxied connection costs
 * lbd two descriptors, so one lbd process holds about 9,900: 100,000 needs
 * lbd's data plane in workers (`nbthread`, 12 by default: 15 % over the
 * minimum for SO_REUSEPORT's uneven spread), the clients in several
 * processes (10,000 each, from addresses 127.1.0.x) and the backends in
 * several processes (one port and one `server` line each). lbd connects to
 * them from several source addresses (`source 127.2.0.1,127.2.0.2,...`, the
 * kernel picking the port; `--source A,B:LOW-HIGH` has lbd pick them).
 *
 * Every connection is checked end to end: the backend greets it with one
 * byte, and a client counts it once that byte came back through lbd. That
 * also paces the opens (at most --window in flight per client process), so
 * lbd's accept queues never overflow; a failed attempt is retried up to
 * --retries times and counted. Then the ESTABLISHED sockets on both of
 * lbd's sides are counted with `ss`, lbd's `show info` and `show stat` are
 * read, and a sample of connections echoes data.
 *
 *   pnpm build && node scripts/bench/scale-connections.ts [--connections 100000] [--nbthread 12]
 *     [--clients 10] [--backends 10] [--source A,B,...[:LOW-HIGH]] [--port-range 20000-65535]
 *     [--window 32] [--retries 3] [--echo-sample 100] [--settle 2] [--timeout 300]
 *
 * Runs in a network namespace of its own (unshare -n), so its ~400,000
 * loopback sockets take no port from anyone else, and the ephemeral range
 * it sets (per namespace) is gone with it. Every process it starts is
 * stopped at the end, on Ctrl-C, and after --timeout seconds at the latest.
 * Output: Markdown tables on stdout, progress on stderr, the figures as JSON
 * in bench-results/scale-<time>.json. Exit code 0 if every connection was
 * held and echoed, 1 otherwise, 2 if the run failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { openFilesLimit } from './lib/haproxy-config.ts';
import { sleep } from './lib/net.ts';
import { cleanupAll, installSignalHandlers, onCleanup, probeSetpriv } from './lib/processes.ts';
import {
  type ClientOptions,
  type ClientState,
  echoCheck,
  lbdConfig,
  startBackends,
  startClient,
  startLbd,
  waitForCount,
} from './lib/scale-processes.ts';
import { renderMeasured, renderProjection, type ScaleFigures } from './lib/scale-report.ts';
import {
  establishedByLocalAddress,
  loadAverage,
  machineCpuMs,
  type ProcFigures,
  procFigures,
  showInfo,
  socketKernelKb,
  statRow,
  sumFigures,
} from './lib/scale-stats.ts';
import { ensureOwnNetns, setNetnsSysctl } from './ports-lib.ts';

await ensureOwnNetns(import.meta.url);
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '100000' },
    nbthread: { type: 'string' },
    clients: { type: 'string' },
    backends: { type: 'string' },
    source: { type: 'string' },
    'port-range': { type: 'string', default: '20000-65535' },
    window: { type: 'string', default: '32' },
    retries: { type: 'string', default: '3' },
    'echo-sample': { type: 'string', default: '100' },
    timeout: { type: 'string', default: '300' },
    settle: { type: 'string', default: '2' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'node scripts/bench/scale-connections.ts [--connections 100000] [--nbthread N] [--clients N] [--backends N]\n' +
      '  [--source A,B,...[:LOW-HIGH]] [--port-range 20000-65535] [--window 32] [--retries 3]\n' +
      '  [--echo-sample 100] [--settle 2] [--timeout 300]',
  );
  process.exit(0);
}

const log = (message: string) => process.stderr.write(`scale: ${message}\n`);
const LISTEN = 14601;
const FIRST_BACKEND = 14602;
const FD_LIMIT = openFilesLimit();
/** Connections one process may hold on either side of lbd: 2 descriptors each in lbd, 1 in a client or backend. */
const PER_WORKER = Math.floor((FD_LIMIT - 200) / 2);
const PER_LOAD_PROCESS = 10_000;

const N = Number(values.connections);
// SO_REUSEPORT spreads connections over the workers by a hash: leave ~15 % for the unevenness.
const WORKERS = Number(values.nbthread ?? (N <= PER_WORKER ? 1 : Math.ceil((N * 1.15) / PER_WORKER)));
const MAXCONN = WORKERS * PER_WORKER;
const CLIENTS = Number(values.clients ?? Math.ceil(N / PER_LOAD_PROCESS));
const BACKENDS = Number(values.backends ?? Math.ceil(N / PER_LOAD_PROCESS));
const [PORT_LOW, PORT_HIGH] = values['port-range'].split('-').map(Number) as [number, number];
/**
 * Node binds with SO_REUSEADDR, and for such a bind(ADDR, 0) Linux tries
 * the odd ports of the lower half of the range first: once a quarter of the
 * range is taken on an address, every bind() from it scans that quarter
 * (about 10 ms each at 12,000 ports). So every address, the clients' and
 * lbd's own (`source A,B,...` without a range), stays under 60 % of that.
 */
const CHEAP_PER_ADDRESS = Math.floor((PORT_HIGH - PORT_LOW + 1) / 4);
const PER_ADDRESS = Math.floor(0.6 * CHEAP_PER_ADDRESS);
const address = (base: number, i: number) => `127.${base}.${Math.floor(i / 250)}.${1 + (i % 250)}`;
const SOURCE =
  values.source ??
  Array.from({ length: Math.max(1, Math.ceil(N / PER_ADDRESS)) }, (_, i) => address(2, i)).join(',');
const SOURCE_ADDRESSES = SOURCE.replace(/:\d+-\d+$/, '').split(',');
const MANAGED_RANGE = /:(\d+-\d+)$/.exec(SOURCE)?.[1];
const WARMUP = Math.min(100 * WORKERS, 2000);
const backendPorts = Array.from({ length: BACKENDS }, (_, i) => FIRST_BACKEND + i);
const SERVER_SIDE = `dport >= :${FIRST_BACKEND} and dport <= :${FIRST_BACKEND + BACKENDS - 1}`;
const CLIENT_SIDE = `sport = :${LISTEN}`;

for (const [what, value] of Object.entries({ N, WORKERS, CLIENTS, BACKENDS, PORT_LOW, PORT_HIGH })) {
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`scale: bad ${what}: ${value}`);
    process.exit(2);
  }
}
if (Math.ceil(N / CLIENTS) > FD_LIMIT - 500 || Math.ceil(N / BACKENDS) > FD_LIMIT - 500) {
  console.error(
    `scale: more than ${FD_LIMIT - 500} connections per client or backend process; raise --clients/--backends`,
  );
  process.exit(2);
}

let stopping = false;
const clientOptions: ClientOptions = {
  port: LISTEN,
  window: values.window,
  retries: values.retries,
  echoSample: values['echo-sample'],
  log,
  isStopping: () => stopping,
};
installSignalHandlers();
const limit = setTimeout(() => {
  log(`time limit of ${values.timeout} s reached: stopping everything`);
  stopping = true;
  void cleanupAll().finally(() => process.exit(1));
}, Number(values.timeout) * 1000);
await probeSetpriv();
let exitCode = 0;
try {
  const loadStart = loadAverage();
  setNetnsSysctl('net.ipv4.ip_local_port_range', `${PORT_LOW} ${PORT_HIGH}`);
  const dir = mkdtempSync(join(tmpdir(), 'lbd-scale-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const statsSocket = join(dir, 'lbd.sock');
  const config = lbdConfig({
    maxconn: MAXCONN,
    workers: WORKERS,
    statsSocket,
    listenPort: LISTEN,
    source: SOURCE,
    serverPorts: backendPorts,
  });
  writeFileSync(join(dir, 'lb.cfg'), config);
  log(
    `${N} connections: lbd with ${WORKERS} worker${WORKERS > 1 ? 's' : ''} (maxconn ${MAXCONN}), ${CLIENTS} client and ${BACKENDS} backend processes, ` +
      `source ${SOURCE}, ports ${PORT_LOW}-${PORT_HIGH}; load average ${loadStart.join(' ')}`,
  );

  const backends = await startBackends(backendPorts);
  const { proc: lbd, tree, hasMaster } = await startLbd(join(dir, 'lb.cfg'), LISTEN, WORKERS);
  const workerCount = hasMaster ? tree.length - 1 : 1;
  log(`lbd ready: pid ${lbd.pid}${hasMaster ? `, workers ${tree.slice(1).join(' ')}` : ''}`);

  // Warm-up: the first connections of each worker pay for JIT and first heap growth.
  const warm = startClient('warm-up client', WARMUP, address(3, 0), clientOptions);
  await warm.done;
  const warmEcho = await echoCheck([warm]);
  if (warm.held !== WARMUP || warmEcho.ok !== warmEcho.sampled)
    throw new Error(
      `warm-up: ${warm.held} of ${WARMUP} held, echo ${warmEcho.ok}/${warmEcho.sampled} (${warm.firstError})`,
    );
  await warm.proc.stop();
  const left = await waitForCount(CLIENT_SIDE, (n) => n === 0, 20_000);
  if (left > 0) log(`warning: ${left} warm-up connections still open in lbd after 20 s`);
  await sleep(2000);

  const figuresOf = (pids: number[]) => pids.map(procFigures);
  const before = figuresOf(tree);
  const loadCpuBefore = sumFigures(figuresOf(backends.map((p) => p.pid))).cpuMs;
  const machineBefore = machineCpuMs();
  const started = Date.now();
  const clients: ClientState[] = [];
  let clientAddresses = 0;
  for (let i = 0; i < CLIENTS; i++) {
    const share = Math.floor(N / CLIENTS) + (i < N % CLIENTS ? 1 : 0);
    const own = Array.from({ length: Math.ceil(share / PER_ADDRESS) }, () => address(1, clientAddresses++));
    clients.push(startClient(`client ${i + 1}`, share, own.join(','), clientOptions));
  }
  let last = { at: started, held: 0, lbd: sumFigures(before) };
  const progress = setInterval(() => {
    const held = clients.reduce((a, c) => a + c.held, 0);
    const now = Date.now();
    const lbdNow = sumFigures(figuresOf(tree));
    const retried = clients.reduce((a, c) => a + c.retried, 0);
    const opened = held - last.held;
    const cpu = lbdNow.cpuMs - last.lbd.cpuMs;
    log(
      `${held} of ${N} open after ${((now - started) / 1000).toFixed(0)} s: ${((1000 * opened) / (now - last.at)).toFixed(0)}/s, ` +
        `lbd ${opened > 0 ? ((1000 * cpu) / opened).toFixed(0) : '-'} µs CPU each (${cpu > 0 ? ((100 * (lbdNow.sysMs - last.lbd.sysMs)) / cpu).toFixed(0) : 0} % system); ${retried} retried`,
    );
    last = { at: now, held, lbd: lbdNow };
  }, 5000);
  await Promise.all(clients.map((c) => c.done));
  clearInterval(progress);
  const openSeconds = (Date.now() - started) / 1000;
  const machineAfter = machineCpuMs();
  const afterOpen = figuresOf(tree);
  const loadPids = [...backends.map((p) => p.pid), ...clients.map((c) => c.proc.pid)];
  const loadCpu = sumFigures(figuresOf(loadPids)).cpuMs - loadCpuBefore;
  const greeted = clients.reduce((a, c) => a + c.held, 0);
  log(`clients done in ${openSeconds.toFixed(1)} s: ${greeted} greeted`);

  // Settle: V8 collects the garbage of the opening burst once allocation stops.
  const settleUntil = Date.now() + Number(values.settle) * 1000;
  do {
    await sleep(Math.min(5000, Math.max(0, settleUntil - Date.now())));
    const now = sumFigures(figuresOf(tree));
    log(
      `settling: lbd RSS ${(now.rssKb / 1024).toFixed(0)} MiB, anonymous ${(now.anonKb / 1024).toFixed(0)} MiB`,
    );
  } while (Date.now() < settleUntil);
  const after = figuresOf(tree);
  const clientSide = await establishedByLocalAddress(CLIENT_SIDE);
  const serverSide = await establishedByLocalAddress(SERVER_SIDE);
  let lbdView = { currConns: '?', frontendScur: '?', maxconn: '?', ulimitN: '?', maxsock: '?' };
  try {
    const info = await showInfo(statsSocket);
    const front = await statRow(statsSocket, 'scale', 'FRONTEND');
    lbdView = {
      currConns: info.get('CurrConns') ?? '-',
      frontendScur: front?.get('scur') ?? '-',
      maxconn: info.get('Maxconn') ?? '-',
      ulimitN: info.get('Ulimit-n') ?? '-',
      maxsock: info.get('Maxsock') ?? '-',
    };
  } catch (err) {
    log(`runtime API: ${(err as Error).message}`);
  }
  const echo = await echoCheck(clients);
  const loadEnd = loadAverage();

  const workerIndex = (list: ProcFigures[]) => (hasMaster ? list.slice(1) : list);
  const conns = workerIndex(after).map((p, i) => (p.fds - workerIndex(before)[i]!.fds) / 2);
  const perSourceCounts = SOURCE_ADDRESSES.map((a) => serverSide.byAddress.get(a) ?? 0);
  const lbdCpu = sumFigures(afterOpen).cpuMs - sumFigures(before).cpuMs;
  const masterCpu = hasMaster ? afterOpen[0]!.cpuMs - before[0]!.cpuMs : 0;
  const figures: ScaleFigures = {
    target: N,
    clientSide: clientSide.total,
    serverSide: serverSide.total,
    greeted,
    failed: clients.reduce((a, c) => a + c.failed, 0),
    retried: clients.reduce((a, c) => a + c.retried, 0),
    lost: clients.reduce((a, c) => a + c.lost, 0),
    echo,
    lbdView,
    workers: WORKERS,
    maxconn: MAXCONN,
    clients: CLIENTS,
    backends: BACKENDS,
    clientAddresses,
    sourceAddresses: SOURCE_ADDRESSES,
    perSource: { min: Math.min(...perSourceCounts), max: Math.max(...perSourceCounts) },
    portRange: [PORT_LOW, PORT_HIGH],
    cheapPerAddress: CHEAP_PER_ADDRESS,
    managedRange: MANAGED_RANGE,
    openSeconds,
    closeSeconds: undefined,
    perWorker: {
      minConns: Math.min(...conns),
      maxConns: Math.max(...conns),
      maxFds: Math.max(...workerIndex(after).map((p) => p.fds)),
      overheadFds: Math.max(...workerIndex(before).map((p) => p.fds)),
    },
    rss: {
      beforeKb: sumFigures(before).rssKb,
      afterKb: sumFigures(after).rssKb,
      anonBeforeKb: sumFigures(before).anonKb,
      anonAfterKb: sumFigures(after).anonKb,
      masterBeforeKb: hasMaster ? before[0]!.rssKb : 0,
      masterAfterKb: hasMaster ? after[0]!.rssKb : 0,
      workerBeforeKb: sumFigures(workerIndex(before)).rssKb / workerCount,
    },
    cpu: {
      lbdMs: lbdCpu,
      masterMs: masterCpu,
      loadMs: loadCpu,
      machineBusyPct:
        (100 * (machineAfter.busy - machineBefore.busy)) / (machineAfter.total - machineBefore.total),
    },
    loadAverage: { start: loadStart, end: loadEnd },
    kernel: socketKernelKb(),
    cores: availableParallelism(),
    fdLimit: FD_LIMIT,
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
  };

  // Closing: every client exits at once; lbd then closes its 2 sockets per connection.
  const closing = Date.now();
  stopping = true;
  await Promise.all(clients.map((c) => c.proc.stop()));
  const stillOpen = await waitForCount(SERVER_SIDE, (n) => n === 0, 60_000);
  if (stillOpen === 0) figures.closeSeconds = (Date.now() - closing) / 1000;
  else log(`${stillOpen} server-side connections still open 60 s after the clients exited`);

  const held = Math.min(figures.clientSide, figures.serverSide);
  console.log(
    `\nlbd, ${n(held)} concurrent proxied connections (idle after a 1-byte greeting), ` +
      `${WORKERS} worker process${WORKERS > 1 ? 'es' : ''} under a ${n(FD_LIMIT)}-fd limit\n`,
  );
  console.log(renderMeasured(figures));
  console.log(`\nArithmetic for 300,000 on one host, from these figures\n`);
  console.log(renderProjection(figures));
  mkdirSync('bench-results', { recursive: true });
  const out = join('bench-results', `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const perProcess = { before, after };
  writeFileSync(out, `${JSON.stringify({ figures, perProcess, config }, null, 2)}\n`);
  log(`figures in ${out}`);
  const ok = held === N && figures.greeted === N && echo.ok === echo.sampled && figures.lost === 0;
  if (!ok) exitCode = 1;
} catch (err) {
  log(`failed: ${(err as Error).message}`);
  exitCode = 2;
} finally {
  stopping = true;
  clearTimeout(limit);
  await cleanupAll();
}
process.exit(exitCode);

function n(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
