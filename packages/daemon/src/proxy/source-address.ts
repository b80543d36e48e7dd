import type { SourceConfig } from '../config/types.js';
import { type PortReturn, PortRing, TIME_WAIT_MS } from './port-ring.js';

/** One source address of a `source` line, with its load across every server. */
export class AddressSlot {
  /** Connections from this address now (connecting or connected). */
  live = 0;
  /**
   * Without a port range the kernel picks the port at bind() and keeps it for
   * every destination; when it finds none the address is skipped until a
   * connection from it ends, or this time passes.
   */
  blockedUntil = 0;

  constructor(readonly address: string) {}
}

/** Connections from one source address to one server address: what runs out of ports. */
export class SourcePair {
  /** Connections holding a source port of this pair now. */
  live = 0;
  /** Connection attempts made from this pair since start. */
  opened = 0;
  /** Attempts the kernel refused for lack of a port (EADDRINUSE, EADDRNOTAVAIL). */
  refusals = 0;

  constructor(
    readonly slot: AddressSlot,
    readonly host: string,
    readonly port: number,
    /** Present when lbd picks the ports (`source ADDR:LOW-HIGH`). */
    readonly ring: PortRing | undefined,
  ) {}
}

/** The local address (and port, when lbd picks it) one connection leaves from. */
export interface LocalEndpoint {
  readonly address: string;
  readonly port: number | undefined;
  readonly pair: SourcePair;
}

/** The kernel's number for TIME_WAIT (include/net/tcp_states.h). */
const TCP_TIME_WAIT = 6;

/** How long an address whose ports ran out (kernel's choice) is skipped. */
const BLOCKED_ADDRESS_MS = 1000;

/**
 * How long a port stays away from a server after lbd closed first. Linux
 * reuses a TIME_WAIT tuple for an outgoing connection after
 * `tcp_tw_reuse_delay` when `tcp_tw_reuse` allows it (1, or 2 with a
 * loopback address), so lbd follows the same rule; otherwise it waits out
 * the whole TIME_WAIT.
 */
export interface CoolingPolicy {
  timeWaitMs(sourceAddress: string, serverHost: string): number;
  /** After the kernel refused a port (another socket's tuple or bind). */
  refusedMs: number;
}

/** Waits out the whole TIME_WAIT: right whatever the kernel settings. */
export const FULL_TIME_WAIT: CoolingPolicy = { timeWaitMs: () => TIME_WAIT_MS, refusedMs: TIME_WAIT_MS };

/**
 * Hands out source endpoints for `source ADDR[,ADDR...][:LOW-HIGH]`: the
 * least used address first, and with a port range a port lbd picks itself
 * per server (see {@link PortRing}): one port then serves several servers at
 * once, as a connect() without bind() would, while a bind to port 0 (the
 * kernel's choice with a given address) holds the port for every server.
 */
export class SourcePicker {
  readonly slots: readonly AddressSlot[];
  /** Pairs by destination key, one per address in slot order. */
  private readonly pairs = new Map<string, SourcePair[]>();
  /** Rotates the first address looked at, so ties spread over the addresses. */
  private turn = 0;
  /** Addresses already tried by the current pick (reused: pick runs per connection). */
  private readonly tried: Uint8Array;

  constructor(
    readonly source: SourceConfig,
    private readonly cooling: CoolingPolicy = FULL_TIME_WAIT,
  ) {
    this.slots = source.addresses.map((address) => new AddressSlot(address));
    this.tried = new Uint8Array(this.slots.length);
  }

  /** Whether lbd picks the ports (a range is configured). */
  get managed(): boolean {
    return this.source.portRange !== undefined;
  }

  /**
   * Endpoints one connection may try before it fails for lack of ports: each
   * address once, plus a few more ports when lbd picks them (a refusal then
   * means someone else holds that tuple, and the next port is likely free).
   */
  get attempts(): number {
    return this.slots.length + (this.managed ? 4 : 0);
  }

  /** The pairs toward `host:port` (one per address), if any connection went there yet. */
  pairsToward(host: string, port: number): readonly SourcePair[] | undefined {
    return this.pairs.get(`${host}|${port}`);
  }

  /**
   * Tells the ring of `address` toward `host:port` about tuples the kernel
   * holds that lbd did not make (see {@link PortRing.avoid}): `states[i]` is
   * the TCP state number of `ports[i]`. A no-op without a range.
   */
  avoid(
    address: string,
    host: string,
    port: number,
    tuples: { ports: ArrayLike<number>; states: ArrayLike<number>; count: number },
    now: number,
  ): void {
    const ring = this.pairsFor(host, port).find((p) => p.slot.address === address)?.ring;
    if (ring === undefined) return;
    for (let i = 0; i < tuples.count; i++)
      ring.avoid(tuples.ports[i]!, tuples.states[i] === TCP_TIME_WAIT, now);
  }

  /** Every pair seen so far, for the ports monitor. */
  allPairs(): SourcePair[] {
    const out: SourcePair[] = [];
    for (const list of this.pairs.values()) out.push(...list);
    return out;
  }

  /** An endpoint toward `host:port`, or undefined when every address is out of ports. */
  pick(host: string, port: number, now: number): LocalEndpoint | undefined {
    const pairs = this.pairsFor(host, port);
    const count = pairs.length;
    const start = this.turn;
    this.turn = (start + 1) % count;
    const tried = this.tried;
    tried.fill(0);
    for (let round = 0; round < count; round++) {
      // Least used first: ports in use toward this server when lbd picks them
      // (they are what runs out), connections from the address otherwise.
      let best = -1;
      let bestLoad = Number.POSITIVE_INFINITY;
      for (let k = 0; k < count; k++) {
        const i = (start + k) % count;
        if (tried[i] === 1) continue;
        const pair = pairs[i]!;
        if (pair.ring === undefined && pair.slot.blockedUntil > now) continue;
        const load = pair.ring === undefined ? pair.slot.live : pair.ring.inUse;
        if (load < bestLoad) {
          best = i;
          bestLoad = load;
        }
      }
      if (best < 0) return undefined;
      tried[best] = 1;
      const pair = pairs[best]!;
      let localPort: number | undefined;
      if (pair.ring !== undefined) {
        localPort = pair.ring.take(now);
        if (localPort < 0) continue;
      }
      pair.live++;
      pair.opened++;
      pair.slot.live++;
      return { address: pair.slot.address, port: localPort, pair };
    }
    return undefined;
  }

  /** Gives an endpoint back when its connection ends (or its attempt failed for another reason). */
  release(local: LocalEndpoint, why: PortReturn, now: number): void {
    releaseEndpoint(local, why, now);
  }

  /** The kernel refused the endpoint for lack of a port: cool that port, or rest that address. */
  refuse(local: LocalEndpoint, now: number): void {
    const pair = local.pair;
    pair.live--;
    pair.slot.live--;
    pair.refusals++;
    if (local.port !== undefined) pair.ring?.give(local.port, 'refused', now);
    else pair.slot.blockedUntil = now + BLOCKED_ADDRESS_MS;
  }

  private pairsFor(host: string, port: number): SourcePair[] {
    const key = `${host}|${port}`;
    let pairs = this.pairs.get(key);
    if (pairs === undefined) {
      const range = this.source.portRange;
      pairs = this.slots.map((slot) => {
        if (range === undefined) return new SourcePair(slot, host, port, undefined);
        const delays = {
          timeWaitMs: this.cooling.timeWaitMs(slot.address, host),
          refusedMs: this.cooling.refusedMs,
        };
        return new SourcePair(slot, host, port, new PortRing(range.low, range.high, delays));
      });
      this.pairs.set(key, pairs);
    }
    return pairs;
  }
}

/**
 * Gives an endpoint back to its pair (no picker needed: a session keeps only
 * the endpoint). `why` says whether its tuple is left in TIME_WAIT.
 */
export function releaseEndpoint(local: LocalEndpoint, why: PortReturn, now: number): void {
  const pair = local.pair;
  pair.live--;
  pair.slot.live--;
  pair.slot.blockedUntil = 0;
  if (local.port !== undefined) pair.ring?.give(local.port, why, now);
}
