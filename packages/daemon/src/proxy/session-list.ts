import type { SessionInfo } from '@lbctl/protocol';
import type { BackendPool } from './backend-pool.js';

const ids = new WeakMap<object, number>();
let nextId = 1;

/**
 * A stable pseudo-address per session, as HAProxy prints a stream's pointer.
 * `base` keeps the ids of different worker processes apart.
 */
export function idOf(session: object, base = 0x10000): string {
  let id = ids.get(session);
  if (id === undefined) {
    id = nextId++;
    ids.set(session, id);
  }
  return `0x${(base + id).toString(16)}`;
}

/** The proxied sessions of a data plane's pools (a worker's, or the only process's). */
export function describeSessions(pools: Iterable<BackendPool>, base?: number): SessionInfo[] {
  const now = Date.now();
  const out: SessionInfo[] = [];
  for (const pool of pools) {
    for (const server of pool.servers) {
      for (const session of server.sessions) {
        const described = session.describe();
        out.push({
          id: idOf(session, base),
          proto: described.source.includes('.') ? 'tcpv4' : 'tcpv6',
          source: described.source,
          frontend: described.frontend,
          backend: pool.name,
          server: server.model.name,
          ageSec: Math.max(0, Math.floor((now - described.acceptedAt) / 1000)),
        });
      }
    }
  }
  return out;
}
