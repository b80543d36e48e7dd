import { describe, expect, it } from 'vitest';
import { RateCounter, SlidingAverage } from './counters.js';

describe('RateCounter', () => {
  it('counts events of the last second, fading the previous second out', () => {
    const rate = new RateCounter();
    const base = 1_000_000_000_000; // a whole second
    for (let i = 0; i < 10; i++) rate.hit(base + i);
    expect(rate.read(base + 999)).toBe(10);
    expect(rate.read(base + 1500)).toBe(5);
    expect(rate.read(base + 2500)).toBe(0);
    expect(rate.max).toBe(10);
  });
});

describe('SlidingAverage', () => {
  it('averages the samples seen and keeps the maximum', () => {
    const average = new SlidingAverage();
    expect(average.value).toBe(0);
    for (const v of [10, 20, 30]) average.add(v);
    expect(average.value).toBe(20);
    expect(average.max).toBe(30);
  });
});
