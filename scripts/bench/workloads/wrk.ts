/** Runs wrk against a port and returns its statistics from wrk-report.lua. */
import { fileURLToPath } from 'node:url';
import { SMALL_FILE_PATH } from '../lib/backends.ts';
import { HOST } from '../lib/haproxy-config.ts';
import { runToCompletion } from '../lib/processes.ts';

const REPORT_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

export interface WrkStats {
  requests: number;
  durationUs: number;
  requestsPerSecond: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export interface WrkRun {
  port: number;
  connections: number;
  durationS: number;
  cpus: string;
  headers?: string[];
}

/** A run fails if more than this share of requests ended in a socket error or a non-2xx/3xx status. */
const MAX_ERROR_SHARE = 0.01;

export async function runWrk(run: WrkRun): Promise<WrkStats> {
  const args = ['-t1', `-c${run.connections}`, `-d${run.durationS}s`, '-s', REPORT_SCRIPT];
  for (const header of run.headers ?? []) args.push('-H', header);
  args.push(`http://${HOST}:${run.port}${SMALL_FILE_PATH}`);

  const { proc, info, timedOut } = await runToCompletion(
    { name: 'wrk', command: 'wrk', args, cpus: run.cpus },
    (run.durationS + 30) * 1000,
  );
  if (timedOut) throw new Error(`wrk did not finish within ${run.durationS + 30} s`);
  const line = proc
    .stdout()
    .split('\n')
    .find((text) => text.startsWith('BENCH_JSON '));
  if (info.code !== 0 || !line) {
    const why = proc.stderrTail().trim() || proc.stdout().trim().split('\n').slice(-2).join(' | ');
    throw new Error(`wrk failed (code ${info.code ?? info.signal})${why ? `: ${why}` : ''}`);
  }
  const raw = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number;
    duration_us: number;
    errors: WrkStats['errors'];
    latency_us: WrkStats['latencyUs'];
  };
  const stats: WrkStats = {
    requests: raw.requests,
    durationUs: raw.duration_us,
    requestsPerSecond: raw.requests / (raw.duration_us / 1e6),
    errors: raw.errors,
    latencyUs: raw.latency_us,
  };
  const { connect, read, write, status, timeout } = stats.errors;
  const failed = connect + read + write + status + timeout;
  if (stats.requests === 0)
    throw new Error(`wrk completed no request (errors: ${JSON.stringify(stats.errors)})`);
  if (failed > stats.requests * MAX_ERROR_SHARE) {
    throw new Error(
      `wrk: ${failed} errors for ${stats.requests} requests ` +
        `(connect ${connect}, read ${read}, write ${write}, status ${status}, timeout ${timeout})`,
    );
  }
  return stats;
}
