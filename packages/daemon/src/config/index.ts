/**
 * The configuration parser: HAProxy's `haproxy.cfg` dialect (TCP subset) in,
 * a validated {@link Config} out, or every error with its `FILE:LINE`.
 */
export { CONFIG_ERROR_CODES, ConfigError, type ConfigErrorCode, type ConfigErrorOptions } from './errors.js';
export { formatConfigError, formatConfigNotice } from './format.js';
export type { KeywordScope, KeywordSpec, KeywordStatus, SectionKind } from './keyword-types.js';
export { KEYWORDS } from './keywords.js';
export { loadConfigFiles } from './load.js';
export { type ConfigSource, type ParseOptions, type ParseResult, parseConfig } from './parser.js';
export { renderKeywordReference } from './reference.js';
export type * from './types.js';
