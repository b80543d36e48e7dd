import type { KeywordSpec } from './keyword-types.js';

const NO_TLS = 'lbd does not terminate TLS (it forwards TCP bytes), so TLS settings have nothing to apply to';
const INTERNALS = "it tunes HAProxy's own event loop or memory, which lbd does not have";

/** Section headers. */
export const SECTION_KEYWORDS: readonly KeywordSpec[] = [
  { name: 'global', scope: 'section', status: 'supported', doc: 'Process-wide settings.' },
  {
    name: 'defaults',
    scope: 'section',
    status: 'supported',
    args: '[NAME] [from NAME]',
    doc:
      'Settings inherited by the proxy sections that follow, until the next `defaults` (which starts again ' +
      "from the built-in defaults). A named one can be picked with `from NAME` on a later section's line.",
  },
  {
    name: 'frontend',
    scope: 'section',
    status: 'supported',
    args: 'NAME [ADDR:PORT[,...]] [from DEFAULTS]',
    doc: 'Accepts client connections and passes them to its `default_backend`.',
  },
  {
    name: 'backend',
    scope: 'section',
    status: 'supported',
    args: 'NAME [from DEFAULTS]',
    doc: 'A pool of servers that frontends forward to.',
  },
  {
    name: 'listen',
    scope: 'section',
    status: 'supported',
    args: 'NAME [ADDR:PORT[,...]] [from DEFAULTS]',
    doc: 'A frontend and a backend in one section; the legacy address on the section line is a `bind`.',
  },
  {
    name: 'resolvers',
    scope: 'section',
    status: 'ignored',
    args: 'NAME',
    doc: "lbd resolves server host names once at start with the system's resolver; the section is skipped",
  },
  ...['userlist', 'peers', 'mailers', 'program', 'http-errors', 'ring', 'cache', 'fcgi-app'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'section',
      status: 'refused',
      doc: `'${name}' sections are not supported by lbd`,
    }),
  ),
];

/** Keywords of the `global` section. */
export const GLOBAL_KEYWORDS: readonly KeywordSpec[] = [
  { name: 'maxconn', scope: 'global', status: 'supported', args: 'N', doc: 'Process-wide connection limit.' },
  {
    name: 'stats socket',
    scope: 'global',
    status: 'supported',
    args: 'PATH [mode OCTAL] [uid N] [gid N] [user NAME] [group NAME] [level user|operator|admin]',
    doc: 'A UNIX socket serving the runtime API (several allowed). The level defaults to `admin`.',
  },
  {
    name: 'stats websocket',
    scope: 'global',
    status: 'supported',
    args: '[ADDR]:PORT token-file PATH [level user|operator|admin] [maxclients N]',
    doc:
      "lbd's extension: the runtime API's JSON protocol over WebSocket (several allowed). `:PORT` alone listens " +
      'on 127.0.0.1. Clients send `Authorization: Bearer TOKEN` with the token read from `token-file`. The level ' +
      'defaults to `user`, maxclients to 1024.',
  },
  {
    name: 'admin-state-file',
    scope: 'global',
    status: 'supported',
    args: 'PATH',
    doc:
      "lbd's extension: file where every operator change (maint, drain, weight, health and agent checks on/off) " +
      'is saved atomically and restored at start and reload; servers gone from the configuration are dropped with a notice.',
  },
  {
    name: 'stats timeout',
    scope: 'global',
    status: 'supported',
    args: 'DURATION',
    doc: 'Idle timeout of runtime-API sessions (default 10s).',
  },
  {
    name: 'stats maxconn',
    scope: 'global',
    status: 'ignored',
    args: 'N',
    doc: "lbd's runtime API does not take its session limit from this file",
  },
  {
    name: 'stats bind-process',
    scope: 'global',
    status: 'ignored',
    args: '...',
    doc: 'it was removed in HAProxy 2.5 and lbd has a single process',
  },
  {
    name: 'pidfile',
    scope: 'global',
    status: 'supported',
    args: 'PATH',
    doc: 'Where lbd writes its process id.',
  },
  {
    name: 'nbthread',
    scope: 'global',
    status: 'supported',
    args: 'N',
    doc: 'Data-plane worker processes (default 1: one process does everything); the control plane stays in the master. Also `lbd --nbthread N`.',
  },
  { name: 'user', scope: 'global', status: 'supported', args: 'NAME', doc: 'User to run as after binding.' },
  {
    name: 'group',
    scope: 'global',
    status: 'supported',
    args: 'NAME',
    doc: 'Group to run as after binding.',
  },
  { name: 'uid', scope: 'global', status: 'supported', args: 'N', doc: 'Numeric user id to run as.' },
  { name: 'gid', scope: 'global', status: 'supported', args: 'N', doc: 'Numeric group id to run as.' },
  {
    name: 'log',
    scope: 'global',
    status: 'supported',
    args: 'TARGET [len N] [format F] FACILITY [LEVEL [MINLEVEL]]',
    doc: 'A log target, kept as written; lbd writes its records to stdout (the journal) whatever the target.',
  },
  {
    name: 'log-send-hostname',
    scope: 'global',
    status: 'supported',
    args: '[NAME]',
    doc: 'Host name put in log records.',
  },
  { name: 'ulimit-n', scope: 'global', status: 'supported', args: 'N', doc: 'Open file limit lbd asks for.' },
  {
    name: 'spread-checks',
    scope: 'global',
    status: 'supported',
    args: 'PERCENT',
    doc: 'Random spread (0 to 50 %) added to health-check intervals.',
  },
  {
    name: 'chroot',
    scope: 'global',
    status: 'supported',
    args: 'DIR',
    doc: 'Directory to chroot into after start.',
  },
  {
    name: 'node',
    scope: 'global',
    status: 'supported',
    args: 'NAME',
    doc: 'Node name shown by `show info`.',
  },
  {
    name: 'description',
    scope: 'global',
    status: 'supported',
    args: 'TEXT',
    doc: 'Text shown by `show info`.',
  },
  {
    name: 'hard-stop-after',
    scope: 'global',
    status: 'supported',
    args: 'DURATION',
    doc: 'How long a stopping lbd waits for open connections before closing them.',
  },
  {
    name: 'daemon',
    scope: 'global',
    status: 'ignored',
    doc: 'lbd runs in the foreground under its supervisor; systemd does the backgrounding',
  },
  {
    name: 'master-worker',
    scope: 'global',
    status: 'ignored',
    args: '[no-exit-on-failure]',
    doc: 'lbd is a single process under its supervisor, with no master/worker split',
  },
  { name: 'tune.*', scope: 'global', status: 'ignored', args: '...', doc: INTERNALS },
  { name: 'ssl-default-*', scope: 'global', status: 'ignored', args: '...', doc: NO_TLS },
  { name: 'ca-base', scope: 'global', status: 'ignored', args: 'DIR', doc: NO_TLS },
  { name: 'crt-base', scope: 'global', status: 'ignored', args: 'DIR', doc: NO_TLS },
  { name: 'ssl-server-verify', scope: 'global', status: 'ignored', args: '...', doc: NO_TLS },
  {
    name: 'cpu-map',
    scope: 'global',
    status: 'ignored',
    args: '...',
    doc: 'lbd does not pin its workers to CPUs',
  },
  {
    name: 'log-tag',
    scope: 'global',
    status: 'ignored',
    args: 'TAG',
    doc: 'lbd writes to stdout; the journal tags records with the unit name',
  },
  ...['maxpipes', 'nosplice'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'ignored',
      args: name === 'maxpipes' ? 'N' : undefined,
      doc: 'lbd does not use kernel splicing',
    }),
  ),
  ...['noepoll', 'nopoll', 'noreuseport', 'nogetaddrinfo', 'busy-polling'].map(
    (name): KeywordSpec => ({ name, scope: 'global', status: 'ignored', doc: INTERNALS }),
  ),
  ...['quiet', 'debug', 'zero-warning'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'ignored',
      doc: "lbd's output is set by its log level option",
    }),
  ),
  ...['server-state-file', 'server-state-base'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'ignored',
      args: 'PATH',
      doc: 'lbd does not read HAProxy server-state files',
    }),
  ),
  {
    name: 'nbproc',
    scope: 'global',
    status: 'refused',
    args: 'N',
    doc: "it was removed in HAProxy 2.5; use 'nbthread'",
  },
  ...['maxconnrate', 'maxsessrate'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'refused',
      args: 'N',
      doc: 'rate limits are not supported yet, and silently dropping a limit would be worse than refusing it',
    }),
  ),
  ...['lua-load', 'lua-prepend-path'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'refused',
      args: 'PATH',
      doc: 'Lua scripts are not supported',
    }),
  ),
  ...['setenv', 'presetenv', 'resetenv', 'unsetenv'].map(
    (name): KeywordSpec => ({
      name,
      scope: 'global',
      status: 'refused',
      args: '...',
      doc: 'set environment variables in the service unit instead (lbd expands "$VAR" from its environment)',
    }),
  ),
];
