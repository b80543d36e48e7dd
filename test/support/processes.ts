import type { ChildProcess } from 'node:child_process';

/** How a child process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Registers a spawned child so that it is SIGKILLed when the test process
 * exits, whatever happened to the test that started it (a failed beforeAll, a
 * timeout, an uncaught error). The orderly stop stays the job of afterAll.
 */
export function trackChild(child: ChildProcess): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous: a signal is all we can still send.
    process.on('exit', killLeftovers);
    // A signal skips 'exit' handlers: kill the children, then let the signal
    // do what it would have done (the listener is gone after once()).
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        killLeftovers();
        process.kill(process.pid, signal);
      });
    }
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every tracked child that is still running. */
export function killLeftovers(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** Resolves when the child has exited (at once if it already has). */
export function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Resolves when the child has exited and its stdio streams are closed, i.e.
 * when all its output has been read ('exit' can come before the last data).
 */
export function waitForClose(child: ChildProcess): Promise<ExitInfo> {
  if ((child.exitCode !== null || child.signalCode !== null) && allStdioClosed(child)) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

function allStdioClosed(child: ChildProcess): boolean {
  return child.stdio.every((s) => s === null || s === undefined || s.destroyed);
}

/** Whether the child is still running. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a child: SIGTERM, then SIGKILL if it has not exited after
 * `graceMs`.
 * @param graceMs time allowed for an orderly exit, in ms. @default 10000
 */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<ExitInfo> {
  if (!isRunning(child)) return waitForExit(child);
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return first;
  child.kill('SIGKILL');
  return exited;
}

/** SIGKILLs a child and waits for it to be gone. */
export async function killChild(child: ChildProcess): Promise<ExitInfo> {
  if (isRunning(child)) child.kill('SIGKILL');
  return waitForExit(child);
}
