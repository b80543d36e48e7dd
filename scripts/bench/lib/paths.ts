/**
 * The three paths a workload's traffic can take. A proxy is started fresh for
 * every run and stopped after it, so every run sees the same cold-start state
 * (and the idle-memory baseline is a fresh process), whatever ran before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND_PORTS, HOST, LISTENS, type ListenName } from './haproxy-config.ts';
import { listeningPorts, waitForListening } from './net.ts';
import type { PathName } from './options.ts';
import { describeExit, type Proc, startProcess } from './processes.ts';

export interface OpenPath {
  name: PathName;
  /** Port a client connects to for this workload: the proxy's listener, or the backend itself. */
  port(listen: ListenName): number;
  /** The proxy process, for its RSS; undefined on the direct path. */
  proxy?: Proc;
  /** Why the proxy is no longer usable (it exited), or undefined while it runs. */
  failure(): string | undefined;
  close(): Promise<void>;
}

export interface PathSettings {
  configFile: string;
  repoRoot: string;
  /** lbd's entry script (packages/daemon/bin/lbd.js unless --lbd says otherwise). */
  lbdEntry: string;
  proxyCpus: string;
}

const LBD_READY_MSG = 'lbd ready';
const READY_TIMEOUT_MS = 15_000;
const proxyPorts = () => Object.values(LISTENS).map((listen) => listen.port);

export function defaultLbdEntry(repoRoot: string): string {
  return join(repoRoot, 'packages', 'daemon', 'bin', 'lbd.js');
}

export async function openPath(name: PathName, settings: PathSettings): Promise<OpenPath> {
  if (name === 'direct') {
    return {
      name,
      port: (listen) => BACKEND_PORTS[LISTENS[listen].backend],
      failure: () => undefined,
      close: async () => {},
    };
  }

  // A listener left by an earlier crashed bench would take this run's
  // traffic and be measured in place of the proxy under test.
  const listening = await listeningPorts();
  const taken = proxyPorts().filter((port) => listening.has(port));
  if (taken.length > 0) {
    throw new Error(
      `port(s) ${taken.join(', ')} already listening before ${name} started (a leftover process?)`,
    );
  }

  const proxy = name === 'haproxy' ? await startHaproxy(settings) : await startLbd(settings);
  return {
    name,
    port: (listen) => LISTENS[listen].port,
    proxy,
    failure: () => {
      const info = proxy.exitInfo();
      return info ? describeExit(proxy, info) : undefined;
    },
    close: async () => {
      await proxy.stop();
    },
  };
}

/** HAProxy in the foreground (-db); it prints nothing when ready, so readiness is its listeners appearing. */
async function startHaproxy(settings: PathSettings): Promise<Proc> {
  const proxy = startProcess({
    name: 'haproxy',
    command: 'haproxy',
    args: ['-db', '-f', settings.configFile],
    cpus: settings.proxyCpus,
  });
  await expectListeners(proxy);
  return proxy;
}

/**
 * lbd announces readiness with an NDJSON record {"msg":"lbd ready"} on
 * stdout; the listeners are then checked as for HAProxy, so a ready message
 * printed too early shows up as an error rather than as refused connections.
 */
async function startLbd(settings: PathSettings): Promise<Proc> {
  const entry = settings.lbdEntry;
  if (!existsSync(entry)) {
    throw new Error(`lbd is not available yet: ${entry} does not exist (is the daemon built? pnpm build)`);
  }
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const proxy = startProcess({
    name: 'lbd',
    command: process.execPath,
    args: [...shebangNodeFlags(entry), entry, '-f', settings.configFile],
    cpus: settings.proxyCpus,
    cwd: settings.repoRoot,
    onStdoutLine: (line) => {
      if (!line.includes(LBD_READY_MSG)) return;
      try {
        if ((JSON.parse(line) as { msg?: unknown }).msg === LBD_READY_MSG) markReady();
      } catch {
        // Not JSON: not the ready record.
      }
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    proxy.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    const info = outcome === 'exited' ? proxy.exitInfo() : undefined;
    await proxy.stop();
    const stdoutTail = proxy.stdout().trim().split('\n').slice(-3).join(' | ');
    throw new Error(
      info
        ? `${describeExit(proxy, info)}${stdoutTail ? ` (stdout: ${stdoutTail})` : ''}`
        : `lbd printed no {"msg":"${LBD_READY_MSG}"} record within ${READY_TIMEOUT_MS / 1000} s` +
            (stdoutTail ? ` (last stdout: ${stdoutTail})` : ''),
    );
  }
  await expectListeners(proxy);
  return proxy;
}

async function expectListeners(proxy: Proc): Promise<void> {
  const missing = await waitForListening(proxyPorts(), 10_000, () => proxy.exitInfo() !== undefined);
  if (missing.length === 0) return;
  const info = proxy.exitInfo();
  await proxy.stop();
  throw new Error(
    info
      ? describeExit(proxy, info)
      : `${proxy.name} is not listening on ${missing.map((port) => `${HOST}:${port}`).join(', ')}`,
  );
}

/**
 * The node flags in an entry script's `#!/usr/bin/env -S node FLAGS`
 * shebang (lbd's V8 flags): the bench runs lbd as it runs when installed.
 */
function shebangNodeFlags(entry: string): string[] {
  const first = readFileSync(entry, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node\s+(.*)$/.exec(first);
  return match === null ? [] : match[1]!.trim().split(/\s+/);
}
