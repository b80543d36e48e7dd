import { EventEmitter } from 'node:events';
import type { BalanceAlgorithm, Config, ProxyConfig } from '../config/types.js';
import { type ServerChange, ServerModel } from './server-model.js';

/** Control-plane view of a backend-capable proxy. */
export interface BackendModel {
  readonly name: string;
  readonly id: number;
  readonly config: ProxyConfig;
  readonly algorithm: BalanceAlgorithm;
  /** Servers in id order. */
  readonly servers: readonly ServerModel[];
}

/** Control-plane view of a frontend-capable proxy. */
export interface FrontendModel {
  readonly name: string;
  readonly id: number;
  readonly config: ProxyConfig;
  readonly backendName: string;
}

/**
 * The runtime model: which proxies and servers exist and what state the
 * operator and the health checks have put them in. Built from the parsed
 * configuration; the data plane subscribes to its changes.
 */
export class RuntimeModel {
  readonly frontends: FrontendModel[] = [];
  readonly backends = new Map<string, BackendModel>();
  private readonly events = new EventEmitter();

  constructor(readonly config: Config) {
    for (const proxy of config.proxies) {
      if (proxy.disabled || proxy.mode !== 'tcp') continue;
      if (proxy.kind !== 'frontend') this.backends.set(proxy.name, this.buildBackend(proxy));
    }
    for (const proxy of config.proxies) {
      if (proxy.disabled || proxy.mode !== 'tcp' || proxy.kind === 'backend') continue;
      if (proxy.binds.length === 0) continue;
      const backendName = proxy.kind === 'listen' ? proxy.name : proxy.defaultBackend;
      if (backendName === undefined) continue;
      this.frontends.push({ name: proxy.name, id: proxy.id, config: proxy, backendName });
    }
  }

  /** Finds `backend/server`; undefined when either is unknown. */
  findServer(backendName: string, serverName: string): ServerModel | undefined {
    return this.backends.get(backendName)?.servers.find((s) => s.name === serverName);
  }

  onServerChange(listener: (change: ServerChange) => void): () => void {
    this.events.on('server-change', listener);
    return () => this.events.off('server-change', listener);
  }

  private buildBackend(proxy: ProxyConfig): BackendModel {
    const servers = [...proxy.servers]
      .sort((a, b) => a.id - b.id)
      .map((server) => new ServerModel(server, proxy.name, this.events));
    return { name: proxy.name, id: proxy.id, config: proxy, algorithm: proxy.balance, servers };
  }
}
