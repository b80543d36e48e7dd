import { describe, expect, it } from 'vitest';
import { snapshot, statRow } from '../testing/top-fixtures.js';
import { buildServerRows, infoFigures, stateKind } from './server-rows.js';

const base = { node: 0, previous: [], previousTime: undefined, initialWeights: new Map(), historyLength: 3 };

describe('stateKind', () => {
  it('reads the transition HAProxy writes after the word', () => {
    expect(stateKind('UP')).toBe('up');
    expect(stateKind('UP 1/3')).toBe('going-down');
    expect(stateKind('DOWN')).toBe('down');
    expect(stateKind('DOWN 1/2')).toBe('going-up');
    expect(stateKind('DRAIN')).toBe('drain');
    expect(stateKind('MAINT')).toBe('maint');
    expect(stateKind('MAINT (via pool/db1)')).toBe('maint');
    expect(stateKind('NOLB')).toBe('nolb');
    expect(stateKind('no check')).toBe('nocheck');
  });
});

describe('buildServerRows', () => {
  it('keeps servers only, in backend then server id order', () => {
    const rows = buildServerRows(
      snapshot(1000, [
        statRow('b', 'z', { iid: 3, sid: 1 }),
        statRow('a', 'y', { iid: 2, sid: 2 }),
        statRow('a', 'x', { iid: 2, sid: 1 }),
        { pxname: 'a', svname: 'BACKEND', type: 1 },
      ]),
      base,
    );
    expect(rows.map((r) => `${r.backend}/${r.server}`)).toEqual(['a/x', 'a/y', 'b/z']);
  });

  it('turns byte counters into per-second figures between two snapshots, and a counter reset into none', () => {
    const first = buildServerRows(snapshot(1000, [statRow('a', 'x', { bin: 1000, bout: 4000 })]), base);
    expect(first[0]!.bytesInPerSec).toBeUndefined();
    const second = buildServerRows(snapshot(3000, [statRow('a', 'x', { bin: 5000, bout: 4000 })]), {
      ...base,
      previous: first,
      previousTime: 1000,
    });
    expect(second[0]!.bytesInPerSec).toBe(2000);
    expect(second[0]!.bytesOutPerSec).toBe(0);
    const restarted = buildServerRows(snapshot(4000, [statRow('a', 'x', { bin: 10 })]), {
      ...base,
      previous: second,
      previousTime: 3000,
    });
    expect(restarted[0]!.bytesInPerSec).toBeUndefined();
  });

  it('keeps a minute of session-rate history, oldest first', () => {
    let rows = buildServerRows(snapshot(0, [statRow('a', 'x', { rate: 1 })]), base);
    for (const [t, rate] of [
      [1000, 2],
      [2000, 3],
      [3000, 4],
    ] as const) {
      rows = buildServerRows(snapshot(t, [statRow('a', 'x', { rate })]), {
        ...base,
        previous: rows,
        previousTime: t - 1000,
      });
    }
    expect(rows[0]!.rateHistory).toEqual([2, 3, 4]);
  });

  it('reads limits, queue, errors, backup and the configured weight', () => {
    const [row] = buildServerRows(
      snapshot(0, [
        statRow('a', 'x', { slim: 20, scur: 5, qcur: 2, econ: 3, wretr: 4, wredis: 1, bck: 1, weight: 2 }),
      ]),
      { ...base, initialWeights: new Map([['a/x', 4]]) },
    );
    expect(row).toMatchObject({
      limit: 20,
      sessions: 5,
      queue: 2,
      connectErrors: 3,
      retries: 4,
      redispatches: 1,
    });
    expect(row).toMatchObject({ backup: true, weight: 2, initialWeight: 4 });
    const [unlimited] = buildServerRows(snapshot(0, [statRow('a', 'x')]), base);
    expect(unlimited!.limit).toBeUndefined();
  });
});

describe('infoFigures', () => {
  it("reads the header's figures from show info", () => {
    expect(infoFigures(snapshot(0, []).info)).toEqual({
      name: 'lb-a',
      version: '0.1.0',
      pid: 4242,
      uptimeSec: 3723,
      currentConns: 12,
      maxConns: 2000,
      connRate: 5,
    });
  });
});
