import { readFile } from 'node:fs/promises';
import type { PortsTableReader } from '@lbctl/protocol';
import { STATE_SLOTS } from './tcp-states.js';

/** A server address whose connections the scan sorts by source address. */
export interface WatchedDestination {
  host: string;
  port: number;
}

/** What one scan looks for. */
export interface ScanWatch {
  destinations: readonly WatchedDestination[];
  /**
   * Source addresses whose every bound port matters: with the kernel's
   * choice and a given address, a port bound toward one server is taken for
   * all of them.
   */
  sources: readonly string[];
  /**
   * Leave ESTABLISHED sockets out when the reader can (sock_diag filters by
   * state in the kernel): lbd counts its own live connections, and on a busy
   * proxy they are most of the table, so a scan then costs what the
   * TIME_WAIT and closing sockets cost. @default false
   */
  skipEstablished?: boolean;
}

/** The sockets from one source address to one watched server. */
export interface PairScan {
  source: string;
  host: string;
  port: number;
  /** Sockets per kernel state number. */
  states: Uint32Array;
  /** Local ports of those sockets, in table order (`count` of them). */
  localPorts: Uint16Array;
  /** The state of each socket of `localPorts`. */
  localStates: Uint8Array;
  count: number;
}

/** How the table was read. */
/** How the table was read. */
export type TableReader = PortsTableReader;

/** One read of the kernel's TCP socket table (IPv4 and IPv6). */
export interface TableScan {
  reader: TableReader;
  /** Whether ESTABLISHED sockets were read (see {@link ScanWatch.skipEstablished}). */
  established: boolean;
  /** Pairs by {@link pairKey}. */
  pairs: Map<string, PairScan>;
  /** Per watched source address: one bit per local port bound on it (or on the wildcard). */
  boundPorts: Map<string, Uint8Array>;
  /**
   * Sockets by kernel state number. With `sock_diag` only the sockets the
   * kernel-side filter let through (toward watched servers or from watched
   * addresses); with `procfs` the whole table.
   */
  totals: Uint32Array;
  /** Sockets read. */
  sockets: number;
  /** Wall time of the scan, ms. */
  durationMs: number;
  /** CPU time of the scan (this process's parsing plus `ss`), ms. */
  cpuMs: number;
}

/** Key of a pair in {@link TableScan.pairs}. */
export function pairKey(source: string, host: string, port: number): string {
  return `${source}|${host}|${port}`;
}

/** An empty scan. */
export function emptyScan(reader: TableReader, watch: ScanWatch): TableScan {
  const boundPorts = new Map<string, Uint8Array>();
  for (const source of watch.sources) boundPorts.set(source, new Uint8Array(8192));
  return {
    reader,
    established: reader === 'procfs' || watch.skipEstablished !== true,
    pairs: new Map(),
    boundPorts,
    totals: new Uint32Array(STATE_SLOTS),
    sockets: 0,
    durationMs: 0,
    cpuMs: 0,
  };
}

/** The pair of `source` toward `destination`, created empty if new. */
export function addToPair(scan: TableScan, source: string, destination: WatchedDestination): PairScan {
  const key = pairKey(source, destination.host, destination.port);
  let pair = scan.pairs.get(key);
  if (pair === undefined) {
    pair = {
      source,
      host: destination.host,
      port: destination.port,
      states: new Uint32Array(STATE_SLOTS),
      localPorts: new Uint16Array(64),
      localStates: new Uint8Array(64),
      count: 0,
    };
    scan.pairs.set(key, pair);
  }
  return pair;
}

/** Counts one socket of a pair. */
export function countSocket(pair: PairScan, state: number, localPort: number): void {
  pair.states[state]!++;
  if (pair.count === pair.localPorts.length) {
    const ports = new Uint16Array(pair.count * 2);
    ports.set(pair.localPorts);
    pair.localPorts = ports;
    const states = new Uint8Array(pair.count * 2);
    states.set(pair.localStates);
    pair.localStates = states;
  }
  pair.localStates[pair.count] = state;
  pair.localPorts[pair.count++] = localPort;
}

/** Sets a port's bit in a bound-ports bitmap. */
export function markPort(bits: Uint8Array, port: number): void {
  bits[port >> 3]! |= 1 << (port & 7);
}

/** Counts the ports of a bitmap set within `low..high`. */
export function countBound(bits: Uint8Array, low: number, high: number): number {
  let n = 0;
  for (let p = low; p <= high; p++) if (bits[p >> 3]! & (1 << (p & 7))) n++;
  return n;
}

/** Counts the ports of a pair within `low..high`. */
export function countInRange(pair: PairScan, low: number, high: number): number {
  let n = 0;
  const ports = pair.localPorts;
  for (let i = 0; i < pair.count; i++) {
    const p = ports[i]!;
    if (p >= low && p <= high) n++;
  }
  return n;
}

/** The CPU time this process's reaped children have used so far (`ss` runs), ms. */
export async function childrenCpuMs(): Promise<number> {
  try {
    const stat = await readFile('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17 of proc(5)), in clock ticks of 10 ms on Linux.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

/**
 * An address in the text form `ss` prints: IPv6 compressed and lower-case
 * (the WHATWG URL parser does exactly that), IPv4-mapped IPv6 as IPv4.
 */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try {
    const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (mapped === null) return host;
    const hi = Number.parseInt(mapped[1]!, 16);
    const lo = Number.parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  } catch {
    return address;
  }
}
