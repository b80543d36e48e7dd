import { spawn } from 'node:child_process';
import { isIPv4, isIPv6 } from 'node:net';
import {
  addToPair,
  canonicalAddress,
  childrenCpuMs,
  countSocket,
  emptyScan,
  markPort,
  type PairScan,
  type ScanWatch,
  type TableScan,
  type WatchedDestination,
} from './socket-table.js';
import { TCP_LISTEN } from './tcp-states.js';

/** `ss` state words -> kernel state numbers. */
const SS_STATES: Readonly<Record<string, number>> = {
  ESTAB: 1,
  'SYN-SENT': 2,
  'SYN-RECV': 3,
  'FIN-WAIT-1': 4,
  'FIN-WAIT-2': 5,
  'TIME-WAIT': 6,
  UNCONN: 7,
  'CLOSE-WAIT': 8,
  'LAST-ACK': 9,
  LISTEN: 10,
  CLOSING: 11,
  'NEW-SYN-RECV': 12,
};

/** `ss` state filter: every state but ESTABLISHED and LISTEN, applied by the kernel before anything is sent. */
const NOT_ESTABLISHED = [
  'state',
  'syn-sent',
  'state',
  'syn-recv',
  'state',
  'fin-wait-1',
  'state',
  'fin-wait-2',
  'state',
  'time-wait',
  'state',
  'close-wait',
  'state',
  'last-ack',
  'state',
  'closing',
];

/** An address as `ss` writes it in a filter and in its output. */
function ssAddress(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/**
 * The kernel-side filter: sockets toward a watched server, and sockets bound
 * on a watched source address. The kernel runs it (inet_diag bytecode), so a
 * socket that matches neither is never formatted, sent or parsed: with
 * 200,000 sockets and none matching a scan costs about 60 ms of `ss`.
 */
export function ssFilter(watch: ScanWatch): string | undefined {
  const terms: string[] = [];
  for (const d of watch.destinations) {
    if (isIPv4(d.host) || isIPv6(d.host)) terms.push(`dst ${ssAddress(d.host)}:${d.port}`);
  }
  for (const s of watch.sources) {
    if (s === '0.0.0.0' || s === '::') continue;
    if (isIPv4(s) || isIPv6(s)) terms.push(`src ${ssAddress(s)}`);
  }
  return terms.length === 0 ? undefined : terms.join(' or ');
}

/** `-4` or `-6` when every watched address is of one family: `ss` then skips the other dump (10 % less). */
function familyFlag(watch: ScanWatch): string[] {
  const all = [...watch.destinations.map((d) => d.host), ...watch.sources];
  if (all.every((a) => isIPv4(a))) return ['-4'];
  if (all.every((a) => isIPv6(a) && !a.toLowerCase().startsWith('::ffff:'))) return ['-6'];
  return [];
}

/** Text of an `ss` address field without the port: `127.0.0.1`, `::1`, IPv4-mapped shown as IPv4. */
function plainHost(field: string): string {
  let host = field;
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host.startsWith('::ffff:') && isIPv4(host.slice(7))) host = host.slice(7);
  const percent = host.indexOf('%'); // a scope or interface suffix (`%lo`)
  return percent >= 0 ? host.slice(0, percent) : host;
}

/**
 * Parses `ss -tanH` output lines: `STATE RECVQ SENDQ LOCAL:PORT PEER:PORT`.
 * Exported for tests; {@link scanWithSs} feeds it as the output arrives.
 */
export class SsLineParser {
  private readonly destinations = new Map<string, WatchedDestination>();
  /** Canonical text -> the address as configured. */
  private readonly sources: Map<string, string>;
  private partial = '';

  constructor(
    watch: ScanWatch,
    private readonly scan: TableScan,
  ) {
    for (const d of watch.destinations) {
      this.destinations.set(`${canonicalAddress(d.host)}|${d.port}`, d);
      this.ports[d.port] = 1;
    }
    this.sources = new Map(watch.sources.map((s) => [canonicalAddress(s), s]));
  }

  /** A chunk of output; a line cut at its end waits for the next chunk. */
  write(chunk: string): void {
    const text = this.partial + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.line(text, start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.partial = text.slice(start);
  }

  end(): void {
    if (this.partial !== '') this.line(this.partial, 0, this.partial.length);
    this.partial = '';
  }

  /** Watched destination ports: a byte per port, so most lines stop at a lookup. */
  private readonly ports = new Uint8Array(65536);
  /** Pairs by destination then source, so a socket costs no key string. */
  private readonly index = new Map<WatchedDestination, Map<string, PairScan>>();
  /** Field bounds of the current line (start, end) x 5, reused: this runs per socket. */
  private readonly bounds = new Int32Array(10);

  private line(text: string, start: number, end: number): void {
    const b = this.bounds;
    let fields = 0;
    let i = start;
    while (fields < 5 && i < end) {
      while (i < end && text.charCodeAt(i) === 32) i++;
      const from = i;
      while (i < end && text.charCodeAt(i) !== 32) i++;
      if (i > from) {
        b[fields * 2] = from;
        b[fields * 2 + 1] = i;
        fields++;
      }
    }
    if (fields < 5) return;
    const state = stateNumber(text, b[0]!, b[1]!);
    if (state === 0) return;
    const localColon = text.lastIndexOf(':', b[7]! - 1);
    const peerColon = text.lastIndexOf(':', b[9]! - 1);
    const localPort = digits(text, localColon + 1, b[7]!);
    const peerPort = digits(text, peerColon + 1, b[9]!);
    const scan = this.scan;
    scan.sockets++;
    scan.totals[state]!++;
    const watchedPeer = this.ports[peerPort] === 1 && state !== TCP_LISTEN;
    if (!watchedPeer && this.sources.size === 0) return;
    const localHost = plainHost(text.slice(b[6]!, localColon));
    if (this.sources.size > 0) {
      if (localHost === '*' || localHost === '0.0.0.0' || localHost === '::') {
        for (const bits of scan.boundPorts.values()) markPort(bits, localPort);
      } else {
        const configured = this.sources.get(localHost);
        if (configured !== undefined) markPort(scan.boundPorts.get(configured)!, localPort);
      }
    }
    if (!watchedPeer) return;
    const destination = this.destinations.get(`${plainHost(text.slice(b[8]!, peerColon))}|${peerPort}`);
    if (destination === undefined) return;
    let bySource = this.index.get(destination);
    if (bySource === undefined) {
      bySource = new Map();
      this.index.set(destination, bySource);
    }
    let pair = bySource.get(localHost);
    if (pair === undefined) {
      pair = addToPair(scan, this.sources.get(localHost) ?? localHost, destination);
      bySource.set(localHost, pair);
    }
    countSocket(pair, state, localPort);
  }
}

/** A decimal number between `from` and `to` (a port); -1 if anything else is there. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return to > from ? n : -1;
}

/** The kernel state number of an `ss` state word, without making a string; 0 if unknown. */
function stateNumber(text: string, from: number, to: number): number {
  const word = text.slice(from, to);
  return SS_STATES[word] ?? 0;
}

/** Longest an `ss` run may take before the scan gives up on it. */
const SS_TIMEOUT_MS = 20_000;

/**
 * Reads the TCP table through netlink sock_diag, by running `ss` with a
 * kernel-side filter, and sorts the sockets toward the watched servers by
 * source address. Chosen over /proc/net/tcp by measurement (see
 * scripts/bench/ports-monitor-cost.ts): the kernel prints /proc as text for
 * every socket, while sock_diag filters first. Rejects when `ss` cannot run.
 */
export function scanWithSs(watch: ScanWatch, command = 'ss'): Promise<TableScan> {
  const scan = emptyScan('sock_diag', watch);
  const filter = ssFilter(watch);
  if (filter === undefined) return Promise.resolve(scan);
  const started = performance.now();
  return childrenCpuMs().then(
    (childrenBefore) =>
      new Promise<TableScan>((resolve, reject) => {
        const parser = new SsLineParser(watch, scan);
        let parseMs = 0;
        const states = watch.skipEstablished === true ? NOT_ESTABLISHED : [];
        const args = [...familyFlag(watch), '-tanH', ...states, filter];
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), SS_TIMEOUT_MS);
        child.stdout.setEncoding('latin1');
        child.stdout.on('data', (chunk: string) => {
          const t = performance.now();
          parser.write(chunk);
          parseMs += performance.now() - t;
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          if (stderr.length < 2000) stderr += d;
        });
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          if (code !== 0) {
            reject(new Error(`ss exited with ${code ?? signal}: ${stderr.trim()}`));
            return;
          }
          parser.end();
          scan.durationMs = performance.now() - started;
          void childrenCpuMs().then((childrenAfter) => {
            scan.cpuMs = parseMs + Math.max(0, childrenAfter - childrenBefore);
            resolve(scan);
          });
        });
      }),
  );
}
