import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killChild, trackChild } from '../support/processes.js';

const run = promisify(execFile);

/**
 * Fails when a tool the test needs is missing. `scripts/setup.sh` installs
 * them all; in CI a missing tool must fail the run, never skip it.
 */
export async function requireTool(name: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return stdout.trim();
  } catch {
    throw new Error(
      `'${name}' is not installed: run scripts/setup.sh (it installs every tool the tests use)`,
    );
  }
}

/** Resolves once something accepts connections on the UNIX socket `path`; throws after `timeoutMs`. */
export async function waitForSocket(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(path);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${path} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running `haproxy -db -f FILE` (Debian's 2.6), the reference the API is compared with. */
export interface Haproxy {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts HAProxy in the foreground on `configText`; resolves once `readySocket` answers. */
export async function startHaproxy(dir: string, configText: string, readySocket: string): Promise<Haproxy> {
  const binary = await requireTool('haproxy');
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, configText);
  const child = trackChild(spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  try {
    await waitForSocket(readySocket);
  } catch (error) {
    await killChild(child);
    throw new Error(`haproxy did not start:\n${output}`, { cause: error });
  }
  return { child, output: () => output, stop: async () => void (await killChild(child)) };
}

/** Runs tmux on a private server (`-L`), so tests never touch a user's sessions. */
export async function tmux(socketName: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('tmux', ['-L', socketName, ...args]);
  return stdout;
}
