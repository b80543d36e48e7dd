import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LBTEST_PASSWORD, LBTEST_USER, runClient } from './mysql-client.js';
import { type ExitInfo, isRunning, killChild, stopChild, trackChild, waitForExit } from './processes.js';
import { makeTempDir } from './tmp.js';

/**
 * Server settings shared by the template and every instance. A small redo
 * log and buffer pool keep a data dir at ~22 MB and startup near 0.2 s. The
 * host cache is off so that connections aborted on purpose (health checks,
 * killed clients, queue timeouts) never get 127.0.0.1 blocked
 * (`max_connect_errors`).
 */
const COMMON_ARGS = ['--innodb-log-file-size=4M'] as const;
const SERVER_ARGS = [
  ...COMMON_ARGS,
  '--innodb-buffer-pool-size=16M',
  '--innodb-buffer-pool-dump-at-shutdown=0',
  '--innodb-buffer-pool-load-at-startup=0',
  '--skip-name-resolve',
  '--host-cache-size=0',
  '--max-connect-errors=1000000',
  '--max-connections=500',
] as const;

// `FLUSH PRIVILEGES` loads the grant tables, which --bootstrap starts without.
const TEMPLATE_SQL = [
  'FLUSH PRIVILEGES;',
  `CREATE USER '${LBTEST_USER}'@'127.%' IDENTIFIED BY '${LBTEST_PASSWORD}';`,
  `GRANT ALL PRIVILEGES ON *.* TO '${LBTEST_USER}'@'127.%';`,
  '',
].join('\n');

interface Captured extends ExitInfo {
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], stdin?: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin?.end(stdin ?? '');
  });
}

async function buildTemplate(target: string): Promise<void> {
  const build = await mkdtemp(join(tmpdir(), 'lbe2e-mariadb-build-'));
  try {
    const data = join(build, 'data');
    const install = await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--user=root',
      ...COMMON_ARGS,
    ]);
    if (install.code !== 0) {
      throw new Error(`mariadb-install-db failed (${install.code}): ${install.stderr}${install.stdout}`);
    }
    const errorLog = join(build, 'bootstrap.err');
    const boot = await run(
      'mariadbd',
      [
        '--no-defaults',
        '--bootstrap',
        `--datadir=${data}`,
        '--user=root',
        `--log-error=${errorLog}`,
        ...COMMON_ARGS,
      ],
      TEMPLATE_SQL,
    );
    if (boot.code !== 0) {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      throw new Error(`creating the test users failed (${boot.code}): ${log.slice(-2000)}`);
    }
    await writeFile(join(data, 'lbe2e-template-complete'), '');
    try {
      // Atomic publication: a concurrent builder that loses finds a complete dir.
      await rename(data, target);
    } catch (err) {
      if (!existsSync(join(target, 'lbe2e-template-complete'))) throw err;
    }
  } finally {
    await rm(build, { recursive: true, force: true });
  }
}

let templatePromise: Promise<string> | undefined;

/**
 * Returns the template data dir (system tables plus the `lbtest` user),
 * building it on first use. mariadb-install-db is the slow part of a server's
 * life, so it runs once and every instance gets a copy. The template is a
 * cache kept in the OS temp dir across runs, keyed by the server version and
 * by what it contains; changing either builds a new one.
 */
export function mariadbTemplate(): Promise<string> {
  templatePromise ??= (async () => {
    const version = await run('mariadbd', ['--version']);
    if (version.code !== 0) throw new Error(`mariadbd --version failed: ${version.stderr}`);
    const key = createHash('sha256')
      .update(version.stdout)
      .update(TEMPLATE_SQL)
      .update(COMMON_ARGS.join(' '))
      .digest('hex')
      .slice(0, 12);
    const dir = join(tmpdir(), `lbe2e-mariadb-template-${key}`);
    if (!existsSync(join(dir, 'lbe2e-template-complete'))) await buildTemplate(dir);
    return dir;
  })();
  templatePromise.catch(() => {
    templatePromise = undefined;
  });
  return templatePromise;
}

/** How to run one MariaDB test server. */
export interface MariaDbOptions {
  /** TCP port on 127.0.0.1 (take it from {@link portsFor}). */
  readonly port: number;
  /** Label for paths and messages. @default `db-${port}` */
  readonly name?: string;
  /** More mariadbd arguments, e.g. `--proxy-protocol-networks=127.0.0.1` or `--server-id=2`. */
  readonly extraArgs?: readonly string[];
  /** Startup deadline, in ms. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** A real mariadbd on 127.0.0.1 with its own data dir, socket and error log. */
export class MariaDbServer {
  readonly name: string;
  readonly port: number;
  /** The instance's directory: data dir, socket, pid file and error log. */
  readonly dir: string;
  readonly #extraArgs: readonly string[];
  readonly #readyTimeoutMs: number;
  #child: ChildProcess | undefined;
  #stderr = '';

  /** Use {@link startMariaDb}; the constructor neither copies nor starts. */
  constructor(dir: string, options: MariaDbOptions) {
    this.dir = dir;
    this.port = options.port;
    this.name = options.name ?? `db-${options.port}`;
    this.#extraArgs = options.extraArgs ?? [];
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }
  get socketPath(): string {
    return join(this.dir, 'mysqld.sock');
  }
  get errorLogPath(): string {
    return join(this.dir, 'error.log');
  }
  /** The server's pid while it runs. */
  get pid(): number | undefined {
    return this.#child !== undefined && isRunning(this.#child) ? this.#child.pid : undefined;
  }
  get running(): boolean {
    return this.#child !== undefined && isRunning(this.#child);
  }

  /** The end of the server's error log, for failure messages. */
  async errorLogTail(bytes = 3000): Promise<string> {
    const log = await readFile(this.errorLogPath, 'utf8').catch(() => '');
    return log.slice(-bytes);
  }

  /** Starts the server and resolves once a client can log in over TCP. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.#stderr = '';
    const child = trackChild(
      spawn(
        'mariadbd',
        [
          '--no-defaults',
          `--datadir=${this.dataDir}`,
          `--port=${this.port}`,
          '--bind-address=127.0.0.1',
          `--socket=${this.socketPath}`,
          `--pid-file=${join(this.dir, 'mysqld.pid')}`,
          `--log-error=${this.errorLogPath}`,
          '--user=root',
          ...SERVER_ARGS,
          ...this.#extraArgs,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-4000);
    });
    this.#child = child;
    await this.#waitReady(child);
  }

  async #waitReady(child: ChildProcess): Promise<void> {
    const deadline = performance.now() + this.#readyTimeoutMs;
    let last = '';
    // No event says "accepting logins": poll with a real login until it works.
    while (performance.now() < deadline) {
      if (!isRunning(child)) {
        const exit = await waitForExit(child);
        throw new Error(
          `${this.name} (port ${this.port}) exited during startup (${exit.code ?? exit.signal}):\n` +
            `${this.#stderr}${await this.errorLogTail()}`,
        );
      }
      const probe = await runClient('select 1', { port: this.port, timeoutMs: 2_000 });
      if (probe.code === 0) return;
      last = probe.stderr.trim();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await killChild(child);
    throw new Error(
      `${this.name} (port ${this.port}) not ready after ${this.#readyTimeoutMs} ms (${last}):\n${await this.errorLogTail()}`,
    );
  }

  /**
   * Orderly shutdown: SIGTERM, SIGKILL after `graceMs`. Resolves when the
   * process is gone; a no-op if it is not running.
   * @param graceMs @default 15000
   */
  async stop(graceMs = 15_000): Promise<ExitInfo | undefined> {
    return this.#child === undefined ? undefined : stopChild(this.#child, graceMs);
  }

  /** SIGKILL, as a crash: clients see their connections reset. */
  async kill(): Promise<ExitInfo | undefined> {
    return this.#child === undefined ? undefined : killChild(this.#child);
  }

  /** Stops (if running) and starts again on the same port and data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Copies the template into a fresh dir and starts a server there. */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbServer> {
  const template = await mariadbTemplate();
  const dir = await makeTempDir(options.name ?? `db-${options.port}`);
  const copy = await run('cp', ['-a', template, join(dir, 'data')]);
  if (copy.code !== 0) throw new Error(`copying the MariaDB template failed: ${copy.stderr}`);
  const server = new MariaDbServer(dir, options);
  await server.start();
  return server;
}

/**
 * Starts several servers in parallel. If one fails, the others are stopped
 * before the error is thrown, so a failing beforeAll leaves nothing behind.
 */
export async function startMariaDbs(options: readonly MariaDbOptions[]): Promise<MariaDbServer[]> {
  const settled = await Promise.allSettled(options.map((o) => startMariaDb(o)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed !== undefined) {
    await stopMariaDbs(started);
    throw failed.reason;
  }
  return started;
}

/** Starts `db1` and `db2` on the two given ports. */
export async function startMariaDbPair(
  ports: readonly [number, number],
  extraArgs: readonly string[] = [],
): Promise<[MariaDbServer, MariaDbServer]> {
  const [db1, db2] = await startMariaDbs([
    { port: ports[0], name: 'db1', extraArgs: [...extraArgs, '--server-id=1'] },
    { port: ports[1], name: 'db2', extraArgs: [...extraArgs, '--server-id=2'] },
  ]);
  return [db1!, db2!];
}

/** Stops servers in parallel (shutdown takes about a second each). */
export async function stopMariaDbs(servers: ReadonlyArray<MariaDbServer | undefined>): Promise<void> {
  await Promise.all(servers.map((s) => s?.stop()));
}
