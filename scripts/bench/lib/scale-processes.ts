/**
 * The processes of the scale benchmark: lbd (master and workers), the
 * backends (helpers/scale-backend.ts) and the paced clients
 * (helpers/scale-client.ts). All go through `startProcess`, so they all
 * stop with the bench.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countEstablished, sleep, waitForListening } from './net.ts';
import { describeExit, type Proc, startProcess } from './processes.ts';
import { processTree } from './rss.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLIENT = here('../helpers/scale-client.ts');
const BACKEND = here('../helpers/scale-backend.ts');
const LBD = here('../../../packages/daemon/bin/lbd.js');

/** A client process and its latest figures (from its NDJSON lines). */
export interface ClientState {
  proc: Proc;
  held: number;
  failed: number;
  retried: number;
  lost: number;
  firstError?: string;
  /** Resolves once the client has tried all its connections (or exited). */
  done: Promise<void>;
  echo?: (event: EchoSums & { lost: number }) => void;
}

export interface EchoSums {
  sampled: number;
  ok: number;
  maxMs: number;
}

export interface ClientOptions {
  port: number;
  window: string;
  retries: string;
  echoSample: string;
  log: (message: string) => void;
  /** True once the bench stops them on purpose: their exit is then not news. */
  isStopping: () => boolean;
}

/** Starts one paced client process opening `count` connections from `addresses` (comma-separated). */
export function startClient(
  name: string,
  count: number,
  addresses: string,
  options: ClientOptions,
): ClientState {
  let finished = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const finish = () => {
    finished = true;
    resolveDone();
  };
  const state = { held: 0, failed: 0, retried: 0, lost: 0, done } as ClientState;
  state.proc = startProcess({
    name,
    command: process.execPath,
    args: [
      CLIENT,
      ...['--port', String(options.port), '--count', String(count), '--local-address', addresses],
      ...['--window', options.window, '--retries', options.retries, '--echo-sample', options.echoSample],
    ],
    onStdoutLine: (line) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (event.event === 'echo') {
        state.echo?.(event as never);
        return;
      }
      Object.assign(state, {
        held: event.held,
        failed: event.failed,
        retried: event.retried,
        lost: event.lost,
        firstError: event.firstError,
      });
      if (event.event === 'done') finish();
    },
  });
  void state.proc.exited.then((info) => {
    if (!finished && !options.isStopping()) options.log(describeExit(state.proc, info));
    finish();
  });
  return state;
}

/** Asks every client to echo on its sample (SIGUSR2); resolves with the sums. */
export async function echoCheck(clients: ClientState[]): Promise<EchoSums> {
  const results = await Promise.all(
    clients.map(
      (client) =>
        new Promise<EchoSums>((resolve) => {
          const timer = setTimeout(() => resolve({ sampled: 0, ok: 0, maxMs: 0 }), 20_000);
          client.echo = (event) => {
            clearTimeout(timer);
            client.lost = event.lost;
            resolve(event);
          };
          client.proc.child.kill('SIGUSR2');
        }),
    ),
  );
  return {
    sampled: results.reduce((a, r) => a + r.sampled, 0),
    ok: results.reduce((a, r) => a + r.ok, 0),
    maxMs: Math.max(0, ...results.map((r) => r.maxMs)),
  };
}

/** Resolves when `proc` prints a line `matches` accepts; rejects if it exits or `timeoutMs` passes first. */
function readyLine(
  start: (onLine: (line: string) => void) => Proc,
  matches: (line: string) => boolean,
  what: string,
  timeoutMs: number,
): Promise<Proc> {
  return new Promise((resolve, reject) => {
    let ready = false;
    const proc = start((line) => {
      if (ready || !matches(line)) return;
      ready = true;
      clearTimeout(timer);
      resolve(proc);
    });
    const timer = setTimeout(
      () => reject(new Error(`${proc.name}: no ${what} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    void proc.exited.then((info) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(describeExit(proc, info)));
    });
  });
}

/** One backend process per port; resolves once all listen. */
export function startBackends(ports: number[]): Promise<Proc[]> {
  return Promise.all(
    ports.map((port, i) =>
      readyLine(
        (onStdoutLine) =>
          startProcess({
            name: `backend ${i + 1}`,
            command: process.execPath,
            args: [BACKEND, '--port', String(port)],
            onStdoutLine,
          }),
        (line) => line.includes('"ready"'),
        'ready line',
        20_000,
      ),
    ),
  );
}

/** lbd's configuration for the run: one `listen` section, one server per backend process. */
export function lbdConfig(options: {
  maxconn: number;
  workers: number;
  statsSocket: string;
  listenPort: number;
  source: string;
  serverPorts: number[];
}): string {
  return [
    'global',
    `  maxconn ${options.maxconn}`,
    `  nbthread ${options.workers}`,
    `  stats socket ${options.statsSocket} level admin`,
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 600s',
    '  timeout server 600s',
    'listen scale',
    `  bind 127.0.0.1:${options.listenPort}`,
    '  balance roundrobin',
    `  source ${options.source}`,
    ...options.serverPorts.map((port, i) => `  server b${i + 1} 127.0.0.1:${port}`),
    '',
  ].join('\n');
}

export interface RunningLbd {
  proc: Proc;
  /** The master's pid first when there are workers, then the workers'; just lbd's pid with nbthread 1. */
  tree: number[];
  hasMaster: boolean;
}

/** Starts lbd on `configFile`; resolves once it is ready, listens and runs `workers` worker processes. */
export async function startLbd(configFile: string, listenPort: number, workers: number): Promise<RunningLbd> {
  const proc = await readyLine(
    (onStdoutLine) =>
      startProcess({ name: 'lbd', command: process.execPath, args: [LBD, '-f', configFile], onStdoutLine }),
    (line) => line.includes('"lbd ready"'),
    '"lbd ready" record',
    60_000,
  );
  if ((await waitForListening([listenPort], 10_000)).length > 0)
    throw new Error(`lbd does not listen on ${listenPort}`);
  if (workers <= 1) return { proc, tree: [proc.pid], hasMaster: false };
  // The master's children also include the `ss` its ports monitor runs now and then.
  const workerPids = (await processTree(proc.pid)).filter(
    (pid) => pid !== proc.pid && commandLine(pid).includes('worker-main'),
  );
  if (workerPids.length !== workers)
    throw new Error(`lbd runs ${workerPids.length} worker processes, expected ${workers}`);
  return { proc, tree: [proc.pid, ...workerPids], hasMaster: true };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Polls an established-socket count until `want` accepts it or `timeoutMs` passes; returns the last count. */
export async function waitForCount(
  filter: string,
  want: (n: number) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await countEstablished(filter);
    if (want(count) || Date.now() > deadline) return count;
    await sleep(500);
  }
}
