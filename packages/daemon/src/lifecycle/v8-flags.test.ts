import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_PLANE_V8_FLAGS } from './v8-flags.js';

describe('V8 flags of the data plane', () => {
  it('are in the lbd entry script shebang, which is how a single-process lbd gets them', () => {
    const shebang = readFileSync(new URL('../../bin/lbd.js', import.meta.url), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${DATA_PLANE_V8_FLAGS.join(' ')}`);
  });
});
