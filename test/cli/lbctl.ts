import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild, waitForClose } from '../support/processes.js';

/** lbctl's entry, found from this file so the suite runs from any checkout. */
export const LBCTL_ENTRY = fileURLToPath(new URL('../../packages/tui/bin/lbctl.js', import.meta.url));

/** How an lbctl run ended. */
export interface LbctlResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, ms (Node's startup included). */
  readonly elapsedMs: number;
}

/** A running lbctl (for verbs that wait: drain --wait, events). */
export interface LbctlRun {
  readonly child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  readonly done: Promise<LbctlResult>;
}

/**
 * Spawns `lbctl ARGS` with `env` merged over a clean environment (no
 * `LBCTL_SOCKET` or `NO_COLOR` leaking in from the developer's shell). The
 * process is SIGKILLed after `timeoutMs`.
 */
export function spawnLbctl(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): LbctlRun {
  if (!existsSync(LBCTL_ENTRY.replace(/bin\/lbctl\.js$/, 'dist/index.js'))) {
    throw new Error('lbctl is not built (pnpm build)');
  }
  const started = performance.now();
  const { LBCTL_SOCKET: _s, NO_COLOR: _n, ...base } = process.env;
  const child = trackChild(
    spawn(process.execPath, [LBCTL_ENTRY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...base, ...env },
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
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = waitForClose(child).then((exit) => {
    clearTimeout(timer);
    return { ...exit, stdout, stderr, elapsedMs: performance.now() - started };
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `lbctl ARGS` to completion. */
export function lbctl(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs?: number,
): Promise<LbctlResult> {
  return spawnLbctl(args, env, timeoutMs).done;
}

/**
 * Resolves once `predicate` holds for the run's stdout or stderr, checked as
 * each chunk arrives; rejects if lbctl exits first or after `timeoutMs`.
 */
export function waitForOutput(
  run: LbctlRun,
  predicate: (output: { stdout: string; stderr: string }) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const holds = () => predicate({ stdout: run.stdout(), stderr: run.stderr() });
    const stop = () => {
      clearTimeout(timer);
      run.child.stdout?.off('data', check);
      run.child.stderr?.off('data', check);
    };
    // These listeners run after the ones that append to the buffers.
    const check = () => {
      if (!holds()) return;
      stop();
      resolve();
    };
    const fail = (why: string) => {
      stop();
      reject(new Error(`${why}\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`));
    };
    const timer = setTimeout(() => fail(`lbctl output did not match within ${timeoutMs} ms`), timeoutMs);
    run.child.stdout?.on('data', check);
    run.child.stderr?.on('data', check);
    void run.done.then(() => {
      if (holds()) check();
      else fail('lbctl exited before the expected output');
    });
    check();
  });
}
