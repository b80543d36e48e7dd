import { describe, expect, it } from 'vitest';
import {
  ASCII_GLYPHS,
  bar,
  formatBytesRate,
  formatDuration,
  formatQuantity,
  glyphsFor,
  sparkline,
  UNICODE_GLYPHS,
} from './format.js';

describe('format', () => {
  it('writes durations in at most six cells', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(303)).toBe('5m03s');
    expect(formatDuration(7380)).toBe('2h03m');
    expect(formatDuration(90000)).toBe('1d01h');
    expect(formatDuration(undefined)).toBe('-');
  });

  it('writes counts and byte rates in at most five cells', () => {
    expect(formatQuantity(999)).toBe('999');
    expect(formatQuantity(1234)).toBe('1.2K');
    expect(formatQuantity(56_789_000)).toBe('57M');
    expect(formatQuantity(0.5)).toBe('0.5');
    expect(formatBytesRate(2048)).toBe('2.0K');
    expect(formatQuantity(undefined)).toBe('-');
  });

  it('draws bars and sparklines to the width asked', () => {
    expect(bar(5, 10, 8, UNICODE_GLYPHS)).toBe('████░░░░');
    expect(bar(1, 1000, 4, ASCII_GLYPHS)).toBe('#...');
    expect(sparkline([0, 1, 2, 4], 6, UNICODE_GLYPHS)).toBe('  ▁▃▅█');
    expect(sparkline([0, 0], 2, ASCII_GLYPHS)).toBe('__');
  });

  it('uses ASCII when the locale is not UTF-8', () => {
    expect(glyphsFor({ LANG: 'en_US.UTF-8' })).toBe(UNICODE_GLYPHS);
    expect(glyphsFor({ LC_ALL: 'C' })).toBe(ASCII_GLYPHS);
    expect(glyphsFor({})).toBe(ASCII_GLYPHS);
  });
});
