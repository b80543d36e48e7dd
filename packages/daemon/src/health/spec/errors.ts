import { ConfigError, type ConfigErrorCode } from '../../config/errors.js';
import { suggestValue } from '../../config/suggest.js';
import type { SourceLocation } from '../../config/types.js';

/**
 * Collects the configuration errors found while typing a backend's health
 * check, each with the `FILE:LINE` of the word at fault, so that `lbd -c`
 * lists them with the parser's own.
 */
export class SpecErrors {
  readonly list: ConfigError[] = [];

  add(code: ConfigErrorCode, where: SourceLocation, message: string, hint?: string): void {
    this.list.push(new ConfigError(code, message, where, hint === undefined ? {} : { hint }));
  }

  /** `unknown word 'X' in 'WHAT' (expected ...)`, with the nearest known word as a hint. */
  unknownWord(where: SourceLocation, word: string, what: string, known: readonly string[]): void {
    this.add(
      'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
      where,
      `unknown word '${word}' in '${what}' (expected ${known.map((k) => `'${k}'`).join(', ')})`,
      suggestValue(word, known),
    );
  }

  missing(where: SourceLocation, what: string, usage: string): void {
    this.add('LB_ERR_CONFIG_MISSING_ARGUMENT', where, `missing argument in '${what}' (usage: ${usage})`);
  }

  bad(where: SourceLocation, what: string, reason: string): void {
    this.add('LB_ERR_CONFIG_BAD_VALUE', where, `bad value in '${what}': ${reason}`);
  }

  unsupported(where: SourceLocation, what: string, reason: string): void {
    this.add('LB_ERR_CONFIG_UNSUPPORTED', where, `'${what}' is not supported: ${reason}`);
  }
}

/** Compiles a check pattern; reports a bad one and returns undefined. */
export function compileRegex(
  errors: SpecErrors,
  where: SourceLocation,
  what: string,
  pattern: string,
): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch (err) {
    errors.bad(where, what, `'${pattern}' is not a valid regular expression (${(err as Error).message})`);
    return undefined;
  }
}
