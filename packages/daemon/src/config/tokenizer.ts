/**
 * Splits one configuration line into words the way HAProxy does: words are
 * separated by spaces or tabs, `#` starts a comment, double quotes allow
 * escapes and `$VAR` / `${VAR}` expansion, single quotes keep everything
 * literally, and a backslash escapes one character outside single quotes.
 * Quoted and unquoted parts that touch form one word (`a"b c"` is `ab c`).
 */

/** Environment used to expand `"$VAR"` and `"${VAR}"`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The words of a line, or why it could not be split. */
export type TokenizeResult = { ok: true; words: string[] } | { ok: false; reason: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  ' ': ' ',
  '\t': '\t',
  '#': '#',
  '\\': '\\',
  "'": "'",
  '"': '"',
  $: '$',
  n: '\n',
  r: '\r',
  t: '\t',
};

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Tokenizes `line` (without its newline).
 * @param env variables for `$VAR` expansion inside double quotes; an unset variable expands to nothing, as in HAProxy.
 */
export function tokenizeLine(line: string, env: Environment = {}): TokenizeResult {
  const words: string[] = [];
  let word = '';
  // A word exists once any part of it was seen, so `""` yields an empty word.
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      i++;
      continue;
    }
    if (c === '\\') {
      const escaped = readEscape(line, i);
      if (!escaped.ok) return escaped;
      word += escaped.text;
      inWord = true;
      i = escaped.next;
      continue;
    }
    if (quote === '"') {
      if (c === '"') {
        quote = undefined;
        i++;
      } else if (c === '$') {
        const expanded = readVariable(line, i, env);
        if (!expanded.ok) return expanded;
        word += expanded.text;
        i = expanded.next;
      } else {
        word += c;
        i++;
      }
      continue;
    }
    if (c === '#') break;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else word += c;
    inWord = true;
    i++;
  }
  if (quote !== undefined) {
    return { ok: false, reason: `unmatched ${quote === '"' ? 'double' : 'single'} quote` };
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}

type Piece = { ok: true; text: string; next: number } | { ok: false; reason: string };

function readEscape(line: string, at: number): Piece {
  const next = line[at + 1];
  if (next === undefined) {
    return { ok: false, reason: 'backslash at the end of the line (lines cannot be continued)' };
  }
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { ok: true, text: simple, next: at + 2 };
  if (next === 'x') {
    const hex = line.slice(at + 2, at + 4);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      return { ok: false, reason: `bad escape '\\x${hex}': expected two hexadecimal digits` };
    }
    return { ok: true, text: String.fromCharCode(Number.parseInt(hex, 16)), next: at + 4 };
  }
  // HAProxy keeps unknown escapes as written; regexes such as `\d` rely on it.
  return { ok: true, text: `\\${next}`, next: at + 2 };
}

function readVariable(line: string, at: number, env: Environment): Piece {
  if (line[at + 1] === '{') {
    const close = line.indexOf('}', at + 2);
    if (close < 0) return { ok: false, reason: "unterminated variable: '$' and '{' with no closing '}'" };
    const name = line.slice(at + 2, close);
    if (VAR_NAME.exec(name)?.[0] !== name) {
      return { ok: false, reason: `bad variable name '${name}' in '\${${name}}'` };
    }
    return { ok: true, text: env[name] ?? '', next: close + 1 };
  }
  const name = VAR_NAME.exec(line.slice(at + 1))?.[0];
  // A `$` not followed by a name is an ordinary character.
  if (name === undefined) return { ok: true, text: '$', next: at + 1 };
  return { ok: true, text: env[name] ?? '', next: at + 1 + name.length };
}
