import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { PortSpan } from '@lbctl/protocol';

/** Inclusive port range. */
export type { PortSpan } from '@lbctl/protocol';

/**
 * The kernel settings that decide how many source ports lbd has and how
 * long a closed connection holds one. IPv6 shares the IPv4 settings.
 */
export interface KernelPortSettings {
  /** `net.ipv4.ip_local_port_range`: ports the kernel picks from. */
  ipLocalPortRange: PortSpan;
  /** `net.ipv4.ip_local_reserved_ports`: ports in that range the kernel never picks. */
  ipLocalReservedPorts: PortSpan[];
  /** `net.ipv4.tcp_tw_reuse`: 0 off, 1 on, 2 loopback only (Linux's default). */
  tcpTwReuse: number;
  /** `net.ipv4.tcp_tw_reuse_delay` in ms (Linux 6.13+); 1000 where the kernel has no such setting. */
  tcpTwReuseDelayMs: number;
  /** `net.ipv4.tcp_fin_timeout` in seconds: how long an orphaned FIN_WAIT2 lasts. */
  tcpFinTimeoutS: number;
  /** `net.ipv4.tcp_max_tw_buckets`: beyond it the kernel drops TIME_WAIT sockets (and logs it). */
  tcpMaxTwBuckets: number;
  /** `net.ipv4.tcp_timestamps`: TIME_WAIT reuse (and PAWS) needs them. */
  tcpTimestamps: number;
}

/** Linux's defaults, used for a setting the kernel does not expose (another OS, a container without /proc/sys). */
export const LINUX_DEFAULTS: KernelPortSettings = {
  ipLocalPortRange: { low: 32768, high: 60999 },
  ipLocalReservedPorts: [],
  tcpTwReuse: 2,
  tcpTwReuseDelayMs: 1000,
  tcpFinTimeoutS: 60,
  tcpMaxTwBuckets: 262144,
  tcpTimestamps: 1,
};

const SYSCTL = '/proc/sys/net/ipv4/';

/** The sysctls read, in the order {@link fromValues} takes them. */
const NAMES = [
  'ip_local_port_range',
  'ip_local_reserved_ports',
  'tcp_tw_reuse',
  'tcp_tw_reuse_delay',
  'tcp_fin_timeout',
  'tcp_max_tw_buckets',
  'tcp_timestamps',
] as const;

async function sysctl(name: string): Promise<string | undefined> {
  try {
    return (await readFile(SYSCTL + name, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

function sysctlSync(name: string): string | undefined {
  try {
    return readFileSync(SYSCTL + name, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function integer(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(n) ? n : fallback;
}

/** Parses `ip_local_reserved_ports` ("1000-1005,8080"); bad parts are skipped. */
export function parseReservedPorts(text: string): PortSpan[] {
  const spans: PortSpan[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (match === null) continue;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low <= high) spans.push({ low, high });
  }
  return spans;
}

function fromValues(values: (string | undefined)[]): KernelPortSettings {
  const [range, reserved, reuse, reuseDelay, fin, tw, timestamps] = values;
  const d = LINUX_DEFAULTS;
  const [low, high] = (range ?? '').split(/\s+/).map(Number);
  return {
    ipLocalPortRange:
      low !== undefined &&
      high !== undefined &&
      Number.isInteger(low) &&
      Number.isInteger(high) &&
      low <= high
        ? { low, high }
        : d.ipLocalPortRange,
    ipLocalReservedPorts: reserved === undefined ? [] : parseReservedPorts(reserved),
    tcpTwReuse: integer(reuse, d.tcpTwReuse),
    tcpTwReuseDelayMs: integer(reuseDelay, d.tcpTwReuseDelayMs),
    tcpFinTimeoutS: integer(fin, d.tcpFinTimeoutS),
    tcpMaxTwBuckets: integer(tw, d.tcpMaxTwBuckets),
    tcpTimestamps: integer(timestamps, d.tcpTimestamps),
  };
}

/** Reads the settings now: they are cheap to read and an operator may change them after an alert. */
export async function readKernelPortSettings(): Promise<KernelPortSettings> {
  return fromValues(await Promise.all(NAMES.map(sysctl)));
}

/** {@link readKernelPortSettings} for start-up, before anything runs. */
export function readKernelPortSettingsSync(): KernelPortSettings {
  return fromValues(NAMES.map(sysctlSync));
}

/** Ports of `span` the kernel may pick: the span less the reserved ports inside it. */
export function usablePorts(span: PortSpan, reserved: readonly PortSpan[]): number {
  let count = span.high - span.low + 1;
  for (const r of reserved) {
    const low = Math.max(r.low, span.low);
    const high = Math.min(r.high, span.high);
    if (low <= high) count -= high - low + 1;
  }
  return Math.max(0, count);
}

/** Whether an address is loopback (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/**
 * Whether Linux reuses a TIME_WAIT tuple from `source` to `destination` for
 * a new outgoing connection (after `tcp_tw_reuse_delay`): `tcp_tw_reuse` 1,
 * or 2 when either end is loopback, and timestamps on.
 */
export function timeWaitReusable(settings: KernelPortSettings, source: string, destination: string): boolean {
  if (settings.tcpTimestamps === 0) return false;
  if (settings.tcpTwReuse === 1) return true;
  return settings.tcpTwReuse === 2 && (isLoopback(source) || isLoopback(destination));
}
