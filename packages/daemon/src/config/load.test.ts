import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatConfigError, loadConfigFiles } from './index.js';

describe('loadConfigFiles', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbd-config-'));
    await writeFile(join(dir, 'a.cfg'), 'global\n  maxconn 100\n');
    await writeFile(join(dir, 'b.cfg'), 'backend be\n  mode tcp\n  server s1 10.0.0.1:3306\n');
    await writeFile(join(dir, 'bad.cfg'), 'defaults\n  modetcp\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads several files in order', async () => {
    const result = await loadConfigFiles([join(dir, 'a.cfg'), join(dir, 'b.cfg')], { env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.global.maxconn).toBe(100);
    expect(result.config.proxies[0]!.where).toEqual({ file: join(dir, 'b.cfg'), line: 1 });
  });

  test('an unreadable file is an error of its own, and the others are still checked', async () => {
    const missing = join(dir, 'missing.cfg');
    const result = await loadConfigFiles([missing, join(dir, 'bad.cfg'), dir], { env: {} });
    expect(result.ok ? [] : result.errors.map((e) => [e.code, formatConfigError(e)])).toEqual([
      ['LB_ERR_CONFIG_READ', `${missing}: cannot read: no such file`],
      [
        'LB_ERR_CONFIG_UNKNOWN_KEYWORD',
        `${join(dir, 'bad.cfg')}:2: unknown keyword 'modetcp' in 'defaults' section (did you mean 'mode tcp'?)`,
      ],
      ['LB_ERR_CONFIG_READ', `${dir}: cannot read: it is a directory`],
    ]);
  });
});
