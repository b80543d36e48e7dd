/**
 * Scale: the most concurrent proxied connections one lbd process holds
 * here, its memory per connection and the time to open them, and the
 * arithmetic for 100,000 and 300,000 on one host.
 *
 * A process here may hold at most 20,000 open files and cannot raise the
 * limit (real hosts raise it with LimitNOFILE). A proxied connection costs
 * lbd two descriptors, so one lbd holds about 9,900 (maxconn 9,950 as the
 * main bench). 100,000 needs lbd's data plane in several worker processes
 * (the operations issue): until they exist this measures one process and
 * computes the rest. Clients run in several processes (each with its own
 * source address) and the backend in one, all outside lbd.
 *
 *   pnpm build && node scripts/bench/scale-connections.ts [--connections 9900] [--clients 3]
 *     [--source '127.0.0.2,127.0.0.3:20000-29999']
 *
 * Runs in a network namespace of its own (unshare -n), so its tens of
 * thousands of loopback sockets take no port from anyone else. Output: a
 * Markdown table on stdout and the figures as JSON in
 * bench-results/scale-<time>.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countEstablished, sleep } from './lib/net.ts';
import { cleanupAll, installSignalHandlers, type Proc, probeSetpriv, startProcess } from './lib/processes.ts';
import { treeRssKb } from './lib/rss.ts';
import { ensureOwnNetns } from './ports-lib.ts';

await ensureOwnNetns(import.meta.url);
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '9900' },
    clients: { type: 'string', default: '3' },
    source: { type: 'string' },
  },
});
const N = Number(values.connections);
const CLIENT_PROCESSES = Number(values.clients);
const LISTEN = 14601;
const BACKEND = 14602;
const WARMUP = 200;
const log = (message: string) => process.stderr.write(`scale: ${message}\n`);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const LBD = here('../../packages/daemon/bin/lbd.js');

/** CPU time (user + system) of a process so far, ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Kernel memory of one open TCP socket, KiB, from the slab object sizes
 * (/proc/slabinfo: the socket, its inode, file and dentry). Computed, not
 * measured: the slabs are shared by the whole machine, so their growth
 * during the run would count other people's sockets. Idle sockets hold no
 * buffer memory (sockstat `mem` stays flat), so this is most of it.
 */
function socketKernelKb(): { perSocketKb: number; timeWaitKb: number } {
  let text = '';
  try {
    text = readFileSync('/proc/slabinfo', 'utf8');
  } catch {
    return { perSocketKb: 0, timeWaitKb: 0 };
  }
  const size = (name: string) =>
    Number(new RegExp(`^${name}\\s+\\d+\\s+\\d+\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const perSocket = size('TCP') + size('sock_inode_cache') + size('filp') + size('dentry');
  return { perSocketKb: perSocket / 1024, timeWaitKb: size('tw_sock_TCP') / 1024 };
}

/** Descriptors a process has open now. */
function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

async function waitFor(
  what: string,
  read: () => Promise<number>,
  want: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await read();
    if (n >= want) return n;
    if (Date.now() > deadline) throw new Error(`${what}: ${n} of ${want} after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

function startClients(count: number, processes: number, round: number): Promise<Proc[]> {
  const procs: Proc[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < processes; i++) {
    const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
    done.push(
      new Promise((resolve, reject) => {
        const proc = startProcess({
          name: `client ${i + 1}`,
          command: process.execPath,
          args: [
            here('./helpers/idle-client.ts'),
            ...['--port', String(LISTEN), '--count', String(share), '--batch', '250'],
            ...['--local-address', `127.0.${round}.${2 + i}`],
          ],
          onStdoutLine: (line) => {
            const event = JSON.parse(line) as { event: string; failed: number; firstError?: string };
            if (event.event !== 'done') return;
            if (event.failed > 0)
              reject(new Error(`client ${i + 1}: ${event.failed} failed (${event.firstError})`));
            else resolve();
          },
        });
        procs.push(proc);
      }),
    );
  }
  return Promise.all(done).then(() => procs);
}

installSignalHandlers();
await probeSetpriv();
try {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-scale-'));
  const config = [
    'global',
    '  maxconn 9950',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 600s',
    '  timeout server 600s',
    'listen scale',
    `  bind 127.0.0.1:${LISTEN}`,
    ...(values.source === undefined ? [] : [`  source ${values.source}`]),
    `  server s1 127.0.0.1:${BACKEND}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'lb.cfg'), config);
  const backend = startProcess({
    name: 'backend',
    command: process.execPath,
    args: [here('./helpers/idle-backend.ts'), '--port', String(BACKEND)],
  });
  let ready: () => void = () => {};
  const lbdReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const lbd = startProcess({
    name: 'lbd',
    command: process.execPath,
    args: [LBD, '-f', join(dir, 'lb.cfg')],
    onStdoutLine: (line) => {
      if (line.includes('"lbd ready"')) ready();
    },
  });
  await lbdReady;
  await sleep(500);
  const established = (filter: string) => countEstablished(filter);

  // Warm-up: the first connections pay for JIT and first heap growth.
  const warm = await startClients(WARMUP, 1, 1);
  await waitFor('warm-up', () => established(`dport = :${BACKEND}`), WARMUP, 20_000);
  backend.child.kill('SIGUSR2');
  await Promise.all(warm.map((p) => p.stop()));
  await sleep(2000);

  const rssBeforeKb = await treeRssKb(lbd.pid);
  const cpuBefore = cpuMs(lbd.pid);
  const started = Date.now();
  const clients = await startClients(N, CLIENT_PROCESSES, 2);
  const held = await waitFor('open', () => established(`dport = :${BACKEND}`), N, 120_000);
  const openSeconds = (Date.now() - started) / 1000;
  const lbdCpuMs = cpuMs(lbd.pid) - cpuBefore;
  await sleep(2000);
  const rssAfterKb = await treeRssKb(lbd.pid);
  const kernel = socketKernelKb();
  const fds = fdCount(lbd.pid);
  const stillHeld = await established(`dport = :${BACKEND}`);
  const kbPerConn = (rssAfterKb - rssBeforeKb) / held;
  // lbd's two sockets per proxied connection (the clients' and the backend's are on other hosts in production).
  const kernelKbPerConn = 2 * kernel.perSocketKb;

  const perProcess = N;
  const cores = availableParallelism();
  const rows: string[] = [];
  for (const target of [100_000, 300_000]) {
    const workers = Math.ceil(target / perProcess);
    const memGb = (target * kbPerConn + workers * rssBeforeKb) / 1024 / 1024;
    const kernelGb = (target * kernelKbPerConn) / 1024 / 1024;
    // Opening is CPU-bound in lbd: workers help up to the number of cores.
    const openS = target / ((held / openSeconds) * Math.min(workers, cores));
    const addresses = Math.ceil(target / 64_511);
    rows.push(
      `| ${target.toLocaleString('en-US')} | ${workers} x 20,000 fds (or one process with LimitNOFILE >= ${(2 * target + 100).toLocaleString('en-US')}) | ` +
        `${memGb.toFixed(2)} GiB | ${kernelGb.toFixed(2)} GiB | ${openS.toFixed(0)} s at this rate on ${cores} cores | ` +
        `${addresses} source addresses per server with 'source A,B...:1025-65535' (64,511 ports each); ` +
        `${Math.ceil(target / 28_232)} with the kernel's default range |`,
    );
  }
  const figures = {
    connections: held,
    stillHeldAfterSettle: stillHeld,
    lbdFds: fds,
    openSeconds,
    connectionsPerSecond: held / openSeconds,
    lbdCpuMsPerConnection: lbdCpuMs / held,
    rssBeforeKb,
    rssAfterKb,
    kbPerConnection: kbPerConn,
    kernelKbPerConnection: kernelKbPerConn,
    kernelTimeWaitKb: kernel.timeWaitKb,
    source: values.source ?? null,
  };
  console.log(
    `\nOne lbd process, ${held.toLocaleString('en-US')} concurrent proxied connections (idle), 20,000-fd limit\n`,
  );
  console.log('| figure | value |');
  console.log('| --- | --- |');
  console.log(`| connections held | ${held} (${stillHeld} after 2 s; lbd has ${fds} descriptors open) |`);
  console.log(
    `| time to open | ${openSeconds.toFixed(1)} s (${(held / openSeconds).toFixed(0)} connections/s) |`,
  );
  console.log(`| lbd CPU per connection opened | ${((1000 * lbdCpuMs) / held).toFixed(0)} µs |`);
  console.log(
    `| lbd RSS | ${(rssBeforeKb / 1024).toFixed(1)} MiB before, ${(rssAfterKb / 1024).toFixed(1)} MiB after |`,
  );
  console.log(`| lbd memory per connection | ${kbPerConn.toFixed(2)} KiB |`);
  console.log(
    `| kernel memory per connection (lbd's 2 sockets, from slab sizes) | ${kernelKbPerConn.toFixed(2)} KiB (a TIME_WAIT: ${kernel.timeWaitKb.toFixed(2)} KiB) |`,
  );
  console.log(
    '\n| target | lbd processes | lbd memory | kernel memory (lbd side) | open time | source ports |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  mkdirSync('bench-results', { recursive: true });
  const out = join('bench-results', `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify({ figures, config }, null, 2)}\n`);
  log(`figures in ${out}`);
  await Promise.all(clients.map((p) => p.stop()));
} finally {
  await cleanupAll();
}
