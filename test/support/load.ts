import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.js';
import type {
  FromLoadChild,
  LoadOptions,
  ShortLoadOptions,
  ShortReport,
  StreamLoadOptions,
  StreamResult,
  StreamsReport,
  ToLoadChild,
} from './load-types.js';
import { killChild, trackChild } from './processes.js';

export type { ShortReport, StreamResult, StreamsReport } from './load-types.js';

/** The child program; Node runs the TypeScript file directly. */
const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));

/** One load child: its last progress report and its final one. */
class LoadProcess {
  latest: FromLoadChild | undefined;
  readonly started: Promise<void>;
  readonly done: Promise<FromLoadChild & { type: 'done' }>;
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(options: LoadOptions) {
    // execArgv: [] so that the child does not inherit the test runner's flags.
    this.#child = trackChild(fork(CHILD, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
    this.#child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-4000);
    });
    let onStarted!: () => void;
    this.started = new Promise((resolve) => {
      onStarted = resolve;
    });
    this.done = new Promise((resolve, reject) => {
      this.#child.on('message', (message) => {
        const m = message as FromLoadChild;
        if (m.type === 'started') onStarted();
        else if (m.type === 'progress') this.latest = m;
        else if (m.type === 'done') {
          this.latest = m;
          resolve(m);
        } else reject(new Error(`load child (${options.role}) failed: ${m.message}`));
      });
      this.#child.once('exit', (code, signal) =>
        reject(
          new Error(
            `load child (${options.role}) exited (${code ?? signal}) without a report:\n${this.#stderr}`,
          ),
        ),
      );
    });
    // Whoever awaits `started` first learns of an early exit through `done`.
    this.done.catch(() => {});
    this.send({ type: 'start', options });
  }

  send(message: ToLoadChild): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** Resolves once the child runs; rejects if it exits first or not within `timeoutMs`. */
  async waitStarted(timeoutMs: number): Promise<void> {
    await withTimeout(Promise.race([this.started, this.done.then(() => {})]), timeoutMs, 'load child start');
  }

  /** Asks the child to stop and waits for its final report, killing it after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<FromLoadChild & { type: 'done' }> {
    this.send({ type: 'stop' });
    try {
      return await withTimeout(this.done, timeoutMs, 'load child report');
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  async kill(): Promise<void> {
    await killChild(this.#child);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Short connections at a fixed rate from one child process (see `load-child.ts`). */
export interface ShortLoad {
  /** The latest counts (every 200 ms). */
  progress(): ShortReport;
  /** Stops starting connections, waits for the open ones, returns the final counts. */
  stop(): Promise<ShortReport>;
  kill(): Promise<void>;
}

const NO_SHORT_REPORT: ShortReport = {
  attempts: 0,
  ok: 0,
  failed: 0,
  errors: {},
  inFlight: 0,
  throttled: 0,
  startingMs: 0,
  elapsedMs: 0,
  maxMs: 0,
  overOneSecond: 0,
  stoppedByDeadline: false,
};

/** Starts a child that opens `ratePerSec` short connections per second to 127.0.0.1:`port`. */
export async function startShortLoad(options: Omit<ShortLoadOptions, 'role' | 'host'>): Promise<ShortLoad> {
  const child = new LoadProcess({ role: 'short', host: '127.0.0.1', ...options });
  await child.waitStarted(10_000);
  const short = (m: FromLoadChild | undefined) =>
    m !== undefined && (m.type === 'progress' || m.type === 'done') ? m.short : undefined;
  return {
    progress: () => short(child.latest) ?? NO_SHORT_REPORT,
    async stop() {
      const done = await child.stop(options.timeoutMs + 5_000);
      return short(done) ?? NO_SHORT_REPORT;
    },
    kill: () => child.kill(),
  };
}

/** Adds up the reports of several short-load children (times and max: the largest; stopped: any). */
export function sumShortReports(reports: readonly ShortReport[]): ShortReport {
  const errors: Record<string, number> = {};
  for (const r of reports)
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const sum = (key: 'attempts' | 'ok' | 'failed' | 'inFlight' | 'throttled' | 'overOneSecond') =>
    reports.reduce((total, r) => total + r[key], 0);
  return {
    attempts: sum('attempts'),
    ok: sum('ok'),
    failed: sum('failed'),
    errors,
    inFlight: sum('inFlight'),
    throttled: sum('throttled'),
    startingMs: Math.max(0, ...reports.map((r) => r.startingMs)),
    elapsedMs: Math.max(0, ...reports.map((r) => r.elapsedMs)),
    maxMs: Math.max(0, ...reports.map((r) => r.maxMs)),
    overOneSecond: sum('overOneSecond'),
    stoppedByDeadline: reports.some((r) => r.stoppedByDeadline),
  };
}

/** Long-lived verified streams from one child process (see `load-child.ts`). */
export interface StreamLoad {
  /** The latest per-stream counts (every 200 ms). */
  progress(): StreamsReport | undefined;
  /** From now on, `echoedSinceMark` counts bytes echoed after this call. */
  mark(): void;
  /** Stops writing, waits for the last echo, half-closes, returns each stream's outcome. */
  finish(): Promise<StreamsReport>;
  kill(): Promise<void>;
}

/** Opens `count` streams to 127.0.0.1:`port`; resolves once all are connected (or failed). */
export async function startStreams(options: Omit<StreamLoadOptions, 'role' | 'host'>): Promise<StreamLoad> {
  const child = new LoadProcess({ role: 'streams', host: '127.0.0.1', ...options });
  await child.waitStarted(options.connectTimeoutMs + 10_000);
  const streams = (m: FromLoadChild | undefined) =>
    m !== undefined && (m.type === 'progress' || m.type === 'done') ? m.streams : undefined;
  return {
    progress: () => streams(child.latest),
    mark: () => child.send({ type: 'mark' }),
    async finish() {
      const done = await child.stop(options.finishTimeoutMs + 5_000);
      return streams(done) ?? { streams: [], stoppedByDeadline: false };
    },
    kill: () => child.kill(),
  };
}

/** Options of {@link MixedLoad.start}. */
export interface MixedLoadOptions {
  readonly port: number;
  /** New short connections per second, over all short-load children. */
  readonly shortRate: number;
  readonly shortProcesses: number;
  /** Deadline of one short connection, ms. */
  readonly shortTimeoutMs: number;
  readonly streams: number;
  /** Bytes per second sent on each stream. */
  readonly streamBytesPerSec: number;
  /** The children stop on their own after this long, ms. */
  readonly maxDurationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Long-lived streams plus short connections at a steady rate, each from
 * child processes: the load a reload must not disturb.
 */
export class MixedLoad {
  readonly streams: StreamLoad;
  readonly shorts: readonly ShortLoad[];

  private constructor(streams: StreamLoad, shorts: readonly ShortLoad[]) {
    this.streams = streams;
    this.shorts = shorts;
  }

  /** Opens the streams, then starts the short load; `cleanup` kills every child if the test fails. */
  static async start(o: MixedLoadOptions, cleanup: Cleanup): Promise<MixedLoad> {
    const streams = cleanup.add(
      await startStreams({
        port: o.port,
        count: o.streams,
        bytesPerSec: o.streamBytesPerSec,
        chunkBytes: 4096,
        maxUnackedBytes: 128 * 1024,
        connectTimeoutMs: 5_000,
        finishTimeoutMs: 15_000,
        maxDurationMs: o.maxDurationMs + 10_000,
      }),
      (s) => s.kill(),
    );
    const shorts: ShortLoad[] = [];
    for (let i = 0; i < o.shortProcesses; i++) {
      const short = await startShortLoad({
        port: o.port,
        ratePerSec: o.shortRate / o.shortProcesses,
        maxInFlight: 500,
        maxPayloadBytes: 512,
        timeoutMs: o.shortTimeoutMs,
        maxDurationMs: o.maxDurationMs,
      });
      shorts.push(cleanup.add(short, (s) => s.kill()));
    }
    return new MixedLoad(streams, shorts);
  }

  /** The short connections' counts so far (up to 200 ms old). */
  short(): ShortReport {
    return sumShortReports(this.shorts.map((s) => s.progress()));
  }

  /** Waits until `count` more short connections than `from` have succeeded, or `timeoutMs`; returns the count. */
  async waitForSuccesses(from: number, count: number, timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.short().ok < from + count && performance.now() < deadline) await sleep(20);
    return this.short().ok;
  }

  /** Waits until every stream has had an echo, or `timeoutMs`; returns the latest stream counts. */
  async waitForStreamEchoes(timeoutMs = 10_000): Promise<StreamsReport | undefined> {
    const deadline = performance.now() + timeoutMs;
    const echoing = () => this.streams.progress()?.streams.every((s) => s.echoed > 0) === true;
    while (!echoing() && performance.now() < deadline) await sleep(20);
    return this.streams.progress();
  }

  /** Failures so far: short connections by code, broken streams. */
  failures(): { short: Readonly<Record<string, number>>; streams: StreamResult[] } {
    const streams = (this.streams.progress()?.streams ?? []).filter((s) => s.error !== undefined);
    return { short: this.short().errors, streams };
  }

  /** Stops the short load, then finishes the streams; the final reports. */
  async stop(): Promise<{ short: ShortReport; streams: StreamsReport }> {
    const short = sumShortReports(await Promise.all(this.shorts.map((s) => s.stop())));
    return { short, streams: await this.streams.finish() };
  }
}
