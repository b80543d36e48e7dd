import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET, resolveTargets } from './targets.js';

describe('resolveTargets', () => {
  it('uses every --socket, then LBCTL_SOCKET, then the default', () => {
    expect(resolveTargets({ socket: ['/a', '/b'], env: { LBCTL_SOCKET: '/e' } })).toEqual([
      { path: '/a' },
      { path: '/b' },
    ]);
    expect(resolveTargets({ env: { LBCTL_SOCKET: '/e' } })).toEqual([{ path: '/e' }]);
    expect(resolveTargets({ env: {} })).toEqual([{ path: DEFAULT_SOCKET }]);
  });

  it('reads and trims the token for each --url', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbctl-'));
    const file = join(dir, 'token');
    writeFileSync(file, '  s3cret\n');
    expect(resolveTargets({ url: ['ws://127.0.0.1:9000'], tokenFile: file, env: {} })).toEqual([
      { url: 'ws://127.0.0.1:9000', token: 's3cret' },
    ]);
  });

  it('makes a missing token file or a bad URL a usage error', () => {
    const usage = expect.objectContaining({ code: 'LB_ERR_USAGE' });
    const token = join(mkdtempSync(join(tmpdir(), 'lbctl-')), 'token');
    writeFileSync(token, 't');
    expect(() => resolveTargets({ url: ['ws://h:1'], env: {} })).toThrow(usage);
    expect(() => resolveTargets({ url: ['ws://h:1'], tokenFile: '/nonexistent/t', env: {} })).toThrow(usage);
    expect(() => resolveTargets({ url: ['http://h:1'], tokenFile: token, env: {} })).toThrow(usage);
  });
});
