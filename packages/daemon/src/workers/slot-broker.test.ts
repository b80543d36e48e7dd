import { describe, expect, it } from 'vitest';
import { SlotBroker } from './slot-broker.js';

function brokerWithLog() {
  const sent: string[] = [];
  const broker = new SlotBroker({
    grant: (worker, key, count) => sent.push(`grant ${worker} ${key} ${count}`),
    reclaim: (worker, key, count) => sent.push(`reclaim ${worker} ${key} ${count}`),
  });
  broker.configure(new Map([['be/s1', 5]]));
  return { broker, sent };
}

describe('SlotBroker', () => {
  it('leases fair shares that add up to maxconn', () => {
    const { broker } = brokerWithLog();
    const a = broker.join(1, { index: 0, count: 2 });
    const b = broker.join(2, { index: 1, count: 2 });
    expect(a['be/s1']! + b['be/s1']!).toBe(5);
    expect([a['be/s1'], b['be/s1']]).toEqual([2, 3]);
  });

  it('gives a worker with a queue the slots another gives back, never more than maxconn', () => {
    const { broker, sent } = brokerWithLog();
    broker.join(1, { index: 0, count: 2 });
    broker.join(2, { index: 1, count: 2 });
    broker.need(1, 'be/s1', 2);
    expect(sent).toEqual(['reclaim 2 be/s1 2']);
    broker.release(2, 'be/s1', 1);
    expect(sent.at(-1)).toBe('grant 1 be/s1 1');
    expect(broker.leaseOf(1, 'be/s1') + broker.leaseOf(2, 'be/s1')).toBe(5);
    broker.release(2, 'be/s1', 1);
    // Served in full: the outstanding reclaim requests are cancelled.
    expect(sent.slice(-3)).toEqual(['grant 1 be/s1 1', 'reclaim 1 be/s1 0', 'reclaim 2 be/s1 0']);
    expect([broker.leaseOf(1, 'be/s1'), broker.leaseOf(2, 'be/s1')]).toEqual([4, 1]);
  });

  it('hands the leases of a worker that left to the one waiting', () => {
    const { broker, sent } = brokerWithLog();
    broker.join(1, { index: 0, count: 2 });
    broker.join(2, { index: 1, count: 2 });
    broker.need(1, 'be/s1', 10);
    broker.leave(2);
    expect(sent).toContain('grant 1 be/s1 3');
    expect(broker.leaseOf(1, 'be/s1')).toBe(5);
  });

  it('starts a new generation with only the slots the old one does not hold', () => {
    const { broker } = brokerWithLog();
    broker.join(1, { index: 0, count: 1 });
    expect(broker.join(2, { index: 0, count: 1 })).toEqual({ 'be/s1': 0 });
    broker.release(1, 'be/s1', 5);
    broker.need(2, 'be/s1', 1);
    expect(broker.leaseOf(2, 'be/s1')).toBe(1);
  });
});
