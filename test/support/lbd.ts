import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExitInfo, killChild, stopChild, trackChild, waitForClose } from './processes.js';
import { makeTempDir } from './tmp.js';

/**
 * The daemon's entry, found from this file rather than from an absolute path,
 * so the suite runs from any checkout. `LBD_E2E_ENTRY` points the suite at
 * another entry script (run with the same `node`), e.g. a build elsewhere.
 */
export const LBD_ENTRY =
  process.env.LBD_E2E_ENTRY !== undefined
    ? resolve(process.env.LBD_E2E_ENTRY)
    : fileURLToPath(new URL('../../packages/daemon/bin/lbd.js', import.meta.url));

/** One NDJSON record of lbd's stdout (pino). */
/**
 * `LBD_E2E_ARGS="--nbthread 2"` adds arguments to every lbd the suite starts:
 * the whole tier then runs against worker processes, a way to look for what
 * workers change (some tests check one-process details and fail there).
 */
const EXTRA_ARGS = (process.env.LBD_E2E_ARGS ?? '').split(' ').filter((a) => a !== '');

export interface LogRecord {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly component?: string;
  readonly [field: string]: unknown;
}

/** The record lbd logs when a proxied connection ends (proxies with `log global`). */
export interface TrafficRecord extends LogRecord {
  readonly component: 'traffic';
  /** "ip:port" of the client as the proxy saw it (after accept-proxy). */
  readonly client: string;
  readonly frontend: string;
  readonly backend: string;
  /** Server name, or "<NOSRV>". */
  readonly server: string;
  /** Time in queue, ms (-1 when never queued to completion, as HAProxy). */
  readonly Tw: number;
  /** Time to connect to the server, ms. */
  readonly Tc: number;
  /** Total session time, ms. */
  readonly Tt: number;
  /** Bytes sent to the client. */
  readonly bytes_read: number;
  /** Bytes received from the client. */
  readonly bytes_uploaded: number;
  /** HAProxy's two-letter termination state, e.g. `--`, `CD`, `sQ`. */
  readonly termination: string;
  readonly retries: number;
  readonly redispatched: boolean;
}

/** Whether a record is a traffic (per-connection) record. */
export function isTraffic(record: LogRecord): record is TrafficRecord {
  return record.component === 'traffic';
}

/** Options of {@link startLbd}. */
export interface StartLbdOptions {
  /** Label for the temp dir and messages. @default 'lbd' */
  readonly name?: string;
  /** Directory for the config file. @default a new temp dir */
  readonly dir?: string;
  /** Deadline for the `lbd ready` record, in ms. @default 15000 */
  readonly readyTimeoutMs?: number;
  /** More daemon arguments. */
  readonly args?: readonly string[];
}

type Waiter = {
  readonly predicate: (record: LogRecord) => boolean;
  resolve(record: LogRecord): void;
};

/** A running `lbd -f FILE`, its NDJSON log parsed as it arrives. */
export class Lbd {
  readonly name: string;
  readonly configPath: string;
  /** Every NDJSON record on stdout so far, in order. */
  readonly records: LogRecord[] = [];
  /** Stdout lines that were not JSON (there should be none). */
  readonly strayLines: string[] = [];
  readonly exited: Promise<ExitInfo>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<Waiter>();
  #partial = '';
  #stderr = '';

  /** Use {@link startLbd}. */
  constructor(name: string, configPath: string, args: readonly string[]) {
    this.name = name;
    this.configPath = configPath;
    this.#child = trackChild(
      spawn(process.execPath, [LBD_ENTRY, '-f', configPath, ...EXTRA_ARGS, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => this.#onStdout(d));
    this.#child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr += d;
    });
    // 'close', not 'exit': the last log lines are read before waiters are failed.
    this.exited = new Promise((resolve) => {
      this.#child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }
  /** Everything lbd wrote on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  #onStdout(data: string): void {
    this.#partial += data;
    let nl = this.#partial.indexOf('\n');
    while (nl >= 0) {
      const line = this.#partial.slice(0, nl);
      this.#partial = this.#partial.slice(nl + 1);
      if (line.trim() !== '') this.#onLine(line);
      nl = this.#partial.indexOf('\n');
    }
  }

  #onLine(line: string): void {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      this.strayLines.push(line);
      return;
    }
    this.records.push(record);
    for (const waiter of this.#waiters) {
      if (waiter.predicate(record)) {
        this.#waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
  }

  /** The number of records so far: pass it as `from` to wait only for newer ones. */
  mark(): number {
    return this.records.length;
  }

  /** Traffic records so far (from index `from` of {@link records}). */
  traffic(from = 0): TrafficRecord[] {
    return this.records.slice(from).filter(isTraffic);
  }

  /**
   * Resolves with the first record matching `predicate`, looking first at
   * records already received from index `from` on, then at new ones. Rejects
   * after `timeoutMs`, or at once if lbd exits, with its stderr.
   * @param timeoutMs @default 10000
   * @param from @default 0
   */
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs = 10_000, from = 0): Promise<LogRecord> {
    const seen = this.records.slice(from).find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      const fail = (why: string): void => {
        if (!this.#waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(
          new Error(`${this.name}: ${why}\nstderr:\n${this.#stderr.slice(-3000)}\n${this.#lastRecords()}`),
        );
      };
      const timer = setTimeout(() => fail(`no matching log record within ${timeoutMs} ms`), timeoutMs);
      this.#waiters.add(waiter);
      void this.exited.then((exit) =>
        fail(`exited (${exit.code ?? exit.signal}) before a matching log record`),
      );
    });
  }

  /** Waits for a traffic record matching `predicate` (any, by default). */
  async waitForTraffic(
    predicate: (record: TrafficRecord) => boolean = () => true,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<TrafficRecord> {
    const record = await this.waitForLog((r) => isTraffic(r) && predicate(r), timeoutMs, from);
    return record as TrafficRecord;
  }

  /** Waits until there are `count` traffic records from index `from` on. */
  async waitForTrafficCount(count: number, timeoutMs = 10_000, from = 0): Promise<TrafficRecord[]> {
    let seen = this.traffic(from).length;
    if (seen < count) {
      await this.waitForLog((r) => isTraffic(r) && ++seen >= count, timeoutMs, this.records.length);
    }
    return this.traffic(from).slice(0, count);
  }

  #lastRecords(): string {
    return `last log records:\n${this.records
      .slice(-10)
      .map((r) => JSON.stringify(r))
      .join('\n')}`;
  }

  /** lbd's resident set size in bytes, from /proc/PID/status (VmRSS). */
  async rssBytes(): Promise<number> {
    const status = await readFile(`/proc/${this.#child.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    if (match === null) throw new Error(`no VmRSS in /proc/${this.#child.pid}/status`);
    return Number(match[1]) * 1024;
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves with how it exited. @param graceMs @default 10000 */
  stop(graceMs = 10_000): Promise<ExitInfo> {
    return stopChild(this.#child, graceMs);
  }

  /** SIGKILL. */
  kill(): Promise<ExitInfo> {
    return killChild(this.#child);
  }
}

function missingEntryError(): Error {
  return new Error(`lbd entry not found at ${LBD_ENTRY} (build the daemon first: pnpm build)`);
}

/**
 * Writes `configText` to a file and runs `lbd -f FILE`; resolves once lbd
 * logs `lbd ready` (all listeners bound). If lbd exits or stays silent, the
 * process is killed and the error carries its stderr.
 */
export async function startLbd(configText: string, options: StartLbdOptions = {}): Promise<Lbd> {
  if (!existsSync(LBD_ENTRY)) throw missingEntryError();
  const name = options.name ?? 'lbd';
  const dir = options.dir ?? (await makeTempDir(name));
  const configPath = join(dir, `${name}.cfg`);
  await writeFile(configPath, configText);
  const lbd = new Lbd(name, configPath, options.args ?? []);
  try {
    await lbd.waitForLog((r) => r.msg === 'lbd ready', options.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await lbd.kill();
    throw new Error(`${name} did not become ready with config:\n${configText}`, { cause: err });
  }
  return lbd;
}

/** What `lbd -c -f FILE` printed and returned. */
export interface CheckResult extends ExitInfo {
  readonly file: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Writes `configText` to `dir/name` and runs `lbd -c -f FILE` on it. */
export async function checkConfig(
  configText: string,
  options: { readonly dir?: string; readonly fileName?: string; readonly timeoutMs?: number } = {},
): Promise<CheckResult> {
  if (!existsSync(LBD_ENTRY)) throw missingEntryError();
  const dir = options.dir ?? (await makeTempDir('check'));
  const file = join(dir, options.fileName ?? 'lbd.cfg');
  await writeFile(file, configText);
  const child = trackChild(
    spawn(process.execPath, [LBD_ENTRY, '-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const exit = await waitForClose(child).finally(() => clearTimeout(timer));
  return { ...exit, file, stdout, stderr };
}
