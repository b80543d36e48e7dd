import type { ServerState } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';
import type { ServerTarget } from './lookup.js';

/** One server's state for JSON clients (`show-servers-state`, admin command results). */
export function serverState(ctx: ApiContext, target: ServerTarget, now = Date.now()): ServerState {
  const m = target.model;
  const c = m.check;
  return {
    backend: m.backendName,
    backendId: ctx.model.backends.get(m.backendName)?.id ?? 0,
    server: m.name,
    id: m.id,
    address: m.host,
    port: m.port,
    admin: m.admin,
    health: m.health,
    status: m.status,
    weight: m.weight,
    initialWeight: m.initialWeight,
    backup: m.backup,
    sessions: target.runtime?.counters.current ?? 0,
    lastChangeSec: Math.max(0, Math.floor((now - m.lastChange) / 1000)),
    check: {
      configured: m.config.check,
      enabled: c.enabled,
      status: c.status,
      health: c.health,
      rise: c.rise,
      fall: c.fall,
    },
    agent: { configured: m.config.agent !== undefined, enabled: c.agentEnabled },
  };
}

/** Every server of every backend (or of one), in configuration order. */
export function allServerTargets(ctx: ApiContext, backend?: string): ServerTarget[] {
  const out: ServerTarget[] = [];
  for (const b of ctx.model.backends.values()) {
    if (backend !== undefined && b.name !== backend) continue;
    const pool = ctx.dataPlane.pools.get(b.name);
    for (const model of b.servers) {
      out.push({ model, runtime: pool?.servers.find((s) => s.model === model) });
    }
  }
  return out;
}
