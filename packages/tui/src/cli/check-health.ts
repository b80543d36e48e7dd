import type { ServerState, StatRow } from '@lbctl/protocol';

/** A server can take new sessions: ready, healthy, with a weight. */
export function isUsable(s: ServerState): boolean {
  return s.admin === 'ready' && s.health === 'up' && s.weight > 0 && s.status !== 'NOLB';
}

/** What `lbctl check` found on one daemon. */
export interface CheckFinding {
  ok: boolean;
  frontends: number;
  backends: number;
  usableServers: number;
  servers: number;
  /** One sentence per problem, for stderr. */
  problems: string[];
}

/**
 * Decides keepalived's question, "can this balancer serve?": every frontend
 * is open and every backend that has servers has at least one usable one.
 * The runtime API does not say which backend a `frontend` section routes to,
 * so every backend with servers is checked (`--backend` narrows it); a
 * backend without servers is skipped rather than failing the whole node.
 */
export function evaluateCheck(
  states: readonly ServerState[],
  rows: readonly StatRow[],
  backend: string | undefined,
): CheckFinding {
  const problems: string[] = [];
  const frontendRows = rows.filter((r) => r.svname === 'FRONTEND');
  const frontends = backend === undefined ? frontendRows : frontendRows.filter((r) => r.pxname === backend);
  for (const row of frontends) {
    if (row.status !== 'OPEN') problems.push(`frontend ${row.pxname} is ${row.status}`);
  }
  const byBackend = new Map<string, ServerState[]>();
  for (const s of states) {
    if (backend !== undefined && s.backend !== backend) continue;
    byBackend.set(s.backend, [...(byBackend.get(s.backend) ?? []), s]);
  }
  let usable = 0;
  let total = 0;
  for (const [name, servers] of byBackend) {
    const up = servers.filter(isUsable);
    usable += up.length;
    total += servers.length;
    if (up.length === 0) {
      const why = servers.map((s) => `${s.server} ${s.status}`).join(', ');
      problems.push(`backend ${name} has no usable server (${why})`);
    }
  }
  return {
    ok: problems.length === 0,
    frontends: frontends.length,
    backends: byBackend.size,
    usableServers: usable,
    servers: total,
    problems,
  };
}
