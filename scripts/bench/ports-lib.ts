/**
 * Shared by the ports benchmarks (ports-*.ts, scale-*.ts): running in a
 * network namespace of their own, filling the TCP table, CPU accounting.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Proc, startProcess } from './lib/processes.ts';

/**
 * Re-runs the calling script inside a new network namespace (`unshare -n`)
 * unless it already is, and exits with its status. In there the loopback
 * is private, so per-namespace sysctls (ip_local_port_range,
 * tcp_max_tw_buckets, tcp_tw_reuse) can be changed without touching the
 * machine's, and no one else's sockets mix with the measured ones. Returns
 * only inside the namespace, with `lo` up.
 */
export async function ensureOwnNetns(scriptUrl: string): Promise<void> {
  if (process.env.LBD_BENCH_NETNS !== '1') {
    const child = spawn(
      'unshare',
      ['-n', process.execPath, fileURLToPath(scriptUrl), ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, LBD_BENCH_NETNS: '1' },
      },
    );
    // Ctrl-C reaches both processes (one process group); this one only waits for the other.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.on(signal, () => child.kill(signal));
    const code = await new Promise<number>((resolve) => {
      child.once('error', (error) => {
        console.error(`cannot run in a network namespace of its own (unshare -n): ${error.message}`);
        resolve(2);
      });
      child.once('exit', (status, signal) => resolve(status ?? (signal === null ? 1 : 128)));
    });
    process.exit(code);
  }
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
}

/** Writes a sysctl of this namespace (no restore needed: the namespace goes away with the script). */
export function setNetnsSysctl(name: string, value: string): void {
  execFileSync('sysctl', ['-q', '-w', `${name}=${value}`]);
}

/** CPU used so far by this process's reaped children (`ss` runs), ms. */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const FILLER = fileURLToPath(new URL('./ports-filler.ts', import.meta.url));

/** Options of {@link fillTable}. */
export interface FillOptions {
  /** Connections in all (2 sockets each). */
  connections: number;
  /** First listener port; filler i listens on basePort + i. */
  basePort: number;
  /** Per filler process, at most 9,900 (two descriptors per connection under a 20,000 limit). */
  perProcess?: number;
  /** Leave every connection half-closed: FIN_WAIT2 and CLOSE_WAIT instead of ESTABLISHED. */
  halfClose?: boolean;
  log: (message: string) => void;
}

/** Starts filler processes holding `connections` loopback connections; resolves once all are open. */
export async function fillTable(
  options: FillOptions,
): Promise<{ procs: Proc[]; ports: number[]; sources: string[] }> {
  const per = options.perProcess ?? 9100;
  const processes = Math.ceil(options.connections / per);
  const procs: Proc[] = [];
  const ports: number[] = [];
  const sources: string[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < processes; i++) {
    const count = Math.min(per, options.connections - i * per);
    const port = options.basePort + i;
    const source = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    ports.push(port);
    sources.push(source);
    done.push(
      new Promise((resolve, reject) => {
        const proc = startProcess({
          name: `filler ${i + 1}`,
          command: process.execPath,
          args: [
            FILLER,
            ...['--port', String(port), '--count', String(count), '--source', source],
            ...(options.halfClose === true ? ['--half-close'] : []),
          ],
          onStdoutLine: (line) => {
            const event = JSON.parse(line) as { event: string; failed: number };
            if (event.event !== 'done') return;
            if (event.failed > 0) reject(new Error(`filler ${i + 1}: ${event.failed} connections failed`));
            else resolve();
          },
        });
        procs.push(proc);
        void proc.exited.then((info) =>
          reject(new Error(`filler ${i + 1} exited (${info.code ?? info.signal})`)),
        );
      }),
    );
  }
  const started = Date.now();
  await Promise.all(done);
  options.log(
    `${options.connections} connections in ${processes} processes, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { procs, ports, sources };
}
