import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, ApiError, hasErrorCode, isApiErrorCode } from './errors.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

/** docs/errors.md, rendered from the code table so the two cannot drift. */
function renderErrorsDoc(): string {
  const items = Object.entries(API_ERROR_CODES).map(([code, text]) => `- \`${code}\`: ${text}`);
  return [
    '# Runtime API error codes',
    '',
    '<!-- Generated from API_ERROR_CODES (packages/protocol/src/errors.ts) by errors.test.ts; do not edit by hand. -->',
    '',
    'Every error of the JSON protocol carries one of these stable codes in `error.code` (scripts and the console',
    'compare the code, never the message). The HAProxy text dialect prints the message as HAProxy would (for',
    'example `No such server.`), with the same meaning. Configuration errors have their own codes, listed in',
    '[configuration.md](configuration.md#error-codes).',
    '',
    ...items,
    '',
  ].join('\n');
}

describe('error codes', () => {
  // After changing the table: UPDATE_DOCS=1 pnpm exec vitest run packages/protocol/src/errors.test.ts
  it('docs/errors.md is the rendering of API_ERROR_CODES', () => {
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, renderErrorsDoc());
    expect(readFileSync(DOC, 'utf8')).toBe(renderErrorsDoc());
  });

  it('codes are LB_ERR_ names with a sentence each', () => {
    for (const [code, text] of Object.entries(API_ERROR_CODES)) {
      expect(code).toMatch(/^LB_ERR_[A-Z0-9_]+$/);
      expect(text.length).toBeGreaterThan(20);
    }
  });

  it('an ApiError carries its code across boundaries by value', () => {
    const error = new ApiError('LB_ERR_NO_SUCH_SERVER', 'No such server.', { data: { server: 'x' } });
    expect(hasErrorCode(error, 'LB_ERR_NO_SUCH_SERVER')).toBe(true);
    expect(isApiErrorCode(error.code)).toBe(true);
    expect(isApiErrorCode('LB_ERR_NOPE')).toBe(false);
    expect(error.data).toEqual({ server: 'x' });
  });
});
