import { arity, badValue, durationArg, type Line } from './context.js';
import type { ProxyDraft } from './draft.js';
import { CHECK_OPTIONS, TIMEOUT_KINDS } from './keywords-options.js';
import type { ProxyOptions, StatsPageConfig, Timeouts } from './types.js';

type Handler = (line: Line, proxy: ProxyDraft) => void;

/** Built-in ACLs a `stats admin if` condition may name; lbd has no ACLs of its own yet. */
const ADMIN_CONDITIONS = ['TRUE', 'FALSE', 'LOCALHOST'];

function flag(key: keyof ProxyOptions): Handler {
  return (line, p) => {
    if (arity(line, 0)) p.options[key] = !line.negated;
  };
}

const TIMEOUT_KEYS: Readonly<Record<(typeof TIMEOUT_KINDS)[number], keyof Timeouts>> = {
  connect: 'connect',
  client: 'client',
  server: 'server',
  queue: 'queue',
  check: 'check',
  'client-fin': 'clientFin',
  'server-fin': 'serverFin',
  tunnel: 'tunnel',
};

function timeout(key: keyof Timeouts): Handler {
  return (line, p) => {
    if (!arity(line, 1)) return;
    const ms = durationArg(line, line.args[0]!, line.keyword);
    if (ms !== undefined) p.timeouts[key] = ms;
  };
}

function statsPage(p: ProxyDraft, line: Line): StatsPageConfig {
  // As in HAProxy, any `stats` directive turns the page on.
  p.stats ??= { enabled: true, auth: [] };
  p.stats.enabled = true;
  p.statsWhere ??= line.where;
  return p.stats;
}

function stats(min: number, max: number, apply: (s: StatsPageConfig, line: Line) => void): Handler {
  return (line, p) => {
    if (arity(line, min, max)) apply(statsPage(p, line), line);
  };
}

const ALL = Number.POSITIVE_INFINITY;

const STATS_HANDLERS: Readonly<Record<string, Handler>> = {
  'stats enable': stats(0, 0, () => {}),
  'stats uri': stats(1, 1, (s, line) => (s.uri = line.args[0]!)),
  'stats auth': stats(1, 1, (s, line) => {
    const text = line.args[0]!;
    const colon = text.indexOf(':');
    if (colon <= 0) badValue(line, text, 'stats auth', 'expected USER:PASSWORD');
    else s.auth.push({ user: text.slice(0, colon), password: text.slice(colon + 1) });
  }),
  'stats refresh': stats(1, 1, (s, line) => {
    const ms = durationArg(line, line.args[0]!, 'stats refresh', 's');
    if (ms !== undefined) s.refreshMs = ms;
  }),
  'stats admin': stats(2, ALL, (s, line) => {
    const [keyword, condition, ...rest] = line.args;
    if (keyword !== 'if' || rest.length > 0 || !ADMIN_CONDITIONS.includes(condition!)) {
      line.ctx.error(
        'LB_ERR_CONFIG_UNSUPPORTED',
        line.where,
        `'stats admin ${line.args.join(' ')}' is not supported: write 'stats admin if TRUE', ` +
          "'if LOCALHOST' or 'if FALSE' (ACLs are not supported yet)",
      );
      return;
    }
    s.adminIf = condition!;
  }),
  'stats realm': stats(1, ALL, (s, line) => (s.realm = line.args.join(' '))),
  'stats hide-version': stats(0, 0, (s) => (s.hideVersion = true)),
  'stats show-legends': stats(0, 0, (s) => (s.showLegends = true)),
  'stats show-node': stats(0, 1, (s, line) => (s.showNode = line.args[0] ?? true)),
  'stats show-desc': stats(
    0,
    ALL,
    (s, line) => (s.showDesc = line.args.length > 0 ? line.args.join(' ') : true),
  ),
  'stats scope': stats(1, 1, (s, line) => {
    s.scope ??= [];
    s.scope.push(line.args[0]!);
  }),
};

const CHECK_HANDLERS: Record<string, Handler> = {};
for (const type of CHECK_OPTIONS) {
  CHECK_HANDLERS[`option ${type}`] = (line, p) => {
    p.healthCheck = { type, args: line.args, where: line.where };
  };
}

const TIMEOUT_HANDLERS: Record<string, Handler> = {};
for (const kind of TIMEOUT_KINDS) TIMEOUT_HANDLERS[`timeout ${kind}`] = timeout(TIMEOUT_KEYS[kind]);

/** Handlers of the supported `option`, `timeout` and `stats` phrases. */
export const OPTION_HANDLERS: Readonly<Record<string, Handler>> = {
  'option redispatch': flag('redispatch'),
  'option tcplog': flag('tcplog'),
  'option dontlognull': flag('dontlognull'),
  'option tcpka': flag('tcpka'),
  'option clitcpka': flag('clitcpka'),
  'option srvtcpka': flag('srvtcpka'),
  'option nolinger': flag('nolinger'),
  'option allbackups': flag('allbackups'),
  // Ignored, but an HTTP log line stands for "log this proxy", which TCP logging does.
  'option httplog': (line, p) => {
    p.options.tcplog = !line.negated;
  },
  ...CHECK_HANDLERS,
  ...TIMEOUT_HANDLERS,
  ...STATS_HANDLERS,
};
