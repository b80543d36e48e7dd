/**
 * Bulk throughput: iperf3 streams through the path for a fixed time, one
 * stream and eight. The first `warmup` seconds are iperf3's --omit interval
 * (sent but not counted), so TCP's ramp-up and lbd's JIT warm-up stay out of
 * the figure.
 */
import { HOST } from '../lib/haproxy-config.ts';
import { runToCompletion } from '../lib/processes.ts';
import type { RunContext, RunOutput, Workload } from '../lib/workload.ts';

interface IperfJson {
  error?: string;
  end?: { sum_received?: { bits_per_second?: number; bytes?: number } };
}

function bulk(streams: 1 | 8): Workload {
  return {
    id: streams === 1 ? 'bulk-p1' : 'bulk-p8',
    title: () => `bulk throughput, iperf3 -P ${streams}`,
    listen: 'bulk',
    backend: 'iperf3',
    metrics: [{ key: 'gbps', label: 'Gbit/s received', better: 'higher', digits: 2 }],
    estimateSeconds: (options) => options.warmupS + options.durationS + 0.5,
    run: (context) => runIperf(context, streams),
  };
}

async function runIperf(context: RunContext, streams: number): Promise<RunOutput> {
  const { options } = context;
  const args = [
    '-c',
    HOST,
    '-p',
    String(context.port),
    '-t',
    String(options.durationS),
    '-P',
    String(streams),
  ];
  if (options.warmupS > 0) args.push('-O', String(options.warmupS));
  args.push('--json', '--connect-timeout', '5000');
  const limitS = options.warmupS + options.durationS + 30;
  const { proc, info, timedOut } = await runToCompletion(
    { name: 'iperf3', command: 'iperf3', args, cpus: options.loadCpus },
    limitS * 1000,
  );

  let report: IperfJson | undefined;
  try {
    report = JSON.parse(proc.stdout()) as IperfJson;
  } catch {
    // Reported below with stderr.
  }
  const bitsPerSecond = report?.end?.sum_received?.bits_per_second;
  if (timedOut || info.code !== 0 || report?.error || !bitsPerSecond) {
    // The server may be stuck in the half-finished test: give the next run a fresh one.
    await context.backends.restart('iperf3');
    const why = timedOut
      ? `no result within ${limitS} s`
      : (report?.error ?? (proc.stderrTail().trim() || `exit code ${info.code ?? info.signal}`));
    throw new Error(`iperf3 -P ${streams}: ${why}`);
  }
  return {
    values: { gbps: bitsPerSecond / 1e9 },
    details: { bytesReceived: report?.end?.sum_received?.bytes },
  };
}

export const bulkOneStream = bulk(1);
export const bulkEightStreams = bulk(8);
