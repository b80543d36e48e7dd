/**
 * The scale benchmark's output: the measured figures as one Markdown table,
 * and the arithmetic that carries them to 300,000 concurrent connections on
 * one host whose open-files limit is raised (LimitNOFILE).
 */

/** Everything scale-connections.ts measured in one run. */
export interface ScaleFigures {
  target: number;
  /** lbd's ESTABLISHED sockets, client side (`sport = :LISTEN`) and server side (`dport` in the backends' ports). */
  clientSide: number;
  serverSide: number;
  /** The clients' own count of connections greeted through the proxy. */
  greeted: number;
  failed: number;
  retried: number;
  /** Held connections that closed before the end. */
  lost: number;
  echo: { sampled: number; ok: number; maxMs: number };
  /** lbd's own view: `show info` CurrConns and the frontend's `scur` in `show stat`. */
  lbdView: { currConns: string; frontendScur: string; maxconn: string; ulimitN: string; maxsock: string };
  workers: number;
  maxconn: number;
  clients: number;
  backends: number;
  clientAddresses: number;
  sourceAddresses: string[];
  /** lbd -> backend connections per source address. */
  perSource: { min: number; max: number };
  /** The namespace's ephemeral range. */
  portRange: readonly [number, number];
  /** Ports a bind(ADDR, 0) with SO_REUSEADDR finds without a long scan: a quarter of the range. */
  cheapPerAddress: number;
  /** `source ...:LOW-HIGH`: lbd picks the ports; undefined when the kernel does. */
  managedRange: string | undefined;
  openSeconds: number;
  closeSeconds: number | undefined;
  /** Connections per worker (from its descriptors), and its descriptors at the end. */
  perWorker: { minConns: number; maxConns: number; maxFds: number; overheadFds: number };
  rss: {
    beforeKb: number;
    afterKb: number;
    /** RssAnon: the same without file pages (the node binary, shared by every process). */
    anonBeforeKb: number;
    anonAfterKb: number;
    masterBeforeKb: number;
    masterAfterKb: number;
    workerBeforeKb: number;
  };
  cpu: { lbdMs: number; masterMs: number; loadMs: number; machineBusyPct: number };
  loadAverage: { start: number[]; end: number[] };
  kernel: { perSocketKb: number; timeWaitKb: number };
  cores: number;
  fdLimit: number;
  heapLimitMb: number;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const gib = (kb: number) => `${(kb / 1024 / 1024).toFixed(2)} GiB`;

/** Ports of one range, the kernel's default and the widest an operator sets. */
const DEFAULT_RANGE = 60_999 - 32_768 + 1;
const WIDE_RANGE = 65_535 - 1024 + 1;
/** The ports monitor warns under 20 % headroom: size for at most 80 % in use. */
const FILL = 0.8;

export function renderMeasured(f: ScaleFigures): string {
  const held = Math.min(f.clientSide, f.serverSide);
  const kbPerConn = (f.rss.afterKb - f.rss.beforeKb) / held;
  const rows: [string, string][] = [
    [
      'connections held (ss, ESTABLISHED in the namespace)',
      `**${n(held)}** of ${n(f.target)}: lbd's client side ${n(f.clientSide)}, server side ${n(f.serverSide)}`,
    ],
    [
      'greeted end to end (backend byte read by the client)',
      `${n(f.greeted)}; ${n(f.failed)} failed after retries, ${n(f.retried)} retried, ${n(f.lost)} lost afterwards`,
    ],
    [
      'echo check on a sample',
      `${n(f.echo.ok)} of ${n(f.echo.sampled)} came back whole (slowest ${f.echo.maxMs} ms)`,
    ],
    [
      "lbd's own view (show info / show stat)",
      `CurrConns ${f.lbdView.currConns}, frontend scur ${f.lbdView.frontendScur}; Maxconn ${f.lbdView.maxconn}, Ulimit-n ${f.lbdView.ulimitN}, Maxsock ${f.lbdView.maxsock}`,
    ],
    [
      'lbd processes',
      `${f.workers > 1 ? `master + ${f.workers} workers` : 'one process'} (nbthread ${f.workers}, global maxconn ${n(f.maxconn)}), ${n(f.fdLimit)} open files each`,
    ],
    [
      'per worker',
      `${n(f.perWorker.minConns)}-${n(f.perWorker.maxConns)} connections, at most ${n(f.perWorker.maxFds)} descriptors (${f.perWorker.overheadFds} when idle)`,
    ],
    [
      'clients, backends',
      `${f.clients} client processes from ${f.clientAddresses} addresses; ${f.backends} backend processes, one port and one server line each`,
    ],
    [
      "lbd's source addresses toward the servers",
      `${f.sourceAddresses.length} (${f.sourceAddresses[0]}...${f.sourceAddresses.at(-1)}), ${n(f.perSource.min)}-${n(f.perSource.max)} connections each; ` +
        (f.managedRange === undefined
          ? `the kernel picks the port at bind(): range ${f.portRange.join('-')}, ${((100 * f.perSource.max) / f.cheapPerAddress).toFixed(0)} % of the ${n(f.cheapPerAddress)} it finds without a long scan`
          : `lbd picks the ports (${f.managedRange}, split between the workers)`),
    ],
    ['time to open', `${f.openSeconds.toFixed(1)} s (${n(held / f.openSeconds)} connections/s)`],
    [
      'CPU while opening',
      `lbd ${(f.cpu.lbdMs / 1000).toFixed(1)} s (${((1000 * f.cpu.lbdMs) / held).toFixed(0)} µs per connection${f.workers > 1 ? `; master ${(f.cpu.masterMs / 1000).toFixed(1)} s` : ''}), clients + backends ${(f.cpu.loadMs / 1000).toFixed(1)} s; machine ${f.cpu.machineBusyPct.toFixed(0)} % busy on ${f.cores} cores`,
    ],
    [
      'lbd RSS, master + workers',
      `${(f.rss.beforeKb / 1024).toFixed(0)} MiB before, ${(f.rss.afterKb / 1024).toFixed(0)} MiB after` +
        (f.workers > 1
          ? ` (master ${(f.rss.masterBeforeKb / 1024).toFixed(0)} -> ${(f.rss.masterAfterKb / 1024).toFixed(0)} MiB)`
          : ''),
    ],
    [
      'lbd memory per connection',
      `**${kbPerConn.toFixed(2)} KiB** (anonymous memory alone: ${((f.rss.anonAfterKb - f.rss.anonBeforeKb) / held).toFixed(2)} KiB)`,
    ],
    [
      "kernel memory per connection (lbd's 2 sockets, slab sizes)",
      `${(2 * f.kernel.perSocketKb).toFixed(2)} KiB (a TIME_WAIT: ${f.kernel.timeWaitKb.toFixed(2)} KiB)`,
    ],
    [
      'closing them all',
      f.closeSeconds === undefined ? 'not measured' : `${f.closeSeconds.toFixed(1)} s after the clients exit`,
    ],
    [
      'load average (machine)',
      `${f.loadAverage.start.join(' ')} at start, ${f.loadAverage.end.join(' ')} at the end`,
    ],
  ];
  return ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** The arithmetic for `target` connections on one host, from this run's figures. */
export function renderProjection(f: ScaleFigures, target = 300_000): string {
  const held = Math.min(f.clientSide, f.serverSide);
  const kbPerConn = (f.rss.afterKb - f.rss.beforeKb) / held;
  const perWorkerHere = Math.floor((f.fdLimit - f.perWorker.overheadFds) / 2);
  const workersHere = Math.ceil(target / perWorkerHere);
  const memKb = (workers: number) =>
    target * kbPerConn + workers * f.rss.workerBeforeKb + f.rss.masterBeforeKb;
  const kernelKb = target * 2 * f.kernel.perSocketKb;
  const limitFor = (workers: number) => Math.ceil((2 * target) / workers) + f.perWorker.overheadFds;
  const cpuUs = (1000 * f.cpu.lbdMs) / held;
  const rate = held / f.openSeconds;
  const perWorkerHeapKb = (workers: number) => (target / workers) * kbPerConn;
  const heapKb = f.heapLimitMb * 1024;
  const kernelAddresses = (range: number) => Math.ceil(target / (FILL * range));
  const cheapAddresses = (range: number) => Math.ceil(target / (0.6 * Math.floor(range / 4)));
  const rows: [string, string, string][] = [
    [
      'descriptors',
      `2 per connection + ${f.perWorker.overheadFds} per worker`,
      `${n(2 * target)} in all. At 20,000 per process (here): ${n(perWorkerHere)} connections per worker, so **${workersHere} workers** (more for SO_REUSEPORT's uneven spread, ~15 %). With LimitNOFILE raised the workers are chosen for CPU: each needs 2 x 300,000 / W + ${f.perWorker.overheadFds}: ${n(limitFor(1))} for 1 process (the kernel's nr_open default is 1,048,576), ${n(limitFor(4))} for 4, ${n(limitFor(8))} for 8; fs.file-max above the host's total`,
    ],
    [
      'lbd memory',
      `${kbPerConn.toFixed(2)} KiB per connection + ${(f.rss.workerBeforeKb / 1024).toFixed(0)} MiB per idle worker + ${(f.rss.masterBeforeKb / 1024).toFixed(0)} MiB master`,
      `${gib(memKb(workersHere))} with ${workersHere} workers, ${gib(memKb(8))} with 8, ${gib(memKb(1))} with 1. V8 heap limit here ${n(f.heapLimitMb)} MiB per process: one process would hold ~${gib(perWorkerHeapKb(1))} of connection state (${perWorkerHeapKb(1) < 0.8 * heapKb ? 'fits' : 'too close: use workers'}), 8 workers ~${gib(perWorkerHeapKb(8))} each`,
    ],
    [
      'kernel memory',
      `${(2 * f.kernel.perSocketKb).toFixed(2)} KiB per connection (lbd's 2 idle sockets)`,
      `${gib(kernelKb)}, plus socket buffers while data flows (up to tcp_rmem/tcp_wmem per socket)`,
    ],
    [
      'source ports, lbd -> servers',
      `one port per connection per (source address, server) pair. Kernel's choice (\`source A,B,...\`): bind(A, 0) takes a port for every server, and with Node's SO_REUSEADDR only a quarter of the range is cheap: past it each connect scans that quarter, ~10 ms of kernel CPU at 12,000 ports on one address`,
      `kernel's choice: ${cheapAddresses(DEFAULT_RANGE)} source addresses with the default range (${n(DEFAULT_RANGE / 4)} cheap ports each), ${cheapAddresses(WIDE_RANGE)} with 1024-65535 (${n(WIDE_RANGE / 4)}), each at most 60 % of that; the hard limit (whole range, slow) is ${kernelAddresses(DEFAULT_RANGE)} / ${kernelAddresses(WIDE_RANGE)}. **lbd's managed ports** (\`source A,...:1024-65535\`, an explicit bind(A, port), no scan) count the range per server: ceil(300,000 / (0.8 x 64,512 x S)) addresses for S servers: ${kernelAddresses(WIDE_RANGE)} for 1 server, ${Math.ceil(target / (FILL * WIDE_RANGE * 2))} for 2, **1 from ${Math.ceil(target / (FILL * WIDE_RANGE))} servers**`,
    ],
    [
      'client ports',
      "each (client address, lbd address:port) pair has the clients' range",
      `the load generators need ${kernelAddresses(WIDE_RANGE)} addresses (1024-65535) or ${kernelAddresses(DEFAULT_RANGE)} (default range) toward one bind, or as many binds (${cheapAddresses(WIDE_RANGE)} / ${cheapAddresses(DEFAULT_RANGE)} if they bind(ADDR, 0) with SO_REUSEADDR, as Node does); lbd's side costs nothing`,
    ],
    [
      'time to open',
      `${n(rate)} connections/s here, everything on ${f.cores} cores; lbd ${cpuUs.toFixed(0)} µs CPU per connection`,
      `${(target / rate).toFixed(0)} s at this rate; lbd's own CPU ${((target * cpuUs) / 1e6).toFixed(0)} s, so ~${((target * cpuUs) / 1e6 / 8).toFixed(0)} s on 8 cores given to lbd`,
    ],
  ];
  return [
    `| ${n(target)} on one host | per connection (measured) | arithmetic |`,
    '| --- | --- | --- |',
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  ].join('\n');
}
