/**
 * One client process of the scale benchmark: opens `--count` connections
 * through the proxy and holds them. A connection counts as open only once
 * the backend's one-byte greeting (scale-backend.ts) has come back through
 * the proxy, so it proves the whole path (client -> lbd -> backend) and
 * paces the opens: at most `--window` connections are in flight at a time,
 * and a slow proxy slows the clients down instead of overflowing its accept
 * queues. A failed attempt (error, reset, no greeting within
 * `--timeout-ms`) is retried up to `--retries` times from a new socket, then
 * counted as failed.
 *
 * Each process binds its own source addresses (`--local-address A,B,...`,
 * taken in turn): each (source address, destination) pair has only the
 * ephemeral range's ports, and a process may hold at most 20,000
 * descriptors. Node binds with SO_REUSEADDR, and Linux then looks for a free
 * port in the odd ports of the range's lower half first: past a quarter of
 * the range per address every bind() scans that quarter (milliseconds each),
 * so the bench gives each process enough addresses to stay under it.
 *
 *   node scale-client.ts --port 14601 --count 10000 --local-address 127.0.2.1,127.0.2.2 [--window 32]
 *
 * NDJSON on stdout: {"event":"progress",...} every `--progress-ms`, then
 * {"event":"done","held":N,"failed":M,"retried":R,"firstError":"...","ms":T}.
 * SIGUSR2 sends a 32-byte message on `--echo-sample` held connections
 * (spread evenly) and reports {"event":"echo","sampled":S,"ok":K,...} once
 * each came back whole or timed out. SIGTERM exits (closing everything).
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    count: { type: 'string' },
    'local-address': { type: 'string' },
    window: { type: 'string', default: '32' },
    'timeout-ms': { type: 'string', default: '15000' },
    retries: { type: 'string', default: '3' },
    'echo-sample': { type: 'string', default: '100' },
    'progress-ms': { type: 'string', default: '1000' },
  },
});
const port = Number(values.port);
const count = Number(values.count);
const windowSize = Number(values.window);
const timeoutMs = Number(values['timeout-ms']);
const retries = Number(values.retries);
const echoSample = Number(values['echo-sample']);
const localAddresses = values['local-address']?.split(',') ?? [undefined];
let turn = 0;
if (!(port > 0 && count >= 0 && windowSize > 0 && timeoutMs > 0 && retries >= 0)) {
  console.error('scale-client: --port and --count are required');
  process.exit(2);
}

const emit = (event: Record<string, unknown>) => console.log(JSON.stringify(event));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const held: Socket[] = [];
/** Bytes received per held socket while an echo check waits for them. */
const echoes = new Map<Socket, (chunk: Buffer) => void>();
let failed = 0;
let retried = 0;
/** Held connections that closed afterwards (the proxy or backend dropped them). */
let lost = 0;
let firstError: string | undefined;
let exiting = false;

/** One connect; resolves with the socket once the greeting arrived, or with why not. */
function attemptOnce(): Promise<Socket | Error> {
  return new Promise((resolve) => {
    const localAddress = localAddresses[turn++ % localAddresses.length];
    const socket = connect({ host: values.host, port, localAddress, noDelay: true });
    let settled = false;
    const finish = (outcome: Socket | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(new Error(`no greeting within ${timeoutMs} ms`)), timeoutMs);
    socket.once('data', () => finish(socket));
    socket.on('error', (err) => finish(err));
    socket.once('close', () => finish(new Error('closed before the greeting')));
  });
}

function hold(socket: Socket): void {
  held.push(socket);
  socket.on('data', (chunk: Buffer) => echoes.get(socket)?.(chunk));
  socket.once('close', () => {
    if (!exiting) lost += 1;
  });
}

async function openOne(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptOnce();
    if (!(outcome instanceof Error)) {
      hold(outcome);
      return;
    }
    firstError ??= outcome.message;
    if (attempt >= retries) {
      failed += 1;
      return;
    }
    retried += 1;
    await sleep(250 * (attempt + 1));
  }
}

/** Sends a distinct 32-byte message on one socket; resolves with the round trip in ms, or -1. */
function echoOnce(socket: Socket, index: number): Promise<number> {
  const message = Buffer.from(`echo ${process.pid} ${index}`.padEnd(32, '.'));
  return new Promise((resolve) => {
    const started = performance.now();
    const parts: Buffer[] = [];
    let size = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      echoes.delete(socket);
      resolve(ok ? performance.now() - started : -1);
    };
    const timer = setTimeout(() => done(false), 10_000);
    echoes.set(socket, (chunk) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= message.length) done(Buffer.concat(parts).equals(message));
    });
    socket.write(message);
  });
}

async function echoCheck(): Promise<void> {
  const started = Date.now();
  const open = held.filter((socket) => !socket.destroyed);
  const sample = Math.min(echoSample, open.length);
  const step = open.length / Math.max(1, sample);
  const times = await Promise.all(
    Array.from({ length: sample }, (_, i) => echoOnce(open[Math.floor(i * step)]!, i)),
  );
  const ok = times.filter((ms) => ms >= 0);
  emit({
    event: 'echo',
    sampled: sample,
    ok: ok.length,
    failed: sample - ok.length,
    maxMs: Math.round(Math.max(0, ...ok)),
    ms: Date.now() - started,
    lost,
  });
}

process.on('SIGTERM', () => {
  exiting = true;
  process.exit(0);
});
process.on('SIGUSR2', () => void echoCheck());

const started = Date.now();
const progress = setInterval(
  () => emit({ event: 'progress', held: held.length, failed, retried, lost }),
  Number(values['progress-ms']),
);
let next = 0;
const lane = async () => {
  while (next < count) {
    next += 1;
    await openOne();
  }
};
await Promise.all(Array.from({ length: Math.min(windowSize, count) }, lane));
clearInterval(progress);
emit({ event: 'done', held: held.length, failed, retried, lost, firstError, ms: Date.now() - started });
// Hold everything until told to go, even if every connection failed.
setInterval(() => {}, 1 << 30);
