import { ApiError, COMMANDS, type CommandName, levelAllows } from '@lbctl/protocol';
import type { ServerModel } from '../../model/index.js';
import type { ServerRuntime } from '../../proxy/index.js';
import type { ApiContext, Caller } from '../context.js';

/**
 * Refuses a command the caller's level does not allow. Both dialects and
 * both transports call this with the command's JSON name, so one table
 * (`COMMANDS` in the protocol package) decides for all of them.
 */
export function authorize(caller: Caller, cmd: CommandName): void {
  if (!levelAllows(caller.level, COMMANDS[cmd].level)) {
    throw new ApiError('LB_ERR_PERMISSION_DENIED', 'Permission denied', {
      data: { level: caller.level, required: COMMANDS[cmd].level },
    });
  }
}

/** A server of the model with its data-plane side (sessions, counters). */
export interface ServerTarget {
  readonly model: ServerModel;
  readonly runtime: ServerRuntime | undefined;
}

/** Finds `backend`/`server`, with HAProxy's messages when either is unknown. */
export function findServer(ctx: ApiContext, backend: string, server: string): ServerTarget {
  const found = ctx.model.backends.get(backend);
  if (found === undefined) throw new ApiError('LB_ERR_NO_SUCH_BACKEND', 'No such backend.');
  const model = found.servers.find((s) => s.name === server);
  if (model === undefined) throw new ApiError('LB_ERR_NO_SUCH_SERVER', 'No such server.');
  const runtime = ctx.dataPlane.pools.get(backend)?.servers.find((s) => s.model === model);
  return { model, runtime };
}

/**
 * Splits HAProxy's `backend/server` argument. HAProxy requires the slash;
 * a backend name never contains one, so the first slash separates them.
 */
export function parseServerPath(arg: string | undefined): { backend: string; server: string } {
  const slash = arg === undefined ? -1 : arg.indexOf('/');
  if (arg === undefined || slash < 0) throw new ApiError('LB_ERR_BAD_ARGUMENT', "Require 'backend/server'.");
  return { backend: arg.slice(0, slash), server: arg.slice(slash + 1) };
}
