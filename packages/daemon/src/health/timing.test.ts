import { describe, expect, it } from 'vitest';
import { CheckState } from '../model/index.js';
import { modelWith, serverConfig } from '../proxy/test-fixtures.js';
import { checkTimeouts, countResult, currentInterval, nextStart, spread } from './timing.js';

function walk(check: CheckState, outcomes: ('pass' | 'fail' | 'condpass')[]): number[] {
  return outcomes.map((o) => {
    countResult(check, o);
    return check.health;
  });
}

describe('the health counter, as HAProxy counts', () => {
  it('starts at rise: the first failure is DOWN, the first success is fully UP', () => {
    const c = new CheckState(true, 2, 3);
    expect(c.health).toBe(2);
    expect(walk(new CheckState(true, 2, 3), ['fail'])).toEqual([0]);
    expect(walk(new CheckState(true, 2, 3), ['pass'])).toEqual([4]);
  });

  it('needs fall failures from the top to go DOWN and rise successes from 0 to come UP', () => {
    const c = new CheckState(true, 2, 3);
    countResult(c, 'pass');
    expect(walk(c, ['fail', 'fail', 'fail'])).toEqual([3, 2, 0]);
    expect(walk(c, ['pass', 'pass'])).toEqual([1, 4]);
    expect(walk(c, ['fail', 'pass'])).toEqual([3, 4]);
  });

  it('counts chkfail only while not already DOWN', () => {
    const c = new CheckState(true, 2, 3);
    walk(c, ['fail', 'fail', 'fail']);
    expect(c.failures).toBe(1);
  });

  it('counts a conditional pass as a success', () => {
    const c = new CheckState(true, 3, 2);
    expect(walk(c, ['fail', 'condpass', 'condpass', 'condpass'])).toEqual([0, 1, 2, 4]);
  });
});

describe('check intervals', () => {
  const model = modelWith([
    serverConfig('s', 1, { check: true, inter: 1000, fastinter: 200, downinter: 5000 }),
  ]);
  const server = model.findServer('be', 's')!;

  it('uses inter fully UP, fastinter while changing, downinter fully DOWN', () => {
    server.check.health = server.check.maxHealth;
    expect(currentInterval(server)).toBe(1000);
    server.check.health = 2;
    expect(currentInterval(server)).toBe(200);
    server.setHealth('down', 'test');
    server.check.health = 0;
    expect(currentInterval(server)).toBe(5000);
    server.check.health = 1;
    expect(currentInterval(server)).toBe(200);
  });

  it('spreads by at most spread-checks percent either way', () => {
    expect(spread(1000, 0, () => 0.9)).toBe(1000);
    expect(spread(1000, 5, () => 0)).toBe(1050);
    expect(spread(1000, 5, () => 0.999999)).toBeCloseTo(950, 1);
  });

  it('keeps a fixed cadence and skips slots already past', () => {
    expect(nextStart(1000, 500, 1200)).toBe(1500);
    expect(nextStart(1000, 500, 2600)).toBe(3000);
  });
});

describe('timeout check and timeout connect', () => {
  it('without timeout check, inter bounds the whole check', () => {
    expect(checkTimeouts(2000, { connect: 5000 })).toEqual({
      connectMs: 2000,
      readAfterConnectMs: undefined,
      overallMs: 2000,
    });
  });

  it('with timeout check, connect takes min(timeout connect, inter) and reading timeout check more', () => {
    expect(checkTimeouts(2000, { connect: 5000, check: 700 })).toMatchObject({
      connectMs: 2000,
      readAfterConnectMs: 700,
    });
    expect(checkTimeouts(2000, { connect: 300, check: 700 })).toMatchObject({
      connectMs: 300,
      readAfterConnectMs: 700,
    });
    expect(checkTimeouts(2000, { check: 700 }).connectMs).toBe(2000);
  });
});
