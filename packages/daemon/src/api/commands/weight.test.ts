import { describe, expect, it } from 'vitest';
import type { ServerModel } from '../../model/index.js';
import { parseWeight } from './weight.js';

const server = { initialWeight: 4 } as ServerModel;
const parse = (text: string | undefined, algorithm = 'roundrobin', hashType?: string) => {
  try {
    return parseWeight(text, server, algorithm, hashType);
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
};

describe('parseWeight (HAProxy 2.6 semantics)', () => {
  it('takes an absolute weight 0-256 or a percentage of the configured weight', () => {
    expect(parse('7')).toBe(7);
    expect(parse('+5')).toBe(5);
    expect(parse('50%')).toBe(2);
    expect(parse('30%')).toBe(1);
    expect(parse('30000%')).toBe(256);
  });

  it("refuses with HAProxy's messages", () => {
    expect(parse(undefined)).toBe('LB_ERR_BAD_ARGUMENT: Require <weight> or <weight%>.');
    expect(parse('abc')).toBe('LB_ERR_BAD_ARGUMENT: Empty weight string empty or preceded by garbage');
    expect(parse('1x')).toBe('LB_ERR_BAD_ARGUMENT: Trailing garbage in weight string');
    expect(parse('257')).toBe(
      'LB_ERR_BAD_ARGUMENT: Absolute weight can only be between 0 and 256 inclusive.',
    );
    expect(parse('-5%')).toBe('LB_ERR_BAD_ARGUMENT: Relative weight must be positive.');
  });

  it('lets a static algorithm take only 0 and the configured weight', () => {
    expect(parse('0', 'static-rr')).toBe(0);
    expect(parse('100%', 'static-rr')).toBe(4);
    expect(parse('3', 'static-rr')).toMatch(
      /^LB_ERR_STATIC_ALGORITHM: Backend is using a static LB algorithm/,
    );
    expect(parse('3', 'source')).toMatch(/^LB_ERR_STATIC_ALGORITHM/);
    expect(parse('3', 'source', 'consistent')).toBe(3);
  });
});
