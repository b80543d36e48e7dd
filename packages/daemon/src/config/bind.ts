import { parseBindAddresses } from './address.js';
import { integerArg, type Line, reportFailure } from './context.js';
import type { ProxyDraft } from './draft.js';
import { type ParamHandler, walkParams } from './params.js';
import type { BindConfig } from './types.js';

/** Bind parameters shared by every listener of one `bind` line. */
type BindParams = Omit<BindConfig, 'host' | 'port' | 'where' | 'family'>;

const HANDLERS: Readonly<Record<string, ParamHandler<BindParams>>> = {
  'accept-proxy': (_, b) => {
    b.acceptProxy = true;
  },
  name: (value, b) => {
    b.name = value;
  },
  v4v6: (_, b) => {
    b.v4v6 = true;
  },
  v6only: (_, b) => {
    b.v6only = true;
  },
  interface: (value, b) => {
    b.interface = value;
  },
  backlog: (value, b, line) => {
    const n = integerArg(line, value, 'backlog', 1);
    if (n !== undefined) b.backlog = n;
  },
  maxconn: (value, b, line) => {
    const n = integerArg(line, value, 'maxconn', 1);
    if (n !== undefined) b.maxconn = n;
  },
};

/**
 * Adds the listeners of `bind ADDR[,ADDR...] [params]` (or of the legacy
 * address on a `listen`/`frontend` line, which takes no parameters). A port
 * range becomes one listener per port, as in HAProxy.
 */
export function addBinds(
  line: Line,
  proxy: ProxyDraft,
  addressText: string,
  params: readonly string[],
): void {
  proxy.bindLines++;
  const parsed = parseBindAddresses(addressText);
  if (!parsed.ok) {
    reportFailure(line, parsed, `bad address '${addressText}' for '${line.keyword}': ${parsed.reason}`);
    return;
  }
  const shared: BindParams = { acceptProxy: false };
  walkParams(line, 'bind', params, "'bind'", HANDLERS, shared);
  if (shared.v4v6 && shared.v6only) {
    line.ctx.error(
      'LB_ERR_CONFIG_BAD_VALUE',
      line.where,
      "'v4v6' and 'v6only' contradict each other on one 'bind'",
    );
    return;
  }
  for (const address of parsed.value) {
    for (let port = address.ports.low; port <= address.ports.high; port++) {
      const bind: BindConfig = { host: address.host, port, ...shared, where: line.where };
      if (address.family) bind.family = address.family;
      proxy.binds.push(bind);
    }
  }
}

/** Handles a `bind` line. */
export function parseBindLine(line: Line, proxy: ProxyDraft): void {
  const [address, ...params] = line.args;
  if (address === undefined) {
    proxy.bindLines++;
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing argument for '${line.keyword}' (usage: ${line.usage})`,
    );
    return;
  }
  addBinds(line, proxy, address, params);
}
