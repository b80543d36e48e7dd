import { describe, expect, it } from 'vitest';
import { PortRing } from './port-ring.js';

const delays = { timeWaitMs: 60_000, refusedMs: 30_000 };

describe('PortRing', () => {
  it('hands out every port of the range once, then none', () => {
    const ring = new PortRing(40000, 40003, delays);
    const taken = [0, 1, 2, 3].map(() => ring.take(0));
    expect(taken).toEqual([40000, 40001, 40002, 40003]);
    expect(ring.take(0)).toBe(-1);
    expect(ring.live).toBe(4);
    expect(ring.inUse).toBe(4);
  });

  it('reuses a port the server closed first at once, oldest first', () => {
    const ring = new PortRing(1, 3, delays);
    for (let i = 0; i < 3; i++) ring.take(0);
    ring.give(2, 'free', 10);
    ring.give(1, 'free', 11);
    expect(ring.take(12)).toBe(2);
    expect(ring.take(12)).toBe(1);
    expect(ring.take(12)).toBe(-1);
  });

  it('keeps a port lbd closed first away from the server for the TIME_WAIT', () => {
    const ring = new PortRing(1, 2, delays);
    ring.take(0);
    ring.take(0);
    ring.give(1, 'time-wait', 1000);
    expect(ring.coolingTimeWait).toBe(1);
    expect(ring.inUse).toBe(2);
    expect(ring.take(60_999)).toBe(-1);
    expect(ring.take(61_000)).toBe(1);
  });

  it('prefers a free port to one still cooling, and cools refused ports on their own delay', () => {
    const ring = new PortRing(1, 3, delays);
    for (let i = 0; i < 3; i++) ring.take(0);
    ring.give(1, 'time-wait', 0);
    ring.give(2, 'refused', 0);
    ring.give(3, 'free', 0);
    expect(ring.take(100_000)).toBe(3);
    expect(ring.take(100_000)).toBe(1);
    expect(ring.take(100_000)).toBe(2);
    const early = new PortRing(1, 1, delays);
    early.take(0);
    early.give(1, 'refused', 0);
    expect(early.take(29_999)).toBe(-1);
    expect(early.take(30_000)).toBe(1);
  });

  it('stays O(1) and correct over a full 64K range with churn', () => {
    const ring = new PortRing(1, 65535, delays);
    const held: number[] = [];
    for (let i = 0; i < 65535; i++) held.push(ring.take(0));
    expect(new Set(held).size).toBe(65535);
    expect(ring.take(0)).toBe(-1);
    for (const port of held) ring.give(port, 'time-wait', 5);
    expect(ring.take(60_004)).toBe(-1);
    expect(ring.take(60_005)).toBe(held[0]);
    expect(ring.inUse).toBe(65535);
  });
});

describe('PortRing.avoid', () => {
  it('skips never-used ports the kernel holds, and offers them once cooled', () => {
    const ring = new PortRing(1, 5, delays);
    expect(ring.take(0)).toBe(1);
    // 1 is lbd's own (taken) and 9 out of range: left alone. 2 is in TIME_WAIT, 3 someone's connection.
    for (const [port, timeWait] of [
      [1, false],
      [2, true],
      [3, false],
      [9, false],
    ] as const)
      ring.avoid(port, timeWait, 0);
    expect(ring.take(0)).toBe(4);
    expect(ring.take(0)).toBe(5);
    expect(ring.take(0)).toBe(-1);
    expect(ring.inUse).toBe(5);
    expect(ring.take(30_000)).toBe(3);
    expect(ring.take(30_000)).toBe(-1);
    expect(ring.take(60_000)).toBe(2);
  });
});
