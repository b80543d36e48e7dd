/**
 * Source ports of one (source address, server) pair when lbd picks them
 * itself (`source ADDR:LOW-HIGH`). A port is live, cooling (its last tuple
 * toward this server may still be in TIME_WAIT, or the kernel refused it),
 * ready, or never used yet. Taking and giving back are O(1) whatever the
 * range size, so a nearly exhausted range costs nothing more per connection:
 * the classic failure is the opposite, a kernel scanning its whole range in
 * connect() at 100 % system CPU.
 */

/** A growable FIFO of ports, with the time each may be used again when `timed`. */
class PortFifo {
  private ports: Uint16Array;
  private times: Float64Array | undefined;
  private head = 0;
  length = 0;

  constructor(timed: boolean) {
    this.ports = new Uint16Array(16);
    this.times = timed ? new Float64Array(16) : undefined;
  }

  push(port: number, readyAt: number): void {
    if (this.length === this.ports.length) this.grow();
    const at = (this.head + this.length) & (this.ports.length - 1);
    this.ports[at] = port;
    if (this.times !== undefined) this.times[at] = readyAt;
    this.length++;
  }

  /** Time the oldest entry may be used; +Infinity when empty. */
  headReadyAt(): number {
    if (this.length === 0) return Number.POSITIVE_INFINITY;
    return this.times === undefined ? 0 : this.times[this.head]!;
  }

  shift(): number {
    const port = this.ports[this.head]!;
    this.head = (this.head + 1) & (this.ports.length - 1);
    this.length--;
    return port;
  }

  /** Capacities stay powers of two so the wrap-around is a mask. */
  private grow(): void {
    const size = this.ports.length * 2;
    const ports = new Uint16Array(size);
    const times = this.times === undefined ? undefined : new Float64Array(size);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & (this.ports.length - 1);
      ports[i] = this.ports[from]!;
      if (times !== undefined) times[i] = this.times![from]!;
    }
    this.ports = ports;
    this.times = times;
    this.head = 0;
  }
}

/** Why a port goes back to the ring, which decides when it may serve this server again. */
export type PortReturn = 'free' | 'time-wait' | 'refused';

/** Cooling delays of a {@link PortRing}, in milliseconds. */
export interface CoolingDelays {
  /** After lbd closed first: the tuple sits in TIME_WAIT this long. @default 60000 */
  timeWaitMs: number;
  /** After the kernel refused the port (someone else's tuple or bind). @default 60000 */
  refusedMs: number;
}

/** Linux's TIME_WAIT length (TCP_TIMEWAIT_LEN): fixed, not a sysctl. */
export const TIME_WAIT_MS = 60_000;

/**
 * Hands out the ports of `low..high` toward one server. Fresh ports first
 * (never used, so no TIME_WAIT anywhere), then the least recently freed.
 * FIFO order matters: a port the server closed first has its TIME_WAIT on
 * the server, which accepts a new SYN on the same tuple only when it is
 * newer, so the longer before reuse the better.
 */
export class PortRing {
  /** Connections holding a port of this ring now. */
  live = 0;
  private nextFresh: number;
  private readonly ready = new PortFifo(false);
  /** Two FIFOs because each has one fixed delay, which keeps each sorted by ready time. */
  private readonly timeWait = new PortFifo(true);
  private readonly refused = new PortFifo(true);
  /** Never-used ports the kernel says are taken (set by {@link avoid}); allocated on first use. */
  private skip: Uint8Array | undefined;

  constructor(
    readonly low: number,
    readonly high: number,
    private readonly delays: CoolingDelays,
  ) {
    this.nextFresh = low;
  }

  /** Ports in the range. */
  get size(): number {
    return this.high - this.low + 1;
  }

  /** Ports not usable toward this server now or soon: live plus cooling. */
  get inUse(): number {
    return this.live + this.timeWait.length + this.refused.length;
  }

  /** Ports cooling after lbd closed first (their tuple is in TIME_WAIT). */
  get coolingTimeWait(): number {
    return this.timeWait.length;
  }

  /** Ports cooling after the kernel refused them. */
  get coolingRefused(): number {
    return this.refused.length;
  }

  /** A port for a new connection, or -1 when every port is live or cooling. */
  take(now: number): number {
    let port: number;
    const skip = this.skip;
    if (skip !== undefined)
      while (this.nextFresh <= this.high && skip[this.nextFresh - this.low] === 1) this.nextFresh++;
    if (this.nextFresh <= this.high) port = this.nextFresh++;
    else if (this.ready.length > 0) port = this.ready.shift();
    else if (this.timeWait.headReadyAt() <= now) port = this.timeWait.shift();
    else if (this.refused.headReadyAt() <= now) port = this.refused.shift();
    else return -1;
    this.live++;
    return port;
  }

  /**
   * Keeps never-used ports away from this server while the kernel holds a
   * tuple lbd did not make on them (a TIME_WAIT left by a previous lbd,
   * another process's connection), as the ports monitor finds them: a
   * TIME_WAIT cools like lbd's own, anything else like a refused port.
   * Ports lbd already used are its own to track, so they are left alone.
   */
  avoid(port: number, timeWait: boolean, now: number): void {
    if (port < this.nextFresh || port > this.high) return;
    this.skip ??= new Uint8Array(this.size);
    if (this.skip[port - this.low] === 1) return;
    this.skip[port - this.low] = 1;
    // Each FIFO has one fixed delay, so pushing with it keeps it sorted.
    if (timeWait) this.timeWait.push(port, now + this.delays.timeWaitMs);
    else this.refused.push(port, now + this.delays.refusedMs);
  }

  /** Gives back a port taken with {@link take}. */
  give(port: number, why: PortReturn, now: number): void {
    this.live--;
    if (why === 'free') this.ready.push(port, 0);
    else if (why === 'time-wait') this.timeWait.push(port, now + this.delays.timeWaitMs);
    else this.refused.push(port, now + this.delays.refusedMs);
  }
}
