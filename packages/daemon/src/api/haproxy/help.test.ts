import { describe, expect, it } from 'vitest';
import { closeCommands, helpLine, unknownCommandReply } from './help.js';
import { HELP_ENTRIES, TEXT_COMMANDS } from './text-commands.js';

describe('help', () => {
  it('lays lines out as HAProxy does: two spaces, usage padded to 40, ": ", text', () => {
    for (const entry of TEXT_COMMANDS) expect(helpLine(entry)).toMatch(/^ {2}.{40}: \S.*\n$/);
  });

  it('lbd-only commands start with "lbd", so they never shadow a HAProxy command', () => {
    const haproxyWords = new Set([
      'disable',
      'enable',
      'get',
      'operator',
      'set',
      'show',
      'shutdown',
      'user',
      'help',
    ]);
    for (const entry of TEXT_COMMANDS) {
      expect(haproxyWords.has(entry.words[0]!) || entry.words[0] === 'lbd', entry.usage).toBe(true);
    }
  });

  it('suggests commands that share the typed keywords, else look-alikes, else lists everything', () => {
    expect(closeCommands(HELP_ENTRIES, ['show', 'servers']).map((e) => e.usage)).toEqual([
      'show servers state [<backend>]',
    ]);
    expect(closeCommands(HELP_ENTRIES, ['enable', 'foo']).every((e) => e.words[0] === 'enable')).toBe(true);
    expect(closeCommands(HELP_ENTRIES, ['shwo', 'stat']).length).toBeGreaterThan(0);
    expect(unknownCommandReply(HELP_ENTRIES, [])).toMatch(
      /^Unknown command\. Please enter one of the following commands only:\n/,
    );
    expect(unknownCommandReply(HELP_ENTRIES, ['show', 'foo'])).toMatch(
      /^Unknown command, but maybe one of the following ones is a better match:\n {2}show backend/,
    );
  });
});
