import { describe, expect, test } from 'vitest';
import { MAX_DURATION_MS, parseDuration, parseInteger, parseOctalMode } from './units.js';

describe('parseDuration', () => {
  test.each([
    ['5s', 5000],
    ['500ms', 500],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['100us', 1],
    ['1000us', 1],
    ['1001us', 2],
    ['0us', 0],
    ['0', 0],
    ['2000', 2000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  test('a bare number can mean seconds where HAProxy says so', () => {
    expect(parseDuration('10', 's')).toEqual({ ok: true, value: 10_000 });
    expect(parseDuration('10ms', 's')).toEqual({ ok: true, value: 10 });
  });

  test.each(['5x', '', 's', '1.5s', '5 s', '5S', '1e3', '0x10'])('%j is refused', (text) => {
    expect(parseDuration(text)).toMatchObject({ ok: false });
  });

  test('negative and overflowing durations are refused with a reason', () => {
    expect(parseDuration('-5s')).toEqual({ ok: false, reason: 'a duration cannot be negative' });
    expect(parseDuration(`${MAX_DURATION_MS}`)).toEqual({ ok: true, value: MAX_DURATION_MS });
    expect(parseDuration('25d')).toMatchObject({ ok: false, reason: expect.stringContaining('too long') });
  });
});

describe('parseInteger', () => {
  test('accepts plain decimal integers within the range', () => {
    expect(parseInteger('4096')).toEqual({ ok: true, value: 4096 });
    expect(parseInteger('0', 0, 256)).toEqual({ ok: true, value: 0 });
    expect(parseInteger('256', 0, 256)).toEqual({ ok: true, value: 256 });
  });

  test('refuses suffixes, signs and values out of range', () => {
    expect(parseInteger('10k')).toEqual({ ok: false, reason: 'expected an integer (0 or more)' });
    expect(parseInteger('-1')).toEqual({ ok: false, reason: 'cannot be negative' });
    expect(parseInteger('257', 0, 256)).toEqual({ ok: false, reason: 'out of range (0 to 256)' });
    expect(parseInteger('0', 1)).toEqual({ ok: false, reason: 'out of range (1 or more)' });
    expect(parseInteger('99999999999999999999')).toMatchObject({ ok: false });
  });
});

describe('parseOctalMode', () => {
  test('reads octal file modes', () => {
    expect(parseOctalMode('600')).toEqual({ ok: true, value: 0o600 });
    expect(parseOctalMode('0660')).toEqual({ ok: true, value: 0o660 });
    expect(parseOctalMode('800')).toMatchObject({ ok: false });
  });
});
