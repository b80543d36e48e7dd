/** One line of `help`: how a command is written and what it does. */
export interface HelpEntry {
  readonly words: readonly string[];
  readonly usage: string;
  readonly help: string;
}

/** The three lines HAProxy ends every help list with. */
export const SESSION_HELP: readonly HelpEntry[] = [
  { words: ['help'], usage: 'help [<command>]', help: 'list the commands, or those starting with <command>' },
  { words: ['prompt'], usage: 'prompt', help: 'switch the interactive prompt on or off' },
  { words: ['quit'], usage: 'quit', help: 'close this connection' },
];

/** `  usage<padded to 40>: help`, HAProxy's help line layout. */
export function helpLine(entry: HelpEntry): string {
  return `  ${entry.usage.padEnd(40)}: ${entry.help}\n`;
}

function bigrams(text: string): Set<string> {
  const out = new Set<string>();
  const t = text.toLowerCase();
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** Dice similarity of two strings' letter pairs, 0..1. */
function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const pair of x) if (y.has(pair)) common++;
  return (2 * common) / (x.size + y.size);
}

/**
 * Commands an unknown line may have meant: those sharing its leading
 * keywords (all `show ...` for `show foo`), else up to five that share
 * letter pairs with it, best first; none only when nothing looks alike.
 */
export function closeCommands(entries: readonly HelpEntry[], words: readonly string[]): HelpEntry[] {
  if (words.length === 0) return [];
  let best: HelpEntry[] = [];
  for (let depth = 1; depth <= words.length; depth++) {
    const prefix = words.slice(0, depth);
    const matching = entries.filter((e) => prefix.every((w, i) => e.words[i] === w));
    if (matching.length === 0) break;
    best = matching;
  }
  if (best.length > 0) return best;
  const typed = words.slice(0, 3).join(' ');
  return entries
    .map((entry) => ({ entry, score: similarity(typed, entry.words.join(' ')) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, 5)
    .map((s) => s.entry);
}

/** The reply to a line that is no command: close ones when there are, else the full list. */
export function unknownCommandReply(entries: readonly HelpEntry[], words: readonly string[]): string {
  const close = closeCommands(entries, words);
  if (close.length === 0) {
    return `Unknown command. Please enter one of the following commands only:\n${[...entries, ...SESSION_HELP]
      .map(helpLine)
      .join('')}`;
  }
  return `Unknown command, but maybe one of the following ones is a better match:\n${[
    ...close,
    ...SESSION_HELP,
  ]
    .map(helpLine)
    .join('')}`;
}

/** `help [words]`: every command, or those starting with (or close to) the words given. */
export function helpReply(entries: readonly HelpEntry[], words: readonly string[]): string {
  const listed = words.length === 0 ? entries : closeCommands(entries, words);
  return `The following commands are valid at this level:\n${[...listed, ...SESSION_HELP].map(helpLine).join('')}`;
}
