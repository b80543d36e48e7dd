import { describe, expect, it } from 'vitest';
import { TOPICS } from './commands.js';
import { EVENT_TOPICS, type PortsReportEvent } from './events.js';
import type { Push } from './messages.js';
import type { PortsReport } from './ports.js';
import { PORTS_REPORT_SCHEMA } from './ports-schema.js';
import { PROTOCOL_SCHEMA } from './schema.js';
import { validateSchema } from './validate.js';

/** A report as lbd builds it: one managed pair under pressure, one pair the kernel chooses for. */
function report(): PortsReport {
  return {
    time: 1_700_000_000_000,
    intervalMs: 5000,
    scan: { reader: 'sock_diag', sockets: 1210, durationMs: 4.2, cpuMs: 3.1, cpuPct: 0.1 },
    kernel: {
      ipLocalPortRange: { low: 32768, high: 60999 },
      ipLocalReservedPorts: [{ low: 40000, high: 40099 }],
      usableEphemeralPorts: 28132,
      tcpTwReuse: 2,
      tcpTwReuseDelayMs: 1000,
      tcpFinTimeoutS: 60,
      tcpMaxTwBuckets: 262144,
      tcpTimestamps: 1,
      timeWait: 250,
    },
    fds: { inUse: 40, limit: 20000, maxsock: 8300, maxconn: 4096, headroomPct: 99.8 },
    level: 'warning',
    pairs: [
      {
        source: '127.0.0.2',
        destination: '127.0.0.1:3306',
        servers: ['mysql/db1', 'replicas/db1'],
        mode: 'managed',
        range: { low: 40000, high: 40999 },
        usable: 1000,
        inUse: 850,
        headroom: 150,
        headroomPct: 15,
        states: { ESTABLISHED: 600, TIME_WAIT: 250 },
        managed: { live: 600, coolingTimeWait: 250, coolingRefused: 0 },
        connectRate: 12.5,
        refusals: 0,
        steadyStateInUse: 1350,
        exhaustionSeconds: 17,
        level: 'warning',
        advice: ['add source addresses'],
      },
      {
        source: '*',
        destination: '[::1]:5432',
        servers: ['pg/pg1'],
        mode: 'kernel-connect',
        range: { low: 32768, high: 60999 },
        usable: 28132,
        inUse: 0,
        headroom: 28132,
        headroomPct: 100,
        states: {},
        managed: null,
        connectRate: 0,
        refusals: 0,
        steadyStateInUse: 0,
        exhaustionSeconds: null,
        level: 'ok',
        advice: [],
      },
    ],
    sources: [
      {
        source: '127.0.0.2',
        pairs: 1,
        sockets: 850,
        states: { ESTABLISHED: 600, TIME_WAIT: 250 },
        connectRate: 12.5,
        minHeadroomPct: 15,
      },
    ],
    servers: [
      {
        backend: 'mysql',
        server: 'db1',
        destination: '127.0.0.1:3306',
        mode: 'managed',
        sources: ['127.0.0.2'],
        connectRate: 12.5,
        sourcePortFailures: 0,
      },
    ],
  };
}

const PUSH = { $ref: '#/$defs/push' };
const validPush = (push: unknown) => validateSchema(PUSH, push, PROTOCOL_SCHEMA);

describe('the ports report in the protocol', () => {
  it('has a topic of its own after the existing ones, and is not one of the LbEvent topics', () => {
    expect(TOPICS.slice(0, 6)).toEqual(['stats', 'server', 'admin', 'check', 'reload', 'ports']);
    expect(TOPICS.at(-1)).toBe('ports-report');
    expect([...EVENT_TOPICS]).toEqual(TOPICS.filter((t) => t !== 'stats' && t !== 'ports-report'));
  });

  it('validates as the result of show-ports', () => {
    expect(validateSchema(PORTS_REPORT_SCHEMA, report())).toBeUndefined();
    const result = { $ref: '#/$defs/results/show-ports' };
    expect(validateSchema(result, report(), PROTOCOL_SCHEMA)).toBeUndefined();
  });

  it('validates as a push on topic ports-report, the report with its topic', () => {
    const data: PortsReportEvent = { topic: 'ports-report', ...report() };
    const push: Push = { subscription: 2, topic: 'ports-report', data };
    expect(validPush(push)).toBeUndefined();
  });

  it('names what is wrong in a malformed report', () => {
    const data = { topic: 'ports-report', ...report() };
    const { pairs: _pairs, ...withoutPairs } = data;
    expect(validPush({ subscription: 2, topic: 'ports-report', data: withoutPairs })).toEqual({
      path: '$.data',
      message: "missing required property 'pairs'",
    });
    const badState = structuredClone(data);
    (badState.pairs[0]!.states as Record<string, number>).TIME_WAITING = 3;
    expect(validPush({ subscription: 2, topic: 'ports-report', data: badState })?.path).toBe(
      '$.data.pairs[0].states.TIME_WAITING',
    );
    const negative = structuredClone(data);
    negative.pairs[0]!.inUse = -1;
    expect(validPush({ subscription: 2, topic: 'ports-report', data: negative })?.path).toBe(
      '$.data.pairs[0].inUse',
    );
  });

  it('keeps the ports topic to pressure alerts: a report pushed there is refused', () => {
    const alert = {
      topic: 'ports',
      time: 1,
      source: '127.0.0.2',
      destination: '127.0.0.1:3306',
      used: 850,
      available: 150,
      level: 'warning',
    };
    expect(validPush({ subscription: 2, topic: 'ports', data: alert })).toBeUndefined();
    const misplaced = { subscription: 2, topic: 'ports', data: { topic: 'ports-report', ...report() } };
    expect(validPush(misplaced)).toBeDefined();
  });
});
