/**
 * Socket facts read from the kernel, never by connecting: a probe connection
 * to a proxy would open a connection to its backend too (iperf3 logs and
 * resets its test on a connection that sends no cookie).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Ports in LISTEN state on this network namespace (IPv4 and IPv6). */
export async function listeningPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields[1] = "0100007F:36B0" (local address:port in hex), fields[3] = state; 0A = LISTEN.
      if (fields[3] !== '0A' || !fields[1]) continue;
      const port = Number.parseInt(fields[1].split(':')[1] ?? '', 16);
      if (Number.isFinite(port)) ports.add(port);
    }
  }
  return ports;
}

/** Polls until every port listens; returns the ports still missing (empty on success). */
export async function waitForListening(
  ports: number[],
  timeoutMs: number,
  isDead: () => boolean = () => false,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listening = await listeningPorts();
    const missing = ports.filter((port) => !listening.has(port));
    if (missing.length === 0 || Date.now() > deadline || isDead()) return missing;
    await sleep(50);
  }
}

/**
 * Counts TCP sockets in a state matching an `ss` filter, e.g. established
 * with `sport = :14104` (the proxy's accepted side) or `dport = :14003` (its
 * side of the connections to a backend). ss filters in the kernel, so this
 * stays cheap with tens of thousands of sockets.
 */
export async function countSockets(state: 'established' | 'time-wait', filter: string): Promise<number> {
  const { stdout } = await execFileAsync('ss', ['-tanH', 'state', state, `( ${filter} )`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  let count = 0;
  for (const line of stdout.split('\n')) if (line.trim()) count += 1;
  return count;
}

export const countEstablished = (filter: string) => countSockets('established', filter);

/**
 * TIME_WAIT sockets on `address` whose local port lies in the ephemeral
 * range: the ones that can keep a connecting client there from getting a
 * port. Most TIME_WAIT sockets in this bench sit on the servers' side (nginx,
 * the proxies' listeners, which close first) and hold no ephemeral port.
 */
export function timeWaitOnEphemeralPorts(
  address: string,
  [low, high]: readonly [number, number],
): Promise<number> {
  return countSockets('time-wait', `src ${address} and sport >= :${low} and sport <= :${high}`);
}

/** TIME_WAIT sockets in this network namespace, from /proc/net/sockstat (no socket walk). */
export async function timeWaitCount(): Promise<number> {
  const text = await readFile('/proc/net/sockstat', 'utf8');
  const match = /^TCP:.*\btw (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}
