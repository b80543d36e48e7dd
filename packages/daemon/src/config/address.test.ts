import { describe, expect, test } from 'vitest';
import { parseBindAddresses, parseHost, parseServerAddress, parseSource } from './address.js';

describe('parseBindAddresses', () => {
  test.each([
    ['127.0.0.1:3306', { host: '127.0.0.1', ports: { low: 3306, high: 3306 } }],
    ['*:8888', { host: '*', ports: { low: 8888, high: 8888 } }],
    [':80', { host: '', ports: { low: 80, high: 80 } }],
    ['[::1]:3306', { host: '::1', ports: { low: 3306, high: 3306 } }],
    ['[::]:3306', { host: '::', ports: { low: 3306, high: 3306 } }],
    [':::3306', { host: '::', ports: { low: 3306, high: 3306 } }],
    ['::1:3306', { host: '::1', ports: { low: 3306, high: 3306 } }],
    ['ipv6@:3306', { host: '::', ports: { low: 3306, high: 3306 }, family: 'ipv6' }],
    ['ipv4@0.0.0.0:3306', { host: '0.0.0.0', ports: { low: 3306, high: 3306 }, family: 'ipv4' }],
    ['lb.example.com:3306', { host: 'lb.example.com', ports: { low: 3306, high: 3306 } }],
    [':1025-1030', { host: '', ports: { low: 1025, high: 1030 } }],
  ])('%s', (text, expected) => {
    expect(parseBindAddresses(text)).toEqual({ ok: true, value: [expected] });
  });

  test('a comma-separated list gives one address each', () => {
    const parsed = parseBindAddresses('10.0.0.1:80,[::1]:81');
    expect(parsed.ok && parsed.value.map((a) => [a.host, a.ports.low])).toEqual([
      ['10.0.0.1', 80],
      ['::1', 81],
    ]);
  });

  test.each([
    ['10.0.0.1', 'the port is missing', 'missing'],
    [':0', 'port 0 is out of range (1 to 65535)', undefined],
    [':65536', 'port 65536 is out of range (1 to 65535)', undefined],
    [':http', "'http' is not a port number (1 to 65535)", undefined],
    [':2000-1000', "port range '2000-1000' goes backwards", undefined],
    ['300.1.1.1:80', "'300.1.1.1' is not a valid IPv4 address", undefined],
    ['[10.0.0.1]:80', "'10.0.0.1' in brackets is not an IPv6 address", undefined],
    ['ipv4@::1:80', "'::1' is an IPv6 address but the prefix asks for IPv4", undefined],
    ['unix@/run/x.sock', "UNIX sockets ('unix@') are not supported: lbd uses TCP only", 'unsupported'],
    ['udp@:53', "UDP ('udp@') are not supported: lbd uses TCP only", 'unsupported'],
    ['/run/x.sock', 'UNIX socket paths are not supported: lbd uses TCP only', 'unsupported'],
    ['bogus@:80', "unknown address prefix 'bogus@'", undefined],
  ])('%s is refused', (text, reason, kind) => {
    const parsed = parseBindAddresses(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason.startsWith(reason)).toBe(true);
    expect(parsed.kind).toBe(kind);
  });
});

describe('parseServerAddress', () => {
  test.each([
    ['10.0.0.1:3306', { host: '10.0.0.1', port: 3306 }],
    ['[2001:db8::1]:3306', { host: '2001:db8::1', port: 3306 }],
    ['::1:3306', { host: '::1', port: 3306 }],
    ['db1.internal:3306', { host: 'db1.internal', port: 3306 }],
    ['ipv6@db1.internal:3306', { host: 'db1.internal', port: 3306, family: 'ipv6' }],
  ])('%s', (text, expected) => {
    expect(parseServerAddress(text)).toEqual({ ok: true, value: expected });
  });

  test('the portless and relative-port forms are refused with an explanation', () => {
    expect(parseServerAddress('10.0.0.1')).toMatchObject({ ok: false, kind: 'missing' });
    expect(parseServerAddress('10.0.0.1:')).toMatchObject({ ok: false, kind: 'missing' });
    expect(parseServerAddress('10.0.0.1:+1000')).toMatchObject({ ok: false, kind: 'unsupported' });
    expect(parseServerAddress(':3306')).toMatchObject({ ok: false, kind: 'unsupported' });
    expect(parseServerAddress('::1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("write '[::1]:PORT'"),
    });
    expect(parseServerAddress('bad_host!:3306')).toMatchObject({ ok: false });
  });
});

describe('parseSource and parseHost', () => {
  test('one address, with or without ports', () => {
    expect(parseSource('10.0.0.5')).toEqual({ ok: true, value: { addresses: ['10.0.0.5'] } });
    expect(parseSource('10.0.0.5:0')).toEqual({ ok: true, value: { addresses: ['10.0.0.5'] } });
    expect(parseSource('[2001:db8::5]:1025-65000')).toEqual({
      ok: true,
      value: { addresses: ['2001:db8::5'], portRange: { low: 1025, high: 65000 } },
    });
  });

  test("lbd's extension: several addresses sharing one port range", () => {
    const expected = { addresses: ['10.0.0.5', '10.0.0.6'], portRange: { low: 1025, high: 65000 } };
    expect(parseSource('10.0.0.5,10.0.0.6:1025-65000')).toEqual({ ok: true, value: expected });
    expect(parseSource('10.0.0.5:1025-65000,10.0.0.6:1025-65000')).toEqual({ ok: true, value: expected });
    expect(parseSource('10.0.0.5:1025-2000,10.0.0.6:3000-4000')).toMatchObject({ ok: false });
  });

  test('several addresses must differ, share one family, and leave out wildcards', () => {
    expect(parseSource('127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5:40000-40999')).toEqual({
      ok: true,
      value: {
        addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
        portRange: { low: 40000, high: 40999 },
      },
    });
    expect(parseSource('10.0.0.5,10.0.0.5')).toEqual({
      ok: false,
      reason: 'address 10.0.0.5 is given twice',
    });
    expect(parseSource('10.0.0.5,2001:db8::5')).toMatchObject({ ok: false, reason: /mixed/ });
    expect(parseSource('*,10.0.0.5')).toMatchObject({ ok: false, reason: /wildcard/ });
  });

  test('a source must be an IP address', () => {
    expect(parseSource('lb.example.com')).toMatchObject({ ok: false });
    expect(parseSource('*')).toEqual({ ok: true, value: { addresses: ['0.0.0.0'] } });
  });

  test('parseHost takes a bare address or name', () => {
    expect(parseHost('::1')).toEqual({ ok: true, value: '::1' });
    expect(parseHost('10.0.0.1')).toEqual({ ok: true, value: '10.0.0.1' });
    expect(parseHost('check.internal')).toEqual({ ok: true, value: 'check.internal' });
    expect(parseHost('10.0.0.1:80')).toMatchObject({ ok: false });
  });
});
