import { TCP_STATES } from '@lbctl/protocol';
/**
 * TCP states as the kernel numbers them (include/net/tcp_states.h), which is
 * how /proc/net/tcp and sock_diag report them, and the names lbd shows.
 */

/** State names indexed by the kernel's number; index 0 is unused. */
export const TCP_STATE_NAMES = ['', ...TCP_STATES] as const;

/** A TCP state name, e.g. `TIME_WAIT`. */
export type TcpStateName = Exclude<(typeof TCP_STATE_NAMES)[number], ''>;

/** Slots of a per-state count array (one per kernel number, 0 unused). */
export const STATE_SLOTS = TCP_STATE_NAMES.length;

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_TIME_WAIT = 6;
export const TCP_LISTEN = 10;

/** Sockets by state name, only the states that have any (a JSON-friendly view of a count array). */
export type StateCounts = Partial<Record<TcpStateName, number>>;

/** Turns a per-state count array into {@link StateCounts}. */
export function stateCounts(counts: ArrayLike<number>): StateCounts {
  const out: StateCounts = {};
  for (let i = 1; i < STATE_SLOTS; i++) {
    const n = counts[i] ?? 0;
    if (n > 0) out[TCP_STATE_NAMES[i] as TcpStateName] = n;
  }
  return out;
}
