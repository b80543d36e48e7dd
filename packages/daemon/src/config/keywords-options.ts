import type { KeywordSpec } from './keyword-types.js';

/** The timeout kinds lbd uses, in the order error messages list them. */
export const TIMEOUT_KINDS = [
  'connect',
  'client',
  'server',
  'queue',
  'check',
  'client-fin',
  'server-fin',
  'tunnel',
] as const;

/** Timeout kinds accepted with a notice because only HTTP uses them. */
export const HTTP_TIMEOUT_KINDS = ['http-request', 'http-keep-alive', 'tarpit'] as const;

/** The `option ...` health-check types, mapped to the type recorded in the config. */
export const CHECK_OPTIONS = [
  'tcp-check',
  'httpchk',
  'mysql-check',
  'mysql-replica-check',
  'pgsql-check',
  'redis-check',
  'ldap-check',
  'smtpchk',
  'ssl-hello-chk',
] as const;

/** What each health-check option does and the arguments it takes (the health-check engine types them). */
const CHECK_DOC: Readonly<Record<(typeof CHECK_OPTIONS)[number], { doc: string; args?: string }>> = {
  'tcp-check': { doc: 'Health check made of the `tcp-check connect|send|send-binary|expect` rules.' },
  httpchk: {
    doc: 'HTTP health check: 2xx/3xx is UP unless `http-check expect` says otherwise.',
    args: '[METHOD] [URI] [VERSION]',
  },
  'mysql-check': {
    doc: 'MySQL handshake; with `user`, a login without password (a refused login is DOWN with the server error) and a clean quit.',
    args: '[user NAME [post-41|pre-41]]',
  },
  'mysql-replica-check': {
    doc:
      'lbd extension: logs in, reads `SHOW SLAVE STATUS`; a stopped IO or SQL thread is a failed check, ' +
      'lag above `max-lag` seconds is NOLB (no new connections, sessions go on). See docs/health-checks.md.',
    args: 'user NAME password SECRET [max-lag SECONDS] [require-replica]',
  },
  'pgsql-check': { doc: 'PostgreSQL startup message; an authentication request is UP.', args: 'user NAME' },
  'redis-check': { doc: 'Redis `PING`; `+PONG` is UP.' },
  'ldap-check': { doc: 'LDAPv3 anonymous bind; result code 0 is UP.' },
  smtpchk: { doc: 'SMTP greeting then `HELO`/`EHLO`; 2xx replies are UP.', args: '[HELO|EHLO DOMAIN]' },
  'ssl-hello-chk': { doc: 'TLS ClientHello; any TLS record in reply is UP (layer 6).' },
};

const TIMEOUT_DOC: Readonly<Record<(typeof TIMEOUT_KINDS)[number], string>> = {
  connect: 'Time to establish a connection to a server.',
  client: 'Client inactivity timeout.',
  server: 'Server inactivity timeout.',
  queue: 'Time a connection may wait in the queue for a server slot.',
  check:
    'Read timeout of a health check once connected; the connect part then takes min(`timeout connect`, `inter`). Unset: `inter` bounds the whole check.',
  'client-fin': 'Inactivity timeout once the client has half-closed.',
  'server-fin': 'Inactivity timeout once the server has half-closed.',
  tunnel: 'Inactivity timeout of established tunnels; overrides client and server when set.',
};

function option(
  name: string,
  status: KeywordSpec['status'],
  doc: string,
  more: Partial<KeywordSpec> = {},
): KeywordSpec {
  return { name: `option ${name}`, scope: 'proxy', status, doc, negatable: true, ...more };
}

const HTTP_OPTION = 'HTTP option ignored in TCP mode';
const HTTP_ONLY_TIMEOUT = 'it only matters in HTTP mode and lbd proxies TCP';
const NO_SPLICE = 'lbd does not use kernel splicing';
const SMART = 'lbd always lets the kernel handle accept and connect its own way';

/** `option`, `timeout` and `stats` phrases of the proxy sections. */
export const OPTION_KEYWORDS: readonly KeywordSpec[] = [
  option('redispatch', 'supported', 'Retry on another server when the chosen one fails to connect.', {
    in: 'dbl',
  }),
  option('tcplog', 'supported', 'Log one line per connection.'),
  option('dontlognull', 'supported', 'Do not log connections that sent no data (probes).'),
  option('tcpka', 'supported', 'TCP keepalive on both sides.'),
  option('clitcpka', 'supported', 'TCP keepalive on the client side.'),
  option('srvtcpka', 'supported', 'TCP keepalive on the server side.'),
  option(
    'nolinger',
    'supported',
    'Close with a reset instead of a FIN when lbd closes first: no TIME_WAIT stays behind (in a backend: toward the servers). Only for protocols where the proxy may close first without losing data.',
  ),
  option('allbackups', 'supported', 'Balance over all backup servers when every active server is down.', {
    in: 'dbl',
  }),
  option('httplog', 'ignored', "it has no effect in TCP mode; 'option tcplog' is used instead"),
  option('logasap', 'ignored', 'lbd logs a connection when it ends'),
  option('abortonclose', 'ignored', 'lbd does not drop queued connections whose client left'),
  option('splice-auto', 'ignored', NO_SPLICE),
  option('splice-request', 'ignored', NO_SPLICE),
  option('splice-response', 'ignored', NO_SPLICE),
  option('tcp-smart-accept', 'ignored', SMART),
  option('tcp-smart-connect', 'ignored', SMART),
  option('log-health-checks', 'ignored', 'lbd always logs server state changes'),
  option('independent-streams', 'ignored', 'lbd times each direction of a connection on its own already'),
  ...[
    'http-server-close',
    'forwardfor',
    'httpclose',
    'http-keep-alive',
    'http-pretend-keepalive',
    'http-buffer-request',
    'http-no-delay',
    'http-use-htx',
    'originalto',
    'forceclose',
    'checkcache',
    'persist',
    'accept-invalid-http-request',
    'accept-invalid-http-response',
  ].map((name) => option(name, 'ignored', HTTP_OPTION)),
  ...CHECK_OPTIONS.map((name) =>
    option(name, 'supported', CHECK_DOC[name].doc, {
      in: 'dbl',
      args: CHECK_DOC[name].args,
      negatable: false,
    }),
  ),
  option('external-check', 'refused', 'external health-check programs are not supported', {
    in: 'dbl',
    negatable: false,
  }),
  ...TIMEOUT_KINDS.map(
    (kind): KeywordSpec => ({
      name: `timeout ${kind}`,
      scope: 'proxy',
      status: 'supported',
      args: 'DURATION',
      doc: TIMEOUT_DOC[kind],
    }),
  ),
  ...HTTP_TIMEOUT_KINDS.map(
    (kind): KeywordSpec => ({
      name: `timeout ${kind}`,
      scope: 'proxy',
      status: 'ignored',
      args: 'DURATION',
      doc: HTTP_ONLY_TIMEOUT,
    }),
  ),
  stats('enable', 'Turns the stats page on (HTTP mode).'),
  stats('uri', 'Path of the stats page.', 'PATH'),
  stats('auth', 'A user allowed to see the stats page (several allowed).', 'USER:PASSWORD'),
  stats('refresh', 'Page refresh interval (a bare number is seconds).', 'DURATION'),
  stats(
    'admin',
    'Enables the admin actions of the page; only TRUE, FALSE and LOCALHOST conditions.',
    'if COND',
  ),
  stats('realm', 'HTTP authentication realm.', 'TEXT'),
  stats('hide-version', 'Hides the version on the page.'),
  stats('show-legends', 'Shows legends on the page.'),
  stats('show-node', 'Shows the node name on the page.', '[NAME]'),
  stats('show-desc', 'Shows a description on the page.', '[TEXT]'),
  stats('scope', 'Limits the page to the named proxies (several allowed).', 'NAME'),
  {
    name: 'stats http-request',
    scope: 'proxy',
    status: 'refused',
    args: '...',
    doc: 'HTTP rules are not supported: use `stats auth` and `stats admin`',
  },
];

function stats(name: string, doc: string, args?: string): KeywordSpec {
  return { name: `stats ${name}`, scope: 'proxy', status: 'supported', doc, args };
}
