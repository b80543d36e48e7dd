import { badValue, integerArg, type Line, orList } from './context.js';
import type { ParamHandler } from './params.js';
import { walkParams } from './params.js';
import { suggestValue } from './suggest.js';
import type { AccessLevel, StatsSocketConfig } from './types.js';
import { parseOctalMode } from './units.js';

const LEVELS: readonly AccessLevel[] = ['user', 'operator', 'admin'];

const HANDLERS: Readonly<Record<string, ParamHandler<StatsSocketConfig>>> = {
  mode: (value, s, line) => {
    const mode = parseOctalMode(value);
    if (mode.ok) s.mode = mode.value;
    else badValue(line, value, 'mode', mode.reason);
  },
  uid: (value, s, line) => {
    const n = integerArg(line, value, 'uid', 0, 4_294_967_294);
    if (n !== undefined) s.uid = n;
  },
  gid: (value, s, line) => {
    const n = integerArg(line, value, 'gid', 0, 4_294_967_294);
    if (n !== undefined) s.gid = n;
  },
  user: (value, s) => {
    s.user = value;
  },
  group: (value, s) => {
    s.group = value;
  },
  level: (value, s, line) => {
    if ((LEVELS as readonly string[]).includes(value)) s.level = value as AccessLevel;
    else badValue(line, value, 'level', `expected ${orList(LEVELS)}`, suggestValue(value, LEVELS));
  },
};

/**
 * Parses `stats socket PATH [params]`. Only UNIX sockets: the runtime API
 * grants admin rights, and a TCP listener would offer them to the network.
 */
export function parseStatsSocket(line: Line): StatsSocketConfig | undefined {
  const [address, ...params] = line.args;
  if (address === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing argument for '${line.keyword}' (usage: ${line.usage})`,
    );
    return undefined;
  }
  const prefix = /^([A-Za-z0-9]+)@/.exec(address)?.[1];
  if ((prefix !== undefined && prefix !== 'unix') || /^[^/]*:\d+$/.test(address)) {
    line.ctx.error(
      'LB_ERR_CONFIG_UNSUPPORTED',
      line.where,
      `stats socket '${address}' is not supported: the runtime API listens on a UNIX socket path only`,
    );
    return undefined;
  }
  const path = prefix === 'unix' ? address.slice('unix@'.length) : address;
  if (path === '') {
    badValue(line, address, line.keyword, 'expected a UNIX socket path');
    return undefined;
  }
  const socket: StatsSocketConfig = { path, level: 'admin', where: line.where };
  walkParams(line, 'stats-socket', params, "'stats socket'", HANDLERS, socket);
  return socket;
}
