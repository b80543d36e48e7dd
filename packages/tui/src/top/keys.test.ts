import { describe, expect, it } from 'vitest';
import { activeBindings, KEY_BINDINGS, type KeyPress, resolveKey, VIEWS } from './keys.js';

/** Keys a terminal can send, to check that each reaches exactly one binding. */
const SAMPLES: KeyPress[] = [
  ...'?q123kjgG/sdrxewK'.split('').map((input) => ({ input })),
  { input: 'c', ctrl: true },
  { input: '', tab: true },
  { input: '', tab: true, shift: true },
  { input: '', upArrow: true },
  { input: '', downArrow: true },
  { input: '', leftArrow: true },
  { input: '', rightArrow: true },
  { input: '', pageUp: true },
  { input: '', pageDown: true },
  { input: '', home: true },
  { input: '', end: true },
  { input: '', escape: true },
];

describe('the key table', () => {
  it('binds every sample key once, so no binding shadows another', () => {
    for (const sample of SAMPLES) {
      const matches = KEY_BINDINGS.filter((b) => b.match(sample));
      expect(
        matches.map((m) => m.keys),
        JSON.stringify(sample),
      ).toHaveLength(1);
    }
  });

  it('asks for confirmation on every action that takes users away from a server', () => {
    const dangerous = KEY_BINDINGS.filter((b) => b.dangerous === true).map((b) => b.keys);
    expect(dangerous).toEqual(['d', 'x', 'w', 'K']);
    expect(KEY_BINDINGS.filter((b) => b.dangerous === true).every((b) => b.mutates === true)).toBe(true);
  });

  it('--read-only leaves no binding that changes the daemon', () => {
    for (const view of VIEWS) expect(activeBindings(view, true).some((b) => b.mutates === true)).toBe(false);
    expect(resolveKey({ input: 'd' }, 'servers', true)).toBeUndefined();
    expect(resolveKey({ input: 'd' }, 'servers', false)).toEqual({ type: 'action', action: 'drain' });
  });

  it('actions work in the servers view only', () => {
    expect(resolveKey({ input: 'd' }, 'events', false)).toBeUndefined();
  });

  it('pairs of keys resolve to their own direction', () => {
    expect(resolveKey({ input: '', leftArrow: true }, 'servers', false)).toEqual({
      type: 'column',
      delta: -1,
    });
    expect(resolveKey({ input: 'k' }, 'servers', false)).toEqual({ type: 'move', to: 'up' });
    expect(resolveKey({ input: '2' }, 'servers', false)).toEqual({ type: 'view', view: 'ports' });
  });
});
