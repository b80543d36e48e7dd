import { ApiError, type StatRow } from '@lbctl/protocol';
import type { ProxyConfig } from '../../config/types.js';
import type { RuntimeModel, ServerModel } from '../../model/index.js';
import type { DataPlane } from '../../proxy/index.js';
import type { BackendTracker } from './backend-tracker.js';
import { backendRow, frontendRow, serverRow } from './stat-rows.js';

/** Who is reading and what the daemon is doing: HAProxy hides server addresses and algorithms from `level user`. */
export interface StatView {
  showSensitive: boolean;
  stopping: boolean;
  tracker: BackendTracker;
}

/** `show stat` filters: `{iid|name} type sid`, and `up` / `no-maint`. */
export interface StatFilter {
  /** Proxy id or name; -1 (the default) means every proxy. */
  proxy?: number | string;
  /** Bit mask: 1 frontends, 2 backends, 4 servers; -1 (the default) all. */
  type?: number;
  /** Server id; -1 (the default) every server. */
  server?: number;
  /** `up` keeps running servers only, `no-maint` drops servers in maintenance. */
  state?: 'up' | 'no-maint';
}

const FRONTEND = 1;
const BACKEND = 2;
const SERVER = 4;

/** A server that is running (HAProxy's "not stopped"): up and not in maintenance. */
function running(server: ServerModel): boolean {
  return server.admin !== 'maint' && server.health === 'up';
}

function keepServer(server: ServerModel, filter: StatFilter): boolean {
  if (filter.server !== undefined && filter.server !== -1 && server.id !== filter.server) return false;
  if (filter.state === 'up') return running(server);
  if (filter.state === 'no-maint') return server.admin !== 'maint';
  return true;
}

/**
 * Every `show stat` row in HAProxy's order: proxies as configured; within a
 * proxy FRONTEND, servers by id, BACKEND. A proxy name that does not exist
 * is an error (`No such proxy.`); an unknown id just selects nothing.
 */
export function collectStatRows(
  model: RuntimeModel,
  dataPlane: DataPlane,
  view: StatView,
  filter: StatFilter = {},
): StatRow[] {
  const proxies = selectProxies(model.config.proxies, filter.proxy);
  const mask = filter.type === undefined || filter.type === -1 ? FRONTEND | BACKEND | SERVER : filter.type;
  const now = Date.now();
  const rows: StatRow[] = [];
  const listeners = new Map(dataPlane.listeners.map((l) => [l.name, l]));
  const globalMaxconn = dataPlane.admission.maxconn;
  for (const proxy of proxies) {
    const listener = listeners.get(proxy.name);
    if (listener !== undefined && proxy.kind !== 'backend' && (mask & FRONTEND) !== 0) {
      rows.push(frontendRow(proxy.id, listener, proxy.maxconn ?? globalMaxconn, now, view.stopping));
    }
    const pool = proxy.kind === 'frontend' ? undefined : dataPlane.pools.get(proxy.name);
    if (pool === undefined) continue;
    if ((mask & SERVER) !== 0) {
      for (const server of pool.servers) {
        if (keepServer(server.model, filter)) {
          rows.push(serverRow(proxy.id, pool, server, now, view.showSensitive));
        }
      }
    }
    if ((mask & BACKEND) !== 0) {
      const history = view.tracker.history(proxy.name);
      const downtime = history === undefined ? 0 : view.tracker.downtimeSec(history, now);
      const models = pool.servers.map((s) => s.model);
      const count =
        filter.state === undefined ? undefined : { up: models.filter(running).length, total: models.length };
      rows.push(
        backendRow(
          proxy.id,
          pool,
          fullconn(model, proxy.name, globalMaxconn),
          now,
          view.showSensitive,
          history,
          downtime,
          count,
        ),
      );
    }
  }
  return rows;
}

function selectProxies(proxies: readonly ProxyConfig[], wanted: number | string | undefined): ProxyConfig[] {
  if (wanted === undefined || wanted === -1) return [...proxies];
  if (typeof wanted === 'number') return proxies.filter((p) => p.id === wanted);
  const named = proxies.filter((p) => p.name === wanted);
  if (named.length === 0) throw new ApiError('LB_ERR_NO_SUCH_PROXY', 'No such proxy.');
  return named;
}

/** HAProxy's default fullconn: 10 % of the maxconn of the frontends that use the backend (at least 1). */
function fullconn(model: RuntimeModel, backendName: string, globalMaxconn: number): number {
  const backend = model.backends.get(backendName);
  if (backend?.config.fullconn !== undefined) return backend.config.fullconn;
  let sum = 0;
  for (const frontend of model.frontends) {
    if (frontend.backendName === backendName) sum += frontend.config.maxconn ?? globalMaxconn;
  }
  return Math.max(1, Math.ceil(sum / 10));
}
