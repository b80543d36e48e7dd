import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONFIG_ERROR_CODES } from './errors.js';
import { GLOBAL_HANDLERS } from './global.js';
import type { KeywordScope } from './keyword-types.js';
import { KEYWORDS, keywordsOf } from './keywords.js';
import { PROXY_HANDLERS } from './proxy.js';
import { renderKeywordReference } from './reference.js';
import { SERVER_HANDLERS } from './server.js';

/** Handlers per scope, for the scopes whose keywords run code. */
const HANDLERS: Partial<Record<KeywordScope, Readonly<Record<string, unknown>>>> = {
  global: GLOBAL_HANDLERS,
  proxy: PROXY_HANDLERS,
  server: SERVER_HANDLERS,
};

describe('the keyword table', () => {
  test('lists every keyword once per scope', () => {
    const seen = new Set<string>();
    const repeated = KEYWORDS.map((k) => `${k.scope}:${k.name}`).filter(
      (key) => seen.has(key) || !seen.add(key),
    );
    expect(repeated).toEqual([]);
  });

  test('every supported keyword has a handler, and every handler a supported or ignored keyword', () => {
    for (const [scope, handlers] of Object.entries(HANDLERS)) {
      const specs = keywordsOf(scope as KeywordScope);
      const supported = specs.filter((s) => s.status === 'supported').map((s) => s.name);
      expect(
        supported.filter((name) => !(name in handlers!)),
        scope,
      ).toEqual([]);
      const accepted = new Set(specs.filter((s) => s.status !== 'refused').map((s) => s.name));
      expect(
        Object.keys(handlers!).filter((name) => !accepted.has(name)),
        scope,
      ).toEqual([]);
    }
  });

  test('ignored and refused keywords say why', () => {
    const silent = KEYWORDS.filter((k) => k.status !== 'supported' && k.doc.length < 10).map((k) => k.name);
    expect(silent).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  const docsFile = new URL('../../../../docs/configuration.md', import.meta.url);

  // After changing the table: UPDATE_DOCS=1 pnpm exec vitest run packages/daemon/src/config/keywords.test.ts
  test('is the rendering of the keyword table', () => {
    if (process.env.UPDATE_DOCS === '1') writeFileSync(docsFile, renderKeywordReference());
    expect(readFileSync(docsFile, 'utf8')).toBe(renderKeywordReference());
  });

  test("is embedded in README's configuration reference section", () => {
    const readmeFile = new URL('../../../../README.md', import.meta.url);
    const start = '<!-- keyword-reference:start -->\n';
    const end = '<!-- keyword-reference:end -->';
    const readme = readFileSync(readmeFile, 'utf8');
    const before = readme.slice(0, readme.indexOf(start) + start.length);
    const after = readme.slice(readme.indexOf(end));
    // README nests the reference under its own "## Configuration reference" heading.
    const embedded = renderKeywordReference()
      .replace(/^# Configuration reference\n\n/, '')
      .replace(/^(#+) /gm, '#$1 ');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(readmeFile, `${before}${embedded}${after}`);
    expect(readFileSync(readmeFile, 'utf8')).toBe(`${before}${embedded}${after}`);
  });

  test('documents every error code', () => {
    const rendered = renderKeywordReference();
    for (const code of Object.keys(CONFIG_ERROR_CODES)) {
      expect(rendered).toContain(`\`${code}\``);
    }
  });
});
