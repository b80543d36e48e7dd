import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../config/format.js';
import { parseConfig } from '../../config/parser.js';
import type { ProxyConfig } from '../../config/types.js';
import { healthCheckErrors, parseCheckSpec } from './check-spec.js';

function backend(lines: string): { proxy?: ProxyConfig; errors: string[] } {
  const text = `defaults\n  mode tcp\nbackend be\n${lines
    .trim()
    .split('\n')
    .map((l) => `  ${l.trim()}`)
    .join('\n')}\n  server s1 127.0.0.1:3306 check\n`;
  const result = parseConfig([{ path: 'lb.cfg', text }], { env: {}, proxyValidators: [healthCheckErrors] });
  if (!result.ok) return { errors: result.errors.map((e) => formatConfigError(e)) };
  return { proxy: result.config.proxies[0]!, errors: [] };
}

function spec(lines: string) {
  const { proxy, errors } = backend(lines);
  if (proxy === undefined) throw new Error(errors.join('\n'));
  return parseCheckSpec(proxy).spec;
}

describe('typing the health check of a backend', () => {
  it('is a plain connect without an option', () => {
    expect(spec('balance roundrobin')).toEqual({ kind: 'connect' });
  });

  it('reads mysql-check in its three forms', () => {
    expect(spec('option mysql-check')).toEqual({ kind: 'mysql', user: undefined, post41: false });
    expect(spec('option mysql-check user haproxy')).toEqual({
      kind: 'mysql',
      user: 'haproxy',
      post41: false,
    });
    expect(spec('option mysql-check user haproxy post-41')).toMatchObject({ post41: true });
  });

  it('reads the replica check and keeps its password out of sight', () => {
    const s = spec('option mysql-replica-check user mon password "s3 cret" max-lag 30 require-replica');
    expect(s).toMatchObject({ kind: 'mysql-replica', user: 'mon', maxLagSeconds: 30, requireReplica: true });
    if (s.kind !== 'mysql-replica') throw new Error('wrong kind');
    expect(s.password.reveal()).toBe('s3 cret');
    expect(JSON.stringify(s)).not.toContain('s3 cret');
    expect(String(s.password)).toBe('<redacted>');
    expect(spec('option mysql-replica-check user mon password pw max-lag 2m')).toMatchObject({
      maxLagSeconds: 120,
    });
  });

  it('reads httpchk and http-check rules', () => {
    expect(spec('option httpchk')).toMatchObject({
      kind: 'http',
      request: { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' },
    });
    const s = spec(`
      option httpchk GET /health HTTP/1.1\\r\\nHost:\\ db.example
      http-check expect ! rstatus ^5
      http-check disable-on-404
    `);
    expect(s).toMatchObject({
      kind: 'http',
      request: { method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [['Host', 'db.example']] },
      expect: { negate: true, kind: 'rstatus' },
      disableOn404: true,
    });
    expect(
      spec(
        'option httpchk\nhttp-check send meth HEAD uri /ping hdr Host lb\nhttp-check expect status 200-299,304',
      ),
    ).toMatchObject({
      request: { method: 'HEAD', uri: '/ping', headers: [['Host', 'lb']] },
      expect: {
        kind: 'status',
        ranges: [
          [200, 299],
          [304, 304],
        ],
      },
    });
  });

  it('reads tcp-check rules in order', () => {
    const s = spec(`
      option tcp-check
      tcp-check connect port 6379
      tcp-check send PING\\r\\n
      tcp-check expect string +PONG
      tcp-check send-binary 0a0b
      tcp-check expect ! rstring ^-ERR comment "no error"
    `);
    if (s.kind !== 'tcp-check') throw new Error('wrong kind');
    expect(s.steps.map((step) => step.op)).toEqual(['connect', 'send', 'expect', 'send', 'expect']);
    expect(s.steps[0]).toMatchObject({ port: 6379 });
    expect(s.steps[1]).toMatchObject({ data: Buffer.from('PING\r\n') });
    expect(s.steps[3]).toMatchObject({ data: Buffer.from([0x0a, 0x0b]) });
    expect(s.steps[4]).toMatchObject({ negate: true, match: 'rstring' });
  });

  it('reads the other protocol checks', () => {
    expect(spec('option pgsql-check user postgres')).toEqual({ kind: 'pgsql', user: 'postgres' });
    expect(spec('option redis-check')).toEqual({ kind: 'redis' });
    expect(spec('option smtpchk EHLO lb.example')).toEqual({
      kind: 'smtp',
      hello: 'EHLO',
      domain: 'lb.example',
    });
    expect(spec('option ldap-check')).toEqual({ kind: 'ldap' });
    expect(spec('option ssl-hello-chk')).toEqual({ kind: 'ssl-hello' });
  });
});

describe('check configuration errors', () => {
  it('reports each mistake with FILE:LINE, through the configuration checker', () => {
    const { errors } = backend(`
      option tcp-check
      tcp-check expect strnig hello
      tcp-check send-binary 0g
      tcp-check set-var(check.x) int(1)
    `);
    expect(errors).toEqual([
      "lb.cfg:5: unknown word 'strnig' in 'tcp-check expect' (expected 'string', 'rstring', 'binary', 'rbinary') (did you mean 'string'?)",
      "lb.cfg:6: bad value in 'tcp-check send-binary': '0g' is not an even number of hex digits",
      "lb.cfg:7: 'tcp-check set-var(check.x)' is not supported: check variables are not supported",
    ]);
  });

  it('reports http-check mistakes', () => {
    expect(backend('option httpchk\nhttp-check expect status 2xx').errors).toEqual([
      "lb.cfg:5: bad value in 'http-check expect status': '2xx' is not a status, a range or a list of them",
    ]);
    expect(backend('option httpchk\nhttp-check expect rstring (').errors[0]).toMatch(
      /^lb\.cfg:5: bad value in 'http-check expect rstring': '\(' is not a valid regular expression/,
    );
  });

  it('never echoes the replica-check password in an error', () => {
    const { errors } = backend('option mysql-replica-check user mon password TopSecret9 max-lag soon');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("lb.cfg:4: bad value in 'option mysql-replica-check max-lag'");
    expect(errors[0]).not.toContain('TopSecret9');
    expect(backend('option mysql-replica-check user mon').errors).toEqual([
      "lb.cfg:4: 'option mysql-replica-check' needs 'password' (usage: option mysql-replica-check user NAME password SECRET [max-lag SECONDS] [require-replica])",
    ]);
  });

  it('refuses bad option words', () => {
    expect(backend('option mysql-check usr haproxy').errors).toEqual([
      "lb.cfg:4: unknown word 'usr' in 'option mysql-check' (expected 'user') (did you mean 'user'?)",
    ]);
    expect(backend('option redis-check now').errors).toEqual([
      "lb.cfg:4: bad value in 'option redis-check': it takes no argument, got 'now'",
    ]);
  });
});
