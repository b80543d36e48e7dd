import { describe, expect, it } from 'vitest';
import { CheckScheduler, tickFor } from './scheduler.js';

describe('CheckScheduler', () => {
  it('runs entries in time order, batching those within a tick, and skips cancelled ones', async () => {
    const scheduler = new CheckScheduler(5);
    const order: string[] = [];
    const t0 = performance.now();
    scheduler.at(t0 + 40, () => order.push('c'));
    scheduler.at(t0 + 10, () => order.push('a'));
    const dropped = scheduler.at(t0 + 20, () => order.push('x'));
    scheduler.at(t0 + 12, () => order.push('b'));
    scheduler.cancel(dropped);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(order).toEqual(['a', 'b', 'c']);
    expect(scheduler.size).toBe(0);
    scheduler.stop();
  });

  it('re-arms for an entry earlier than the armed one, and runs entries added while firing', async () => {
    const scheduler = new CheckScheduler(5);
    const order: string[] = [];
    const t0 = performance.now();
    scheduler.at(t0 + 200, () => order.push('late'));
    scheduler.at(t0 + 10, () => {
      order.push('early');
      scheduler.at(performance.now(), () => order.push('now'));
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(order).toEqual(['early', 'now']);
    scheduler.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual(['early', 'now']);
  });

  it('keeps order over many random entries', async () => {
    const scheduler = new CheckScheduler(1);
    const seen: number[] = [];
    const t0 = performance.now();
    const offsets = Array.from({ length: 200 }, (_, i) => (i * 7919) % 100);
    for (const offset of offsets) scheduler.at(t0 + offset, () => seen.push(offset));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen).toHaveLength(200);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]! - 1);
    scheduler.stop();
  });
});

describe('tickFor', () => {
  it('is 1/50 of the shortest interval, between 1 and 20 ms', () => {
    expect(tickFor(1000)).toBe(20);
    expect(tickFor(300)).toBe(6);
    expect(tickFor(10)).toBe(1);
    expect(tickFor(60_000)).toBe(20);
  });
});
