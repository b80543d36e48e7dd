import { TIME_WAIT_MS } from '../proxy/port-ring.js';
import type { CoolingPolicy } from '../proxy/source-address.js';
import { type KernelPortSettings, timeWaitReusable } from './kernel-settings.js';

/**
 * How long a port lbd picked stays away from a server after lbd closed
 * first, following the kernel's own rule for its choices: the whole
 * TIME_WAIT, or `tcp_tw_reuse_delay` where `tcp_tw_reuse` applies.
 *
 * Measured on Linux 6.18 (a netns per setting): for a socket bound to an
 * explicit port, connect() reuses a TIME_WAIT tuple at once whenever TCP
 * timestamps are on, whatever `tcp_tw_reuse` says (the kernel checks the
 * setting only for ports it picks itself); without timestamps it refuses
 * (EADDRNOTAVAIL). lbd still keeps a tuple out of use for the TIME_WAIT
 * unless the operator enabled reuse: a range then never hands out a tuple
 * still in TIME_WAIT, and never depends on the peer's timestamps.
 */
export function coolingPolicyFor(settings: KernelPortSettings): CoolingPolicy {
  const reuseMs = Math.max(0, settings.tcpTwReuseDelayMs);
  return {
    timeWaitMs: (source, serverHost) =>
      timeWaitReusable(settings, source, serverHost) ? reuseMs : TIME_WAIT_MS,
    refusedMs: TIME_WAIT_MS,
  };
}
