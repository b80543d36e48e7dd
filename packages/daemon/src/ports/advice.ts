import type { PortMode, PressureLevel } from '@lbctl/protocol';
import { isLoopback, type KernelPortSettings, type PortSpan, usablePorts } from './kernel-settings.js';
import type { StateCounts } from './tcp-states.js';

export type { PortMode, PressureLevel } from '@lbctl/protocol';

/** Headroom under this percentage is a warning. */
export const WARNING_HEADROOM_PCT = 20;
/** Headroom under this percentage is critical. */
export const CRITICAL_HEADROOM_PCT = 5;

/** The level for a headroom percentage, raised to critical when connections failed for lack of ports. */
export function pressureLevel(headroomPct: number, recentFailures: number): PressureLevel {
  if (recentFailures > 0 || headroomPct < CRITICAL_HEADROOM_PCT) return 'critical';
  return headroomPct < WARNING_HEADROOM_PCT ? 'warning' : 'ok';
}

/** What the advice is chosen from. */
export interface AdviceInput {
  mode: PortMode;
  source: string;
  destinationHost: string;
  /** Ports counted against, and how many are usable. */
  range: PortSpan;
  usable: number;
  inUse: number;
  states: StateCounts;
  /** Addresses of the `source` line (0 without one). */
  addressCount: number;
  /** The backend has `option nolinger`. */
  nolinger: boolean;
  kernel: KernelPortSettings;
  /** TIME_WAIT sockets in the whole table, against `tcp_max_tw_buckets`. */
  timeWaitTotal: number;
}

/** The widest range worth suggesting: every unprivileged port. */
const WIDEST: PortSpan = { low: 1024, high: 65535 };

/**
 * Advice for a pair short of ports, most effective first, each only where it
 * fits: a TIME_WAIT setting does nothing for ports held by live connections,
 * and "add a port range" only applies where the kernel picks the ports.
 */
export function adviceFor(input: AdviceInput): string[] {
  const out: string[] = [];
  const s = input.states;
  const timeWait = s.TIME_WAIT ?? 0;
  const live = (s.ESTABLISHED ?? 0) + (s.SYN_SENT ?? 0);
  const k = input.kernel;
  const fmt = (n: number) => n.toLocaleString('en-US');

  if (input.mode === 'kernel-bind') {
    out.push(
      `add a port range to 'source' (e.g. 'source ${input.source}:1025-65000'): lbd then picks ports per ` +
        'server and one port serves every server at once; with the kernel picking after bind(), a port ' +
        'used toward one server is taken for all of them',
    );
  }
  const perAddress = input.mode === 'managed' ? 'server' : 'address';
  out.push(
    `add source addresses ('source A,B,C${input.mode === 'managed' ? `:${input.range.low}-${input.range.high}` : ''}'): ` +
      `each address brings ${fmt(input.usable)} more ports per ${perAddress}` +
      (input.addressCount > 0 ? ` (now ${input.addressCount})` : ''),
  );
  if (input.mode === 'managed') {
    const size = input.range.high - input.range.low + 1;
    if (size < WIDEST.high - WIDEST.low) {
      out.push(
        `widen the range of 'source' (now ${input.range.low}-${input.range.high}, ${fmt(size)} ports)`,
      );
    }
  } else {
    const kernelUsable = usablePorts(k.ipLocalPortRange, k.ipLocalReservedPorts);
    if (kernelUsable < WIDEST.high - WIDEST.low) {
      out.push(
        `widen net.ipv4.ip_local_port_range (now ${k.ipLocalPortRange.low} ${k.ipLocalPortRange.high}, ` +
          `${fmt(kernelUsable)} usable ports), e.g. to '1024 65535', with listening ports in ip_local_reserved_ports`,
      );
    }
  }
  if (timeWait * 2 >= input.inUse && timeWait > 0) {
    const reuseApplies =
      k.tcpTwReuse === 1 ||
      (k.tcpTwReuse === 2 && (isLoopback(input.source) || isLoopback(input.destinationHost)));
    if (!reuseApplies && input.mode !== 'kernel-bind') {
      out.push(
        'set net.ipv4.tcp_tw_reuse=1: a port in TIME_WAIT then serves a new connection to the same ' +
          `server after ${k.tcpTwReuseDelayMs} ms (now ${k.tcpTwReuse}${k.tcpTwReuse === 2 ? ': loopback only' : ''})`,
      );
    }
    out.push(
      `${fmt(timeWait)} of these ports are in TIME_WAIT because lbd closes first: let the server close first ` +
        '(client protocol QUIT, shorter server idle timeout) and the TIME_WAIT stays on the server',
    );
    if (!input.nolinger) {
      out.push(
        "'option nolinger' in the backend, if its protocol lets the proxy close first: lbd then resets " +
          'instead of closing and leaves no TIME_WAIT',
      );
    }
  } else if (live * 2 >= input.inUse) {
    out.push(
      `${fmt(live)} of these ports are held by live connections: TIME_WAIT settings will not help; ` +
        "more addresses or a wider range will, or a lower 'maxconn' on the server",
    );
  }
  if ((s.CLOSE_WAIT ?? 0) * 10 >= input.inUse && (s.CLOSE_WAIT ?? 0) > 0) {
    out.push(
      `${fmt(s.CLOSE_WAIT!)} sockets in CLOSE_WAIT: the server closed and lbd has not yet; ` +
        "check 'timeout server-fin' and 'timeout client'",
    );
  }
  if ((s.FIN_WAIT2 ?? 0) * 10 >= input.inUse && (s.FIN_WAIT2 ?? 0) > 0) {
    out.push(
      `${fmt(s.FIN_WAIT2!)} sockets in FIN_WAIT2 wait for the server's FIN: ` +
        `net.ipv4.tcp_fin_timeout (${k.tcpFinTimeoutS} s) bounds the orphaned ones`,
    );
  }
  if (input.timeWaitTotal >= k.tcpMaxTwBuckets * 0.9) {
    out.push(
      `TIME_WAIT sockets (${fmt(input.timeWaitTotal)}) are near net.ipv4.tcp_max_tw_buckets ` +
        `(${fmt(k.tcpMaxTwBuckets)}): beyond it the kernel drops them early ("time wait bucket table overflow")`,
    );
  }
  return out;
}
