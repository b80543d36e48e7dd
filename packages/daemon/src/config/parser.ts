import { ParseContext } from './context.js';
import { resolveDirective } from './dispatch.js';
import { builtinDefaults } from './draft.js';
import type { ConfigError } from './errors.js';
import { defaultGlobal, GLOBAL_HANDLERS } from './global.js';
import { findKeyword } from './keywords.js';
import { PROXY_HANDLERS } from './proxy.js';
import { type ParserState, startSection } from './sections.js';
import { suggest } from './suggest.js';
import { type Environment, tokenizeLine } from './tokenizer.js';
import type { Config, ConfigNotice, ProxyConfig, SourceLocation } from './types.js';
import { validateProxies } from './validate.js';

/** One configuration file: its name (as it appears in messages) and its text. */
export interface ConfigSource {
  path: string;
  text: string;
}

/** The outcome of parsing: a configuration, or every error found (with the notices gathered so far). */
export type ParseResult =
  | { ok: true; config: Config }
  | { ok: false; errors: ConfigError[]; notices: ConfigNotice[] };

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /**
   * Variables for `"$VAR"` / `"${VAR}"` inside double quotes.
   * @default process.env
   */
  env?: Environment;
  /**
   * Further checks of each finished proxy whose errors count as configuration
   * errors, such as the health-check engine typing `option httpchk` and
   * `tcp-check` words. Injected so that config depends on nothing above it.
   * @default []
   */
  proxyValidators?: ReadonlyArray<(proxy: ProxyConfig) => ConfigError[]>;
}

const SECTION_HEADERS = ['global', 'defaults', 'frontend', 'backend', 'listen'];

/**
 * Parses HAProxy configuration files (the TCP subset lbd runs). Several files
 * read as one stream, in order, as `haproxy -f a -f b` does: a section may
 * go on in the next file. Each line keeps its own `file:line`. All errors
 * are collected, sorted by file (in the order given) then line.
 */
export function parseConfig(files: readonly ConfigSource[], options: ParseOptions = {}): ParseResult {
  const env = options.env ?? process.env;
  const ctx = new ParseContext();
  const state: ParserState = {
    ctx,
    global: defaultGlobal(),
    proxies: [],
    defaults: builtinDefaults('', { file: '', line: 0 }),
    namedDefaults: new Map(),
  };
  for (const file of files) {
    const lines = file.text.split('\n');
    // A final newline does not start one more line.
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((raw, index) => {
      const where = { file: file.path, line: index + 1 };
      const tokens = tokenizeLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, env);
      if (!tokens.ok) ctx.error('LB_ERR_CONFIG_SYNTAX', where, tokens.reason);
      else if (tokens.words.length > 0) parseLine(state, tokens.words, where);
    });
  }
  const proxies = validateProxies(ctx, state.proxies);
  for (const validate of options.proxyValidators ?? []) {
    for (const proxy of proxies) ctx.errors.push(...validate(proxy));
  }
  const order = new Map(files.map((f, i) => [f.path, i]));
  const errors = sortByLocation(ctx.errors, order, (e) => `${e.code} ${e.message} ${e.hint ?? ''}`);
  const notices = sortByLocation(ctx.notices, order, (n) => n.message);
  if (errors.length > 0) return { ok: false, errors, notices };
  return { ok: true, config: { files: files.map((f) => f.path), global: state.global, proxies, notices } };
}

function parseLine(state: ParserState, words: string[], where: SourceLocation): void {
  const { ctx } = state;
  const head = words[0]!;
  const header = findKeyword('section', head);
  if (header) {
    startSection(state, header, words, where);
    return;
  }
  const current = state.current;
  if (current === undefined) {
    const hint = suggest(words, SECTION_HEADERS);
    if (hint !== undefined) {
      ctx.error(
        'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
        where,
        `unknown keyword '${head}' outside any section`,
        hint,
      );
    } else {
      ctx.error(
        'LB_ERR_CONFIG_OUTSIDE_SECTION',
        where,
        `'${head}' is outside any section: start one with 'global', 'defaults', 'frontend', 'backend' or 'listen'`,
      );
    }
    return;
  }
  if (current.kind === 'skip') return;
  if (current.kind === 'global') {
    const directive = resolveDirective(
      ctx,
      'global',
      'global',
      words,
      where,
      (name) => name in GLOBAL_HANDLERS,
    );
    if (directive) GLOBAL_HANDLERS[directive.spec.name]!(directive.line, state.global);
    return;
  }
  const draft = current.draft;
  const directive = resolveDirective(
    ctx,
    'proxy',
    draft.kind,
    words,
    where,
    (name) => name in PROXY_HANDLERS,
  );
  if (directive) PROXY_HANDLERS[directive.spec.name]!(directive.line, draft);
}

/** Sorts by file (in the order given), then line, keeping the order of discovery; drops exact repeats. */
function sortByLocation<T extends { where: SourceLocation }>(
  items: readonly T[],
  fileOrder: ReadonlyMap<string, number>,
  key: (item: T) => string,
): T[] {
  const seen = new Set<string>();
  const unique = items.filter((item) => {
    // Defaults inheritance can report one line once per section that inherits it.
    const id = `${item.where.file}\0${item.where.line}\0${key(item)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return unique
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.item.where.file) ?? -1) - (fileOrder.get(b.item.where.file) ?? -1) ||
        a.item.where.line - b.item.where.line ||
        a.index - b.index,
    )
    .map(({ item }) => item);
}
