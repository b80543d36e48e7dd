import type { JsonSchema } from './commands.js';
import { TCP_STATES } from './ports.js';

/**
 * The JSON Schema of the ports report (`show-ports`' result and the
 * `ports-report` topic's pushes), field for field as `ports.ts` types it.
 * Strict (`additionalProperties: false` everywhere) so a field the daemon
 * adds without documenting it fails the schema tests rather than reaching
 * clients unannounced.
 */

const STR = { type: 'string' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
/** Rates, percentages and durations: fractional, never negative. */
const AMOUNT = { type: 'number', minimum: 0 } as const;
const PORT = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const LEVEL = { enum: ['ok', 'warning', 'critical'] } as const;
const MODE = { enum: ['managed', 'kernel-bind', 'kernel-connect'] } as const;

function object(properties: Record<string, JsonSchema>, required = Object.keys(properties)): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Sockets by state: only the states that have any, so none is required. */
const STATE_COUNTS = object(Object.fromEntries(TCP_STATES.map((state) => [state, COUNT])), []);

const SPAN = object({ low: PORT, high: PORT });

const PAIR = object({
  source: STR,
  destination: STR,
  servers: { type: 'array', items: STR },
  mode: MODE,
  range: SPAN,
  usable: COUNT,
  inUse: COUNT,
  headroom: COUNT,
  headroomPct: AMOUNT,
  states: STATE_COUNTS,
  managed: {
    anyOf: [object({ live: COUNT, coolingTimeWait: COUNT, coolingRefused: COUNT }), { type: 'null' }],
  },
  connectRate: AMOUNT,
  refusals: COUNT,
  steadyStateInUse: COUNT,
  exhaustionSeconds: { anyOf: [COUNT, { type: 'null' }] },
  level: LEVEL,
  advice: { type: 'array', items: STR },
});

const SOURCE = object({
  source: STR,
  pairs: COUNT,
  sockets: COUNT,
  states: STATE_COUNTS,
  connectRate: AMOUNT,
  minHeadroomPct: AMOUNT,
});

const SERVER = object({
  backend: STR,
  server: STR,
  destination: STR,
  mode: MODE,
  sources: { type: 'array', items: STR },
  connectRate: AMOUNT,
  sourcePortFailures: COUNT,
});

/** The report's properties but `time` (events add their own `topic` and `time`). */
export const PORTS_REPORT_PROPERTIES: Readonly<Record<string, JsonSchema>> = {
  intervalMs: COUNT,
  scan: object({
    reader: { enum: ['sock_diag', 'procfs'] },
    sockets: COUNT,
    durationMs: AMOUNT,
    cpuMs: AMOUNT,
    cpuPct: AMOUNT,
  }),
  kernel: object({
    ipLocalPortRange: SPAN,
    ipLocalReservedPorts: { type: 'array', items: SPAN },
    usableEphemeralPorts: COUNT,
    tcpTwReuse: COUNT,
    tcpTwReuseDelayMs: COUNT,
    tcpFinTimeoutS: COUNT,
    tcpMaxTwBuckets: COUNT,
    tcpTimestamps: COUNT,
    timeWait: COUNT,
  }),
  fds: object({
    inUse: COUNT,
    limit: COUNT,
    maxsock: COUNT,
    maxconn: COUNT,
    // Negative when more descriptors are open than the limit allows (a lowered limit).
    headroomPct: { type: 'number' },
  }),
  level: LEVEL,
  pairs: { type: 'array', items: PAIR },
  sources: { type: 'array', items: SOURCE },
  servers: { type: 'array', items: SERVER },
};

/** The JSON Schema of a {@link PortsReport}. */
export const PORTS_REPORT_SCHEMA: JsonSchema = {
  title: 'PortsReport',
  description: 'Source-port and file-descriptor use per (source address -> server) pair (`show-ports`).',
  ...object({ time: { type: 'integer', minimum: 0 }, ...PORTS_REPORT_PROPERTIES }),
};
