import type { KeywordScope, KeywordSpec } from './keyword-types.js';

const NO_TLS_SERVER = 'lbd does not open TLS connections to servers; it forwards the TCP bytes as they come';
const NO_TLS_BIND = 'lbd does not terminate TLS; let the servers handle it, or put a TLS terminator in front';

function param(
  scope: KeywordScope,
  name: string,
  status: KeywordSpec['status'],
  doc: string,
  args?: string,
): KeywordSpec {
  return { name, scope, status, doc, args, argc: args === undefined ? 0 : 1 };
}

const server = (name: string, status: KeywordSpec['status'], doc: string, args?: string) =>
  param('server', name, status, doc, args);

/** Parameters of `server` and `default-server` lines. */
export const SERVER_PARAMS: readonly KeywordSpec[] = [
  server('check', 'supported', 'Enables health checks.'),
  server('no-check', 'supported', 'Disables health checks (cancels an inherited `check`).'),
  server('inter', 'supported', 'Interval between checks (default 2000 ms; a bare number is ms).', 'DURATION'),
  server(
    'fastinter',
    'supported',
    'Check interval while the state is changing (default: inter).',
    'DURATION',
  ),
  server('downinter', 'supported', 'Check interval while the server is DOWN (default: inter).', 'DURATION'),
  server('rise', 'supported', 'Consecutive successful checks to mark the server UP (default 2).', 'N'),
  server('fall', 'supported', 'Consecutive failed checks to mark the server DOWN (default 3).', 'N'),
  server('weight', 'supported', 'Relative weight, 0 to 256 (default 1).', 'N'),
  server('maxconn', 'supported', 'Concurrent connections to the server; 0 means no limit.', 'N'),
  server('maxqueue', 'supported', 'Connections allowed to wait for this server; 0 means no limit.', 'N'),
  server('backup', 'supported', 'Used only when no active server is up.'),
  server('no-backup', 'supported', 'Cancels an inherited `backup`.'),
  server('disabled', 'supported', 'Starts in maintenance.'),
  server('enabled', 'supported', 'Cancels an inherited `disabled`.'),
  server(
    'source',
    'supported',
    'Local addresses of connections to this server, least used first; with `:LOW-HIGH` lbd picks each port itself, per server (one port serves several servers).',
    'ADDR[,ADDR...][:LOW-HIGH]',
  ),
  server('send-proxy', 'supported', 'Sends a PROXY protocol v1 header to the server.'),
  server('send-proxy-v2', 'supported', 'Sends a PROXY protocol v2 header to the server.'),
  server('no-send-proxy', 'supported', 'Cancels an inherited `send-proxy`.'),
  server('no-send-proxy-v2', 'supported', 'Cancels an inherited `send-proxy-v2`.'),
  server('check-send-proxy', 'supported', 'Sends the PROXY header on health checks too.'),
  server('id', 'supported', 'Server id (`sid`); assigned from 1 in each backend otherwise.', 'N'),
  server('port', 'supported', 'Port health checks connect to.', 'N'),
  server('addr', 'supported', 'Address health checks connect to.', 'ADDR'),
  server('slowstart', 'supported', 'Ramp-up time of the weight after the server comes UP.', 'DURATION'),
  server('on-marked-down', 'supported', 'Closes the sessions of a server marked DOWN.', 'shutdown-sessions'),
  server(
    'on-marked-up',
    'supported',
    'Closes backup sessions when this server comes UP.',
    'shutdown-backup-sessions',
  ),
  server('observe', 'supported', 'Counts errors on live traffic as check failures.', 'layer4|layer7'),
  server('error-limit', 'supported', 'Observed errors before `on-error` acts (HAProxy default 10).', 'N'),
  server(
    'on-error',
    'supported',
    'What to do when `error-limit` is reached.',
    'fastinter|fail-check|sudden-death|mark-down',
  ),
  server('agent-check', 'supported', 'Enables the agent check (needs `agent-port`).'),
  server('no-agent-check', 'supported', 'Cancels an inherited `agent-check`.'),
  server('agent-port', 'supported', 'Port of the agent.', 'N'),
  server('agent-inter', 'supported', 'Interval between agent checks (default: inter).', 'DURATION'),
  server('agent-send', 'supported', 'String sent to the agent.', 'STRING'),
  server('agent-addr', 'supported', 'Address of the agent when it is not the server.', 'ADDR'),
  server('minconn', 'ignored', "dynamic connection limits are not implemented; 'maxconn' applies as is", 'N'),
  server('resolvers', 'ignored', "host names are resolved once at start with the system's resolver", 'NAME'),
  server(
    'resolve-prefer',
    'ignored',
    "host names are resolved once at start with the system's resolver",
    'ipv4|ipv6',
  ),
  server(
    'resolve-net',
    'ignored',
    "host names are resolved once at start with the system's resolver",
    'NETS',
  ),
  server(
    'resolve-opts',
    'ignored',
    "host names are resolved once at start with the system's resolver",
    'OPTS',
  ),
  server(
    'init-addr',
    'ignored',
    "host names are resolved once at start with the system's resolver",
    'METHODS',
  ),
  server('cookie', 'ignored', 'cookie persistence is HTTP only', 'VALUE'),
  server('non-stick', 'ignored', 'stickiness tables are not supported'),
  server('tfo', 'ignored', 'lbd does not use TCP Fast Open'),
  server('pool-max-conn', 'ignored', 'connection pooling is HTTP only', 'N'),
  server('pool-purge-delay', 'ignored', 'connection pooling is HTTP only', 'DURATION'),
  server('no-ssl', 'ignored', 'lbd never opens TLS connections to servers'),
  ...['ssl', 'verify', 'crt', 'ca-file', 'check-ssl', 'sni', 'alpn', 'ciphers', 'verifyhost', 'crl-file'].map(
    (n) => server(n, 'refused', NO_TLS_SERVER),
  ),
  server('send-proxy-v2-ssl', 'refused', NO_TLS_SERVER),
  server('send-proxy-v2-ssl-cn', 'refused', NO_TLS_SERVER),
  server('track', 'refused', "it is not supported yet: give the server its own 'check'"),
  server('usesrc', 'refused', 'transparent proxying is not supported'),
  server('redir', 'refused', 'HTTP redirects are not supported: lbd proxies TCP only'),
  server('namespace', 'refused', 'network namespaces are not supported'),
];

const bind = (name: string, status: KeywordSpec['status'], doc: string, args?: string) =>
  param('bind', name, status, doc, args);

/** Parameters of `bind` lines. */
export const BIND_PARAMS: readonly KeywordSpec[] = [
  bind('accept-proxy', 'supported', 'Expects a PROXY protocol header from the client.'),
  bind('name', 'supported', 'Listener name.', 'NAME'),
  bind('v4v6', 'supported', 'An IPv6 wildcard also accepts IPv4.'),
  bind('v6only', 'supported', 'An IPv6 wildcard accepts IPv6 only.'),
  bind('interface', 'supported', 'Binds to one network interface.', 'NAME'),
  bind('backlog', 'supported', 'Listen queue length.', 'N'),
  bind('maxconn', 'supported', 'Concurrent connections on this listener.', 'N'),
  bind('defer-accept', 'ignored', 'lbd accepts connections as they arrive'),
  bind('tfo', 'ignored', 'lbd does not use TCP Fast Open'),
  bind('process', 'ignored', 'lbd has a single process', 'SET'),
  bind('thread', 'ignored', 'lbd spreads connections over its workers itself', 'SET'),
  bind('nice', 'ignored', "it weights HAProxy's scheduler, which lbd does not have", 'N'),
  bind('mss', 'ignored', 'lbd leaves the MSS to the kernel', 'N'),
  bind('tcp-ut', 'ignored', 'lbd leaves TCP_USER_TIMEOUT to the kernel', 'DURATION'),
  ...[
    'ssl',
    'crt',
    'crt-list',
    'ca-file',
    'alpn',
    'npn',
    'verify',
    'ciphers',
    'ssl-min-ver',
    'strict-sni',
  ].map((n) => bind(n, 'refused', NO_TLS_BIND)),
  bind('transparent', 'refused', 'transparent proxying is not supported'),
  bind('namespace', 'refused', 'network namespaces are not supported'),
];

const socket = (name: string, status: KeywordSpec['status'], doc: string, args?: string) =>
  param('stats-socket', name, status, doc, args);

/** Parameters of `stats socket` lines. */
export const STATS_SOCKET_PARAMS: readonly KeywordSpec[] = [
  socket('mode', 'supported', 'File mode of the socket, in octal.', 'OCTAL'),
  socket('uid', 'supported', 'Owner of the socket file.', 'N'),
  socket('gid', 'supported', 'Group of the socket file.', 'N'),
  socket('user', 'supported', 'Owner of the socket file, by name.', 'NAME'),
  socket('group', 'supported', 'Group of the socket file, by name.', 'NAME'),
  socket('level', 'supported', 'Commands allowed on the socket (default admin).', 'user|operator|admin'),
  socket(
    'expose-fd',
    'ignored',
    'lbd reloads without passing listening sockets to a new process',
    'listeners',
  ),
  socket(
    'severity-output',
    'ignored',
    'the runtime API answers in HAProxy 2.6 format without severity',
    'FORMAT',
  ),
  socket('process', 'ignored', 'lbd has a single process', 'SET'),
  socket('thread', 'ignored', 'the runtime API runs in the main thread', 'SET'),
];
