/**
 * The shape of the keyword table. The table is data, so that the parser, the
 * "did you mean" hints and `docs/configuration.md` all read the same lists.
 */

/** The five section kinds lbd parses. */
export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen';

/** The section kinds that describe proxies (and their defaults). */
export type ProxySectionKind = Exclude<SectionKind, 'global'>;

/**
 * Where a keyword is written: a section header, a line of `global`, a line of
 * a proxy section, or a parameter on a `server`/`default-server`, `bind` or
 * `stats socket` line.
 */
export type KeywordScope = 'section' | 'global' | 'proxy' | 'server' | 'bind' | 'stats-socket';

/**
 * supported: lbd implements it. ignored: accepted with a notice saying why it
 * has no effect. refused: an error saying why and what to use instead.
 */
export type KeywordStatus = 'supported' | 'ignored' | 'refused';

/** One keyword (or keyword phrase such as `timeout connect`) of the table. */
export interface KeywordSpec {
  /** As written in the file; a trailing `*` matches any suffix (`tune.*`). */
  name: string;
  scope: KeywordScope;
  status: KeywordStatus;
  /** Argument syntax after the name, for usage messages and the docs. */
  args?: string;
  /** Supported: what it does. Ignored or refused: why, and what to do instead. */
  doc: string;
  /**
   * Proxy keywords only: the sections that accept it, as letters of
   * `dfbl` (defaults, frontend, backend, listen). @default 'dfbl'
   */
  in?: string;
  /** Fixed first arguments, offered as whole phrases by "did you mean" (`mode tcp`). */
  values?: string[];
  /** `option` keywords that `no option NAME` may turn off. */
  negatable?: boolean;
  /** Parameters only: how many words follow the parameter name. @default 0 */
  argc?: number;
}

/** The section kinds a proxy keyword is allowed in. */
export function allowedSections(spec: KeywordSpec): ProxySectionKind[] {
  const letters = spec.in ?? 'dfbl';
  const all: [string, ProxySectionKind][] = [
    ['d', 'defaults'],
    ['f', 'frontend'],
    ['b', 'backend'],
    ['l', 'listen'],
  ];
  return all.filter(([letter]) => letters.includes(letter)).map(([, kind]) => kind);
}
