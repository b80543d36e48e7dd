import type { RuntimeModel, ServerModel } from '../model/index.js';
import type { ServerState } from './messages.js';

/** The decisions about `server` a worker needs. */
export function stateOf(server: ServerModel): ServerState {
  return {
    backend: server.backendName,
    server: server.name,
    admin: server.admin,
    health: server.health,
    softDown: server.softDown,
    weight: server.weight,
    host: server.host,
    port: server.port,
  };
}

/** Every server's decisions, for a worker that starts. */
export function statesOf(model: RuntimeModel): ServerState[] {
  return [...model.backends.values()].flatMap((backend) => backend.servers.map(stateOf));
}

/**
 * Makes a worker's copy of a server obey the master's decisions; each
 * setter that changes something tells the worker's data plane, which
 * re-reads the backend. A server the worker does not know (it runs an older
 * configuration, finishing its sessions after a reload) is skipped.
 */
export function applyState(model: RuntimeModel, state: ServerState): void {
  const server = model.findServer(state.backend, state.server);
  if (server === undefined) return;
  const reason = 'master';
  server.setAdmin(state.admin, reason);
  server.setHealth(state.health, reason);
  server.setSoftDown(state.softDown, reason);
  server.setWeight(state.weight, reason);
  if (server.host !== state.host || server.port !== state.port)
    server.setAddress(state.host, state.port, reason);
}
