import { EventEmitter } from 'node:events';
import type { BalanceAlgorithm, Config, ProxyConfig } from '../config/types.js';
import { sameConfig } from './config-equal.js';
import { type ServerChange, ServerModel } from './server-model.js';

/** What {@link RuntimeModel.reconfigure} changed, by name (`backend/server` for servers). */
export interface ModelChanges {
  readonly addedServers: string[];
  readonly removedServers: string[];
  readonly changedServers: string[];
  /** Servers kept as they were: same object, so state, checks and counters carry on. */
  readonly keptServers: number;
}

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

  /** The configuration in force; replaced by {@link reconfigure}. */
  config: Config;

  constructor(config: Config) {
    this.config = config;
    this.build(config, new Map());
  }

  /**
   * Switches to `config` (a reload). A server whose settings did not change
   * is kept as the same object, so its admin state, health, weight and
   * check history go on untouched. A changed one is new but keeps the
   * operator's admin state and, at the same address, its health: an
   * edited weight must not undo a drain or bring a DOWN server back.
   */
  reconfigure(config: Config): ModelChanges {
    const previous = new Map<string, ServerModel>();
    for (const backend of this.backends.values()) {
      for (const server of backend.servers) previous.set(`${backend.name}/${server.name}`, server);
    }
    this.frontends.length = 0;
    this.backends.clear();
    this.config = config;
    const changes = this.build(config, previous);
    for (const key of previous.keys()) changes.removedServers.push(key);
    return changes;
  }

  private build(config: Config, previous: Map<string, ServerModel>): ModelChanges & { keptServers: number } {
    const changes = {
      addedServers: [] as string[],
      removedServers: [] as string[],
      changedServers: [] as string[],
      keptServers: 0,
    };
    for (const proxy of config.proxies) {
      if (proxy.disabled || proxy.mode !== 'tcp') continue;
      if (proxy.kind !== 'frontend')
        this.backends.set(proxy.name, this.buildBackend(proxy, previous, changes));
    }
    for (const proxy of config.proxies) {
      if (proxy.disabled || proxy.mode !== 'tcp' || proxy.kind === 'backend') continue;
      if (proxy.binds.length === 0) continue;
      const backendName = proxy.kind === 'listen' ? proxy.name : proxy.defaultBackend;
      if (backendName === undefined) continue;
      this.frontends.push({ name: proxy.name, id: proxy.id, config: proxy, backendName });
    }
    return changes;
  }

  /** Finds `backend/server`; undefined when either is unknown. */
  findServer(backendName: string, serverName: string): ServerModel | undefined {
    return this.backends.get(backendName)?.servers.find((s) => s.name === serverName);
  }

  onServerChange(listener: (change: ServerChange) => void): () => void {
    this.events.on('server-change', listener);
    return () => this.events.off('server-change', listener);
  }

  private buildBackend(
    proxy: ProxyConfig,
    previous: Map<string, ServerModel>,
    changes: { addedServers: string[]; changedServers: string[]; keptServers: number },
  ): BackendModel {
    const servers = [...proxy.servers]
      .sort((a, b) => a.id - b.id)
      .map((server) => {
        const key = `${proxy.name}/${server.name}`;
        const old = previous.get(key);
        previous.delete(key);
        if (old !== undefined && sameConfig(old.config, server)) {
          changes.keptServers++;
          return old;
        }
        const fresh = new ServerModel(server, proxy.name, this.events);
        if (old === undefined) {
          changes.addedServers.push(key);
          return fresh;
        }
        changes.changedServers.push(key);
        // `disabled` added in the file wins; otherwise the operator's last word stays.
        if (!server.disabled) fresh.admin = old.admin;
        if (old.config.host === server.host && old.config.port === server.port) {
          fresh.health = old.health;
          fresh.softDown = old.softDown;
        }
        return fresh;
      });
    return { name: proxy.name, id: proxy.id, config: proxy, algorithm: proxy.balance, servers };
  }
}
