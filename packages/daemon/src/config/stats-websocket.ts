import { parseBindAddresses } from './address.js';
import { badValue, integerArg, type Line, orList, reportFailure } from './context.js';
import { suggestValue } from './suggest.js';
import type { AccessLevel, StatsWebSocketConfig } from './types.js';

const LEVELS: readonly AccessLevel[] = ['user', 'operator', 'admin'];
const PARAMS = ['token-file', 'level', 'maxclients'] as const;

/**
 * Parses `stats websocket [ADDR]:PORT token-file PATH [level L] [maxclients N]`,
 * lbd's extension for the JSON protocol over WebSocket. An address left out
 * (`:9100`) means 127.0.0.1: the listener grants runtime-API rights, so it
 * stays on loopback unless the operator names another address.
 */
export function parseStatsWebSocket(line: Line): StatsWebSocketConfig | undefined {
  const [address, ...params] = line.args;
  if (address === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing address for '${line.keyword}' (usage: ${line.usage})`,
    );
    return undefined;
  }
  const parsed = parseBindAddresses(address);
  if (!parsed.ok) {
    reportFailure(line, parsed, `bad address '${address}' for '${line.keyword}': ${parsed.reason}`);
    return undefined;
  }
  const first = parsed.value[0]!;
  if (parsed.value.length > 1 || first.ports.low !== first.ports.high) {
    badValue(line, address, line.keyword, 'expected one ADDR:PORT');
    return undefined;
  }
  const host = first.host === '' ? '127.0.0.1' : first.host === '*' ? '0.0.0.0' : first.host;
  const config: StatsWebSocketConfig = {
    host,
    port: first.ports.low,
    tokenFile: '',
    level: 'user',
    where: line.where,
  };
  for (let i = 0; i < params.length; i += 2) {
    const name = params[i]!;
    const value = params[i + 1];
    if (!(PARAMS as readonly string[]).includes(name)) {
      badValue(
        line,
        name,
        line.keyword,
        `unknown parameter (expected ${orList(PARAMS)})`,
        suggestValue(name, PARAMS),
      );
      return undefined;
    }
    if (value === undefined) {
      line.ctx.error(
        'LB_ERR_CONFIG_MISSING_ARGUMENT',
        line.where,
        `missing value for '${name}' on '${line.keyword}'`,
      );
      return undefined;
    }
    if (name === 'token-file') config.tokenFile = value;
    else if (name === 'level') {
      if (!(LEVELS as readonly string[]).includes(value)) {
        badValue(line, value, 'level', `expected ${orList(LEVELS)}`, suggestValue(value, LEVELS));
        return undefined;
      }
      config.level = value as AccessLevel;
    } else {
      const n = integerArg(line, value, 'maxclients', 1, 100_000);
      if (n === undefined) return undefined;
      config.maxClients = n;
    }
  }
  if (config.tokenFile === '') {
    line.ctx.error(
      'LB_ERR_CONFIG_INCOMPLETE',
      line.where,
      `'${line.keyword}' needs 'token-file PATH': clients must present that token as 'Authorization: Bearer TOKEN'`,
    );
    return undefined;
  }
  return config;
}
