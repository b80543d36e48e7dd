import { parseSource } from './address.js';
import { parseBindLine } from './bind.js';
import { arity, badValue, durationArg, integerArg, type Line, orList, reportFailure } from './context.js';
import type { ProxyDraft } from './draft.js';
import { BALANCE_ALGORITHMS } from './keywords-proxy.js';
import { parseLogTarget } from './log.js';
import { OPTION_HANDLERS } from './proxy-options.js';
import { parseDefaultServer, parseServerLine } from './server.js';
import { suggestValue } from './suggest.js';
import type { BalanceAlgorithm, ProxyMode, Timeouts } from './types.js';

/** Handles one supported proxy-section keyword. */
export type ProxyHandler = (line: Line, proxy: ProxyDraft) => void;

/** HAProxy algorithms lbd knows but does not implement (mostly HTTP-based). */
const OTHER_ALGORITHMS =
  /^(uri|url_param|hdr\(.*\)|hdr|random(\(\d+\))?|rdp-cookie(\(.*\))?|hash|sticky|log-hash)$/;

function integer(set: (p: ProxyDraft, n: number) => void, min = 0, max?: number): ProxyHandler {
  return (line, p) => {
    if (!arity(line, 1)) return;
    const n = integerArg(line, line.args[0]!, line.keyword, min, max);
    if (n !== undefined) set(p, n);
  };
}

function legacyTimeout(kind: keyof Timeouts, modern: string): ProxyHandler {
  return (line, p) => {
    if (!arity(line, 1)) return;
    const ms = durationArg(line, line.args[0]!, line.keyword);
    if (ms === undefined) return;
    p.timeouts[kind] = ms;
    line.ctx.notice(line.where, `'${line.keyword}' is a legacy keyword: write '${modern} ${line.args[0]}'`);
  };
}

function checkRule(key: 'tcpCheckRules' | 'httpCheckRules'): ProxyHandler {
  return (line, p) => {
    if (!arity(line, 1, Number.POSITIVE_INFINITY)) return;
    // Rules from `defaults` are a fallback: the section's own list replaces them.
    if (p.checkRulesInherited) {
      p.tcpCheckRules = [];
      p.httpCheckRules = [];
      p.checkRulesInherited = false;
    }
    p[key].push({ args: line.args, where: line.where });
  };
}

const PROXY_CORE_HANDLERS: Readonly<Record<string, ProxyHandler>> = {
  mode: (line, p) => {
    if (!arity(line, 1)) return;
    const mode = line.args[0]!;
    if (mode !== 'tcp' && mode !== 'http') {
      badValue(line, mode, 'mode', 'expected tcp or http', suggestValue(mode, ['tcp', 'http']));
      return;
    }
    p.mode = mode as ProxyMode;
    p.modeWhere = line.where;
  },
  bind: parseBindLine,
  default_backend: (line, p) => {
    if (arity(line, 1)) p.defaultBackend = { name: line.args[0]!, where: line.where };
  },
  balance: (line, p) => {
    if (!arity(line, 1)) return;
    const algorithm = line.args[0]!;
    const supported = `lbd supports ${orList(BALANCE_ALGORITHMS)}`;
    if ((BALANCE_ALGORITHMS as readonly string[]).includes(algorithm)) {
      p.balance = algorithm as BalanceAlgorithm;
    } else if (OTHER_ALGORITHMS.test(algorithm)) {
      line.ctx.error(
        'LB_ERR_CONFIG_UNSUPPORTED',
        line.where,
        `'balance ${algorithm}' is not supported: ${supported}`,
      );
    } else {
      line.ctx.error(
        'LB_ERR_CONFIG_BAD_VALUE',
        line.where,
        `unknown balance algorithm '${algorithm}': ${supported}`,
        suggestValue(algorithm, BALANCE_ALGORITHMS),
      );
    }
  },
  'hash-type': (line, p) => {
    if (!arity(line, 1, 3)) return;
    const method = line.args[0]!;
    if (method !== 'map-based' && method !== 'consistent') {
      badValue(
        line,
        method,
        'hash-type',
        'expected map-based or consistent',
        suggestValue(method, ['map-based', 'consistent']),
      );
      return;
    }
    p.hashType = line.args.join(' ');
  },
  server: parseServerLine,
  'default-server': parseDefaultServer,
  maxconn: (line, p) => {
    integer((d, n) => (d.maxconn = n))(line, p);
    if (p.kind === 'backend') {
      line.ctx.notice(
        line.where,
        "'maxconn' has no effect in a backend: it limits a frontend's sessions; use 'fullconn' or the servers' 'maxconn'",
      );
    }
  },
  fullconn: integer((p, n) => (p.fullconn = n), 1),
  retries: integer((p, n) => (p.retries = n)),
  redispatch: (line, p) => {
    if (!arity(line, 0)) return;
    p.options.redispatch = true;
    line.ctx.notice(line.where, "'redispatch' is a legacy keyword: write 'option redispatch'");
  },
  contimeout: legacyTimeout('connect', 'timeout connect'),
  clitimeout: legacyTimeout('client', 'timeout client'),
  srvtimeout: legacyTimeout('server', 'timeout server'),
  'http-check': checkRule('httpCheckRules'),
  'tcp-check': checkRule('tcpCheckRules'),
  log: (line, p) => {
    if (line.args[0] === 'global') {
      if (arity(line, 1)) p.log = true;
      return;
    }
    const target = parseLogTarget(line);
    if (!target) return;
    p.logTargets.push(target);
    p.log = true;
  },
  'no log': (line, p) => {
    if (!arity(line, 0)) return;
    p.log = false;
    p.logTargets = [];
  },
  source: (line, p) => {
    const [value, extra] = line.args;
    if (value === undefined) {
      arity(line, 1);
      return;
    }
    if (extra === 'usesrc' || extra === 'interface') {
      line.ctx.error(
        'LB_ERR_CONFIG_UNSUPPORTED',
        line.where,
        extra === 'usesrc'
          ? "'source ... usesrc' is not supported: transparent proxying is not supported"
          : "'source ... interface' is not supported: use the address of that interface",
      );
      return;
    }
    if (!arity(line, 1)) return;
    const parsed = parseSource(value);
    if (parsed.ok) p.source = parsed.value;
    else reportFailure(line, parsed, `bad address '${value}' for 'source': ${parsed.reason}`);
  },
  description: (line, p) => {
    if (arity(line, 1, Number.POSITIVE_INFINITY)) p.description = line.args.join(' ');
  },
  disabled: (line, p) => {
    if (arity(line, 0)) p.disabled = true;
  },
  enabled: (line, p) => {
    if (arity(line, 0)) p.disabled = false;
  },
  id: (line, p) => {
    if (!arity(line, 1)) return;
    const n = integerArg(line, line.args[0]!, 'id', 1);
    if (n !== undefined) p.id = { value: n, where: line.where };
  },
};

/** Handlers of every supported (or ignored-but-acting) proxy keyword, keyed as in the keyword table. */
export const PROXY_HANDLERS: Readonly<Record<string, ProxyHandler>> = {
  ...PROXY_CORE_HANDLERS,
  ...OPTION_HANDLERS,
};
