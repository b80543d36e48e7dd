import { ApiError, type ReloadResult } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';

/**
 * The `reload` command of both dialects: the daemon's reload, or an
 * LB_ERR_UNSUPPORTED where the API runs without one (an embedded daemon).
 * Levels are checked by the dispatcher from the command table (admin).
 */
export function runReload(ctx: ApiContext, trigger: string): Promise<ReloadResult> {
  if (ctx.reload === undefined) {
    return Promise.reject(new ApiError('LB_ERR_UNSUPPORTED', 'This lbd cannot reload its configuration.'));
  }
  ctx.log.info({ trigger }, 'reload requested');
  return ctx.reload(trigger);
}
