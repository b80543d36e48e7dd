import { spawn } from 'node:child_process';
import { type ExitInfo, killChild, trackChild, waitForClose } from './processes.js';
import { openRelay, type Relay } from './source-relay.js';

/** The test account created in every MariaDB test server. */
export const LBTEST_USER = 'lbtest';
/** Password of {@link LBTEST_USER}. */
export const LBTEST_PASSWORD = 'lbtest-pw';

/** Where and as whom the `mariadb` client connects. */
export interface ClientTarget {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Client source address (e.g. '127.0.0.7'). The 10.11 client has no
   * `--bind-address`, so this goes through a {@link openRelay} relay.
   */
  readonly sourceAddress?: string;
  /** Bytes the connection starts with (a PROXY header), also via a relay. */
  readonly proxyHeader?: string | Buffer;
  /** @default LBTEST_USER */
  readonly user?: string;
  /** @default LBTEST_PASSWORD */
  readonly password?: string;
}

/** Options of a one-shot client run. */
export interface RunOptions extends ClientTarget {
  /** The client is SIGKILLed after this many ms. @default 15000 */
  readonly timeoutMs?: number;
  /** More `mariadb` arguments. */
  readonly extraArgs?: readonly string[];
}

/** What a one-shot `mariadb -e` run produced. */
export interface ClientResult extends ExitInfo {
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** True when the run was killed by `timeoutMs`. */
  readonly timedOut: boolean;
}

/** A client run that did not exit 0. */
export class ClientError extends Error {
  readonly result: ClientResult;
  constructor(sql: string, result: ClientResult) {
    const how = result.timedOut ? 'timed out' : `exited ${result.code ?? result.signal}`;
    super(`mariadb -e ${JSON.stringify(sql)} ${how}: ${result.stderr.trim()}`);
    this.name = 'ClientError';
    this.result = result;
  }
}

async function connectionArgs(target: ClientTarget): Promise<{ args: string[]; relay?: Relay }> {
  const credentials = [`-u${target.user ?? LBTEST_USER}`, `-p${target.password ?? LBTEST_PASSWORD}`];
  if (target.sourceAddress === undefined && target.proxyHeader === undefined) {
    return {
      args: [`-h${target.host ?? '127.0.0.1'}`, `-P${target.port}`, '--protocol=TCP', ...credentials],
    };
  }
  const relay = await openRelay({
    host: target.host ?? '127.0.0.1',
    port: target.port,
    ...(target.sourceAddress === undefined ? {} : { sourceAddress: target.sourceAddress }),
    ...(target.proxyHeader === undefined ? {} : { proxyHeader: target.proxyHeader }),
  });
  return { args: ['--protocol=SOCKET', `--socket=${relay.socketPath}`, ...credentials], relay };
}

/**
 * Runs `mariadb -N -B -e SQL` once, as a user would, and reports how it
 * ended; never throws for a failed query (see {@link query} for that).
 */
export async function runClient(sql: string, options: RunOptions): Promise<ClientResult> {
  const { args, relay } = await connectionArgs(options);
  const started = performance.now();
  try {
    const child = trackChild(
      spawn('mariadb', [...args, '-N', '-B', ...(options.extraArgs ?? []), '-e', sql], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15_000);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    const exit = await Promise.race([waitForClose(child), spawnError]).finally(() => clearTimeout(timer));
    return { ...exit, stdout, stderr, elapsedMs: performance.now() - started, timedOut };
  } finally {
    await relay?.close();
  }
}

/** Runs SQL and returns its trimmed output (`-N -B`: tab-separated, no header); throws {@link ClientError} on failure. */
export async function query(sql: string, options: RunOptions): Promise<string> {
  const result = await runClient(sql, options);
  if (result.code !== 0) throw new ClientError(sql, result);
  return result.stdout.trim();
}

/** Which server answered: `select @@port` through `options.port`. */
export async function queryPort(options: RunOptions): Promise<number> {
  const out = await query('select @@port', options);
  const port = Number(out);
  if (out === '' || !Number.isInteger(port)) throw new Error(`select @@port returned ${JSON.stringify(out)}`);
  return port;
}

/**
 * Runs `count` clients with at most `concurrency` alive at once, in order of
 * index; resolves with the results by index. The first failure rejects once
 * the running clients have finished.
 */
export async function runMany<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < count && failure === undefined) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}

interface Pending {
  readonly marker: string;
  readonly rows: string[][];
  resolve(rows: string[][]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** How a session ended. */
export interface SessionExit extends ExitInfo {
  readonly stderr: string;
}

/**
 * A long-lived interactive `mariadb` client (stdin piped, batch output), as
 * an application holding a connection open. It is spawned at once; the
 * client connects by itself, so a session whose connection is queued by the
 * proxy simply has its queries wait.
 */
export class MariaDbSession {
  readonly #child: ReturnType<typeof spawn>;
  readonly #relay: Relay | undefined;
  readonly #pending: Pending[] = [];
  #buffer = '';
  #stderr = '';
  #counter = 0;
  /** Resolves when the client process has exited (and its relay closed). */
  readonly exited: Promise<SessionExit>;

  /** Use {@link startSession}. */
  constructor(args: string[], relay: Relay | undefined) {
    this.#relay = relay;
    // -n: flush after each query, so results arrive while the session lives.
    this.#child = trackChild(
      spawn('mariadb', [...args, '-N', '-B', '-n'], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => this.#onStdout(d));
    this.#child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr += d;
    });
    // Writes to a client that died are reported through `exited`.
    this.#child.stdin?.on('error', () => {});
    this.exited = waitForClose(this.#child).then(async (exit) => {
      await this.#relay?.close();
      const err = new Error(`mariadb session exited ${exit.code ?? exit.signal}: ${this.#stderr.trim()}`);
      for (const p of this.#pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      return { ...exit, stderr: this.#stderr };
    });
  }

  /** The client's pid. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Everything the client wrote on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Whether the client process is still running. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  #onStdout(data: string): void {
    this.#buffer += data;
    let nl = this.#buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      const current = this.#pending[0];
      if (current !== undefined) {
        if (line === current.marker) {
          this.#pending.shift();
          clearTimeout(current.timer);
          current.resolve(current.rows);
        } else {
          current.rows.push(line.split('\t'));
        }
      }
      nl = this.#buffer.indexOf('\n');
    }
  }

  /**
   * Sends one statement and resolves with its rows (cells as strings). The
   * client stops at the first SQL error, which rejects this and later queries.
   * @param timeoutMs rejection after this many ms without a result. @default 30000
   */
  query(sql: string, timeoutMs = 30_000): Promise<string[][]> {
    this.#counter += 1;
    const marker = `--lbe2e-end-${this.#counter}--`;
    const statement = sql.trim().replace(/;+$/, '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#pending.findIndex((p) => p.marker === marker);
        if (index >= 0) this.#pending.splice(index, 1);
        reject(new Error(`no result for ${JSON.stringify(statement)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.push({ marker, rows: [], resolve, reject, timer });
      this.#child.stdin?.write(`${statement};\nselect '${marker}';\n`);
    });
  }

  /** The first cell of the first row of `sql`. */
  async value(sql: string, timeoutMs?: number): Promise<string> {
    const rows = await this.query(sql, timeoutMs);
    const cell = rows[0]?.[0];
    if (cell === undefined) throw new Error(`${JSON.stringify(sql)} returned no rows`);
    return cell;
  }

  /** Ends stdin: the client quits (COM_QUIT) and closes its connection. SIGKILL after `graceMs`. */
  async close(graceMs = 5_000): Promise<SessionExit> {
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the client: its connection is dropped without COM_QUIT. */
  async kill(): Promise<SessionExit> {
    await killChild(this.#child);
    return this.exited;
  }
}

/** Spawns an interactive client session; it resolves before the connection is made. */
export async function startSession(target: ClientTarget): Promise<MariaDbSession> {
  const { args, relay } = await connectionArgs(target);
  return new MariaDbSession(args, relay);
}
