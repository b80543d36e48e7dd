import { describe, expect, it } from 'vitest';
import { toAnsi } from './ansi.js';

const E = '\u001b[';

describe('toAnsi', () => {
  it('styles each segment and cuts the line at its width', () => {
    const line = toAnsi([{ text: 'DOWN', color: 'red', bold: true }, { text: ' db1 and more' }], {
      colour: true,
      width: 8,
    });
    expect(line).toBe(`${E}1m${E}31mDOWN${E}39m${E}22m db1`);
  });

  it('drops colours, not attributes, when colour is off', () => {
    expect(toAnsi([{ text: 'UP', color: 'green', bold: true }], { colour: false, width: 10 })).toBe(
      `${E}1mUP${E}22m`,
    );
  });

  it('inverts a selected line as a whole, and dims a stale one without its own styles', () => {
    expect(
      toAnsi([{ text: 'a', inverse: true }, { text: 'b' }], { colour: true, width: 5, selected: true }),
    ).toBe(`${E}7mab${E}27m`);
    expect(toAnsi([{ text: 'a', color: 'red' }], { colour: true, width: 5, dim: true })).toBe(
      `${E}2ma${E}22m`,
    );
  });
});
