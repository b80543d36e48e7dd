import type { Line } from './context.js';
import type { KeywordScope } from './keyword-types.js';
import { findKeyword, keywordsOf } from './keywords.js';
import { suggest } from './suggest.js';

/** Applies one supported parameter (with its value when it takes one) to what is being built. */
export type ParamHandler<T> = (value: string, target: T, line: Line, name: string) => void;

/**
 * Walks the `name [value]` parameters of a `server`, `default-server`, `bind`
 * or `stats socket` line. The keyword table says how many words each
 * parameter takes, so even ignored parameters are skipped correctly. An
 * unknown or refused parameter ends the walk: what follows it cannot be
 * split reliably, and guessing would report confusing follow-up errors.
 * @param what how messages name the line, e.g. `server 'db1'` or `'bind'`.
 */
export function walkParams<T>(
  line: Line,
  scope: KeywordScope,
  words: readonly string[],
  what: string,
  handlers: Readonly<Record<string, ParamHandler<T>>>,
  target: T,
): void {
  let i = 0;
  while (i < words.length) {
    const name = words[i]!;
    const spec = findKeyword(scope, name);
    if (!spec) {
      const candidates = keywordsOf(scope)
        .filter((s) => s.status !== 'refused')
        .map((s) => s.name);
      line.ctx.error(
        'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
        line.where,
        `unknown parameter '${name}' for ${what}`,
        suggest([name], candidates),
      );
      return;
    }
    if (spec.status === 'refused') {
      line.ctx.error(
        'LB_ERR_CONFIG_UNSUPPORTED',
        line.where,
        `'${name}' for ${what} is not supported: ${spec.doc}`,
      );
      return;
    }
    const argc = spec.argc ?? 0;
    const value = words[i + 1];
    if (argc > 0 && value === undefined) {
      line.ctx.error(
        'LB_ERR_CONFIG_MISSING_ARGUMENT',
        line.where,
        `missing value for '${name}' on ${what} (usage: ${name} ${spec.args ?? 'VALUE'})`,
      );
      return;
    }
    if (spec.status === 'ignored') {
      line.ctx.notice(line.where, `'${name}' for ${what} has no effect: ${spec.doc}`);
    } else {
      const handler = handlers[name];
      if (!handler) throw new Error(`no handler for supported ${scope} parameter '${name}'`);
      handler(argc > 0 ? value! : '', target, line, name);
    }
    i += 1 + argc;
  }
}
