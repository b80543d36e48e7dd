import { arity, badValue, durationArg, integerArg, type Line } from './context.js';
import { parseLogTarget } from './log.js';
import { parseStatsSocket } from './stats-socket.js';
import { parseStatsWebSocket } from './stats-websocket.js';
import type { GlobalConfig } from './types.js';

/** Handles one supported `global` keyword. */
export type GlobalHandler = (line: Line, global: GlobalConfig) => void;

/** A fresh `global` with lbd's defaults. */
export function defaultGlobal(): GlobalConfig {
  return { statsSockets: [], statsTimeoutMs: 10_000, nbthread: 1, spreadChecks: 0, logTargets: [] };
}

function integer(set: (g: GlobalConfig, n: number) => void, min = 0, max?: number): GlobalHandler {
  return (line, g) => {
    if (!arity(line, 1)) return;
    const n = integerArg(line, line.args[0]!, line.keyword, min, max);
    if (n !== undefined) set(g, n);
  };
}

function word(set: (g: GlobalConfig, s: string) => void): GlobalHandler {
  return (line, g) => {
    if (arity(line, 1)) set(g, line.args[0]!);
  };
}

/** Handlers of the supported `global` keywords, keyed by keyword as in the keyword table. */
export const GLOBAL_HANDLERS: Readonly<Record<string, GlobalHandler>> = {
  maxconn: integer((g, n) => (g.maxconn = n), 1),
  'stats socket': (line, g) => {
    const socket = parseStatsSocket(line);
    if (socket) g.statsSockets.push(socket);
  },
  'stats websocket': (line, g) => {
    const listener = parseStatsWebSocket(line);
    if (listener) g.statsWebSockets = [...(g.statsWebSockets ?? []), listener];
  },
  'admin-state-file': word((g, s) => (g.adminStateFile = s)),
  'stats timeout': (line, g) => {
    if (!arity(line, 1)) return;
    const ms = durationArg(line, line.args[0]!, line.keyword);
    if (ms === undefined) return;
    if (ms === 0) badValue(line, line.args[0]!, line.keyword, 'must be more than 0');
    else g.statsTimeoutMs = ms;
  },
  pidfile: word((g, s) => (g.pidfile = s)),
  nbthread: integer((g, n) => (g.nbthread = n), 1, 4096),
  user: word((g, s) => (g.user = s)),
  group: word((g, s) => (g.group = s)),
  uid: integer((g, n) => (g.uid = n), 0, 4_294_967_294),
  gid: integer((g, n) => (g.gid = n), 0, 4_294_967_294),
  log: (line, g) => {
    if (line.args[0] === 'global') {
      line.ctx.error(
        'LB_ERR_CONFIG_BAD_VALUE',
        line.where,
        "'log global' refers to the global log targets, so it cannot appear in the 'global' section itself",
      );
      return;
    }
    const target = parseLogTarget(line);
    if (target) g.logTargets.push(target);
  },
  'log-send-hostname': (line, g) => {
    if (arity(line, 0, 1)) g.logSendHostname = line.args[0] ?? true;
  },
  'ulimit-n': integer((g, n) => (g.ulimitN = n), 1),
  'spread-checks': integer((g, n) => (g.spreadChecks = n), 0, 50),
  chroot: word((g, s) => (g.chroot = s)),
  node: word((g, s) => (g.node = s)),
  description: (line, g) => {
    if (arity(line, 1, Number.POSITIVE_INFINITY)) g.description = line.args.join(' ');
  },
  'hard-stop-after': (line, g) => {
    if (!arity(line, 1)) return;
    const ms = durationArg(line, line.args[0]!, line.keyword);
    if (ms !== undefined) g.hardStopAfterMs = ms;
  },
};
