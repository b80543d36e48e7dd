import { describe, expect, test } from 'vitest';
import { tokenizeLine } from './tokenizer.js';

const words = (line: string, env = {}) => {
  const result = tokenizeLine(line, env);
  if (!result.ok) throw new Error(result.reason);
  return result.words;
};

describe('tokenizeLine', () => {
  test('splits on spaces and tabs, ignoring indentation', () => {
    expect(words('  server\tdb1   10.0.0.1:3306\t check  ')).toEqual([
      'server',
      'db1',
      '10.0.0.1:3306',
      'check',
    ]);
  });

  test('blank and comment-only lines have no words', () => {
    expect(words('')).toEqual([]);
    expect(words('   \t ')).toEqual([]);
    expect(words('# a comment')).toEqual([]);
    expect(words('    # indented comment')).toEqual([]);
  });

  test('a comment ends the line, even glued to a word', () => {
    expect(words('maxconn 100 # per process')).toEqual(['maxconn', '100']);
    expect(words('maxconn 100#no space')).toEqual(['maxconn', '100']);
  });

  test('double quotes group words and keep # literally', () => {
    expect(words('description "MySQL # replicas"')).toEqual(['description', 'MySQL # replicas']);
  });

  test('single quotes keep backslashes and dollars as written', () => {
    expect(words("agent-send 'a\\nb $HOME'", { HOME: '/root' })).toEqual(['agent-send', 'a\\nb $HOME']);
  });

  test('quoted and unquoted parts that touch form one word; empty quotes give an empty word', () => {
    expect(words('x a"b c"\'d\' ""')).toEqual(['x', 'ab cd', '']);
  });

  test('backslash escapes outside single quotes', () => {
    expect(words('realm Load\\ balancer')).toEqual(['realm', 'Load balancer']);
    expect(words('x \\# \\\\ \\" \\\'')).toEqual(['x', '#', '\\', '"', "'"]);
    expect(words('x "a\\tb\\r\\n" \\x41\\x42')).toEqual(['x', 'a\tb\r\n', 'AB']);
  });

  test('unknown escapes are kept as written, as HAProxy does for regexes', () => {
    expect(words('x ^\\d+$')).toEqual(['x', '^\\d+$']);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: HAProxy's ${VAR} syntax, not a template
  test('$VAR and ${VAR} expand inside double quotes only; unset variables are empty', () => {
    const env = { PORT: '3306', HOST: 'db' };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HAProxy's ${VAR} syntax, not a template
    expect(words('bind "${HOST}:$PORT" $PORT "$NOPE." "cost $5"', env)).toEqual([
      'bind',
      'db:3306',
      '$PORT',
      '.',
      'cost $5',
    ]);
    expect(words('x "\\$PORT"', env)).toEqual(['x', '$PORT']);
  });

  test('reports what cannot be split', () => {
    expect(tokenizeLine('description "open')).toEqual({ ok: false, reason: 'unmatched double quote' });
    expect(tokenizeLine("description 'open")).toEqual({ ok: false, reason: 'unmatched single quote' });
    expect(tokenizeLine('x trailing\\')).toEqual({
      ok: false,
      reason: 'backslash at the end of the line (lines cannot be continued)',
    });
    expect(tokenizeLine('x \\xZZ')).toEqual({
      ok: false,
      reason: "bad escape '\\xZZ': expected two hexadecimal digits",
    });
    expect(tokenizeLine('x "${A"')).toMatchObject({ ok: false });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HAProxy's ${VAR} syntax, not a template
    expect(tokenizeLine('x "${1A}"')).toEqual({ ok: false, reason: "bad variable name '1A' in '${1A}'" });
  });
});
