/**
 * `pnpm bench`: lbd against HAProxy 2.6 (same config, nbthread 1) and against
 * a direct connection to the backend, on the same workloads in one run. Runs
 * are interleaved (lbd, HAProxy, direct, lbd, ...) so slow drifts of the
 * machine (thermal, other work) spread over all three paths alike. The proxy
 * under test runs on --proxy-cpus (core 0), everything else on --load-cpus
 * (core 1), including this process.
 *
 * Output: machine facts and one Markdown table on stdout, progress on
 * stderr, everything (each run's raw figures too) in bench-results/<time>.json.
 * Exit code: 0 if every run succeeded, 1 if any failed, 2 if the bench
 * itself could not run.
 *
 * Runs on Node's type stripping: `node scripts/bench/run.ts --help`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Backends } from './lib/backends.ts';
import { EphemeralPortGuard, portFacts } from './lib/ephemeral-ports.ts';
import { maxconnFor, openFilesLimit, renderConfig } from './lib/haproxy-config.ts';
import { findOnPath, machineFacts, renderFacts } from './lib/machine.ts';
import { type BenchOptions, type PathName, parseOptions } from './lib/options.ts';
import { defaultLbdEntry, type OpenPath, openPath, type PathSettings } from './lib/paths.ts';
import { cleanupAll, installSignalHandlers, isStopping, onCleanup, probeSetpriv } from './lib/processes.ts';
import { cellFor, type Row, type RunRecord, ratio } from './lib/stats.ts';
import { renderFailures, renderTable } from './lib/table.ts';
import type { Workload } from './lib/workload.ts';
import { WORKLOADS } from './workloads/index.ts';

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Connections the idle workload needs on top of its own: wrk's 50 and a margin. */
const MAXCONN_MARGIN = 100;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return 0;
  installSignalHandlers();

  const workloads = options.workloads.map((id) => WORKLOADS[id]);
  checkTools(options, workloads);
  // This process (and what it spawns without taskset) stays off the proxy's core.
  await execFileAsync('taskset', ['-a', '-p', '-c', options.loadCpus, String(process.pid)]);
  if (!(await probeSetpriv())) log('setpriv --pdeathsig unavailable: children survive a SIGKILLed bench');

  const workDir = await mkdtemp(join(tmpdir(), 'lbd-bench-'));
  onCleanup(() => rm(workDir, { recursive: true, force: true }));

  const fdLimit = openFilesLimit();
  const maxconn = maxconnFor(fdLimit);
  if (options.workloads.includes('idle-memory') && options.idleConns + MAXCONN_MARGIN > maxconn) {
    throw new Error(
      `--idle-conns ${options.idleConns} needs maxconn >= ${options.idleConns + MAXCONN_MARGIN}, ` +
        `but an open-files limit of ${fdLimit} lets HAProxy have ${maxconn}`,
    );
  }
  const config = renderConfig({ maxconn, nbthread: options.nbthread });
  const configFile = join(workDir, 'haproxy.cfg');
  await writeFile(configFile, config);
  if (options.paths.includes('haproxy')) await checkWithHaproxy(configFile);

  const ports = await portFacts();
  const facts = await machineFacts(ports);
  const plan = estimate(options, workloads);
  console.log(`## lbd benchmark, ${new Date().toISOString()}\n\n${renderFacts(facts)}`);
  console.log(
    `- proxy on CPU ${options.proxyCpus}, load and backends on CPU ${options.loadCpus}; nbthread ${options.nbthread}; ` +
      `maxconn ${maxconn}; ${options.reps} repetition(s), ${options.durationS} s runs after ${options.warmupS} s warm-up\n`,
  );
  log(`${plan.runs} runs, about ${Math.ceil(plan.seconds / 60)} min; config in ${configFile}`);

  const backends = new Backends(options.loadCpus, workDir);
  onCleanup(() => backends.stopAll());
  const portGuard = new EphemeralPortGuard(options.allowSysctl, ports.twReuse, log);
  const settings: PathSettings = {
    configFile,
    repoRoot: REPO_ROOT,
    lbdEntry: options.lbdEntry ? resolve(options.lbdEntry) : defaultLbdEntry(REPO_ROOT),
    proxyCpus: options.proxyCpus,
  };
  const records: RunRecord[] = [];
  const startedAt = new Date();
  let done = 0;

  for (const workload of workloads) {
    for (let rep = 1; rep <= options.reps; rep += 1) {
      for (const path of options.paths) {
        if (workload.notApplicable?.(path)) continue;
        if (isStopping()) return 130;
        const timeWaitAtStart = await portGuard.settle(
          options.quick ? 500 : 1000,
          options.quick ? 5000 : 20_000,
        );
        const record = await runOne(workload, path, rep, options, settings, backends, timeWaitAtStart);
        records.push(record);
        done += 1;
        log(`[${String(done).padStart(2)}/${plan.runs}] ${describeRecord(workload, record)}`);
      }
    }
  }

  const rows = summarize(workloads, options, records);
  const failures = records.flatMap((record) =>
    record.error
      ? [{ where: `${record.path} ${record.workload} #${record.rep}`, message: record.error }]
      : [],
  );
  console.log(renderTable(rows, options.paths));
  if (options.paths.includes('lbd') && options.paths.length > 1) {
    console.log(
      '\nRatios are lbd median / other median; for rows marked "lower is better", below 1 favours lbd.',
    );
  }
  if (failures.length > 0) console.log(`\nFailures:\n${renderFailures(failures)}`);

  const outDir = resolve(REPO_ROOT, options.outDir);
  await mkdir(outDir, { recursive: true });
  const outFile = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    options,
    machine: facts,
    config,
    rows,
    runs: records,
  };
  await writeFile(outFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nJSON: ${outFile}`);
  return failures.length > 0 ? 1 : 0;
}

/** Starts the path, runs the workload once, stops the path; a failure becomes the record's error. */
async function runOne(
  workload: Workload,
  path: PathName,
  rep: number,
  options: BenchOptions,
  settings: PathSettings,
  backends: Backends,
  timeWaitAtStart: RunRecord['timeWaitAtStart'],
): Promise<RunRecord> {
  const started = Date.now();
  const record: RunRecord = {
    workload: workload.id,
    path,
    rep,
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    timeWaitAtStart,
  };
  let target: OpenPath | undefined;
  try {
    // Checked before every run: a backend that died must fail one run, not all that follow.
    await backends.ensure(workload.backend).catch((err: Error) => {
      throw new Error(`backend ${workload.backend}: ${err.message}`);
    });
    target = await openPath(path, settings);
    const output = await workload.run({
      options,
      path: target,
      port: target.port(workload.listen),
      backends,
      log,
    });
    // A proxy that crashed at the very end must not be credited with the run.
    const died = target.failure();
    if (died) throw new Error(`proxy died during the run: ${died}`);
    record.values = output.values;
    record.details = output.details;
  } catch (err) {
    const died = target?.failure();
    record.error =
      died && !(err as Error).message.includes(died)
        ? `${(err as Error).message} (${died})`
        : (err as Error).message;
  } finally {
    await target?.close();
    record.seconds = (Date.now() - started) / 1000;
  }
  return record;
}

function describeRecord(workload: Workload, record: RunRecord): string {
  const head = `${workload.id.padEnd(11)} ${record.path.padEnd(7)} #${record.rep}`;
  if (record.error) return `${head}  error: ${record.error}`;
  const figures = workload.metrics
    .map((metric) => `${record.values?.[metric.key]?.toFixed(metric.digits)} ${metric.label}`)
    .join(', ');
  return `${head}  ${figures}  (${record.seconds.toFixed(1)} s, TIME_WAIT ${record.timeWaitAtStart.timeWait} before, ${record.timeWaitAtStart.onEphemeralPorts} on ephemeral ports)`;
}

function summarize(workloads: Workload[], options: BenchOptions, records: RunRecord[]): Row[] {
  const rows: Row[] = [];
  for (const workload of workloads) {
    for (const metric of workload.metrics) {
      const cells: Row['cells'] = {};
      for (const path of options.paths) {
        const reason = workload.notApplicable?.(path);
        cells[path] = reason
          ? { kind: 'na', reason }
          : cellFor(
              records.filter((record) => record.workload === workload.id && record.path === path),
              metric.key,
            );
      }
      rows.push({
        workload: workload.id,
        workloadTitle: workload.title(options),
        metric,
        cells,
        lbdVsHaproxy: ratio(cells.lbd, cells.haproxy),
        lbdVsDirect: ratio(cells.lbd, cells.direct),
      });
    }
  }
  return rows;
}

function estimate(options: BenchOptions, workloads: Workload[]): { runs: number; seconds: number } {
  let runs = 0;
  let seconds = 0;
  for (const workload of workloads) {
    const paths = options.paths.filter((path) => !workload.notApplicable?.(path));
    runs += paths.length * options.reps;
    // + the settle between runs.
    seconds += paths.length * options.reps * (workload.estimateSeconds(options) + (options.quick ? 0.5 : 1));
  }
  return { runs, seconds };
}

/** A missing tool stops the bench before anything starts: a silently skipped leg would read as a result. */
function checkTools(options: BenchOptions, workloads: Workload[]): void {
  const needed = new Set(['taskset', 'ss']);
  if (options.paths.includes('haproxy')) needed.add('haproxy');
  for (const workload of workloads) {
    if (workload.backend === 'iperf3') needed.add('iperf3');
    if (workload.backend === 'http') {
      needed.add('nginx');
      needed.add('wrk');
    }
  }
  const missing = [...needed].filter((tool) => !findOnPath(tool));
  if (missing.length > 0) {
    throw new Error(`missing tool(s): ${missing.join(', ')} (pnpm setup installs them)`);
  }
}

/** `haproxy -c`: a config the reference proxy rejects is a bench bug, not a result. */
async function checkWithHaproxy(configFile: string): Promise<void> {
  try {
    await execFileAsync('haproxy', ['-c', '-f', configFile], { timeout: 10_000 });
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`haproxy -c rejects the generated config:\n${stderr || stdout}`);
  }
}

let exitCode = 2;
try {
  exitCode = await main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
} finally {
  await cleanupAll();
}
process.exit(exitCode);
