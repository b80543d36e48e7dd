import { describe, expect, it } from 'vitest';
import { HealthEvents } from './events.js';
import { PassiveHealth } from './passive.js';

const event = (to: string) => ({
  backend: 'be',
  server: 's1',
  from: 'UP',
  to,
  reason: 'test',
  source: 'check' as const,
});

describe('HealthEvents', () => {
  it('numbers events, tells subscribers, and keeps only the newest ones', () => {
    const events = new HealthEvents(3);
    const seen: string[] = [];
    const unsubscribe = events.subscribe((e) => seen.push(`${e.seq}:${e.to}`));
    for (const to of ['A', 'B', 'C', 'D']) events.publish(event(to));
    unsubscribe();
    events.publish(event('E'));
    expect(seen).toEqual(['1:A', '2:B', '3:C', '4:D']);
    expect(events.recent().map((e) => e.to)).toEqual(['C', 'D', 'E']);
    expect(events.recent(4).map((e) => e.to)).toEqual(['E']);
    expect(events.recent(0, 1).map((e) => e.to)).toEqual(['E']);
    expect(events.lastSeq).toBe(5);
  });

  it('keeps publishing when a subscriber throws', () => {
    const events = new HealthEvents();
    events.subscribe(() => {
      throw new Error('broken subscriber');
    });
    let got = 0;
    events.subscribe(() => got++);
    events.publish(event('DOWN'));
    expect(got).toBe(1);
  });
});

describe('PassiveHealth (observe layer4)', () => {
  it('acts after error-limit errors in a row; a good connection starts over', () => {
    const passive = new PassiveHealth(3, 'mark-down');
    expect(passive.observe('connect-refused')).toBeUndefined();
    expect(passive.observe('connect-timeout')).toBeUndefined();
    expect(passive.observe('connected')).toBeUndefined();
    expect(passive.observe('connect-refused')).toBeUndefined();
    expect(passive.observe('connect-refused')).toBeUndefined();
    expect(passive.observe('connect-refused')).toEqual({
      action: 'mark-down',
      count: 3,
      text: '3 consecutive errors on live traffic, last: connection refused',
    });
    expect(passive.observe('connect-refused')).toBeUndefined();
  });

  it('counts a connection the server accepts and then resets as an error', () => {
    const passive = new PassiveHealth(2, 'fail-check');
    passive.observe('connected');
    expect(passive.observe('server-reset')).toBeUndefined();
    passive.observe('connected');
    expect(passive.observe('server-reset')?.count).toBe(2);
  });

  it('starts over after a passed check', () => {
    const passive = new PassiveHealth(2, 'fail-check');
    passive.observe('connect-refused');
    passive.reset();
    expect(passive.observe('connect-refused')).toBeUndefined();
  });
});
