import { describe, expect, test } from 'vitest';
import { formatConfigError, parseConfig } from './index.js';

/** Parses one file and returns its errors as `lbd -c` prints them. */
function errorsOf(text: string, path = 'lb.cfg'): string[] {
  const result = parseConfig([{ path, text }], { env: {} });
  return result.ok ? [] : result.errors.map(formatConfigError);
}

/** A backend that makes a frontend valid, so only the mistake under test is reported. */
const BACKEND = 'backend be\n  mode tcp\n  server s1 10.0.0.1:3306\n';

describe('each configuration mistake gives one exact FILE:LINE message', () => {
  const cases: [string, string, string][] = [
    [
      'two words run together',
      'defaults\n  modetcp\n',
      "lb.cfg:2: unknown keyword 'modetcp' in 'defaults' section (did you mean 'mode tcp'?)",
    ],
    [
      'a misspelled option',
      'defaults\n  mode tcp\n  option httddplog\n',
      "lb.cfg:3: unknown keyword 'option httddplog' in 'defaults' section (did you mean 'option httplog'?)",
    ],
    [
      'a misspelled balance algorithm',
      'defaults\n  balance roundrobbin\n',
      "lb.cfg:2: unknown balance algorithm 'roundrobbin': lbd supports roundrobin, static-rr, leastconn, first or source (did you mean 'roundrobin'?)",
    ],
    [
      'an HTTP balance algorithm',
      'defaults\n  balance uri\n',
      "lb.cfg:2: 'balance uri' is not supported: lbd supports roundrobin, static-rr, leastconn, first or source",
    ],
    [
      'a bad duration',
      'defaults\n  timeout connect 5x\n',
      "lb.cfg:2: bad value '5x' for 'timeout connect': expected a duration (a number with an optional unit: us, ms, s, m, h, d)",
    ],
    [
      'a misspelled timeout kind',
      'defaults\n  timeout connnect 5s\n',
      "lb.cfg:2: unknown timeout 'connnect' (known: connect, client, server, queue, check, client-fin, server-fin, tunnel, http-request, http-keep-alive, tarpit) (did you mean 'timeout connect'?)",
    ],
    [
      'a port out of range',
      `frontend fe\n  mode tcp\n  bind :70000\n  default_backend be\n${BACKEND}`,
      "lb.cfg:3: bad address ':70000' for 'bind': port 70000 is out of range (1 to 65535)",
    ],
    [
      'a weight above 256',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:3306 weight 300\n',
      "lb.cfg:3: bad value '300' for 'weight': out of range (0 to 256)",
    ],
    [
      'rise 0',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:3306 check rise 0\n',
      "lb.cfg:3: bad value '0' for 'rise': out of range (1 or more)",
    ],
    [
      'a negative maxconn',
      'global\n  maxconn -5\n',
      "lb.cfg:2: bad value '-5' for 'maxconn': cannot be negative",
    ],
    [
      'an unknown server parameter',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:3306 check wieght 10\n',
      "lb.cfg:3: unknown parameter 'wieght' for server 's1' (did you mean 'weight'?)",
    ],
    [
      'a server in a frontend',
      `frontend fe\n  mode tcp\n  bind :3306\n  default_backend be\n  server s2 10.0.0.2:3306\n${BACKEND}`,
      "lb.cfg:5: 'server' is not allowed in a 'frontend' section (only in backend or listen)",
    ],
    [
      'a bind in a backend',
      'backend be\n  mode tcp\n  bind :3306\n  server s1 10.0.0.1:3306\n',
      "lb.cfg:3: 'bind' is not allowed in a 'backend' section (only in frontend or listen)",
    ],
    [
      'a default_backend naming a missing backend',
      `frontend fe\n  mode tcp\n  bind :3306\n  default_backend bee\n${BACKEND}`,
      "lb.cfg:4: default_backend 'bee': no backend or listen section has that name (did you mean 'be'?)",
    ],
    [
      'a duplicate server',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:3306\n  server s1 10.0.0.2:3306\n',
      "lb.cfg:4: duplicate server name 's1' in backend 'be': already defined at lb.cfg:3",
    ],
    [
      'a duplicate backend',
      `${BACKEND}backend be\n  mode tcp\n`,
      "lb.cfg:4: duplicate backend name 'be': a backend with that name is already defined at lb.cfg:1",
    ],
    [
      'a listen and a backend sharing a name',
      `${BACKEND}listen be\n  mode tcp\n  bind :3306\n`,
      "lb.cfg:4: duplicate listen name 'be': a backend with that name is already defined at lb.cfg:1",
    ],
    [
      'a keyword before any section',
      'maxconn 100\nglobal\n',
      "lb.cfg:1: 'maxconn' is outside any section: start one with 'global', 'defaults', 'frontend', 'backend' or 'listen'",
    ],
    [
      'a stats socket with a bad level',
      'global\n  stats socket /run/lbd.sock mode 600 level superuser\n',
      "lb.cfg:2: bad value 'superuser' for 'level': expected user, operator or admin",
    ],
    [
      'a server without an address',
      'backend be\n  mode tcp\n  server s1\n',
      "lb.cfg:3: missing address for server 's1' (usage: server NAME ADDR:PORT [PARAMS...])",
    ],
    [
      'a server without a port',
      'backend be\n  mode tcp\n  server s1 10.0.0.1 check\n',
      `lb.cfg:3: bad address '10.0.0.1' for server 's1': the port is missing: write ADDR:PORT (a server without a port, meaning "the port the client connected to", is not supported)`,
    ],
    [
      'an IPv6 server address without brackets or port',
      'backend be\n  mode tcp\n  server s1 2001:db8::1\n',
      "lb.cfg:3: bad address '2001:db8::1' for server 's1': '2001:db8::1' reads as host '2001:db8:' and port '1' (as in HAProxy, the part after the last ':' is the port); write '[2001:db8::1]:PORT'",
    ],
    [
      'a frontend with no bind',
      `frontend fe\n  mode tcp\n  default_backend be\n${BACKEND}`,
      "lb.cfg:1: frontend 'fe' has no 'bind' line: it would never receive a connection",
    ],
    [
      'a frontend with no default_backend',
      'frontend fe\n  mode tcp\n  bind :3306\n',
      "lb.cfg:1: frontend 'fe' has no 'default_backend': lbd needs one to know where connections go ('use_backend' is not supported yet)",
    ],
    [
      'use_backend',
      `frontend fe\n  mode tcp\n  bind :3306\n  default_backend be\n  use_backend be if TRUE\n${BACKEND}`,
      "lb.cfg:5: 'use_backend' is not supported: content switching is not supported yet (it needs ACLs); use 'default_backend'",
    ],
    [
      'an HTTP proxy with servers',
      'backend web\n  mode http\n  server w1 10.0.0.1:80\n',
      "lb.cfg:1: backend 'web' is in HTTP mode (set at lb.cfg:2) but lbd proxies TCP only: use 'mode tcp' (HTTP mode is kept for a stats page with no servers)",
    ],
    [
      'nbproc',
      'global\n  nbproc 4\n',
      "lb.cfg:2: 'nbproc' is not supported: it was removed in HAProxy 2.5; use 'nbthread'",
    ],
    [
      'a global keyword in defaults',
      'defaults\n  nbthread 4\n',
      "lb.cfg:2: 'nbthread' is not allowed in a 'defaults' section (only in global)",
    ],
    [
      'an ACL',
      'defaults\n  acl local src 127.0.0.1\n',
      "lb.cfg:2: 'acl' is not supported: ACLs and content rules are not supported yet",
    ],
    [
      'TLS to a server',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:443 ssl verify none\n',
      "lb.cfg:3: 'ssl' for server 's1' is not supported: lbd does not open TLS connections to servers; it forwards the TCP bytes as they come",
    ],
    [
      'transparent source',
      'backend be\n  mode tcp\n  source 0.0.0.0 usesrc clientip\n',
      "lb.cfg:3: 'source ... usesrc' is not supported: transparent proxying is not supported",
    ],
    ['an unmatched quote', 'global\n  description "unterminated\n', 'lb.cfg:2: unmatched double quote'],
    [
      'agent-check without agent-port',
      'backend be\n  mode tcp\n  server s1 10.0.0.1:3306 agent-check\n',
      "lb.cfg:3: server 's1' has 'agent-check' but no 'agent-port': the agent's port is required",
    ],
    [
      'from naming an unknown defaults section',
      'defaults base\n  mode tcp\nbackend be from bsae\n',
      "lb.cfg:3: no 'defaults' section named 'bsae' before this line (did you mean 'base'?)",
    ],
    [
      'two sections binding the same address',
      `listen a\n  mode tcp\n  bind 127.0.0.1:3306\nlisten b\n  mode tcp\n  bind 127.0.0.1:3306\n`,
      "lb.cfg:6: address 127.0.0.1:3306 is already bound by listen 'a'",
    ],
    [
      'a missing argument',
      'defaults\n  retries\n',
      "lb.cfg:2: missing argument for 'retries' (usage: retries N)",
    ],
    [
      'a server parameter written as a keyword',
      'backend be\n  weight 10\n',
      "lb.cfg:2: 'weight' is a server parameter, not a keyword: put it on a 'server' or 'default-server' line",
    ],
  ];

  test.each(cases)('%s', (_, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });
});

describe('collecting errors', () => {
  test('every error of a file is reported, in line order', () => {
    const text = [
      'global', // 1
      '  nbthread zero', // 2
      'defaults', // 3
      '  mode tcp', // 4
      '  timeout client 30x', // 5
      '  timout server 30s', // 6
      'frontend fe', // 7
      '  bind 10.0.0.1:99999', // 8
      '  default_backend missing', // 9
      'backend be', // 10
      '  server a 10.0.0.1:1 weight 999', // 11
      '  server a 10.0.0.2:1', // 12
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      "lb.cfg:2: bad value 'zero' for 'nbthread': expected an integer (1 to 4096)",
      "lb.cfg:5: bad value '30x' for 'timeout client': expected a duration (a number with an optional unit: us, ms, s, m, h, d)",
      "lb.cfg:6: unknown keyword 'timout' in 'defaults' section (did you mean 'timeout server'?)",
      "lb.cfg:8: bad address '10.0.0.1:99999' for 'bind': port 99999 is out of range (1 to 65535)",
      "lb.cfg:9: default_backend 'missing': no backend or listen section has that name",
      "lb.cfg:11: bad value '999' for 'weight': out of range (0 to 256)",
      "lb.cfg:12: duplicate server name 'a' in backend 'be': already defined at lb.cfg:11",
    ]);
  });

  test('errors in two files keep their own file names, sorted by file order then line', () => {
    const result = parseConfig(
      [
        { path: '/etc/haproxy/haproxy.cfg', text: 'global\n  maxconn many\ndefaults\n  mode tcp\n' },
        {
          path: '/etc/haproxy/conf.d/app.cfg',
          text: 'backend app\n  balance roundrobbin\n  server a 10.0.0.1\n',
        },
      ],
      { env: {} },
    );
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      "/etc/haproxy/haproxy.cfg:2: bad value 'many' for 'maxconn': expected an integer (1 or more)",
      "/etc/haproxy/conf.d/app.cfg:2: unknown balance algorithm 'roundrobbin': lbd supports roundrobin, static-rr, leastconn, first or source (did you mean 'roundrobin'?)",
      `/etc/haproxy/conf.d/app.cfg:3: bad address '10.0.0.1' for server 'a': the port is missing: write ADDR:PORT (a server without a port, meaning "the port the client connected to", is not supported)`,
    ]);
  });

  test('errors carry stable codes and the hint separately', () => {
    const result = parseConfig([{ path: 'lb.cfg', text: 'defaults\n  modetcp\n  retries -1\n' }], {
      env: {},
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.code, e.where.line, e.hint])).toEqual([
      ['LB_ERR_CONFIG_UNKNOWN_KEYWORD', 2, 'mode tcp'],
      ['LB_ERR_CONFIG_BAD_VALUE', 3, undefined],
    ]);
  });

  test('an error inherited from defaults by several sections is reported once', () => {
    const text = `defaults\n  mode tcp\n  default_backend nowhere\nfrontend a\n  bind :1\nfrontend b\n  bind :2\n`;
    expect(errorsOf(text)).toEqual([
      "lb.cfg:3: default_backend 'nowhere': no backend or listen section has that name",
    ]);
  });
});
