/**
 * What health checking costs: lbd checks N servers (default 1,000) with
 * `check inter 1s` against a few local listeners, and this script measures
 * lbd's CPU time over a window (default 20 s) from /proc/PID/stat, and how
 * evenly the check connections arrive over each second (the listeners
 * timestamp every accept).
 *
 *   pnpm build && node scripts/bench/health-cost.ts [--servers 1000] [--seconds 20]
 *     [--listeners 20] [--spread-checks 5] [--warmup 3] [--json FILE] [--haproxy]
 *
 * With --haproxy, HAProxy (Debian's 2.6) then runs the same file the same
 * way, as the reference.
 *
 * Standalone (Node's type stripping, no dependency): not a timed test, a
 * measurement to read. Exit code 0 when lbd used less than 15 % of one core
 * and checked every server about once a second, 1 otherwise, 2 when the
 * bench could not run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LBD = join(ROOT, 'packages/daemon/bin/lbd.js');
/** The CPU budget the issue sets: 15 % of one core. */
const CPU_BUDGET_PERCENT = 15;
/** Sub-intervals of a second used to judge the spread. */
const BUCKETS_PER_SECOND = 10;

interface Options {
  servers: number;
  seconds: number;
  listeners: number;
  spreadChecks: number;
  warmup: number;
  json: string | undefined;
  haproxy: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      listeners: { type: 'string', default: '20' },
      'spread-checks': { type: 'string', default: '5' },
      warmup: { type: 'string', default: '3' },
      json: { type: 'string' },
      haproxy: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  return {
    servers: int('servers', values.servers, 1),
    seconds: int('seconds', values.seconds, 1),
    listeners: int('listeners', values.listeners, 1),
    spreadChecks: int('spread-checks', values['spread-checks'], 0),
    warmup: int('warmup', values.warmup, 0),
    json: values.json,
    haproxy: values.haproxy === true,
  };
}

/** A listener that timestamps each accept (epoch ms); the checks reset their connections. */
interface Listener {
  server: Server;
  port: number;
}

function listen(accepts: () => number[]): Promise<Listener> {
  const server = createServer((socket) => {
    accepts().push(Date.now());
    socket.on('error', () => {});
    socket.destroy();
  });
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolvePort({ server, port: address.port });
    });
  });
}

/** A port nothing listens on now, for the frontend HAProxy insists on having. */
async function freePort(): Promise<number> {
  const probe = await listen(() => []);
  await new Promise((r) => probe.server.close(r));
  return probe.port;
}

function config(ports: number[], servers: number, spreadChecks: number, frontendPort: number): string {
  const lines = [
    'global',
    '  maxconn 4096',
    `  spread-checks ${spreadChecks}`,
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 10s',
    '  timeout server 10s',
    'frontend unused',
    `  bind 127.0.0.1:${frontendPort}`,
    '  default_backend checked',
    'backend checked',
  ];
  for (let i = 0; i < servers; i++) {
    lines.push(`  server s${i} 127.0.0.1:${ports[i % ports.length]} check inter 1s`);
  }
  return `${lines.join('\n')}\n`;
}

/** CPU time of a process in seconds: in user space and in the kernel (utime, stime). */
async function cpuSeconds(pid: number, ticksPerSecond: number): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / ticksPerSecond, system: Number(fields[12]) / ticksPerSecond };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`lbd not ready within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buffer += d;
      if (buffer.includes('"msg":"lbd ready"')) {
        clearTimeout(timer);
        buffer = '';
        resolveReady();
      }
      if (buffer.length > 1 << 20) buffer = buffer.slice(-4096);
    });
    child.once('exit', (code) => reject(new Error(`lbd exited (${code}) before it was ready`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Spread {
  /** Checks per second over the window. */
  perSecond: number;
  /** Per 1/10 s bucket, over all seconds of the window: mean, min, max. */
  bucketMean: number;
  bucketMin: number;
  bucketMax: number;
  /** The busiest single millisecond. */
  maxInOneMs: number;
  /** Counts per 1/10 s bucket of each whole second (rows) of the window. */
  rows: number[][];
}

function spreadOf(accepts: number[], from: number, seconds: number): Spread {
  const rows = Array.from({ length: seconds }, () => new Array<number>(BUCKETS_PER_SECOND).fill(0));
  const perMs = new Map<number, number>();
  let total = 0;
  for (const t of accepts) {
    const offset = t - from;
    if (offset < 0 || offset >= seconds * 1000) continue;
    total++;
    rows[Math.floor(offset / 1000)]![Math.floor((offset % 1000) / (1000 / BUCKETS_PER_SECOND))]!++;
    perMs.set(t, (perMs.get(t) ?? 0) + 1);
  }
  const buckets = rows.flat();
  return {
    perSecond: total / seconds,
    bucketMean: total / buckets.length,
    bucketMin: Math.min(...buckets),
    bucketMax: Math.max(...buckets),
    maxInOneMs: Math.max(0, ...perMs.values()),
    rows,
  };
}

/** What one daemon (lbd or HAProxy) cost over the window. */
interface Measured {
  name: string;
  cpuPercent: number;
  cpuSeconds: number;
  /** The kernel's share of the CPU time (connect, reset, and on loopback the peer's side of the handshake). */
  systemPercent: number;
  spread: Spread;
}

/** A daemon under test: how to start it on a config file and how to know it is running. */
interface Target {
  name: string;
  start(cfg: string): ChildProcess;
  ready(child: ChildProcess): Promise<void>;
}

const LBD_TARGET: Target = {
  name: 'lbd',
  start: (cfg) => spawn(process.execPath, [LBD, '-f', cfg], { stdio: ['ignore', 'pipe', 'inherit'] }),
  ready: (child) => waitForReady(child, 30_000),
};

/** HAProxy 2.6 on the same file, in the foreground, when it is installed: the reference. */
const HAPROXY_TARGET: Target = {
  name: 'haproxy',
  start: (cfg) => spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] }),
  // HAProxy prints nothing when it starts; it is ready once it runs and its checks arrive.
  ready: async (child) => {
    await sleep(1000);
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode})`);
  },
};

let current: number[] = [];

async function measure(target: Target, cfg: string, opts: Options, ticks: number): Promise<Measured> {
  const child = target.start(cfg);
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${target.name} did not start`);
    await target.ready(child);
    process.stderr.write(`${target.name} ${pid}: ${opts.servers} servers, warming up ${opts.warmup} s...\n`);
    await sleep(opts.warmup * 1000);
    // Align the window on a wall-clock second so buckets are whole seconds of check starts.
    await sleep(1000 - (Date.now() % 1000));
    current = [];
    const from = Date.now();
    const cpuBefore = await cpuSeconds(pid, ticks);
    const wallBefore = performance.now();
    process.stderr.write(`${target.name}: measuring ${opts.seconds} s...\n`);
    await sleep(opts.seconds * 1000);
    const cpuAfter = await cpuSeconds(pid, ticks);
    const wall = (performance.now() - wallBefore) / 1000;
    const used = cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system;
    return {
      name: target.name,
      cpuPercent: (used / wall) * 100,
      cpuSeconds: used,
      systemPercent: ((cpuAfter.system - cpuBefore.system) / wall) * 100,
      spread: spreadOf(current, from, opts.seconds),
    };
  } finally {
    await stopChild();
  }
}

function report(m: Measured, opts: Options): string[] {
  const s = m.spread;
  const head = [
    `${m.name}: ${opts.servers} servers, check inter 1s, spread-checks ${opts.spreadChecks}`,
    `  CPU over ${opts.seconds} s          ${m.cpuPercent.toFixed(1)} % of one core (${m.cpuSeconds.toFixed(2)} s CPU)`,
    `  of which in the kernel   ${m.systemPercent.toFixed(1)} % of one core`,
  ];
  if (s.perSecond === 0) {
    // HAProxy holds back the last ACK of the handshake and resets: the listener never accepts.
    return [
      ...head,
      '  checks per second        not visible here: the checks end before the listeners accept',
    ];
  }
  return [
    ...head,
    `  checks per second        ${s.perSecond.toFixed(1)}`,
    `  checks per 1/10 s        mean ${s.bucketMean.toFixed(1)}, min ${s.bucketMin}, max ${s.bucketMax}`,
    `  busiest millisecond      ${s.maxInOneMs} checks`,
    '  checks in each 1/10 s of each second:',
    ...s.rows.map(
      (row, i) => `    s${String(i + 1).padStart(2)} ${row.map((n) => String(n).padStart(4)).join('')}`,
    ),
  ];
}

async function main(): Promise<number> {
  const opts = options();
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const listeners: Listener[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'lbd-health-cost-'));
  process.once('SIGINT', () => process.exit(130));
  try {
    for (let i = 0; i < opts.listeners; i++) listeners.push(await listen(() => current));
    const cfg = join(dir, 'health.cfg');
    await writeFile(
      cfg,
      config(
        listeners.map((l) => l.port),
        opts.servers,
        opts.spreadChecks,
        await freePort(),
      ),
    );
    const targets = [LBD_TARGET, ...(opts.haproxy ? [HAPROXY_TARGET] : [])];
    const results: Measured[] = [];
    for (const target of targets) results.push(await measure(target, cfg, opts, ticks));
    const lines = results.flatMap((m) => report(m, opts));
    const [lbd, haproxy] = results;
    if (haproxy !== undefined && haproxy.cpuPercent > 0) {
      lines.push(`lbd / haproxy CPU: ${(lbd!.cpuPercent / haproxy.cpuPercent).toFixed(2)}x`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (opts.json !== undefined) {
      const json = results.map((m) => ({
        name: m.name,
        servers: opts.servers,
        spreadChecks: opts.spreadChecks,
        windowSeconds: opts.seconds,
        cpuPercentOfOneCore: Number(m.cpuPercent.toFixed(2)),
        kernelPercentOfOneCore: Number(m.systemPercent.toFixed(2)),
        checksPerSecond: m.spread.perSecond,
        perTenthOfSecond: { mean: m.spread.bucketMean, min: m.spread.bucketMin, max: m.spread.bucketMax },
        busiestMillisecond: m.spread.maxInOneMs,
        rows: m.spread.rows,
      }));
      await writeFile(opts.json, `${JSON.stringify({ node: process.version, results: json }, null, 2)}\n`);
    }
    const s = lbd!.spread;
    const checkedAll = s.perSecond >= opts.servers * 0.95 && s.perSecond <= opts.servers * 1.05;
    return lbd!.cpuPercent < CPU_BUDGET_PERCENT && checkedAll ? 0 : 1;
  } finally {
    await Promise.all(listeners.map((l) => new Promise((r) => l.server.close(r))));
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`health-cost: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
