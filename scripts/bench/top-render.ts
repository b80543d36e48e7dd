/**
 * What `lbctl top` costs with many servers. Two figures, printed as one
 * Markdown table:
 *
 *  1. Frame time with N servers (default 500): the reducer applying one
 *     stats snapshot, and Ink laying out and writing one interactive frame
 *     (80x24 and 200x50), measured by Ink's own `onRender` metrics on a fake
 *     terminal and by `renderToString`; median and p95 over many frames.
 *  2. Idle CPU: a real lbd with N servers, `lbctl top` in a real terminal
 *     (tmux, 200x50) subscribed at one update per second, CPU time of the
 *     lbctl process (and of lbd) from /proc over `--seconds`, as a share of
 *     one core.
 *
 *   pnpm build && node scripts/bench/top-render.ts [--servers 500] [--seconds 30] [--frames 200]
 *
 * Runs on Node's type stripping (erasable syntax only) against the built
 * dist. A benchmark figure, not a test: exit 0 when both parts ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll, installSignalHandlers, onCleanup, startProcess } from './lib/processes.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TUI_DIST = join(REPO, 'packages', 'tui', 'dist', 'top');
const LBD_ENTRY = join(REPO, 'packages', 'daemon', 'bin', 'lbd.js');
const LBCTL_ENTRY = join(REPO, 'packages', 'tui', 'bin', 'lbctl.js');
/** Below the ephemeral range, apart from the other benches' ports. */
const LISTEN_PORT = 14301;
const BACKEND_PORT = 14302;
const log = (message: string) => process.stderr.write(`top-render: ${message}\n`);

const { values: opts } = parseArgs({
  options: {
    servers: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    frames: { type: 'string', default: '200' },
  },
});
const SERVERS = Number(opts.servers);
const SECONDS = Number(opts.seconds);
const FRAMES = Number(opts.frames);

// The dashboard's modules and its React/Ink, resolved from the tui package (the bench has no dependencies of its own).
// lbctl top runs React's production build (see top/command.ts); measure that.
process.env.NODE_ENV ??= 'production';
const tuiRequire = createRequire(join(REPO, 'packages', 'tui', 'package.json'));
const load = (specifier: string) => import(pathToFileURL(tuiRequire.resolve(specifier)).href);
const { createElement } = await load('react');
const { render, renderToString } = await load('ink');
const { Frame } = await import(pathToFileURL(join(TUI_DIST, 'Frame.js')).href);
const { topReducer } = await import(pathToFileURL(join(TUI_DIST, 'reducer.js')).href);
const { initialState } = await import(pathToFileURL(join(TUI_DIST, 'state.js')).href);
const { UNICODE_GLYPHS } = await import(pathToFileURL(join(TUI_DIST, 'format.js')).href);

/** `n` server rows as lbd sends them: 50 per backend, a few down, drained or in transition. */
function statRows(n: number, tick: number): Record<string, string | number>[] {
  return Array.from({ length: n }, (_, i) => ({
    pxname: `pool${Math.floor(i / 50)}`,
    svname: `srv${i}`,
    type: 2,
    iid: 2 + Math.floor(i / 50),
    sid: (i % 50) + 1,
    status: i % 37 === 0 ? 'DOWN' : i % 41 === 0 ? 'DRAIN' : i % 47 === 0 ? 'UP 1/3' : 'UP',
    weight: 1,
    scur: (i + tick) % 20,
    smax: 25,
    slim: 40,
    stot: i * 10 + tick,
    bin: (i + tick) * 1000,
    bout: (i + tick) * 5000,
    qcur: 0,
    rate: (i + tick) % 9,
    econ: 0,
    wretr: 0,
    wredis: 0,
    lastchg: 100 + tick,
    check_status: 'L4OK',
    check_duration: 1,
    addr: `10.0.${Math.floor(i / 250)}.${i % 250}:3306`,
  }));
}

function snapshot(tick: number) {
  return {
    time: 1_000_000 + tick * 1000,
    info: {
      node: 'bench',
      Version: '0.1.0',
      Pid: 1,
      Uptime_sec: 100 + tick,
      CurrConns: 1,
      Maxconn: 2000,
      ConnRate: 1,
    },
    rows: statRows(SERVERS, tick),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/** A terminal that keeps nothing: Ink believes it is a TTY of the given size. */
class NullTerminal extends Writable {
  isTTY = true;
  columns: number;
  rows: number;
  constructor(columns: number, rows: number) {
    super();
    this.columns = columns;
    this.rows = rows;
  }
  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
}

async function frameTimes(columns: number, rows: number) {
  let state = initialState({ targets: ['/bench.sock'], now: 1_000_000, size: { columns, rows } });
  state = topReducer(state, {
    type: 'connected',
    node: 0,
    hello: { daemon: { name: 'lbd', version: '0.1.0', pid: 1 }, level: 'admin' },
    time: 0,
  });
  state = topReducer(state, { type: 'stats', node: 0, snapshot: snapshot(0) });
  const reducerMs: number[] = [];
  const states = [];
  for (let tick = 1; tick <= FRAMES; tick++) {
    const s = snapshot(tick);
    const t0 = performance.now();
    state = topReducer(state, { type: 'stats', node: 0, snapshot: s });
    reducerMs.push(performance.now() - t0);
    states.push(state);
  }
  // Ink's own measure of each committed frame (layout and output), on a terminal of this size.
  const inkMs: number[] = [];
  const element = (s: unknown) =>
    createElement(Frame, { state: s, glyphs: UNICODE_GLYPHS, mode: 'interactive' });
  const stdout = new NullTerminal(columns, rows);
  const instance = render(element(states[0]), {
    stdout,
    stdin: process.stdin,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 100_000,
    onRender: (metrics: { renderTime: number }) => inkMs.push(metrics.renderTime),
  });
  // The whole update as the dashboard pays it: React renders the frame (rows filtered, sorted, grouped), Ink lays it out and writes it.
  const fullMs: number[] = [];
  for (const s of states) {
    const t0 = performance.now();
    instance.rerender(element(s));
    await instance.waitUntilRenderFlush();
    fullMs.push(performance.now() - t0);
  }
  instance.unmount();
  // And the whole path from state to text, as `--once` and a cold frame pay it.
  const stringMs: number[] = [];
  for (const s of states.slice(0, 50)) {
    const t0 = performance.now();
    renderToString(element(s), { columns });
    stringMs.push(performance.now() - t0);
  }
  return { reducerMs, inkMs, fullMs, stringMs };
}

/** utime+stime of a process in clock ticks. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

async function idleCpu(): Promise<{ top: number; lbd: number; screenOk: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'top-bench-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  // One backend port that accepts: the servers have no checks, so lbd stays quiet and only the dashboard's cost shows.
  const backend = createServer((s) => s.destroy()).listen(BACKEND_PORT, '127.0.0.1');
  onCleanup(() => void backend.close());
  const socket = join(dir, 'admin.sock');
  const servers = Array.from(
    { length: SERVERS },
    (_, i) => `  server srv${i} 127.0.0.1:${BACKEND_PORT} weight 1 maxconn 40`,
  );
  const lines = ['global', '  node bench', `  stats socket ${socket} level admin`, 'defaults', '  mode tcp'];
  lines.push('  timeout connect 2s', '  timeout client 30s', '  timeout server 30s');
  for (let b = 0; b * 50 < SERVERS; b++) {
    lines.push(
      `listen pool${b}`,
      `  bind 127.0.0.1:${LISTEN_PORT + b * 2}`,
      ...servers.slice(b * 50, b * 50 + 50),
    );
  }
  const config = join(dir, 'lbd.cfg');
  await writeFile(config, `${lines.join('\n')}\n`);
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const lbd = startProcess({
    name: 'lbd',
    command: process.execPath,
    args: [LBD_ENTRY, '-f', config],
    onStdoutLine: (line) => {
      if (line.includes('"lbd ready"')) ready();
    },
  });
  await Promise.race([
    started,
    new Promise((_, reject) => setTimeout(() => reject(new Error('lbd not ready')), 20_000)),
  ]);
  const tmuxName = `top-bench-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', tmuxName, ...args], { encoding: 'utf8' });
  onCleanup(() => {
    try {
      tmux('kill-server');
    } catch {}
  });
  tmux(
    'new-session',
    '-d',
    '-s',
    'top',
    '-x',
    '200',
    '-y',
    '50',
    `exec env LANG=C.UTF-8 ${process.execPath} ${LBCTL_ENTRY} --socket ${socket} top --interval 1s`,
  );
  const topPid = Number(tmux('display-message', '-p', '-t', 'top', '#{pane_pid}').trim());
  // Warm-up: connect, first snapshots, JIT.
  await new Promise((r) => setTimeout(r, 5000));
  const screen = tmux('capture-pane', '-p', '-t', 'top');
  const screenOk = screen.includes('pool0') && screen.includes('srv0');
  const [top0, lbd0] = [await cpuTicks(topPid), await cpuTicks(lbd.pid)];
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const [top1, lbd1] = [await cpuTicks(topPid), await cpuTicks(lbd.pid)];
  return {
    top: ((top1 - top0) / CLK_TCK / elapsed) * 100,
    lbd: ((lbd1 - lbd0) / CLK_TCK / elapsed) * 100,
    screenOk,
  };
}

installSignalHandlers();
try {
  log(`frame times with ${SERVERS} servers, ${FRAMES} frames...`);
  const small = await frameTimes(80, 24);
  const large = await frameTimes(200, 50);
  log(`idle CPU with ${SERVERS} servers over ${SECONDS} s...`);
  const cpu = await idleCpu();
  const row = (name: string, v: number[]) =>
    `| ${name} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(Math.max(...v))} |`;
  console.log(`\n### lbctl top, ${SERVERS} servers\n`);
  console.log('| step | median | p95 | max |');
  console.log('| --- | --- | --- | --- |');
  console.log(row('reducer: apply one stats snapshot', small.reducerMs));
  console.log(row('frame 80x24: React render + Ink layout + write', small.fullMs));
  console.log(row('frame 200x50: React render + Ink layout + write', large.fullMs));
  console.log(row("  of which Ink's output (onRender) 80x24", small.inkMs));
  console.log(row("  of which Ink's output (onRender) 200x50", large.inkMs));
  console.log(row('renderToString 80x24', small.stringMs));
  console.log(row('renderToString 200x50', large.stringMs));
  console.log(
    `\nIdle at one update per second (tmux 200x50, ${SECONDS} s): lbctl top ${cpu.top.toFixed(2)} % of a core; lbd ${cpu.lbd.toFixed(2)} %${cpu.screenOk ? '' : ' (the screen did not show the servers!)'}\n`,
  );
  await cleanupAll();
  process.exit(cpu.screenOk ? 0 : 1);
} catch (error) {
  log(String(error instanceof Error ? error.stack : error));
  await cleanupAll();
  process.exit(1);
}
