/**
 * What choosing source endpoints costs the data plane.
 *
 * 1. In process: SourcePicker.pick + release per connection, for one address
 *    with the kernel's ports, four addresses, and four addresses with lbd
 *    picking ports from a 10,000-port range (the ring), in ns per connection.
 * 2. Through lbd: short connections (connect, one byte each way, close) at a
 *    fixed concurrency for --seconds per mode, and lbd's CPU per connection:
 *    no `source`, `source ADDR` (bind to port 0), and `source ADDR:RANGE`.
 *
 *   pnpm build && node scripts/bench/ports-hot-path.ts [--seconds 8]
 *
 * Runs in a network namespace of its own (unshare -n).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { releaseEndpoint, SourcePicker } from '../../packages/daemon/dist/proxy/source-address.js';
import {
  cleanupAll,
  describeExit,
  installSignalHandlers,
  type Proc,
  probeSetpriv,
  startProcess,
} from './lib/processes.ts';
import { ensureOwnNetns, setNetnsSysctl } from './ports-lib.ts';

await ensureOwnNetns(import.meta.url);
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' } } });
const SECONDS = Number(values.seconds);
const LBD = fileURLToPath(new URL('../../packages/daemon/bin/lbd.js', import.meta.url));

function pickerCost(label: string, source: ConstructorParameters<typeof SourcePicker>[0]): string {
  const picker = new SourcePicker(source, { timeWaitMs: () => 0, refusedMs: 60_000 });
  const live = 1000;
  const held = new Array<ReturnType<SourcePicker['pick']>>(live);
  const rounds = 2_000_000;
  // 1,000 live connections: each release comes 1,000 picks after its pick, as in a proxy.
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const slot = i % live;
    const old = held[slot];
    if (old !== undefined) releaseEndpoint(old, 'time-wait', i);
    held[slot] = picker.pick('10.0.0.1', 3306, i);
  }
  const ns = Number(process.hrtime.bigint() - t0) / rounds;
  return `| ${label} | ${ns.toFixed(0)} ns |`;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function churn(port: number, seconds: number, concurrency: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      s.once('connect', () => s.end('x'));
      s.on('data', () => {});
      s.once('close', () => {
        done++;
        resolve();
      });
      s.once('error', () => {});
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  return done;
}

installSignalHandlers();
await probeSetpriv();
try {
  const micro = [
    pickerCost('one address, kernel picks the port', { addresses: ['127.0.0.2'] }),
    pickerCost('four addresses, kernel picks the port', {
      addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
    }),
    pickerCost('four addresses, lbd picks from 20000-29999', {
      addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
      portRange: { low: 20000, high: 29999 },
    }),
  ];
  // Wide ranges for the churn, so TIME_WAIT is not what limits it, clear of the listeners (14700s).
  setNetnsSysctl('net.ipv4.ip_local_port_range', '20000 65000');
  // The server answers the client's FIN with its own: lbd closes first toward it and keeps the TIME_WAIT.
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('end', () => s.end('y'));
  });
  await new Promise<void>((resolve) =>
    server.listen({ port: 14702, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const modes: Record<string, string> = {
    'no source': '',
    'source 127.0.0.2 (bind, kernel port)': 'source 127.0.0.2',
    'source 127.0.0.2,127.0.0.3:20000-65000 (lbd picks)': 'source 127.0.0.2,127.0.0.3:20000-65000',
  };
  const rows: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'lbd-hot-'));
  let listen = 14710;
  for (const [label, source] of Object.entries(modes)) {
    listen++;
    const cfg = join(dir, `${listen}.cfg`);
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 4000',
        'defaults',
        '  mode tcp',
        '  timeout connect 2s',
        '  timeout client 10s',
        '  timeout server 10s',
        'listen hot',
        `  bind 127.0.0.1:${listen}`,
        source === '' ? '' : `  ${source}`,
        '  server s1 127.0.0.1:14702',
        '',
      ].join('\n'),
    );
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const lbd: Proc = startProcess({
      name: 'lbd',
      command: process.execPath,
      args: [LBD, '-f', cfg],
      onStdoutLine: (line) => {
        if (line.includes('"lbd ready"')) ready();
      },
    });
    await Promise.race([
      isReady,
      lbd.exited.then((info) => {
        throw new Error(describeExit(lbd, info));
      }),
    ]);
    await churn(listen, 1, 20); // warm-up
    const cpu0 = cpuMs(lbd.pid);
    const n = await churn(listen, SECONDS, 20);
    const cpu = cpuMs(lbd.pid) - cpu0;
    rows.push(`| ${label} | ${(n / SECONDS).toFixed(0)} | ${((1000 * cpu) / n).toFixed(0)} µs |`);
    process.stderr.write(`ports-hot-path: ${rows.at(-1)}\n`);
    await lbd.stop();
  }
  server.close();
  console.log('\nSourcePicker, pick + release per connection (1,000 live):\n');
  console.log('| picker | cost |');
  console.log('| --- | --- |');
  for (const row of micro) console.log(row);
  console.log(`\nShort connections through lbd, 20 at a time, ${SECONDS} s each (client in this process):\n`);
  console.log('| mode | connections/s | lbd CPU per connection |');
  console.log('| --- | --- | --- |');
  for (const row of rows) console.log(row);
} finally {
  await cleanupAll();
}
