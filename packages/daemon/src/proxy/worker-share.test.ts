import { describe, expect, it } from 'vitest';
import { limitShare, portRangeShare } from './worker-share.js';

describe('worker shares', () => {
  it('cuts a limit into parts that add up to it', () => {
    const parts = [0, 1, 2].map((index) => limitShare(100, { index, count: 3 }));
    expect(parts).toEqual([33, 33, 34]);
  });

  it('never leaves a worker without a connection slot', () => {
    expect(limitShare(1, { index: 0, count: 2 })).toBe(1);
  });

  it('gives each worker its own slice of a port range', () => {
    const slices = [0, 1].map((index) => portRangeShare(40000, 40999, { index, count: 2 }));
    expect(slices).toEqual([
      { low: 40000, high: 40499 },
      { low: 40500, high: 40999 },
    ]);
  });
});
