/** Command-line options of `pnpm bench`. */
import { parseArgs } from 'node:util';

export const PATH_NAMES = ['lbd', 'haproxy', 'direct'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export const WORKLOAD_IDS = ['bulk-p1', 'bulk-p8', 'churn', 'keepalive', 'idle-memory'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

export interface BenchOptions {
  paths: PathName[];
  workloads: WorkloadId[];
  reps: number;
  /** Measured seconds per throughput/rate run. */
  durationS: number;
  /** Unmeasured seconds before each measured run, so lbd's JIT is warm as HAProxy's C is. */
  warmupS: number;
  idleConns: number;
  /** Client processes for the idle workload, each from its own 127.0.N.x source address. */
  idleClients: number;
  nbthread: number;
  proxyCpus: string;
  loadCpus: string;
  outDir: string;
  /** lbd's entry script; undefined means the workspace's packages/daemon/bin/lbd.js. */
  lbdEntry?: string;
  allowSysctl: boolean;
  quick: boolean;
}

export const USAGE = `Usage: pnpm bench [options]    (or: node scripts/bench/run.ts [options])

Compares lbd, HAProxy (nbthread 1) and a direct connection on the same
workloads, interleaved and repeated, and prints one table of medians and ratios.

  --only LIST         paths to run, from: ${PATH_NAMES.join(',')} (default: all)
  --workloads LIST    from: ${WORKLOAD_IDS.join(',')} (default: all)
  --reps N            repetitions per workload per path (default 3; --quick: 1)
  --duration S        seconds per measured run (default 5; --quick: 2)
  --warmup S          unmeasured seconds before each run (default 1)
  --idle-conns N      idle connections for the memory workload (default 9000; --quick: 3000)
  --idle-clients N    client processes sharing the idle connections (default 3)
  --nbthread N        'nbthread' in the generated config, for both proxies (default 1)
  --proxy-cpus LIST   taskset CPU list for the proxy under test (default 0)
  --load-cpus LIST    taskset CPU list for load generators and backends (default 1)
  --out DIR           where the JSON results go, relative to the repository (default bench-results)
  --lbd FILE          lbd entry script to run (default packages/daemon/bin/lbd.js)
  --no-sysctl         never widen net.ipv4.ip_local_port_range, only wait for TIME_WAIT
  --quick             about one minute: 1 repetition, 2 s runs, 3000 idle connections
  -h, --help          this text
`;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} wants a whole number, got "${text}"`);
  return value;
}

function list<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T[] {
  if (text === undefined) return [...allowed];
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`--${name}: unknown "${item}" (choose from ${allowed.join(', ')})`);
    }
  }
  // Keep the canonical order so the table reads the same whatever the flag order.
  return allowed.filter((item) => items.includes(item));
}

/** Returns the options, or undefined after printing the usage for --help. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      only: { type: 'string' },
      workloads: { type: 'string' },
      reps: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'idle-conns': { type: 'string' },
      'idle-clients': { type: 'string' },
      nbthread: { type: 'string' },
      'proxy-cpus': { type: 'string' },
      'load-cpus': { type: 'string' },
      out: { type: 'string' },
      lbd: { type: 'string' },
      'no-sysctl': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }
  const quick = values.quick;
  const options: BenchOptions = {
    paths: list('only', values.only, PATH_NAMES),
    workloads: list('workloads', values.workloads, WORKLOAD_IDS),
    reps: positiveInt('reps', values.reps, quick ? 1 : 3),
    durationS: positiveInt('duration', values.duration, quick ? 2 : 5),
    warmupS: positiveInt('warmup', values.warmup, 1),
    idleConns: positiveInt('idle-conns', values['idle-conns'], quick ? 3000 : 9000),
    idleClients: positiveInt('idle-clients', values['idle-clients'], 3),
    nbthread: positiveInt('nbthread', values.nbthread, 1),
    proxyCpus: values['proxy-cpus'] ?? '0',
    loadCpus: values['load-cpus'] ?? '1',
    outDir: values.out ?? 'bench-results',
    lbdEntry: values.lbd,
    allowSysctl: !values['no-sysctl'],
    quick,
  };
  if (options.paths.length === 0) throw new Error('--only selects no path');
  if (options.workloads.length === 0) throw new Error('--workloads selects no workload');
  if (options.reps < 1 || options.durationS < 1 || options.nbthread < 1 || options.idleClients < 1) {
    throw new Error('--reps, --duration, --nbthread and --idle-clients must be at least 1');
  }
  return options;
}
