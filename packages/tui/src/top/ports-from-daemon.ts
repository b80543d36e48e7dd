import type { PortsPairReport, PortsReport, TcpStateCounts } from '@lbctl/protocol';
import type { PortPairReport, PortsUpdate } from './ports-model.js';

/** Sockets in states other than ESTABLISHED and TIME_WAIT (SYN_SENT, FIN_WAIT*, CLOSE_WAIT...). */
function otherStates(states: TcpStateCounts): number {
  let n = 0;
  for (const [state, count] of Object.entries(states)) {
    if (state !== 'ESTABLISHED' && state !== 'TIME_WAIT') n += count ?? 0;
  }
  return n;
}

function pairOf(pair: PortsPairReport): PortPairReport {
  return {
    source: pair.source,
    destination: pair.destination,
    servers: pair.servers,
    established: pair.states.ESTABLISHED ?? 0,
    timeWait: pair.states.TIME_WAIT ?? 0,
    other: otherStates(pair.states),
    used: pair.inUse,
    // The ports the pair may use: its `source` range, else ip_local_port_range less the reserved ports.
    range: pair.usable,
    newPerSec: pair.connectRate,
    exhaustionSec: pair.exhaustionSeconds,
    level: pair.level,
  };
}

/**
 * The daemon's ports report (`show-ports`, topic `ports-report`) in the
 * dashboard's terms: every pair with its sockets by state, the kernel
 * settings, and the TIME_WAIT total. It is the whole list: it replaces the
 * pairs the dashboard had.
 */
export function portsUpdateFromReport(report: PortsReport): PortsUpdate {
  const k = report.kernel;
  return {
    time: report.time,
    complete: true,
    kernel: {
      portRange: { low: k.ipLocalPortRange.low, high: k.ipLocalPortRange.high },
      tcpTwReuse: k.tcpTwReuse,
      tcpFinTimeoutS: k.tcpFinTimeoutS,
      tcpMaxTwBuckets: k.tcpMaxTwBuckets,
    },
    timeWaitTotal: k.timeWait,
    pairs: report.pairs.map(pairOf),
  };
}
