import { open } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import {
  addToPair,
  canonicalAddress,
  countSocket,
  emptyScan,
  markPort,
  type ScanWatch,
  type TableScan,
  type WatchedDestination,
} from './socket-table.js';
import { STATE_SLOTS, TCP_LISTEN } from './tcp-states.js';

/** Hex digit values; -1 for other bytes. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

/**
 * The form /proc/net/tcp prints an IPv4 address in: the 32-bit word as the
 * host (little-endian) stores it, so 127.0.0.1 reads `0100007F`.
 */
function procIPv4(address: string): string {
  return address
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
}

/** The form /proc/net/tcp6 prints an IPv6 address in: four host-order 32-bit words. */
function procIPv6(address: string): string {
  const bytes = ipv6Bytes(address);
  let out = '';
  for (let w = 0; w < 16; w += 4) out += procIPv4(bytes.slice(w, w + 4).join('.'));
  return out;
}

/** The sixteen bytes of an IPv6 address (an embedded IPv4 tail included). */
export function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const b = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const bytes: number[] = [];
  for (const group of [...left, ...fill, ...right]) {
    const v = Number.parseInt(group, 16);
    bytes.push(v >> 8, v & 255);
  }
  return bytes;
}

/** An address as the table of `family` prints it, or undefined if it cannot appear there. */
function procForm(address: string, family: 'v4' | 'v6'): string | undefined {
  if (isIPv4(address)) return family === 'v4' ? procIPv4(address) : procIPv6(`::ffff:${address}`);
  if (isIPv6(address) && family === 'v6') return procIPv6(address);
  return undefined;
}

/** A table address as text: dotted IPv4 (also for IPv4-mapped IPv6), else IPv6 groups. */
function displayAddress(hex: string): string {
  const word = (w: string) => [6, 4, 2, 0].map((i) => Number.parseInt(w.slice(i, i + 2), 16));
  if (hex.length === 8) return word(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => word(hex.slice(i, i + 8)));
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return bytes.slice(12).join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalAddress(groups.join(':'));
}

/** Reads /proc/net/tcp in chunks this big: few syscalls, little memory. */
const CHUNK = 1 << 20;

/**
 * Reads the TCP table from /proc/net/tcp and /proc/net/tcp6: the fallback
 * where `ss` is missing. It costs more than sock_diag (the kernel prints the
 * whole table as text, about 2 µs of system time per socket, measured in
 * scripts/bench/ports-monitor-cost.ts), but parsing works on bytes and a
 * line toward an unwatched port makes no string.
 */
export async function scanProcNet(watch: ScanWatch, root = '/proc/net'): Promise<TableScan> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const scan = emptyScan('procfs', watch);
  for (const family of ['v4', 'v6'] as const) {
    await readLines(`${root}/${family === 'v4' ? 'tcp' : 'tcp6'}`, new LineParser(watch, family, scan));
  }
  scan.durationMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // Reading /proc is system time of this process; the figure is an upper bound (other work runs meanwhile).
  scan.cpuMs = Math.min(scan.durationMs, (used.user + used.system) / 1000);
  return scan;
}

async function readLines(path: string, parser: LineParser): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return; // No IPv6 in this kernel, or no /proc: nothing to count.
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let kept = 0;
    let header = true;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, CHUNK - kept, null);
      const end = kept + bytesRead;
      let start = 0;
      let nl = buffer.indexOf(10, start);
      while (nl >= 0 && nl < end) {
        if (header) header = false;
        else parser.line(buffer, start, nl);
        start = nl + 1;
        nl = buffer.indexOf(10, start);
      }
      if (bytesRead === 0) break;
      // A line cut by the chunk boundary moves to the front for the next read.
      buffer.copy(buffer, 0, start, end);
      kept = end - start;
    }
  } finally {
    await handle.close();
  }
}

function hex4(b: Buffer, at: number): number {
  const v = (HEX[b[at]!]! << 12) | (HEX[b[at + 1]!]! << 8) | (HEX[b[at + 2]!]! << 4) | HEX[b[at + 3]!]!;
  return v < 0 ? -1 : v;
}

/** Sorts the lines of one family's table into a {@link TableScan}. */
class LineParser {
  private readonly hexLength: number;
  /** Watched destination ports: a byte per port, so most lines are dropped at once. */
  private readonly ports = new Uint8Array(65536);
  /** Destination `HEXADDR:port` -> watched destination. */
  private readonly destinations = new Map<string, WatchedDestination>();
  /** Source hex address -> address as configured. */
  private readonly sourceNames = new Map<string, string>();
  private readonly wildcard: string;

  constructor(
    watch: ScanWatch,
    family: 'v4' | 'v6',
    private readonly scan: TableScan,
  ) {
    this.hexLength = family === 'v4' ? 8 : 32;
    this.wildcard = '0'.repeat(this.hexLength);
    for (const d of watch.destinations) {
      const hex = procForm(d.host, family);
      if (hex === undefined) continue;
      this.ports[d.port] = 1;
      this.destinations.set(`${hex}:${d.port}`, d);
    }
    for (const source of watch.sources) {
      const hex = procForm(source, family);
      if (hex !== undefined) this.sourceNames.set(hex, source);
    }
  }

  /** One line `  sl: LOCAL:PORT REMOTE:PORT ST ...` between `start` and `end`. */
  line(b: Buffer, start: number, end: number): void {
    let i = b.indexOf(58, start); // the ':' after the slot number
    if (i < 0 || i >= end) return;
    i += 2;
    const n = this.hexLength;
    const local = i;
    const localPort = hex4(b, local + n + 1);
    const remote = local + n + 6;
    const remotePort = hex4(b, remote + n + 1);
    const stateAt = remote + n + 6;
    const state = (HEX[b[stateAt]!]! << 4) | HEX[b[stateAt + 1]!]!;
    if (localPort < 0 || remotePort < 0 || state <= 0 || state >= STATE_SLOTS) return;
    const scan = this.scan;
    scan.sockets++;
    scan.totals[state]!++;
    let sourceHex: string | undefined;
    if (this.sourceNames.size > 0) {
      sourceHex = b.toString('latin1', local, local + n);
      if (sourceHex === this.wildcard) {
        for (const bits of scan.boundPorts.values()) markPort(bits, localPort);
      } else {
        const name = this.sourceNames.get(sourceHex);
        if (name !== undefined) markPort(scan.boundPorts.get(name)!, localPort);
      }
    }
    if (this.ports[remotePort] === 0 || state === TCP_LISTEN) return;
    const destination = this.destinations.get(`${b.toString('latin1', remote, remote + n)}:${remotePort}`);
    if (destination === undefined) return;
    sourceHex ??= b.toString('latin1', local, local + n);
    const source = this.sourceNames.get(sourceHex) ?? displayAddress(sourceHex);
    countSocket(addToPair(scan, source, destination), state, localPort);
  }
}
