import { parseHost, parseServerAddress, parseSource } from './address.js';
import { badValue, durationArg, integerArg, type Line, orList, reportFailure } from './context.js';
import type { ProxyDraft, ServerParams } from './draft.js';
import { type ParamHandler, walkParams } from './params.js';
import { suggestValue } from './suggest.js';

type Handler = ParamHandler<ServerParams>;

function flag(set: (p: ServerParams) => void): Handler {
  return (_, p) => set(p);
}

function integer(
  key: 'rise' | 'fall' | 'weight' | 'maxconn' | 'maxqueue' | 'errorLimit',
  min: number,
  max?: number,
): Handler {
  return (value, p, line, name) => {
    const n = integerArg(line, value, name, min, max);
    if (n !== undefined) p[key] = n;
  };
}

function duration(
  key: 'inter' | 'fastinter' | 'downinter' | 'slowstart' | 'agentInter',
  min: number,
): Handler {
  return (value, p, line, name) => {
    const ms = durationArg(line, value, name);
    if (ms === undefined) return;
    if (ms < min) badValue(line, value, name, 'must be more than 0');
    else p[key] = ms;
  };
}

function port(key: 'checkPort' | 'agentPort'): Handler {
  return (value, p, line, name) => {
    const n = integerArg(line, value, name, 1, 65535);
    if (n !== undefined) p[key] = n;
  };
}

function host(key: 'checkAddr' | 'agentAddr'): Handler {
  return (value, p, line, name) => {
    const parsed = parseHost(value);
    if (parsed.ok) p[key] = parsed.value;
    else reportFailure(line, parsed, `bad address '${value}' for '${name}': ${parsed.reason}`);
  };
}

function choice<K extends 'onMarkedDown' | 'onMarkedUp' | 'observe' | 'onError'>(
  key: K,
  values: readonly NonNullable<ServerParams[K]>[],
): Handler {
  return (value, p, line, name) => {
    const allowed = values as readonly string[];
    if (allowed.includes(value)) p[key] = value as ServerParams[K];
    else badValue(line, value, name, `expected ${orList(allowed)}`, suggestValue(value, allowed));
  };
}

/** Handlers of the supported server parameters, keyed as in the keyword table. */
export const SERVER_HANDLERS: Readonly<Record<string, Handler>> = {
  check: flag((p) => (p.check = true)),
  'no-check': flag((p) => (p.check = false)),
  inter: duration('inter', 1),
  fastinter: duration('fastinter', 1),
  downinter: duration('downinter', 1),
  rise: integer('rise', 1),
  fall: integer('fall', 1),
  weight: integer('weight', 0, 256),
  maxconn: integer('maxconn', 0),
  maxqueue: integer('maxqueue', 0),
  backup: flag((p) => (p.backup = true)),
  'no-backup': flag((p) => (p.backup = false)),
  disabled: flag((p) => (p.disabled = true)),
  enabled: flag((p) => (p.disabled = false)),
  source: (value, p, line, name) => {
    const parsed = parseSource(value);
    if (parsed.ok) p.source = parsed.value;
    else reportFailure(line, parsed, `bad address '${value}' for '${name}': ${parsed.reason}`);
  },
  'send-proxy': flag((p) => (p.sendProxy = 1)),
  'send-proxy-v2': flag((p) => (p.sendProxy = 2)),
  'no-send-proxy': flag((p) => {
    if (p.sendProxy === 1) p.sendProxy = 0;
  }),
  'no-send-proxy-v2': flag((p) => {
    if (p.sendProxy === 2) p.sendProxy = 0;
  }),
  'check-send-proxy': flag((p) => (p.checkSendProxy = true)),
  id: (value, p, line, name) => {
    const n = integerArg(line, value, name, 1);
    if (n !== undefined) p.id = n;
  },
  port: port('checkPort'),
  addr: host('checkAddr'),
  slowstart: duration('slowstart', 0),
  'on-marked-down': choice('onMarkedDown', ['shutdown-sessions']),
  'on-marked-up': choice('onMarkedUp', ['shutdown-backup-sessions']),
  observe: choice('observe', ['layer4', 'layer7']),
  'error-limit': integer('errorLimit', 1),
  'on-error': choice('onError', ['fastinter', 'fail-check', 'sudden-death', 'mark-down']),
  'agent-check': flag((p) => (p.agentCheck = true)),
  'no-agent-check': flag((p) => (p.agentCheck = false)),
  'agent-port': port('agentPort'),
  'agent-inter': duration('agentInter', 1),
  'agent-send': (value, p) => {
    p.agentSend = value;
  },
  'agent-addr': host('agentAddr'),
};

const NAME = /^[A-Za-z0-9_.:-]+$/;

/** Handles `server NAME ADDR:PORT [params]`, on top of the `default-server` in force. */
export function parseServerLine(line: Line, proxy: ProxyDraft): void {
  const [name, address, ...params] = line.args;
  if (name === undefined || address === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      name === undefined
        ? `missing argument for 'server' (usage: ${line.usage})`
        : `missing address for server '${name}' (usage: ${line.usage})`,
    );
    return;
  }
  if (!NAME.test(name)) {
    badValue(line, name, 'server', "a server name uses letters, digits, '-', '_', '.' and ':'");
    return;
  }
  const parsed = parseServerAddress(address);
  if (!parsed.ok) {
    reportFailure(line, parsed, `bad address '${address}' for server '${name}': ${parsed.reason}`);
    return;
  }
  const own: ServerParams = structuredClone(proxy.defaultServer);
  // Ids identify one server; a default one would clash with the next server.
  delete own.id;
  const errorsBefore = line.ctx.errors.length;
  walkParams(line, 'server', params, `server '${name}'`, SERVER_HANDLERS, own);
  if (line.ctx.errors.length === errorsBefore && own.agentCheck && own.agentPort === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_INCOMPLETE',
      line.where,
      `server '${name}' has 'agent-check' but no 'agent-port': the agent's port is required`,
    );
  }
  proxy.servers.push({
    name,
    host: parsed.value.host,
    port: parsed.value.port,
    params: own,
    where: line.where,
  });
}

/** Handles `default-server [params]`: later `server` lines of the section start from these. */
export function parseDefaultServer(line: Line, proxy: ProxyDraft): void {
  walkParams(line, 'server', line.args, "'default-server'", SERVER_HANDLERS, proxy.defaultServer);
}
