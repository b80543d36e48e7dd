import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_KEYS_END, README_KEYS_START, renderKeyTable } from './readme-keys.js';

describe("README's lbctl top section", () => {
  const readmeFile = new URL('../../../../README.md', import.meta.url);

  // After changing the key table: UPDATE_DOCS=1 pnpm exec vitest run packages/tui/src/top/readme-keys.test.ts
  it('embeds the key table generated from KEY_BINDINGS', () => {
    const readme = readFileSync(readmeFile, 'utf8');
    const start = readme.indexOf(README_KEYS_START);
    const end = readme.indexOf(README_KEYS_END);
    expect(start, 'README has the top-keys markers').toBeGreaterThanOrEqual(0);
    const expected = `${readme.slice(0, start)}${renderKeyTable()}${readme.slice(end + README_KEYS_END.length)}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(readmeFile, expected);
    expect(readFileSync(readmeFile, 'utf8')).toBe(expected);
  });

  it('lists every key once', () => {
    const table = renderKeyTable();
    for (const k of ['`?`', '`q`', '`Ctrl-C`', '`d`', '`K`', '`/`', '`s`']) expect(table).toContain(k);
  });
});
