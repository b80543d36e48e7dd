/**
 * Every process the bench starts goes through `startProcess`, which records it
 * so that nothing outlives the bench: a normal end, an exception, Ctrl-C or
 * SIGTERM all end in `stopAll`. Three layers, because each covers a hole in
 * the others:
 *  - each child gets its own process group (`detached`), so stopping it also
 *    stops whatever it forked (lbd's data-plane workers);
 *  - each child is exec'd through `setpriv --pdeathsig KILL`, so the kernel
 *    kills it if the bench itself dies without running any handler (SIGKILL);
 *  - a synchronous `exit` hook SIGKILLs any group still registered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** Short name used in messages: "haproxy", "nginx", "wrk"... */
  name: string;
  command: string;
  args: string[];
  /** CPU list for `taskset -c`, e.g. "0" or "1"; undefined leaves affinity inherited. */
  cpus?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called for each stdout line (stderr is only kept for error messages). */
  onStdoutLine?: (line: string) => void;
  /** Keep every stdout line (for tools whose whole output we parse: iperf3, wrk). */
  captureStdout?: boolean;
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<ExitInfo>;
  /** Undefined while running. */
  exitInfo(): ExitInfo | undefined;
  /** All stdout when `captureStdout`, otherwise the last lines. */
  stdout(): string;
  /** The last lines of stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

const TAIL_LINES = 30;
const live = new Set<Proc>();
let setprivAvailable: boolean | undefined;

export function startProcess(options: StartOptions): Proc {
  // Once the cleanup has begun, a run still unwinding must not start anything new.
  if (cleaningUp) throw new Error('the bench is stopping');
  const argv: string[] = [];
  if (options.cpus !== undefined) argv.push('taskset', '-c', options.cpus);
  if (setprivAvailable !== false) argv.push('setpriv', '--pdeathsig', 'KILL', '--');
  argv.push(options.command, ...options.args);
  const [file, ...args] = argv as [string, ...string[]];

  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  let exitInfo: ExitInfo | undefined;
  let spawnError: Error | undefined;

  // Always drain both pipes: a child blocked on a full pipe (lbd logging on
  // stdout under load) would be measured as a slow proxy.
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdoutLines.push(line);
    if (!options.captureStdout && stdoutLines.length > TAIL_LINES) stdoutLines.shift();
    options.onStdoutLine?.(line);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrLines.push(line);
    if (stderrLines.length > TAIL_LINES) stderrLines.shift();
  });

  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      // 'exit' does not follow a failed spawn.
      if (child.pid === undefined) {
        exitInfo = { code: -1, signal: null };
        resolve(exitInfo);
      }
    });
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const proc: Proc = {
    name: options.name,
    pid: child.pid ?? -1,
    child,
    exited,
    exitInfo: () => exitInfo,
    stdout: () => stdoutLines.join('\n'),
    stderrTail: () => {
      const text = stderrLines.join('\n');
      return spawnError ? `${spawnError.message}${text ? `\n${text}` : ''}` : text;
    },
    stop: async (graceMs = 3000) => {
      if (exitInfo) return exitInfo;
      signalGroup(proc, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure no forked worker of it stays behind.
      signalGroup(proc, 'SIGKILL');
      return info;
    },
  };
  if (child.pid !== undefined) live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

function signalGroup(proc: Proc, signal: NodeJS.Signals): void {
  if (proc.pid <= 0) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Lines that state the cause: Node's "Error [CODE]: ...", HAProxy's "[ALERT]", lbd's "lbd: ...", most tools' "error:". */
const CAUSE_LINE = /^\s*(\w*Error\b|\[ALERT\]|lbd:|.*\berror:)/i;

/**
 * Describes how a process ended: the first stderr line that names a cause
 * (a Node stack trace ends with noise, its first line is the message), or
 * else its last lines.
 */
export function describeExit(proc: Proc, info: ExitInfo): string {
  const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
  const lines = proc
    .stderrTail()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const cause = lines.find((line) => CAUSE_LINE.test(line));
  let why = cause ?? lines.slice(-3).join(' | ');
  if (why.includes('ERR_MODULE_NOT_FOUND')) why += ' (not built? pnpm build)';
  return `${proc.name} exited (${how})${why ? `: ${why}` : ''}`;
}

/** Runs a process to completion with a hard time limit. */
export async function runToCompletion(
  options: StartOptions,
  timeoutMs: number,
): Promise<{ proc: Proc; info: ExitInfo; timedOut: boolean }> {
  const proc = startProcess({ ...options, captureStdout: options.captureStdout ?? true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop(1000);
  }, timeoutMs);
  const info = await proc.exited;
  clearTimeout(timer);
  return { proc, info, timedOut };
}

export async function stopAll(graceMs = 2000): Promise<void> {
  await Promise.all([...live].map((proc) => proc.stop(graceMs)));
}

/**
 * Checks once that `setpriv --pdeathsig` works here (util-linux >= 2.33);
 * without it the other two layers still apply.
 */
export async function probeSetpriv(): Promise<boolean> {
  setprivAvailable = false;
  const { info } = await runToCompletion(
    { name: 'setpriv', command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'true'] },
    5000,
  );
  setprivAvailable = info.code === 0;
  return setprivAvailable;
}

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Registers work to undo at the end (restoring a sysctl, removing a temp dir); runs last-in first-out. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

let cleaningUp: Promise<void> | undefined;

/** True once the cleanup has begun (Ctrl-C): the bench should start no further run. */
export const isStopping = (): boolean => cleaningUp !== undefined;

/** Stops every process, then runs the registered cleanups. Safe to call twice. */
export function cleanupAll(): Promise<void> {
  cleaningUp ??= (async () => {
    await stopAll();
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (err) {
        console.error(`bench: cleanup failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaningUp;
}

/**
 * Ctrl-C, SIGTERM and SIGHUP run the cleanup and exit; a second Ctrl-C while
 * it runs skips straight to the synchronous kill. The `exit` hook is the last
 * resort for paths that never reach `cleanupAll` (process.exit from elsewhere).
 */
export function installSignalHandlers(): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\nbench: ${signal}, stopping every process and restoring settings...`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  process.on('exit', () => {
    for (const proc of live) signalGroup(proc, 'SIGKILL');
  });
}
