import { describe, expect, test } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('editDistance', () => {
  test('counts a swap of neighbours as one edit', () => {
    expect(editDistance('mode', 'mode')).toBe(0);
    expect(editDistance('mdoe', 'mode')).toBe(1);
    expect(editDistance('roundrobbin', 'roundrobin')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('suggest', () => {
  const candidates = [
    'mode',
    'mode tcp',
    'mode http',
    'option httplog',
    'option tcplog',
    'timeout connect',
    'maxconn',
  ];

  test('finds words run together', () => {
    expect(suggest(['modetcp'], candidates)).toBe('mode tcp');
  });

  test('finds misspelled phrases', () => {
    expect(suggest(['option', 'httddplog'], candidates)).toBe('option httplog');
    expect(suggest(['timeout', 'connnect', '5s'], candidates)).toBe('timeout connect');
    expect(suggest(['maxcon', '10'], candidates)).toBe('maxconn');
  });

  test('stays quiet when nothing is close', () => {
    expect(suggest(['frobnicate'], candidates)).toBeUndefined();
    expect(suggest(['xy'], candidates)).toBeUndefined();
  });
});
