import { addBinds } from './bind.js';
import type { Line, ParseContext } from './context.js';
import { builtinDefaults, inheritDraft, type ProxyDraft } from './draft.js';
import type { KeywordSpec, ProxySectionKind } from './keyword-types.js';
import { suggestValue } from './suggest.js';
import type { GlobalConfig, SourceLocation } from './types.js';

/** The section the next lines belong to. */
export type CurrentSection =
  | { kind: 'global' }
  | { kind: 'proxy'; draft: ProxyDraft }
  /** A section lbd skips whole (ignored or refused); its lines are not checked. */
  | { kind: 'skip' };

/** Everything the parser accumulates across files. */
export interface ParserState {
  ctx: ParseContext;
  global: GlobalConfig;
  /** Frontends, backends and listens in order of appearance. */
  proxies: ProxyDraft[];
  /** The `defaults` in force: the last one seen, or the built-in one. */
  defaults: ProxyDraft;
  namedDefaults: Map<string, ProxyDraft>;
  current?: CurrentSection;
}

const NAME = /^[A-Za-z0-9_.:-]+$/;

/** Starts the section named by a header line (`spec` is its entry in the keyword table). */
export function startSection(
  state: ParserState,
  spec: KeywordSpec,
  words: string[],
  where: SourceLocation,
): void {
  const { ctx } = state;
  const line: Line = {
    ctx,
    keyword: spec.name,
    usage: spec.args === undefined ? spec.name : `${spec.name} ${spec.args}`,
    args: words.slice(1),
    where,
    negated: false,
  };
  if (spec.status !== 'supported') {
    if (spec.status === 'refused')
      ctx.error('LB_ERR_CONFIG_UNSUPPORTED', where, `'${spec.name}' is not supported: ${spec.doc}`);
    else ctx.notice(where, `'${spec.name}' section has no effect in lbd: ${spec.doc}`);
    state.current = { kind: 'skip' };
    return;
  }
  if (spec.name === 'global') {
    if (line.args.length > 0) unexpected(line, line.args[0]!);
    state.current = { kind: 'global' };
    return;
  }
  const kind = spec.name as ProxySectionKind;
  const header = parseHeader(line, kind);
  const base = header.from === undefined ? undefined : findDefaults(state, line, header.from);
  if (kind === 'defaults') {
    const draft = base
      ? inheritDraft(base, 'defaults', header.name ?? '', where)
      : builtinDefaults(header.name ?? '', where);
    state.defaults = draft;
    if (header.name !== undefined) state.namedDefaults.set(header.name, draft);
    state.current = { kind: 'proxy', draft };
    return;
  }
  const draft = inheritDraft(base ?? state.defaults, kind, header.name ?? '', where);
  if (header.address !== undefined) addBinds(line, draft, header.address, []);
  // A nameless section is still parsed, so its lines get checked, but it is not kept.
  if (header.name !== undefined) state.proxies.push(draft);
  state.current = { kind: 'proxy', draft };
}

interface Header {
  name?: string;
  address?: string;
  from?: string;
}

/** Reads `NAME [ADDR] [from DEFAULTS]` (the address only on frontend and listen lines). */
function parseHeader(line: Line, kind: ProxySectionKind): Header {
  const header: Header = {};
  const args = [...line.args];
  if (args[0] !== undefined && args[0] !== 'from') {
    header.name = args.shift()!;
    if (!NAME.test(header.name)) {
      line.ctx.error(
        'LB_ERR_CONFIG_BAD_VALUE',
        line.where,
        `bad name '${header.name}' for '${kind}': use letters, digits, '-', '_', '.' and ':'`,
      );
    }
  } else if (kind !== 'defaults') {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing name for '${kind}' (usage: ${line.usage})`,
    );
  }
  while (args.length > 0) {
    const word = args.shift()!;
    if (word === 'from' && header.from === undefined) {
      const from = args.shift();
      if (from === undefined) {
        line.ctx.error(
          'LB_ERR_CONFIG_MISSING_ARGUMENT',
          line.where,
          `missing defaults name after 'from' (usage: ${line.usage})`,
        );
        return header;
      }
      header.from = from;
    } else if (
      (kind === 'frontend' || kind === 'listen') &&
      header.address === undefined &&
      header.from === undefined
    ) {
      header.address = word;
    } else {
      unexpected(line, word);
      return header;
    }
  }
  return header;
}

function findDefaults(state: ParserState, line: Line, name: string): ProxyDraft | undefined {
  const found = state.namedDefaults.get(name);
  if (!found) {
    line.ctx.error(
      'LB_ERR_CONFIG_REFERENCE',
      line.where,
      `no 'defaults' section named '${name}' before this line`,
      suggestValue(name, state.namedDefaults.keys()),
    );
  }
  return found;
}

function unexpected(line: Line, word: string): void {
  line.ctx.error(
    'LB_ERR_CONFIG_BAD_VALUE',
    line.where,
    `unexpected argument '${word}' for '${line.keyword}' (usage: ${line.usage})`,
  );
}
