import type { Line, ParseContext } from './context.js';
import { orList } from './context.js';
import { allowedSections, type KeywordSpec, type SectionKind } from './keyword-types.js';
import { findKeyword, isCompoundHead, keywordsOf } from './keywords.js';
import { suggest } from './suggest.js';
import type { SourceLocation } from './types.js';

/**
 * Turns the words of a line inside a section into a keyword of the table,
 * and deals with everything that does not reach a handler: unknown keywords
 * (with a hint), keywords of another section, refused keywords (an error) and
 * ignored ones (a notice).
 */

/** A line ready for its handler. */
export interface Directive {
  spec: KeywordSpec;
  line: Line;
}

type LineScope = 'global' | 'proxy';

const SECTION_NAMES = ['global', 'defaults', 'frontend', 'backend', 'listen'];

/** Keywords whose place is structural: a `bind` in a backend or a `server` in a frontend is a real mistake. */
const MISPLACED_IS_ERROR = new Set(['bind', 'server']);

interface Resolved {
  name: string;
  argStart: number;
  negated: boolean;
}

function resolveName(
  ctx: ParseContext,
  scope: LineScope,
  words: string[],
  where: SourceLocation,
): Resolved | undefined {
  const head = words[0]!;
  if (scope === 'proxy' && head === 'no') {
    if (words[1] === 'log') return { name: 'no log', argStart: 2, negated: false };
    if (words[1] === 'option' && words[2] !== undefined) {
      return { name: `option ${words[2]}`, argStart: 3, negated: true };
    }
    ctx.error(
      words[1] === 'option' ? 'LB_ERR_CONFIG_MISSING_ARGUMENT' : 'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
      where,
      "'no' must be followed by 'option NAME' or 'log'",
    );
    return undefined;
  }
  if (isCompoundHead(scope, head)) {
    if (words[1] === undefined) {
      const kinds = keywordsOf(scope)
        .filter((s) => s.name.startsWith(`${head} `) && s.status !== 'refused')
        .map((s) => s.name.slice(head.length + 1));
      ctx.error(
        'LB_ERR_CONFIG_MISSING_ARGUMENT',
        where,
        `missing argument for '${head}' (expected one of: ${kinds.join(', ')})`,
      );
      return undefined;
    }
    return { name: `${head} ${words[1]}`, argStart: 2, negated: false };
  }
  return { name: head, argStart: 1, negated: false };
}

function sectionsText(spec: KeywordSpec): string {
  return spec.scope === 'global' ? 'global' : orList(allowedSections(spec));
}

/** Candidate phrases for "did you mean" in one section kind: keywords and keyword-plus-value phrases. */
function candidates(scope: LineScope, section: SectionKind): string[] {
  const specs =
    scope === 'global'
      ? keywordsOf('global')
      : keywordsOf('proxy', section as Exclude<SectionKind, 'global'>);
  const out: string[] = [];
  for (const spec of specs) {
    if (spec.status === 'refused' || spec.name.endsWith('*')) continue;
    out.push(spec.name);
    for (const value of spec.values ?? []) out.push(`${spec.name} ${value}`);
  }
  return [...out, ...SECTION_NAMES];
}

function reportUnknown(
  ctx: ParseContext,
  scope: LineScope,
  section: SectionKind,
  words: string[],
  resolved: Resolved,
  where: SourceLocation,
): void {
  const { name } = resolved;
  const otherScope = scope === 'global' ? 'proxy' : 'global';
  const otherName =
    resolved.argStart === 1 && words[1] !== undefined && isCompoundHead(otherScope, name)
      ? `${name} ${words[1]}`
      : name;
  const other = findKeyword(otherScope, otherName);
  if (other) {
    ctx.error(
      'LB_ERR_CONFIG_WRONG_SECTION',
      where,
      `'${otherName}' is not allowed in a '${section}' section (only in ${sectionsText(other)})`,
    );
    return;
  }
  if (findKeyword('server', name) && resolved.argStart === 1) {
    ctx.error(
      'LB_ERR_CONFIG_WRONG_SECTION',
      where,
      `'${name}' is a server parameter, not a keyword: put it on a 'server' or 'default-server' line`,
    );
    return;
  }
  const phraseWords = resolved.negated ? words.slice(1) : words;
  const known = candidates(scope, section);
  // Failing a whole phrase, the first word alone may still be a typo of a known one (`optoin`).
  const hint =
    suggest(phraseWords, known) ??
    (resolved.argStart === 1 ? suggest([name], new Set(known.map((c) => c.split(' ')[0]!))) : undefined);
  if (name.startsWith('timeout ')) {
    const kinds = keywordsOf('proxy')
      .filter((s) => s.name.startsWith('timeout '))
      .map((s) => s.name.slice('timeout '.length));
    ctx.error(
      'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
      where,
      `unknown timeout '${name.slice('timeout '.length)}' (known: ${kinds.join(', ')})`,
      hint,
    );
    return;
  }
  ctx.error(
    'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
    where,
    `unknown keyword '${name}' in '${section}' section`,
    hint,
  );
}

/**
 * Resolves a line of a `global` (scope global) or proxy section (scope proxy).
 * Returns the directive to hand to a handler, or undefined when the line was
 * fully dealt with here (reported, refused, or ignored without a handler).
 */
export function resolveDirective(
  ctx: ParseContext,
  scope: LineScope,
  section: SectionKind,
  words: string[],
  where: SourceLocation,
  hasHandler: (name: string) => boolean,
): Directive | undefined {
  const resolved = resolveName(ctx, scope, words, where);
  if (!resolved) return undefined;
  const { name, argStart, negated } = resolved;
  const spec = findKeyword(scope, name);
  if (!spec) {
    reportUnknown(ctx, scope, section, words, resolved, where);
    return undefined;
  }
  if (scope === 'proxy' && !allowedSections(spec).includes(section as Exclude<SectionKind, 'global'>)) {
    // HAProxy only warns about a setting meant for the other side of a proxy
    // (`balance` in a frontend); refusing it would block configs that run today.
    if (section !== 'defaults' && spec.status !== 'refused' && !MISPLACED_IS_ERROR.has(spec.name)) {
      ctx.notice(where, `'${name}' has no effect in a '${section}' section (only in ${sectionsText(spec)})`);
      return undefined;
    }
    ctx.error(
      'LB_ERR_CONFIG_WRONG_SECTION',
      where,
      `'${name}' is not allowed in a '${section}' section (only in ${sectionsText(spec)})`,
    );
    return undefined;
  }
  if (negated && !spec.negatable) {
    ctx.error('LB_ERR_CONFIG_BAD_VALUE', where, `'${name}' cannot be turned off with 'no'`);
    return undefined;
  }
  if (spec.status === 'refused') {
    ctx.error('LB_ERR_CONFIG_UNSUPPORTED', where, `'${name}' is not supported: ${spec.doc}`);
    return undefined;
  }
  if (spec.status === 'ignored') {
    ctx.notice(where, `'${name}' has no effect in lbd: ${spec.doc}`);
    if (!hasHandler(spec.name)) return undefined;
  }
  const usage = spec.args === undefined ? spec.name : `${spec.name} ${spec.args}`;
  return {
    spec,
    line: { ctx, keyword: name, usage, args: words.slice(argStart), where, negated },
  };
}
