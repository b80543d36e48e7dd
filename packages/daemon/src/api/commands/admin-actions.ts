import { isIP } from 'node:net';
import { ApiError, type CommandName } from '@lbctl/protocol';
import type { AdminState } from '../../model/index.js';
import type { ApiContext, Caller } from '../context.js';
import type { ServerTarget } from './lookup.js';

/** How HAProxy names the runtime API in the replies of `set server ... addr`. */
const UPDATER = "by 'stats socket command'";

/** The reason recorded with a model change made through the API. */
function reasonFor(caller: Caller, cmd: CommandName): string {
  return `${cmd} by ${caller.level} on ${caller.source.socket}`;
}

/**
 * Runs an admin action, publishes it on the event bus (with its outcome and
 * where it came from) and, for changes that must survive a restart, waits
 * until the admin-state file holds them before the reply goes out.
 */
export async function runAdminAction<T>(
  ctx: ApiContext,
  caller: Caller,
  cmd: CommandName,
  target: ServerTarget,
  args: Record<string, unknown>,
  persist: boolean,
  action: (reason: string) => T,
): Promise<T> {
  const base = {
    topic: 'admin' as const,
    command: cmd,
    backend: target.model.backendName,
    server: target.model.name,
    args,
    source: { ...caller.source, level: caller.level },
  };
  let result: T;
  try {
    result = action(reasonFor(caller, cmd));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    ctx.events.publish({
      ...base,
      time: Date.now(),
      ok: false,
      error: typeof code === 'string' ? code : 'LB_ERR_INTERNAL',
    });
    throw error;
  }
  ctx.events.publish({ ...base, time: Date.now(), ok: true });
  ctx.log.info(
    { command: cmd, server: `${base.backend}/${base.server}`, args, source: base.source },
    'admin action',
  );
  if (persist && ctx.stateFile !== undefined) {
    try {
      await ctx.stateFile.save(ctx.model);
    } catch (error) {
      ctx.log.error({ err: error, code: 'LB_ERR_STATE_FILE' }, 'admin change applied but not saved');
      throw error;
    }
  }
  return result;
}

/** `set server B/S state ready|drain|maint`, `enable/disable server`. */
export function setAdminState(target: ServerTarget, state: AdminState, reason: string): void {
  target.model.setAdmin(state, reason);
}

/** `set weight`, `set server B/S weight`: the weight is already parsed and checked. */
export function setWeight(target: ServerTarget, weight: number, reason: string): void {
  target.model.setWeight(weight, reason);
}

/** `set server B/S health up|stopping|down`: forces the operational state, as HAProxy does. */
export function setHealth(target: ServerTarget, health: 'up' | 'stopping' | 'down', reason: string): void {
  const m = target.model;
  const c = m.check;
  if (health === 'down') {
    c.health = 0;
    m.setHealth('down', reason);
    return;
  }
  c.health = c.maxHealth;
  m.setHealth('up', reason);
  m.setSoftDown(health === 'stopping', reason);
}

/** `set server B/S agent up|down`: forces the agent's verdict. */
export function setAgent(target: ServerTarget, agent: 'up' | 'down', reason: string): void {
  const m = target.model;
  const c = m.check;
  if (!c.agentEnabled)
    throw new ApiError('LB_ERR_NOT_CONFIGURED', 'agent checks are not enabled on this server.');
  if (agent === 'down') {
    c.agentHealth = 0;
    m.setHealth('down', reason);
    return;
  }
  c.agentHealth = c.agentRise + c.agentFall - 1;
  if (!c.enabled || c.health >= c.rise) m.setHealth('up', reason);
}

/** `enable health` / `disable health`. Disabling on a server without checks is a no-op, as in HAProxy. */
export function setHealthChecks(target: ServerTarget, enabled: boolean): void {
  const m = target.model;
  if (!m.config.check) {
    if (enabled) {
      throw new ApiError(
        'LB_ERR_NOT_CONFIGURED',
        'Health check was not configured on this server, cannot enable.',
      );
    }
    return;
  }
  m.check.enabled = enabled;
}

/** `enable agent` / `disable agent`. */
export function setAgentChecks(target: ServerTarget, enabled: boolean, reason: string): void {
  const m = target.model;
  const c = m.check;
  if (m.config.agent === undefined) {
    if (enabled)
      throw new ApiError('LB_ERR_NOT_CONFIGURED', 'Agent was not configured on this server, cannot enable.');
    return;
  }
  c.agentEnabled = enabled;
  // An agent that held the server down no longer speaks for it once disabled.
  if (!enabled && m.health === 'down' && c.agentHealth === 0 && (!c.enabled || c.health >= c.rise)) {
    c.agentHealth = c.agentRise + c.agentFall - 1;
    m.setHealth('up', reason);
  }
}

/**
 * `set server B/S addr IP [port P]`: returns HAProxy's report of what
 * changed. As HAProxy, a bad port still lets a good address through and
 * says so in the reply.
 */
export function setAddress(
  target: ServerTarget,
  addr: string | undefined,
  port: string | undefined,
  reason: string,
): string {
  const m = target.model;
  if (addr === undefined || addr === '') {
    throw new ApiError(
      'LB_ERR_BAD_ARGUMENT',
      `set server <b>/<s> addr requires an address and optionally a port.`,
    );
  }
  if (isIP(addr) === 0) throw new ApiError('LB_ERR_BAD_ARGUMENT', `Invalid addr '${addr}' ${UPDATER}`);
  const addrChanged = addr !== m.host;
  let message = addrChanged ? `IP changed from '${m.host}' to '${addr}'` : 'no need to change the addr';
  let newPort = m.port;
  if (port !== undefined) {
    const valid = /^\d{1,5}$/.test(port) && Number(port) <= 65535;
    if (!valid) message += `, problem converting port '${port}' to an int`;
    else if (Number(port) !== m.port) {
      message += `, port changed from '${m.port}' to '${Number(port)}'`;
      newPort = Number(port);
    } else message += ', no need to change the port';
  }
  if (addrChanged || newPort !== m.port) m.setAddress(addr, newPort, reason);
  return `${message} ${UPDATER}`;
}

/** `shutdown sessions server B/S`: returns how many sessions were closed. */
export function shutdownSessions(target: ServerTarget): number {
  return target.runtime?.killSessions() ?? 0;
}
