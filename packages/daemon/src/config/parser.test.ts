import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatConfigError, parseConfig } from './index.js';
import type { Config, ProxyConfig } from './types.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function parseOk(text: string, path = 'haproxy.cfg'): Config {
  const result = parseConfig([{ path, text }], { env: {} });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

function proxy(config: Config, name: string): ProxyConfig {
  const found = config.proxies.find((p) => p.name === name);
  if (!found) throw new Error(`no proxy ${name}`);
  return found;
}

describe('a realistic production configuration', () => {
  const config = parseOk(fixture('realistic.cfg'), 'realistic.cfg');

  test('global settings', () => {
    const g = config.global;
    expect(g).toMatchObject({
      maxconn: 20000,
      ulimitN: 65535,
      user: 'haproxy',
      group: 'haproxy',
      chroot: '/var/lib/haproxy',
      pidfile: '/run/haproxy.pid',
      nbthread: 4,
      spreadChecks: 5,
      hardStopAfterMs: 30_000,
      statsTimeoutMs: 120_000,
      node: 'db-lb-1',
      description: 'MySQL and app load balancer',
    });
    expect(g.statsSockets.map(({ where: _, ...s }) => s)).toEqual([
      { path: '/run/haproxy/admin.sock', mode: 0o660, level: 'admin' },
      { path: '/run/haproxy/ops.sock', mode: 0o600, user: 'ops', group: 'ops', level: 'operator' },
    ]);
    expect(g.logTargets.map(({ where: _, ...t }) => t)).toEqual([
      { target: '/dev/log', facility: 'local0', level: 'info' },
      { target: '127.0.0.1:514', len: 2048, format: 'rfc5424', facility: 'local1', level: 'notice' },
    ]);
  });

  test('proxies in order, with ids from 2', () => {
    expect(config.proxies.map((p) => [p.kind, p.name, p.id])).toEqual([
      ['listen', 'mysql-read', 2],
      ['frontend', 'app-in', 3],
      ['backend', 'app-servers', 4],
      ['listen', 'stats', 5],
    ]);
  });

  test('listen with IPv4 and IPv6 binds, legacy keywords from defaults and default-server', () => {
    const p = proxy(config, 'mysql-read');
    expect(p.mode).toBe('tcp');
    expect(p.defaultBackend).toBe('mysql-read');
    expect(p.binds.map((b) => [b.host, b.port, b.v6only ?? false])).toEqual([
      ['10.0.0.10', 3307, false],
      ['2001:db8::10', 3307, true],
    ]);
    expect(p.balance).toBe('leastconn');
    expect(p.retries).toBe(2);
    expect(p.options).toMatchObject({ redispatch: true, tcplog: true, dontlognull: true, srvtcpka: true });
    expect(p.timeouts).toEqual({ connect: 4000, client: 1_800_000, server: 1_800_000, check: 2000 });
    expect(p.log).toBe(true);
    expect(p.healthCheck).toMatchObject({ type: 'mysql-check', args: ['user', 'haproxy_check'] });
    expect(p.servers.map((s) => [s.id, s.name, s.host, s.port, s.weight, s.backup])).toEqual([
      [1, 'replica1', '10.0.1.11', 3306, 100, false],
      [2, 'replica2', '10.0.1.12', 3306, 100, false],
      [3, 'replica3', 'replica3.db.internal', 3306, 50, false],
      [4, 'primary', '10.0.1.10', 3306, 1, true],
    ]);
    const [replica1, replica2, replica3] = p.servers;
    expect(replica1).toMatchObject({
      check: true,
      inter: 3000,
      fastinter: 3000,
      downinter: 3000,
      rise: 2,
      fall: 3,
    });
    expect(replica1!.onMarkedDown).toBe('shutdown-sessions');
    expect(replica2!.maxconn).toBe(500);
    expect(replica3!.slowstart).toBe(60_000);
  });

  test('frontend/backend pair', () => {
    const fe = proxy(config, 'app-in');
    expect(fe.defaultBackend).toBe('app-servers');
    expect(fe.maxconn).toBe(5000);
    expect(fe.timeouts.client).toBe(3_600_000);
    expect(fe.binds.map((b) => [b.host, b.port, b.acceptProxy, b.name, b.family])).toEqual([
      ['', 8443, true, 'app', undefined],
      ['', 9443, true, 'app', undefined],
      ['::', 8443, false, undefined, 'ipv6'],
    ]);
    const be = proxy(config, 'app-servers');
    expect(be.balance).toBe('source');
    expect(be.hashType).toBe('consistent');
    expect(be.source).toEqual({ addresses: ['10.0.0.5', '10.0.0.6'], portRange: { low: 1025, high: 65000 } });
    expect(be.healthCheck?.type).toBe('tcp-check');
    expect(be.tcpCheckRules?.map((r) => r.args)).toEqual([
      ['connect'],
      ['send', 'PING\r\n'],
      ['expect', 'string', '+PONG'],
    ]);
    expect(be.servers.map((s) => [s.id, s.name, s.host, s.port, s.check, s.sendProxy, s.weight])).toEqual([
      [11, 'app1', '2001:db8::21', 8443, true, 2, 1],
      [1, 'app2', '::22', 8443, true, 2, 1],
      [2, 'app3', '10.0.2.23', 8443, false, 2, 0],
    ]);
    expect(be.servers[1]!.agent).toEqual({ port: 9999, interMs: 10_000 });
    expect(be.servers[0]!.inter).toBe(5000);
  });

  test('the HTTP stats listen with its legacy address', () => {
    const stats = proxy(config, 'stats');
    expect(stats.mode).toBe('http');
    expect(stats.binds.map((b) => [b.host, b.port])).toEqual([['*', 8888]]);
    expect(stats.stats).toEqual({
      enabled: true,
      uri: '/haproxy?stats',
      realm: 'Load balancer',
      auth: [{ user: 'admin', password: 's3cret' }],
      refreshMs: 10_000,
      adminIf: 'TRUE',
      hideVersion: true,
    });
  });

  test('notices for accepted keywords with no effect and legacy spellings', () => {
    expect(config.notices.map((n) => `${n.where.line}: ${n.message}`)).toEqual([
      "16: 'daemon' has no effect in lbd: lbd runs in the foreground under its supervisor; systemd does the backgrounding",
      "17: 'expose-fd' for 'stats socket' has no effect: lbd reloads without passing listening sockets to a new process",
      "29: 'redispatch' is a legacy keyword: write 'option redispatch'",
      "30: 'contimeout' is a legacy keyword: write 'timeout connect 4000'",
      "31: 'clitimeout' is a legacy keyword: write 'timeout client 30m'",
      "32: 'srvtimeout' is a legacy keyword: write 'timeout server 30m'",
    ]);
  });
});

describe('the HAProxy compatibility sample', () => {
  test('parses with no error and no notice', () => {
    const config = parseOk(fixture('haproxy-compat-sample.cfg'));
    expect(config.notices).toEqual([]);
    expect(config.proxies.map((p) => [p.name, p.id, p.mode, p.servers.length])).toEqual([
      ['mysql_proxy', 2, 'tcp', 2],
      ['my-tcp-in', 3, 'tcp', 0],
      ['my-servers', 4, 'tcp', 2],
      ['admin_status', 5, 'http', 0],
    ]);
    expect(config.global.statsSockets.map((s) => s.level)).toEqual(['admin', 'user', 'operator']);
    expect(proxy(config, 'mysql_proxy').servers[1]).toMatchObject({ name: 'db2', fall: 5, maxconn: 100 });
    expect(proxy(config, 'my-servers').servers[1]).toMatchObject({
      backup: true,
      maxconn: 10000,
      check: true,
    });
  });
});

describe('defaults inheritance', () => {
  test('a new defaults section starts again from the built-in defaults', () => {
    const config = parseOk(`
defaults
  mode tcp
  retries 5
  balance leastconn
  timeout connect 1s
  default-server weight 7
backend a
  server s 10.0.0.1:1
defaults
  mode tcp
backend b
  server s 10.0.0.1:1
`);
    const a = proxy(config, 'a');
    const b = proxy(config, 'b');
    expect([a.retries, a.balance, a.timeouts.connect, a.servers[0]!.weight]).toEqual([
      5,
      'leastconn',
      1000,
      7,
    ]);
    expect([b.retries, b.balance, b.timeouts.connect, b.servers[0]!.weight]).toEqual([
      3,
      'roundrobin',
      undefined,
      1,
    ]);
  });

  test('named defaults picked with from, and the section overriding what it inherits', () => {
    const config = parseOk(`
defaults base
  mode tcp
  retries 4
  option redispatch
defaults
  mode tcp
backend a from base
  no option redispatch
  server s 10.0.0.1:1
backend b
  server s 10.0.0.1:1
`);
    expect(proxy(config, 'a')).toMatchObject({ retries: 4, options: { redispatch: false } });
    expect(proxy(config, 'b')).toMatchObject({ retries: 3, options: { redispatch: false } });
  });

  test('built-in server defaults, default-server order, explicit ids', () => {
    const config = parseOk(`
backend a
  mode tcp
  id 10
  server s1 10.0.0.1:1
  default-server check inter 1s
  server s2 10.0.0.2:1 id 1 fastinter 500ms
  server s3 10.0.0.3:1
frontend f
  mode tcp
  bind :1000-1002
  default_backend a
`);
    const a = proxy(config, 'a');
    expect(a.id).toBe(10);
    expect(proxy(config, 'f').id).toBe(2);
    expect(proxy(config, 'f').binds.map((b) => b.port)).toEqual([1000, 1001, 1002]);
    expect(
      a.servers.map((s) => [s.name, s.id, s.check, s.inter, s.fastinter, s.rise, s.fall, s.weight]),
    ).toEqual([
      ['s1', 2, false, 2000, 2000, 2, 3, 1],
      ['s2', 1, true, 1000, 500, 2, 3, 1],
      ['s3', 3, true, 1000, 1000, 2, 3, 1],
    ]);
  });

  test('a section with no mode is TCP, with a notice only when it has servers or binds', () => {
    const config = parseOk('backend a\n  server s 10.0.0.1:1\nbackend empty\n');
    expect(proxy(config, 'a').mode).toBe('tcp');
    expect(config.notices.map((n) => `${n.where.line}: ${n.message}`)).toEqual([
      "1: no 'mode' set; lbd assumes tcp",
    ]);
  });

  test('a frontend and a backend may share a name, as in HAProxy', () => {
    const config = parseOk(
      'frontend app\n  mode tcp\n  bind :1\n  default_backend app\nbackend app\n  mode tcp\n',
    );
    expect(config.proxies.map((p) => [p.kind, p.name, p.id])).toEqual([
      ['frontend', 'app', 2],
      ['backend', 'app', 3],
    ]);
  });

  test('several files read as one stream', () => {
    const result = parseConfig(
      [
        { path: 'base.cfg', text: 'defaults\n  mode tcp\n  retries 9\n' },
        { path: 'app.cfg', text: 'backend a\n  server s 10.0.0.1:1\n' },
      ],
      { env: {} },
    );
    expect(result.ok && result.config.files).toEqual(['base.cfg', 'app.cfg']);
    expect(result.ok && result.config.proxies[0]!.retries).toBe(9);
    expect(result.ok && result.config.proxies[0]!.where).toEqual({ file: 'app.cfg', line: 1 });
  });

  test('environment variables expand inside double quotes', () => {
    const result = parseConfig(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: HAProxy's ${VAR} syntax, not a template
      [{ path: 'x.cfg', text: 'global\n  node "${HOST}-lb"\n  pidfile "$RUN/lbd.pid"\n' }],
      {
        env: { HOST: 'db1', RUN: '/run' },
      },
    );
    expect(result.ok && result.config.global).toMatchObject({ node: 'db1-lb', pidfile: '/run/lbd.pid' });
  });
});

describe('accepted with a notice', () => {
  const noticesOf = (text: string) => parseOk(text).notices.map((n) => `${n.where.line}: ${n.message}`);

  test('keywords with no effect in lbd say why, and parsing goes on', () => {
    expect(
      noticesOf(`global
  tune.bufsize 32768
  ssl-default-bind-ciphers HIGH
defaults
  mode tcp
  option forwardfor
  option httplog
  timeout http-request 10s
backend be
  server s1 10.0.0.1:1 resolvers dns init-addr last,libc
`),
    ).toEqual([
      "2: 'tune.bufsize' has no effect in lbd: it tunes HAProxy's own event loop or memory, which lbd does not have",
      "3: 'ssl-default-bind-ciphers' has no effect in lbd: lbd does not terminate TLS (it forwards TCP bytes), so TLS settings have nothing to apply to",
      "6: 'option forwardfor' has no effect in lbd: HTTP option ignored in TCP mode",
      "7: 'option httplog' has no effect in lbd: it has no effect in TCP mode; 'option tcplog' is used instead",
      "8: 'timeout http-request' has no effect in lbd: it only matters in HTTP mode and lbd proxies TCP",
      "10: 'resolvers' for server 's1' has no effect: host names are resolved once at start with the system's resolver",
      "10: 'init-addr' for server 's1' has no effect: host names are resolved once at start with the system's resolver",
    ]);
  });

  test('option httplog still turns logging on, as tcplog', () => {
    const config = parseOk('defaults\n  mode tcp\n  option httplog\nbackend be\n');
    expect(config.proxies[0]!.options.tcplog).toBe(true);
  });

  test("a setting for the other side of a proxy is ignored with a notice, as HAProxy's warning", () => {
    expect(
      noticesOf(`frontend fe
  mode tcp
  bind :3306
  balance leastconn
  option redispatch
  default_backend be
backend be
  mode tcp
  maxconn 100
  server s1 10.0.0.1:3306
`),
    ).toEqual([
      "4: 'balance' has no effect in a 'frontend' section (only in defaults, backend or listen)",
      "5: 'option redispatch' has no effect in a 'frontend' section (only in defaults, backend or listen)",
      "9: 'maxconn' has no effect in a backend: it limits a frontend's sessions; use 'fullconn' or the servers' 'maxconn'",
    ]);
  });

  test('stats directives in a TCP section, and a resolvers section skipped whole', () => {
    expect(
      noticesOf(`resolvers dns
  nameserver ns1 10.0.0.53:53
  hold valid 10s
listen db
  mode tcp
  bind :3306
  stats enable
  server s1 10.0.0.1:3306
`),
    ).toEqual([
      "1: 'resolvers' section has no effect in lbd: lbd resolves server host names once at start with the system's resolver; the section is skipped",
      "7: 'stats' directives have no effect in TCP mode: the stats page needs 'mode http'",
    ]);
  });
});
