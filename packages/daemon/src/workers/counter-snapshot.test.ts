import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DataPlane } from '../proxy/index.js';
import { modelWith, serverConfig } from '../proxy/test-fixtures.js';
import { CounterAggregate, deltaOf, snapshotOf } from './counter-snapshot.js';

const silent = pino({ level: 'silent' });

function worker(): DataPlane {
  return new DataPlane(modelWith([serverConfig('s1', 1)]), silent, { role: { kind: 'mirror' } });
}

describe('CounterAggregate', () => {
  it('sums workers into the mirror and keeps a gone worker totals but not its sessions', () => {
    const [a, b, mirror] = [worker(), worker(), worker()];
    const s1 = (plane: DataPlane) => plane.pools.get('be')!.servers[0]!.counters;
    for (let i = 0; i < 3; i++) s1(a).open(Date.now());
    s1(b).open(Date.now());
    s1(a).bytesIn = 300;
    s1(b).bytesIn = 100;
    const aggregate = new CounterAggregate();
    aggregate.update(1, deltaOf(undefined, snapshotOf(a)));
    aggregate.update(2, deltaOf(undefined, snapshotOf(b)));
    aggregate.writeInto(mirror);
    expect([s1(mirror).current, s1(mirror).total, s1(mirror).bytesIn]).toEqual([4, 4, 400]);
    expect(s1(mirror).max).toBe(4);

    aggregate.retire(1);
    aggregate.writeInto(mirror);
    expect([s1(mirror).current, s1(mirror).total, s1(mirror).bytesIn]).toEqual([1, 4, 400]);
  });

  it('sends only the rows that changed', () => {
    const plane = worker();
    const first = snapshotOf(plane);
    plane.pools.get('be')!.servers[0]!.counters.open(Date.now());
    const delta = deltaOf(first, snapshotOf(plane));
    expect(Object.keys(delta.servers)).toEqual(['be/s1']);
    expect(Object.keys(delta.backends)).toEqual([]);
  });
});
