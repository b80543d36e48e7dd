import { ConfigError, type ConfigErrorCode } from './errors.js';
import type { ConfigNotice, SourceLocation } from './types.js';
import { type DurationUnit, type Parsed, parseDuration, parseInteger } from './units.js';

/**
 * Collects errors and notices while a configuration is parsed. Nothing
 * throws: every handler reports and carries on, so one run shows every
 * mistake of the file.
 */
export class ParseContext {
  readonly errors: ConfigError[] = [];
  readonly notices: ConfigNotice[] = [];

  error(code: ConfigErrorCode, where: SourceLocation, message: string, hint?: string): void {
    this.errors.push(new ConfigError(code, message, where, hint === undefined ? {} : { hint }));
  }

  notice(where: SourceLocation, message: string): void {
    this.notices.push({ where, message });
  }
}

/** One directive being handled: its keyword (possibly a phrase), its arguments and where it was written. */
export interface Line {
  ctx: ParseContext;
  /** The keyword as named in messages, e.g. `timeout connect`. */
  keyword: string;
  /** Usage shown when arguments are missing or extra, e.g. `retries N`. */
  usage: string;
  /** The words after the keyword. */
  args: string[];
  where: SourceLocation;
  /** Written as `no option ...`. */
  negated: boolean;
}

/**
 * Checks the argument count. Reports a missing or an extra argument and
 * returns false so the handler can stop.
 */
export function arity(line: Line, min: number, max = min): boolean {
  if (line.args.length < min) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing argument for '${line.keyword}' (usage: ${line.usage})`,
    );
    return false;
  }
  if (line.args.length > max) {
    line.ctx.error(
      'LB_ERR_CONFIG_BAD_VALUE',
      line.where,
      `unexpected argument '${line.args[max]}' for '${line.keyword}' (usage: ${line.usage})`,
    );
    return false;
  }
  return true;
}

/** Reports a refused value with the code its failure kind calls for. */
export function reportFailure(
  line: Pick<Line, 'ctx' | 'where'>,
  failure: Extract<Parsed<unknown>, { ok: false }>,
  message: string,
  hint?: string,
): void {
  const code: ConfigErrorCode =
    failure.kind === 'unsupported'
      ? 'LB_ERR_CONFIG_UNSUPPORTED'
      : failure.kind === 'missing'
        ? 'LB_ERR_CONFIG_MISSING_ARGUMENT'
        : 'LB_ERR_CONFIG_BAD_VALUE';
  line.ctx.error(code, line.where, message, hint);
}

/** Reports `bad value 'TEXT' for 'NAME': REASON`. */
export function badValue(
  line: Pick<Line, 'ctx' | 'where'>,
  text: string,
  name: string,
  reason: string,
  hint?: string,
) {
  line.ctx.error('LB_ERR_CONFIG_BAD_VALUE', line.where, `bad value '${text}' for '${name}': ${reason}`, hint);
}

/** Parses an integer argument in `[min, max]`; undefined (after reporting) when it is not one. */
export function integerArg(
  line: Pick<Line, 'ctx' | 'where'>,
  text: string,
  name: string,
  min = 0,
  max?: number,
): number | undefined {
  const parsed = parseInteger(text, min, max);
  if (parsed.ok) return parsed.value;
  badValue(line, text, name, parsed.reason);
  return undefined;
}

/** Parses a duration argument into ms; undefined (after reporting) when it is not one. */
export function durationArg(
  line: Pick<Line, 'ctx' | 'where'>,
  text: string,
  name: string,
  bareUnit: DurationUnit = 'ms',
): number | undefined {
  const parsed = parseDuration(text, bareUnit);
  if (parsed.ok) return parsed.value;
  badValue(line, text, name, parsed.reason);
  return undefined;
}

/** Formats a list for messages: `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
