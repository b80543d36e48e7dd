import type { LbClient, ServerState } from '@lbctl/protocol';
import { resolveServers, type ServerName } from '../connection/index.js';
import { colourStatus, type Palette } from './colour.js';

/**
 * Resolves each name or glob against the daemon's servers (one
 * `show-servers-state` round trip), in the order given, without duplicates.
 */
export async function resolveOnDaemon(
  client: LbClient,
  patterns: readonly string[],
  backend: string | undefined,
): Promise<{ names: ServerName[]; states: ServerState[] }> {
  const { servers } = await client.request('show-servers-state', backend === undefined ? {} : { backend });
  const seen = new Set<string>();
  const names: ServerName[] = [];
  for (const pattern of patterns) {
    for (const name of resolveServers(servers, pattern, backend)) {
      const key = `${name.backend}/${name.server}`;
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(name);
    }
  }
  return { names, states: servers };
}

/** `backend/server`. */
export function qualified(name: { backend: string; server: string }): string {
  return `${name.backend}/${name.server}`;
}

/** One line describing a server's state after an admin action. */
export function formatState(p: Palette, s: ServerState, before?: ServerState): string {
  const was = before !== undefined && before.status !== s.status ? `, was ${before.status}` : '';
  const sessions = `${s.sessions} session${s.sessions === 1 ? '' : 's'}`;
  return `${qualified(s)}: ${colourStatus(p, s.status)} (admin ${s.admin}, health ${s.health}, weight ${s.weight}, ${sessions}${was})`;
}
