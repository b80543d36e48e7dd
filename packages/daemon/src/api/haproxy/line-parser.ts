/**
 * Splits one CLI line into its `;`-separated commands, each as words. As in
 * HAProxy, spaces and tabs separate words, and a backslash makes the next
 * character literal (`\;` is a semicolon inside a word, `\\` a backslash,
 * `\ ` a space). An empty command (`a;;b`, a blank line) has no words.
 */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === ';') {
      endWord();
      commands.push(words);
      words = [];
    } else if (ch === ' ' || ch === '\t') {
      endWord();
    } else {
      word += ch;
      inWord = true;
    }
  }
  endWord();
  commands.push(words);
  return commands;
}

/** C's `atoi`: the leading integer of a word, 0 when there is none (HAProxy parses `show stat` ids so). */
export function atoi(word: string | undefined): number {
  const match = /^\s*([+-]?\d+)/.exec(word ?? '');
  return match ? Number.parseInt(match[1]!, 10) : 0;
}
