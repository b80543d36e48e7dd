import {
  allowedSections,
  type KeywordScope,
  type KeywordSpec,
  type ProxySectionKind,
} from './keyword-types.js';
import { GLOBAL_KEYWORDS, SECTION_KEYWORDS } from './keywords-global.js';
import { OPTION_KEYWORDS } from './keywords-options.js';
import { BIND_PARAMS, SERVER_PARAMS, STATS_SOCKET_PARAMS } from './keywords-params.js';
import { PROXY_KEYWORDS } from './keywords-proxy.js';

/**
 * Every keyword lbd knows, each in exactly one of three lists (supported,
 * ignored, refused). The parser dispatches on it, "did you mean" searches it
 * and `docs/configuration.md` is rendered from it.
 */
export const KEYWORDS: readonly KeywordSpec[] = [
  ...SECTION_KEYWORDS,
  ...GLOBAL_KEYWORDS,
  ...PROXY_KEYWORDS,
  ...OPTION_KEYWORDS,
  ...SERVER_PARAMS,
  ...BIND_PARAMS,
  ...STATS_SOCKET_PARAMS,
];

const byScope = new Map<KeywordScope, Map<string, KeywordSpec>>();
const prefixesByScope = new Map<KeywordScope, KeywordSpec[]>();
for (const spec of KEYWORDS) {
  if (spec.name.endsWith('*')) {
    const list = prefixesByScope.get(spec.scope) ?? [];
    list.push(spec);
    prefixesByScope.set(spec.scope, list);
    continue;
  }
  const map = byScope.get(spec.scope) ?? new Map<string, KeywordSpec>();
  map.set(spec.name, spec);
  byScope.set(spec.scope, map);
}

/** Looks a keyword (or phrase such as `timeout connect`) up in one scope, including `tune.*`-style prefixes. */
export function findKeyword(scope: KeywordScope, name: string): KeywordSpec | undefined {
  const exact = byScope.get(scope)?.get(name);
  if (exact) return exact;
  return prefixesByScope.get(scope)?.find((spec) => name.startsWith(spec.name.slice(0, -1)));
}

/**
 * First words that only name a keyword together with the next word
 * (`timeout connect`, `option tcplog`, `stats socket`, `no log`).
 */
export function isCompoundHead(scope: KeywordScope, word: string): boolean {
  for (const name of byScope.get(scope)?.keys() ?? []) {
    if (name.startsWith(`${word} `)) return true;
  }
  return false;
}

/** The keywords of a scope, optionally only those allowed in one proxy section kind. */
export function keywordsOf(scope: KeywordScope, section?: ProxySectionKind): KeywordSpec[] {
  return KEYWORDS.filter(
    (spec) => spec.scope === scope && (section === undefined || allowedSections(spec).includes(section)),
  );
}
