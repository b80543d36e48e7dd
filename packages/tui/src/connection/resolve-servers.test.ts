import { describe, expect, it } from 'vitest';
import { globToRegExp, resolveServers } from './resolve-servers.js';

const servers = [
  { backend: 'mysql_ro', server: 'db1' },
  { backend: 'mysql_ro', server: 'db2' },
  { backend: 'mysql_rw', server: 'db1' },
  { backend: 'redis', server: 'cache1' },
];

describe('resolveServers', () => {
  it('finds a bare name that exists in one backend', () => {
    expect(resolveServers(servers, 'db2')).toEqual([{ backend: 'mysql_ro', server: 'db2' }]);
  });

  it('refuses a bare name found in several backends, listing them', () => {
    expect(() => resolveServers(servers, 'db1')).toThrow(
      expect.objectContaining({
        code: 'LB_ERR_AMBIGUOUS_SERVER',
        matches: ['mysql_ro/db1', 'mysql_rw/db1'],
        message: expect.stringContaining('mysql_ro/db1, mysql_rw/db1'),
      }),
    );
  });

  it('accepts backend/server and --backend to disambiguate', () => {
    expect(resolveServers(servers, 'mysql_rw/db1')).toEqual([{ backend: 'mysql_rw', server: 'db1' }]);
    expect(resolveServers(servers, 'db1', 'mysql_ro')).toEqual([{ backend: 'mysql_ro', server: 'db1' }]);
  });

  it('returns every match of a glob, narrowed by --backend', () => {
    expect(resolveServers(servers, 'db*')).toHaveLength(3);
    expect(resolveServers(servers, 'db*', 'mysql_ro')).toEqual([
      { backend: 'mysql_ro', server: 'db1' },
      { backend: 'mysql_ro', server: 'db2' },
    ]);
    expect(resolveServers(servers, 'mysql_*/db1')).toHaveLength(2);
  });

  it('throws NoSuchServer when nothing matches', () => {
    expect(() => resolveServers(servers, 'db9')).toThrow(
      expect.objectContaining({ code: 'LB_ERR_NO_SUCH_SERVER' }),
    );
    expect(() => resolveServers(servers, 'cache1', 'mysql_ro')).toThrow(/in backend 'mysql_ro'/);
    expect(() => resolveServers(servers, 'x*')).toThrow(
      expect.objectContaining({ code: 'LB_ERR_NO_SUCH_SERVER' }),
    );
  });

  it('reads stats rows and skips the FRONTEND/BACKEND aggregate rows', () => {
    const rows = [
      { pxname: 'mysql_ro', svname: 'FRONTEND' },
      { pxname: 'mysql_ro', svname: 'db1' },
      { pxname: 'mysql_ro', svname: 'BACKEND' },
    ];
    expect(resolveServers(rows, '*')).toEqual([{ backend: 'mysql_ro', server: 'db1' }]);
  });
});

describe('globToRegExp', () => {
  it('handles *, ?, classes and escapes regexp characters', () => {
    expect(globToRegExp('db?').test('db1')).toBe(true);
    expect(globToRegExp('db?').test('db10')).toBe(false);
    expect(globToRegExp('db[12]').test('db2')).toBe(true);
    expect(globToRegExp('db[!12]').test('db2')).toBe(false);
    expect(globToRegExp('a.b*').test('axb')).toBe(false);
  });
});
