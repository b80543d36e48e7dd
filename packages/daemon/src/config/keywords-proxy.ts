import type { KeywordSpec } from './keyword-types.js';

/** The balance algorithms lbd implements, in the order error messages list them. */
export const BALANCE_ALGORITHMS = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source'] as const;

const NO_RULES = 'ACLs and content rules are not supported yet';
const HTTP_ONLY = 'it only matters in HTTP mode and lbd proxies TCP';
const HTTP_RULES = 'HTTP rules are not supported: lbd proxies TCP only';

function proxy(
  name: string,
  status: KeywordSpec['status'],
  doc: string,
  more: Partial<KeywordSpec> = {},
): KeywordSpec {
  return { name, scope: 'proxy', status, doc, ...more };
}

/** Keywords of `defaults`, `frontend`, `backend` and `listen`, apart from `option`, `timeout` and `stats`. */
export const PROXY_KEYWORDS: readonly KeywordSpec[] = [
  proxy(
    'mode',
    'supported',
    'Proxy mode. `http` is accepted only for a section that serves the stats page; lbd proxies TCP.',
    { args: 'tcp|http', values: ['tcp', 'http'] },
  ),
  proxy(
    'bind',
    'supported',
    'Listening addresses, IPv4 or IPv6, with optional port ranges (several lines allowed).',
    {
      in: 'fl',
      args: 'ADDR:PORT[,ADDR:PORT...] [accept-proxy] [name N] [v4v6] [v6only] [interface X] [backlog N] [maxconn N]',
    },
  ),
  proxy('default_backend', 'supported', 'The backend that receives the connections.', {
    in: 'dfl',
    args: 'NAME',
  }),
  proxy('balance', 'supported', 'Load-balancing algorithm (default roundrobin).', {
    in: 'dbl',
    args: BALANCE_ALGORITHMS.join('|'),
    values: [...BALANCE_ALGORITHMS],
  }),
  proxy('hash-type', 'supported', "Kept as written; lbd's `source` balance is always consistent.", {
    in: 'dbl',
    args: 'METHOD [FUNCTION] [MODIFIER]',
  }),
  proxy('server', 'supported', 'A server of the backend (see server parameters).', {
    in: 'bl',
    args: 'NAME ADDR:PORT [PARAMS...]',
  }),
  proxy(
    'default-server',
    'supported',
    'Parameters applied to the `server` lines that follow in the section.',
    {
      in: 'dbl',
      args: '[PARAMS...]',
    },
  ),
  proxy('maxconn', 'supported', 'Concurrent sessions a frontend accepts (no effect in a backend).', {
    args: 'N',
  }),
  proxy('fullconn', 'supported', 'Backend load at which dynamic server limits reach their maximum.', {
    in: 'dbl',
    args: 'N',
  }),
  proxy('retries', 'supported', 'Connection attempts to a server before giving up (default 3).', {
    in: 'dbl',
    args: 'N',
  }),
  proxy('redispatch', 'supported', "Legacy spelling of 'option redispatch'.", { in: 'dbl' }),
  proxy('contimeout', 'supported', "Legacy spelling of 'timeout connect'.", { args: 'DURATION' }),
  proxy('clitimeout', 'supported', "Legacy spelling of 'timeout client'.", { args: 'DURATION' }),
  proxy('srvtimeout', 'supported', "Legacy spelling of 'timeout server'.", { args: 'DURATION' }),
  proxy(
    'http-check',
    'supported',
    'Rule of `option httpchk`: `send [meth M] [uri U] [ver V] [hdr N V] [body B]`, `expect [!] status|rstatus|string|rstring P`, `disable-on-404`, `send-state`.',
    { in: 'dbl', args: '...' },
  ),
  proxy(
    'tcp-check',
    'supported',
    'Rule of `option tcp-check`: `connect [port N] [addr A] [send-proxy]`, `send S`, `send-binary HEX`, `expect [min-recv N] [!] string|rstring|binary|rbinary P`, `comment`.',
    { in: 'dbl', args: '...' },
  ),
  proxy('log', 'supported', '`log global` or a target as in `global`; records go to stdout either way.', {
    args: 'global | TARGET [len N] [format F] FACILITY [LEVEL [MINLEVEL]]',
  }),
  proxy('no log', 'supported', 'Turns logging off for the section.'),
  proxy(
    'source',
    'supported',
    'Local addresses of connections to servers, least used first (lbd extension: several addresses); with `:LOW-HIGH` lbd picks each port itself, per server, so one port serves several servers at once. Without a range the kernel picks after bind(), and a port is then taken for every server.',
    {
      in: 'dbl',
      args: 'ADDR[,ADDR...][:LOW-HIGH]',
    },
  ),
  proxy('description', 'supported', 'Free text shown in stats.', { in: 'fbl', args: 'TEXT' }),
  proxy('disabled', 'supported', 'The section is parsed but not started.'),
  proxy('enabled', 'supported', 'Cancels an inherited `disabled`.'),
  proxy('id', 'supported', 'Proxy id shown in stats (`iid`); assigned from 2 in order otherwise.', {
    in: 'fbl',
    args: 'N',
  }),
  proxy('backlog', 'ignored', 'lbd uses the system default listen queue; set it per `bind` instead', {
    in: 'dfl',
    args: 'N',
  }),
  proxy(
    'use_backend',
    'refused',
    "content switching is not supported yet (it needs ACLs); use 'default_backend'",
    {
      in: 'fl',
      args: 'NAME [if COND]',
    },
  ),
  ...['capture', 'acl', 'tcp-request', 'tcp-response', 'force-persist', 'ignore-persist', 'filter'].map(
    (name) => proxy(name, 'refused', NO_RULES, { args: '...' }),
  ),
  ...['http-request', 'http-response', 'http-after-response', 'redirect'].map((name) =>
    proxy(name, 'refused', HTTP_RULES, { args: '...' }),
  ),
  ...['stick-table', 'stick'].map((name) =>
    proxy(
      name,
      'refused',
      "stickiness tables are not supported; 'balance source' keeps a client on one server",
      {
        args: '...',
      },
    ),
  ),
  proxy('server-template', 'refused', "it is not supported yet: write one 'server' line per server", {
    in: 'bl',
    args: '...',
  }),
  proxy('dispatch', 'refused', "it is not supported: use a 'server' line", { in: 'bl', args: 'ADDR:PORT' }),
  proxy('transparent', 'refused', 'transparent proxying is not supported', { in: 'bl' }),
  proxy(
    'rate-limit',
    'refused',
    'rate limits are not supported yet, and silently dropping a limit would be worse than refusing it',
    { in: 'dfl', args: 'sessions N' },
  ),
  proxy('external-check', 'refused', 'external health-check programs are not supported', { args: '...' }),
  ...['cookie', 'errorfile', 'errorloc', 'errorloc302', 'errorloc303', 'http-reuse', 'compression'].map(
    (name) => proxy(name, 'ignored', HTTP_ONLY, { args: '...' }),
  ),
  ...['monitor-uri', 'unique-id-format', 'unique-id-header', 'http-error'].map((name) =>
    proxy(name, 'ignored', HTTP_ONLY, { args: '...' }),
  ),
  proxy('log-format', 'ignored', 'lbd writes its own log records', { args: 'FORMAT' }),
  proxy('log-tag', 'ignored', 'lbd writes to stdout; the journal tags records with the unit name', {
    args: 'TAG',
  }),
  proxy('load-server-state-from-file', 'ignored', 'lbd does not read HAProxy server-state files', {
    in: 'dbl',
    args: '...',
  }),
  proxy('bind-process', 'ignored', 'it was removed in HAProxy 2.5 and lbd has a single process', {
    args: '...',
  }),
  proxy('email-alert', 'ignored', 'lbd does not send mail; watch its log or the runtime API instead', {
    args: '...',
  }),
];
