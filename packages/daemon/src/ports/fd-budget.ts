import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Config } from '../config/types.js';

/**
 * Descriptors a Node process holds before it serves anything: stdio, the
 * epoll instance, libuv's signal and async-wakeup pipes, the thread pool's
 * eventfds, io_uring. Measured: 24 for lbd at rest with one listener
 * (ls /proc/PID/fd, Node 24), so 23 without it; rounded up to leave room for
 * a log file, a DNS lookup or an `ss` run of the ports monitor.
 */
export const PROCESS_BASE_FDS = 30;

/**
 * File descriptors as HAProxy counts them for `show info`: `Maxsock` is what
 * the configuration may need at most, `Ulimit-n` the limit the process runs
 * under. lbd cannot raise its own limit (Node has no setrlimit), so unlike
 * HAProxy it reports the limit it got and warns when Maxsock is above it.
 */
export interface FdBudget {
  /** The soft RLIMIT_NOFILE of this process (`Ulimit-n`). */
  ulimitN: number;
  /** Descriptors the configuration may need (`Maxsock`), from the parts below. */
  maxsock: number;
  /** Global `maxconn`. */
  maxconn: number;
  /** The parts: two per connection (client and server), listeners, runtime-API sockets, checks, base. */
  parts: {
    connections: number;
    listeners: number;
    statsSockets: number;
    checks: number;
    base: number;
  };
  /** The largest `maxconn` that fits the limit. */
  maxconnThatFits: number;
  /** Whether `maxsock <= ulimitN`. */
  fits: boolean;
}

/** The soft open-files limit of this process, from /proc/self/limits; 0 when unknown. */
export function readOpenFilesLimit(): number {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match === null) return 0;
    return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Default global `maxconn` when the configuration sets none (the data plane's default). */
const DEFAULT_MAXCONN = 4096;

/** Computes {@link FdBudget} for a configuration under a limit (by default this process's). */
export function computeFdBudget(config: Config, ulimitN = readOpenFilesLimit()): FdBudget {
  const maxconn = config.global.maxconn ?? DEFAULT_MAXCONN;
  let listeners = 0;
  let checks = 0;
  for (const proxy of config.proxies) {
    if (proxy.disabled || proxy.mode !== 'tcp') continue;
    listeners += proxy.binds.length;
    for (const server of proxy.servers) {
      // One descriptor per check in flight, one more for an agent check.
      if (server.check) checks++;
      if (server.agent !== undefined) checks++;
    }
  }
  // Each runtime-API socket: its listener plus a few concurrent clients.
  const statsSockets =
    config.global.statsSockets.length * 11 + (config.global.statsWebSockets?.length ?? 0) * 11;
  const parts = {
    connections: maxconn * 2,
    listeners,
    statsSockets,
    checks,
    base: PROCESS_BASE_FDS,
  };
  const overhead = listeners + statsSockets + checks + PROCESS_BASE_FDS;
  const maxsock = parts.connections + overhead;
  return {
    ulimitN,
    maxsock,
    maxconn,
    parts,
    maxconnThatFits: Math.max(0, Math.floor((ulimitN - overhead) / 2)),
    fits: maxsock <= ulimitN,
  };
}

/** The start-up warning when maxconn cannot fit the open-files limit; undefined when it fits. */
export function fdBudgetWarning(budget: FdBudget): string | undefined {
  if (budget.fits || budget.ulimitN === 0) return undefined;
  return (
    `maxconn ${budget.maxconn} needs up to ${budget.maxsock} file descriptors (2 per connection plus ` +
    `${budget.maxsock - budget.parts.connections} for listeners, sockets and checks) but the open-files limit ` +
    `is ${budget.ulimitN}: past about ${budget.maxconnThatFits} connections new ones fail (EMFILE). ` +
    `Raise the limit (LimitNOFILE=${budget.maxsock} under systemd, ulimit -n) or lower maxconn to ${budget.maxconnThatFits}`
  );
}

/** Descriptors open in this process now (entries of /proc/self/fd, less the one reading it). */
export async function countOpenFds(): Promise<number> {
  try {
    return Math.max(0, (await readdir('/proc/self/fd')).length - 1);
  } catch {
    return 0;
  }
}
