import { describe, expect, it } from 'vitest';
import { atoi, splitCommands } from './line-parser.js';

describe('splitCommands', () => {
  it('splits on ";" and on spaces or tabs, keeping empty commands', () => {
    expect(splitCommands('show backend;get weight b/s')).toEqual([
      ['show', 'backend'],
      ['get', 'weight', 'b/s'],
    ]);
    expect(splitCommands('  show\t\tinfo  ')).toEqual([['show', 'info']]);
    expect(splitCommands('a;;b')).toEqual([['a'], [], ['b']]);
    expect(splitCommands('')).toEqual([[]]);
  });

  it('makes the character after a backslash literal', () => {
    expect(splitCommands('get weight b/s\\;x')).toEqual([['get', 'weight', 'b/s;x']]);
    expect(splitCommands('a\\ b c\\\\')).toEqual([['a b', 'c\\']]);
  });
});

describe('atoi', () => {
  it('reads a leading integer as C does, 0 otherwise', () => {
    expect(atoi('-1')).toBe(-1);
    expect(atoi('4x')).toBe(4);
    expect(atoi('abc')).toBe(0);
    expect(atoi(undefined)).toBe(0);
  });
});
