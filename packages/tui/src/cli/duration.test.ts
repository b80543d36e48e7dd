import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';
import { parseWeight } from './weight.js';

describe('durations and weights', () => {
  it('parses what operators type', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    for (const bad of ['', '5x', 's', '5 s', '-1s']) {
      expect(() => parseDuration(bad, '--timeout')).toThrow(
        expect.objectContaining({ code: 'LB_ERR_USAGE' }),
      );
    }
  });

  it('formats durations briefly', () => {
    expect([850, 4200, 42_000, 185_000, 7_800_000, 90_000_000].map(formatDuration)).toEqual([
      '850ms',
      '4.2s',
      '42s',
      '3m05s',
      '2h10m',
      '1d1h',
    ]);
  });

  it('reads 0-256 and percentages', () => {
    expect(parseWeight('50')).toBe(50);
    expect(parseWeight('256')).toBe(256);
    expect(parseWeight('50%')).toBe('50%');
    for (const bad of ['257', '-1', '5.5', 'half', '%'])
      expect(() => parseWeight(bad)).toThrow(/weight must be/);
  });
});
