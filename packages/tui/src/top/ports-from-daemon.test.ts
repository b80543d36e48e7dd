import { describe, expect, it } from 'vitest';
import { helloResult, portsReport, snapshot, statRow } from '../testing/top-fixtures.js';
import { portsUpdateFromReport } from './ports-from-daemon.js';
import { type TopAction, topReducer } from './reducer.js';
import { initialState, type TopState } from './state.js';
import { serverLines } from './views.js';

function build(actions: TopAction[]): TopState {
  return actions.reduce(
    topReducer,
    initialState({ targets: ['/run/lbd/admin.sock'], now: 10_000, size: { columns: 120, rows: 30 } }),
  );
}

/** A user-level connection: the stats rows carry no server address. */
const ROWS = [statRow('mysql', 'db1', { sid: 1, addr: '' }), statRow('mysql', 'db2', { sid: 2, addr: '' })];

const connected: TopAction[] = [
  { type: 'connected', node: 0, hello: helloResult(), time: 0 },
  { type: 'stats', node: 0, snapshot: snapshot(10_000, ROWS) },
];

describe('the daemon ports report in the dashboard', () => {
  it('maps each pair: sockets by state, ports used of the usable range, rate, projection, servers', () => {
    const update = portsUpdateFromReport(portsReport());
    expect(update).toMatchObject({
      time: 10_000,
      complete: true,
      timeWaitTotal: 26_700,
      kernel: {
        portRange: { low: 32768, high: 60999 },
        tcpTwReuse: 0,
        tcpFinTimeoutS: 60,
        tcpMaxTwBuckets: 262144,
      },
    });
    expect(update.pairs).toEqual([
      {
        source: '127.0.0.2',
        destination: '127.0.0.1:3306',
        servers: ['mysql/db1'],
        established: 100,
        timeWait: 20,
        other: 0,
        used: 120,
        range: 28232,
        newPerSec: 1,
        exhaustionSec: null,
        level: 'ok',
      },
      {
        source: '127.0.0.3',
        destination: '127.0.0.1:3306',
        servers: ['mysql/db1'],
        established: 200,
        timeWait: 26_680,
        other: 20,
        used: 26_900,
        range: 28232,
        newPerSec: 450,
        exhaustionSec: 90,
        level: 'critical',
      },
    ]);
  });

  it("fills the ports model with the daemon's names and projection, replacing what alerts had put", () => {
    const state = build([
      ...connected,
      {
        type: 'event',
        node: 0,
        event: {
          topic: 'ports',
          time: 9000,
          source: '10.9.9.9',
          destination: '10.0.0.1:1',
          used: 1,
          available: 9,
          level: 'ok',
        },
      },
      { type: 'ports', node: 0, report: portsUpdateFromReport(portsReport()) },
    ]);
    const ports = state.nodes[0]!.ports!;
    expect(ports.timeWaitTotal).toBe(26_700);
    expect(ports.pairs.map((p) => [p.source, p.server, p.exhaustionSec, p.level])).toEqual([
      ['127.0.0.2', 'mysql/db1', undefined, 'ok'],
      ['127.0.0.3', 'mysql/db1', 90, 'critical'],
    ]);
  });

  it('keeps the full figures when an alert of the same scan comes after a report', () => {
    const state = build([
      ...connected,
      { type: 'ports', node: 0, report: portsUpdateFromReport(portsReport()) },
      {
        type: 'event',
        node: 0,
        event: {
          topic: 'ports',
          time: 10_000,
          source: '127.0.0.3',
          destination: '127.0.0.1:3306',
          used: 26_900,
          available: 1332,
          level: 'critical',
        },
      },
    ]);
    // The alert is in the events view; the pair keeps its sockets by state.
    expect(state.events[0]).toMatchObject({ kind: 'ports', severity: 'error' });
    expect(state.nodes[0]!.ports!.pairs[1]).toMatchObject({ established: 200, timeWait: 26_680, other: 20 });
  });

  it("gives the servers view each server's TIME_WAIT and busiest pair by name, without addresses", () => {
    const state = build([
      ...connected,
      { type: 'ports', node: 0, report: portsUpdateFromReport(portsReport()) },
    ]);
    const byServer = serverLines(state).map((l) => [l.row.server, l.timeWait, l.portsUsed, l.portsRange]);
    expect(byServer).toEqual([
      ['db1', 26_700, 26_900, 28232],
      ['db2', undefined, undefined, undefined],
    ]);
  });

  it("forgets a restarted daemon's ports until its first report", () => {
    const state = build([
      ...connected,
      { type: 'ports', node: 0, report: portsUpdateFromReport(portsReport()) },
      { type: 'connected', node: 0, hello: helloResult(999), time: 20_000 },
    ]);
    expect(state.nodes[0]!.ports).toBeUndefined();
  });
});
