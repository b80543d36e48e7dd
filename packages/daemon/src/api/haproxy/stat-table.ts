import type { StatRow } from '@lbctl/protocol';
import type { RuntimeModel } from '../../model/index.js';
import type { DataPlane } from '../../proxy/index.js';
import { backendRow, frontendRow, serverRow } from './stat-rows.js';

/** Who is reading: HAProxy hides server addresses and algorithms from `level user`. */
export interface StatView {
  showSensitive: boolean;
}

/**
 * Every `show stat` row in HAProxy's order: proxies as configured; within a
 * proxy FRONTEND, servers by id, BACKEND.
 */
export function collectStatRows(model: RuntimeModel, dataPlane: DataPlane, view: StatView): StatRow[] {
  const now = Date.now();
  const rows: StatRow[] = [];
  const listeners = new Map(dataPlane.listeners.map((l) => [l.name, l]));
  const globalMaxconn = dataPlane.admission.maxconn;
  for (const proxy of model.config.proxies) {
    const listener = listeners.get(proxy.name);
    if (listener !== undefined && proxy.kind !== 'backend') {
      rows.push(frontendRow(proxy.id, listener, proxy.maxconn ?? globalMaxconn, now));
    }
    const pool = proxy.kind === 'frontend' ? undefined : dataPlane.pools.get(proxy.name);
    if (pool === undefined) continue;
    for (const server of pool.servers) rows.push(serverRow(proxy.id, pool, server, now, view.showSensitive));
    rows.push(
      backendRow(proxy.id, pool, fullconn(model, proxy.name, globalMaxconn), now, view.showSensitive),
    );
  }
  return rows;
}

/** HAProxy's default fullconn: 10 % of the maxconn of the frontends that use the backend. */
function fullconn(model: RuntimeModel, backendName: string, globalMaxconn: number): number {
  const backend = model.backends.get(backendName);
  if (backend?.config.fullconn !== undefined) return backend.config.fullconn;
  let sum = 0;
  for (const frontend of model.frontends) {
    if (frontend.backendName === backendName) sum += frontend.config.maxconn ?? globalMaxconn;
  }
  return Math.ceil(sum / 10);
}
