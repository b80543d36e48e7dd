/**
 * The churn workload opens tens of thousands of short connections per run and
 * each leaves a TIME_WAIT socket for 60 s; the idle-memory workload then needs
 * 9,000 free ephemeral ports for the proxy's side. Linux's default range
 * (32768-60999) holds 28,232 ports. This module watches the pressure between
 * runs, waits (bounded) for it to drain, and only if that is not enough
 * widens `net.ipv4.ip_local_port_range` for the rest of the bench, restoring
 * the original value on every way out (normal end, Ctrl-C, crash).
 *
 * Pressure = TIME_WAIT sockets on 127.0.0.1 holding an ephemeral port: every
 * connect() without a bind (wrk, iperf3, both proxies) takes its port there.
 * Most TIME_WAIT sockets sit on the servers' side (nginx and the proxies'
 * listeners close first) and hold none; the idle clients bind their own
 * 127.0.0.x addresses, each with a whole range to itself.
 *
 * With `tcp_tw_reuse` on for loopback (1, or 2, Linux's default), connect()
 * takes over a TIME_WAIT port older than a second, so only a range almost
 * full of them gets in the way; with it off, every one of them blocks a port.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sleep, timeWaitCount, timeWaitOnEphemeralPorts } from './net.ts';
import { onCleanup } from './processes.ts';

const RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
const TW_REUSE_FILE = '/proc/sys/net/ipv4/tcp_tw_reuse';

/** Where connect()s without a bind come from: every load generator and both proxies here. */
const CONNECT_SOURCE = '127.0.0.1';

/**
 * The range used when widening. Its floor stays above the bench's own fixed
 * ports (14000-14999), so the kernel never hands one of them out as a source
 * port while a proxy or backend needs to bind it.
 */
export const WIDE_RANGE: readonly [number, number] = [15000, 64999];

export interface PortFacts {
  range: [number, number];
  size: number;
  /** 0 off, 1 on, 2 loopback only (Linux's default), -1 unreadable. */
  twReuse: number;
  timeWait: number;
}

function readRange(): [number, number] {
  const [low, high] = readFileSync(RANGE_FILE, 'utf8').trim().split(/\s+/).map(Number);
  return [low ?? 0, high ?? 0];
}

export async function portFacts(): Promise<PortFacts> {
  const range = readRange();
  let twReuse = -1;
  try {
    twReuse = Number(readFileSync(TW_REUSE_FILE, 'utf8').trim());
  } catch {
    // Not readable in some sandboxes; reported as -1.
  }
  return { range, size: range[1] - range[0] + 1, twReuse, timeWait: await timeWaitCount() };
}

export class EphemeralPortGuard {
  /** Set once the range has been widened; holds the text to write back. */
  #original: string | undefined;
  #allowSysctl: boolean;
  #twReuse: number;
  #log: (message: string) => void;

  constructor(allowSysctl: boolean, twReuse: number, log: (message: string) => void) {
    this.#allowSysctl = allowSysctl;
    this.#twReuse = twReuse;
    this.#log = log;
  }

  get widened(): boolean {
    return this.#original !== undefined;
  }

  /**
   * Between runs: sleeps `minMs`, then if TIME_WAIT sockets hold more of the
   * ephemeral range than `#budget` allows, waits up to `maxWaitMs` for them to drain and,
   * if still too many, widens the range. Returns the counts it ended with.
   */
  async settle(minMs: number, maxWaitMs: number): Promise<{ timeWait: number; onEphemeralPorts: number }> {
    await sleep(minMs);
    const deadline = Date.now() + maxWaitMs;
    let held = await timeWaitOnEphemeralPorts(CONNECT_SOURCE, readRange());
    while (held > this.#budget() && Date.now() < deadline) {
      if (this.#allowSysctl && !this.widened) this.#widen(held);
      if (held <= this.#budget()) break;
      await sleep(500);
      held = await timeWaitOnEphemeralPorts(CONNECT_SOURCE, readRange());
    }
    return { timeWait: await timeWaitCount(), onEphemeralPorts: held };
  }

  #budget(): number {
    const [low, high] = readRange();
    return Math.floor((high - low + 1) * (this.#twReuse > 0 ? 0.9 : 0.5));
  }

  #widen(tw: number): void {
    const original = readFileSync(RANGE_FILE, 'utf8').trim();
    const [low, high] = readRange();
    const [wideLow, wideHigh] = WIDE_RANGE;
    if (low <= wideLow && high >= wideHigh) return;
    try {
      writeFileSync(RANGE_FILE, `${Math.min(low, wideLow)} ${Math.max(high, wideHigh)}`);
    } catch (err) {
      this.#log(`cannot widen ${RANGE_FILE} (${(err as Error).message}); waiting for TIME_WAIT instead`);
      this.#allowSysctl = false;
      return;
    }
    this.#original = original;
    this.#log(
      `${tw} TIME_WAIT sockets hold ephemeral ports; widened net.ipv4.ip_local_port_range from "${original}" to "${readRange().join(' ')}" until the bench ends`,
    );
    // Both hooks: the async cleanup on a normal end or a signal, the
    // synchronous one when the process exits by any other road.
    onCleanup(() => this.restore());
    process.on('exit', () => this.restore());
  }

  /** Writes the original range back. Idempotent and synchronous (usable from an `exit` hook). */
  restore(): void {
    if (this.#original === undefined) return;
    const original = this.#original;
    this.#original = undefined;
    try {
      writeFileSync(RANGE_FILE, original);
      this.#log(`restored net.ipv4.ip_local_port_range to "${original}"`);
    } catch (err) {
      console.error(`bench: could not restore ${RANGE_FILE} to "${original}": ${(err as Error).message}`);
    }
  }
}
