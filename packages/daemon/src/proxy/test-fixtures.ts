import type { ProxyConfig, ServerConfig } from '../config/types.js';
import { RuntimeModel } from '../model/index.js';

/** A server line with HAProxy's defaults, for unit tests. */
export function serverConfig(name: string, id: number, extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name,
    host: '127.0.0.1',
    port: 10000 + id,
    id,
    check: false,
    inter: 2000,
    fastinter: 2000,
    downinter: 2000,
    rise: 2,
    fall: 3,
    weight: 1,
    maxconn: 0,
    maxqueue: 0,
    backup: false,
    disabled: false,
    sendProxy: 0,
    slowstart: 0,
    where: { file: 'test.cfg', line: id },
    ...extra,
  };
}

/** A runtime model with one `listen` section holding these servers. */
export function modelWith(servers: ServerConfig[], extra: Partial<ProxyConfig> = {}): RuntimeModel {
  const proxy: ProxyConfig = {
    name: 'be',
    kind: 'listen',
    id: 2,
    mode: 'tcp',
    binds: [{ host: '127.0.0.1', port: 0, acceptProxy: false, where: { file: 'test.cfg', line: 1 } }],
    balance: 'roundrobin',
    servers,
    retries: 3,
    options: {
      redispatch: false,
      tcplog: false,
      dontlognull: false,
      tcpka: false,
      clitcpka: false,
      srvtcpka: false,
      nolinger: false,
    },
    timeouts: {},
    log: false,
    disabled: false,
    where: { file: 'test.cfg', line: 1 },
    ...extra,
  };
  return new RuntimeModel({
    files: ['test.cfg'],
    global: { statsSockets: [], statsTimeoutMs: 10000, nbthread: 1, spreadChecks: 0, logTargets: [] },
    proxies: [proxy],
    notices: [],
  });
}
